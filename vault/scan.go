package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"mapvault/project"
)

// Leak is a place in a file that holds, or probably holds, a secret. What
// describes it without ever repeating the secret.
type Leak struct {
	File         string
	Line, Column int // 1-based; Column counts characters
	What         string
}

func (l Leak) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", l.File, l.Line, l.Column, l.What)
}

// ScanProject scans a project file and, when present, its KeyVault sidecar.
// Files larger than mapvault reads (project.MaxSize, MaxKeyVaultSize) are
// not read: the error is a *project.TooLargeError naming the file.
func ScanProject(projectPath string) ([]Leak, error) {
	leaks, err := scanFile(projectPath, project.MaxSize)
	if err != nil {
		return nil, err
	}
	side := SidecarPath(projectPath)
	more, err := scanFile(side, MaxKeyVaultSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		leaks = append(leaks, more...)
	}
	return leaks, nil
}

// ScanFile looks through a text file for secrets: URLs with user
// information, known key parameters with a value, URL path segments and
// query values that look like secrets, JSON string values that look like
// secrets, and JSON fields named like secrets ("password", "client_secret",
// "api_key", ...) with a non-empty string value. A file starting with '{' or
// '[' is read as JSON (string by string, so a broken file is still scanned);
// any other file is scanned as plain text. Leaks are sorted by position.
// A file larger than project.MaxSize is not read (*project.TooLargeError).
func ScanFile(path string) ([]Leak, error) { return scanFile(path, project.MaxSize) }

func scanFile(path string, limit int64) ([]Leak, error) {
	data, err := project.ReadFile(path, limit)
	if err != nil {
		return nil, err
	}
	return scanData(path, data), nil
}

func scanData(name string, data []byte) []Leak {
	s := &scanner{name: name, data: data}
	if i := kvSkip(data, 0); i < len(data) && (data[i] == '{' || data[i] == '[') {
		s.scanJSON()
	} else {
		s.scanText()
	}
	s.positions()
	slices.SortStableFunc(s.leaks, func(a, b Leak) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return s.leaks
}

type scanner struct {
	name  string
	data  []byte
	leaks []Leak
	offs  []int // byte offset of each leak
}

func (s *scanner) add(off int, format string, args ...any) {
	s.offs = append(s.offs, off)
	s.leaks = append(s.leaks, Leak{File: s.name, What: fmt.Sprintf(format, args...)})
}

// positions fills in Line and Column in one pass over the file (a minified
// file is one long line; converting each offset on its own is quadratic).
func (s *scanner) positions() {
	order := make([]int, len(s.leaks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return s.offs[a] - s.offs[b] })
	line, col, pos := 1, 1, 0
	for _, i := range order {
		off := min(max(s.offs[i], 0), len(s.data))
		for pos < off {
			r, size := utf8.DecodeRune(s.data[pos:])
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			pos += size
		}
		s.leaks[i].Line, s.leaks[i].Column = line, col
	}
}

// scanJSON visits every string literal.
func (s *scanner) scanJSON() {
	d := s.data
	lastKey := ""
	for i := 0; i < len(d); i++ {
		if d[i] != '"' {
			continue
		}
		end := scanStringEnd(d, i)
		lit := d[i:end]
		text, escaped := scanDecode(lit)
		// offOf maps an index in text to a byte offset in the file: exact
		// without escapes, otherwise the opening quote.
		offOf := func(j int) int {
			if escaped {
				return i
			}
			return i + 1 + j
		}
		next := kvSkipSpace(d, end)
		prev := i - 1
		for prev >= 0 && (d[prev] == ' ' || d[prev] == '\t' || d[prev] == '\n' || d[prev] == '\r') {
			prev--
		}
		isKey := next < len(d) && d[next] == ':'
		switch {
		case isKey:
			lastKey = text
		case prev >= 0 && d[prev] == ':' && text != "" && scanSecretField(lastKey):
			s.add(offOf(0), "field %s has a value", scanName(lastKey))
			i = end - 1
			continue
		}
		s.checkText(text, offOf)
		i = end - 1
	}
}

// scanText scans a file that is not JSON: URLs, then the remaining words.
func (s *scanner) scanText() {
	text := string(s.data)
	ident := func(j int) int { return j }
	covered := s.checkURLs(text, ident)
	for _, loc := range scanWordRE.FindAllStringIndex(text, -1) {
		if scanCovered(covered, loc[0]) {
			continue
		}
		if w := text[loc[0]:loc[1]]; LooksSecret(w) {
			s.add(loc[0], "value looks like a secret (%d random-looking characters)", len(w))
		}
	}
}

var (
	scanURLRE  = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>\\]+`)
	scanWordRE = regexp.MustCompile(`[^\s"'<>(){}\[\],;=]+`)
)

func scanCovered(spans [][2]int, off int) bool {
	for _, sp := range spans {
		if off >= sp[0] && off < sp[1] {
			return true
		}
	}
	return false
}

// checkText reports the secrets in one string value.
func (s *scanner) checkText(text string, offOf func(int) int) {
	if strings.Contains(text, "://") {
		s.checkURLs(text, offOf)
		return
	}
	if LooksSecret(text) {
		s.add(offOf(0), "value looks like a secret (%d random-looking characters)", len(text))
	}
}

// checkURLs reports the secrets in every URL inside text and returns the
// spans of text the URLs cover.
func (s *scanner) checkURLs(text string, offOf func(int) int) [][2]int {
	var spans [][2]int
	for _, loc := range scanURLRE.FindAllStringIndex(text, -1) {
		spans = append(spans, [2]int{loc[0], loc[1]})
		s.checkURL(text[loc[0]:loc[1]], func(j int) int { return offOf(loc[0] + j) })
	}
	return spans
}

// checkURL takes a URL apart by hand, so that a URL net/url refuses is still
// checked and every position is exact.
func (s *scanner) checkURL(u string, offOf func(int) int) {
	auth := strings.Index(u, "://") + 3
	end := len(u)
	if j := strings.IndexAny(u[auth:], "/?#"); j >= 0 {
		end = auth + j
	}
	if strings.Contains(u[auth:end], "@") {
		s.add(offOf(auth), "URL has user information")
	}
	rest := u[end:]
	path, query, frag := rest, "", ""
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		path, frag = rest[:j], rest[j+1:]
	}
	if j := strings.IndexByte(path, '?'); j >= 0 {
		path, query = path[:j], path[j+1:]
	}
	off := end
	for _, seg := range strings.Split(path, "/") {
		if v := hygienePathUnescape(seg); LooksSecret(v) {
			s.add(offOf(off), "URL path segment looks like a secret (%d random-looking characters)", len(v))
		}
		off += len(seg) + 1
	}
	qOff := end + len(path) + 1
	fOff := end + len(path) + len(query) + 2
	if query == "" {
		fOff = end + len(path) + 1
	}
	s.checkPairs(query, func(j int) int { return offOf(qOff + j) })
	s.checkPairs(frag, func(j int) int { return offOf(fOff + j) })
}

func (s *scanner) checkPairs(q string, offOf func(int) int) {
	for _, p := range hygieneQueryPairs(q) {
		switch {
		case p.rawValue == "":
		case isKeyParam(p.name):
			s.add(offOf(p.valueOff), "query parameter %s has a value", scanName(p.name))
		case LooksSecret(p.value):
			s.add(offOf(p.valueOff), "query parameter %s value looks like a secret (%d random-looking characters)",
				scanName(p.name), len(p.value))
		}
	}
}

// scanSecretField reports whether a JSON field name says its value is a
// secret. Short, ambiguous names ("key", "code", "auth") are left to the
// value check.
func scanSecretField(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(name))
	switch n {
	case "pwd", "passwd", "credential", "credentials", "jwt", "authkey", "accesskey",
		"secretkey", "privatekey", "subscriptionkey", "sessionid":
		return true
	}
	for _, suffix := range []string{"password", "secret", "token", "apikey"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// scanName quotes a name for a Leak, unless the name itself could be the
// secret.
func scanName(n string) string {
	if len(n) > 64 || LooksSecret(n) {
		return "(name hidden)"
	}
	return strconv.Quote(n)
}

// scanStringEnd returns the offset just past the JSON string literal that
// starts at i (or the end of the line for an unterminated one).
func scanStringEnd(d []byte, i int) int {
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return j
		}
	}
	return len(d)
}

// scanDecode returns the text of a string literal and whether it had escapes.
func scanDecode(lit []byte) (string, bool) {
	inner := lit[1:]
	if n := len(inner); n > 0 && inner[n-1] == '"' {
		inner = inner[:n-1]
	}
	if !slices.Contains(inner, '\\') {
		return string(inner), false
	}
	var out string
	if json.Unmarshal(lit, &out) == nil {
		return out, true
	}
	return string(inner), true
}

// kvSkipSpace skips JSON whitespace from i.
func kvSkipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

package vault

import (
	"context"
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
	return ScanProjectContext(context.Background(), projectPath)
}

// ScanProjectContext is ScanProject that stops soon after ctx is done
// (within about 64 KiB of text) and then returns ctx.Err().
func ScanProjectContext(ctx context.Context, projectPath string) ([]Leak, error) {
	leaks, err := scanFile(ctx, projectPath, project.MaxSize)
	if err != nil {
		return nil, err
	}
	side := SidecarPath(projectPath)
	more, err := scanFile(ctx, side, MaxKeyVaultSize)
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
// The scan takes time linear in the size of the file.
func ScanFile(path string) ([]Leak, error) {
	return ScanFileContext(context.Background(), path)
}

// ScanFileContext is ScanFile that stops soon after ctx is done and then
// returns ctx.Err().
func ScanFileContext(ctx context.Context, path string) ([]Leak, error) {
	return scanFile(ctx, path, project.MaxSize)
}

func scanFile(ctx context.Context, path string, limit int64) ([]Leak, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := project.ReadFile(path, limit)
	if err != nil {
		return nil, err
	}
	return scanDataContext(ctx, path, data)
}

// scanData scans data to the end.
func scanData(name string, data []byte) []Leak {
	leaks, _ := scanDataContext(context.Background(), name, data)
	return leaks
}

func scanDataContext(ctx context.Context, name string, data []byte) ([]Leak, error) {
	s := &scanner{ctx: ctx, name: name, data: data}
	if i := kvSkip(data, 0); i < len(data) && (data[i] == '{' || data[i] == '[') {
		s.scanJSON()
	} else {
		s.scanText()
	}
	if s.err != nil {
		return nil, s.err
	}
	s.positions()
	slices.SortStableFunc(s.leaks, func(a, b Leak) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return s.leaks, nil
}

// scanStep is how much text the scanner works through between two looks at
// its context.
const scanStep = 64 << 10

type scanner struct {
	ctx   context.Context
	err   error // why the scan stopped early: the context's error
	name  string
	data  []byte
	leaks []Leak
	offs  []int // byte offset of each leak
}

// stopped reports whether the context is done, and records its error.
func (s *scanner) stopped() bool {
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	return s.err != nil
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
	look := 0 // where to look at the context next
	for i := 0; i < len(d); i++ {
		if i >= look {
			if s.stopped() {
				return
			}
			look = i + scanStep
		}
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
// Neither a URL nor a word contains white space, so the text is scanned in
// pieces of about scanStep bytes that end in white space, with a look at
// the context between two pieces.
func (s *scanner) scanText() {
	text := string(s.data)
	for start := 0; start < len(text); {
		if s.stopped() {
			return
		}
		end := min(start+scanStep, len(text))
		for end < len(text) && !scanSpace(text[end-1]) {
			end++
		}
		s.scanTextPiece(text[start:end], start)
		start = end
	}
}

// scanSpace reports the bytes regexp's \s matches.
func scanSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// scanTextPiece scans text, which starts at byte base of the file.
func (s *scanner) scanTextPiece(text string, base int) {
	covered := s.checkURLs(text, func(j int) int { return base + j })
	// Words and URLs both come in order: one pass over both tells whether
	// a word lies inside a URL (checking each word against every URL was
	// quadratic: 19 s for 4.5 MB with a URL on every line).
	next := 0
	for _, loc := range scanWordRE.FindAllStringIndex(text, -1) {
		for next < len(covered) && covered[next][1] <= loc[0] {
			next++
		}
		if next < len(covered) && covered[next][0] <= loc[0] {
			continue
		}
		if w := text[loc[0]:loc[1]]; LooksSecret(w) {
			s.add(base+loc[0], "value looks like a secret (%d random-looking characters)", len(w))
		}
	}
}

var (
	scanURLRE  = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>\\]+`)
	scanWordRE = regexp.MustCompile(`[^\s"'<>(){}\[\],;=]+`)
)

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

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

// ScanFile looks through a text file for secrets, with the judgement of
// URL hygiene (judge.go, docs/secret-detection.md): URLs with user
// information, known key parameters with a value, parameters and fields
// whose name says secret (password, passphrase, X-Amz-Signature,
// Authorization, ...), values that look generated where nothing says they
// are identifiers, URLs nested in values, Authorization values and
// labelled values in free text. A file starting with '{' or '[' is read as
// JSON (string by string, each judged under the name of the field that
// holds it, so a broken file is still scanned); any other file is scanned
// as plain text. Leaks are sorted by position.
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

// scanJSON visits every string literal and judges it under the name of
// the field that holds it (an array's elements under the array's name).
// Object keys are judged as free text.
func (s *scanner) scanJSON() {
	d := s.data
	type frame struct {
		object bool
		name   string // the field this container is the value of
		key    string // the current key (objects)
	}
	stack := []frame{{}}
	top := func() *frame { return &stack[len(stack)-1] }
	pendingKey := ""
	look := 0 // where to look at the context next
	for i := 0; i < len(d); i++ {
		if i >= look {
			if s.stopped() {
				return
			}
			look = i + scanStep
		}
		switch d[i] {
		case '{', '[':
			name := pendingKey
			if !top().object {
				name = top().name
			}
			stack = append(stack, frame{object: d[i] == '{', name: name})
			continue
		case '}', ']':
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		case '"':
		default:
			continue
		}
		end := scanStringEnd(d, i)
		text, escaped := scanDecode(d[i:end])
		// offOf maps an index in text to a byte offset in the file: exact
		// without escapes, otherwise the opening quote.
		offOf := func(j int) int {
			if escaped {
				return i
			}
			return i + 1 + j
		}
		next := kvSkipSpace(d, end)
		if next < len(d) && d[next] == ':' && top().object {
			top().key = text
			pendingKey = text
			s.report(textFindings(text, 0), offOf)
			i = end - 1
			continue
		}
		name := top().key
		if !top().object {
			name = top().name
		}
		s.report(valueFindings(name, siteField, text, 0), offOf)
		i = end - 1
	}
}

// scanText scans a file that is not JSON as free text, in pieces of about
// scanStep bytes that end at a line break (a labelled value, "Authorization:
// Bearer …", stays on its line), or at white space in a line longer than a
// piece, with a look at the context between two pieces.
func (s *scanner) scanText() {
	text := string(s.data)
	for start := 0; start < len(text); {
		if s.stopped() {
			return
		}
		end := min(start+scanStep, len(text))
		if j := strings.IndexByte(text[end:], '\n'); j >= 0 && j < scanStep {
			end += j + 1
		} else {
			for end < len(text) && !scanSpace(text[end-1]) {
				end++
			}
		}
		base := start
		s.report(textFindings(text[start:end], 0), func(j int) int { return base + j })
		start = end
	}
}

// scanSpace reports the bytes regexp's \s matches.
func scanSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

var (
	scanURLRE  = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>\\]+`)
	scanWordRE = regexp.MustCompile(`[^\s"'<>(){}\[\],;=]+`)
)

// report adds a leak for each finding, at the finding's start.
func (s *scanner) report(fs []finding, offOf func(int) int) {
	for _, f := range fs {
		s.add(offOf(f.start), "%s", f.what)
	}
}

// scanSecretField reports whether a JSON field name says its value is a
// secret. Short, ambiguous names ("key", "code", "auth") are left to the
// value's shape.
func scanSecretField(name string) bool { return classifyName(name, siteField) == classSecret }

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

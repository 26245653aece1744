package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
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
func ScanProject(projectPath string) ([]Leak, error) {
	leaks, err := ScanFile(projectPath)
	if err != nil {
		return nil, err
	}
	side := SidecarPath(projectPath)
	more, err := ScanFile(side)
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
	data, err := os.ReadFile(path)
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
	for i := 0; i < len(d); i++ {
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

// scanText scans a file that is not JSON as free text.
func (s *scanner) scanText() {
	s.report(textFindings(string(s.data), 0), func(j int) int { return j })
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

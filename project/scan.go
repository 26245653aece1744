package project

import (
	"encoding/json"
	"errors"
)

// errScan is returned by the scanner for input it cannot walk. Parse checks
// the whole document with json.Valid first, so it only fires on a bug.
var errScan = errors.New("project: internal error walking JSON")

// member is one key/value pair of a JSON object, or one element of an array
// (key "" and keyOff -1). Offsets are absolute byte offsets in the document.
type member struct {
	key    string
	keyOff int
	off    int
	raw    []byte
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && isSpace(doc[i]) {
		i++
	}
	return i
}

// valueEnd returns the offset just after the JSON value starting at doc[i].
// doc must be valid JSON.
func valueEnd(doc []byte, i int) (int, error) {
	if i >= len(doc) {
		return 0, errScan
	}
	switch doc[i] {
	case '"':
		return stringEnd(doc, i)
	case '{', '[':
		depth := 0
		for i < len(doc) {
			switch doc[i] {
			case '"':
				end, err := stringEnd(doc, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errScan
	default:
		j := i
		for j < len(doc) && !isSpace(doc[j]) && doc[j] != ',' && doc[j] != '}' && doc[j] != ']' {
			j++
		}
		if j == i {
			return 0, errScan
		}
		return j, nil
	}
}

func stringEnd(doc []byte, i int) (int, error) {
	for j := i + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errScan
}

// objectMembers returns the members of the object starting at doc[off].
func objectMembers(doc []byte, off int) ([]member, error) {
	return walk(doc, off, '{', '}')
}

// arrayElements returns the elements of the array starting at doc[off].
func arrayElements(doc []byte, off int) ([]member, error) {
	return walk(doc, off, '[', ']')
}

func walk(doc []byte, off int, open, close byte) ([]member, error) {
	if off >= len(doc) || doc[off] != open {
		return nil, errScan
	}
	var ms []member
	i := skipSpace(doc, off+1)
	if i < len(doc) && doc[i] == close {
		return ms, nil
	}
	for {
		m := member{keyOff: -1}
		if open == '{' {
			kend, err := valueEnd(doc, i)
			if err != nil || doc[i] != '"' {
				return nil, errScan
			}
			if err := json.Unmarshal(doc[i:kend], &m.key); err != nil {
				return nil, errScan
			}
			m.keyOff = i
			i = skipSpace(doc, kend)
			if i >= len(doc) || doc[i] != ':' {
				return nil, errScan
			}
			i = skipSpace(doc, i+1)
		}
		end, err := valueEnd(doc, i)
		if err != nil {
			return nil, err
		}
		m.off, m.raw = i, doc[i:end]
		ms = append(ms, m)
		i = skipSpace(doc, end)
		if i >= len(doc) {
			return nil, errScan
		}
		switch doc[i] {
		case ',':
			i = skipSpace(doc, i+1)
		case close:
			return ms, nil
		default:
			return nil, errScan
		}
	}
}

// jsonType names the type of a raw JSON value for error messages.
func jsonType(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

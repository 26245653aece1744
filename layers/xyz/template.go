package xyz

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ErrNotTemplate: a URL that is not an XYZ tile template.
var ErrNotTemplate = errors.New("xyz: not a tile URL template with {z}, {x} and {y} (or {-y})")

// placeholder is one {name} of a template.
type placeholder int

const (
	literal placeholder = iota
	phZ                 // {z}
	phX                 // {x}
	phY                 // {y}
	phTMSY              // {-y}: the row counted from the south
	phS                 // {s}: a subdomain
	phR                 // {r}: "@2x" for HiDPI tiles, else ""
)

var placeholders = map[string]placeholder{"z": phZ, "x": phX, "y": phY, "-y": phTMSY, "s": phS, "r": phR}

type part struct {
	ph   placeholder
	text string // for literal
}

// Template is a parsed tile URL template.
type Template struct {
	raw   string
	parts []part
	has   map[placeholder]bool
	// hiDPI: the template asks for double-resolution tiles itself ("@2x"
	// written in it).
	hiDPI bool
}

// ParseTemplate parses an XYZ tile URL template: an http(s) URL with {z},
// {x} and {y} or {-y}, and optionally {s} (a subdomain, in the host or
// elsewhere) and {r} ("@2x" on HiDPI screens). Any other {name} is an error
// that names it (Leaflet-style {id} or {accessToken} must be filled in).
func ParseTemplate(raw string) (*Template, error) {
	t := &Template{raw: raw, has: map[placeholder]bool{}}
	rest := raw
	for rest != "" {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			t.parts = append(t.parts, part{text: rest})
			break
		}
		if rest[i] == '}' {
			return nil, fmt.Errorf("xyz: template has a '}' without '{'")
		}
		if i > 0 {
			t.parts = append(t.parts, part{text: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("xyz: template has a '{' without '}'")
		}
		name := rest[i+1 : i+j]
		ph, ok := placeholders[name]
		if !ok {
			return nil, fmt.Errorf("xyz: unknown placeholder {%s} in the template (known: {z} {x} {y} {-y} {s} {r}); write its value into the URL", name)
		}
		t.parts = append(t.parts, part{ph: ph})
		t.has[ph] = true
		rest = rest[i+j+1:]
	}
	if !t.has[phZ] || !t.has[phX] || (t.has[phY] == t.has[phTMSY]) {
		return nil, ErrNotTemplate
	}
	u, err := url.Parse(t.expand(0, 0, 0, "a", false))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("xyz: the template is not an http(s) URL")
	}
	host := raw
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if strings.Contains(strings.ReplaceAll(host, "{s}", ""), "{") {
		return nil, fmt.Errorf("xyz: only {s} may stand in the host of a template")
	}

	t.hiDPI = strings.Contains(raw, "@2x")
	return t, nil
}

// String returns the template as written.
func (t *Template) String() string { return t.raw }

// HasSubdomain reports whether the template has {s}.
func (t *Template) HasSubdomain() bool { return t.has[phS] }

// URL returns the URL of tile z/x/y (XYZ rows, from the north) with
// subdomain sub and, when retina, "@2x" for {r}.
func (t *Template) URL(z, x, y int, sub string, retina bool) string {
	return t.expand(z, x, y, sub, retina)
}

func (t *Template) expand(z, x, y int, sub string, retina bool) string {
	var b strings.Builder
	b.Grow(len(t.raw) + 16)
	for _, p := range t.parts {
		switch p.ph {
		case literal:
			b.WriteString(p.text)
		case phZ:
			b.WriteString(strconv.Itoa(z))
		case phX:
			b.WriteString(strconv.Itoa(x))
		case phY:
			b.WriteString(strconv.Itoa(y))
		case phTMSY:
			b.WriteString(strconv.Itoa((1<<z - 1) - y))
		case phS:
			b.WriteString(sub)
		case phR:
			if retina {
				b.WriteString("@2x")
			}
		}
	}
	return b.String()
}

// withSubdomain returns the template with {s} replaced by sub and the
// other placeholders kept: the form a source and a split are made from.
func (t *Template) withSubdomain(sub string) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.ph {
		case literal:
			b.WriteString(p.text)
		case phS:
			b.WriteString(sub)
		default:
			for name, ph := range placeholders {
				if ph == p.ph {
					b.WriteString("{" + name + "}")
				}
			}
		}
	}
	return b.String()
}

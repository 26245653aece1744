package wmts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Bounds of the parser.
const (
	// MaxSize is the largest document Parse reads, in bytes as read.
	MaxSize = 16 << 20
	// MaxDepth bounds the nesting of any element, foreign extensions
	// included (a WMTS document needs about 8).
	MaxDepth = 256
	// MaxElements bounds the number of elements of a document.
	MaxElements = 1 << 20

	// maxTileSide bounds TileWidth/TileHeight, maxMatrixSide
	// MatrixWidth/MatrixHeight (2^30 columns is zoom 30 of a quad tree).
	maxTileSide   = 1 << 14
	maxMatrixSide = 1 << 30

	maxWarnings      = 100
	maxExceptionText = 512
)

const (
	nsWMTS  = "http://www.opengis.net/wmts/1.0"
	nsOWS10 = "http://www.opengis.net/ows"
	nsOWS11 = "http://www.opengis.net/ows/1.1"
	nsOWS20 = "http://www.opengis.net/ows/2.0"
)

// limitReader fails with ErrTooLarge once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(b []byte) (int, error) {
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}

type parser struct {
	d        *xml.Decoder
	depth    int // current element nesting
	elements int // elements read so far
	caps     *Capabilities
	dropped  int // warnings beyond maxWarnings

	// lines of what finish may warn about
	layerLine map[*Layer]int
	setLine   map[*TileMatrixSet]int
	linkLine  map[*Layer][]int // parallel to MatrixSetLinks
}

// is reports whether n is the WMTS or OWS element local.
func is(n xml.Name, local string) bool {
	if n.Local != local {
		return false
	}
	switch n.Space {
	case "", nsWMTS, nsOWS11, nsOWS10, nsOWS20:
		return true
	}
	return false
}

// attr returns the unqualified attribute local (for href: in any
// namespace, xlink's in practice).
func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && (a.Name.Space == "" || local == "href") {
			return a.Value, true
		}
	}
	return "", false
}

func (p *parser) pos() (line, col int) { return p.d.InputPos() }

// at places err at the decoder's position.
func (p *parser) at(err error) error {
	line, col := p.pos()
	return &PositionError{Line: line, Column: col, Err: err}
}

// warnAt records a repair at a line.
func (p *parser) warnAt(line int, format string, args ...any) {
	if len(p.caps.Warnings) >= maxWarnings {
		p.dropped++
		return
	}
	p.caps.Warnings = append(p.caps.Warnings, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
}

// syntax turns a decoder error into the package's.
func (p *parser) syntax(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return ErrTooLarge
	}
	var pe *PositionError
	if errors.As(err, &pe) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	line, col := p.pos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &PositionError{Line: se.Line, Column: col, Err: fmt.Errorf("%w: %s", ErrMalformed, se.Msg)}
	}
	return &PositionError{Line: line, Column: col, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
}

// token returns the next token, bounding nesting and element count and
// refusing DOCTYPEs.
func (p *parser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		p.depth++
		p.elements++
		if p.depth > MaxDepth {
			return nil, p.at(ErrTooDeep)
		}
		if p.elements > MaxElements {
			return nil, p.at(ErrTooManyElements)
		}
	case xml.EndElement:
		p.depth--
	case xml.Directive:
		dir := bytes.TrimSpace(t)
		if len(dir) >= 7 && strings.EqualFold(string(dir[:7]), "DOCTYPE") {
			if f := bytes.Fields(dir[7:]); len(f) > 0 && strings.EqualFold(string(f[0]), "html") {
				return nil, fmt.Errorf("%w: an HTML page", ErrNotCapabilities)
			}
			return nil, p.at(ErrDoctype)
		}
	}
	return tok, nil
}

// children calls f for every child element of the current element and
// returns at its end tag. f must consume the child.
func (p *parser) children(f func(se xml.StartElement) error) error {
	for {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// skip consumes the rest of the current element.
func (p *parser) skip() error {
	for depth := 0; ; {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// text returns the trimmed character data of the current element (at any
// depth, CDATA included) and consumes it.
func (p *parser) text() (string, error) {
	var b strings.Builder
	for depth := 0; ; {
		tok, err := p.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return strings.TrimSpace(b.String()), nil
			}
			depth--
		}
	}
}

// firstText sets *dst to the element's text unless *dst is already set
// (ows:Title and ows:Abstract may repeat, one per language).
func (p *parser) firstText(dst *string) error {
	t, err := p.text()
	if *dst == "" {
		*dst = t
	}
	return err
}

func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// quote quotes a name from the document for a warning, bounded.
func quote(s string) string { return strconv.Quote(bounded(s, 80)) }

// point parses "a b" (further ordinates ignored) into two finite numbers.
func point(s string) (a, b float64, ok bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, 0, false
	}
	a, ok1 := number(f[0])
	b, ok2 := number(f[1])
	return a, b, ok1 && ok2
}

func number(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

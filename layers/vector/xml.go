package vector

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"mapvault/layers/internal/ogcxml"
)

// newXMLDecoder is the one lenient decoder for OGC documents
// (ogcxml.NewDecoder): the encodings of the WHATWG index, a UTF-8 or
// UTF-16 byte order mark, HTML entities, undeclared prefixes; DTD entities
// are never expanded, so an entity bomb is plain text.
func newXMLDecoder(r io.Reader) *xml.Decoder { return ogcxml.NewDecoder(r) }

// xmlWalker reads tokens and bounds the element nesting.
type xmlWalker struct {
	d        *xml.Decoder
	depth    int
	maxDepth int
}

// token returns the next token, counting element depth. CharData is only
// valid until the next call.
func (w *xmlWalker) token() (xml.Token, error) {
	tok, err := w.d.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		w.depth++
		if w.depth > w.maxDepth {
			return nil, &LimitError{Limit: "MaxDepth", Max: int64(w.maxDepth)}
		}
	case xml.EndElement:
		w.depth--
	}
	return tok, nil
}

// skip consumes the rest of the element whose start was just read.
func (w *xmlWalker) skip() error {
	for n := 1; n > 0; {
		tok, err := w.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			n++
		case xml.EndElement:
			n--
		}
	}
	return nil
}

// text returns the character data of the element whose start was just
// read, skipping any child elements, and consumes its end.
func (w *xmlWalker) text() ([]byte, error) {
	var buf []byte
	for {
		tok, err := w.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.StartElement:
			if err := w.skip(); err != nil {
				return nil, err
			}
		case xml.EndElement:
			return buf, nil
		}
	}
}

// root returns the first element of the document.
func (w *xmlWalker) root() (xml.StartElement, error) {
	for {
		tok, err := w.token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// attr returns the value of the attribute with the local name, in any
// namespace.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// xmlError maps a decoder error to ErrMalformed, keeping limit errors.
func xmlError(err error) error {
	if le, ok := err.(*LimitError); ok {
		return le
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// isException reports whether a root element is an OGC exception report.
func isException(se xml.StartElement) bool {
	return se.Name.Local == "ExceptionReport" || se.Name.Local == "ServiceExceptionReport"
}

// exception reads an exception report whose root was just read and
// returns it as a *ServiceException (its first exception).
func (w *xmlWalker) exception() error {
	e := &ServiceException{}
	found := false
	for w.depth > 0 {
		tok, err := w.token()
		if err != nil {
			if e.Text != "" || found {
				break
			}
			return xmlError(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "Exception", "ServiceException":
			if found {
				if err := w.skip(); err != nil {
					return xmlError(err)
				}
				continue
			}
			found = true
			e.Code = firstNonEmpty(attr(se, "exceptionCode"), attr(se, "code"))
			e.Locator = attr(se, "locator")
			if se.Name.Local == "ServiceException" {
				t, err := w.text()
				if err != nil {
					return xmlError(err)
				}
				e.Text = shorten(string(t))
			}
		case "ExceptionText":
			t, err := w.text()
			if err != nil {
				return xmlError(err)
			}
			if e.Text == "" {
				e.Text = shorten(string(t))
			}
		}
	}
	return e
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// shorten collapses white space and cuts s to 300 characters, so an error
// message stays one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

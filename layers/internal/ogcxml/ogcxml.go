// Package ogcxml holds what the OGC XML readers of package layers and its
// kind packages share: an XML decoder that copes with the encodings real
// servers declare, and the reading of OGC exception reports (WMS
// ServiceExceptionReport, OWS ExceptionReport), which any OGC service may
// answer instead of a document or an image.
//
// It must not import package layers (layers imports it) and does no I/O of
// its own.
package ogcxml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// MaxExceptionText bounds the message kept from an exception report.
const MaxExceptionText = 512

// NewDecoder returns a lenient decoder for r: a UTF-8 byte order mark is
// skipped, a UTF-16 one switches to UTF-16, declared encodings of the
// WHATWG index (ISO-8859-1, windows-1252, ...) are decoded, HTML entities
// are known and the decoder is not strict (servers write sloppy XML).
func NewDecoder(r io.Reader) *xml.Decoder {
	br := bufio.NewReader(r)
	var src io.Reader = br
	utf16 := false
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	} else if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		utf16 = true
		src = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	}
	d := xml.NewDecoder(src)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		l := strings.ToLower(strings.TrimSpace(label))
		if l == "utf-8" || l == "utf8" || (utf16 && strings.HasPrefix(l, "utf-16")) {
			return input, nil
		}
		enc, err := htmlindex.Get(l)
		if err != nil {
			return nil, fmt.Errorf("unsupported document encoding %q", label)
		}
		return transform.NewReader(input, enc.NewDecoder()), nil
	}
	return d
}

// IsExceptionRoot reports whether a root element is an exception report.
func IsExceptionRoot(name xml.Name) bool {
	return name.Local == "ServiceExceptionReport" || name.Local == "ExceptionReport"
}

// Exception is what an exception report says: the first code and the
// messages joined, white space collapsed, at most MaxExceptionText bytes.
type Exception struct {
	Code    string
	Message string
}

// ReadException reads an exception report whose root start element was
// just read, taking tokens from next (so the caller's depth bounds apply),
// up to the root's end. It returns the exception even when the document
// breaks off after a message; err only when nothing was read.
func ReadException(next func() (xml.Token, error)) (Exception, error) {
	var ex Exception
	var msgs []string
	err := Children(next, func(c xml.StartElement) error {
		var attr string
		switch c.Name.Local {
		case "ServiceException":
			attr = "code"
		case "Exception":
			attr = "exceptionCode"
		default:
			return Skip(next)
		}
		if ex.Code == "" {
			ex.Code = attrValue(c, attr)
		}
		t, err := Text(next)
		if t != "" {
			msgs = append(msgs, t)
		}
		return err
	})
	if err != nil && len(msgs) == 0 {
		return ex, err
	}
	ex.Code = strings.TrimSpace(ex.Code)
	msg := strings.Join(strings.Fields(strings.Join(msgs, "; ")), " ")
	if len(msg) > MaxExceptionText {
		msg = strings.ToValidUTF8(msg[:MaxExceptionText], "") + "..."
	}
	ex.Message = msg
	return ex, nil
}

// Parse reads body as an exception report; ok is false when its root
// element is not one (or there is no root element).
func Parse(body []byte) (ex Exception, ok bool) {
	d := NewDecoder(bytes.NewReader(body))
	depth := 0
	next := func() (xml.Token, error) {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return nil, errTooDeep
			}
		case xml.EndElement:
			depth--
		}
		return tok, nil
	}
	for {
		tok, err := next()
		if err != nil {
			return ex, false
		}
		se, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		if !IsExceptionRoot(se.Name) {
			return ex, false
		}
		ex, err = ReadException(next)
		return ex, err == nil
	}
}

// maxDepth bounds element nesting in Parse.
const maxDepth = 256

var errTooDeep = fmt.Errorf("ogcxml: elements nested deeper than %d", maxDepth)

func attrValue(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// Children calls f for each child element of the current element and
// returns at its end tag; f must consume its child. next gives the tokens
// (a parser's, bounding depth and size); its errors are returned as they
// are.
func Children(next func() (xml.Token, error), f func(xml.StartElement) error) error {
	for {
		tok, err := next()
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

// Skip consumes the rest of the current element.
func Skip(next func() (xml.Token, error)) error {
	for depth := 0; ; {
		tok, err := next()
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

// Text returns the trimmed character data (CDATA included) of the current
// element at any depth and consumes it.
func Text(next func() (xml.Token, error)) (string, error) {
	var b strings.Builder
	for depth := 0; ; {
		tok, err := next()
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

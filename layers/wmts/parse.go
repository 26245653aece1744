package wmts

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Parse reads a WMTS 1.0.0 GetCapabilities document with a streaming token
// walk. It reads what a client needs: ServiceIdentification's title and
// abstract, OperationsMetadata's GetTile endpoints, the layers and the tile
// matrix sets of Contents, ServiceMetadataURL. Elements are matched by local
// name in the WMTS and OWS (1.0, 1.1, 2.0) namespaces or in none, so a
// document that forgets a prefix still reads; anything else is skipped.
//
// Axis order: TopLeftCorner and ows:BoundingBox corners are read in the
// axis order of their CRS (NorthingFirst) and stored east/north. A
// geographic CRS whose corner's first value lies outside ±90 was written
// longitude first by the server and is taken as such. WGS84BoundingBox is
// always longitude first.
//
// Accepted: a UTF-8 or UTF-16 byte order mark; any encoding of the WHATWG
// index declared in the XML declaration (ISO-8859-1, windows-1252, ...);
// CDATA; comments and processing instructions. The decoder is lenient as
// the WMS parser's: a raw '&' (servers write "?a=1&b=2" in xlink:href)
// and entity references it does not know are kept as written, HTML's named
// entities (&nbsp;) are replaced from Go's fixed table; nothing a document
// declares is ever expanded, since DOCTYPEs are refused.
//
// Refused, as errors (*PositionError wrapping a sentinel where the error has
// a place): a document larger than MaxSize (ErrTooLarge), nested deeper than
// MaxDepth (ErrTooDeep) or with more than MaxElements elements
// (ErrTooManyElements), a DOCTYPE (ErrDoctype; WMTS has no DTD), XML the
// decoder cannot read or an undeclared encoding (ErrMalformed). An OWS
// ExceptionReport comes back as a *ServiceException; an HTML page, a WMS
// document or any other root as ErrNotCapabilities.
//
// Repaired or dropped, with a line in Capabilities.Warnings: a layer or set
// without identifier or with a duplicate one, a TileMatrix with a missing or
// invalid value (the rest of its set is kept), a set left without matrices,
// a link to a set the document does not define, invalid limits, a box that
// does not parse.
//
// Memory is bounded by the document: the parser keeps only what it returns.
func Parse(r io.Reader) (*Capabilities, error) {
	return parseLimit(r, MaxSize)
}

func parseLimit(r io.Reader, limit int64) (*Capabilities, error) {
	lr := &limitReader{r: r, left: limit}
	br := bufio.NewReader(lr)
	var src io.Reader = br
	utf16 := false
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	} else if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		utf16 = true
		src = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	}
	d := xml.NewDecoder(src)
	d.Strict = false // raw '&' and unknown entities kept as written
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		l := strings.ToLower(strings.TrimSpace(label))
		if l == "utf-8" || l == "utf8" || (utf16 && strings.HasPrefix(l, "utf-16")) {
			return input, nil
		}
		enc, err := htmlindex.Get(l)
		if err != nil || (!utf16 && strings.HasPrefix(l, "utf-16")) {
			return nil, fmt.Errorf("unsupported document encoding %q", label)
		}
		return transform.NewReader(input, enc.NewDecoder()), nil
	}
	p := &parser{d: d}
	caps, err := p.document()
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	p.finish()
	return caps, nil
}

func (p *parser) document() (*Capabilities, error) {
	for {
		tok, err := p.token()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) && p.elements == 0 {
				return nil, fmt.Errorf("%w: no root element", ErrNotCapabilities)
			}
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "ExceptionReport" || se.Name.Local == "ServiceExceptionReport":
			return nil, p.exception()
		case se.Name.Local == "Capabilities" && (se.Name.Space == nsWMTS || se.Name.Space == ""):
			p.caps = &Capabilities{}
			p.layerLine = map[*Layer]int{}
			p.setLine = map[*TileMatrixSet]int{}
			p.linkLine = map[*Layer][]int{}
			v, _ := attr(se, "version")
			p.caps.Version = strings.TrimSpace(v)
			if p.caps.Version == "" {
				p.caps.Version = "1.0.0"
			}
			if err := p.root(); err != nil {
				return nil, err
			}
			return p.caps, nil
		case se.Name.Local == "WMS_Capabilities" || se.Name.Local == "WMT_MS_Capabilities":
			return nil, fmt.Errorf("%w: a WMS capabilities document", ErrNotCapabilities)
		case strings.EqualFold(se.Name.Local, "html"):
			return nil, fmt.Errorf("%w: an HTML page", ErrNotCapabilities)
		default:
			name := se.Name.Local
			if se.Name.Space != "" {
				name = "{" + se.Name.Space + "}" + name
			}
			if len(name) > 120 {
				name = strings.ToValidUTF8(name[:120], "") + "..."
			}
			return nil, fmt.Errorf("%w: root element %s", ErrNotCapabilities, strconv.Quote(name))
		}
	}
}

func (p *parser) exception() error {
	se := &ServiceException{}
	var msgs []string
	err := p.children(func(c xml.StartElement) error {
		if c.Name.Local != "Exception" && c.Name.Local != "ServiceException" {
			return p.skip()
		}
		if se.Code == "" {
			se.Code, _ = attr(c, "exceptionCode")
			if se.Code == "" {
				se.Code, _ = attr(c, "code")
			}
			se.Locator, _ = attr(c, "locator")
		}
		t, err := p.text()
		if t != "" {
			msgs = append(msgs, t)
		}
		return err
	})
	if err != nil && len(msgs) == 0 {
		return err
	}
	se.Code = bounded(strings.TrimSpace(se.Code), 64)
	se.Locator = bounded(strings.TrimSpace(se.Locator), 64)
	se.Message = bounded(strings.Join(strings.Fields(strings.Join(msgs, "; ")), " "), maxExceptionText)
	return se
}

func (p *parser) root() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case is(se.Name, "ServiceIdentification"):
			return p.children(func(c xml.StartElement) error {
				switch {
				case is(c.Name, "Title"):
					return p.firstText(&p.caps.Title)
				case is(c.Name, "Abstract"):
					return p.firstText(&p.caps.Abstract)
				}
				return p.skip()
			})
		case is(se.Name, "OperationsMetadata"):
			return p.children(func(c xml.StartElement) error {
				if is(c.Name, "Operation") {
					return p.operation(c)
				}
				return p.skip()
			})
		case is(se.Name, "Contents"):
			return p.contents()
		case is(se.Name, "ServiceMetadataURL"):
			if href, ok := attr(se, "href"); ok && p.caps.ServiceMetadataURL == "" {
				p.caps.ServiceMetadataURL = strings.TrimSpace(href)
			}
		}
		return p.skip()
	})
}

// operation reads an ows:Operation; only GetTile's endpoints are kept.
func (p *parser) operation(se xml.StartElement) error {
	name, _ := attr(se, "name")
	if strings.TrimSpace(name) != "GetTile" {
		return p.skip()
	}
	type get struct {
		href string
		enc  []string
	}
	var gets []get
	var opEnc []string
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Constraint"):
			v, err := p.constraint(c)
			opEnc = append(opEnc, v...)
			return err
		case is(c.Name, "DCP"):
			return p.children(func(h xml.StartElement) error {
				if !is(h.Name, "HTTP") {
					return p.skip()
				}
				return p.children(func(g xml.StartElement) error {
					if !is(g.Name, "Get") {
						return p.skip()
					}
					href, _ := attr(g, "href")
					gt := get{href: strings.TrimSpace(href)}
					err := p.children(func(k xml.StartElement) error {
						if is(k.Name, "Constraint") {
							v, err := p.constraint(k)
							gt.enc = append(gt.enc, v...)
							return err
						}
						return p.skip()
					})
					if gt.href != "" {
						gets = append(gets, gt)
					}
					return err
				})
			})
		}
		return p.skip()
	})
	if err != nil {
		return err
	}
	for _, g := range gets {
		enc := g.enc
		if len(enc) == 0 {
			enc = opEnc
		}
		if len(enc) == 0 {
			enc = []string{"KVP"}
		}
		for _, e := range enc {
			switch strings.ToUpper(e) {
			case "KVP":
				p.caps.GetTileKVP = appendNew(p.caps.GetTileKVP, g.href)
			case "REST", "RESTFUL":
				p.caps.GetTileREST = appendNew(p.caps.GetTileREST, g.href)
			}
		}
	}
	return nil
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// constraint returns the values of a GetEncoding ows:Constraint (the text
// of its Value elements at any depth), nil for other constraints.
func (p *parser) constraint(se xml.StartElement) ([]string, error) {
	name, _ := attr(se, "name")
	if !strings.EqualFold(strings.TrimSpace(name), "GetEncoding") {
		return nil, p.skip()
	}
	var vals []string
	var walk func() error
	walk = func() error {
		return p.children(func(c xml.StartElement) error {
			if is(c.Name, "Value") {
				t, err := p.text()
				if t != "" {
					vals = append(vals, t)
				}
				return err
			}
			return walk()
		})
	}
	return vals, walk()
}

func (p *parser) contents() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case is(se.Name, "Layer"):
			l, err := p.layer()
			if err != nil {
				return err
			}
			if l != nil {
				p.caps.Layers = append(p.caps.Layers, l)
			}
			return nil
		case is(se.Name, "TileMatrixSet"):
			s, err := p.matrixSet()
			if err != nil {
				return err
			}
			if s != nil {
				p.caps.TileMatrixSets = append(p.caps.TileMatrixSets, s)
			}
			return nil
		}
		return p.skip()
	})
}

// pendingWarning is a warning about an element whose identifier may come
// later in the document.
type pendingWarning struct {
	line int
	msg  string
}

func (p *parser) layer() (*Layer, error) {
	l := &Layer{}
	p.layerLine[l], _ = p.pos()
	var pending []pendingWarning
	warn := func(format string, args ...any) {
		line, _ := p.pos()
		pending = append(pending, pendingWarning{line, fmt.Sprintf(format, args...)})
	}
	type rawBox struct {
		crs  string
		box  [4]float64
		line int
	}
	var boxes []rawBox
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Identifier"):
			return p.firstText(&l.Identifier)
		case is(c.Name, "Title"):
			return p.firstText(&l.Title)
		case is(c.Name, "Abstract"):
			return p.firstText(&l.Abstract)
		case is(c.Name, "WGS84BoundingBox"):
			b, ok, err := p.corners()
			if err != nil {
				return err
			}
			if !ok {
				warn("WGS84BoundingBox does not parse; ignored")
			} else if l.WGS84BBox == nil {
				l.WGS84BBox = &BBox{MinX: b[0], MinY: b[1], MaxX: b[2], MaxY: b[3]}
			}
			return nil
		case is(c.Name, "BoundingBox"):
			crs, _ := attr(c, "crs")
			crs = strings.TrimSpace(crs)
			b, ok, err := p.corners()
			if err != nil {
				return err
			}
			switch {
			case !ok:
				warn("BoundingBox does not parse; ignored")
			case crs == "":
				warn("BoundingBox without crs; ignored")
			default:
				line, _ := p.pos()
				boxes = append(boxes, rawBox{crs, b, line})
			}
			return nil
		case is(c.Name, "Style"):
			s, err := p.style(c)
			if err != nil {
				return err
			}
			switch {
			case s.Identifier == "":
				warn("style without identifier; dropped")
			case hasStyle(l.Styles, s.Identifier):
				warn("duplicate style %s; dropped", quote(s.Identifier))
			default:
				l.Styles = append(l.Styles, s)
			}
			return nil
		case is(c.Name, "Format"):
			t, err := p.text()
			if t != "" {
				l.Formats = appendNew(l.Formats, t)
			}
			return err
		case is(c.Name, "InfoFormat"):
			t, err := p.text()
			if t != "" {
				l.InfoFormats = appendNew(l.InfoFormats, t)
			}
			return err
		case is(c.Name, "Dimension"):
			d, err := p.dimension()
			if err != nil {
				return err
			}
			switch {
			case d.Identifier == "":
				warn("dimension without identifier; dropped")
			case l.Dimension(d.Identifier) != nil:
				warn("duplicate dimension %s; dropped", quote(d.Identifier))
			default:
				l.Dimensions = append(l.Dimensions, d)
			}
			return nil
		case is(c.Name, "TileMatrixSetLink"):
			k, err := p.link(warn)
			if err != nil {
				return err
			}
			switch {
			case k.MatrixSet == "":
				warn("TileMatrixSetLink without TileMatrixSet; dropped")
			case l.Link(k.MatrixSet) != nil:
				warn("duplicate link to %s; dropped", quote(k.MatrixSet))
			default:
				line, _ := p.pos()
				l.MatrixSetLinks = append(l.MatrixSetLinks, k)
				p.linkLine[l] = append(p.linkLine[l], line)
			}
			return nil
		case is(c.Name, "ResourceURL"):
			r := ResourceURL{}
			r.Format, _ = attr(c, "format")
			r.ResourceType, _ = attr(c, "resourceType")
			r.Template, _ = attr(c, "template")
			r.Format, r.ResourceType, r.Template = strings.TrimSpace(r.Format), strings.TrimSpace(r.ResourceType), strings.TrimSpace(r.Template)
			if r.Template == "" || r.ResourceType == "" {
				warn("ResourceURL without template or resourceType; dropped")
			} else {
				l.ResourceURLs = append(l.ResourceURLs, r)
			}
			return p.skip()
		}
		return p.skip()
	})
	if err != nil {
		return nil, err
	}
	for _, rb := range boxes {
		b := rb.box
		if NorthingFirst(rb.crs) && !lonFirstAnyway(rb.crs, b[0], b[2]) {
			b = [4]float64{b[1], b[0], b[3], b[2]}
		}
		if b[0] > b[2] || b[1] > b[3] {
			pending = append(pending, pendingWarning{rb.line, fmt.Sprintf("BoundingBox in %s has min > max; ignored", quote(rb.crs))})
			continue
		}
		l.BBoxes = append(l.BBoxes, BBox{CRS: rb.crs, MinX: b[0], MinY: b[1], MaxX: b[2], MaxY: b[3]})
	}
	if len(l.Styles) > 0 && !anyDefault(l.Styles) {
		l.Styles[0].IsDefault = true
	}
	if l.Identifier == "" {
		p.warnAt(p.layerLine[l], "layer without identifier (title %s); dropped", quote(l.Title))
		delete(p.layerLine, l)
		delete(p.linkLine, l)
		return nil, nil
	}
	for _, w := range pending {
		p.warnAt(w.line, "layer %s: %s", quote(l.Identifier), w.msg)
	}
	return l, nil
}

func hasStyle(styles []Style, id string) bool {
	for _, s := range styles {
		if s.Identifier == id {
			return true
		}
	}
	return false
}

func anyDefault(styles []Style) bool {
	for _, s := range styles {
		if s.IsDefault {
			return true
		}
	}
	return false
}

// lonFirstAnyway reports a geographic corner pair written longitude first
// although the CRS is latitude first: a first value beyond ±90.
func lonFirstAnyway(crs string, first ...float64) bool {
	if !IsGeographic(crs) {
		return false
	}
	for _, v := range first {
		if math.Abs(v) > 90 {
			return true
		}
	}
	return false
}

// corners reads an ows BoundingBox's LowerCorner and UpperCorner as
// written: [lower0, lower1, upper0, upper1]. ok is false when either is
// missing or not at least two finite numbers.
func (p *parser) corners() (b [4]float64, ok bool, err error) {
	seen := 0
	bad := false
	err = p.children(func(c xml.StartElement) error {
		var i int
		switch {
		case is(c.Name, "LowerCorner"):
			i = 0
		case is(c.Name, "UpperCorner"):
			i = 2
		default:
			return p.skip()
		}
		t, err := p.text()
		x, y, good := point(t)
		if good {
			b[i], b[i+1] = x, y
			seen |= 1 << (i / 2)
		} else {
			bad = true
		}
		return err
	})
	return b, err == nil && !bad && seen == 3, err
}

func (p *parser) style(se xml.StartElement) (Style, error) {
	var s Style
	if v, ok := attr(se, "isDefault"); ok {
		v = strings.ToLower(strings.TrimSpace(v))
		s.IsDefault = v == "true" || v == "1"
	}
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Identifier"):
			return p.firstText(&s.Identifier)
		case is(c.Name, "Title"):
			return p.firstText(&s.Title)
		case is(c.Name, "LegendURL"):
			href, _ := attr(c, "href")
			format, _ := attr(c, "format")
			if href = strings.TrimSpace(href); href != "" {
				s.Legends = append(s.Legends, LegendURL{Format: strings.TrimSpace(format), URL: href})
			}
		}
		return p.skip()
	})
	return s, err
}

func (p *parser) dimension() (Dimension, error) {
	var d Dimension
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Identifier"):
			return p.firstText(&d.Identifier)
		case is(c.Name, "Title"):
			return p.firstText(&d.Title)
		case is(c.Name, "UOM"):
			return p.firstText(&d.UOM)
		case is(c.Name, "UnitSymbol"):
			return p.firstText(&d.UnitSymbol)
		case is(c.Name, "Default"):
			return p.firstText(&d.Default)
		case is(c.Name, "Current"):
			t, err := p.text()
			t = strings.ToLower(t)
			d.Current = t == "true" || t == "1"
			return err
		case is(c.Name, "Value"):
			t, err := p.text()
			if t != "" {
				d.Values = append(d.Values, t)
			}
			return err
		}
		return p.skip()
	})
	return d, err
}

func (p *parser) link(warn func(format string, args ...any)) (TileMatrixSetLink, error) {
	var k TileMatrixSetLink
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "TileMatrixSet"):
			return p.firstText(&k.MatrixSet)
		case is(c.Name, "TileMatrixSetLimits"):
			return p.children(func(lc xml.StartElement) error {
				if !is(lc.Name, "TileMatrixLimits") {
					return p.skip()
				}
				lim, problem, err := p.limits()
				if err != nil {
					return err
				}
				switch {
				case problem != "":
					warn("link to %s: TileMatrixLimits of %s: %s; dropped", quote(k.MatrixSet), quote(lim.Matrix), problem)
				case k.LimitsFor(lim.Matrix) != nil:
					warn("link to %s: duplicate TileMatrixLimits of %s; dropped", quote(k.MatrixSet), quote(lim.Matrix))
				default:
					k.Limits = append(k.Limits, lim)
				}
				return nil
			})
		}
		return p.skip()
	})
	return k, err
}

func (p *parser) limits() (lim TileMatrixLimits, problem string, err error) {
	seen := 0
	err = p.children(func(c xml.StartElement) error {
		var dst *int
		var bit int
		switch {
		case is(c.Name, "TileMatrix"):
			return p.firstText(&lim.Matrix)
		case is(c.Name, "MinTileRow"):
			dst, bit = &lim.MinRow, 1
		case is(c.Name, "MaxTileRow"):
			dst, bit = &lim.MaxRow, 2
		case is(c.Name, "MinTileCol"):
			dst, bit = &lim.MinCol, 4
		case is(c.Name, "MaxTileCol"):
			dst, bit = &lim.MaxCol, 8
		default:
			return p.skip()
		}
		t, err := p.text()
		n, perr := strconv.Atoi(t)
		if perr != nil || n < 0 || n >= maxMatrixSide {
			if problem == "" {
				problem = fmt.Sprintf("%s %s is not a tile index", c.Name.Local, quote(t))
			}
		} else {
			*dst = n
			seen |= bit
		}
		return err
	})
	switch {
	case err != nil || problem != "":
	case lim.Matrix == "":
		problem = "no TileMatrix"
	case seen != 15:
		problem = "a tile index is missing"
	case lim.MinRow > lim.MaxRow || lim.MinCol > lim.MaxCol:
		problem = "min > max"
	}
	return lim, problem, err
}

func (p *parser) matrixSet() (*TileMatrixSet, error) {
	s := &TileMatrixSet{}
	line, _ := p.pos()
	var pending []pendingWarning
	warn := func(format string, args ...any) {
		line, _ := p.pos()
		pending = append(pending, pendingWarning{line, fmt.Sprintf(format, args...)})
	}
	var box *[4]float64
	var boxCRS string
	err := p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Identifier"):
			return p.firstText(&s.Identifier)
		case is(c.Name, "Title"):
			return p.firstText(&s.Title)
		case is(c.Name, "SupportedCRS"):
			return p.firstText(&s.SupportedCRS)
		case is(c.Name, "WellKnownScaleSet"):
			return p.firstText(&s.WellKnownScaleSet)
		case is(c.Name, "BoundingBox"):
			crs, _ := attr(c, "crs")
			b, ok, err := p.corners()
			if err != nil {
				return err
			}
			if !ok {
				warn("BoundingBox does not parse; ignored")
			} else if box == nil {
				box, boxCRS = &b, strings.TrimSpace(crs)
			}
			return nil
		case is(c.Name, "TileMatrix"):
			m, problem, err := p.matrix()
			if err != nil {
				return err
			}
			switch {
			case problem != "":
				warn("TileMatrix %s: %s; dropped", quote(m.Identifier), problem)
			case s.Matrix(m.Identifier) >= 0:
				warn("duplicate TileMatrix %s; dropped", quote(m.Identifier))
			default:
				s.Matrices = append(s.Matrices, m)
			}
			return nil
		}
		return p.skip()
	})
	if err != nil {
		return nil, err
	}
	if s.Identifier == "" {
		p.warnAt(line, "tile matrix set without identifier; dropped")
		return nil, nil
	}
	for _, w := range pending {
		p.warnAt(w.line, "tile matrix set %s: %s", quote(s.Identifier), w.msg)
	}
	switch {
	case s.SupportedCRS == "":
		p.warnAt(line, "tile matrix set %s: no SupportedCRS; dropped", quote(s.Identifier))
		return nil, nil
	case len(s.Matrices) == 0:
		p.warnAt(line, "tile matrix set %s: no usable TileMatrix; dropped", quote(s.Identifier))
		return nil, nil
	}
	p.setLine[s] = line
	s.MetersPerUnit = MetersPerUnit(s.SupportedCRS)
	if NorthingFirst(s.SupportedCRS) {
		// The corners were stored as written: first value in TopLeftX.
		firsts := make([]float64, len(s.Matrices))
		for i, m := range s.Matrices {
			firsts[i] = m.TopLeftX
		}
		if !lonFirstAnyway(s.SupportedCRS, firsts...) {
			for i := range s.Matrices {
				m := &s.Matrices[i]
				m.TopLeftX, m.TopLeftY = m.TopLeftY, m.TopLeftX
			}
		}
	}
	if box != nil {
		crs := boxCRS
		if crs == "" {
			crs = s.SupportedCRS
		}
		b := *box
		if NorthingFirst(crs) && !lonFirstAnyway(crs, b[0], b[2]) {
			b = [4]float64{b[1], b[0], b[3], b[2]}
		}
		if b[0] <= b[2] && b[1] <= b[3] {
			s.BBox = &BBox{CRS: crs, MinX: b[0], MinY: b[1], MaxX: b[2], MaxY: b[3]}
		} else {
			p.warnAt(line, "tile matrix set %s: BoundingBox has min > max; ignored", quote(s.Identifier))
		}
	}
	return s, nil
}

// matrix reads a TileMatrix. The corner comes back as written (first value
// in TopLeftX); the caller applies the set's axis order. problem says why
// the matrix is unusable.
func (p *parser) matrix() (m TileMatrix, problem string, err error) {
	seen := 0
	fail := func(format string, args ...any) {
		if problem == "" {
			problem = fmt.Sprintf(format, args...)
		}
	}
	integer := func(dst *int, bit int, name string, max int) error {
		t, err := p.text()
		n, perr := strconv.Atoi(t)
		if perr != nil || n < 1 || n > max {
			fail("%s %s is not an integer in 1..%d", name, quote(t), max)
		} else {
			*dst = n
			seen |= bit
		}
		return err
	}
	err = p.children(func(c xml.StartElement) error {
		switch {
		case is(c.Name, "Identifier"):
			return p.firstText(&m.Identifier)
		case is(c.Name, "ScaleDenominator"):
			t, err := p.text()
			if f, ok := number(t); ok && f > 0 {
				m.ScaleDenominator = f
				seen |= 1
			} else {
				fail("ScaleDenominator %s is not a positive number", quote(t))
			}
			return err
		case is(c.Name, "TopLeftCorner"):
			t, err := p.text()
			if x, y, ok := point(t); ok {
				m.TopLeftX, m.TopLeftY = x, y
				seen |= 2
			} else {
				fail("TopLeftCorner %s is not two numbers", quote(t))
			}
			return err
		case is(c.Name, "TileWidth"):
			return integer(&m.TileWidth, 4, "TileWidth", maxTileSide)
		case is(c.Name, "TileHeight"):
			return integer(&m.TileHeight, 8, "TileHeight", maxTileSide)
		case is(c.Name, "MatrixWidth"):
			return integer(&m.MatrixWidth, 16, "MatrixWidth", maxMatrixSide)
		case is(c.Name, "MatrixHeight"):
			return integer(&m.MatrixHeight, 32, "MatrixHeight", maxMatrixSide)
		}
		return p.skip()
	})
	if err == nil && problem == "" {
		switch {
		case m.Identifier == "":
			problem = "no identifier"
		case seen != 63:
			var missing []string
			for i, n := range []string{"ScaleDenominator", "TopLeftCorner", "TileWidth", "TileHeight", "MatrixWidth", "MatrixHeight"} {
				if seen&(1<<i) == 0 {
					missing = append(missing, n)
				}
			}
			problem = "missing " + strings.Join(missing, ", ")
		}
	}
	return m, problem, err
}

// finish drops duplicate layers and sets, and links to undefined sets.
func (p *parser) finish() {
	c := p.caps
	setIDs := make(map[string]bool, len(c.TileMatrixSets))
	sets := c.TileMatrixSets[:0]
	for _, s := range c.TileMatrixSets {
		if setIDs[s.Identifier] {
			p.warnAt(p.setLine[s], "duplicate tile matrix set %s; the first is kept", quote(s.Identifier))
			continue
		}
		setIDs[s.Identifier] = true
		sets = append(sets, s)
	}
	c.TileMatrixSets = sets
	layerIDs := make(map[string]bool, len(c.Layers))
	layers := c.Layers[:0]
	for _, l := range c.Layers {
		if layerIDs[l.Identifier] {
			p.warnAt(p.layerLine[l], "duplicate layer %s; the first is kept", quote(l.Identifier))
			continue
		}
		layerIDs[l.Identifier] = true
		links := l.MatrixSetLinks[:0]
		for i, k := range l.MatrixSetLinks {
			if !setIDs[k.MatrixSet] {
				p.warnAt(p.linkLine[l][i], "layer %s: link to undefined tile matrix set %s; dropped", quote(l.Identifier), quote(k.MatrixSet))
				continue
			}
			links = append(links, k)
		}
		l.MatrixSetLinks = links
		layers = append(layers, l)
	}
	c.Layers = layers
	if p.dropped > 0 {
		c.Warnings[len(c.Warnings)-1] = fmt.Sprintf("... and %d more warnings", p.dropped+1)
	}
	p.layerLine, p.setLine, p.linkLine = nil, nil, nil
}

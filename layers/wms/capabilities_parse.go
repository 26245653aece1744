package wms

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/internal/ogcxml"
)

// Bounds of the capabilities parser.
const (
	// MaxCapabilitiesSize is the largest capabilities document (in bytes,
	// as read) that ParseCapabilities and FetchCapabilities accept.
	MaxCapabilitiesSize = 16 << 20

	// MaxLayerDepth is the deepest <Layer> nesting accepted: depths
	// 0..MaxLayerDepth-1.
	MaxLayerDepth = 64

	// capsMaxElementDepth bounds the nesting of any element (foreign
	// extension blocks included), which also bounds the decoder's stack.
	capsMaxElementDepth = 1024
)

const (
	capsNSWMS = "http://www.opengis.net/wms"
	capsNSOGC = "http://www.opengis.net/ogc"
)

// ParseCapabilities reads a WMS 1.1.1 (WMT_MS_Capabilities) or 1.3.0
// (WMS_Capabilities) GetCapabilities document with a streaming token walk and
// returns it with the inheritance rules applied: every Layer carries its
// effective values.
//
// It accepts the declared encodings of the WHATWG encoding index (ISO-8859-1,
// windows-1252, ...), a UTF-8 or UTF-16 byte order mark, DOCTYPEs with
// internal subsets (entities not known to HTML are kept as written), CDATA,
// prefixed or default WMS namespaces, and skips foreign extension elements.
//
// It refuses documents larger than MaxCapabilitiesSize
// (ErrCapabilitiesTooLarge) and <Layer> nesting of MaxLayerDepth or more
// (ErrCapabilitiesTooDeep). A ServiceExceptionReport is returned as a
// *layers.ServiceException; any other root element as ErrNotCapabilities.
func ParseCapabilities(r io.Reader) (*Capabilities, error) {
	return capsParseLimit(r, MaxCapabilitiesSize)
}

// capsParseLimit is ParseCapabilities with a size limit of limit bytes.
func capsParseLimit(r io.Reader, limit int64) (*Capabilities, error) {
	d := ogcxml.NewDecoder(&capsLimitReader{r: r, left: limit})
	p := &capsParser{d: d, own: map[*Layer]*capsOwn{}}
	caps, err := p.document()
	if err != nil {
		if errors.Is(err, ErrCapabilitiesTooLarge) {
			return nil, ErrCapabilitiesTooLarge
		}
		return nil, err
	}
	for _, root := range caps.Roots {
		p.resolve(root, nil)
	}
	p.own = nil
	return caps, nil
}

// capsLimitReader fails with ErrCapabilitiesTooLarge once more than left
// bytes have been read.
type capsLimitReader struct {
	r    io.Reader
	left int64
}

func (l *capsLimitReader) Read(b []byte) (int, error) {
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, ErrCapabilitiesTooLarge
	}
	return n, err
}

// capsParser walks the token stream. own keeps each layer's own (not yet
// inherited) declarations until resolve applies the inheritance rules.
type capsParser struct {
	d     *xml.Decoder
	depth int  // current element nesting
	v13   bool // WMS 1.3.0 rules (axis order, Dimension semantics)
	own   map[*Layer]*capsOwn
	caps  *Capabilities
}

// capsOwn is what one <Layer> element states itself.
type capsOwn struct {
	queryable, opaque int8 // -1 absent, 0 false, 1 true
	crs               []string
	geo               *geom.Bounds
	bboxes            []capsBBox
	styles            []Style
	dims              []capsDim
	crsAdded          map[string]struct{} // upper-cased CRS this layer added to the effective list
	styleNames        map[string]struct{} // style names this layer added to the effective list
}

type capsBBox struct {
	crs    string
	bounds *geom.Bounds // east/north
}

type capsDim struct {
	extent bool // a 1.1.1 <Extent> rather than a <Dimension>
	d      Dimension
}

// capsIs reports whether n is the WMS element local, in the WMS namespace
// or in none (1.1.1, and 1.3.0 servers that forget the namespace).
func capsIs(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == "" || n.Space == capsNSWMS)
}

func capsAttr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && (a.Name.Space == "" || local == "href") {
			return a.Value, true
		}
	}
	return "", false
}

func (p *capsParser) document() (*Capabilities, error) {
	for {
		tok, err := p.token()
		if err == io.EOF {
			return nil, ErrNotCapabilities
		}
		if err != nil {
			return nil, capsSyntax(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case ogcxml.IsExceptionRoot(se.Name):
			return nil, p.exception()
		case capsIs(se.Name, "WMS_Capabilities") || capsIs(se.Name, "WMT_MS_Capabilities"):
			p.caps = &Capabilities{}
			p.caps.Version, _ = capsAttr(se, "version")
			p.caps.Version = strings.TrimSpace(p.caps.Version)
			if p.caps.Version == "" {
				p.caps.Version = "1.1.1"
				if se.Name.Local == "WMS_Capabilities" {
					p.caps.Version = "1.3.0"
				}
			}
			p.v13 = se.Name.Local == "WMS_Capabilities" && !strings.HasPrefix(p.caps.Version, "1.0") && !strings.HasPrefix(p.caps.Version, "1.1")
			if err := p.root(); err != nil {
				return nil, err
			}
			return p.caps, nil
		default:
			return nil, ErrNotCapabilities
		}
	}
}

func capsSyntax(err error) error {
	if errors.Is(err, ErrCapabilitiesTooLarge) || errors.Is(err, ErrCapabilitiesTooDeep) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %w", ErrMalformedCapabilities, err)
}

// children calls f for every child element of the current element and
// returns at its end tag. f must consume the child (read to its end tag).
func (p *capsParser) children(f func(se xml.StartElement) error) error {
	for {
		tok, err := p.token()
		if err != nil {
			return capsSyntax(err)
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

// token returns the next token, tracking and bounding element nesting.
func (p *capsParser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > capsMaxElementDepth {
			return nil, ErrCapabilitiesTooDeep
		}
	case xml.EndElement:
		p.depth--
	}
	return tok, nil
}

// skip consumes the rest of the current element.
func (p *capsParser) skip() error {
	for depth := 0; ; {
		tok, err := p.token()
		if err != nil {
			return capsSyntax(err)
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

// text returns the trimmed character data (CDATA included) of the current
// element, at any depth, and consumes it.
func (p *capsParser) text() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := p.token()
		if err != nil {
			return "", capsSyntax(err)
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

func (p *capsParser) exception() error {
	ex, err := ogcxml.ReadException(p.token)
	if err != nil {
		return capsSyntax(err)
	}
	return &layers.ServiceException{Code: ex.Code, Message: ex.Message}
}

func (p *capsParser) root() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case capsIs(se.Name, "Service"):
			return p.service()
		case capsIs(se.Name, "Capability"):
			return p.capability()
		}
		return p.skip()
	})
}

func (p *capsParser) service() error {
	return p.children(func(se xml.StartElement) error {
		var err error
		switch {
		case capsIs(se.Name, "Title"):
			p.caps.Title, err = p.text()
		case capsIs(se.Name, "Abstract"):
			p.caps.Abstract, err = p.text()
		case capsIs(se.Name, "OnlineResource"):
			href, _ := capsAttr(se, "href")
			p.caps.OnlineResource = strings.TrimSpace(href)
			err = p.skip()
		default:
			err = p.skip()
		}
		return err
	})
}

func (p *capsParser) capability() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case capsIs(se.Name, "Request"):
			return p.children(func(req xml.StartElement) error {
				if capsIs(req.Name, "GetMap") {
					return p.getMap()
				}
				return p.skip()
			})
		case capsIs(se.Name, "Layer"):
			l, err := p.layer(se, 0)
			if err != nil {
				return err
			}
			p.caps.Roots = append(p.caps.Roots, l)
			return nil
		}
		return p.skip()
	})
}

func (p *capsParser) getMap() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case capsIs(se.Name, "Format"):
			f, err := p.text()
			if f != "" {
				p.caps.GetMapFormats = append(p.caps.GetMapFormats, f)
			}
			return err
		case capsIs(se.Name, "DCPType"):
			return p.children(func(dcp xml.StartElement) error {
				if !capsIs(dcp.Name, "HTTP") {
					return p.skip()
				}
				return p.children(func(h xml.StartElement) error {
					if !capsIs(h.Name, "Get") {
						return p.skip()
					}
					return p.children(func(g xml.StartElement) error {
						if capsIs(g.Name, "OnlineResource") && p.caps.GetMapURL == "" {
							href, _ := capsAttr(g, "href")
							p.caps.GetMapURL = strings.TrimSpace(href)
						}
						return p.skip()
					})
				})
			})
		}
		return p.skip()
	})
}

func capsBool(se xml.StartElement, name string) int8 {
	v, ok := capsAttr(se, name)
	if !ok {
		return -1
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true":
		return 1
	case "0", "false":
		return 0
	}
	return -1
}

func (p *capsParser) layer(se xml.StartElement, depth int) (*Layer, error) {
	if depth >= MaxLayerDepth {
		return nil, ErrCapabilitiesTooDeep
	}
	l := &Layer{Depth: depth}
	own := &capsOwn{queryable: capsBool(se, "queryable"), opaque: capsBool(se, "opaque")}
	p.own[l] = own
	err := p.children(func(c xml.StartElement) error {
		var err error
		switch {
		case capsIs(c.Name, "Name"):
			l.Name, err = p.text()
		case capsIs(c.Name, "Title"):
			l.Title, err = p.text()
		case capsIs(c.Name, "Abstract"):
			l.Abstract, err = p.text()
		case capsIs(c.Name, "CRS") || capsIs(c.Name, "SRS"):
			var t string
			t, err = p.text()
			own.crs = append(own.crs, strings.Fields(t)...)
		case capsIs(c.Name, "EX_GeographicBoundingBox"):
			own.geo, err = p.exGeographic()
		case capsIs(c.Name, "LatLonBoundingBox"):
			if b := capsAttrBounds(c, false); b != nil {
				own.geo = b
			}
			err = p.skip()
		case capsIs(c.Name, "BoundingBox"):
			crs, ok := capsAttr(c, "CRS")
			if !ok {
				crs, ok = capsAttr(c, "SRS")
			}
			crs = strings.TrimSpace(crs)
			if ok && crs != "" {
				if b := capsAttrBounds(c, p.v13 && capsLatLonCRS(crs)); b != nil {
					own.bboxes = append(own.bboxes, capsBBox{crs: crs, bounds: b})
				}
			}
			err = p.skip()
		case capsIs(c.Name, "Style"):
			var s Style
			s, err = p.style()
			if s.Name != "" {
				own.styles = append(own.styles, s)
			}
		case capsIs(c.Name, "Dimension") || capsIs(c.Name, "Extent"):
			var dim capsDim
			dim, err = p.dimension(c)
			if dim.d.Name != "" {
				own.dims = append(own.dims, dim)
			}
		case capsIs(c.Name, "Layer"):
			var child *Layer
			child, err = p.layer(c, depth+1)
			if child != nil {
				child.Parent = l
				l.Children = append(l.Children, child)
			}
		default:
			err = p.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func capsFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// capsAttrBounds reads minx/miny/maxx/maxy attributes (by name, in any
// order). swap marks a lat/lon CRS in WMS 1.3.0: x holds latitudes, and the
// result is normalised to east/north.
func capsAttrBounds(se xml.StartElement, swap bool) *geom.Bounds {
	var v [4]float64
	for i, n := range [4]string{"minx", "miny", "maxx", "maxy"} {
		s, ok := capsAttr(se, n)
		if !ok {
			return nil
		}
		f, ok := capsFloat(s)
		if !ok {
			return nil
		}
		v[i] = f
	}
	if swap {
		v[0], v[1], v[2], v[3] = v[1], v[0], v[3], v[2]
	}
	return geom.NewBounds(geom.XY).Set(v[0], v[1], v[2], v[3])
}

func (p *capsParser) exGeographic() (*geom.Bounds, error) {
	var w, s, e, n float64
	seen := 0
	err := p.children(func(c xml.StartElement) error {
		var dst *float64
		var bit int
		switch {
		case capsIs(c.Name, "westBoundLongitude"):
			dst, bit = &w, 1
		case capsIs(c.Name, "eastBoundLongitude"):
			dst, bit = &e, 2
		case capsIs(c.Name, "southBoundLatitude"):
			dst, bit = &s, 4
		case capsIs(c.Name, "northBoundLatitude"):
			dst, bit = &n, 8
		default:
			return p.skip()
		}
		t, err := p.text()
		if f, ok := capsFloat(t); ok {
			*dst = f
			seen |= bit
		}
		return err
	})
	if err != nil || seen != 15 {
		return nil, err
	}
	return geom.NewBounds(geom.XY).Set(w, s, e, n), nil
}

func (p *capsParser) style() (Style, error) {
	var s Style
	err := p.children(func(c xml.StartElement) error {
		var err error
		switch {
		case capsIs(c.Name, "Name"):
			s.Name, err = p.text()
		case capsIs(c.Name, "Title"):
			s.Title, err = p.text()
		case capsIs(c.Name, "LegendURL"):
			err = p.children(func(lc xml.StartElement) error {
				if capsIs(lc.Name, "OnlineResource") && s.LegendURL == "" {
					href, _ := capsAttr(lc, "href")
					s.LegendURL = strings.TrimSpace(href)
				}
				return p.skip()
			})
		default:
			err = p.skip()
		}
		return err
	})
	return s, err
}

func (p *capsParser) dimension(se xml.StartElement) (capsDim, error) {
	dim := capsDim{extent: se.Name.Local == "Extent"}
	name, _ := capsAttr(se, "name")
	dim.d.Name = strings.TrimSpace(name)
	dim.d.Units, _ = capsAttr(se, "units")
	dim.d.UnitSymbol, _ = capsAttr(se, "unitSymbol")
	dim.d.Default, dim.d.HasDefault = capsAttr(se, "default")
	dim.d.MultipleValues = capsBool(se, "multipleValues") == 1
	dim.d.NearestValue = capsBool(se, "nearestValue") == 1
	dim.d.Current = capsBool(se, "current") == 1
	var err error
	dim.d.Values, err = p.text()
	return dim, err
}

// resolve applies the inheritance rules of WMS 1.1.1 section 7.1.4.6 and
// 1.3.0 table 7 to l, whose parent (nil for a root) is already resolved,
// then to its children. A layer keeps only what it adds to its parent's
// effective values (the Layer methods combine them), so the cost is linear
// in the document: nothing inherited is copied.
func (p *capsParser) resolve(l, parent *Layer) {
	own := p.own[l]

	// queryable / opaque: inherited when the attribute is absent.
	l.Queryable = own.queryable == 1 || (own.queryable == -1 && parent != nil && parent.Queryable)
	l.Opaque = own.opaque == 1 || (own.opaque == -1 && parent != nil && parent.Opaque)

	// CRS: additive, duplicates (case-insensitive) dropped.
	for _, c := range own.crs {
		key := strings.ToUpper(c)
		if p.capsHasCRS(l, key) {
			continue
		}
		if own.crsAdded == nil {
			own.crsAdded = map[string]struct{}{}
		}
		own.crsAdded[key] = struct{}{}
		l.addedCRS = append(l.addedCRS, c)
	}

	// Geographic box: replaces, inherited (shared) when absent.
	switch {
	case own.geo != nil:
		l.GeographicBBox = own.geo
	case parent != nil && parent.GeographicBBox != nil:
		l.GeographicBBox = parent.GeographicBBox
		l.GeographicBBoxInherited = true
	}

	// BoundingBox: inherited per CRS unless restated; the first box a
	// layer states for a CRS wins. Layer.BBox and BBoxes look up the chain.
	var stated map[string]bool
	for _, b := range own.bboxes {
		key := strings.ToUpper(b.crs)
		if stated[key] {
			continue
		}
		if stated == nil {
			stated = map[string]bool{}
		}
		stated[key] = true
		l.ownBBoxes = append(l.ownBBoxes, b)
	}

	// Styles: additive, duplicate names dropped.
	for _, st := range own.styles {
		if p.capsHasStyle(l, st.Name) {
			continue
		}
		if own.styleNames == nil {
			own.styleNames = map[string]struct{}{}
		}
		own.styleNames[st.Name] = struct{}{}
		l.addedStyles = append(l.addedStyles, st)
	}

	// Dimensions: inherited by name unless redefined; 1.1.1 merges
	// <Dimension> (declaration) and <Extent> (values) by name, with the
	// inherited declaration too.
	for _, od := range own.dims {
		key := strings.ToLower(od.d.Name)
		d, had := l.ownDims[key]
		if !had && parent != nil {
			d, had = parent.Dimension(key)
		}
		switch {
		case p.v13 || !had:
			d = od.d
		case od.extent:
			d.Default, d.HasDefault = od.d.Default, od.d.HasDefault
			d.Values = od.d.Values
			d.MultipleValues, d.NearestValue, d.Current = od.d.MultipleValues, od.d.NearestValue, od.d.Current
		default:
			d.Name, d.Units, d.UnitSymbol = od.d.Name, od.d.Units, od.d.UnitSymbol
			if od.d.Values != "" {
				d.Values = od.d.Values
			}
		}
		d.Inherited = false
		if l.ownDims == nil {
			l.ownDims = map[string]Dimension{}
		}
		l.ownDims[key] = d
	}

	for _, c := range l.Children {
		p.resolve(c, l)
	}
}

// capsHasCRS reports whether the upper-cased CRS key is already in the
// effective list of l: added by l itself or by one of its ancestors.
func (p *capsParser) capsHasCRS(l *Layer, key string) bool {
	for ; l != nil; l = l.Parent {
		if _, ok := p.own[l].crsAdded[key]; ok {
			return true
		}
	}
	return false
}

// capsHasStyle reports whether a style named name is already in the
// effective styles of l: added by l itself or by one of its ancestors.
func (p *capsParser) capsHasStyle(l *Layer, name string) bool {
	for ; l != nil; l = l.Parent {
		if _, ok := p.own[l].styleNames[name]; ok {
			return true
		}
	}
	return false
}

// capsLatLonCRS reports whether a WMS 1.3.0 BoundingBox in crs is written
// latitude first, as the EPSG database defines the axis order of its
// geographic CRSs. The rule mapvault applies:
//
//   - CRS:84 (and any "CRS:" code), AUTO, IGNF, projected EPSG codes: x/y as
//     written (east/north).
//   - EPSG geographic 2D and 3D codes: lat/lon. These are the ranges
//     4001-4063 and 4120-4329 and 4600-4999 (geographic 2D/3D; the few
//     geocentric codes among them never appear as a WMS CRS), plus the
//     geographic codes outside those ranges listed in capsLatLonExtra (for
//     example CGCS2000 4490, NAD83(2011) 6318, GDA2020 7844). This covers at
//     least EPSG:4326, 4258, 4269, 4289, 4283, 4171, 4619 and 4937.
//   - The codes 4330-4599 are mostly projected and are east/north unless
//     listed in capsLatLonExtra.
//
// The code may be written "EPSG:4326", "urn:ogc:def:crs:EPSG::4326",
// "urn:ogc:def:crs:EPSG:6.6:4326" or "http://www.opengis.net/def/crs/EPSG/0/4326".
func capsLatLonCRS(crs string) bool {
	code, ok := capsEPSGCode(crs)
	if !ok {
		return false
	}
	switch {
	case code >= 4001 && code <= 4063,
		code >= 4120 && code <= 4329,
		code >= 4600 && code <= 4999:
		return true
	}
	return capsLatLonExtra(code)
}

// capsLatLonExtra reports EPSG geographic CRSs outside the ranges of
// capsLatLonCRS.
func capsLatLonExtra(code int) bool {
	switch code {
	case 4463, 4470, 4475, 4483, 4490, 4555, 4558, // RGSPM06 ... RRAF 1991
		5252, 5340, 5354, 5360, 5365, 5371, 5373, 5381, 5393, // TUREF, POSGAR 2007, SIRGAS variants
		5489, 5527, 5546, 5886, // RGAF09, SAD69(96), PNG94, TGD2005
		6318, 6322, 6325, 6365, 6668, 6783, // NAD83(2011), PA11, MA11, Mexico ITRF2008, JGD2011, CORS96
		7844, 8086: // GDA2020, ISN2016
		return true
	}
	return false
}

// capsEPSGCode extracts the EPSG code of a CRS identifier.
func capsEPSGCode(crs string) (int, bool) {
	s := strings.ToUpper(strings.TrimSpace(crs))
	var num string
	switch {
	case strings.HasPrefix(s, "EPSG:"):
		num = s[len("EPSG:"):]
	case strings.HasPrefix(s, "URN:OGC:DEF:CRS:EPSG:"):
		rest := s[len("URN:OGC:DEF:CRS:EPSG:"):]
		num = rest[strings.LastIndexByte(rest, ':')+1:]
	case strings.HasPrefix(s, "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/"):
		rest := s[len("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/"):]
		num = rest[strings.LastIndexByte(rest, '/')+1:]
	default:
		return 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

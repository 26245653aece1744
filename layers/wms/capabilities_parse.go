package wms

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
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

	// maxElementDepth bounds the nesting of any element (foreign
	// extension blocks included), which also bounds the decoder's stack.
	maxElementDepth = 1024
)

const (
	nsWMS = "http://www.opengis.net/wms"
	nsOGC = "http://www.opengis.net/ogc"
	nsSLD = "http://www.opengis.net/sld"
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
	return parseLimit(r, MaxCapabilitiesSize)
}

// parseLimit is ParseCapabilities with a size limit of limit bytes.
func parseLimit(r io.Reader, limit int64) (*Capabilities, error) {
	d := ogcxml.NewDecoder(&limitReader{r: r, left: limit})
	p := &parser{d: d, own: map[*Layer]*ownDecl{}}
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

// limitReader fails with ErrCapabilitiesTooLarge once more than left
// bytes have been read.
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
		return 0, ErrCapabilitiesTooLarge
	}
	return n, err
}

// parser walks the token stream. own keeps each layer's own (not yet
// inherited) declarations until resolve applies the inheritance rules.
type parser struct {
	d     *xml.Decoder
	depth int  // current element nesting
	v13   bool // WMS 1.3.0 rules (axis order, Dimension semantics)
	own   map[*Layer]*ownDecl
	caps  *Capabilities
}

// ownDecl is what one <Layer> element states itself.
type ownDecl struct {
	queryable, opaque int8 // -1 absent, 0 false, 1 true
	crs               []string
	geo               *geom.Bounds
	minScale          *float64 // MinScaleDenominator or ScaleHint min, as a denominator
	maxScale          *float64
	attribution       *Attribution
	bboxes            []bboxDecl
	styles            []Style
	dims              []dimDecl
	crsAdded          map[string]struct{} // upper-cased CRS this layer added to the effective list
	styleNames        map[string]struct{} // style names this layer added to the effective list
}

type bboxDecl struct {
	crs    string
	bounds *geom.Bounds // east/north
}

type dimDecl struct {
	extent bool // a 1.1.1 <Extent> rather than a <Dimension>
	d      Dimension
}

// isElement reports whether n is the WMS element local, in the WMS namespace
// or in none (1.1.1, and 1.3.0 servers that forget the namespace).
func isElement(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == "" || n.Space == nsWMS)
}

// isSLDElement is isElement that also accepts the SLD namespace (or an
// undeclared "sld" prefix): servers write sld:GetLegendGraphic, and some
// prefix its children too.
func isSLDElement(n xml.Name, local string) bool {
	return isElement(n, local) || (n.Local == local && (n.Space == nsSLD || n.Space == "sld"))
}

func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && (a.Name.Space == "" || local == "href") {
			return a.Value, true
		}
	}
	return "", false
}

func (p *parser) document() (*Capabilities, error) {
	for {
		tok, err := p.token()
		if err == io.EOF {
			return nil, ErrNotCapabilities
		}
		if err != nil {
			return nil, syntaxError(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case ogcxml.IsExceptionRoot(se.Name):
			return nil, p.exception()
		case isElement(se.Name, "WMS_Capabilities") || isElement(se.Name, "WMT_MS_Capabilities"):
			p.caps = &Capabilities{}
			p.caps.Version, _ = attr(se, "version")
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

func syntaxError(err error) error {
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
func (p *parser) children(f func(se xml.StartElement) error) error {
	return ogcxml.Children(p.next, f)
}

// next is token with its errors made syntax errors, for the walks of
// ogcxml.
func (p *parser) next() (xml.Token, error) {
	tok, err := p.token()
	if err != nil {
		return nil, syntaxError(err)
	}
	return tok, nil
}

// token returns the next token, tracking and bounding element nesting.
func (p *parser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > maxElementDepth {
			return nil, ErrCapabilitiesTooDeep
		}
	case xml.EndElement:
		p.depth--
	}
	return tok, nil
}

// skip consumes the rest of the current element.
func (p *parser) skip() error { return ogcxml.Skip(p.next) }

// text returns the trimmed character data (CDATA included) of the current
// element, at any depth, and consumes it.
func (p *parser) text() (string, error) { return ogcxml.Text(p.next) }

func (p *parser) exception() error {
	ex, err := ogcxml.ReadException(p.token)
	if err != nil {
		return syntaxError(err)
	}
	return &layers.ServiceException{Code: ex.Code, Message: ex.Message}
}

func (p *parser) root() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case isElement(se.Name, "Service"):
			return p.service()
		case isElement(se.Name, "Capability"):
			return p.capability()
		}
		return p.skip()
	})
}

func (p *parser) service() error {
	return p.children(func(se xml.StartElement) error {
		var err error
		switch {
		case isElement(se.Name, "Title"):
			p.caps.Title, err = p.text()
		case isElement(se.Name, "Abstract"):
			p.caps.Abstract, err = p.text()
		case isElement(se.Name, "OnlineResource"):
			href, _ := attr(se, "href")
			p.caps.OnlineResource = strings.TrimSpace(href)
			err = p.skip()
		case isElement(se.Name, "MaxWidth"):
			p.caps.MaxWidth, err = p.positiveInt()
		case isElement(se.Name, "MaxHeight"):
			p.caps.MaxHeight, err = p.positiveInt()
		default:
			err = p.skip()
		}
		return err
	})
}

func (p *parser) capability() error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case isElement(se.Name, "Request"):
			return p.children(func(req xml.StartElement) error {
				switch {
				case isElement(req.Name, "GetMap"):
					return p.operation(isElement, &p.caps.GetMapFormats, &p.caps.GetMapURL)
				case isElement(req.Name, "GetFeatureInfo"):
					return p.operation(isElement, &p.caps.FeatureInfoFormats, &p.caps.FeatureInfoURL)
				case isSLDElement(req.Name, "GetLegendGraphic"):
					return p.operation(isSLDElement, &p.caps.LegendGraphicFormats, &p.caps.LegendGraphicURL)
				}
				return p.skip()
			})
		case isElement(se.Name, "Layer"):
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

// operation reads a Request operation element (GetMap, GetFeatureInfo,
// GetLegendGraphic): its Format values are appended to formats in document
// order, and the first DCPType HTTP Get OnlineResource is stored in url.
// is matches the element names.
func (p *parser) operation(is func(xml.Name, string) bool, formats *[]string, url *string) error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case is(se.Name, "Format"):
			f, err := p.text()
			if f != "" {
				*formats = append(*formats, f)
			}
			return err
		case is(se.Name, "DCPType"):
			return p.children(func(dcp xml.StartElement) error {
				if !is(dcp.Name, "HTTP") {
					return p.skip()
				}
				return p.children(func(h xml.StartElement) error {
					if !is(h.Name, "Get") {
						return p.skip()
					}
					return p.children(func(g xml.StartElement) error {
						if is(g.Name, "OnlineResource") && *url == "" {
							href, _ := attr(g, "href")
							*url = strings.TrimSpace(href)
						}
						return p.skip()
					})
				})
			})
		}
		return p.skip()
	})
}

func boolAttr(se xml.StartElement, name string) int8 {
	v, ok := attr(se, name)
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

func (p *parser) layer(se xml.StartElement, depth int) (*Layer, error) {
	if depth >= MaxLayerDepth {
		return nil, ErrCapabilitiesTooDeep
	}
	l := &Layer{Depth: depth}
	own := &ownDecl{queryable: boolAttr(se, "queryable"), opaque: boolAttr(se, "opaque")}
	p.own[l] = own
	err := p.children(func(c xml.StartElement) error {
		var err error
		switch {
		case isElement(c.Name, "Name"):
			l.Name, err = p.text()
		case isElement(c.Name, "Title"):
			l.Title, err = p.text()
		case isElement(c.Name, "Abstract"):
			l.Abstract, err = p.text()
		case isElement(c.Name, "KeywordList"):
			l.Keywords, err = p.keywords(l.Keywords)
		case isElement(c.Name, "CRS") || isElement(c.Name, "SRS"):
			var t string
			t, err = p.text()
			own.crs = append(own.crs, strings.Fields(t)...)
		case isElement(c.Name, "EX_GeographicBoundingBox"):
			own.geo, err = p.exGeographic()
		case isElement(c.Name, "MinScaleDenominator"):
			own.minScale, err = p.scale()
		case isElement(c.Name, "MaxScaleDenominator"):
			own.maxScale, err = p.scale()
		case isElement(c.Name, "ScaleHint"):
			own.minScale, own.maxScale = scaleHint(c, "min"), scaleHint(c, "max")
			if own.minScale == nil && own.maxScale == nil {
				zero := 0.0 // a hint stating nothing usable: unbounded
				own.minScale = &zero
			}
			err = p.skip()
		case isElement(c.Name, "Attribution"):
			var a Attribution
			a, err = p.attribution()
			if a != (Attribution{}) {
				own.attribution = &a
			}
		case isElement(c.Name, "LatLonBoundingBox"):
			if b := attrBounds(c, false); b != nil {
				own.geo = b
			}
			err = p.skip()
		case isElement(c.Name, "BoundingBox"):
			crs, ok := attr(c, "CRS")
			if !ok {
				crs, ok = attr(c, "SRS")
			}
			crs = strings.TrimSpace(crs)
			if ok && crs != "" {
				if b := attrBounds(c, p.v13 && latLonCRS(crs)); b != nil {
					own.bboxes = append(own.bboxes, bboxDecl{crs: crs, bounds: b})
				}
			}
			err = p.skip()
		case isElement(c.Name, "Style"):
			var s Style
			s, err = p.style()
			if s.Name != "" {
				own.styles = append(own.styles, s)
			}
		case isElement(c.Name, "Dimension") || isElement(c.Name, "Extent"):
			var dim dimDecl
			dim, err = p.dimension(c)
			if dim.d.Name != "" {
				own.dims = append(own.dims, dim)
			}
		case isElement(c.Name, "Layer"):
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

// positiveInt reads an element's text as a positive integer; 0 when it
// is not one.
func (p *parser) positiveInt() (int, error) {
	t, err := p.text()
	n, convErr := strconv.Atoi(strings.TrimSpace(t))
	if convErr != nil || n <= 0 {
		n = 0
	}
	return n, err
}

// scale reads a MinScaleDenominator or MaxScaleDenominator; nil when it
// is not a positive number.
func (p *parser) scale() (*float64, error) {
	t, err := p.text()
	if f, ok := floatValue(t); ok && f > 0 {
		return &f, err
	}
	return nil, err
}

// scaleHint reads a 1.1.1 ScaleHint bound (the ground diagonal of a pixel
// in metres) as a scale denominator with 0.28 mm pixels; nil when absent,
// zero or not a number.
func scaleHint(se xml.StartElement, name string) *float64 {
	v, ok := attr(se, name)
	if !ok {
		return nil
	}
	f, ok := floatValue(v)
	if !ok || f <= 0 {
		return nil
	}
	d := f / math.Sqrt2 / 0.00028
	return &d
}

func floatValue(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// attrBounds reads minx/miny/maxx/maxy attributes (by name, in any
// order). swap marks a lat/lon CRS in WMS 1.3.0: x holds latitudes, and the
// result is normalised to east/north.
func attrBounds(se xml.StartElement, swap bool) *geom.Bounds {
	var v [4]float64
	for i, n := range [4]string{"minx", "miny", "maxx", "maxy"} {
		s, ok := attr(se, n)
		if !ok {
			return nil
		}
		f, ok := floatValue(s)
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

func (p *parser) exGeographic() (*geom.Bounds, error) {
	var w, s, e, n float64
	seen := 0
	err := p.children(func(c xml.StartElement) error {
		var dst *float64
		var bit int
		switch {
		case isElement(c.Name, "westBoundLongitude"):
			dst, bit = &w, 1
		case isElement(c.Name, "eastBoundLongitude"):
			dst, bit = &e, 2
		case isElement(c.Name, "southBoundLatitude"):
			dst, bit = &s, 4
		case isElement(c.Name, "northBoundLatitude"):
			dst, bit = &n, 8
		default:
			return p.skip()
		}
		t, err := p.text()
		if f, ok := floatValue(t); ok {
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

// attribution reads an <Attribution>: its Title and OnlineResource
// (LogoURL is skipped).
// maxKeywords bounds the keywords kept per layer.
const maxKeywords = 64

// keywords reads a <KeywordList>, appending its non-empty <Keyword> texts
// to kw (at most maxKeywords in all, duplicates dropped).
func (p *parser) keywords(kw []string) ([]string, error) {
	err := p.children(func(c xml.StartElement) error {
		if !isElement(c.Name, "Keyword") {
			return p.skip()
		}
		t, err := p.text()
		if t != "" && len(kw) < maxKeywords && !slices.Contains(kw, t) {
			kw = append(kw, t)
		}
		return err
	})
	return kw, err
}

func (p *parser) attribution() (Attribution, error) {
	var a Attribution
	err := p.children(func(c xml.StartElement) error {
		switch {
		case isElement(c.Name, "Title"):
			t, err := p.text()
			a.Title = t
			return err
		case isElement(c.Name, "OnlineResource"):
			href, _ := attr(c, "href")
			a.URL = strings.TrimSpace(href)
		}
		return p.skip()
	})
	return a, err
}

func (p *parser) style() (Style, error) {
	var s Style
	err := p.children(func(c xml.StartElement) error {
		var err error
		switch {
		case isElement(c.Name, "Name"):
			s.Name, err = p.text()
		case isElement(c.Name, "Title"):
			s.Title, err = p.text()
		case isElement(c.Name, "LegendURL"):
			err = p.children(func(lc xml.StartElement) error {
				if isElement(lc.Name, "OnlineResource") && s.LegendURL == "" {
					href, _ := attr(lc, "href")
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

func (p *parser) dimension(se xml.StartElement) (dimDecl, error) {
	dim := dimDecl{extent: se.Name.Local == "Extent"}
	name, _ := attr(se, "name")
	dim.d.Name = strings.TrimSpace(name)
	dim.d.Units, _ = attr(se, "units")
	dim.d.UnitSymbol, _ = attr(se, "unitSymbol")
	dim.d.Default, dim.d.HasDefault = attr(se, "default")
	dim.d.MultipleValues = boolAttr(se, "multipleValues") == 1
	dim.d.NearestValue = boolAttr(se, "nearestValue") == 1
	dim.d.Current = boolAttr(se, "current") == 1
	var err error
	dim.d.Values, err = p.text()
	return dim, err
}

// resolve applies the inheritance rules of WMS 1.1.1 section 7.1.4.6 and
// 1.3.0 table 7 to l, whose parent (nil for a root) is already resolved,
// then to its children. A layer keeps only what it adds to its parent's
// effective values (the Layer methods combine them), so the cost is linear
// in the document: nothing inherited is copied.
func (p *parser) resolve(l, parent *Layer) {
	own := p.own[l]

	// queryable / opaque: inherited when the attribute is absent.
	l.Queryable = own.queryable == 1 || (own.queryable == -1 && parent != nil && parent.Queryable)
	l.Opaque = own.opaque == 1 || (own.opaque == -1 && parent != nil && parent.Opaque)

	// CRS: additive, duplicates (case-insensitive) dropped.
	for _, c := range own.crs {
		key := strings.ToUpper(c)
		if p.hasCRS(l, key) {
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

	// Scale range: each bound replaces, inherited when absent (a 1.1.1
	// ScaleHint states both).
	l.MinScaleDenominator, l.MaxScaleDenominator = 0, 0
	if parent != nil {
		l.MinScaleDenominator, l.MaxScaleDenominator = parent.MinScaleDenominator, parent.MaxScaleDenominator
	}
	if own.minScale != nil || own.maxScale != nil {
		if !p.v13 { // ScaleHint: both bounds together
			l.MinScaleDenominator, l.MaxScaleDenominator = 0, 0
		}
		if own.minScale != nil {
			l.MinScaleDenominator = *own.minScale
		}
		if own.maxScale != nil {
			l.MaxScaleDenominator = *own.maxScale
		}
	}

	// Attribution: replaces, inherited when absent.
	switch {
	case own.attribution != nil:
		l.Attribution = *own.attribution
	case parent != nil:
		l.Attribution = parent.Attribution
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
		if p.hasStyle(l, st.Name) {
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

// hasCRS reports whether the upper-cased CRS key is already in the
// effective list of l: added by l itself or by one of its ancestors.
func (p *parser) hasCRS(l *Layer, key string) bool {
	for ; l != nil; l = l.Parent {
		if _, ok := p.own[l].crsAdded[key]; ok {
			return true
		}
	}
	return false
}

// hasStyle reports whether a style named name is already in the
// effective styles of l: added by l itself or by one of its ancestors.
func (p *parser) hasStyle(l *Layer, name string) bool {
	for ; l != nil; l = l.Parent {
		if _, ok := p.own[l].styleNames[name]; ok {
			return true
		}
	}
	return false
}

// latLonCRS reports whether a WMS 1.3.0 BoundingBox in crs is written
// latitude first, as the EPSG database defines the axis order of its
// geographic CRSs. The rule mapvault applies:
//
//   - CRS:84 (and any "CRS:" code), AUTO, IGNF, projected EPSG codes: x/y as
//     written (east/north).
//   - EPSG geographic 2D and 3D codes: lat/lon. These are the ranges
//     4001-4063 and 4120-4329 and 4600-4999 (geographic 2D/3D; the few
//     geocentric codes among them never appear as a WMS CRS), plus the
//     geographic codes outside those ranges listed in latLonExtra (for
//     example CGCS2000 4490, NAD83(2011) 6318, GDA2020 7844). This covers at
//     least EPSG:4326, 4258, 4269, 4289, 4283, 4171, 4619 and 4937.
//   - The codes 4330-4599 are mostly projected and are east/north unless
//     listed in latLonExtra.
//
// The code may be written "EPSG:4326", "urn:ogc:def:crs:EPSG::4326",
// "urn:ogc:def:crs:EPSG:6.6:4326" or "http://www.opengis.net/def/crs/EPSG/0/4326".
func latLonCRS(crs string) bool {
	code, ok := epsgCode(crs)
	if !ok {
		return false
	}
	switch {
	case code >= 4001 && code <= 4063,
		code >= 4120 && code <= 4329,
		code >= 4600 && code <= 4999:
		return true
	}
	return latLonExtra(code)
}

// latLonExtra reports EPSG geographic CRSs outside the ranges of
// latLonCRS.
func latLonExtra(code int) bool {
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

// epsgCode extracts the EPSG code of a CRS identifier.
func epsgCode(crs string) (int, bool) {
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

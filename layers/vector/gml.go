package vector

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseGML reads a WFS GetFeature answer in GML: a wfs:FeatureCollection
// (WFS 1.0, 1.1 and 2.0; also gml:FeatureCollection) whose features come in
// gml:featureMember, gml:featureMembers or wfs:member elements, with GML 2,
// 3.1 or 3.2 simple-feature geometries: Point, LineString, LinearRing,
// Polygon, MultiPoint, MultiLineString, MultiCurve, MultiPolygon,
// MultiSurface, MultiGeometry, and the linear forms of Curve, Ring,
// CompositeCurve, Surface (PolygonPatch) and CompositeSurface, with
// coordinates in gml:posList, gml:pos, gml:coordinates (cs, ts and decimal
// honoured) or gml:coord.
//
// Properties are strings (nil for xsi:nil); complex properties are dropped,
// the first geometry property is the feature's geometry and any other
// geometry property is ignored. A feature whose geometry is of another
// kind (arcs, envelopes, solids) is kept with a nil geometry and counted in
// FeatureCollection.Unsupported.
//
// Coordinates are converted to longitude, latitude according to the
// geometry's srsName (inherited from enclosing geometries, else from the
// feature's or the collection's gml:boundedBy envelope, else
// Options.DefaultCRS): the URN and http://www.opengis.net/def/crs forms of
// EPSG:4326 are latitude first; EPSG:4326, the GML 2
// http://www.opengis.net/gml/srs/epsg.xml#4326 form and CRS84 are
// longitude first; EPSG:3857 is converted from metres. Any other CRS is a
// *CRSError.
//
// The document is streamed and bounded like ParseGeoJSON. An OGC exception
// report is returned as a *ServiceException.
func ParseGML(r io.Reader, opt Options) (*FeatureCollection, error) {
	opt = opt.withDefaults()
	lr := newLimitReader(r, opt.MaxBytes)
	p := &gmlParser{xmlWalker: xmlWalker{d: newXMLDecoder(lr), maxDepth: opt.MaxDepth}, b: budget{opt: opt}}
	fc, err := p.document()
	if err != nil {
		if le := lr.overLimit(err); le != nil {
			return nil, le
		}
		return nil, err
	}
	return fc, nil
}

type gmlParser struct {
	xmlWalker
	b  budget
	fc *FeatureCollection
}

// errUnsupportedGeometry marks a GML geometry of a kind this parser does
// not read; the feature keeps a nil geometry.
var errUnsupportedGeometry = errors.New("vector: unsupported GML geometry")

// gmlContext is what a geometry inherits from its ancestors.
type gmlContext struct {
	srsName string
	crs     crs
	dim     int // srsDimension; 0 = unknown (2)
}

func isGML(n xml.Name) bool {
	return strings.HasPrefix(n.Space, "http://www.opengis.net/gml") || n.Space == "gml"
}

func (p *gmlParser) document() (*FeatureCollection, error) {
	root, err := p.root()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty document", ErrNotFeatures)
		}
		return nil, xmlError(err)
	}
	if isException(root) {
		return nil, p.exception()
	}
	if root.Name.Local != "FeatureCollection" {
		return nil, fmt.Errorf("%w: root element <%s>, want a FeatureCollection", ErrNotFeatures, root.Name.Local)
	}
	p.fc = &FeatureCollection{Features: []Feature{}, NumberMatched: -1, NumberReturned: -1}
	p.fc.NumberMatched = countAttr(firstNonEmpty(attr(root, "numberMatched"), attr(root, "numberOfFeatures")))
	p.fc.NumberReturned = countAttr(attr(root, "numberReturned"))
	if attr(root, "numberReturned") == "" && attr(root, "numberOfFeatures") != "" {
		p.fc.NumberReturned = p.fc.NumberMatched // WFS 1.1: the count of this answer
	}
	p.fc.Next = strings.TrimSpace(attr(root, "next"))
	def, err := p.context(gmlContext{}, p.b.opt.DefaultCRS, 0)
	if err != nil {
		return nil, err
	}
	if err := p.collection(def); err != nil {
		return nil, err
	}
	return p.fc, nil
}

// countAttr reads numberMatched-like attributes; "unknown" and garbage
// are -1.
func countAttr(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// context returns ctx with an element's srsName and srsDimension applied.
func (p *gmlParser) context(ctx gmlContext, srsName string, dim int) (gmlContext, error) {
	if srsName = strings.TrimSpace(srsName); srsName != "" && srsName != ctx.srsName {
		c, ok := parseCRS(srsName)
		if !ok {
			return ctx, &CRSError{CRS: srsName}
		}
		ctx.srsName, ctx.crs = srsName, c
	}
	if dim > 0 {
		ctx.dim = dim
	}
	return ctx, nil
}

// elementContext applies the srsName and srsDimension attributes of se.
func (p *gmlParser) elementContext(ctx gmlContext, se xml.StartElement) (gmlContext, error) {
	dim, _ := strconv.Atoi(attr(se, "srsDimension"))
	return p.context(ctx, attr(se, "srsName"), dim)
}

// collection reads the children of a FeatureCollection whose start was
// just read.
func (p *gmlParser) collection(ctx gmlContext) error {
	for {
		tok, err := p.token()
		if err != nil {
			return xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch se.Name.Local {
		case "boundedBy":
			if ctx, err = p.boundedBy(ctx); err != nil {
				return err
			}
		case "featureMember", "member", "featureMembers":
			if err := p.members(ctx); err != nil {
				return err
			}
		default:
			if err := p.skip(); err != nil {
				return xmlError(err)
			}
		}
	}
}

// boundedBy reads a gml:boundedBy and returns ctx with its envelope's
// srsName, the default for geometries that name none. An unsupported
// envelope CRS is not an error here: geometries may still name theirs.
func (p *gmlParser) boundedBy(ctx gmlContext) (gmlContext, error) {
	for {
		tok, err := p.token()
		if err != nil {
			return ctx, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return ctx, nil
		case xml.StartElement:
			if s := attr(t, "srsName"); s != "" {
				if c, err := p.context(ctx, s, 0); err == nil {
					ctx = c
				}
			}
			if err := p.skip(); err != nil {
				return ctx, xmlError(err)
			}
		}
	}
}

// members reads a member element: each child is a feature, or a nested
// FeatureCollection (WFS 2.0 answers to several queries).
func (p *gmlParser) members(ctx gmlContext) error {
	for {
		tok, err := p.token()
		if err != nil {
			return xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch {
		case se.Name.Local == "FeatureCollection" || se.Name.Local == "SimpleFeatureCollection":
			if err := p.collection(ctx); err != nil {
				return err
			}
		case se.Name.Local == "Tuple" || isGML(se.Name):
			if err := p.skip(); err != nil { // joins and stray GML objects
				return xmlError(err)
			}
		default:
			if err := p.b.addFeature(); err != nil {
				return err
			}
			f, err := p.feature(se, ctx)
			if err != nil {
				return err
			}
			p.fc.Features = append(p.fc.Features, f)
		}
	}
}

// feature reads one feature element whose start se was just read.
func (p *gmlParser) feature(se xml.StartElement, ctx gmlContext) (Feature, error) {
	f := Feature{Properties: map[string]any{}}
	for _, a := range se.Attr {
		if (a.Name.Local == "id" && (isGML(a.Name) || a.Name.Space == "")) || a.Name.Local == "fid" {
			f.ID = a.Value
			break
		}
	}
	unsupported := false
	for {
		tok, err := p.token()
		if err != nil {
			return f, xmlError(err)
		}
		var prop xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			if f.Geometry == nil && unsupported {
				p.fc.Unsupported++
			}
			return f, nil
		case xml.StartElement:
			prop = t
		default:
			continue
		}
		if isGML(prop.Name) && prop.Name.Local == "boundedBy" {
			if ctx, err = p.boundedBy(ctx); err != nil {
				return f, err
			}
			continue
		}
		name := prop.Name.Local
		if isGML(prop.Name) {
			name = "gml:" + name
		}
		nilled := attr(prop, "nil") == "true"
		value, isGeom, err := p.property(&f, ctx, &unsupported)
		if err != nil {
			return f, err
		}
		if isGeom {
			continue
		}
		if _, dup := f.Properties[name]; dup {
			continue // a repeated property keeps its first value
		}
		switch {
		case nilled:
			f.Properties[name] = nil
		case value != nil:
			f.Properties[name] = *value
		}
	}
}

// property reads the content of a property element. It returns the text of
// a simple property, or isGeom when the property held a geometry (stored in
// f when it is the first readable one). A complex property gives a nil
// value.
func (p *gmlParser) property(f *Feature, ctx gmlContext, unsupported *bool) (value *string, isGeom bool, err error) {
	var text []byte
	complexValue := false
	for {
		tok, err := p.token()
		if err != nil {
			return nil, false, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.EndElement:
			if isGeom || complexValue {
				return nil, isGeom, nil
			}
			s := strings.TrimSpace(string(text))
			return &s, false, nil
		case xml.StartElement:
			if !isGML(t.Name) || isGeom {
				complexValue = true
				if err := p.skip(); err != nil {
					return nil, false, xmlError(err)
				}
				continue
			}
			isGeom = true
			if f.Geometry != nil {
				if err := p.skip(); err != nil {
					return nil, false, xmlError(err)
				}
				continue
			}
			g, err := p.geometry(t, ctx)
			switch {
			case errors.Is(err, errUnsupportedGeometry):
				*unsupported = true
			case err != nil:
				return nil, false, err
			default:
				f.Geometry = g.toGeom()
			}
		}
	}
}

package vector

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
)

// gmlGeom is a GML geometry read but not yet typed for go-geom.
type gmlGeom struct {
	kind  gmlKind
	flat  []float64   // point: one position; line: its positions
	rings [][]float64 // polygon: exterior then holes
	parts []gmlGeom   // multi: members, in order
	name  string      // local name of the element, to type multi geometries
}

type gmlKind int

const (
	gmlPoint gmlKind = iota
	gmlLine
	gmlPolygon
	gmlMulti
)

// geometry reads the GML geometry element se (its start just read) and
// everything up to its end. A kind it cannot read is skipped and reported
// as errUnsupportedGeometry.
func (p *gmlParser) geometry(se xml.StartElement, ctx gmlContext) (gmlGeom, error) {
	ctx, err := p.elementContext(ctx, se)
	if err != nil {
		return gmlGeom{}, err
	}
	g := gmlGeom{name: se.Name.Local}
	switch se.Name.Local {
	case "Point":
		g.kind = gmlPoint
		if g.flat, err = p.positions(ctx); err != nil {
			return g, err
		}
		if len(g.flat) > 2 {
			g.flat = g.flat[:2]
		}
	case "LineString", "LinearRing":
		g.kind = gmlLine
		g.flat, err = p.positions(ctx)
	case "Curve", "Ring", "CompositeCurve":
		g.kind = gmlLine
		g.flat, err = p.curve(ctx)
	case "Polygon", "PolygonPatch", "Rectangle", "Triangle":
		g.kind = gmlPolygon
		g.rings, err = p.polygon(ctx)
	case "Surface", "CompositeSurface",
		"MultiPoint", "MultiLineString", "MultiCurve", "MultiPolygon", "MultiSurface", "MultiGeometry":
		g.kind = gmlMulti
		g.parts, err = p.multi(ctx)
	default:
		if err := p.skip(); err != nil {
			return g, xmlError(err)
		}
		return g, errUnsupportedGeometry
	}
	return g, err
}

// positions reads the coordinates of a Point, LineString, LinearRing or
// LineStringSegment: posList, pos, coordinates, coord, and points in
// pointProperty/pointRep, in document order.
func (p *gmlParser) positions(ctx gmlContext) ([]float64, error) {
	var flat []float64
	for {
		tok, err := p.token()
		if err != nil {
			return nil, xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return flat, nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch se.Name.Local {
		case "posList", "pos":
			c, err := p.elementContext(ctx, se)
			if err != nil {
				return nil, err
			}
			if d, _ := strconv.Atoi(attr(se, "dimension")); d > 0 && attr(se, "srsDimension") == "" {
				c.dim = d // GML 3.1.0 spelling
			}
			text, err := p.text()
			if err != nil {
				return nil, xmlError(err)
			}
			if flat, err = p.posList(flat, text, c, se.Name.Local == "pos"); err != nil {
				return nil, err
			}
		case "coordinates":
			text, err := p.text()
			if err != nil {
				return nil, xmlError(err)
			}
			if flat, err = p.coordinates(flat, text, se, ctx); err != nil {
				return nil, err
			}
		case "coord":
			if flat, err = p.coord(flat, ctx); err != nil {
				return nil, err
			}
		case "pointProperty", "pointRep", "pointMember":
			for {
				tok, err := p.token()
				if err != nil {
					return nil, xmlError(err)
				}
				if _, ok := tok.(xml.EndElement); ok {
					break
				}
				if pt, ok := tok.(xml.StartElement); ok {
					g, err := p.geometry(pt, ctx)
					if err == errUnsupportedGeometry {
						if err := p.skipTo(p.depth - 2); err != nil {
							return nil, err
						}
						return nil, errUnsupportedGeometry
					}
					if err != nil {
						return nil, err
					}
					if g.kind != gmlPoint {
						return nil, malformed("GML: %s in a point property", g.name)
					}
					flat = append(flat, g.flat...)
				}
			}
		default:
			if err := p.skip(); err != nil {
				return nil, xmlError(err)
			}
		}
	}
}

// posList appends the positions of a gml:posList or gml:pos text.
func (p *gmlParser) posList(flat []float64, text []byte, ctx gmlContext, single bool) ([]float64, error) {
	dim := ctx.dim
	if dim == 0 {
		dim = 2
	}
	fields := bytes.Fields(text)
	if single && ctx.dim == 0 && (len(fields) == 3 || len(fields) == 4) {
		dim = len(fields) // one pos: its length is its dimension
	}
	if dim < 2 || dim > 4 {
		return nil, malformed("GML: srsDimension %d", dim)
	}
	if len(fields)%dim != 0 || (single && len(fields) != dim) {
		return nil, malformed("GML: %d numbers in a position list of dimension %d", len(fields), dim)
	}
	if err := p.b.addCoords(len(fields) / dim); err != nil {
		return nil, err
	}
	for i := 0; i < len(fields); i += dim {
		x, err := gmlNumber(fields[i], '.')
		if err != nil {
			return nil, err
		}
		y, err := gmlNumber(fields[i+1], '.')
		if err != nil {
			return nil, err
		}
		lon, lat := ctx.crs.toLonLat(x, y)
		flat = append(flat, lon, lat)
	}
	return flat, nil
}

// coordinates appends the tuples of a GML 2 gml:coordinates text, honouring
// its cs (default ","), ts (default white space) and decimal (default ".")
// attributes.
func (p *gmlParser) coordinates(flat []float64, text []byte, se xml.StartElement, ctx gmlContext) ([]float64, error) {
	cs, ts, dec := attr(se, "cs"), attr(se, "ts"), attr(se, "decimal")
	if cs == "" {
		cs = ","
	}
	decimal := byte('.')
	if len(dec) == 1 {
		decimal = dec[0]
	}
	var tuples [][]byte
	if strings.TrimSpace(ts) == "" {
		tuples = bytes.Fields(text)
	} else {
		for _, t := range bytes.Split(text, []byte(ts)) {
			if t = bytes.TrimSpace(t); len(t) > 0 {
				tuples = append(tuples, t)
			}
		}
	}
	if err := p.b.addCoords(len(tuples)); err != nil {
		return nil, err
	}
	for _, t := range tuples {
		vals := bytes.Split(t, []byte(cs))
		if len(vals) < 2 {
			return nil, malformed("GML: coordinate tuple %q has fewer than two values", shorten(string(t)))
		}
		x, err := gmlNumber(bytes.TrimSpace(vals[0]), decimal)
		if err != nil {
			return nil, err
		}
		y, err := gmlNumber(bytes.TrimSpace(vals[1]), decimal)
		if err != nil {
			return nil, err
		}
		lon, lat := ctx.crs.toLonLat(x, y)
		flat = append(flat, lon, lat)
	}
	return flat, nil
}

// coord appends a GML 2 gml:coord (X, Y and an ignored Z).
func (p *gmlParser) coord(flat []float64, ctx gmlContext) ([]float64, error) {
	var xs, ys []byte
	for {
		tok, err := p.token()
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if xs == nil || ys == nil {
				return nil, malformed("GML: coord without X and Y")
			}
			if err := p.b.addCoords(1); err != nil {
				return nil, err
			}
			x, err := gmlNumber(bytes.TrimSpace(xs), '.')
			if err != nil {
				return nil, err
			}
			y, err := gmlNumber(bytes.TrimSpace(ys), '.')
			if err != nil {
				return nil, err
			}
			lon, lat := ctx.crs.toLonLat(x, y)
			return append(flat, lon, lat), nil
		case xml.StartElement:
			text, err := p.text()
			if err != nil {
				return nil, xmlError(err)
			}
			switch t.Name.Local {
			case "X":
				xs = text
			case "Y":
				ys = text
			}
		}
	}
}

// gmlNumber parses one coordinate value; NaN, infinities and values out of
// the float64 range are malformed.
func gmlNumber(b []byte, decimal byte) (float64, error) {
	s := string(b)
	if decimal != '.' {
		s = strings.ReplaceAll(s, string(decimal), ".")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, malformed("GML: coordinate %q is not a finite number", shorten(s))
	}
	return v, nil
}

// curve reads a Curve (segments of LineStringSegments), a Ring or a
// CompositeCurve (curveMembers) as one line, joined end to start.
func (p *gmlParser) curve(ctx gmlContext) ([]float64, error) {
	var flat []float64
	join := func(part []float64) {
		if n := len(flat); n >= 2 && len(part) >= 2 && flat[n-2] == part[0] && flat[n-1] == part[1] {
			part = part[2:]
		}
		flat = append(flat, part...)
	}
	for {
		tok, err := p.token()
		if err != nil {
			return nil, xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return flat, nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch se.Name.Local {
		case "segments", "curveMember":
			// children: LineStringSegment, or a curve geometry
			for {
				tok, err := p.token()
				if err != nil {
					return nil, xmlError(err)
				}
				if _, ok := tok.(xml.EndElement); ok {
					break
				}
				c, ok := tok.(xml.StartElement)
				if !ok {
					continue
				}
				if c.Name.Local == "LineStringSegment" {
					cc, err := p.elementContext(ctx, c)
					if err != nil {
						return nil, err
					}
					part, err := p.positions(cc)
					if err != nil {
						return nil, err
					}
					join(part)
					continue
				}
				if !isGML(c.Name) || c.Name.Local == "Arc" || c.Name.Local == "ArcString" || c.Name.Local == "Circle" {
					if err := p.skip(); err != nil {
						return nil, xmlError(err)
					}
					// skip the rest of the curve too
					if err := p.skipTo(p.depth - 2); err != nil {
						return nil, err
					}
					return nil, errUnsupportedGeometry
				}
				g, err := p.geometry(c, ctx)
				if err != nil {
					if err == errUnsupportedGeometry {
						if err := p.skipTo(p.depth - 2); err != nil {
							return nil, err
						}
					}
					return nil, err
				}
				if g.kind != gmlLine {
					return nil, malformed("GML: %s in a curve", g.name)
				}
				join(g.flat)
			}
		default:
			if err := p.skip(); err != nil {
				return nil, xmlError(err)
			}
		}
	}
}

// skipTo reads tokens until the element depth is depth.
func (p *gmlParser) skipTo(depth int) error {
	for p.depth > depth {
		if _, err := p.token(); err != nil {
			return xmlError(err)
		}
	}
	return nil
}

// polygon reads the rings of a Polygon or PolygonPatch: exterior (GML 3) or
// outerBoundaryIs (GML 2) first, then interior / innerBoundaryIs holes.
func (p *gmlParser) polygon(ctx gmlContext) ([][]float64, error) {
	var exterior []float64
	var holes [][]float64
	haveExterior := false
	for {
		tok, err := p.token()
		if err != nil {
			return nil, xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			if !haveExterior {
				return nil, nil // an empty polygon
			}
			return append([][]float64{exterior}, holes...), nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		switch se.Name.Local {
		case "exterior", "outerBoundaryIs", "interior", "innerBoundaryIs":
			var ring []float64
			err := p.childGeometries(ctx, func(g gmlGeom) error {
				if g.kind != gmlLine {
					return malformed("GML: %s as a polygon ring", g.name)
				}
				ring = g.flat
				return nil
			})
			if err != nil {
				return nil, err
			}
			if se.Name.Local == "exterior" || se.Name.Local == "outerBoundaryIs" {
				exterior, haveExterior = ring, true
			} else {
				holes = append(holes, ring)
			}
		default:
			if err := p.skip(); err != nil {
				return nil, xmlError(err)
			}
		}
	}
}

// multi reads the members of a multi geometry or a Surface: every GML
// geometry inside a *Member, *Members or patches child.
func (p *gmlParser) multi(ctx gmlContext) ([]gmlGeom, error) {
	var parts []gmlGeom
	for {
		tok, err := p.token()
		if err != nil {
			return nil, xmlError(err)
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.EndElement:
			return parts, nil
		case xml.StartElement:
			se = t
		default:
			continue
		}
		l := se.Name.Local
		if !strings.HasSuffix(l, "Member") && !strings.HasSuffix(l, "Members") && l != "patches" && l != "polygonPatches" {
			if err := p.skip(); err != nil {
				return nil, xmlError(err)
			}
			continue
		}
		err = p.childGeometries(ctx, func(g gmlGeom) error {
			parts = append(parts, g)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
}

// toGeom types g for go-geom. Multi geometries take the type their element
// names (MultiSurface is a MultiPolygon, MultiCurve a MultiLineString);
// members of other kinds are dropped, except in a MultiGeometry, which is
// a GeometryCollection.
func (g gmlGeom) toGeom() geom.T {
	switch g.kind {
	case gmlPoint:
		if len(g.flat) < 2 {
			return geom.NewPointEmpty(geom.XY)
		}
		return geom.NewPointFlat(geom.XY, g.flat)
	case gmlLine:
		return geom.NewLineStringFlat(geom.XY, g.flat)
	case gmlPolygon:
		flat, ends := ringsFlat(nil, nil, g.rings)
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	}
	switch g.name {
	case "MultiPoint":
		var flat []float64
		g.each(gmlPoint, func(m gmlGeom) {
			if len(m.flat) >= 2 {
				flat = append(flat, m.flat[:2]...)
			}
		})
		return geom.NewMultiPointFlat(geom.XY, flat)
	case "MultiLineString", "MultiCurve":
		var flat []float64
		var ends []int
		g.each(gmlLine, func(m gmlGeom) {
			flat = append(flat, m.flat...)
			ends = append(ends, len(flat))
		})
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	case "MultiGeometry":
		gc := geom.NewGeometryCollection()
		for _, m := range g.parts {
			_ = gc.Push(m.toGeom()) // all members are XY
		}
		return gc
	}
	// MultiPolygon, MultiSurface, Surface, CompositeSurface
	var flat []float64
	var endss [][]int
	g.each(gmlPolygon, func(m gmlGeom) {
		var ends []int
		flat, ends = ringsFlat(flat, nil, m.rings)
		endss = append(endss, ends)
	})
	if g.name == "Surface" || g.name == "CompositeSurface" {
		if len(endss) == 1 {
			return geom.NewPolygonFlat(geom.XY, flat, endss[0])
		}
	}
	return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
}

// each calls fn for every member of kind, looking into nested multi
// geometries (a Surface's patches inside a MultiSurface).
func (g gmlGeom) each(kind gmlKind, fn func(gmlGeom)) {
	for _, m := range g.parts {
		switch m.kind {
		case kind:
			fn(m)
		case gmlMulti:
			m.each(kind, fn)
		}
	}
}

// ringsFlat appends rings to flat, returning the ring ends.
func ringsFlat(flat []float64, ends []int, rings [][]float64) ([]float64, []int) {
	for _, r := range rings {
		flat = append(flat, r...)
		ends = append(ends, len(flat))
	}
	return flat, ends
}

// childGeometries reads the geometries inside the current element up to its
// end tag and passes each to each. An unsupported geometry makes the
// enclosing element unreadable too: it is skipped (two levels up) and
// errUnsupportedGeometry returned.
func (p *gmlParser) childGeometries(ctx gmlContext, each func(gmlGeom) error) error {
	for {
		tok, err := p.token()
		if err != nil {
			return xmlError(err)
		}
		if _, ok := tok.(xml.EndElement); ok {
			return nil
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		g, err := p.geometry(se, ctx)
		if err == errUnsupportedGeometry {
			if err := p.skipTo(p.depth - 2); err != nil {
				return err
			}
			return errUnsupportedGeometry
		}
		if err != nil {
			return err
		}
		if err := each(g); err != nil {
			return err
		}
	}
}

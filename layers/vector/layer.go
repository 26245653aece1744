package vector

import (
	"math"

	"github.com/twpayne/go-geom"
)

// Layer is a set of features prepared for drawing: every position is
// projected once to the unit Web Mercator world (zoom-independent), rings
// are oriented so holes cancel, and every feature and path carries its
// bounds so a frame skips what it does not show with one box test. A Layer
// is immutable once built and safe to draw from several goroutines (each
// with its own Renderer).
type Layer struct {
	features []Feature
	items    []item
	paths    []path
	unit     []float64 // unit Web Mercator x, y pairs
	lonLat   []float64 // the same positions in degrees, for other projectors
	bytes    int64
	zoomIn   *ZoomInError
}

// item is one drawable feature.
type item struct {
	feature int32
	rings   span // in paths: polygon rings, exterior then holes, per polygon
	lines   span // in paths: line strings
	points  span // in positions (pairs)
	box     box  // unit Web Mercator bounds
}

type span struct{ start, end int32 }

// path is one ring or line: positions [start, end) with its bounds.
type path struct {
	start, end int32
	box        box
}

// box is an axis-aligned box, x right and y down.
type box struct{ minX, minY, maxX, maxY float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b *box) extend(x, y float64) {
	b.minX = min(b.minX, x)
	b.minY = min(b.minY, y)
	b.maxX = max(b.maxX, x)
	b.maxY = max(b.maxY, y)
}

func (b *box) union(o box) {
	b.minX = min(b.minX, o.minX)
	b.minY = min(b.minY, o.minY)
	b.maxX = max(b.maxX, o.maxX)
	b.maxY = max(b.maxY, o.maxY)
}

func (b box) intersects(o box) bool {
	return b.minX <= o.maxX && o.minX <= b.maxX && b.minY <= o.maxY && o.minY <= b.maxY
}

func (b box) inside(o box) bool {
	return b.minX >= o.minX && b.maxX <= o.maxX && b.minY >= o.minY && b.maxY <= o.maxY
}

// NewLayer prepares features for drawing. It keeps the slice (for the
// attributes a categorised style reads); do not modify it afterwards.
// Features without a geometry stay in the layer but draw nothing.
func NewLayer(features []Feature) *Layer {
	l := &Layer{features: features}
	var bld layerBuilder
	for i := range features {
		bld.reset()
		bld.add(features[i].Geometry)
		if len(bld.rings)+len(bld.lines)+len(bld.points) == 0 {
			continue
		}
		it := item{feature: int32(i), box: emptyBox()}
		it.rings = l.addPaths(bld.rings, &it.box)
		it.lines = l.addPaths(bld.lines, &it.box)
		it.points.start = int32(len(l.unit) / 2)
		for j := 0; j < len(bld.points); j += 2 {
			l.addPosition(bld.points[j], bld.points[j+1], &it.box)
		}
		it.points.end = int32(len(l.unit) / 2)
		l.items = append(l.items, it)
	}
	l.bytes = l.size()
	return l
}

// ZoomInLayer is the placeholder a cache holds for a view with too many
// features: it draws nothing, and rendering it returns a *ZoomInError for
// features (0 when unknown) features. Caching it keeps a huge layer from
// being fetched again on every frame.
func ZoomInLayer(features int, opt Options) *Layer {
	opt = opt.withDefaults()
	return &Layer{zoomIn: &ZoomInError{Features: features, Max: opt.MaxFeaturesPerView}, bytes: 64}
}

// Features returns the layer's features (do not modify them).
func (l *Layer) Features() []Feature { return l.features }

// Err returns the *ZoomInError of a ZoomInLayer, else nil.
func (l *Layer) Err() error {
	if l.zoomIn != nil {
		return l.zoomIn
	}
	return nil
}

// Bytes estimates the memory the layer holds, its features included; the
// Cache budgets with it.
func (l *Layer) Bytes() int64 { return l.bytes }

// Bounds returns the longitude/latitude bounds of the drawable features;
// false when there are none.
func (l *Layer) Bounds() (Bounds, bool) {
	if len(l.lonLat) == 0 {
		return Bounds{}, false
	}
	b := emptyBox()
	for i := 0; i < len(l.lonLat); i += 2 {
		b.extend(l.lonLat[i], l.lonLat[i+1])
	}
	return Bounds{West: b.minX, South: b.minY, East: b.maxX, North: b.maxY}, true
}

func (l *Layer) addPosition(lon, lat float64, b *box) {
	lon = max(-maxLon, min(maxLon, lon))
	ux, uy := unitMercator(lon, lat)
	l.unit = append(l.unit, ux, uy)
	l.lonLat = append(l.lonLat, lon, lat)
	b.extend(ux, uy)
}

// maxLon bounds the longitudes drawn: data in the 0..360 convention and a
// feature crossing the antimeridian stay, garbage beyond is clamped.
const maxLon = 720

// addPaths appends built paths (flat lon/lat pairs) and returns their span.
func (l *Layer) addPaths(ps []builtPath, b *box) span {
	s := span{start: int32(len(l.paths))}
	for _, p := range ps {
		pt := path{start: int32(len(l.unit) / 2), box: emptyBox()}
		n := len(p.xy) / 2
		for j := range n {
			k := j
			if p.reverse {
				k = n - 1 - j
			}
			l.addPosition(p.xy[2*k], p.xy[2*k+1], &pt.box)
		}
		pt.end = int32(len(l.unit) / 2)
		b.union(pt.box)
		l.paths = append(l.paths, pt)
	}
	s.end = int32(len(l.paths))
	return s
}

// size estimates the bytes held: positions twice, paths, items, and the
// features' own geometries and attributes.
func (l *Layer) size() int64 {
	n := int64(len(l.unit)+len(l.lonLat))*8 + int64(len(l.paths))*48 + int64(len(l.items))*72 + 256
	for i := range l.features {
		n += featureBytes(&l.features[i])
	}
	return n
}

// featureBytes estimates one feature's memory.
func featureBytes(f *Feature) int64 {
	n := int64(64 + len(f.ID))
	n += geometryBytes(f.Geometry)
	for k, v := range f.Properties {
		n += int64(len(k)) + 48 + valueBytes(v, 0)
	}
	return n
}

func geometryBytes(g geom.T) int64 {
	switch g := g.(type) {
	case nil:
		return 0
	case *geom.GeometryCollection:
		n := int64(64)
		for _, m := range g.Geoms() {
			n += geometryBytes(m)
		}
		return n
	default:
		return 96 + int64(len(g.FlatCoords()))*8 + int64(len(g.Ends()))*8
	}
}

func valueBytes(v any, depth int) int64 {
	if depth > 64 {
		return 0
	}
	switch v := v.(type) {
	case string:
		return int64(len(v))
	case map[string]any:
		n := int64(48)
		for k, e := range v {
			n += int64(len(k)) + 48 + valueBytes(e, depth+1)
		}
		return n
	case []any:
		n := int64(24)
		for _, e := range v {
			n += 16 + valueBytes(e, depth+1)
		}
		return n
	}
	return 16
}

// layerBuilder sorts one feature's geometry into rings, lines and points.
type layerBuilder struct {
	rings  []builtPath
	lines  []builtPath
	points []float64
}

type builtPath struct {
	xy      []float64 // lon/lat pairs, a view into the geometry
	reverse bool      // draw in reverse order (ring orientation)
}

func (b *layerBuilder) reset() {
	b.rings, b.lines, b.points = b.rings[:0], b.lines[:0], b.points[:0]
}

func (b *layerBuilder) add(g geom.T) {
	switch g := g.(type) {
	case *geom.Point:
		if !g.Empty() {
			b.xy(g.FlatCoords()[:2], 2, func(xy []float64) { b.points = append(b.points, xy...) })
		}
	case *geom.MultiPoint:
		b.xy(g.FlatCoords(), g.Stride(), func(xy []float64) { b.points = append(b.points, xy...) })
	case *geom.LineString:
		b.line(g.FlatCoords(), g.Stride())
	case *geom.MultiLineString:
		start := 0
		for _, end := range g.Ends() {
			b.line(g.FlatCoords()[start:end], g.Stride())
			start = end
		}
	case *geom.Polygon:
		b.polygon(g.FlatCoords(), g.Ends(), 0, g.Stride())
	case *geom.MultiPolygon:
		start := 0
		for _, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			b.polygon(g.FlatCoords(), ends, start, g.Stride())
			start = ends[len(ends)-1]
		}
	case *geom.GeometryCollection:
		for _, m := range g.Geoms() {
			b.add(m)
		}
	}
}

// xy calls fn with the positions of flat as XY pairs (stride 2 is a view;
// other strides are copied). A path with a NaN or infinite coordinate is
// dropped: go-geom values built by hand are not checked like parsed ones.
func (b *layerBuilder) xy(flat []float64, stride int, fn func([]float64)) {
	for _, v := range flat {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
	}
	if stride == 2 {
		fn(flat)
		return
	}
	if stride < 2 {
		return
	}
	tmp := make([]float64, 0, len(flat)/stride*2)
	for i := 0; i+1 < len(flat); i += stride {
		tmp = append(tmp, flat[i], flat[i+1])
	}
	fn(tmp)
}

func (b *layerBuilder) line(flat []float64, stride int) {
	b.xy(flat, stride, func(xy []float64) {
		if len(xy) >= 4 {
			b.lines = append(b.lines, builtPath{xy: xy})
		}
	})
}

// polygon adds the rings of one polygon, the exterior oriented one way and
// the holes the other, so the rasteriser's non-zero coverage leaves holes
// empty whatever the data's winding.
func (b *layerBuilder) polygon(flat []float64, ends []int, start, stride int) {
	for i, end := range ends {
		if end < start || end > len(flat) {
			return
		}
		b.xy(flat[start:end], stride, func(xy []float64) {
			if len(xy) < 6 {
				return
			}
			clockwise := ringArea(xy) > 0 // in lon/lat, y up
			b.rings = append(b.rings, builtPath{xy: xy, reverse: clockwise == (i == 0)})
		})
		start = end
	}
}

// ringArea is twice the signed area of a ring of XY pairs, positive when
// counter-clockwise with y up.
func ringArea(xy []float64) float64 {
	a := 0.0
	n := len(xy) / 2
	for i := range n {
		j := (i + 1) % n
		a += xy[2*i]*xy[2*j+1] - xy[2*j]*xy[2*i+1]
	}
	return a
}

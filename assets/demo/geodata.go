package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"

	"mapvault/assets"
	"mapvault/layers"
)

// ErrBadData is returned when an embedded GeoJSON file cannot be used.
var ErrBadData = errors.New("demo: bad demo data")

// bounds is an axis-aligned box in some CRS, x east and y north.
type bounds struct{ minX, minY, maxX, maxY float64 }

func emptyBounds() bounds {
	return bounds{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
}

func (b *bounds) extend(x, y float64) {
	b.minX = math.Min(b.minX, x)
	b.minY = math.Min(b.minY, y)
	b.maxX = math.Max(b.maxX, x)
	b.maxY = math.Max(b.maxY, y)
}

func (b *bounds) union(o bounds) {
	b.extend(o.minX, o.minY)
	b.extend(o.maxX, o.maxY)
}

func (b bounds) intersects(o bounds) bool {
	return b.minX <= o.maxX && o.minX <= b.maxX && b.minY <= o.maxY && o.minY <= b.maxY
}

// path is one ring or line: flat x, y pairs in one CRS, with its bounds.
type path struct {
	xy     []float64
	bounds bounds
}

// shape is one polygon (exterior ring then holes) or one line string, kept in
// both lon/lat and EPSG:3857 so a request in either CRS needs no projection.
type shape struct {
	lonLat, merc       []path
	lonLatBox, mercBox bounds
}

// feature is one GeoJSON feature reduced to what the renderer needs.
type feature struct {
	name   string
	shapes []shape
}

// dataset is one embedded GeoJSON file, pre-projected.
type dataset struct {
	features []feature
	lonLat   bounds // the data extent in lon/lat
}

// loadDataset reads the named embedded GeoJSON file.
func loadDataset(name string) (*dataset, error) {
	raw, err := assets.Data(name)
	if err != nil {
		return nil, err
	}
	return parseDataset(raw)
}

// parseDataset decodes a GeoJSON FeatureCollection of polygons or lines.
func parseDataset(raw []byte) (*dataset, error) {
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	ds := &dataset{lonLat: emptyBounds()}
	for i, f := range fc.Features {
		if f == nil || f.Geometry == nil {
			continue
		}
		var ft feature
		if n, ok := f.Properties["name"].(string); ok {
			ft.name = n
		}
		shapes, err := shapesOf(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%w: feature %d: %v", ErrBadData, i, err)
		}
		for _, s := range shapes {
			ds.lonLat.union(s.lonLatBox)
		}
		ft.shapes = shapes
		ds.features = append(ds.features, ft)
	}
	if len(ds.features) == 0 {
		return nil, fmt.Errorf("%w: no features", ErrBadData)
	}
	return ds, nil
}

func shapesOf(g geom.T) ([]shape, error) {
	switch g := g.(type) {
	case *geom.Polygon:
		return []shape{polygonShape(g)}, nil
	case *geom.MultiPolygon:
		out := make([]shape, 0, g.NumPolygons())
		for i := range g.NumPolygons() {
			out = append(out, polygonShape(g.Polygon(i)))
		}
		return out, nil
	case *geom.LineString:
		return []shape{newShape(g.FlatCoords(), g.Stride(), []int{len(g.FlatCoords())})}, nil
	case *geom.MultiLineString:
		out := make([]shape, 0, g.NumLineStrings())
		for i := range g.NumLineStrings() {
			l := g.LineString(i)
			out = append(out, newShape(l.FlatCoords(), l.Stride(), []int{len(l.FlatCoords())}))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

func polygonShape(p *geom.Polygon) shape {
	return newShape(p.FlatCoords(), p.Stride(), p.Ends())
}

// newShape splits flat coordinates at ends into paths and projects them.
// An empty geometry (stride 0) gives a shape without paths.
func newShape(flat []float64, stride int, ends []int) shape {
	s := shape{lonLatBox: emptyBounds(), mercBox: emptyBounds()}
	if stride < 2 {
		return s
	}
	start := 0
	for _, end := range ends {
		n := (end - start) / stride
		ll := path{xy: make([]float64, 0, 2*n), bounds: emptyBounds()}
		m := path{xy: make([]float64, 0, 2*n), bounds: emptyBounds()}
		for i := start; i < end; i += stride {
			lon, lat := flat[i], flat[i+1]
			ll.xy = append(ll.xy, lon, lat)
			ll.bounds.extend(lon, lat)
			x, y := layers.LonLatToMercator(lon, lat)
			m.xy = append(m.xy, x, y)
			m.bounds.extend(x, y)
		}
		start = end
		if n == 0 {
			continue
		}
		s.lonLat = append(s.lonLat, ll)
		s.merc = append(s.merc, m)
		s.lonLatBox.union(ll.bounds)
		s.mercBox.union(m.bounds)
	}
	return s
}

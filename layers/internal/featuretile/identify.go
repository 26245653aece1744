package featuretile

import (
	"context"
	"encoding/json"
	"image/color"
	"math"
	"sort"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/layers/vector"
)

// Identify returns the features of l drawn with st under q's point,
// topmost first: the vector kinds answer identify from their own features,
// as drawn at the view's zoom (a point symbol counts to its radius).
func Identify(l *vector.Layer, st vector.Style, q layers.IdentifyQuery) []layers.IdentifiedFeature {
	if l == nil {
		return nil
	}
	max := q.MaxFeatures
	if max <= 0 {
		max = 10
	}
	// A click counts on a stroke's width and a point symbol's outline.
	radius := st.PointRadius
	if !(radius > 0) {
		radius = 4
	}
	radius += st.StrokeWidth / 2
	tol := q.Tolerance + st.StrokeWidth/2
	feats := l.Features()
	var out []layers.IdentifiedFeature
	for _, i := range l.Hit(q.Lon, q.Lat, q.View.Zoom, tol, radius, max) {
		f := &feats[i]
		if st.Hides(f) {
			continue // a category drawn in no colour is not on the map
		}
		idf := layers.IdentifiedFeature{ID: f.ID, Geometry: f.Geometry}
		for _, p := range f.SortedProperties() {
			idf.Attributes = append(idf.Attributes, layers.Attribute{Name: p.Name, Value: attributeValue(p.Value)})
		}
		out = append(out, idf)
	}
	return out
}

// attributeValue keeps scalars as the parser gave them and turns nested
// GeoJSON values back into their JSON text.
func attributeValue(v any) any {
	switch v.(type) {
	case nil, string, json.Number, bool, float64, int, int64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return json.RawMessage(b)
}

// Identify answers identify for a layer drawn through c: the features
// under q's point in the fetch tile that draws it (fetched with fetch and
// cached as for drawing), drawn with st.
func (c *ViewCache) Identify(ctx context.Context, key string, st vector.Style, q layers.IdentifyQuery,
	fetch func(ctx context.Context, box vector.Bounds) (*vector.Layer, error)) ([]layers.IdentifiedFeature, error) {
	l, err := c.Layer(ctx, key, IdentifyTile(q), fetch)
	if err != nil {
		return nil, err
	}
	return Identify(l, st, q), nil
}

// IdentifyTile is the engine tile whose fetch covers q's point at the
// view's zoom.
func IdentifyTile(q layers.IdentifyQuery) layers.Tile {
	z := int(math.Floor(q.View.Zoom))
	if z < 0 {
		z = 0
	}
	return layers.TileAt(q.Lon, q.Lat, z)
}

// Legend is a vector style's legend: one swatch, or one per category
// (sorted by value) and one for "other values" when those are drawn.
func Legend(st vector.Style, geometry string) []decor.LegendItem {
	if geometry == "" {
		geometry = "polygon"
		if st.Fill.A == 0 && st.Categories == nil {
			geometry = "line"
		}
	}
	sym := func(fill color.NRGBA) *decor.Symbol {
		s := &decor.Symbol{Geometry: geometry, Fill: fill, Stroke: st.Stroke, Width: st.StrokeWidth, Radius: st.PointRadius}
		if geometry == "line" && st.Categories != nil {
			s.Stroke = fill
		}
		return s
	}
	c := st.Categories
	if c == nil {
		return []decor.LegendItem{{Symbol: sym(st.Fill)}}
	}
	values := make([]string, 0, len(c.Colors))
	for v, col := range c.Colors {
		if col.A > 0 {
			values = append(values, v)
		}
	}
	sort.Strings(values)
	out := make([]decor.LegendItem, 0, len(values)+1)
	for _, v := range values {
		out = append(out, decor.LegendItem{Label: v, Symbol: sym(c.Colors[v])})
	}
	if c.Default.A > 0 {
		out = append(out, decor.LegendItem{Label: "other values", Symbol: sym(c.Default)})
	}
	return out
}

package layers

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"sync"

	"github.com/twpayne/go-geom"

	"mapvault/layers/decor"
	"mapvault/vault"
)

// The analyst's questions about a map beyond its pixels: what is at a
// point (Identify), what the symbols mean (Legend) and whose data it is
// (Attribution). A kind answers them through optional interfaces on the
// sources its Resolve returns; the engine asks them with the same Fetcher
// as tiles, so the same credential rules hold: a request the layer's
// source does not cover (a LegendURL on another origin) is sent without
// any credential.

// Identifier is implemented by tile or feature sources that can say which
// features are drawn at a point (WMS GetFeatureInfo, a vector layer's own
// features). A source that is not one is not queryable.
type Identifier interface {
	// Queryable reports whether the source answers Identify at all (a WMS
	// layer the capabilities mark queryable); Identify is not asked when
	// it is false.
	Queryable() bool
	// Identify returns the features at q's point, topmost first, at most
	// q.MaxFeatures. Errors are like a tile's (see FeatureSource).
	Identify(ctx context.Context, f Fetcher, q IdentifyQuery) ([]IdentifiedFeature, error)
}

// IdentifyQuery is a click on a view.
type IdentifyQuery struct {
	View View
	// X, Y is the clicked point in logical pixels from the view's
	// top-left corner; Lon, Lat the same point on the map.
	X, Y     float64
	Lon, Lat float64
	// Tolerance is how far from the point, in logical pixels, a line or
	// point still counts as clicked.
	Tolerance float64
	// MaxFeatures bounds the answer per layer.
	MaxFeatures int
}

// IdentifiedFeature is one feature under the point.
type IdentifiedFeature struct {
	ID         string
	Attributes Attributes
	// Geometry is the feature's shape in lon/lat (x = lon), for
	// highlighting; nil when the server sent none.
	Geometry geom.T
}

// Attribute is one attribute as the server gave it: a string, a
// json.Number, a bool, nil, or a json.RawMessage for a nested value.
type Attribute struct {
	Name  string
	Value any
}

// Text is the value as one line of text: a string as is, a number as the
// server wrote it, NULL for null, JSON for anything else.
func (a Attribute) Text() string {
	switch t := a.Value.(type) {
	case nil:
		return "NULL"
	case string:
		return t
	case json.Number:
		return string(t)
	case json.RawMessage:
		return string(t)
	}
	b, _ := json.Marshal(a.Value)
	return string(b)
}

// Attributes keep the server's order; they marshal as one JSON object in
// that order.
type Attributes []Attribute

// MarshalJSON writes {"name": value, ...} in order. A name given twice
// keeps its first value (a JSON object has one value per name).
func (as Attributes) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := make(map[string]bool, len(as))
	for _, a := range as {
		if seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(a.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(a.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// LayerFeatures is one layer's answer to Identify.
type LayerFeatures struct {
	ID       string
	Features []IdentifiedFeature
	Err      error
}

// Identify asks every spec that is an Identifier (its Tiles or Features)
// what is at the logical pixel (x, y) of v, in parallel under the engine's
// per-host limits; specs that are not queryable are left out. The answers
// keep the specs' order. Merged groups are not merged here: each layer is
// asked on its own.
func (e *Engine) Identify(ctx context.Context, v View, specs []LayerSpec, x, y float64) []LayerFeatures {
	lon, lat := v.LonLatAt(x, y)
	q := IdentifyQuery{View: v, X: x, Y: y, Lon: lon, Lat: lat, Tolerance: 5, MaxFeatures: 10}
	var out []LayerFeatures
	var idf []Identifier
	var srcs []vault.Source
	for _, s := range specs {
		id := identifierOf(s)
		if id == nil {
			continue
		}
		out = append(out, LayerFeatures{ID: s.ID})
		idf = append(idf, id)
		srcs = append(srcs, s.Source)
	}
	var wg sync.WaitGroup
	st := &fetchStats{}
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fs, err := idf[i].Identify(ctx, &engineFetcher{e: e, src: srcs[i], st: st}, q)
			if len(fs) > q.MaxFeatures {
				fs = fs[:q.MaxFeatures]
			}
			out[i].Features, out[i].Err = fs, err
		}()
	}
	wg.Wait()
	return out
}

// identifierOf returns the spec's source as an Identifier, or nil.
func identifierOf(s LayerSpec) Identifier {
	if id, ok := s.Tiles.(Identifier); ok && s.Tiles != nil && id.Queryable() {
		return id
	}
	if id, ok := s.Features.(Identifier); ok && s.Features != nil && id.Queryable() {
		return id
	}
	return nil
}

// Queryable reports whether Identify asks the spec.
func (s LayerSpec) Queryable() bool { return identifierOf(s) != nil }

// Legender is implemented by sources that can say what their symbols
// mean: a WMS layer's legend graphic, a vector layer's style.
type Legender interface {
	// Legend returns the layer's legend entries for a legend drawn at
	// scale device pixels per logical pixel.
	Legend(ctx context.Context, f Fetcher, scale float64) ([]decor.LegendItem, error)
}

// LayerLegend is one layer's legend: its entries, or why there are none.
type LayerLegend struct {
	ID    string
	Items []decor.LegendItem
	Err   error
}

// Legend asks every spec that is a Legender for its legend, in parallel,
// in the specs' order; specs without one get an empty entry.
func (e *Engine) Legend(ctx context.Context, specs []LayerSpec, scale float64) []LayerLegend {
	out := make([]LayerLegend, len(specs))
	var wg sync.WaitGroup
	st := &fetchStats{}
	for i, s := range specs {
		out[i].ID = s.ID
		var lg Legender
		if l, ok := s.Tiles.(Legender); ok && s.Tiles != nil {
			lg = l
		} else if l, ok := s.Features.(Legender); ok && s.Features != nil {
			lg = l
		}
		if lg == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Items, out[i].Err = lg.Legend(ctx, &engineFetcher{e: e, src: s.Source, st: st}, scale)
		}()
	}
	wg.Wait()
	return out
}

// Attributor is implemented by sources that know whose data they draw
// (a WMS layer's Attribution).
type Attributor interface {
	Attribution() string
}

// AttributionText is what the map must credit for the spec: the project
// layer's own attribution when it has one, else its source's.
func (s LayerSpec) AttributionText() string {
	if s.Attribution != "" {
		return s.Attribution
	}
	if a, ok := s.Tiles.(Attributor); ok && s.Tiles != nil {
		return a.Attribution()
	}
	if a, ok := s.Features.(Attributor); ok && s.Features != nil {
		return a.Attribution()
	}
	return ""
}

// DecodeLegendGraphic decodes a legend graphic a server sent (PNG, GIF or
// JPEG), refusing one whose declared size is over maxSide on a side (a
// small body can declare a huge image).
func DecodeLegendGraphic(body []byte, maxSide int) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxSide || cfg.Height > maxSide {
		return nil, ErrTileTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, ErrNotImage
	}
	return img, nil
}

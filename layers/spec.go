package layers

import (
	"errors"
	"fmt"
	"image"
	"net"
	"net/url"
	"strings"

	"mapvault/vault"
)

// LayerSpec is one layer as the engine sees it: its credential source, its
// opacity, and where its pixels come from. Exactly one of Tiles (raster)
// and Features (vector) is set; a Kind's Resolve builds it from a project
// layer. It never carries a secret: Source selects the credential the
// authenticating transport adds.
type LayerSpec struct {
	ID       string
	Source   vault.Source  // credentials key
	Opacity  float64       // 0..1, taken literally: 0 draws nothing
	Tiles    TileSource    // a raster layer (WMS, XYZ, WMTS)
	Features FeatureSource // a vector layer (WFS, OGC API - Features, GeoJSON)
	// Attribution is the project layer's own credit line ("" to use the
	// source's; see AttributionText).
	Attribution string
}

// ErrNoSource: a LayerSpec with neither Tiles nor Features (or both).
var ErrNoSource = errors.New("layers: the layer has no tile or feature source")

// Key says what the spec draws, whatever its opacity and ID: its source's
// key. Specs with equal keys and sources draw equal tiles.
func (s LayerSpec) Key() string {
	switch {
	case s.Tiles != nil && s.Features == nil:
		return "tiles " + s.Tiles.Key()
	case s.Features != nil && s.Tiles == nil:
		return "features " + s.Features.Key()
	}
	return ""
}

// normalizedOpacity clamps an opacity into [0, 1] (NaN is 0).
func normalizedOpacity(o float64) float64 {
	switch {
	case o < 0 || o != o:
		return 0
	case o > 1:
		return 1
	}
	return o
}

// layerGroup is what the pipeline fetches and composes as one image: a
// single spec, or adjacent raster specs a Merger drew in one request.
type layerGroup struct {
	src      vault.Source
	opacity  float64
	tiles    TileSource    // the raster source (merged for a merged group)
	features FeatureSource // or the vector source
	ids      []string      // member IDs, bottom first
	err      error         // the spec cannot be drawn; reported as the state's Reason
}

// groupSpecs turns specs (bottom first) into the groups the engine fetches.
// Adjacent raster layers of the same credential source, both at opacity 1,
// are merged when the lower one's source is a Merger that accepts the upper
// one. Fetch and Compose both call it, so a merged group always shares its
// cache entries. A group holds at most maxMerged layers (0: no cap): a
// server draws one request on one worker. With noMeta, Metatiler sources
// ask one image per tile; else with fit (Render's one frame), they fit
// their requests to the grid's cover. A TileRenderer is drawn like a
// FeatureSource (and never merged).
func groupSpecs(specs []LayerSpec, noMerge, noMeta bool, maxMerged int, fit *viewGrid) []*layerGroup {
	groups := mergeSpecs(specs, noMerge, noMeta, maxMerged)
	if fit == nil || noMeta || !fit.fits() {
		return groups
	}
	var fitting []*layerGroup
	for _, g := range groups {
		if _, ok := g.tiles.(Metatiler); ok {
			fitting = append(fitting, g)
		}
	}
	// A server draws each request on one worker: a view of one fitted
	// group is asked in two parts, so two workers draw it.
	least := 1
	if len(fitting) == 1 {
		least = 2
	}
	for _, g := range fitting {
		g.tiles = g.tiles.(Metatiler).FitView(fit.Z, fit.Cover, fit.TilePx, least)
	}
	return groups
}

// mergeSpecs is groupSpecs without fitting.
func mergeSpecs(specs []LayerSpec, noMerge, noMeta bool, maxMerged int) []*layerGroup {
	var groups []*layerGroup
	for i, s := range specs {
		if m, ok := s.Tiles.(Metatiler); ok && noMeta {
			s.Tiles = m.SingleTiles()
		}
		g := &layerGroup{src: s.Source, opacity: normalizedOpacity(s.Opacity), tiles: s.Tiles, features: s.Features, ids: []string{s.ID}}
		if (s.Tiles == nil) == (s.Features == nil) {
			g.err = ErrNoSource
		} else if r, ok := s.Tiles.(TileRenderer); ok {
			g.tiles, g.features = nil, r // rendered, not one request a tile
		}
		if i > 0 && !noMerge && g.err == nil {
			last := groups[len(groups)-1]
			if len(last.ids) >= maxMerged && maxMerged > 0 {
				groups = append(groups, g)
				continue
			}
			if merged, ok := merge(last, g); ok {
				last.tiles = merged
				last.ids = append(last.ids, s.ID)
				continue
			}
		}
		groups = append(groups, g)
	}
	return groups
}

// merge returns the source drawing a and b in one request, if there is one.
func merge(a, b *layerGroup) (TileSource, bool) {
	if a.err != nil || a.tiles == nil || b.tiles == nil || a.src != b.src || a.opacity != 1 || b.opacity != 1 {
		return nil, false
	}
	m, ok := a.tiles.(Merger)
	if !ok {
		return nil, false
	}
	return m.Merge(b.tiles)
}

// request is what the pipeline fetches for one tile of a group: the cache
// and de-duplication key, and how to get it.
type request struct {
	key    string // TileRequest.URL, or the rendered feature tile's key
	src    vault.Source
	tile   Tile
	tilePx int
	raster TileRequest // for a raster group
	empty  bool        // the source has nothing there: done, nothing to draw
	place  *inPlace    // Render's plan when the image is decoded into the frame
}

// part returns the rectangle of the cached image img that is the tile:
// TileRequest.Part (in Width x Height pixels) scaled to the image, which
// may be larger (MaxSide), or all of it.
func (r request) part(img *image.RGBA) image.Rectangle {
	b := img.Bounds()
	p := r.raster.Part
	if p.Empty() {
		return b
	}
	w, h := r.raster.Width, r.raster.Height
	if r.raster.LonLat || w <= 0 || h <= 0 || (b.Dx() == w && b.Dy() == h) {
		return p
	}
	return image.Rect(p.Min.X*b.Dx()/w, p.Min.Y*b.Dy()/h, p.Max.X*b.Dx()/w, p.Max.Y*b.Dy()/h).Add(b.Min)
}

// request returns what to fetch for tile t at px device pixels.
func (g *layerGroup) request(t Tile, px int) request {
	r := request{src: g.src, tile: t, tilePx: px}
	if g.features != nil {
		r.key = fmt.Sprintf("features %s %d/%d/%d@%d", g.features.Key(), t.Z, t.X, t.Y, px)
		return r
	}
	tr, ok := g.tiles.Tile(t, px)
	if !ok {
		r.empty = true
		return r
	}
	if tr.Width <= 0 || tr.Height <= 0 {
		tr.Width, tr.Height = px, px
	}
	r.raster, r.key = tr, tr.URL
	return r
}

// hostKey is "host:port" of a URL, lower case, with the scheme's default
// port made explicit.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

package wms

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"mapvault/layers"
)

// Tiles is a WMS layer's tile source: in Web Mercator one GetMap per
// metatile of the engine's grid (Params.Metatile; each tile is a Part of
// it), in EPSG:4326/CRS:84 for a layer that offers no Mercator CRS one
// GetMap per tile (the engine remaps the rows). Tiles outside the layers'
// extent or scale range (from the capabilities, NewTilesFor) are empty.
// Adjacent layers of the same service, version, CRS and format are drawn
// by one GetMap (Merge).
type Tiles struct {
	p     Params // normalized; Styles exactly one per layer
	crs   crsKind
	req   getMapRequest
	lim   limits     // extent, scale range and image cap
	tiled bool       // the URL asks a tile cache (WMS-C, TILED=true): no metatiles
	info  *layerInfo // from the capabilities; nil for a source built without them
	fit   *fitted    // Render's view (FitView); nil: grid-aligned metatiles
}

// NewTiles returns the tile source for p: an error wrapping ErrNoUsableCRS
// for a CRS the engine cannot draw, for no layer names, or ErrBadGetMapURL.
func NewTiles(p Params) (*Tiles, error) {
	p = p.normalized()
	p.Layers = append([]string(nil), p.Layers...)
	p.Styles = stylesFor(p.Styles, len(p.Layers))
	p.Dimensions = cloneDimensions(p.Dimensions)
	t := &Tiles{p: p, crs: kindOfCRS(p.CRS), lim: noLimits(), tiled: tiledURL(p.URL)}
	if t.crs == crsUnsupported {
		return nil, fmt.Errorf("%w: cannot draw %s", ErrNoUsableCRS, p.CRS)
	}
	if len(p.Layers) == 0 {
		return nil, errors.New("wms: no WMS layer names")
	}
	req, err := newGetMapRequest(p)
	if err != nil {
		return nil, err
	}
	t.req = req
	return t, nil
}

// Params returns the source's GetMap parameters (a copy).
func (t *Tiles) Params() Params {
	p := t.p
	p.Layers = append([]string(nil), p.Layers...)
	p.Styles = append([]string(nil), p.Styles...)
	p.Dimensions = cloneDimensions(p.Dimensions)
	return p
}

// Key is the GetMap request without BBOX, WIDTH and HEIGHT.
func (t *Tiles) Key() string { return "wms " + t.req.prefix }

// NewTilesFor is NewTiles for layers the capabilities caps describe: the
// source draws nothing outside the union of their GeographicBBox (with a
// margin for symbols) or their scale ranges, and its metatiles are no
// larger than the service's MaxWidth/MaxHeight.
func NewTilesFor(caps *Capabilities, p Params) (*Tiles, error) {
	t, err := NewTiles(p)
	if err != nil {
		return nil, err
	}
	t.lim = limitsFrom(caps, t.p.Layers)
	return t, nil
}

// Tile returns the GetMap for tile t at px x px pixels: in Web Mercator
// the tile's metatile with the tile as its Part (see metatile), in lon/lat
// the tile's box at a height that keeps the finest Mercator row's
// resolution. ok is false, and nothing is asked, outside the source's
// extent or scale range.
func (t *Tiles) Tile(tile layers.Tile, px int) (layers.TileRequest, bool) {
	if !t.lim.inScale(tile.Z, px) || !t.lim.inExtent(tile.Z, tile.X, tile.Y) {
		return layers.TileRequest{}, false
	}
	if t.crs == crsGeographic {
		r := layers.TileRequest{Width: px, Height: px, LonLat: true}
		r.Height = layers.GeographicHeight(tile, px)
		r.URL = t.req.url(tile.LonLatBounds(), r.Width, r.Height)
		return r, true
	}
	if b, ok := t.fit.fitBlock(tile, px, t.lim.maxSide); ok {
		return t.block(tile, px, b), true
	}
	return t.metatile(tile, px, t.metatileSide(px)), true
}

// Merge draws above in the same GetMap (LAYERS=a,b) when it is a WMS layer
// of the same service, version, CRS and format and transparent (an opaque
// layer above would hide the one below when drawn on its own, not when the
// server draws both).
func (t *Tiles) Merge(above layers.TileSource) (layers.TileSource, bool) {
	b, ok := above.(*Tiles)
	if !ok {
		return nil, false
	}
	a := t.p
	if a.URL != b.p.URL || a.Version != b.p.Version || !strings.EqualFold(a.CRS, b.p.CRS) || a.Format != b.p.Format || !b.p.Transparent || a.Metatile != b.p.Metatile ||
		!maps.Equal(a.Dimensions, b.p.Dimensions) {
		return nil, false
	}
	m := a
	m.Layers = append(append([]string(nil), a.Layers...), b.p.Layers...)
	m.Styles = append(append([]string(nil), a.Styles...), b.p.Styles...)
	merged, err := NewTiles(m)
	if err != nil {
		return nil, false
	}
	merged.lim = t.lim.union(b.lim)
	return merged, true
}

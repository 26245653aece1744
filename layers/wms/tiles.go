package wms

import (
	"errors"
	"fmt"
	"strings"

	"mapvault/layers"
)

// Tiles is a WMS layer's tile source: one GetMap per tile of the engine's
// grid, in Web Mercator, or in EPSG:4326/CRS:84 for a layer that offers no
// Mercator CRS (the engine remaps the rows). Adjacent layers of the same
// service, version, CRS and format are drawn by one GetMap (Merge).
type Tiles struct {
	p    Params // normalized; Styles exactly one per layer
	crs  crsKind
	req  getMapRequest
	info *layerInfo // from the capabilities; nil for a source built without them
}

// NewTiles returns the tile source for p: an error wrapping ErrNoUsableCRS
// for a CRS the engine cannot draw, for no layer names, or ErrBadGetMapURL.
func NewTiles(p Params) (*Tiles, error) {
	p = p.normalized()
	p.Layers = append([]string(nil), p.Layers...)
	p.Styles = stylesFor(p.Styles, len(p.Layers))
	t := &Tiles{p: p, crs: kindOfCRS(p.CRS)}
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
	return p
}

// Key is the GetMap request without BBOX, WIDTH and HEIGHT.
func (t *Tiles) Key() string { return "wms " + t.req.prefix }

// Tile returns the GetMap of tile t at px x px pixels: the tile's Mercator
// box, or its lon/lat box at a height that keeps the finest Mercator row's
// resolution.
func (t *Tiles) Tile(tile layers.Tile, px int) (layers.TileRequest, bool) {
	r := layers.TileRequest{Width: px, Height: px}
	if t.crs == crsGeographic {
		r.LonLat = true
		r.Height = layers.GeographicHeight(tile, px)
		r.URL = t.req.url(tile.LonLatBounds(), r.Width, r.Height)
	} else {
		r.URL = t.req.url(tile.MercatorBounds(), r.Width, r.Height)
	}
	return r, true
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
	if a.URL != b.p.URL || a.Version != b.p.Version || !strings.EqualFold(a.CRS, b.p.CRS) || a.Format != b.p.Format || !b.p.Transparent {
		return nil, false
	}
	m := a
	m.Layers = append(append([]string(nil), a.Layers...), b.p.Layers...)
	m.Styles = append(append([]string(nil), a.Styles...), b.p.Styles...)
	merged, err := NewTiles(m)
	if err != nil {
		return nil, false
	}
	return merged, true
}

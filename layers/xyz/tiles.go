package xyz

import (
	"fmt"
	"image"
	"math"
	"strings"

	"mapvault/layers"
	"mapvault/project"
)

// Tiles is an XYZ layer's tile source. The template's tiles are on the
// engine's grid; the engine's tile z/x/y at px device pixels is drawn from
// the server's tile at the zoom whose pixels match px best (a 512-pixel
// tile set one level up at device scale 1, "@2x" tiles with {r} on HiDPI
// screens), never deeper than MaxZoom (over-zoom: a part of the deepest
// tile, scaled) and nothing below MinZoom.
type Tiles struct {
	tmpl       *Template
	minZoom    int
	maxZoom    int
	tileSize   int
	subdomains []string
}

// NewTiles returns the source for a template and its layer's fields. With
// pinned set (the layer sends a credential, which goes to one origin only)
// every tile is asked of the first subdomain; otherwise tiles are spread
// over the subdomains by column and row, as Leaflet does.
func NewTiles(template string, f project.XYZ, pinned bool) (*Tiles, error) {
	tmpl, err := ParseTemplate(template)
	if err != nil {
		return nil, err
	}
	subs := f.EffectiveSubdomains()
	if pinned || !tmpl.HasSubdomain() {
		subs = subs[:1]
	}
	return &Tiles{tmpl: tmpl, minZoom: f.MinZoom, maxZoom: f.EffectiveMaxZoom(), tileSize: f.EffectiveTileSize(), subdomains: subs}, nil
}

// Key names the template and everything that changes its tiles.
func (s *Tiles) Key() string {
	return fmt.Sprintf("xyz %s z%d-%d %dpx %s", s.tmpl.raw, s.minZoom, s.maxZoom, s.tileSize, strings.Join(s.subdomains, ","))
}

// Tile returns the request for the engine's tile t at px x px device
// pixels: the server tile covering it (t itself, or an ancestor when the
// server's tiles have more pixels than px or t is deeper than MaxZoom) and
// the part of it that is t. A 404 answer is an empty tile.
func (s *Tiles) Tile(t layers.Tile, px int) (layers.TileRequest, bool) {
	retina := s.tmpl.has[phR] && px >= 3*layers.TileSize/2
	size := s.tileSize
	if retina || s.tmpl.hiDPI {
		size *= 2
	}
	d := 0 // levels up from t to the server tile
	if px > 0 && size > px {
		d = int(math.Round(math.Log2(float64(size) / float64(px))))
	}
	d = min(d, t.Z)
	if t.Z-d > s.maxZoom {
		d = t.Z - s.maxZoom
	}
	k := t.Z - d
	if k < s.minZoom {
		return layers.TileRequest{}, false
	}
	p := t.Parent(d)
	sub := s.subdomains[(p.X+p.Y)%len(s.subdomains)]
	r := layers.TileRequest{
		URL:           s.tmpl.URL(k, p.X, p.Y, sub, retina),
		Width:         size,
		Height:        size,
		MaxSide:       min(2*size, 2048),
		NotFoundEmpty: true,
	}
	if d > 0 {
		ox, oy := t.X-p.X<<d, t.Y-p.Y<<d
		x0, y0 := ox*size>>d, oy*size>>d
		x1, y1 := max((ox+1)*size>>d, x0+1), max((oy+1)*size>>d, y0+1)
		r.Part = image.Rect(x0, y0, x1, y1)
	}
	return r, true
}

package layers

import (
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
)

// testTiles is the engine tests' raster source: GetMap-like requests that
// fakeWMS answers, merged like WMS layers (same base, CRS; the upper one
// transparent). The real WMS source is package wms's, tested against the
// engine there.
type testTiles struct {
	base        string   // URL up to and including "?..."
	names       []string // LAYERS
	crs         string   // "EPSG:3857" or "EPSG:4326"
	transparent bool
}

func (s testTiles) Key() string { return s.base + " " + strings.Join(s.names, ",") + " " + s.crs }

func (s testTiles) Tile(t Tile, px int) (TileRequest, bool) {
	r := TileRequest{Width: px, Height: px}
	var bb *geom.Bounds
	var coords [4]float64
	if s.crs == "EPSG:4326" {
		r.LonLat = true
		r.Height = GeographicHeight(t, px)
		bb = t.LonLatBounds()
		coords = [4]float64{bb.Min(1), bb.Min(0), bb.Max(1), bb.Max(0)} // 1.3.0: lat, lon
	} else {
		bb = t.MercatorBounds()
		coords = [4]float64{bb.Min(0), bb.Min(1), bb.Max(0), bb.Max(1)}
	}
	var b strings.Builder
	b.WriteString(s.base)
	b.WriteString("&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + strings.Join(s.names, ",") + "&STYLES=&CRS=" + s.crs + "&FORMAT=image/png&BBOX=")
	for i, c := range coords {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(c, 'f', 9, 64))
	}
	b.WriteString("&WIDTH=" + strconv.Itoa(r.Width) + "&HEIGHT=" + strconv.Itoa(r.Height))
	r.URL = b.String()
	return r, true
}

func (s testTiles) Merge(above TileSource) (TileSource, bool) {
	b, ok := above.(testTiles)
	if !ok || b.base != s.base || b.crs != s.crs || !b.transparent {
		return nil, false
	}
	m := s
	m.names = append(append([]string(nil), s.names...), b.names...)
	return m, true
}

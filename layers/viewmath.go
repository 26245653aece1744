package layers

import (
	"math"

	"github.com/twpayne/go-geom"
)

// OGCPixelMetres is the OGC standardized rendering pixel (0.28 mm) that map
// scales are computed for.
const OGCPixelMetres = 0.00028

// WorldSize is the side of the whole Web Mercator world in logical pixels
// at a (fractional) zoom.
func WorldSize(zoom float64) float64 { return TileSize * math.Exp2(zoom) }

// WorldPixel returns lon/lat as logical pixel coordinates of the world at
// zoom, origin at the north-west corner (lon -180, lat MaxLat). Latitudes
// beyond ±MaxLat are clamped.
func WorldPixel(lon, lat, zoom float64) (x, y float64) {
	fx, fy := worldFraction(lon, lat)
	ws := WorldSize(zoom)
	return fx * ws, fy * ws
}

// LonLatAtWorldPixel is the inverse of WorldPixel: lon is wrapped to
// [-180, 180) and lat clamped to ±MaxLat.
func LonLatAtWorldPixel(x, y, zoom float64) (lon, lat float64) {
	ws := WorldSize(zoom)
	lon = WrapLon(x/ws*360 - 180)
	lat = clamp(latOfFraction(y/ws), -MaxLat, MaxLat)
	return lon, lat
}

// WrapLon wraps a longitude into [-180, 180).
func WrapLon(lon float64) float64 { return wrapLon(lon) }

// ScaleDenominator returns N of the map scale 1:N at latitude lat and zoom,
// for the OGC standard pixel.
func ScaleDenominator(lat, zoom float64) float64 {
	metresPerPixel := 2 * math.Pi * EarthRadius * math.Cos(lat*math.Pi/180) / WorldSize(zoom)
	return metresPerPixel / OGCPixelMetres
}

// FitBounds returns the centre and zoom that show the lon/lat box b inside a
// w x h view (logical pixels) with a small margin, as "zoom to layer" does.
// A box whose east edge is west of its west edge crosses the antimeridian.
// The zoom is floored to a quarter level and kept within [0, maxZoom].
func FitBounds(b *geom.Bounds, w, h, maxZoom float64) (lon, lat, zoom float64) {
	west, south, east, north := b.Min(0), b.Min(1), b.Max(0), b.Max(1)
	if east < west {
		east += 360
	}
	x0, y0 := WorldPixel(west, north, 0)
	x1, y1 := WorldPixel(east, south, 0)
	cx, cy := (x0+x1)/2, (y0+y1)/2
	dx, dy := math.Max(x1-x0, 1e-9), math.Max(y1-y0, 1e-9)
	const margin = 0.9
	zoom = math.Log2(math.Min(w*margin/dx, h*margin/dy))
	zoom = clamp(math.Floor(zoom*4)/4, 0, maxZoom)
	lon, lat = LonLatAtWorldPixel(cx, cy, 0)
	return lon, lat, zoom
}

// LonLatAt returns the map position of the logical pixel (x, y) of v,
// counted from its top-left corner.
func (v View) LonLatAt(x, y float64) (lon, lat float64) {
	cx, cy := WorldPixel(v.CenterLon, v.CenterLat, v.Zoom)
	lon, lat = LonLatAtWorldPixel(cx+x-float64(v.Width)/2, cy+y-float64(v.Height)/2, v.Zoom)
	return WrapLon(lon), lat
}

// PixelAt returns the logical pixel of v, from its top-left corner, where
// lon/lat is drawn (the inverse of LonLatAt, without wrapping).
func (v View) PixelAt(lon, lat float64) (x, y float64) {
	cx, cy := WorldPixel(v.CenterLon, v.CenterLat, v.Zoom)
	px, py := WorldPixel(lon, lat, v.Zoom)
	return px - cx + float64(v.Width)/2, py - cy + float64(v.Height)/2
}

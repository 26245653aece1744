package vector

import "math"

// Projector maps longitude/latitude degrees (EPSG:4326, x = east) to pixel
// coordinates of the destination image: x right, y down, in the image's
// own coordinate space (dst.Bounds()).
type Projector interface {
	Project(lon, lat float64) (x, y float64)
}

// ProjectorFunc adapts a function to Projector. The renderer calls it once
// per vertex per frame; prefer WebMercator for the engine's views.
type ProjectorFunc func(lon, lat float64) (x, y float64)

// Project calls f.
func (f ProjectorFunc) Project(lon, lat float64) (x, y float64) { return f(lon, lat) }

// TileSize is the side of a Web Mercator tile in logical pixels; the world
// is TileSize·2^zoom pixels wide at a zoom.
const TileSize = 256

// WebMercator is the engine's view: an affine map of the unit Web Mercator
// world, pixel = unit·Scale − Origin, where unit is (0, 0) at the
// north-west corner of the world (lon −180, lat 85.0511) and (1, 1) at the
// south-east one. The renderer recognises it and draws from coordinates it
// projected once per Layer, so panning and zooming cost one multiply-add
// per vertex. Views wider than the world draw every copy of a feature.
type WebMercator struct {
	Scale   float64 // the world's width in pixels: TileSize·2^zoom
	OriginX float64 // world pixel drawn at image x = 0
	OriginY float64 // world pixel drawn at image y = 0
}

// NewWebMercator returns the view of a width × height pixel image centred
// on lon/lat at a (fractional) zoom. For a HiDPI frame pass the size in
// device pixels and zoom + log2(device scale).
func NewWebMercator(centerLon, centerLat, zoom float64, width, height int) WebMercator {
	s := TileSize * math.Exp2(zoom)
	ux, uy := unitMercator(centerLon, centerLat)
	return WebMercator{Scale: s, OriginX: ux*s - float64(width)/2, OriginY: uy*s - float64(height)/2}
}

// Project maps lon/lat to image pixels.
func (m WebMercator) Project(lon, lat float64) (x, y float64) {
	ux, uy := unitMercator(lon, lat)
	return ux*m.Scale - m.OriginX, uy*m.Scale - m.OriginY
}

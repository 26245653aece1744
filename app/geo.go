package app

import (
	"math"
	"strconv"
)

// Web Mercator helpers for the map view. The engine owns tile math; the view
// only needs to turn a cursor position into lon/lat, pan by pixels and show
// a scale.

const (
	tileSize      = 256.0
	maxMercLat    = 85.05112878
	minZoom       = 0.0
	maxZoom       = 20.0
	earthRadius   = 6378137.0
	ogcPixelMetre = 0.00028 // OGC standardized rendering pixel (0.28 mm)
)

// worldSize is the width of the whole world in logical pixels at zoom.
func worldSize(zoom float64) float64 { return tileSize * math.Exp2(zoom) }

// lonLatToWorld converts lon/lat to world pixel coordinates at zoom.
func lonLatToWorld(lon, lat, zoom float64) (x, y float64) {
	lat = clamp(lat, -maxMercLat, maxMercLat)
	ws := worldSize(zoom)
	x = (lon + 180) / 360 * ws
	s := math.Sin(lat * math.Pi / 180)
	y = (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * ws
	return x, y
}

// worldToLonLat is the inverse of lonLatToWorld; lon is wrapped to
// [-180, 180) and lat clamped to the mercator range.
func worldToLonLat(x, y, zoom float64) (lon, lat float64) {
	ws := worldSize(zoom)
	lon = wrapLon(x/ws*360 - 180)
	n := math.Pi - 2*math.Pi*y/ws
	lat = 180 / math.Pi * math.Atan(math.Sinh(n))
	return lon, clamp(lat, -maxMercLat, maxMercLat)
}

// wrapLon wraps a longitude to [-180, 180).
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// scaleDenominator returns N of the map scale 1:N at latitude lat and zoom,
// for the OGC standard pixel of 0.28 mm.
func scaleDenominator(lat, zoom float64) float64 {
	mpp := 2 * math.Pi * earthRadius * math.Cos(lat*math.Pi/180) / worldSize(zoom)
	return mpp / ogcPixelMetre
}

// formatScale renders 1:N rounded to three significant digits with
// thousands separators: "1:13,900,000".
func formatScale(n float64) string {
	if n < 1 || math.IsNaN(n) || math.IsInf(n, 0) {
		return "1:1"
	}
	mag := math.Pow(10, math.Floor(math.Log10(n))-2)
	if mag < 1 {
		mag = 1
	}
	r := int64(math.Round(n/mag) * mag)
	s := strconv.FormatInt(r, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return "1:" + string(out)
}

// formatLonLat renders a cursor position as "51.5012° N, 3.9000° E".
func formatLonLat(lon, lat float64) string {
	ns, ew := "N", "E"
	if lat < 0 {
		ns, lat = "S", -lat
	}
	if lon < 0 {
		ew, lon = "W", -lon
	}
	return strconv.FormatFloat(lat, 'f', 4, 64) + "° " + ns + ", " +
		strconv.FormatFloat(lon, 'f', 4, 64) + "° " + ew
}

// fitBounds returns the centre and zoom that show the lon/lat box
// (west, south, east, north) inside a w x h view (logical pixels), with a
// small margin. The zoom is floored to a quarter level.
func fitBounds(w, h, west, south, east, north float64) (lon, lat, zoom float64) {
	if east < west {
		east += 360 // box across the antimeridian
	}
	x0, y0 := lonLatToWorld(west, north, 0)
	x1, y1 := lonLatToWorld(east, south, 0)
	cx, cy := (x0+x1)/2, (y0+y1)/2
	dx, dy := math.Max(x1-x0, 1e-9), math.Max(y1-y0, 1e-9)
	const margin = 0.9
	zoom = math.Log2(math.Min(w*margin/dx, h*margin/dy))
	zoom = clamp(math.Floor(zoom*4)/4, minZoom, maxZoom)
	lon, lat = worldToLonLat(cx, cy, 0)
	return lon, lat, zoom
}

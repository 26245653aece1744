package app

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"mapvault/layers"
)

// coordFormat is how the status bar writes a map position.
type coordFormat string

const (
	coordDD       coordFormat = "dd"   // decimal degrees: 4.50000°, 50.60000°
	coordDMS      coordFormat = "dms"  // 4°30′00.0″E 50°36′00.0″N
	coordMercator coordFormat = "3857" // the view CRS, EPSG:3857 metres: x, y
)

// coordFormats are the formats in the order the status bar offers them,
// with their labels.
var coordFormats = []struct {
	f     coordFormat
	label string
}{
	{coordDD, "Degrees"},
	{coordDMS, "D° M′ S″"},
	{coordMercator, "EPSG:3857 (m)"},
}

// prefCoordFormat is the preference holding the chosen coordFormat.
const prefCoordFormat = "coordinateFormat"

// parseCoordFormat reads a stored preference; anything unknown is DD.
func parseCoordFormat(s string) coordFormat {
	for _, c := range coordFormats {
		if string(c.f) == s {
			return c.f
		}
	}
	return coordDD
}

// formatCoord writes lon/lat in format f, longitude (x) first.
func formatCoord(f coordFormat, lon, lat float64) string {
	switch f {
	case coordDMS:
		return formatDMS(lon, "E", "W") + " " + formatDMS(lat, "N", "S")
	case coordMercator:
		x, y := layers.LonLatToMercator(lon, lat)
		return strconv.FormatFloat(x, 'f', 2, 64) + ", " + strconv.FormatFloat(y, 'f', 2, 64)
	default:
		return strconv.FormatFloat(lon, 'f', 5, 64) + "°, " + strconv.FormatFloat(lat, 'f', 5, 64) + "°"
	}
}

// formatDMS writes an angle as degrees, minutes and seconds to a tenth of
// a second, followed by pos or neg for its sign. The rounding is done on
// the whole angle, so 59.99995″ carries into the minutes (and 59′60″ into
// the degrees); an angle that rounds to zero is positive.
func formatDMS(v float64, pos, neg string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "?"
	}
	hemi := pos
	if v < 0 {
		hemi, v = neg, -v
	}
	tenths := int64(math.Round(v * 36000)) // tenths of a second
	if tenths == 0 {
		hemi = pos
	}
	deg := tenths / 36000
	min := tenths % 36000 / 600
	sec := tenths % 600
	return strconv.FormatInt(deg, 10) + "°" + pad2(min) + "′" + pad2(sec/10) + "." + strconv.FormatInt(sec%10, 10) + "″" + hemi
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// errBadScale: the text given as a map scale is not one.
var errBadScale = errors.New("enter a scale as 1:25000 or 25000")

// parseScale reads a map scale denominator from "1:25000", "1 : 25 000",
// "1:25,000" or "25000". It must be a finite number of at least 1.
func parseScale(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if left, right, ok := strings.Cut(s, ":"); ok {
		if strings.TrimSpace(left) != "1" {
			return 0, errBadScale
		}
		s = right
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', ',', '\u00a0', '\u202f', '\'', '_':
			return -1 // thousands separators
		}
		return r
	}, s)
	if s == "" {
		return 0, errBadScale
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return 0, errBadScale
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || n < 1 {
		return 0, errBadScale
	}
	return n, nil
}

// zoomForScale is the zoom at which the map scale at latitude lat is 1:n
// (layers.ScaleDenominator halves with each zoom level).
func zoomForScale(n, lat float64) float64 {
	return math.Log2(layers.ScaleDenominator(lat, 0) / n)
}

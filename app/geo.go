package app

import (
	"math"
	"strconv"
)

// The view's Web Mercator math (world pixels, scale, fitting a box) is the
// engine's: package layers. This file only formats what the status bar shows.

const (
	minZoom = 0.0
	maxZoom = 20.0
)

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

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

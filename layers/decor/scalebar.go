package decor

import (
	"image"
	"image/color"
	"math"
	"strconv"
)

// earthCircumferencePx is the ground length in metres of one pixel at the
// equator at zoom 0 of the 256-pixel Web Mercator tile pyramid.
const earthCircumferencePx = 156543.03392804097

// MetersPerPixel returns the ground resolution of Web Mercator (EPSG:3857)
// at a zoom level (fractional allowed) and a latitude in degrees, in metres
// per logical pixel of a 256-pixel tile grid.
func MetersPerPixel(zoom, lat float64) float64 {
	return earthCircumferencePx * math.Cos(lat*math.Pi/180) / math.Pow(2, zoom)
}

// NiceScaleBar picks the longest "nice" ground length (1, 2 or 5 × 10^n
// metres) whose bar is at most maxPx pixels long at metersPerPixel metres per
// pixel, and returns it with the bar length in pixels and its label ("500 m",
// "20 km", "50 cm"). The bar is then longer than maxPx/2.5. Non-finite or
// non-positive input, or a length below a millimetre, gives zeros and "".
func NiceScaleBar(metersPerPixel, maxPx float64) (meters, px float64, label string) {
	if !(metersPerPixel > 0) || !(maxPx > 0) || math.IsInf(metersPerPixel, 0) || math.IsInf(maxPx, 0) {
		return 0, 0, ""
	}
	limit := metersPerPixel * maxPx
	if math.IsInf(limit, 0) || limit < 1e-3 {
		return 0, 0, ""
	}
	n := int(math.Floor(math.Log10(limit)))
	digit := 1
	for _, d := range []int{5, 2, 1} {
		if float64(d)*math.Pow10(n) <= limit*(1+1e-12) {
			digit = d
			break
		}
	}
	// Floating point may put limit just under a power of ten.
	if float64(digit)*math.Pow10(n) > limit*(1+1e-12) {
		n--
		digit = 5
	}
	if n < -3 {
		return 0, 0, ""
	}
	meters = float64(digit) * math.Pow10(n)
	return meters, meters / metersPerPixel, scaleLabel(digit, n)
}

// scaleLabel writes digit × 10^n metres in km, m, cm or mm.
func scaleLabel(digit, n int) string {
	unit, shift := "m", 0
	switch {
	case n >= 3:
		unit, shift = "km", -3
	case n >= 0:
	case n >= -2:
		unit, shift = "cm", 2
	default:
		unit, shift = "mm", 3
	}
	e := n + shift
	if e > 15 {
		return strconv.FormatFloat(float64(digit)*math.Pow10(e), 'g', 3, 64) + " " + unit
	}
	v := int64(digit)
	for ; e > 0; e-- {
		v *= 10
	}
	return strconv.FormatInt(v, 10) + " " + unit
}

// Scale bar layout in logical pixels.
const (
	scaleBarMaxPx   = 150
	scaleBarMinPx   = 20
	scaleBarHeight  = 6
	scaleBarText    = 11
	scaleBarTextGap = 2
)

// drawScaleBar draws the bar with its bottom-left corner at (x, bottom),
// never wider than maxW device pixels including its labels.
func (p *Painter) drawScaleBar(dst *image.RGBA, x, bottom int, mpp, s float64, maxW int) {
	f := p.face(scaleBarText*s, false)
	halo := int(math.Max(1, math.Round(s)))
	// Leave room for half of a wide end label past the end of the bar.
	room := float64(maxW-textWidth(f, "0000 km")/2-halo) / s
	maxPx := math.Min(scaleBarMaxPx, room)
	if maxPx < scaleBarMinPx {
		return
	}
	_, px, label := NiceScaleBar(mpp, maxPx)
	if label == "" || px < 1 {
		return
	}
	barW := px * s
	barH := scaleBarHeight * s
	x0, y1 := float64(x), float64(bottom)
	y0 := y1 - barH

	segs := 4
	if label[0] == '5' {
		segs = 5
	}
	black := color.NRGBA{0, 0, 0, 255}
	white := color.NRGBA{255, 255, 255, 255}
	fillPolys(dst, [][]pt{rectPoly(x0, y0, x0+barW, y1)}, white)
	var dark [][]pt
	for i := 0; i < segs; i += 2 {
		a := x0 + barW*float64(i)/float64(segs)
		b := x0 + barW*float64(i+1)/float64(segs)
		dark = append(dark, rectPoly(a, y0, b, y1))
	}
	fillPolys(dst, dark, black)
	fillPolys(dst, ringPolys(x0, y0, x0+barW, y1, math.Max(1, s)), black)

	ty := int(math.Floor(y0-scaleBarTextGap*s)) - lineHeight(f)
	zw := textWidth(f, "0")
	drawHalo(dst, f, x-zw/2, ty, "0", black, white, halo)
	lw := textWidth(f, label)
	drawHalo(dst, f, x+int(math.Round(barW))-lw/2, ty, label, black, white, halo)
}

package decor

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/draw"
	"golang.org/x/image/vector"
)

type pt struct{ x, y float64 }

// fillPolys fills the closed polygons with c, antialiased, composited over
// dst. Overlapping polygons of the same orientation merge; a polygon of the
// opposite orientation inside another cuts a hole.
func fillPolys(dst *image.RGBA, polys [][]pt, c color.Color) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, poly := range polys {
		for _, q := range poly {
			if math.IsNaN(q.x) || math.IsNaN(q.y) || math.IsInf(q.x, 0) || math.IsInf(q.y, 0) {
				return
			}
			minX, maxX = math.Min(minX, q.x), math.Max(maxX, q.x)
			minY, maxY = math.Min(minY, q.y), math.Max(maxY, q.y)
		}
	}
	if minX > maxX {
		return
	}
	b := dst.Bounds()
	// Clamp before converting so that far-away points cannot overflow.
	clampX := func(v float64) int { return int(math.Max(float64(b.Min.X), math.Min(float64(b.Max.X), v))) }
	clampY := func(v float64) int { return int(math.Max(float64(b.Min.Y), math.Min(float64(b.Max.Y), v))) }
	r := image.Rect(clampX(math.Floor(minX)), clampY(math.Floor(minY)), clampX(math.Ceil(maxX)), clampY(math.Ceil(maxY)))
	if r.Empty() {
		return
	}
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, poly := range polys {
		if len(poly) < 3 {
			continue
		}
		z.MoveTo(float32(poly[0].x-ox), float32(poly[0].y-oy))
		for _, q := range poly[1:] {
			z.LineTo(float32(q.x-ox), float32(q.y-oy))
		}
		z.ClosePath()
	}
	z.DrawOp = draw.Over
	z.Draw(dst, r, image.NewUniform(c), image.Point{})
}

// fillRect fills the integer rectangle r with c, composited over dst.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
}

// frameRect draws a border w pixels wide just inside r.
func frameRect(dst *image.RGBA, r image.Rectangle, w int, c color.Color) {
	if w < 1 {
		w = 1
	}
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fillRect(dst, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y+w, r.Min.X+w, r.Max.Y-w), c)
	fillRect(dst, image.Rect(r.Max.X-w, r.Min.Y+w, r.Max.X, r.Max.Y-w), c)
}

func signedArea(poly []pt) float64 {
	a := 0.0
	for i := range poly {
		j := (i + 1) % len(poly)
		a += poly[i].x*poly[j].y - poly[j].x*poly[i].y
	}
	return a / 2
}

// oriented returns poly with a positive signed area (clockwise on screen),
// or reversed when positive is false.
func oriented(poly []pt, positive bool) []pt {
	if (signedArea(poly) >= 0) == positive {
		return poly
	}
	out := make([]pt, len(poly))
	for i, q := range poly {
		out[len(poly)-1-i] = q
	}
	return out
}

func rectPoly(x0, y0, x1, y1 float64) []pt {
	return oriented([]pt{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, true)
}

// ringPolys is the outline of a rectangle, w wide, inside its edges.
func ringPolys(x0, y0, x1, y1, w float64) [][]pt {
	outer := rectPoly(x0, y0, x1, y1)
	if x1-x0 <= 2*w || y1-y0 <= 2*w {
		return [][]pt{outer}
	}
	inner := oriented([]pt{{x0 + w, y0 + w}, {x1 - w, y0 + w}, {x1 - w, y1 - w}, {x0 + w, y1 - w}}, false)
	return [][]pt{outer, inner}
}

func circlePoly(cx, cy, r float64) []pt {
	n := int(math.Max(12, math.Min(64, r*4)))
	poly := make([]pt, n)
	for i := range poly {
		a := 2 * math.Pi * float64(i) / float64(n)
		poly[i] = pt{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return oriented(poly, true)
}

// strokePolys outlines the polyline through pts with a pen w wide and round
// joins; closed adds the segment back to the first point.
func strokePolys(pts []pt, w float64, closed bool) [][]pt {
	var out [][]pt
	h := w / 2
	n := len(pts)
	segs := n - 1
	if closed {
		segs = n
	}
	for i := 0; i < segs; i++ {
		a, b := pts[i], pts[(i+1)%n]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*h, dx/l*h
		out = append(out, oriented([]pt{{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}}, true))
	}
	if w > 1.5 {
		for _, q := range pts {
			out = append(out, circlePoly(q.x, q.y, h))
		}
	}
	return out
}

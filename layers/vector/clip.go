package vector

// clipRing clips a closed ring of flat x, y pairs to the rectangle c
// (Sutherland-Hodgman, one pass per edge; the rectangle is convex, so the
// result is one ring, possibly with zero-width bridges along the edges,
// which fill nothing). It ping-pongs between in and tmp and returns the
// result, which aliases one of them.
func clipRing(in, tmp []float64, c box) (out, spare []float64) {
	for edge := range 4 {
		tmp = clipEdge(in, tmp[:0], c, edge)
		in, tmp = tmp, in
		if len(in) == 0 {
			break
		}
	}
	return in, tmp
}

// inside reports whether x, y is inside edge e of c (0 left, 1 right,
// 2 top, 3 bottom).
func insideEdge(x, y float64, c box, e int) bool {
	switch e {
	case 0:
		return x >= c.minX
	case 1:
		return x <= c.maxX
	case 2:
		return y >= c.minY
	}
	return y <= c.maxY
}

// cutEdge returns where a-b crosses edge e of c.
func cutEdge(ax, ay, bx, by float64, c box, e int) (float64, float64) {
	switch e {
	case 0:
		return c.minX, ay + (c.minX-ax)*(by-ay)/(bx-ax)
	case 1:
		return c.maxX, ay + (c.maxX-ax)*(by-ay)/(bx-ax)
	case 2:
		return ax + (c.minY-ay)*(bx-ax)/(by-ay), c.minY
	}
	return ax + (c.maxY-ay)*(bx-ax)/(by-ay), c.maxY
}

// clipEdge clips a closed ring against one edge of c, appending to out.
func clipEdge(pts, out []float64, c box, e int) []float64 {
	n := len(pts) / 2
	if n == 0 {
		return out
	}
	ax, ay := pts[2*n-2], pts[2*n-1]
	ain := insideEdge(ax, ay, c, e)
	for i := range n {
		bx, by := pts[2*i], pts[2*i+1]
		bin := insideEdge(bx, by, c, e)
		if bin != ain {
			x, y := cutEdge(ax, ay, bx, by, c, e)
			out = append(out, x, y)
		}
		if bin {
			out = append(out, bx, by)
		}
		ax, ay, ain = bx, by, bin
	}
	return out
}

// clipSegment clips the segment a-b to the rectangle c (Liang-Barsky).
func clipSegment(ax, ay, bx, by float64, c box) (float64, float64, float64, float64, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := bx-ax, by-ay
	for _, e := range [4][2]float64{
		{-dx, ax - c.minX}, {dx, c.maxX - ax},
		{-dy, ay - c.minY}, {dy, c.maxY - ay},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return 0, 0, 0, 0, false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return 0, 0, 0, 0, false
			}
			t1 = min(t1, t)
		}
	}
	return ax + t0*dx, ay + t0*dy, ax + t1*dx, ay + t1*dy, true
}

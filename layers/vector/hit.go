package vector

import (
	"math"
	"slices"
	"strings"
)

// maxHitPx bounds the tolerance and radius Hit accepts, in logical pixels:
// anything larger is as good as "anywhere" and keeps the arithmetic finite.
const maxHitPx = 1e9

// maxHitShift bounds the world copies Hit tries for one feature: positions
// lie within ±maxLon degrees (unit x in [-1.5, 2.5]) and the clicked point
// is brought into [0, 1), so shifts beyond ±3 worlds never meet a feature.
const maxHitShift = 3

// Hit returns the indexes (into l.Features()) of the features drawn under
// the point (lon, lat) at zoom, topmost first (the renderer draws in
// order, so the last drawn is on top): a polygon when the point is inside
// it (non-zero winding of its oriented rings, as the renderer fills, so
// holes are excluded) or within tolerancePx logical pixels of its outline;
// a line within tolerancePx of it; a point within max(tolerancePx,
// radiusPx) of it. At most max results; none when max <= 0.
//
// The world is TileSize·2^zoom logical pixels wide at zoom, as for
// NewWebMercator. A feature is hit through any of its world copies, so a
// click east of the antimeridian finds a feature written in the 0..360
// convention and the other way round. Hit ignores styles: a feature a
// categorised style leaves undrawn, or a polygon without a fill, is still
// reported. A ZoomInLayer, an empty layer and a non-finite point or zoom
// give nil. Like drawing, Hit is safe from several goroutines.
func (l *Layer) Hit(lon, lat, zoom, tolerancePx, radiusPx float64, max int) []int {
	if l == nil || l.zoomIn != nil || len(l.items) == 0 || max <= 0 {
		return nil
	}
	if math.IsNaN(lon) || math.IsInf(lon, 0) || math.IsNaN(lat) || math.IsInf(lat, 0) {
		return nil
	}
	s := TileSize * math.Exp2(zoom)
	if !(s > 0 && s <= maxScale) {
		return nil
	}
	h := hitter{l: l, s: s, tol: hitPx(tolerancePx)}
	h.rad = math.Max(h.tol, hitPx(radiusPx))
	qx, qy := unitMercator(lon, lat)
	qx -= math.Floor(qx)
	var out []int
	for i := len(l.items) - 1; i >= 0; i-- {
		it := &l.items[i]
		pad := h.tol / s
		if it.points.end > it.points.start {
			pad = h.rad / s
		}
		b := &it.box
		if !(qy >= b.minY-pad && qy <= b.maxY+pad) {
			continue
		}
		k0 := math.Max(math.Ceil(b.minX-pad-qx), -maxHitShift)
		k1 := math.Min(math.Floor(b.maxX+pad-qx), maxHitShift)
		for k := k0; k <= k1; k++ {
			if h.item(it, qx+k, qy) {
				out = append(out, int(it.feature))
				break
			}
		}
		if len(out) >= max {
			break
		}
	}
	return out
}

// hitPx is a tolerance or radius as Hit uses it: finite, 0..maxHitPx.
func hitPx(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Min(v, maxHitPx)
}

// hitter tests items against one clicked point.
type hitter struct {
	l   *Layer
	s   float64 // pixels per unit (the world's width)
	tol float64 // pixels, for outlines and lines
	rad float64 // pixels, for points
}

// item reports whether it is hit at unit position (x, y) (one world copy).
func (h *hitter) item(it *item, x, y float64) bool {
	l := h.l
	tolU := h.tol / h.s
	winding := 0
	for pi := it.rings.start; pi < it.rings.end; pi++ {
		p := &l.paths[pi]
		in, near := h.pathNear(p, x, y, tolU)
		if !in && !near {
			continue
		}
		w, hit := h.path(p, x, y, true, in)
		if hit {
			return true
		}
		winding += w
	}
	if winding != 0 {
		return true
	}
	for pi := it.lines.start; pi < it.lines.end; pi++ {
		p := &l.paths[pi]
		if _, near := h.pathNear(p, x, y, tolU); near {
			if _, hit := h.path(p, x, y, false, false); hit {
				return true
			}
		}
	}
	r2 := h.rad * h.rad
	for i := it.points.start; i < it.points.end; i++ {
		dx, dy := (l.unit[2*i]-x)*h.s, (l.unit[2*i+1]-y)*h.s
		if dx*dx+dy*dy <= r2 {
			return true
		}
	}
	return false
}

// pathNear reports whether (x, y) is inside the path's box (where it may
// wind around the point) and within tolU of it (where it may be near).
func (h *hitter) pathNear(p *path, x, y, tolU float64) (in, near bool) {
	b := &p.box
	near = x >= b.minX-tolU && x <= b.maxX+tolU && y >= b.minY-tolU && y <= b.maxY+tolU
	in = near && x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY
	return in, near
}

// path walks the segments of p, closed for a ring, in pixels relative to
// (x, y): it reports hit when one is within the tolerance, and otherwise,
// when winding is asked for, the winding number of the path around the
// point.
func (h *hitter) path(p *path, x, y float64, closed, winding bool) (int, bool) {
	u := h.l.unit
	s := h.s
	t2 := h.tol * h.tol
	wn := 0
	start := p.start
	ax, ay := (u[2*start]-x)*s, (u[2*start+1]-y)*s
	if ax*ax+ay*ay <= t2 {
		return 0, true
	}
	end := p.end
	if closed {
		end++ // the closing segment back to the first position
	}
	for i := start + 1; i < end; i++ {
		j := i
		if j == p.end {
			j = start
		}
		bx, by := (u[2*j]-x)*s, (u[2*j+1]-y)*s
		if segmentDist2(ax, ay, bx, by) <= t2 {
			return 0, true
		}
		if winding {
			// Upward and downward crossings of the ray from the point
			// towards +x, by the side of the segment the point is on.
			if ay <= 0 {
				if by > 0 && ax*by-bx*ay > 0 {
					wn++
				}
			} else if by <= 0 && ax*by-bx*ay < 0 {
				wn--
			}
		}
		ax, ay = bx, by
	}
	return wn, false
}

// segmentDist2 is the squared distance from the origin to the segment
// (ax, ay)–(bx, by).
func segmentDist2(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	d2 := dx*dx + dy*dy
	t := 0.0
	if d2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/d2))
	}
	px, py := ax+t*dx, ay+t*dy
	return px*px + py*py
}

// Property is one attribute of a feature, for display and output.
type Property struct {
	Name  string
	Value any
}

// SortedProperties returns the feature's attributes sorted by name, the
// values as the parser gave them (see Feature); nil when it has none.
func (f *Feature) SortedProperties() []Property {
	if len(f.Properties) == 0 {
		return nil
	}
	out := make([]Property, 0, len(f.Properties))
	for k, v := range f.Properties {
		out = append(out, Property{Name: k, Value: v})
	}
	slices.SortFunc(out, func(a, b Property) int { return strings.Compare(a.Name, b.Name) })
	return out
}

package demo

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// margin is how far (in pixels) outside the image geometry is kept when
// clipping, so strokes and anti-aliasing at the edges stay right.
const margin = 4

// style says how a layer draws its features.
type style struct {
	fill        func(name string) color.NRGBA // nil: no fill
	stroke      color.NRGBA                   // zero alpha: no stroke
	strokeWidth float64                       // in pixels
}

// view maps request CRS coordinates to the pixels of one image.
type view struct {
	box        bounds // the request box in the request CRS, x east, y north
	merc       bool   // true: the CRS is EPSG:3857, else lon/lat
	w, h       int
	sx, sy     float64 // pixels per CRS unit
	clip       bounds  // the pixel rectangle geometry is clipped to
	z          *vector.Rasterizer
	mask       []uint8   // coverage of the current feature
	ring, quad []float64 // scratch buffers
}

func newView(box bounds, merc bool, w, h int) *view {
	return &view{
		box:  box,
		merc: merc,
		w:    w,
		h:    h,
		sx:   float64(w) / (box.maxX - box.minX),
		sy:   float64(h) / (box.maxY - box.minY),
		clip: bounds{-margin, -margin, float64(w) + margin, float64(h) + margin},
		z:    vector.NewRasterizer(1, 1),
		mask: make([]uint8, w*h),
	}
}

func (v *view) pixel(x, y float64) (px, py float64) {
	return (x - v.box.minX) * v.sx, (v.box.maxY - y) * v.sy
}

// paths returns the shape's paths and bounds in the view's CRS.
func (v *view) paths(s *shape) ([]path, bounds) {
	if v.merc {
		return s.merc, s.mercBox
	}
	return s.lonLat, s.lonLatBox
}

// draw renders every feature of ds with st onto img.
func (v *view) draw(img *image.RGBA, ds *dataset, st style) {
	for i := range ds.features {
		f := &ds.features[i]
		if st.fill != nil {
			v.fillFeature(img, f, st.fill(f.name))
		}
		if st.stroke.A > 0 && st.strokeWidth > 0 {
			v.strokeFeature(img, f, st.stroke, st.strokeWidth)
		}
	}
}

// fillFeature fills all polygons of f with one colour (non-zero winding:
// the data's holes wind the other way).
func (v *view) fillFeature(img *image.RGBA, f *feature, c color.NRGBA) {
	var rings [][]float32
	pb := emptyBounds()
	v.eachVisiblePath(f, func(p path) {
		r := v.clipRing(p.xy)
		if len(r) < 6 {
			return
		}
		for j := 0; j < len(r); j += 2 {
			pb.extend(float64(r[j]), float64(r[j+1]))
		}
		rings = append(rings, r)
	})
	if len(rings) == 0 {
		return
	}
	v.paint(img, pb, c, func(z *vector.Rasterizer, ox, oy float32) {
		for _, r := range rings {
			z.MoveTo(r[0]-ox, r[1]-oy)
			for j := 2; j < len(r); j += 2 {
				z.LineTo(r[j]-ox, r[j+1]-oy)
			}
			z.ClosePath()
		}
	})
}

// eachVisiblePath calls fn for every path of f whose bounds meet the view.
func (v *view) eachVisiblePath(f *feature, fn func(path)) {
	for i := range f.shapes {
		paths, box := v.paths(&f.shapes[i])
		if !box.intersects(v.box) {
			continue
		}
		for _, p := range paths {
			if p.bounds.intersects(v.box) {
				fn(p)
			}
		}
	}
}

// strokeFeature draws every path of f as a line of the given width. Each
// segment becomes a thin rectangle extended by half the width at both ends;
// all rectangles wind the same way, so overlaps at joints do not darken.
func (v *view) strokeFeature(img *image.RGBA, f *feature, c color.NRGBA, width float64) {
	hw := width / 2
	quads := v.quad[:0]
	pb := emptyBounds()
	v.eachVisiblePath(f, func(p path) {
		x0, y0 := v.pixel(p.xy[0], p.xy[1])
		for j := 2; j < len(p.xy); j += 2 {
			x1, y1 := v.pixel(p.xy[j], p.xy[j+1])
			ax, ay, bx, by, ok := clipSegment(x0, y0, x1, y1, v.clip)
			x0, y0 = x1, y1
			if !ok {
				continue
			}
			dx, dy := bx-ax, by-ay
			l := math.Hypot(dx, dy)
			if l < 1e-9 {
				continue
			}
			ux, uy := dx/l*hw, dy/l*hw // along the segment
			nx, ny := -uy, ux          // across it
			ax, ay, bx, by = ax-ux, ay-uy, bx+ux, by+uy
			quads = append(quads,
				ax+nx, ay+ny, bx+nx, by+ny, bx-nx, by-ny, ax-nx, ay-ny)
			pb.extend(ax-hw, ay-hw)
			pb.extend(bx+hw, by+hw)
			pb.extend(ax+hw, ay+hw)
			pb.extend(bx-hw, by-hw)
		}
	})
	v.quad = quads
	if len(quads) == 0 {
		return
	}
	v.paint(img, pb, c, func(z *vector.Rasterizer, ox, oy float32) {
		for j := 0; j < len(quads); j += 8 {
			q := quads[j : j+8]
			z.MoveTo(float32(q[0])-ox, float32(q[1])-oy)
			z.LineTo(float32(q[2])-ox, float32(q[3])-oy)
			z.LineTo(float32(q[4])-ox, float32(q[5])-oy)
			z.LineTo(float32(q[6])-ox, float32(q[7])-oy)
			z.ClosePath()
		}
	})
}

// paint rasterises the paths added by add into the part of img covered by
// the pixel bounds pb, and composites c over it. The coverage goes through
// an alpha mask first: the rasterizer's fast path writes it with SIMD, and
// image/draw's uniform-over-mask loop skips the uncovered pixels.
func (v *view) paint(img *image.RGBA, pb bounds, c color.NRGBA, add func(z *vector.Rasterizer, ox, oy float32)) {
	r := image.Rect(
		int(math.Floor(pb.minX)), int(math.Floor(pb.minY)),
		int(math.Ceil(pb.maxX)), int(math.Ceil(pb.maxY)),
	).Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	v.z.Reset(r.Dx(), r.Dy())
	v.z.DrawOp = draw.Src
	add(v.z, float32(r.Min.X), float32(r.Min.Y))
	// A contiguous mask with the rasterizer's bounds takes the fast path.
	mask := &image.Alpha{Pix: v.mask[:r.Dx()*r.Dy()], Stride: r.Dx(), Rect: image.Rect(0, 0, r.Dx(), r.Dy())}
	v.z.Draw(mask, mask.Rect, image.Opaque, image.Point{})
	draw.DrawMask(img, r, image.NewUniform(c), image.Point{}, mask, image.Point{}, draw.Over)
}

// clipRing projects a closed ring to pixels and clips it to the view's clip
// rectangle (Sutherland-Hodgman; the rectangle is convex, so the result is
// one ring, possibly with zero-width bridges along the edges, which fill
// nothing).
func (v *view) clipRing(xy []float64) []float32 {
	pts := v.ring[:0]
	for j := 0; j < len(xy); j += 2 {
		px, py := v.pixel(xy[j], xy[j+1])
		pts = append(pts, px, py)
	}
	c := v.clip
	pts = clipEdge(pts, func(x, _ float64) bool { return x >= c.minX }, func(ax, ay, bx, by float64) (float64, float64) {
		return c.minX, ay + (c.minX-ax)*(by-ay)/(bx-ax)
	})
	pts = clipEdge(pts, func(x, _ float64) bool { return x <= c.maxX }, func(ax, ay, bx, by float64) (float64, float64) {
		return c.maxX, ay + (c.maxX-ax)*(by-ay)/(bx-ax)
	})
	pts = clipEdge(pts, func(_, y float64) bool { return y >= c.minY }, func(ax, ay, bx, by float64) (float64, float64) {
		return ax + (c.minY-ay)*(bx-ax)/(by-ay), c.minY
	})
	pts = clipEdge(pts, func(_, y float64) bool { return y <= c.maxY }, func(ax, ay, bx, by float64) (float64, float64) {
		return ax + (c.maxY-ay)*(bx-ax)/(by-ay), c.maxY
	})
	v.ring = pts[:0]
	out := make([]float32, len(pts))
	for i, p := range pts {
		out[i] = float32(p)
	}
	return out
}

// clipEdge clips a closed ring of flat x, y pairs against one half-plane.
func clipEdge(pts []float64, inside func(x, y float64) bool, cut func(ax, ay, bx, by float64) (float64, float64)) []float64 {
	n := len(pts) / 2
	if n == 0 {
		return pts
	}
	out := make([]float64, 0, len(pts)+8)
	ax, ay := pts[2*n-2], pts[2*n-1]
	ain := inside(ax, ay)
	for i := range n {
		bx, by := pts[2*i], pts[2*i+1]
		bin := inside(bx, by)
		if bin != ain {
			x, y := cut(ax, ay, bx, by)
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
func clipSegment(ax, ay, bx, by float64, c bounds) (float64, float64, float64, float64, bool) {
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
			t0 = math.Max(t0, t)
		} else {
			if t < t0 {
				return 0, 0, 0, 0, false
			}
			t1 = math.Min(t1, t)
		}
	}
	return ax + t0*dx, ay + t0*dy, ax + t1*dx, ay + t1*dy, true
}

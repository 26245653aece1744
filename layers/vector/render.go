package vector

import (
	"encoding/binary"
	"image"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// Render draws features onto dst with style st, projected by p: a
// convenience for one-off drawings. Frames that are drawn again (pan,
// zoom, redraw) should keep a Layer and a Renderer, which avoids
// projecting and allocating per frame. It returns a *ZoomInError, and
// draws nothing, when more than DefaultMaxFeaturesPerView features are in
// view.
func Render(dst *image.RGBA, features []Feature, st Style, p Projector) error {
	_, err := NewRenderer(Options{}).Render(dst, NewLayer(features), st, p)
	return err
}

// Stats says what one Render call saw.
type Stats struct {
	Features int // features whose bounds meet the view, each counted once
}

// Renderer draws Layers into RGBA frames with antialiasing: fills with
// non-zero coverage (holes stay empty), strokes as joined segment
// rectangles, points as circles. It reuses one rasteriser, coverage mask
// and scratch buffers across features and frames, so a frame allocates
// nothing once the buffers have grown. A Renderer is not safe for
// concurrent use; use one per goroutine.
type Renderer struct {
	opt   Options
	z     vector.Rasterizer
	mask  []uint8
	alpha image.Alpha // the mask as an image, reused so paint does not allocate

	// the frame being drawn
	l         *Layer
	affine    bool
	s         float64 // affine: pixel = unit*s - (ox, oy)
	ox0, ox   float64 // ox = ox0 - copy*s
	oy        float64
	px        []float64 // other projectors: projected positions
	pathBox   []box     // other projectors: pixel bounds per path
	itemBox   []box     // other projectors: pixel bounds per item
	clip      box       // pixel rectangle geometry is clipped to
	visits    []visit
	ring      []float64
	tmp       []float64
	pts       []float32
	ends      []int
	quads     []float32
	pointPad  float64
	stamps    [stampSteps * stampSteps]stamp
	stampHalf int // stamp pixels from its origin to the pixel of the centre
	stampSize int
}

// visit is one drawing of an item: copy is the world copy (views wider
// than the world, or across the antimeridian).
type visit struct {
	item int32
	copy int32
}

// Bounds that keep the arithmetic finite and the loops short whatever a
// projector or view says.
const (
	maxWorldCopies = 64   // copies of one feature drawn side by side
	maxScale       = 1e12 // pixels per world width (zoom 24 at 8x is 3.4e10)
	maxPixel       = 1e15 // a projected coordinate beyond is treated as unmappable
)

// NewRenderer returns a renderer bounded by opt.MaxFeaturesPerView.
func NewRenderer(opt Options) *Renderer {
	return &Renderer{opt: opt.withDefaults()}
}

// Render draws l onto dst with style st, projected by p. When more than
// MaxFeaturesPerView features meet the view it draws nothing and returns a
// *ZoomInError; a ZoomInLayer returns its error. Geometry is clipped to the
// image (plus a margin for strokes and symbols); positions p maps to NaN
// hide their path.
func (r *Renderer) Render(dst *image.RGBA, l *Layer, st Style, p Projector) (Stats, error) {
	if l == nil || dst == nil {
		return Stats{}, nil
	}
	if l.zoomIn != nil {
		return Stats{}, l.zoomIn
	}
	b := dst.Bounds()
	if b.Empty() || len(l.items) == 0 {
		return Stats{}, nil
	}
	st = st.normalized()
	hw := st.StrokeWidth / 2
	r.pointPad = st.PointRadius + hw
	r.resetStamps(st.PointRadius, hw)
	pad := max(hw, r.pointPad) + 2
	r.clip = box{float64(b.Min.X) - pad, float64(b.Min.Y) - pad, float64(b.Max.X) + pad, float64(b.Max.Y) + pad}
	r.l = l
	defer func() { r.l = nil }()
	r.visits = r.visits[:0]
	n := 0
	switch m := p.(type) {
	case WebMercator:
		n = r.cullAffine(m)
	case *WebMercator:
		n = r.cullAffine(*m)
	default:
		n = r.cullProjected(p)
	}
	if n > r.opt.MaxFeaturesPerView {
		return Stats{Features: n}, &ZoomInError{Features: n, Max: r.opt.MaxFeaturesPerView}
	}
	for _, v := range r.visits {
		it := &l.items[v.item]
		fill, line, hidden := st.colours(&l.features[it.feature])
		if hidden {
			continue
		}
		r.ox = r.ox0 - float64(v.copy)*r.s
		if it.rings.end > it.rings.start {
			if fill.A > 0 {
				r.fill(dst, it.rings, premultiply(fill, st.Opacity))
			}
			if st.Stroke.A > 0 {
				r.stroke(dst, it.rings, true, premultiply(st.Stroke, st.Opacity), hw)
			}
		}
		if it.lines.end > it.lines.start && line.A > 0 {
			r.stroke(dst, it.lines, false, premultiply(line, st.Opacity), hw)
		}
		if it.points.end > it.points.start {
			r.points(dst, it.points, premultiply(fill, st.Opacity), premultiply(st.Stroke, st.Opacity), st.PointRadius, hw)
		}
	}
	return Stats{Features: n}, nil
}

// cullAffine lists the visits of a Web Mercator view and returns the
// number of distinct features in view.
func (r *Renderer) cullAffine(m WebMercator) int {
	if !(m.Scale > 0 && m.Scale <= maxScale) || !(math.Abs(m.OriginX) <= maxPixel) || !(math.Abs(m.OriginY) <= maxPixel) {
		return 0 // not a view (NaN, infinite or absurd): nothing to draw
	}
	r.affine = true
	r.s, r.ox0, r.ox, r.oy = m.Scale, m.OriginX, m.OriginX, m.OriginY
	c := r.clip
	n := 0
	for i := range r.l.items {
		bx := &r.l.items[i].box
		y0, y1 := bx.minY*r.s-r.oy, bx.maxY*r.s-r.oy
		if y1 < c.minY || y0 > c.maxY {
			continue
		}
		x0, x1 := bx.minX*r.s-r.ox0, bx.maxX*r.s-r.ox0
		kmin := math.Ceil((c.minX - x1) / r.s)
		kmax := math.Floor((c.maxX - x0) / r.s)
		if kmin > kmax || math.Abs(kmin) > maxWorldCopies*4 {
			continue
		}
		copies := int(min(kmax-kmin+1, maxWorldCopies))
		n++
		for k := range copies {
			r.visits = append(r.visits, visit{item: int32(i), copy: int32(kmin) + int32(k)})
		}
	}
	return n
}

// cullProjected projects every position with p, computes the pixel bounds
// of paths and items, lists the visits and returns their number.
func (r *Renderer) cullProjected(p Projector) int {
	l := r.l
	r.affine = false
	r.s, r.ox0, r.ox, r.oy = 0, 0, 0, 0
	r.px = grow(r.px, len(l.lonLat))
	for i := 0; i+1 < len(l.lonLat); i += 2 {
		x, y := p.Project(l.lonLat[i], l.lonLat[i+1])
		if !(math.Abs(x) <= maxPixel && math.Abs(y) <= maxPixel) {
			x, y = math.NaN(), math.NaN() // its path's bounds become NaN: never drawn
		}
		r.px[i], r.px[i+1] = x, y
	}
	r.pathBox = growBoxes(r.pathBox, len(l.paths))
	for i := range l.paths {
		b := emptyBox()
		for j := l.paths[i].start; j < l.paths[i].end; j++ {
			b.extend(r.px[2*j], r.px[2*j+1])
		}
		r.pathBox[i] = b
	}
	r.itemBox = growBoxes(r.itemBox, len(l.items))
	n := 0
	for i := range l.items {
		it := &l.items[i]
		b := emptyBox()
		for j := it.rings.start; j < it.lines.end; j++ { // rings then lines are adjacent
			b.union(r.pathBox[j])
		}
		for j := it.points.start; j < it.points.end; j++ {
			b.extend(r.px[2*j], r.px[2*j+1])
		}
		r.itemBox[i] = b
		if b.intersects(r.clip) {
			r.visits = append(r.visits, visit{item: int32(i)})
			n++
		}
	}
	return n
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growBoxes(s []box, n int) []box {
	if cap(s) < n {
		return make([]box, n)
	}
	return s[:n]
}

// at returns position i in pixels.
func (r *Renderer) at(i int32) (float64, float64) {
	if r.affine {
		return r.l.unit[2*i]*r.s - r.ox, r.l.unit[2*i+1]*r.s - r.oy
	}
	return r.px[2*i], r.px[2*i+1]
}

// pathBounds returns path i's bounds in pixels.
func (r *Renderer) pathBounds(i int32) box {
	if r.affine {
		b := r.l.paths[i].box
		return box{b.minX*r.s - r.ox, b.minY*r.s - r.oy, b.maxX*r.s - r.ox, b.maxY*r.s - r.oy}
	}
	return r.pathBox[i]
}

// fill fills the rings of sp as one shape.
func (r *Renderer) fill(dst *image.RGBA, sp span, c premul) {
	r.pts, r.ends = r.pts[:0], r.ends[:0]
	bb := emptyBox()
	for pi := sp.start; pi < sp.end; pi++ {
		pb := r.pathBounds(pi)
		if !pb.intersects(r.clip) {
			continue
		}
		p := &r.l.paths[pi]
		if pb.inside(r.clip) {
			for i := p.start; i < p.end; i++ {
				x, y := r.at(i)
				r.pts = append(r.pts, float32(x), float32(y))
			}
			bb.union(pb)
		} else {
			ring := r.ring[:0]
			for i := p.start; i < p.end; i++ {
				x, y := r.at(i)
				ring = append(ring, x, y)
			}
			out, spare := clipRing(ring, r.tmp, r.clip)
			r.ring, r.tmp = out, spare
			if len(out) < 6 {
				continue
			}
			for j := 0; j < len(out); j += 2 {
				r.pts = append(r.pts, float32(out[j]), float32(out[j+1]))
				bb.extend(out[j], out[j+1])
			}
		}
		r.ends = append(r.ends, len(r.pts))
	}
	if len(r.ends) > 0 {
		r.paint(dst, bb, c, paintRings)
	}
}

// stroke draws the paths of sp as lines of half width hw; closed adds the
// closing segment of rings. Up to maxHairline wide they are hairlines
// drawn straight into dst; wider ones are rasterised, each segment a
// rectangle extended by hw at both ends, all wound the same way so
// overlaps at joints do not darken.
func (r *Renderer) stroke(dst *image.RGBA, sp span, closed bool, c premul, hw float64) {
	hair := 2*hw <= maxHairline
	r.quads = r.quads[:0]
	bb := emptyBox()
	for pi := sp.start; pi < sp.end; pi++ {
		pb := r.pathBounds(pi)
		pb = box{pb.minX - hw, pb.minY - hw, pb.maxX + hw, pb.maxY + hw}
		if !pb.intersects(r.clip) {
			continue
		}
		fast := pb.inside(r.clip)
		p := &r.l.paths[pi]
		x0, y0 := r.at(p.start)
		for i := p.start + 1; i < p.end; i++ {
			x1, y1 := r.at(i)
			r.segment(dst, x0, y0, x1, y1, hw, fast, hair, c, &bb)
			x0, y0 = x1, y1
		}
		if closed {
			if fx, fy := r.at(p.start); fx != x0 || fy != y0 {
				r.segment(dst, x0, y0, fx, fy, hw, fast, hair, c, &bb)
			}
		}
	}
	if len(r.quads) > 0 {
		r.paint(dst, bb, c, paintQuads)
	}
}

// segment draws one segment as a hairline, or adds its rectangle to
// r.quads.
func (r *Renderer) segment(dst *image.RGBA, ax, ay, bx, by, hw float64, fast, hair bool, c premul, bb *box) {
	if !fast {
		var ok bool
		if ax, ay, bx, by, ok = clipSegment(ax, ay, bx, by, r.clip); !ok {
			return
		}
	}
	if hair {
		hairline(dst, ax, ay, bx, by, 2*hw, c)
		return
	}
	dx, dy := bx-ax, by-ay
	l := math.Sqrt(dx*dx + dy*dy)
	if !(l > 1e-9) {
		return
	}
	ux, uy := dx/l*hw, dy/l*hw // along the segment
	nx, ny := -uy, ux          // across it
	ax, ay, bx, by = ax-ux, ay-uy, bx+ux, by+uy
	r.quads = append(r.quads,
		float32(ax+nx), float32(ay+ny), float32(bx+nx), float32(by+ny),
		float32(bx-nx), float32(by-ny), float32(ax-nx), float32(ay-ny))
	bb.extend(min(ax, bx)-hw, min(ay, by)-hw)
	bb.extend(max(ax, bx)+hw, max(ay, by)+hw)
}

// points draws the positions of sp as circles of the given radius, filled
// with fill and outlined with stroke (half width hw), by stamping symbols
// rasterised once per frame and subpixel offset.
func (r *Renderer) points(dst *image.RGBA, sp span, fill, stroke premul, radius, hw float64) {
	for i := sp.start; i < sp.end; i++ {
		x, y := r.at(i)
		if !(x+r.pointPad >= r.clip.minX && x-r.pointPad <= r.clip.maxX && y+r.pointPad >= r.clip.minY && y-r.pointPad <= r.clip.maxY) {
			continue // outside, or NaN
		}
		ix, iy := math.Floor(x), math.Floor(y)
		qx, qy := int(math.Round((x-ix)*stampSteps)), int(math.Round((y-iy)*stampSteps))
		if qx == stampSteps {
			ix, qx = ix+1, 0
		}
		if qy == stampSteps {
			iy, qy = iy+1, 0
		}
		st := r.stamp(qx, qy, radius, hw)
		org := image.Pt(int(ix)-r.stampHalf, int(iy)-r.stampHalf)
		rect := image.Rectangle{Min: org, Max: org.Add(image.Pt(r.stampSize, r.stampSize))}.Intersect(dst.Bounds())
		if rect.Empty() {
			continue
		}
		off := (rect.Min.Y-org.Y)*r.stampSize + rect.Min.X - org.X
		if fill.a > 0 {
			blend(dst, rect, st.fill[off:], r.stampSize, fill)
		}
		if stroke.a > 0 {
			blend(dst, rect, st.line[off:], r.stampSize, stroke)
		}
	}
}

// stampSteps is the number of subpixel positions per axis a point symbol
// is rasterised at.
const stampSteps = 4

// stamp is the coverage of one point symbol at one subpixel offset.
type stamp struct {
	fill, line []uint8 // stampSize² coverage of the disc and its outline
	ok         bool
}

// stamp returns the symbol for subpixel offset qx, qy (in 1/stampSteps
// pixel), rasterising it on first use in this frame.
func (r *Renderer) stamp(qx, qy int, radius, hw float64) *stamp {
	st := &r.stamps[qy*stampSteps+qx]
	if st.ok {
		return st
	}
	n := r.stampSize * r.stampSize
	if cap(st.fill) < n {
		st.fill, st.line = make([]uint8, n), make([]uint8, n)
	}
	st.fill, st.line = st.fill[:n], st.line[:n]
	cx := float32(r.stampHalf) + float32(qx)/stampSteps
	cy := float32(r.stampHalf) + float32(qy)/stampSteps
	z := &r.z
	for k, dst := range [2][]uint8{st.fill, st.line} {
		z.Reset(r.stampSize, r.stampSize)
		if k == 0 {
			circle(z, cx, cy, float32(radius), false)
		} else {
			circle(z, cx, cy, float32(radius+hw), false)
			if in := radius - hw; in > 0 {
				circle(z, cx, cy, float32(in), true)
			}
		}
		a := image.Alpha{Pix: dst, Stride: r.stampSize, Rect: image.Rect(0, 0, r.stampSize, r.stampSize)}
		z.DrawOp = draw.Src
		z.Draw(&a, a.Rect, image.Opaque, image.Point{})
	}
	st.ok = true
	return st
}

// resetStamps forgets the point symbols of the previous frame and sizes
// them for this style.
func (r *Renderer) resetStamps(radius, hw float64) {
	r.stampHalf = int(math.Ceil(radius+hw)) + 1
	r.stampSize = 2*r.stampHalf + 2
	for i := range r.stamps {
		r.stamps[i].ok = false
	}
}

type paintKind int

const (
	paintRings paintKind = iota
	paintQuads
)

// paint rasterises the current rings, quads or circles into the part of
// dst covered by the pixel bounds bb and composites c over it. Coverage
// goes through an alpha mask first: the rasteriser's fast path writes it
// with SIMD, and blend skips the uncovered pixels.
func (r *Renderer) paint(dst *image.RGBA, bb box, c premul, kind paintKind) {
	rect := image.Rect(
		int(math.Floor(bb.minX)), int(math.Floor(bb.minY)),
		int(math.Ceil(bb.maxX)), int(math.Ceil(bb.maxY)),
	).Intersect(dst.Bounds())
	if rect.Empty() || c.a == 0 {
		return
	}
	w, h := rect.Dx(), rect.Dy()
	z := &r.z
	z.Reset(w, h)
	ox, oy := float32(rect.Min.X), float32(rect.Min.Y)
	switch kind {
	case paintRings:
		start := 0
		for _, end := range r.ends {
			ring := r.pts[start:end]
			z.MoveTo(ring[0]-ox, ring[1]-oy)
			for j := 2; j < len(ring); j += 2 {
				z.LineTo(ring[j]-ox, ring[j+1]-oy)
			}
			z.ClosePath()
			start = end
		}
	case paintQuads:
		for j := 0; j+8 <= len(r.quads); j += 8 {
			q := r.quads[j : j+8 : j+8]
			z.MoveTo(q[0]-ox, q[1]-oy)
			z.LineTo(q[2]-ox, q[3]-oy)
			z.LineTo(q[4]-ox, q[5]-oy)
			z.LineTo(q[6]-ox, q[7]-oy)
			z.ClosePath()
		}
	}
	if cap(r.mask) < w*h {
		r.mask = make([]uint8, w*h)
	}
	r.alpha = image.Alpha{Pix: r.mask[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	z.DrawOp = draw.Src
	z.Draw(&r.alpha, r.alpha.Rect, image.Opaque, image.Point{})
	blend(dst, rect, r.alpha.Pix, w, c)
}

// circle adds a circle of radius rad around cx, cy as four cubic arcs;
// reverse winds it the other way (the hole of an outline ring).
func circle(z *vector.Rasterizer, cx, cy, rad float32, reverse bool) {
	k := rad * 0.5522847498
	if !reverse {
		z.MoveTo(cx+rad, cy)
		z.CubeTo(cx+rad, cy+k, cx+k, cy+rad, cx, cy+rad)
		z.CubeTo(cx-k, cy+rad, cx-rad, cy+k, cx-rad, cy)
		z.CubeTo(cx-rad, cy-k, cx-k, cy-rad, cx, cy-rad)
		z.CubeTo(cx+k, cy-rad, cx+rad, cy-k, cx+rad, cy)
	} else {
		z.MoveTo(cx+rad, cy)
		z.CubeTo(cx+rad, cy-k, cx+k, cy-rad, cx, cy-rad)
		z.CubeTo(cx-k, cy-rad, cx-rad, cy-k, cx-rad, cy)
		z.CubeTo(cx-rad, cy+k, cx-k, cy+rad, cx, cy+rad)
		z.CubeTo(cx+k, cy+rad, cx+rad, cy+k, cx+rad, cy)
	}
	z.ClosePath()
}

// blend composites the premultiplied colour c over dst inside rect with
// the coverage in mask (mask[0] at rect.Min, rows stride apart):
// Porter-Duff over, within one in 255 of image/draw. Runs of eight
// uncovered pixels are skipped at once, and fully covered pixels take a
// path without the coverage product.
func blend(dst *image.RGBA, rect image.Rectangle, mask []uint8, stride int, c premul) {
	w := rect.Dx()
	le := binary.LittleEndian
	c2 := uint64(c.c) | uint64(c.c)<<32
	for y := 0; y < rect.Dy(); y++ {
		m := mask[y*stride : y*stride+w]
		off := dst.PixOffset(rect.Min.X, rect.Min.Y+y)
		pix := dst.Pix[off : off+4*w : off+4*w]
		for x := 0; x < len(m); {
			switch mv := m[x]; mv {
			case 0: // skip the uncovered run, eight at a time
				x++
				for x+8 <= len(m) && le.Uint64(m[x:]) == 0 {
					x += 8
				}
			case 0xff: // a covered run
				if c.a == 0xff {
					for ; x < len(m) && m[x] == 0xff; x++ {
						le.PutUint32(pix[4*x:], c.c)
					}
				} else {
					for ; x+1 < len(m) && m[x] == 0xff && m[x+1] == 0xff; x += 2 {
						le.PutUint64(pix[4*x:], over2(le.Uint64(pix[4*x:]), c2, c.a))
					}
					for ; x < len(m) && m[x] == 0xff; x++ {
						le.PutUint32(pix[4*x:], over(le.Uint32(pix[4*x:]), c.c, c.a))
					}
				}
			default:
				cs := scale(c.c, uint32(mv)+uint32(mv>>7))
				le.PutUint32(pix[4*x:], over(le.Uint32(pix[4*x:]), cs, cs>>24))
				x++
			}
		}
	}
}

// over returns the premultiplied colour c (alpha a, 0..255) over the
// packed pixel p, two channels per multiply.
func over(p, c, a uint32) uint32 {
	ia := 256 - a
	rb := ((p & 0x00ff00ff) * ia >> 8) & 0x00ff00ff
	ag := ((p >> 8) & 0x00ff00ff) * ia & 0xff00ff00
	return (rb | ag) + c
}

// over2 is over for two packed pixels at once (four 16-bit lanes per
// multiply; 255·256 fits a lane).
func over2(p, c uint64, a uint32) uint64 {
	ia := uint64(256 - a)
	rb := ((p & 0x00ff00ff00ff00ff) * ia >> 8) & 0x00ff00ff00ff00ff
	ag := ((p >> 8) & 0x00ff00ff00ff00ff) * ia & 0xff00ff00ff00ff00
	return (rb | ag) + c
}

// scale multiplies the four channels of the packed colour c by m/256
// (m in 0..256).
func scale(c, m uint32) uint32 {
	rb := ((c & 0x00ff00ff) * m >> 8) & 0x00ff00ff
	ag := ((c >> 8) & 0x00ff00ff) * m & 0xff00ff00
	return rb | ag
}

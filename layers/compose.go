package layers

import (
	"encoding/binary"
	"image"
	"math"
	"runtime"
	"sync"
)

// maxFallbackLevels is how many zoom levels up Compose looks for a cached
// ancestor to stand in for a missing tile.
const maxFallbackLevels = 4

// drawOp is one tile (or part of a cached ancestor tile) to draw.
type drawOp struct {
	dst   image.Rectangle // frame pixels, may extend past the frame
	src   *image.RGBA
	sr    image.Rectangle // source pixels mapped onto dst
	alpha uint32          // layer opacity, 0..255
	first bool            // the frame is still empty under it: plain copy
}

// Compose draws the view from the cache only; it never touches the network.
// It returns the frame (device pixel size) and how many tiles of the view
// were missing. A missing tile is drawn from a cached ancestor up to four
// zoom levels up, scaled, so a view redraws smoothly while loading. A tile
// its source has nothing in (an empty tile) is not missing and draws
// nothing.
func (e *Engine) Compose(v View, specs []LayerSpec) (*image.RGBA, int) {
	return e.compose(v, specs, false, nil)
}

// compose is Compose, with the requests fitted to the view when fit is set
// (Render: see Metatiler.FitView), into place's frame, where the bottom
// group's images decoded in place already are, when place is not nil.
func (e *Engine) compose(v View, specs []LayerSpec, fit bool, place *inPlace) (*image.RGBA, int) {
	grid := newViewGrid(v)
	var frame *image.RGBA
	if place != nil && place.frame.Rect == image.Rect(0, 0, grid.W, grid.H) {
		frame = place.frame
	} else {
		frame, place = image.NewRGBA(image.Rect(0, 0, grid.W, grid.H)), nil
	}
	if grid.W == 0 || grid.H == 0 {
		return frame, 0
	}
	var ops []drawOp
	missing := 0
	first := true
	for gi, g := range e.groups(specs, &grid, fit) {
		alpha := uint32(math.Round(g.opacity * 255))
		if g.err != nil {
			missing += len(grid.Tiles)
			continue
		}
		n := len(ops)
		for _, p := range grid.Placements {
			req := g.request(p.Tile, grid.TilePx)
			if req.empty {
				continue
			}
			if gi == 0 && place.isPlaced(req.key) {
				first = false // drawn: what comes above blends over it
				continue
			}
			if img := e.cache.get(req.key); img != nil {
				if img != emptyTile {
					ops = append(ops, drawOp{dst: p.Dst, src: img, sr: req.part(img), alpha: alpha, first: first})
				}
				continue
			}
			missing++
			if op, ok := e.fallback(g, p, grid.TilePx); ok {
				op.alpha, op.first = alpha, first
				ops = append(ops, op)
			}
		}
		if alpha == 0 {
			ops = ops[:n]
		}
		if len(ops) > n {
			first = false
		}
	}
	composeOps(frame, ops)
	return frame, missing
}

// fallback finds the nearest cached ancestor of p's tile and returns the
// part of it that covers p. An empty ancestor stands for an empty tile:
// nothing to draw.
func (e *Engine) fallback(g *layerGroup, p placement, px int) (drawOp, bool) {
	for k := 1; k <= maxFallbackLevels && k <= p.Tile.Z; k++ {
		parent := p.Tile.Parent(k)
		req := g.request(parent, px)
		if req.empty {
			return drawOp{}, false
		}
		img := e.cache.get(req.key)
		if img == nil {
			continue
		}
		if img == emptyTile {
			return drawOp{}, false
		}
		part := req.part(img)
		span := 1 << k
		w, h := part.Dx(), part.Dy()
		x0 := (p.Tile.X - parent.X<<k) * w / span
		y0 := (p.Tile.Y - parent.Y<<k) * h / span
		x1 := (p.Tile.X - parent.X<<k + 1) * w / span
		y1 := (p.Tile.Y - parent.Y<<k + 1) * h / span
		if x1 <= x0 || y1 <= y0 {
			return drawOp{}, false
		}
		return drawOp{dst: p.Dst, src: img, sr: image.Rect(x0, y0, x1, y1).Add(part.Min)}, true
	}
	return drawOp{}, false
}

// composeOps draws ops in order into frame, in horizontal bands on parallel
// goroutines (each band is independent, so the result does not depend on
// the band count).
func composeOps(frame *image.RGBA, ops []drawOp) {
	if len(ops) == 0 {
		return
	}
	fb := frame.Bounds()
	bands := runtime.GOMAXPROCS(0)
	bands = min(bands, 8, max(1, fb.Dy()/128))
	if bands <= 1 {
		drawBand(frame, fb, ops)
		return
	}
	var wg sync.WaitGroup
	for i := range bands {
		band := image.Rect(fb.Min.X, fb.Min.Y+fb.Dy()*i/bands, fb.Max.X, fb.Min.Y+fb.Dy()*(i+1)/bands)
		wg.Add(1)
		go func() {
			defer wg.Done()
			drawBand(frame, band, ops)
		}()
	}
	wg.Wait()
}

// drawBand draws every op clipped to band.
func drawBand(frame *image.RGBA, band image.Rectangle, ops []drawOp) {
	for _, op := range ops {
		clip := op.dst.Intersect(band)
		if clip.Empty() || op.sr.Empty() {
			continue
		}
		if op.sr.Dx() == op.dst.Dx() && op.sr.Dy() == op.dst.Dy() {
			sp := op.sr.Min.Add(clip.Min.Sub(op.dst.Min))
			blend(frame, clip, op.src, sp, op.alpha, op.first)
			continue
		}
		// Resample and blend in one pass over the clipped rows.
		sc := newBilinear(op.dst, op.src, op.sr, clip.Min.X, clip.Max.X)
		w := 4 * clip.Dx()
		for y := clip.Min.Y; y < clip.Max.Y; y++ {
			sc.blendRow(frame.Pix[frame.PixOffset(clip.Min.X, y):][:w], y, op.alpha, op.first)
		}
	}
}

// bilinear resamples src's rectangle sr onto the destination rectangle dr
// with bilinear filtering in 8-bit fixed point, for the destination columns
// x0..x1. Samples are clamped to sr, so a part of a tile does not bleed in
// its neighbours' pixels.
type bilinear struct {
	src    *image.RGBA
	dr, sr image.Rectangle
	cols   []int    // per destination column: byte offset of the left sample in a row
	step   []int    // 0 or 4: offset of the right sample
	wx     []uint32 // weight of the right sample, 0..256
}

func newBilinear(dr image.Rectangle, src *image.RGBA, sr image.Rectangle, x0, x1 int) *bilinear {
	b := &bilinear{src: src, dr: dr, sr: sr}
	n := x1 - x0
	b.cols, b.step, b.wx = make([]int, n), make([]int, n), make([]uint32, n)
	kx := float64(sr.Dx()) / float64(dr.Dx())
	for i := range n {
		fx := (float64(x0+i-dr.Min.X)+0.5)*kx - 0.5
		l, r, w := samples(fx, sr.Dx())
		b.cols[i] = 4 * (sr.Min.X + l - src.Rect.Min.X)
		b.step[i] = 4 * (r - l)
		b.wx[i] = w
	}
	return b
}

// samples returns the two sample indices around position f in [0, n) and
// the weight of the second one (0..256).
func samples(f float64, n int) (lo, hi int, w uint32) {
	if f <= 0 {
		return 0, 0, 0
	}
	if f >= float64(n-1) {
		return n - 1, n - 1, 0
	}
	lo = int(f)
	return lo, lo + 1, uint32((f - float64(lo)) * 256)
}

// blendRow resamples destination row y and blends it into d (the frame's
// row, 4 bytes per column) with opacity alpha.
func (b *bilinear) blendRow(d []byte, y int, alpha uint32, first bool) {
	ky := float64(b.sr.Dy()) / float64(b.dr.Dy())
	t, u, wy := samples((float64(y-b.dr.Min.Y)+0.5)*ky-0.5, b.sr.Dy())
	top := b.src.Pix[(b.sr.Min.Y+t-b.src.Rect.Min.Y)*b.src.Stride:]
	bot := b.src.Pix[(b.sr.Min.Y+u-b.src.Rect.Min.Y)*b.src.Stride:]
	aw := alpha + alpha>>7 // 0..256
	le := binary.LittleEndian
	for i, off := range b.cols {
		if 4*i+4 > len(d) {
			return
		}
		r := off + b.step[i]
		p00, p01, p10, p11 := le.Uint32(top[off:]), le.Uint32(top[r:]), le.Uint32(bot[off:]), le.Uint32(bot[r:])
		p := p00
		if p00 != p01 || p00 != p10 || p00 != p11 { // uniform areas need no filtering
			p = lerpPixel(lerpPixel(p00, p01, b.wx[i]), lerpPixel(p10, p11, b.wx[i]), wy)
		}
		if p == 0 && !first {
			continue
		}
		if aw != 256 {
			p = mulPixel(p, aw)
		}
		switch {
		case first:
			le.PutUint32(d[4*i:], p)
		case p>>24 == 255:
			le.PutUint32(d[4*i:], p)
		case p>>24 != 0:
			le.PutUint32(d[4*i:], overPixel(p, le.Uint32(d[4*i:])))
		}
	}
}

// blend composites src (premultiplied) over dst inside r, src's point sp
// landing on r.Min, with the layer opacity alpha (0..255). When first is
// set the destination is known to be empty and pixels are copied. It works
// on the Pix slices directly.
func blend(dst *image.RGBA, r image.Rectangle, src *image.RGBA, sp image.Point, alpha uint32, first bool) {
	w := 4 * r.Dx()
	for y := 0; y < r.Dy(); y++ {
		d := dst.Pix[dst.PixOffset(r.Min.X, r.Min.Y+y):][:w]
		s := src.Pix[src.PixOffset(sp.X, sp.Y+y):][:w]
		switch {
		case first && alpha == 255:
			copy(d, s)
		case alpha == 255:
			overRow(d, s)
		case first:
			scaleRow(d, s, alpha)
		default:
			overRowAlpha(d, s, alpha)
		}
	}
}

// div255 returns round(x/255) for x <= 255*255.
func div255(x uint32) uint32 { return (x + 128 + (x+128)>>8) >> 8 }

// The Over loops work on whole pixels as little-endian uint32 (R, G, B, A
// from the low byte), two channels per multiply (SWAR): R and B in the
// 0x00FF00FF lanes, G and A in the 0xFF00FF00 lanes. Weights are 0..256 and
// products are rounded, which keeps an opaque result at alpha 255 and never
// carries into the next lane for valid premultiplied colours.
const (
	lanesRB = 0x00FF00FF
	roundRB = 0x00800080
)

// mulPixel returns the premultiplied pixel p scaled by w/256 (w <= 256).
func mulPixel(p, w uint32) uint32 {
	rb := ((p&lanesRB)*w + roundRB) >> 8 & lanesRB
	ga := (((p>>8)&lanesRB)*w + roundRB) & (lanesRB << 8)
	return rb | ga
}

// lerpPixel interpolates between pixels a and b, w/256 of the way to b.
// The two products of a lane sum to at most 255*256, so nothing carries.
func lerpPixel(a, b, w uint32) uint32 {
	if w == 0 {
		return a
	}
	iw := 256 - w
	rb := ((a&lanesRB)*iw + (b&lanesRB)*w + roundRB) >> 8 & lanesRB
	ga := (((a>>8)&lanesRB)*iw + ((b>>8)&lanesRB)*w + roundRB) & (lanesRB << 8)
	return rb | ga
}

// overPixel composites the premultiplied pixel s over d.
func overPixel(s, d uint32) uint32 {
	sa := s >> 24
	return s + mulPixel(d, 256-sa-sa>>7)
}

// alphas2 masks the alpha bytes of two pixels read as one uint64.
const alphas2 = 0xFF000000_FF000000

// overRow composites s over d (premultiplied RGBA). Pairs of transparent
// or opaque pixels, common in map overlays, take one test.
func overRow(d, s []byte) {
	n := min(len(d), len(s)) &^ 3
	i := 0
	for ; i+8 <= n; i += 8 {
		pair := binary.LittleEndian.Uint64(s[i:])
		switch pair & alphas2 {
		case 0:
			continue
		case alphas2:
			binary.LittleEndian.PutUint64(d[i:], pair)
			continue
		}
		overOne(d[i:], uint32(pair))
		overOne(d[i+4:], uint32(pair>>32))
	}
	if i < n {
		overOne(d[i:], binary.LittleEndian.Uint32(s[i:]))
	}
}

// overOne composites the pixel sp over the pixel at the start of d.
func overOne(d []byte, sp uint32) {
	switch sp >> 24 {
	case 0:
	case 255:
		binary.LittleEndian.PutUint32(d, sp)
	default:
		binary.LittleEndian.PutUint32(d, overPixel(sp, binary.LittleEndian.Uint32(d)))
	}
}

// overRowAlpha composites s, scaled by alpha (0..255), over d.
func overRowAlpha(d, s []byte, alpha uint32) {
	w := alpha + alpha>>7 // 0..256
	n := min(len(d), len(s)) &^ 3
	for i := 0; i < n; i += 4 {
		if i+8 <= n && binary.LittleEndian.Uint64(s[i:])&alphas2 == 0 {
			i += 4 // two transparent pixels
			continue
		}
		sp := binary.LittleEndian.Uint32(s[i:])
		if sp>>24 == 0 {
			continue
		}
		binary.LittleEndian.PutUint32(d[i:], overPixel(mulPixel(sp, w), binary.LittleEndian.Uint32(d[i:])))
	}
}

// scaleRow writes s scaled by alpha into d (d is empty).
func scaleRow(d, s []byte, alpha uint32) {
	for i := range min(len(d), len(s)) {
		d[i] = uint8(div255(uint32(s[i]) * alpha))
	}
}

package vector

import (
	"encoding/binary"
	"image"
	"math"
)

// maxHairline is the widest stroke drawn as a hairline: thin lines (QGIS
// draws outlines 0.26 mm wide, one pixel on screen) skip the rasteriser
// and its coverage mask, which for an outline would cost the whole
// feature's bounding box. Wider strokes are rasterised as joined segment
// rectangles.
const maxHairline = 2.0

// hairline draws the segment a-b, width w pixels, by area sampling: at the
// centre of every pixel column (row, for a steep segment) it covers the
// span the line crosses there, w·sqrt(1+slope²) long, giving each pixel the
// part of the span inside it. Pixel centres are taken half-open from a
// towards b, so consecutive segments of a path do not draw their shared
// vertex twice. The segment must already be clipped near the image.
func hairline(dst *image.RGBA, ax, ay, bx, by, w float64, c premul) {
	dx, dy := bx-ax, by-ay
	steep := math.Abs(dy) > math.Abs(dx)
	if steep { // swap the axes: x is the major one below
		ax, ay, bx, by, dx, dy = ay, ax, by, bx, dy, dx
	}
	if dx == 0 || math.IsNaN(dx) || math.IsNaN(dy) {
		return
	}
	b := dst.Bounds()
	lo, hi := b.Min.X, b.Max.X // major axis range
	mlo, mhi := b.Min.Y, b.Max.Y
	if steep {
		lo, hi, mlo, mhi = b.Min.Y, b.Max.Y, b.Min.X, b.Max.X
	}
	m := dy / dx
	// w·sqrt(1+m²)/2 for |m| <= 1, with a polynomial exact at 0 and 1
	// and within 0.3% between: a square root per segment is a measurable
	// share of a frame of small polygons.
	m2 := m * m
	half := w * (1 + m2*(0.5-m2*(1.5-math.Sqrt2))) / 2
	// Pixel centres i+0.5 from a (included) to b (excluded).
	var first, last, step int
	if dx > 0 {
		first = int(math.Ceil(ax - 0.5))
		last = int(math.Ceil(bx-0.5)) - 1
		first, step = max(first, lo), 1
		last = min(last, hi-1)
		if first > last {
			return
		}
	} else {
		first = int(math.Floor(ax - 0.5))
		last = int(math.Floor(bx-0.5)) + 1
		first, step = min(first, hi-1), -1
		last = max(last, lo)
		if first < last {
			return
		}
	}
	// Address pixels directly: a step along the major axis moves by
	// majorStep bytes, one along the minor axis by minorStep. The minor
	// coordinate runs in 16.16 fixed point, so the per-pixel work is
	// integer only.
	majorStep, minorStep := 4, dst.Stride
	if steep {
		majorStep, minorStep = dst.Stride, 4
	}
	base := -b.Min.Y*dst.Stride - b.Min.X*4
	const one = 1 << 16
	span := int64(2 * half * one)
	top := int64(math.Round((ay + (float64(first)+0.5-ax)*m - half) * one))
	dtop := int64(math.Round(m * float64(step) * one))
	lo16, hi16 := int64(mlo)<<16, int64(mhi)<<16
	le := binary.LittleEndian
	for i := first; ; i += step {
		t, e := max(top, lo16), min(top+span, hi16) // the span, clipped to the image
		top += dtop
		row := base + i*majorStep
		for j := t >> 16; j<<16 < e; j++ {
			cov := min(e, (j+1)<<16) - max(t, j<<16) // 0..one
			off := row + int(j)*minorStep
			switch {
			case cov >= one-1<<7 && c.a == 0xff:
				le.PutUint32(dst.Pix[off:], c.c)
			case cov >= 1<<7:
				cs := scale(c.c, uint32(cov+1<<7)>>8)
				le.PutUint32(dst.Pix[off:], over(le.Uint32(dst.Pix[off:]), cs, cs>>24))
			}
		}
		if i == last {
			return
		}
	}
}

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
	half := w * math.Sqrt(1+m*m) / 2
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
	// majorStep bytes, one along the minor axis by minorStep.
	majorStep, minorStep := 4, dst.Stride
	if steep {
		majorStep, minorStep = dst.Stride, 4
	}
	base := -b.Min.Y*dst.Stride - b.Min.X*4
	yc := ay + (float64(first)+0.5-ax)*m
	dyc := m * float64(step)
	for i := first; ; i += step {
		top, bot := yc-half, yc+half
		yc += dyc
		jt, jb := int(math.Floor(top)), int(math.Ceil(bot))-1 // first and last row touched
		row := base + i*majorStep
		for j := max(jt, mlo); j <= jb && j < mhi; j++ {
			cov := 1.0
			switch {
			case jt == jb:
				cov = bot - top
			case j == jt:
				cov = float64(jt+1) - top
			case j == jb:
				cov = bot - float64(jb)
			}
			off := row + j*minorStep
			d := dst.Pix[off : off+4 : off+4]
			if cov >= 1 {
				if c.a == 0xff {
					binary.LittleEndian.PutUint32(d, c.c)
				} else {
					binary.LittleEndian.PutUint32(d, over(binary.LittleEndian.Uint32(d), c.c, c.a))
				}
			} else if cov > 0 {
				blendPixel(d, uint32(cov*255+0.5), c)
			}
		}
		if i == last {
			return
		}
	}
}

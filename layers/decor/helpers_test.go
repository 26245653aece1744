package decor

import (
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/draw"
)

func newPainter(t testing.TB) *Painter {
	t.Helper()
	p, err := NewPainter()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func filled(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// changed returns the bounding box of the pixels that differ between a and b.
func changed(a, b *image.RGBA) image.Rectangle {
	var r image.Rectangle
	bb := a.Bounds()
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			i := a.PixOffset(x, y)
			if a.Pix[i] != b.Pix[i] || a.Pix[i+1] != b.Pix[i+1] || a.Pix[i+2] != b.Pix[i+2] || a.Pix[i+3] != b.Pix[i+3] {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func clone(a *image.RGBA) *image.RGBA {
	b := image.NewRGBA(a.Bounds())
	copy(b.Pix, a.Pix)
	return b
}

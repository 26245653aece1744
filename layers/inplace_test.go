package layers

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// TestDecodePNGAtClips: an image decoded at a point of a larger or smaller
// destination lands there pixel for pixel, its pixels outside dropped, the
// rest of the destination untouched; for RGBA, RGB and palette PNGs.
func TestDecodePNGAtClips(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	src := image.NewNRGBA(image.Rect(0, 0, 37, 23))
	for i := range src.Pix {
		src.Pix[i] = uint8(r.IntN(256))
	}
	opaque := image.NewNRGBA(src.Rect)
	copy(opaque.Pix, src.Pix)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 0xff
	}
	colors := make(color.Palette, 256) // 8 bits a pixel, as the fast decoder takes
	for i := range colors {
		colors[i] = color.NRGBA{uint8(i), uint8(3 * i), 50, uint8(255 - i)}
	}
	pal := image.NewPaletted(src.Rect, colors)
	for i := range pal.Pix {
		pal.Pix[i] = uint8(r.IntN(256))
	}
	marker := color.RGBA{9, 8, 7, 6}
	for name, img := range map[string]image.Image{"rgba": src, "rgb": opaque, "palette": pal} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		want, ok := decodePNGPremultiplied(buf.Bytes())
		if !ok {
			t.Fatalf("%s: not decoded", name)
		}
		for _, o := range []image.Point{{0, 0}, {-5, -3}, {10, 8}, {30, 20}, {-36, 0}, {40, 0}} {
			dst := image.NewRGBA(image.Rect(0, 0, 40, 30))
			for i := 0; i < len(dst.Pix); i += 4 {
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = marker.R, marker.G, marker.B, marker.A
			}
			if !decodePNGAt(buf.Bytes(), dst, o) {
				t.Fatalf("%s at %v: not decoded", name, o)
			}
			placed := want.Rect.Add(o)
			for y := 0; y < 30; y++ {
				for x := 0; x < 40; x++ {
					got, exp := dst.RGBAAt(x, y), marker
					if image.Pt(x, y).In(placed) {
						exp = want.RGBAAt(x-o.X, y-o.Y)
					}
					if got != exp {
						t.Fatalf("%s at %v: pixel %d,%d = %v, want %v", name, o, x, y, got, exp)
					}
				}
			}
		}
	}
}

func TestCopyAt(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 5, 4))
	for i := range src.Pix {
		src.Pix[i] = uint8(i + 1)
	}
	for _, o := range []image.Point{{0, 0}, {-2, -1}, {4, 3}, {7, 0}} {
		dst := image.NewRGBA(image.Rect(0, 0, 8, 6))
		copyAt(dst, src, o)
		for y := 0; y < 6; y++ {
			for x := 0; x < 8; x++ {
				var exp color.RGBA
				if image.Pt(x-o.X, y-o.Y).In(src.Rect) {
					exp = src.RGBAAt(x-o.X, y-o.Y)
				}
				if got := dst.RGBAAt(x, y); got != exp {
					t.Fatalf("at %v: pixel %d,%d = %v, want %v", o, x, y, got, exp)
				}
			}
		}
	}
}

package layers

import (
	"bytes"
	"image"
	"image/draw"
	"math/rand/v2"
	"testing"
)

func TestPremultiplyMatchesDraw(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	r := rand.New(rand.NewPCG(3, 4))
	for i := range src.Pix {
		src.Pix[i] = uint8(r.IntN(256))
	}
	for i := 3; i < len(src.Pix); i += 16 { // plenty of fully opaque and clear pixels too
		src.Pix[i] = 0xff
		src.Pix[i+4] = 0
	}
	got := image.NewRGBA(src.Rect)
	premultiply(got, src)
	want := image.NewRGBA(src.Rect)
	draw.Draw(want, want.Rect, src, image.Point{}, draw.Src)
	if !bytes.Equal(got.Pix, want.Pix) {
		for i := range got.Pix {
			if got.Pix[i] != want.Pix[i] {
				t.Fatalf("byte %d = %d, want %d (image/draw)", i, got.Pix[i], want.Pix[i])
			}
		}
	}
}

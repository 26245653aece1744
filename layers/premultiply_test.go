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
	want := image.NewRGBA(src.Rect)
	draw.Draw(want, want.Rect, src, image.Point{}, draw.Src)
	got := toRGBA(src, 64, 48) // in place
	if &got.Pix[0] != &src.Pix[0] {
		t.Error("toRGBA copied the NRGBA tile instead of converting it in place")
	}
	if !bytes.Equal(got.Pix, want.Pix) {
		for i := range got.Pix {
			if got.Pix[i] != want.Pix[i] {
				t.Fatalf("byte %d = %d, want %d (image/draw)", i, got.Pix[i], want.Pix[i])
			}
		}
	}
}

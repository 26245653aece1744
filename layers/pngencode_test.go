package layers

import (
	"bytes"
	"hash/adler32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// pngFrame makes a frame like a map: flat areas, transparency, translucent
// edges and some noise.
func pngFrame(w, h int, opaque bool, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.NRGBA
			switch {
			case (x/7+y/5)%3 == 0:
				c = color.NRGBA{232, 220, 192, 255}
			case (x+y)%11 == 0:
				c = color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))}
			default:
				c = color.NRGBA{30, 60, 200, 0}
			}
			if opaque {
				c.A = 255
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func TestEncodePNGMatchesImagePNG(t *testing.T) {
	tests := []struct {
		name string
		img  *image.RGBA
	}{
		{"1x1", pngFrame(1, 1, false, 1)},
		{"tall thin", pngFrame(3, 200, false, 2)},
		{"fewer rows than strips", pngFrame(64, 5, false, 3)},
		{"translucent 300x170", pngFrame(300, 170, false, 4)},
		{"opaque 257x129", pngFrame(257, 129, true, 5)},
		{"sub-image", pngFrame(200, 200, false, 6).SubImage(image.Rect(13, 17, 190, 150)).(*image.RGBA)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := EncodePNG(&got, tt.img); err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(&want, tt.img); err != nil {
				t.Fatal(err)
			}
			g, err := png.Decode(&got)
			if err != nil {
				t.Fatalf("decoding EncodePNG's output: %v", err)
			}
			w, _ := png.Decode(&want)
			if g.Bounds().Size() != w.Bounds().Size() {
				t.Fatalf("size = %v, want %v", g.Bounds().Size(), w.Bounds().Size())
			}
			gb, wb := g.Bounds(), w.Bounds()
			for y := 0; y < gb.Dy(); y++ {
				for x := 0; x < gb.Dx(); x++ {
					gc := color.NRGBAModel.Convert(g.At(gb.Min.X+x, gb.Min.Y+y))
					wc := color.NRGBAModel.Convert(w.At(wb.Min.X+x, wb.Min.Y+y))
					if gc != wc {
						t.Fatalf("pixel (%d,%d) = %v, want %v (image/png)", x, y, gc, wc)
					}
				}
			}
		})
	}
}

func TestEncodePNGOpaqueIsRGB(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodePNG(&buf, pngFrame(40, 40, true, 7)); err != nil {
		t.Fatal(err)
	}
	// Colour type is byte 25: 8-byte signature, 8-byte chunk head, 9 bytes in.
	if ct := buf.Bytes()[25]; ct != 2 {
		t.Errorf("colour type = %d, want 2 (RGB) for an opaque frame", ct)
	}
}

func TestEncodePNGRefusesEmpty(t *testing.T) {
	if err := EncodePNG(&bytes.Buffer{}, image.NewRGBA(image.Rect(0, 0, 0, 5))); err == nil {
		t.Error("EncodePNG(empty) = nil, want an error")
	}
}

func TestAdler32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{0, 1, 5, 65520, 65521, 65522, 200000} {
		a := make([]byte, r.IntN(70000))
		b := make([]byte, n)
		for i := range a {
			a[i] = byte(r.IntN(256))
		}
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		want := adler32.Checksum(append(append([]byte{}, a...), b...))
		if got := adler32Combine(adler32.Checksum(a), adler32.Checksum(b), int64(n)); got != want {
			t.Errorf("adler32Combine(len %d, len %d) = %08x, want %08x", len(a), n, got, want)
		}
	}
}

func BenchmarkEncodePNG1080p(b *testing.B) {
	img := pngFrame(1920, 1080, false, 11)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := EncodePNG(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

func BenchmarkEncodePNG1080pImagePNG(b *testing.B) {
	img := pngFrame(1920, 1080, false, 11)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

// TestUnpremultiplyEveryValue: every premultiplied value of every alpha
// converts as image/color's NRGBA model converts it.
func TestUnpremultiplyEveryValue(t *testing.T) {
	src := make([]byte, 0, 4*256*256)
	for a := 0; a < 256; a++ {
		for c := 0; c <= a; c++ {
			src = append(src, uint8(c), uint8(a-c), uint8(c/2), uint8(a))
		}
	}
	dst := make([]byte, len(src))
	pngUnpremultiply(dst, src, 4)
	for i := 0; i < len(src); i += 4 {
		want := color.NRGBAModel.Convert(color.RGBA{src[i], src[i+1], src[i+2], src[i+3]}).(color.NRGBA)
		got := color.NRGBA{dst[i], dst[i+1], dst[i+2], dst[i+3]}
		if got != want {
			t.Fatalf("premultiplied %v: %v, want %v", src[i:i+4], got, want)
		}
	}
}

// TestAdler32Update: the same sums as hash/adler32 for every length up to
// past two blocks, in pieces, and for bytes of 0xff (the largest sums).
func TestAdler32Update(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	data := make([]byte, 3<<16+13)
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 1 << 16, 1<<16 + 1, 1<<16 + 9, len(data)} {
		if got, want := adler32Update(1, data[:n]), adler32.Checksum(data[:n]); got != want {
			t.Errorf("%d bytes: %08x, want %08x", n, got, want)
		}
	}
	ad := uint32(1)
	for rest := data; len(rest) > 0; {
		k := min(len(rest), 1+r.IntN(3000))
		ad = adler32Update(ad, rest[:k])
		rest = rest[k:]
	}
	if want := adler32.Checksum(data); ad != want {
		t.Errorf("in pieces: %08x, want %08x", ad, want)
	}
	full := bytes.Repeat([]byte{0xff}, 5<<16+3)
	if got, want := adler32Update(1, full), adler32.Checksum(full); got != want {
		t.Errorf("0xff bytes: %08x, want %08x", got, want)
	}
}

func FuzzAdler32Update(f *testing.F) {
	f.Add([]byte("mapvault"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		k := int(cut) % (len(data) + 1)
		if got, want := adler32Update(adler32Update(1, data[:k]), data[k:]), adler32.Checksum(data); got != want {
			t.Fatalf("%08x, want %08x", got, want)
		}
	})
}

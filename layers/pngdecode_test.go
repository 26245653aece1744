package layers

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"testing"
)

// filteredPNG writes a PNG of colour type ct (depth 8) whose row y uses
// filter type y%5, so every filter is exercised. raw holds the rows'
// unfiltered bytes.
func filteredPNG(t testing.TB, ct byte, w, h int, raw, plte, trns []byte, interlace byte) []byte {
	t.Helper()
	bpp := map[byte]int{2: 3, 3: 1, 6: 4}[ct]
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		out.WriteString(typ)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(append([]byte(typ), data...)))
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9], ihdr[12] = 8, ct, interlace
	chunk("IHDR", ihdr)
	if plte != nil {
		chunk("PLTE", plte)
	}
	if trns != nil {
		chunk("tRNS", trns)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	n := w * bpp
	prev := make([]byte, n)
	for y := range h {
		cur := raw[y*n : (y+1)*n]
		f := make([]byte, n)
		for i := range cur {
			var a, c int
			if i >= bpp {
				a, c = int(cur[i-bpp]), int(prev[i-bpp])
			}
			b := int(prev[i])
			switch y % 5 {
			case 0:
				f[i] = cur[i]
			case 1:
				f[i] = cur[i] - uint8(a)
			case 2:
				f[i] = cur[i] - uint8(b)
			case 3:
				f[i] = cur[i] - uint8((a+b)/2)
			case 4:
				f[i] = cur[i] - paethPredict(a, b, c)
			}
		}
		zw.Write([]byte{byte(y % 5)})
		zw.Write(f)
		prev = cur
	}
	zw.Close()
	zb := z.Bytes()
	chunk("IDAT", zb[:len(zb)/2]) // two IDAT chunks: the stream spans them
	chunk("IDAT", zb[len(zb)/2:])
	chunk("IEND", nil)
	return out.Bytes()
}

func paethPredict(a, b, c int) uint8 {
	p := a + b - c
	pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
	switch {
	case pa <= pb && pa <= pc:
		return uint8(a)
	case pb <= pc:
		return uint8(b)
	}
	return uint8(c)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// mapLikeBytes returns n bytes of pixels that are mostly clear, opaque or
// partial alpha runs, with random colours.
func mapLikeBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = uint8(r.IntN(256))
		if r.IntN(3) == 0 {
			b[i] = []byte{0, 0xff}[r.IntN(2)]
		}
	}
	return b
}

// viaImagePNG is what the engine drew before: image/png's decoding
// converted to premultiplied RGBA by image/draw.
func viaImagePNG(t *testing.T, data []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/png: %v", err)
	}
	want := image.NewRGBA(img.Bounds())
	draw.Draw(want, want.Rect, img, image.Point{}, draw.Src)
	return want
}

func TestDecodePNGPremultipliedMatchesImagePNG(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	const w, h = 37, 23
	palette := mapLikeBytes(r, 3*200)
	cases := []struct {
		name       string
		ct         byte
		bpp        int
		plte, trns []byte
	}{
		{"rgba", 6, 4, nil, nil},
		{"rgb", 2, 3, nil, nil},
		{"palette", 3, 1, palette, nil},
		{"palette+trns", 3, 1, palette, mapLikeBytes(r, 150)},
		{"palette, trns longer than PLTE", 3, 1, palette[:3*20], mapLikeBytes(r, 40)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := mapLikeBytes(r, w*h*c.bpp)
			if c.ct == 3 {
				for i := range raw {
					raw[i] %= 220 // some indices past the palette: opaque black
				}
			}
			data := filteredPNG(t, c.ct, w, h, raw, c.plte, c.trns, 0)
			got, ok := decodePNGPremultiplied(data)
			if !ok {
				t.Fatal("not decoded by the fast path")
			}
			want := viaImagePNG(t, data)
			if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) {
				for i := range want.Pix {
					if got.Pix[i] != want.Pix[i] {
						t.Fatalf("byte %d (pixel %d,%d) = %d, want %d", i, i/4%w, i/4/w, got.Pix[i], want.Pix[i])
					}
				}
				t.Fatalf("rect %v, want %v", got.Rect, want.Rect)
			}
		})
	}
}

func TestDecodePNGPremultipliedLeavesOthersToImagePNG(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	good := filteredPNG(t, 6, 8, 8, mapLikeBytes(r, 8*8*4), nil, nil, 0)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-20] ^= 0x40 // inside the last IDAT
	truncated := good[:len(good)/2]
	var gray bytes.Buffer
	png.Encode(&gray, image.NewGray(image.Rect(0, 0, 4, 4)))
	var rgba16 bytes.Buffer
	png.Encode(&rgba16, image.NewNRGBA64(image.Rect(0, 0, 4, 4)))
	for name, data := range map[string][]byte{
		"interlaced": filteredPNG(t, 6, 8, 8, mapLikeBytes(r, 8*8*4), nil, nil, 1),
		"bad CRC":    badCRC,
		"truncated":  truncated,
		"gray":       gray.Bytes(),
		"16-bit":     rgba16.Bytes(),
		"jpeg-ish":   {0xFF, 0xD8, 0xFF, 0xE0},
	} {
		if _, ok := decodePNGPremultiplied(data); ok {
			t.Errorf("%s: decoded by the fast path, want image/png's", name)
		}
	}
	if _, ok := decodePNGPremultiplied(good); !ok {
		t.Error("the valid PNG was not decoded")
	}
}

// The engine decodes a PNG tile with the fast path to exactly what the
// generic path (image/png + premultiplication) gives.
func TestDecodeTileFastPathMatchesGeneric(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			src.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), uint8(x + y)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	got, ok := decodePNGPremultiplied(buf.Bytes())
	if !ok {
		t.Fatal("fast path refused image/png's own output")
	}
	if want := viaImagePNG(t, buf.Bytes()); !bytes.Equal(got.Pix, want.Pix) {
		t.Fatal("pixels differ from image/png + image/draw")
	}
}

package decor

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// checkGolden compares img with testdata/name exactly, or rewrites the file
// with -update. On a mismatch the result is written next to the test's
// temporary files for inspection.
func checkGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, want %v", name, img.Bounds(), want.Bounds())
	}
	diff := 0
	first := image.Point{-1, -1}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(want.At(x, y)) != img.RGBAAt(x, y) {
				if diff == 0 {
					first = image.Pt(x, y)
				}
				diff++
			}
		}
	}
	if diff > 0 {
		out := filepath.Join(t.TempDir(), name)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err == nil {
			os.WriteFile(out, buf.Bytes(), 0o644)
		}
		t.Errorf("%s: %d pixels differ, first at %v; got %s", name, diff, first, out)
	}
}

func TestGoldenLegend(t *testing.T) {
	p := newPainter(t)
	checkGolden(t, "legend.png", p.LegendImage(sampleLegend(), 1))
	checkGolden(t, "legend@2x.png", p.LegendImage(sampleLegend(), 2))
}

// mapLike is a deterministic stand-in for a rendered map: soft bands of
// colour with a few roads.
func mapLike(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{uint8(200 + (x*y/97)%40), uint8(220 + (x/13+y/17)%30), uint8(190 + (x+2*y)%50), 255}
			if (x+y)%157 < 4 || (x-2*y+1000)%211 < 3 {
				c = color.RGBA{250, 250, 240, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestGoldenFrame(t *testing.T) {
	p := newPainter(t)
	img := mapLike(800, 500)
	p.Decorate(img, sampleFrame(), Options{ScaleBar: true, Attribution: true, Legend: true, NorthArrow: true, Title: "Parcels and land cover", Scale: 1})
	checkGolden(t, "frame.png", img)
}

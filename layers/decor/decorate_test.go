package decor

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func sampleLegend() []LegendLayer {
	graphic := image.NewNRGBA(image.Rect(0, 0, 60, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 60; x++ {
			graphic.Set(x, y, color.NRGBA{uint8(x * 4), uint8(y * 6), 128, 255})
		}
	}
	return []LegendLayer{
		{
			Title: "Roads and parcels",
			Items: []LegendItem{
				{Label: "Parcel", Symbol: &Symbol{Geometry: "polygon", Fill: color.NRGBA{0x66, 0xaa, 0x66, 0xff}, Stroke: color.NRGBA{0x22, 0x55, 0x22, 0xff}, Width: 1}},
				{Label: "Motorway", Symbol: &Symbol{Geometry: "line", Stroke: color.NRGBA{0xdd, 0x44, 0x22, 0xff}, Width: 3}},
				{Label: "Well", Symbol: &Symbol{Geometry: "point", Fill: color.NRGBA{0x22, 0x66, 0xdd, 0xff}, Stroke: color.NRGBA{0xff, 0xff, 0xff, 0xff}, Width: 1, Radius: 5}},
			},
		},
		{
			Title: "Land cover (WMS)",
			Items: []LegendItem{{Image: graphic}},
		},
		{
			Title: "Geology",
			Note:  "legend unavailable: the server answered 404 Not Found",
		},
	}
}

func bigLegend() []LegendLayer {
	var ls []LegendLayer
	for i := 0; i < 6; i++ {
		l := LegendLayer{Title: fmt.Sprintf("Layer %d with a rather long title to make it wide", i)}
		for j := 0; j < 12; j++ {
			l.Items = append(l.Items, LegendItem{Label: fmt.Sprintf("Class %d.%d", i, j), Symbol: &Symbol{Geometry: "polygon", Fill: color.NRGBA{uint8(j * 20), 100, 200, 255}}})
		}
		ls = append(ls, l)
	}
	return ls
}

func sampleFrame() Frame {
	return Frame{
		MetersPerPixel: MetersPerPixel(12, 48),
		Attributions:   []string{"© OpenStreetMap contributors", "Ortho © State Survey Office", "Data: Example Agency"},
		Legend:         sampleLegend(),
	}
}

// drawnIn decorates a copy of the frame and returns the box of changed pixels.
func drawnIn(t *testing.T, p *Painter, bg *image.RGBA, f Frame, o Options) image.Rectangle {
	t.Helper()
	img := clone(bg)
	p.Decorate(img, f, o)
	return changed(bg, img)
}

func TestDecorateCorners(t *testing.T) {
	p := newPainter(t)
	const W, H = 1920, 1080
	for _, bg := range []struct {
		name string
		img  *image.RGBA
	}{
		{"white", filled(W, H, color.White)},
		{"transparent", image.NewRGBA(image.Rect(0, 0, W, H))},
	} {
		for _, scale := range []float64{1, 2} {
			name := fmt.Sprintf("%s/%v", bg.name, scale)
			centre := image.Rect(int(math.Ceil(0.35*W)), int(math.Ceil(0.35*H)), int(0.65*W), int(0.65*H))
			quad := map[string]image.Rectangle{
				"bottom-left":  image.Rect(0, H/2, W/2, H),
				"bottom-right": image.Rect(W/2, H/2, W, H),
				"top-left":     image.Rect(0, 0, W/2, H/2),
				"right":        image.Rect(W/2, 0, W, H),
			}
			for _, c := range []struct {
				what  string
				frame Frame
				opts  Options
				where string
			}{
				{"scale bar", sampleFrame(), Options{ScaleBar: true}, "bottom-left"},
				{"attribution", sampleFrame(), Options{Attribution: true}, "bottom-right"},
				{"huge attribution", Frame{Attributions: []string{strings.Repeat("very long attribution text ", 5000)}}, Options{Attribution: true}, "bottom-right"},
				{"legend", sampleFrame(), Options{Legend: true}, "right"},
				{"big legend", Frame{Legend: bigLegend()}, Options{Legend: true}, "right"},
				{"big legend under a title", Frame{Legend: bigLegend()}, Options{Legend: true, Title: "A title"}, ""},
				{"north arrow", sampleFrame(), Options{NorthArrow: true}, "top-left"},
			} {
				o := c.opts
				o.Scale = scale
				got := drawnIn(t, p, bg.img, c.frame, o)
				if got.Empty() {
					t.Errorf("%s: %s: nothing drawn", name, c.what)
					continue
				}
				if c.where != "" && !got.In(quad[c.where]) {
					t.Errorf("%s: %s drawn in %v, outside the %s part %v", name, c.what, got, c.where, quad[c.where])
				}
				if o.Legend {
					img := clone(bg.img)
					o.Title = ""
					p.Decorate(img, c.frame, o)
					if r := changed(bg.img.SubImage(centre).(*image.RGBA), img.SubImage(centre).(*image.RGBA)); !r.Empty() {
						t.Errorf("%s: %s covers the centre at %v", name, c.what, r)
					}
				}
			}

			// The title is at the top, centred.
			got := drawnIn(t, p, bg.img, Frame{}, Options{Title: "Flood zones 2025", Scale: scale})
			if got.Empty() || got.Max.Y > H/4 || math.Abs(float64(got.Min.X+got.Max.X)/2-W/2) > 2 {
				t.Errorf("%s: title drawn in %v", name, got)
			}

			// Nothing when every option is off, whatever the frame holds.
			if got := drawnIn(t, p, bg.img, sampleFrame(), Options{Scale: scale}); !got.Empty() {
				t.Errorf("%s: all off, yet drawn in %v", name, got)
			}
		}
	}
}

func TestDecorateBigLegendShrinks(t *testing.T) {
	p := newPainter(t)
	const W, H = 1000, 700
	bg := filled(W, H, color.White)
	l := p.LegendImage(bigLegend(), 1)
	if l.Bounds().Dy() < H {
		t.Fatalf("legend %v is not big enough for this test", l.Bounds())
	}
	got := drawnIn(t, p, bg, Frame{Legend: bigLegend()}, Options{Legend: true})
	if float64(got.Dx()) > 0.4*W+1 || float64(got.Dy()) > 0.6*H+1 {
		t.Errorf("legend drawn in %v, larger than 40%%×60%% of %d×%d", got, W, H)
	}
}

func TestDecorateNoScaleBarWithoutResolution(t *testing.T) {
	p := newPainter(t)
	bg := filled(400, 300, color.White)
	for _, mpp := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := drawnIn(t, p, bg, Frame{MetersPerPixel: mpp}, Options{ScaleBar: true}); !got.Empty() {
			t.Errorf("m/px %v: drawn in %v", mpp, got)
		}
	}
}

func TestDecorateRobust(t *testing.T) {
	p := newPainter(t)
	all := Options{ScaleBar: true, Attribution: true, Legend: true, NorthArrow: true, Title: "Title"}
	frames := []Frame{
		{},
		sampleFrame(),
		{MetersPerPixel: math.NaN(), Attributions: []string{"", " ", ""}, Legend: []LegendLayer{{}, {Items: []LegendItem{{}}}}},
		{MetersPerPixel: 1e-12, Attributions: []string{strings.Repeat("x", 1<<20)}, Legend: []LegendLayer{{Title: strings.Repeat("T", 100000), Note: strings.Repeat("n ", 100000)}}},
		{MetersPerPixel: 1e300, Legend: []LegendLayer{{Items: []LegendItem{{Image: image.NewRGBA(image.Rect(0, 0, 0, 0))}, {Image: image.NewRGBA(image.Rect(5, 5, 20000, 7))}, {Symbol: &Symbol{Width: math.NaN(), Radius: math.Inf(1)}}}}}},
	}
	sizes := []image.Rectangle{
		image.Rect(0, 0, 0, 0), image.Rect(0, 0, 1, 1), image.Rect(0, 0, 10, 10),
		image.Rect(0, 0, 10, 1000), image.Rect(0, 0, 1000, 10), image.Rect(-50, 30, 750, 530),
	}
	for _, r := range sizes {
		for i, f := range frames {
			for _, scale := range []float64{0, math.NaN(), 1, 3, 1e6} {
				o := all
				o.Scale = scale
				img := image.NewRGBA(r)
				p.Decorate(img, f, o)
				o.Title = ""
				p.Decorate(img, f, o)
				_ = i
			}
		}
	}
	p.Decorate(nil, sampleFrame(), all)
	if img := p.LegendImage(nil, 1); img != nil {
		t.Errorf("empty legend: %v", img.Bounds())
	}
	if img := p.LegendImage([]LegendLayer{{Title: "  "}, {Items: []LegendItem{{Label: " "}, {Image: image.NewRGBA(image.Rect(0, 0, 0, 5))}}}}, 1); img != nil {
		t.Errorf("blank legend: %v", img.Bounds())
	}
}

func TestDecorateOffsetBounds(t *testing.T) {
	// A frame whose bounds do not start at 0,0 puts decorations in the same
	// places relative to its bounds.
	p := newPainter(t)
	o := Options{ScaleBar: true, Attribution: true, Legend: true, NorthArrow: true, Title: "Offset", Scale: 1}
	a := filled(800, 500, color.White)
	b := image.NewRGBA(image.Rect(100, 200, 900, 700))
	copy(b.Pix, a.Pix)
	p.Decorate(a, sampleFrame(), o)
	p.Decorate(b, sampleFrame(), o)
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			t.Fatalf("differs at byte %d", i)
		}
	}
}

func TestLegendImageScale(t *testing.T) {
	p := newPainter(t)
	one := p.LegendImage(sampleLegend(), 1)
	two := p.LegendImage(sampleLegend(), 2)
	if one == nil || two == nil {
		t.Fatal("no legend")
	}
	dw := float64(two.Bounds().Dx()) / float64(one.Bounds().Dx())
	dh := float64(two.Bounds().Dy()) / float64(one.Bounds().Dy())
	if dw < 1.8 || dw > 2.2 || dh < 1.8 || dh > 2.2 {
		t.Errorf("2× legend is %v, 1× is %v", two.Bounds(), one.Bounds())
	}

	// A graphic made for the legend's scale is drawn 1:1.
	g := image.NewRGBA(image.Rect(0, 0, 30, 10))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	for x := 0; x < 30; x += 2 {
		g.SetRGBA(x, 5, color.RGBA{255, 0, 0, 255})
	}
	img := p.LegendImage([]LegendLayer{{Items: []LegendItem{{Image: g, ImageScale: 2}}}}, 2)
	pad := int(legendPad * 2)
	for x := 0; x < 30; x++ {
		want := color.RGBA{255, 255, 255, 255}
		if x%2 == 0 {
			want = color.RGBA{255, 0, 0, 255}
		}
		if got := img.RGBAAt(pad+x, pad+5); got != want {
			t.Fatalf("pixel %d of the graphic: %v, want %v (legend %v)", x, got, want, img.Bounds())
		}
	}
	if w, h := graphicSize(g.Bounds(), 2, 1); w != 60 || h != 20 {
		t.Errorf("a 1× graphic at 2×: %d×%d", w, h)
	}
	if w, h := graphicSize(g.Bounds(), 1, 2); w != 15 || h != 5 {
		t.Errorf("a 2× graphic at 1×: %d×%d", w, h)
	}
}

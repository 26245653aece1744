package layers

import (
	"context"
	"image"
	"image/color"
	"testing"
)

// overlayTile is a typical overlay: half transparent, a quarter opaque, a
// quarter half-transparent, in 8-pixel stripes.
func overlayTile(px int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, px, px))
	half := color.RGBA{c.R / 2, c.G / 2, c.B / 2, 128}
	for y := 0; y < px; y++ {
		for x := 0; x < px; x++ {
			switch (x/8 + y/8) % 4 {
			case 0:
				img.SetRGBA(x, y, c)
			case 1:
				img.SetRGBA(x, y, half)
			}
		}
	}
	return img
}

func benchCompose(b *testing.B, v View) {
	e := NewEngine(nil, Options{})
	specs := []LayerSpec{cacheSpec("base", 1), cacheSpec("roads", 1), cacheSpec("labels", 0.7)}
	fillCache(b, e, v, specs[0], -1, func(_ Tile, px int) *image.RGBA { return solid(px, color.RGBA{200, 220, 180, 255}) })
	road := overlayTile(newViewGrid(v).TilePx, color.RGBA{200, 30, 30, 255})
	label := overlayTile(newViewGrid(v).TilePx, color.RGBA{10, 10, 90, 255})
	fillCache(b, e, v, specs[1], -1, func(Tile, int) *image.RGBA { return road })
	fillCache(b, e, v, specs[2], -1, func(Tile, int) *image.RGBA { return label })
	if _, missing := e.Compose(v, specs); missing != 0 {
		b.Fatalf("missing = %d", missing)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Compose(v, specs)
	}
}

// BenchmarkCompose1080p3Layers: a 1920x1080 frame, integral zoom, an opaque
// base, an overlay at opacity 1 and one at 0.7, all tiles cached.
func BenchmarkCompose1080p3Layers(b *testing.B) {
	benchCompose(b, View{CenterLon: 8.5, CenterLat: 47.4, Zoom: 12, Width: 1920, Height: 1080})
}

// BenchmarkCompose1080p3LayersFractional: the same at a fractional zoom
// (every tile resampled).
func BenchmarkCompose1080p3LayersFractional(b *testing.B) {
	benchCompose(b, View{CenterLon: 8.5, CenterLat: 47.4, Zoom: 12.4, Width: 1920, Height: 1080})
}

// BenchmarkCompose1080p3LayersHiDPI: 960x540 logical at Scale 2.
func BenchmarkCompose1080p3LayersHiDPI(b *testing.B) {
	benchCompose(b, View{CenterLon: 8.5, CenterLat: 47.4, Zoom: 12, Width: 960, Height: 540, Scale: 2})
}

// benchRender renders a 1024x768 view of three mergeable layers from an
// empty cache against the local fake WMS.
func benchRender(b *testing.B, noMerge bool) {
	f := newFakeWMS(b, map[string]color.NRGBA{"a": {255, 0, 0, 255}, "b": {0, 255, 0, 128}, "c": {0, 0, 255, 64}})
	specs := []LayerSpec{f.spec("A", "a"), f.spec("B", "b"), f.spec("C", "c")}
	v := View{CenterLon: 8.5, CenterLat: 47.4, Zoom: 12, Width: 1024, Height: 768}
	var requests int64
	b.ResetTimer()
	for b.Loop() {
		e := NewEngine(f.srv.Client(), Options{NoMerge: noMerge})
		_, _, st := e.Render(context.Background(), v, specs, nil)
		requests = st.Requests
	}
	b.ReportMetric(float64(requests), "requests/op")
}

func BenchmarkRender3LayersMerged(b *testing.B)   { benchRender(b, false) }
func BenchmarkRender3LayersUnmerged(b *testing.B) { benchRender(b, true) }

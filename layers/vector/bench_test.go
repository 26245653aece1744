package vector

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/twpayne/go-geom"
)

// europeBounds is the box the benchmark data covers.
var europeBounds = Bounds{West: -25, South: 34, East: 45, North: 71}

// europePolygons returns n star-shaped polygons of vertices vertices (plus
// the closing one) on a grid over europeBounds, each filling about half of
// its cell, like a layer of administrative areas. Deterministic.
func europePolygons(n, vertices int) []Feature {
	rng := rand.New(rand.NewPCG(1, 2))
	cols := int(math.Ceil(math.Sqrt(float64(n) * 2)))
	rows := (n + cols - 1) / cols
	cw := (europeBounds.East - europeBounds.West) / float64(cols)
	ch := (europeBounds.North - europeBounds.South) / float64(rows)
	kinds := []string{"forest", "water", "urban", "farm", "park"}
	out := make([]Feature, 0, n)
	for i := range n {
		cx := europeBounds.West + (float64(i%cols)+0.5)*cw
		cy := europeBounds.South + (float64(i/cols)+0.5)*ch
		flat := make([]float64, 0, 2*(vertices+1))
		for v := range vertices {
			a := 2 * math.Pi * float64(v) / float64(vertices)
			rad := 0.45 * (0.6 + 0.4*rng.Float64())
			flat = append(flat, cx+math.Cos(a)*rad*cw, cy+math.Sin(a)*rad*ch)
		}
		flat = append(flat, flat[0], flat[1])
		out = append(out, Feature{
			ID:         fmt.Sprint(i),
			Geometry:   geom.NewPolygonFlat(geom.XY, flat, []int{len(flat)}),
			Properties: map[string]any{"kind": kinds[i%len(kinds)]},
		})
	}
	return out
}

// europeLines returns n zig-zag lines of vertices vertices over Europe.
func europeLines(n, vertices int) []Feature {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]Feature, 0, n)
	for i := range n {
		x := europeBounds.West + rng.Float64()*(europeBounds.East-europeBounds.West)
		y := europeBounds.South + rng.Float64()*(europeBounds.North-europeBounds.South)
		flat := make([]float64, 0, 2*vertices)
		for range vertices {
			flat = append(flat, x, y)
			x += (rng.Float64() - 0.3) * 0.3
			y += (rng.Float64() - 0.5) * 0.3
		}
		out = append(out, Feature{ID: fmt.Sprint(i), Geometry: geom.NewLineStringFlat(geom.XY, flat)})
	}
	return out
}

// europePoints returns n points over Europe.
func europePoints(n int) []Feature {
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]Feature, 0, n)
	for i := range n {
		x := europeBounds.West + rng.Float64()*(europeBounds.East-europeBounds.West)
		y := europeBounds.South + rng.Float64()*(europeBounds.North-europeBounds.South)
		out = append(out, Feature{ID: fmt.Sprint(i), Geometry: geom.NewPointFlat(geom.XY, []float64{x, y})})
	}
	return out
}

// europeView is the 1920x1080 Web Mercator view that fits europeBounds.
func europeView(w, h int) WebMercator {
	x0, y0 := unitMercator(europeBounds.West, europeBounds.North)
	x1, y1 := unitMercator(europeBounds.East, europeBounds.South)
	zoom := math.Log2(math.Min(float64(w)/(x1-x0), float64(h)/(y1-y0)) / TileSize)
	lon := (europeBounds.West + europeBounds.East) / 2
	lat := latOfUnitY((y0 + y1) / 2)
	return NewWebMercator(lon, lat, zoom, w, h)
}

// BenchmarkRender5000Polygons1080p draws a cached layer of 5,000 polygons
// of 20 vertices covering a 1920x1080 frame: the frame budget is
// 16 ms for a cached frame of three layers including this one.
//
// Measured on the 2-core shared CI-like machine (Xeon, load about 1), one
// core: default style 17.3 ms (fills 10.8 ms: x/image/vector edges 5.5 ms,
// compositing 4 ms; outlines about 6 ms, 105k hairline segments),
// categorised 17.5 ms, fill only 10.8 ms; no allocation per feature. Two
// bands on two cores (BenchmarkRender5000Polygons1080pBands) take 9.9 ms
// of wall time. Preparing the layer once (NewLayer) takes 14 ms.
func BenchmarkRender5000Polygons1080p(b *testing.B) {
	l := NewLayer(europePolygons(5000, 20))
	view := europeView(1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	cat := DefaultStyle()
	cat.Categories = &Categories{Attribute: "kind", Colors: map[string]color.NRGBA{
		"forest": {34, 139, 34, 160}, "water": {30, 144, 255, 160}, "urban": {128, 128, 128, 160}, "farm": {240, 230, 140, 160},
	}, Default: color.NRGBA{200, 100, 100, 160}}
	for _, bc := range []struct {
		name  string
		style Style
	}{
		{"default", DefaultStyle()},
		{"categorised", cat},
		{"fill-only", Style{Fill: color.NRGBA{66, 133, 244, 102}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewRenderer(Options{})
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				clear(dst.Pix)
				if _, err := r.Render(dst, l, bc.style, view); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkRender5000Polygons1080pBands draws the same frame as two
// horizontal bands on two goroutines, each with its own Renderer over the
// shared Layer and a SubImage of the frame: how a caller with spare cores
// halves the wall time (the package itself starts no goroutines).
func BenchmarkRender5000Polygons1080pBands(b *testing.B) {
	l := NewLayer(europePolygons(5000, 20))
	view := europeView(1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	bands := []*image.RGBA{
		dst.SubImage(image.Rect(0, 0, 1920, 540)).(*image.RGBA),
		dst.SubImage(image.Rect(0, 540, 1920, 1080)).(*image.RGBA),
	}
	rs := []*Renderer{NewRenderer(Options{}), NewRenderer(Options{})}
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		clear(dst.Pix)
		var wg sync.WaitGroup
		for i := range bands {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := rs[i].Render(bands[i], l, DefaultStyle(), view); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	reportCPU(b, start)
}

// BenchmarkRenderThreeLayers1080p composes the cached frame: the
// 5,000 polygons, 2,000 lines of 50 vertices and 5,000 points.
func BenchmarkRenderThreeLayers1080p(b *testing.B) {
	polys := NewLayer(europePolygons(5000, 20))
	lines := NewLayer(europeLines(2000, 50))
	points := NewLayer(europePoints(5000))
	view := europeView(1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	lineStyle := Style{Stroke: color.NRGBA{200, 30, 30, 255}, StrokeWidth: 1.5}
	pointStyle := Style{Fill: color.NRGBA{255, 165, 0, 255}, Stroke: color.NRGBA{0, 0, 0, 255}, PointRadius: 3}
	r := NewRenderer(Options{})
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		clear(dst.Pix)
		for _, l := range []struct {
			l *Layer
			s Style
		}{{polys, DefaultStyle()}, {lines, lineStyle}, {points, pointStyle}} {
			if _, err := r.Render(dst, l.l, l.s, view); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start)
}

// BenchmarkNewLayer5000Polygons is the once-per-fetch cost of projecting
// and indexing the benchmark layer.
func BenchmarkNewLayer5000Polygons(b *testing.B) {
	fs := europePolygons(5000, 20)
	b.ReportAllocs()
	for b.Loop() {
		NewLayer(fs)
	}
}

// reportCPU adds the process CPU time per op since start as cpu-ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

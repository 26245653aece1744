package kinds

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/project"
)

// parcelsGeoJSON writes n star-shaped polygons of 20 vertices on a grid over
// Europe (each about half its cell, like administrative areas) as a
// GeoJSON file, deterministically.
func parcelsGeoJSON(tb testing.TB, n int) string {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const west, south, east, north = -25.0, 34.0, 45.0, 71.0
	cols := int(math.Ceil(math.Sqrt(float64(n) * 2)))
	rows := (n + cols - 1) / cols
	cw, ch := (east-west)/float64(cols), (north-south)/float64(rows)
	kinds := []string{"forest", "water", "urban", "farm", "park"}
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		cx := west + (float64(i%cols)+0.5)*cw
		cy := south + (float64(i/cols)+0.5)*ch
		fmt.Fprintf(&b, `{"type":"Feature","id":%d,"properties":{"kind":%q},"geometry":{"type":"Polygon","coordinates":[[`, i, kinds[i%len(kinds)])
		var fx, fy float64
		for v := range 20 {
			a := 2 * math.Pi * float64(v) / 20
			r := 0.45 * (0.6 + 0.4*rng.Float64())
			x, y := cx+math.Cos(a)*r*cw, cy+math.Sin(a)*r*ch
			if v == 0 {
				fx, fy = x, y
			}
			fmt.Fprintf(&b, "[%.5f,%.5f],", x, y)
		}
		fmt.Fprintf(&b, "[%.5f,%.5f]]]}}", fx, fy)
	}
	b.WriteString("]}")
	path := filepath.Join(tb.TempDir(), "parcels.geojson")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// tileServer serves a 256 px PNG for every XYZ tile: opaque for the base,
// a striped half-transparent overlay otherwise.
func tileServer(tb testing.TB, opaque bool) string {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			switch {
			case opaque:
				img.SetNRGBA(x, y, color.NRGBA{200, 220, 180, 255})
			case (x/8+y/8)%4 == 0:
				img.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 255})
			case (x/8+y/8)%4 == 1:
				img.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 128})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/{z}/{x}/{y}.png"
}

// threeLayers resolves an XYZ base, an XYZ overlay and a 5,000-polygon
// GeoJSON layer (categorised by kind) through the registry, bottom first.
func threeLayers(tb testing.TB) []layers.LayerSpec {
	tb.Helper()
	reg := Default()
	cat := layers.NewCatalog(http.DefaultClient, reg, nil)
	ls := []project.Layer{
		{ID: "base", Kind: project.KindXYZ, Source: tileServer(tb, true), Opacity: 1, Visible: true},
		{ID: "overlay", Kind: project.KindXYZ, Source: tileServer(tb, false), Opacity: 0.8, Visible: true},
		{ID: "parcels", Kind: project.KindGeoJSON, Source: parcelsGeoJSON(tb, 5000), Opacity: 1, Visible: true,
			Style: project.Style{Attribute: "kind", Categories: []project.Category{
				{Value: "forest", Fill: "#2e7d32"}, {Value: "water", Fill: "#1565c0"}, {Value: "urban", Fill: "#9e9e9e"},
				{Value: "farm", Fill: "#f9a825"}, {Value: "park", Fill: "#66bb6a"}}}},
	}
	var specs []layers.LayerSpec
	for _, l := range ls {
		s, err := cat.Spec(context.Background(), l)
		if err != nil {
			tb.Fatalf("%s: %v", l.ID, err)
		}
		specs = append(specs, s)
	}
	return specs
}

// europe1080p shows all 5,000 polygons.
var europe1080p = layers.View{CenterLon: 10, CenterLat: 52, Zoom: 4, Width: 1920, Height: 1080}

// BenchmarkComposeCached1080pWith5000Polygons: issue 9's goal, a cached
// 1920x1080 frame of three layers, one of them 5,000 polygons, composes in
// under 16 ms. The engine caches each layer's rendered tiles, so a cached
// frame composes tiles whatever the kind; the polygons were rasterised
// once, tile by tile on the pipeline's goroutines (reported as
// first-render-ms).
func BenchmarkComposeCached1080pWith5000Polygons(b *testing.B) {
	specs := threeLayers(b)
	e := layers.NewEngine(http.DefaultClient, layers.Options{})
	start := time.Now()
	_, states, _ := e.Render(context.Background(), europe1080p, specs, nil)
	first := time.Since(start)
	for _, s := range specs {
		if st := states[s.ID]; st.Kind != layers.StateOK {
			b.Fatalf("layer %s: %+v", s.ID, st)
		}
	}
	if _, missing := e.Compose(europe1080p, specs); missing != 0 {
		b.Fatalf("missing = %d", missing)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Compose(europe1080p, specs)
	}
	b.ReportMetric(float64(first.Milliseconds()), "first-render-ms")
}

// TestComposeCachedWithPolygonsDraws checks the benchmark's frame: the
// parcels are drawn over the base in their categories' colours.
func TestComposeCachedWithPolygonsDraws(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 5,000 polygons")
	}
	specs := threeLayers(t)
	e := layers.NewEngine(http.DefaultClient, layers.Options{})
	img, states, _ := e.Render(context.Background(), europe1080p, specs, nil)
	for _, s := range specs {
		if st := states[s.ID]; st.Kind != layers.StateOK {
			t.Fatalf("layer %s: %+v", s.ID, st)
		}
	}
	frame, missing := e.Compose(europe1080p, specs)
	if missing != 0 || !bytes.Equal(frame.Pix, img.Pix) {
		t.Fatalf("the cached compose differs from the render (missing %d)", missing)
	}
	// Without the parcels the frame is base and overlay only: the parcels
	// must change a good part of it.
	without, _ := e.Compose(europe1080p, specs[:2])
	changed := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] != without.Pix[i] || img.Pix[i+1] != without.Pix[i+1] || img.Pix[i+2] != without.Pix[i+2] {
			changed++
		}
	}
	if total := len(img.Pix) / 4; changed < total/10 {
		t.Errorf("the parcels changed %d of %d pixels, want at least a tenth", changed, total)
	}
}

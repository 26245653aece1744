package vector

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
)

// mustGeoJSON parses a GeoJSON document for a test.
func mustGeoJSON(t testing.TB, doc string) []Feature {
	t.Helper()
	fc, err := ParseGeoJSON(strings.NewReader(doc), Options{})
	if err != nil {
		t.Fatalf("ParseGeoJSON(%.60q) error = %v", doc, err)
	}
	return fc.Features
}

// plate is a w x h projector: lon/lat straight to pixels, one degree per
// pixel, y down from lat 0 (a plate carrée for exact pixel tests).
func plate(h int) Projector {
	return ProjectorFunc(func(lon, lat float64) (float64, float64) { return lon, float64(h) - lat })
}

func white(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return img
}

func TestRenderFillAndHole(t *testing.T) {
	// The hole winds the same way as the exterior: the renderer orients
	// rings itself.
	fs := mustGeoJSON(t, `{"type":"Polygon","coordinates":[[[2,2],[18,2],[18,18],[2,18],[2,2]],[[6,6],[14,6],[14,14],[6,14],[6,6]]]}`)
	for _, p := range []Projector{plate(20), ProjectorFunc(plate(20).Project)} {
		img := image.NewRGBA(image.Rect(0, 0, 20, 20))
		red := color.NRGBA{255, 0, 0, 255}
		if err := Render(img, fs, Style{Fill: red}, p); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			x, y int
			want color.RGBA
		}{
			{4, 4, color.RGBA{255, 0, 0, 255}},   // the ring
			{10, 10, color.RGBA{}},               // the hole
			{0, 0, color.RGBA{}},                 // outside
			{19, 19, color.RGBA{}},               // outside
			{16, 10, color.RGBA{255, 0, 0, 255}}, // the ring
		} {
			if got := img.RGBAAt(tt.x, tt.y); got != tt.want {
				t.Errorf("pixel (%d,%d) = %v, want %v", tt.x, tt.y, got, tt.want)
			}
		}
		// A pixel half covered by the edge at x = 2 is half red.
		img2 := image.NewRGBA(image.Rect(0, 0, 20, 20))
		Render(img2, mustGeoJSON(t, `{"type":"Polygon","coordinates":[[[2.5,2],[18,2],[18,18],[2.5,18],[2.5,2]]]}`), Style{Fill: red}, p)
		if a := img2.RGBAAt(2, 10).A; a < 120 || a > 136 {
			t.Errorf("half-covered pixel alpha = %d, want about 128", a)
		}
	}
}

func TestRenderStroke(t *testing.T) {
	line := mustGeoJSON(t, `{"type":"LineString","coordinates":[[-100,5],[100,5]]}`)
	blue := color.NRGBA{0, 0, 255, 255}
	tests := []struct {
		width float64
		want  []uint8 // alpha per row 0..9
	}{
		{2, []uint8{0, 0, 0, 0, 255, 255, 0, 0, 0, 0}},     // a hairline
		{3, []uint8{0, 0, 0, 128, 255, 255, 128, 0, 0, 0}}, // rasterised
		{1, []uint8{0, 0, 0, 0, 128, 128, 0, 0, 0, 0}},     // straddles two rows
	}
	for _, tt := range tests {
		img := image.NewRGBA(image.Rect(0, 0, 10, 10))
		if err := Render(img, line, Style{Stroke: blue, StrokeWidth: tt.width}, plate(10)); err != nil {
			t.Fatal(err)
		}
		for y := range 10 {
			for x := range 10 {
				if got := img.RGBAAt(x, y).A; absDiff(got, tt.want[y]) > 2 {
					t.Fatalf("width %v: pixel (%d,%d) alpha = %d, want %d", tt.width, x, y, got, tt.want[y])
				}
			}
		}
	}
}

// TestHairlineCoverage: a hairline's coverage per column (row, for a steep
// line) is its width across the line, w·sqrt(1+slope²), in any direction.
func TestHairlineCoverage(t *testing.T) {
	c := premultiply(color.NRGBA{0, 0, 0, 255}, 1)
	for _, tt := range []struct {
		ax, ay, bx, by float64
		width          float64
	}{
		{2, 2, 30, 30, 1}, {30, 30, 2, 2, 1}, {2, 30, 30, 2, 1}, // diagonals
		{5.5, 1, 5.5, 31, 1}, {5.3, 31, 5.3, 1, 2}, // vertical
		{1, 10.2, 31, 16.7, 1.5}, // shallow
		{10.2, 1, 16.7, 31, 1.5}, // steep
	} {
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		hairline(img, tt.ax, tt.ay, tt.bx, tt.by, tt.width, c)
		dx, dy := tt.bx-tt.ax, tt.by-tt.ay
		steep := math.Abs(dy) > math.Abs(dx)
		slope := dy / dx
		if steep {
			slope = dx / dy
		}
		want := tt.width * math.Sqrt(1+slope*slope) * 255
		// Sample a line across the middle of the segment.
		sum := 0
		for k := range 32 {
			if steep {
				sum += int(img.RGBAAt(k, 16).A)
			} else {
				sum += int(img.RGBAAt(16, k).A)
			}
		}
		if math.Abs(float64(sum)-want) > 0.02*want+3 {
			t.Errorf("hairline %v: coverage across = %d, want %.0f", tt, sum, want)
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestRenderHairlineJoints: a closed ring's outline covers every edge
// pixel once, without gaps at the vertices.
func TestRenderHairlineJoints(t *testing.T) {
	sq := mustGeoJSON(t, `{"type":"Polygon","coordinates":[[[2.5,2.5],[7.5,2.5],[7.5,7.5],[2.5,7.5],[2.5,2.5]]]}`)
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	Render(img, sq, Style{Stroke: color.NRGBA{0, 0, 0, 255}, StrokeWidth: 1}, plate(10))
	for i := 3; i <= 6; i++ {
		for _, p := range []image.Point{{i, 2}, {i, 7}, {2, i}, {7, i}} {
			if a := img.RGBAAt(p.X, p.Y).A; a != 255 {
				t.Errorf("outline pixel %v alpha = %d, want 255", p, a)
			}
		}
	}
	if a := img.RGBAAt(5, 5).A; a != 0 {
		t.Errorf("inside pixel alpha = %d, want 0 (no fill)", a)
	}
}

func TestRenderPointsAndOpacity(t *testing.T) {
	pt := mustGeoJSON(t, `{"type":"MultiPoint","coordinates":[[10.5,10.5],[30.25,10.75]]}`)
	st := Style{Fill: color.NRGBA{255, 0, 0, 255}, Stroke: color.NRGBA{0, 0, 0, 255}, StrokeWidth: 2, PointRadius: 5}
	img := image.NewRGBA(image.Rect(0, 0, 40, 21))
	Render(img, pt, st, plate(21))
	if got := img.RGBAAt(10, 10); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("centre = %v, want red", got)
	}
	if got := img.RGBAAt(15, 10); got.R > 40 || got.A < 200 {
		t.Errorf("outline at radius 5 = %v, want dark", got)
	}
	if got := img.RGBAAt(10, 3); got.A != 0 {
		t.Errorf("outside the symbol = %v, want nothing", got)
	}
	if got := img.RGBAAt(30, 10); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("second point centre = %v, want red", got)
	}
	st.Opacity = 0.5
	img = image.NewRGBA(image.Rect(0, 0, 40, 21))
	Render(img, pt, st, plate(21))
	if got := img.RGBAAt(10, 10); got.A < 126 || got.A > 129 || got.R != got.A {
		t.Errorf("centre at opacity 0.5 = %v, want half-transparent red", got)
	}
}

func TestRenderCategories(t *testing.T) {
	fs := mustGeoJSON(t, `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"kind":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
		{"type":"Feature","properties":{"kind":"b"},"geometry":{"type":"Polygon","coordinates":[[[10,0],[20,0],[20,10],[10,10],[10,0]]]}},
		{"type":"Feature","properties":{"kind":"c"},"geometry":{"type":"Polygon","coordinates":[[[20,0],[30,0],[30,10],[20,10],[20,0]]]}},
		{"type":"Feature","properties":{"kind":1.0},"geometry":{"type":"LineString","coordinates":[[0,5],[30,5]]}},
		{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,0],[40,0],[40,10],[30,10],[30,0]]]}}]}`)
	red, green, grey, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 255, 0, 255}, color.NRGBA{128, 128, 128, 255}, color.NRGBA{0, 0, 255, 255}
	st := Style{StrokeWidth: 2, Categories: &Categories{Attribute: "kind", Colors: map[string]color.NRGBA{"a": red, "b": green, "1.0": blue}, Default: grey}}
	img := image.NewRGBA(image.Rect(0, 0, 40, 10))
	if err := Render(img, fs, st, plate(10)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		x, y int
		want color.NRGBA
	}{{5, 2, red}, {15, 2, green}, {25, 2, grey}, {35, 2, grey}, {5, 4, blue}} {
		if got := color.NRGBAModel.Convert(img.At(tt.x, tt.y)); got != tt.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
	// A zero Default leaves the other features undrawn.
	st.Categories.Default = color.NRGBA{}
	img = image.NewRGBA(image.Rect(0, 0, 40, 10))
	Render(img, fs, st, plate(10))
	if got := img.RGBAAt(25, 2); got.A != 0 {
		t.Errorf("uncategorised feature = %v, want undrawn", got)
	}
}

// TestRenderClipping draws a polygon far larger than the view at zoom 20
// (pixel coordinates beyond float32 precision) and a view that shows only
// its hole's edge.
func TestRenderClipping(t *testing.T) {
	fs := mustGeoJSON(t, `{"type":"Polygon","coordinates":[[[-170,-80],[170,-80],[170,80],[-170,80],[-170,-80]],[[10,50],[10.001,50],[10.001,50.001],[10,50.001],[10,50]]]}`)
	m := NewWebMercator(10.001, 50.0005, 20, 64, 64)
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	if err := Render(img, fs, Style{Fill: color.NRGBA{0, 0, 255, 255}}, m); err != nil {
		t.Fatal(err)
	}
	if a := img.RGBAAt(60, 32).A; a != 255 {
		t.Errorf("east of the hole alpha = %d, want filled", a)
	}
	if a := img.RGBAAt(4, 32).A; a != 0 {
		t.Errorf("inside the hole alpha = %d, want empty", a)
	}
}

// TestRenderWorldCopies: a view wider than the world draws a feature once
// per copy of the world.
func TestRenderWorldCopies(t *testing.T) {
	fs := mustGeoJSON(t, `{"type":"Point","coordinates":[0,0]}`)
	m := NewWebMercator(0, 0, 0, 600, 256) // the world is 256 px wide
	img := image.NewRGBA(image.Rect(0, 0, 600, 256))
	Render(img, fs, Style{Fill: color.NRGBA{0, 0, 0, 255}, PointRadius: 2}, m)
	var xs []int
	for x := 0; x < 600; x++ {
		if img.RGBAAt(x, 128).A == 255 && (x == 0 || img.RGBAAt(x-1, 128).A != 255) {
			xs = append(xs, x)
		}
	}
	if len(xs) != 3 {
		t.Errorf("point drawn at x = %v, want three copies 256 px apart", xs)
	}
}

func TestRenderSubImage(t *testing.T) {
	fs := mustGeoJSON(t, `{"type":"Point","coordinates":[15.5,5.5]}`)
	full := image.NewRGBA(image.Rect(0, 0, 20, 10))
	sub := full.SubImage(image.Rect(10, 0, 20, 10)).(*image.RGBA)
	Render(sub, fs, Style{Fill: color.NRGBA{0, 0, 0, 255}, PointRadius: 1}, plate(10))
	if a := full.RGBAAt(15, 4).A; a != 255 {
		t.Errorf("point in a sub-image alpha = %d, want 255 at its own coordinates", a)
	}
}

func TestRenderZoomIn(t *testing.T) {
	fs := europePolygons(200, 8)
	l := NewLayer(fs)
	view := europeView(320, 180)
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	r := NewRenderer(Options{MaxFeaturesPerView: 100})
	st, err := r.Render(img, l, DefaultStyle(), view)
	var zi *ZoomInError
	if !errors.As(err, &zi) || zi.Features != 200 || zi.Max != 100 || !errors.Is(err, ErrZoomIn) {
		t.Fatalf("Render(200 features, max 100) = %+v, %v, want a ZoomInError", st, err)
	}
	if !isBlank(img) {
		t.Error("a view with too many features drew something")
	}
	// Zoomed in on a corner, fewer features are in view: it draws.
	corner := NewWebMercator(-20, 68, 6, 320, 180)
	if st, err := r.Render(img, l, DefaultStyle(), corner); err != nil || st.Features == 0 || st.Features > 100 {
		t.Errorf("Render(corner) = %+v, %v, want a few features", st, err)
	}
	// The cached placeholder for a huge layer.
	if _, err := r.Render(img, ZoomInLayer(50000, Options{}), DefaultStyle(), view); !errors.Is(err, ErrZoomIn) {
		t.Errorf("Render(ZoomInLayer) error = %v, want ErrZoomIn", err)
	}
	if err := (Options{MaxFeaturesPerView: 10}).CheckView(11); !errors.Is(err, ErrZoomIn) {
		t.Errorf("CheckView(11 of 10) = %v, want ErrZoomIn", err)
	}
	if err := (Options{}).CheckView(DefaultMaxFeaturesPerView); err != nil {
		t.Errorf("CheckView(default max) = %v, want nil", err)
	}
}

func isBlank(img *image.RGBA) bool {
	for _, b := range img.Pix {
		if b != 0 {
			return false
		}
	}
	return true
}

// TestRenderDegenerate: nothing here may panic or draw outside reason.
func TestRenderDegenerate(t *testing.T) {
	fs := mustGeoJSON(t, `{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"LineString","coordinates":[]},"properties":{}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,1],[2,2]]]},"properties":{}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,1],[1,1],[1,1],[1,1]]]},"properties":{}},
		{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[]]},"properties":{}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[]},"properties":{}},
		{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1e300,1e300],[-1e300,-1e300]]},"properties":{}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-1e300,95],[1e300,95],[1e300,-95],[-1e300,95]]]},"properties":{}},
		{"type":"Feature","geometry":null,"properties":{}}]}`)
	views := []Projector{
		NewWebMercator(0, 0, 3, 64, 64),
		NewWebMercator(0, 0, 24, 64, 64),
		WebMercator{Scale: math.NaN()},
		WebMercator{Scale: 0},
		WebMercator{Scale: 1e-300, OriginX: math.Inf(1)},
		ProjectorFunc(func(lon, lat float64) (float64, float64) { return math.NaN(), lat }),
		ProjectorFunc(func(lon, lat float64) (float64, float64) { return lon * 1e30, lat }),
		&WebMercator{Scale: 256},
	}
	for i, p := range views {
		for _, st := range []Style{DefaultStyle(), {Stroke: color.NRGBA{0, 0, 0, 255}, StrokeWidth: 10}, {StrokeWidth: math.Inf(1), PointRadius: math.NaN(), Opacity: -1}} {
			img := image.NewRGBA(image.Rect(0, 0, 64, 64))
			if err := Render(img, fs, st, p); err != nil {
				t.Errorf("view %d: Render() error = %v", i, err)
			}
		}
	}
	Render(image.NewRGBA(image.Rectangle{}), fs, DefaultStyle(), views[0])
	Render(nil, fs, DefaultStyle(), views[0])
	if _, err := NewRenderer(Options{}).Render(image.NewRGBA(image.Rect(0, 0, 1, 1)), nil, DefaultStyle(), views[0]); err != nil {
		t.Errorf("Render(nil layer) error = %v", err)
	}
}

// TestRenderBands: a frame drawn as two bands (SubImages, one Renderer
// each) equals the frame drawn at once.
func TestRenderBands(t *testing.T) {
	l := NewLayer(append(europePolygons(300, 12), append(europeLines(20, 30), europePoints(50)...)...))
	m := europeView(256, 160)
	whole := image.NewRGBA(image.Rect(0, 0, 256, 160))
	NewRenderer(Options{}).Render(whole, l, DefaultStyle(), m)
	banded := image.NewRGBA(image.Rect(0, 0, 256, 160))
	for _, r := range []image.Rectangle{image.Rect(0, 0, 256, 77), image.Rect(0, 77, 256, 160)} {
		NewRenderer(Options{}).Render(banded.SubImage(r).(*image.RGBA), l, DefaultStyle(), m)
	}
	if d := imageDiff(whole, banded); d.bad > 0 {
		t.Errorf("banded frame differs: %+v", d)
	}
}

// TestRenderProjectorsAgree: the Web Mercator fast path draws what the
// general projector path draws.
func TestRenderProjectorsAgree(t *testing.T) {
	l := NewLayer(append(europePolygons(300, 12), europeLines(20, 30)...))
	m := europeView(256, 160)
	a, b := image.NewRGBA(image.Rect(0, 0, 256, 160)), image.NewRGBA(image.Rect(0, 0, 256, 160))
	r := NewRenderer(Options{})
	r.Render(a, l, DefaultStyle(), m)
	r.Render(b, l, DefaultStyle(), ProjectorFunc(m.Project))
	if d := imageDiff(a, b); d.bad > 0 {
		t.Errorf("fast and general paths differ: %+v", d)
	}
}

type diff struct {
	bad, max int // pixels differing by more than the tolerance; the largest channel difference
}

// imageDiff compares two images channel by channel; a difference above 8
// counts as bad.
func imageDiff(a, b *image.RGBA) diff {
	var d diff
	if a.Bounds() != b.Bounds() {
		return diff{bad: 1 << 30}
	}
	for i := 0; i < len(a.Pix); i += 4 {
		worst := 0
		for c := range 4 {
			worst = max(worst, absDiff(a.Pix[i+c], b.Pix[i+c]))
		}
		d.max = max(d.max, worst)
		if worst > 8 {
			d.bad++
		}
	}
	return d
}

// goldenImage compares img with testdata/name: at most 0.5% of the pixels
// may differ by more than 8 in a channel, none by more than 96. -update
// rewrites the file.
func goldenImage(t *testing.T, name string, img *image.RGBA) {
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
	dec, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := image.NewRGBA(dec.Bounds())
	draw.Draw(want, want.Bounds(), dec, dec.Bounds().Min, draw.Src)
	d := imageDiff(img, want)
	if d.bad > len(img.Pix)/4/200 || d.max > 96 {
		got := strings.TrimSuffix(path, ".png") + ".got.png"
		var buf bytes.Buffer
		png.Encode(&buf, img)
		os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("%s: %d pixels differ, largest difference %d; wrote %s", path, d.bad, d.max, got)
	}
}

// goldenScene is a small map: polygons with a hole, lines, points.
const goldenScene = `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"kind":"forest"},"geometry":{"type":"Polygon","coordinates":[[[2,46],[9,46],[9,51],[5.5,53],[2,51],[2,46]],[[4,48],[4,50],[7,50],[7,48],[4,48]]]}},
	{"type":"Feature","properties":{"kind":"water"},"geometry":{"type":"MultiPolygon","coordinates":[[[[10,44],[16,44],[13,49],[10,44]]],[[[14,50],[18,50],[18,53],[14,53],[14,50]]]]}},
	{"type":"Feature","properties":{"kind":"urban"},"geometry":{"type":"Polygon","coordinates":[[[6,44],[12,47],[8,49],[6,44]]]}},
	{"type":"Feature","properties":{"kind":"road"},"geometry":{"type":"LineString","coordinates":[[0,45],[5,47],[8,45.5],[12,52],[19,47]]}},
	{"type":"Feature","properties":{"kind":"town"},"geometry":{"type":"MultiPoint","coordinates":[[3,44.5],[11,51],[17,45.5]]}}]}`

func TestRenderGolden(t *testing.T) {
	fs := mustGeoJSON(t, goldenScene)
	view := NewWebMercator(9.5, 48.5, 3.45, 160, 120)
	cat := DefaultStyle()
	cat.Categories = &Categories{Attribute: "kind", Colors: map[string]color.NRGBA{
		"forest": {34, 139, 34, 200}, "water": {30, 144, 255, 200}, "road": {180, 20, 20, 255}, "town": {255, 165, 0, 255},
	}, Default: color.NRGBA{160, 160, 160, 200}}
	thick := Style{Fill: color.NRGBA{200, 0, 200, 120}, Stroke: color.NRGBA{0, 0, 120, 255}, StrokeWidth: 4, PointRadius: 6, Opacity: 0.7}
	for _, tt := range []struct {
		name  string
		style Style
		view  Projector
	}{
		{"default", DefaultStyle(), view},
		{"categorised", cat, view},
		{"thick-opacity", thick, view},
		{"zoomed-clipped", DefaultStyle(), NewWebMercator(4, 49.5, 6, 160, 120)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img := white(160, 120)
			if _, err := NewRenderer(Options{}).Render(img, NewLayer(fs), tt.style, tt.view); err != nil {
				t.Fatal(err)
			}
			goldenImage(t, "render-"+tt.name+".png", img)
		})
	}
}

func TestWebMercator(t *testing.T) {
	m := NewWebMercator(10, 50, 7, 800, 600)
	if x, y := m.Project(10, 50); math.Abs(x-400) > 1e-6 || math.Abs(y-300) > 1e-6 {
		t.Errorf("centre projects to %v, %v, want 400, 300", x, y)
	}
	w := NewWebMercator(0, 0, 0, 256, 256)
	for _, tt := range []struct{ lon, lat, x, y float64 }{
		{-180, maxLat, 0, 0}, {180, -maxLat, 256, 256}, {0, 0, 128, 128}, {0, 89.9, 128, 0},
	} {
		if x, y := w.Project(tt.lon, tt.lat); math.Abs(x-tt.x) > 1e-6 || math.Abs(y-tt.y) > 1e-6 {
			t.Errorf("Project(%v, %v) = %v, %v, want %v, %v", tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
	}
	// Unit Mercator agrees with EPSG:3857 metres.
	for _, ll := range [][2]float64{{10, 50}, {-120, -33}, {179, 84}} {
		mx, my := lonLatToMercator(ll[0], ll[1])
		ux, uy := unitMercator(ll[0], ll[1])
		if math.Abs(ux-(mx+mercatorExtent)/(2*mercatorExtent)) > 1e-12 || math.Abs(uy-(mercatorExtent-my)/(2*mercatorExtent)) > 1e-12 {
			t.Errorf("unitMercator(%v) = %v, %v disagrees with lonLatToMercator", ll, ux, uy)
		}
		lon, lat := mercatorToLonLat(mx, my)
		if math.Abs(lon-ll[0]) > 1e-9 || math.Abs(lat-ll[1]) > 1e-9 {
			t.Errorf("mercatorToLonLat(lonLatToMercator(%v)) = %v, %v", ll, lon, lat)
		}
	}
	if b := TileBounds(1, 1, 0); b.West != 0 || b.East != 180 || math.Abs(b.North-maxLat) > 1e-9 || math.Abs(b.South) > 1e-9 {
		t.Errorf("TileBounds(1, 1, 0) = %+v", b)
	}
}

func TestLayerBounds(t *testing.T) {
	l := NewLayer(mustGeoJSON(t, goldenScene))
	b, ok := l.Bounds()
	if !ok || b != (Bounds{West: 0, South: 44, East: 19, North: 53}) {
		t.Errorf("Bounds() = %+v, %v", b, ok)
	}
	if _, ok := NewLayer(nil).Bounds(); ok {
		t.Error("empty layer has bounds")
	}
	if n := len(l.Features()); n != 5 {
		t.Errorf("Features() has %d, want 5", n)
	}
	// A 3D geometry built by hand (not by a parser) is drawn from its XY.
	g := geom.NewLineStringFlat(geom.XYZ, []float64{0, 0, 5, 10, 10, 5})
	if l := NewLayer([]Feature{{Geometry: g}}); len(l.lonLat) != 4 || l.lonLat[2] != 10 {
		t.Errorf("XYZ line positions = %v, want XY pairs", l.lonLat)
	}
}

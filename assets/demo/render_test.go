package demo

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestClipSegment(t *testing.T) {
	c := bounds{0, 0, 10, 10}
	tests := []struct {
		a, b      [2]float64
		want      [4]float64
		wantClips bool
	}{
		{[2]float64{1, 1}, [2]float64{9, 9}, [4]float64{1, 1, 9, 9}, true},
		{[2]float64{-5, 5}, [2]float64{15, 5}, [4]float64{0, 5, 10, 5}, true},
		{[2]float64{5, -5}, [2]float64{5, 15}, [4]float64{5, 0, 5, 10}, true},
		{[2]float64{-5, -5}, [2]float64{-1, 20}, [4]float64{}, false},
		{[2]float64{11, 0}, [2]float64{20, 10}, [4]float64{}, false},
		{[2]float64{-10, 5}, [2]float64{5, 20}, [4]float64{}, false}, // passes the corner
		{[2]float64{-1e12, 5}, [2]float64{1e12, 5}, [4]float64{0, 5, 10, 5}, true},
	}
	for _, tt := range tests {
		ax, ay, bx, by, ok := clipSegment(tt.a[0], tt.a[1], tt.b[0], tt.b[1], c)
		got := [4]float64{ax, ay, bx, by}
		if ok != tt.wantClips || (ok && !near4(got, tt.want)) {
			t.Errorf("clipSegment(%v, %v) = %v, %v, want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.wantClips)
		}
	}
}

func near4(a, b [4]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-3 {
			return false
		}
	}
	return true
}

func TestClipRingArea(t *testing.T) {
	// A 20x20 square centred on a 10x10 image clips to the image plus the
	// margin on every side.
	v := newView(bounds{0, 0, 10, 10}, false, 10, 10)
	got := v.clipRing([]float64{-5, -5, 15, -5, 15, 15, -5, 15, -5, -5})
	area := 0.0
	for i := 0; i < len(got); i += 2 {
		j := (i + 2) % len(got)
		area += float64(got[i]*got[j+1] - got[j]*got[i+1])
	}
	want := float64((10 + 2*margin) * (10 + 2*margin))
	if math.Abs(math.Abs(area/2)-want) > 1e-3 {
		t.Errorf("clipped square area = %v, want %v", math.Abs(area/2), want)
	}
	if got := v.clipRing([]float64{100, 100, 120, 100, 120, 120, 100, 100}); len(got) != 0 {
		t.Errorf("ring outside the image clipped to %v, want nothing", got)
	}
}

// TestFillAndHole draws a square with a square hole, the way the data winds
// them, and checks the non-zero fill leaves the hole empty.
func TestFillAndHole(t *testing.T) {
	ds, err := parseDataset([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},
		"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[3,3],[3,7],[7,7],[7,3],[3,3]]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 20, 20))
	v := newView(bounds{-5, -5, 15, 15}, false, 20, 20)
	red := color.NRGBA{255, 0, 0, 255}
	v.draw(img, ds, style{fill: uniform(red)})
	tests := []struct {
		x, y int
		want uint8
	}{
		{7, 12, 255}, // inside the ring (lon 2, lat 2 ... y flipped)
		{10, 10, 0},  // the hole
		{2, 2, 0},    // outside
		{18, 18, 0},  // outside
	}
	for _, tt := range tests {
		if got := img.RGBAAt(tt.x, tt.y).A; got != tt.want {
			t.Errorf("pixel (%d,%d) alpha = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestStroke(t *testing.T) {
	ds, err := parseDataset([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
		"geometry":{"type":"LineString","coordinates":[[-100,5],[100,5]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	v := newView(bounds{0, 0, 10, 10}, false, 10, 10)
	v.draw(img, ds, style{stroke: color.NRGBA{0, 0, 255, 255}, strokeWidth: 2})
	// The line at y=5 covers pixel rows 4 and 5 fully, nothing else.
	for y := 0; y < 10; y++ {
		want := uint8(0)
		if y == 4 || y == 5 {
			want = 255
		}
		for x := 0; x < 10; x++ {
			if got := img.RGBAAt(x, y).A; got != want {
				t.Fatalf("pixel (%d,%d) alpha = %d, want %d", x, y, got, want)
			}
		}
	}
}

func TestCountryColour(t *testing.T) {
	a, b := countryColour("France"), countryColour("Germany")
	if a != countryColour("France") {
		t.Error("countryColour is not stable")
	}
	if a == b {
		t.Errorf("countryColour(France) = countryColour(Germany) = %v", a)
	}
	if a.A == 0 || a.A == 255 {
		t.Errorf("countryColour alpha = %d, want semi-transparent", a.A)
	}
}

func TestHSL(t *testing.T) {
	tests := []struct {
		h, s, l float64
		want    color.NRGBA
	}{
		{0, 1, 0.5, color.NRGBA{255, 0, 0, 255}},
		{1.0 / 3, 1, 0.5, color.NRGBA{0, 255, 0, 255}},
		{2.0 / 3, 1, 0.5, color.NRGBA{0, 0, 255, 255}},
		{0.5, 0, 0.5, color.NRGBA{128, 128, 128, 255}},
		{0, 0, 1, color.NRGBA{255, 255, 255, 255}},
	}
	for _, tt := range tests {
		if got := hsl(tt.h, tt.s, tt.l); got != tt.want {
			t.Errorf("hsl(%v, %v, %v) = %v, want %v", tt.h, tt.s, tt.l, got, tt.want)
		}
	}
}

// TestParseDatasetEmptyGeometries: empty geometries (found by the fuzzer:
// a LineString without coordinates has stride 0) parse and draw nothing.
func TestParseDatasetEmptyGeometries(t *testing.T) {
	for _, doc := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString"}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[]]}}]}`,
	} {
		ds, err := parseDataset([]byte(doc))
		if err != nil {
			t.Errorf("parseDataset(%q) error = %v", doc, err)
			continue
		}
		img := newTestImage()
		newView(bounds{-180, -90, 180, 90}, false, 32, 16).draw(img, ds, style{fill: countryColour, stroke: countryColour("x"), strokeWidth: 1})
		if n := opaqueShare(img); n != 0 {
			t.Errorf("parseDataset(%q) drew %.2f of the image, want nothing", doc, n)
		}
	}
}

func TestParseDatasetErrors(t *testing.T) {
	for _, doc := range []string{
		``,
		`[]`,
		`{"type":"FeatureCollection","features":[]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}`,
	} {
		if _, err := parseDataset([]byte(doc)); err == nil {
			t.Errorf("parseDataset(%q) succeeded, want an error", doc)
		}
	}
}

func newTestImage() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, 32, 16)) }

package vector

import (
	"encoding/json"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/twpayne/go-geom"
)

// shiftPx returns the position dx, dy logical pixels (x east, y south)
// from lon/lat at zoom.
func shiftPx(lon, lat, zoom, dx, dy float64) (float64, float64) {
	s := TileSize * math.Exp2(zoom)
	ux, uy := unitMercator(lon, lat)
	ux, uy = ux+dx/s, uy+dy/s
	return (ux - 0.5) * 360, latOfUnitY(uy)
}

func polygon(rings ...[]float64) geom.T {
	var flat []float64
	var ends []int
	for _, r := range rings {
		flat = append(flat, r...)
		ends = append(ends, len(flat))
	}
	return geom.NewPolygonFlat(geom.XY, flat, ends)
}

func square(x0, y0, x1, y1 float64) []float64 {
	return []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}
}

func TestHitPolygonWithHole(t *testing.T) {
	const z = 6
	// The hole winds the same way as the exterior: the layer orients it.
	l := NewLayer([]Feature{{Geometry: polygon(square(0, 0, 10, 10), square(4, 4, 6, 6))}})
	for _, tt := range []struct {
		name     string
		lon, lat float64
		dx, dy   float64
		want     []int
	}{
		{"inside", 2, 2, 0, 0, []int{0}},
		{"inside near the hole", 3.9, 5, 0, 0, []int{0}},
		{"in the hole", 5, 5, 0, 0, nil},
		{"in the hole, near its edge", 4, 5, 3, 0, []int{0}},
		{"in the hole, beyond the tolerance", 4, 5, 8, 0, nil},
		{"east, within tolerance", 10, 5, 3, 0, []int{0}},
		{"north, within tolerance", 5, 10, 0, -4.9, []int{0}},
		{"corner, within tolerance", 10, 0, 3, 3, []int{0}},
		{"east, beyond", 10, 5, 6, 0, nil},
		{"corner, beyond the diagonal", 10, 0, 4, 4, nil},
		{"far", 50, 50, 0, 0, nil},
	} {
		lon, lat := shiftPx(tt.lon, tt.lat, z, tt.dx, tt.dy)
		if got := l.Hit(lon, lat, z, 5, 0, 10); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Hit(%g, %g) = %v, want %v", tt.name, lon, lat, got, tt.want)
		}
	}
}

func TestHitLine(t *testing.T) {
	const z = 8
	l := NewLayer([]Feature{
		{Geometry: geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 2, 0})},
		{Geometry: geom.NewMultiLineStringFlat(geom.XY, []float64{5, 5, 6, 5, 5, 7, 5, 8}, []int{4, 8})},
	})
	for _, tt := range []struct {
		name     string
		lon, lat float64
		dx, dy   float64
		want     []int
	}{
		{"on a vertex", 1, 1, 0, 0, []int{0}},
		{"near the end", 2, 0, 2, 2, []int{0}},
		{"beyond the end", 2, 0, 4, 0, nil},
		{"inside the bend (not a polygon)", 1, 0.3, 0, 0, nil},
		{"near the second member", 5, 7.5, -2.5, 0, []int{1}},
		{"beside the second member, beyond", 5, 7.5, -3.5, 0, nil},
		{"between the members", 5, 6, 0, 0, nil},
		{"no closing segment", 1, 0, 0, 0, nil},
	} {
		lon, lat := shiftPx(tt.lon, tt.lat, z, tt.dx, tt.dy)
		if got := l.Hit(lon, lat, z, 3, 0, 10); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Hit(%g, %g) = %v, want %v", tt.name, lon, lat, got, tt.want)
		}
	}
}

func TestHitPoint(t *testing.T) {
	const z = 10
	l := NewLayer([]Feature{{Geometry: geom.NewMultiPointFlat(geom.XY, []float64{20, 20, 30, 30})}})
	for _, tt := range []struct {
		name    string
		dx, dy  float64
		tol     float64
		radius  float64
		wantHit bool
	}{
		{"within the radius", 6, 0, 2, 8, true},
		{"within the tolerance", 0, 6, 7, 4, true},
		{"beyond both", 4.3, 4.3, 2, 6, false},
		{"on it, no tolerance", 0, 0, 0, 0, true},
	} {
		lon, lat := shiftPx(30, 30, z, tt.dx, tt.dy)
		got := l.Hit(lon, lat, z, tt.tol, tt.radius, 10)
		if (len(got) == 1) != tt.wantHit {
			t.Errorf("%s: Hit = %v, want hit %v", tt.name, got, tt.wantHit)
		}
	}
}

func TestHitTopmostFirstAndMax(t *testing.T) {
	l := NewLayer([]Feature{
		{Geometry: polygon(square(0, 0, 10, 10))},
		{Geometry: polygon(square(5, 5, 15, 15))},
		{}, // no geometry: never hit
		{Geometry: polygon(square(40, 40, 50, 50))},
		{Geometry: geom.NewPointFlat(geom.XY, []float64{7, 7})},
	})
	if got, want := l.Hit(7, 7, 5, 2, 4, 10), []int{4, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hit = %v, want %v", got, want)
	}
	if got, want := l.Hit(7, 7, 5, 2, 4, 2), []int{4, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hit max 2 = %v, want %v", got, want)
	}
	if got := l.Hit(7, 7, 5, 2, 4, 0); got != nil {
		t.Errorf("Hit max 0 = %v, want nil", got)
	}
	if got, want := l.Hit(2, 2, 5, 2, 4, 10), []int{0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hit = %v, want %v", got, want)
	}
}

func TestHitToleranceScalesWithZoom(t *testing.T) {
	l := NewLayer([]Feature{
		{Geometry: geom.NewPointFlat(geom.XY, []float64{8, 47})},
		{Geometry: geom.NewLineStringFlat(geom.XY, []float64{9, 46, 9, 48})},
	})
	for i, at := range [][2]float64{{8, 47}, {9, 47}} {
		lon, lat := shiftPx(at[0], at[1], 10, 5, 0) // 5 px at zoom 10, 20 px at zoom 12
		if got := l.Hit(lon, lat, 10, 6, 0, 10); !reflect.DeepEqual(got, []int{i}) {
			t.Errorf("feature %d at zoom 10: Hit = %v, want [%d]", i, got, i)
		}
		if got := l.Hit(lon, lat, 12, 6, 0, 10); got != nil {
			t.Errorf("feature %d at zoom 12: Hit = %v, want nil", i, got)
		}
		if got := l.Hit(lon, lat, 12, 21, 0, 10); !reflect.DeepEqual(got, []int{i}) {
			t.Errorf("feature %d at zoom 12, tolerance 21: Hit = %v, want [%d]", i, got, i)
		}
	}
}

func TestHitAntimeridian(t *testing.T) {
	l := NewLayer([]Feature{
		{Geometry: polygon(square(170, -10, 190, 10))},            // crosses it, east of +180
		{Geometry: geom.NewPointFlat(geom.XY, []float64{350, 0})}, // 0..360 convention
		{Geometry: polygon(square(-190, 20, -170, 30))},           // crosses it, west of -180
	})
	for _, tt := range []struct {
		lon, lat float64
		want     []int
	}{
		{175, 0, []int{0}},
		{185, 0, []int{0}},
		{-175, 0, []int{0}},
		{-10, 0, []int{1}},
		{350, 0, []int{1}},
		{-10 - 720, 0, []int{1}},
		{175, 25, []int{2}},
		{-175, 25, []int{2}},
		{0, 0, nil},
	} {
		if got := l.Hit(tt.lon, tt.lat, 3, 3, 4, 10); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Hit(%g, %g) = %v, want %v", tt.lon, tt.lat, got, tt.want)
		}
	}
}

func TestHitNothing(t *testing.T) {
	var nilLayer *Layer
	full := NewLayer([]Feature{{Geometry: polygon(square(-180, -85, 180, 85))}})
	for _, tt := range []struct {
		name                   string
		l                      *Layer
		lon, lat, zoom, tol, r float64
	}{
		{"nil layer", nilLayer, 0, 0, 3, 3, 3},
		{"empty layer", NewLayer(nil), 0, 0, 3, 3, 3},
		{"zoom-in layer", ZoomInLayer(50000, Options{}), 0, 0, 3, 3, 3},
		{"NaN lon", full, math.NaN(), 0, 3, 3, 3},
		{"infinite lat", full, 0, math.Inf(1), 3, 3, 3},
		{"NaN zoom", full, 0, 0, math.NaN(), 3, 3},
		{"infinite zoom", full, 0, 0, math.Inf(1), 3, 3},
		{"absurd zoom", full, 0, 0, 200, 3, 3},
	} {
		if got := tt.l.Hit(tt.lon, tt.lat, tt.zoom, tt.tol, tt.r, 10); got != nil {
			t.Errorf("%s: Hit = %v, want nil", tt.name, got)
		}
	}
	// Odd tolerances are read as none or as very large.
	if got := full.Hit(10, 10, 3, math.NaN(), math.Inf(-1), 10); !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("NaN tolerance, inside: Hit = %v", got)
	}
	if got := full.Hit(10, 89, 3, math.Inf(1), math.NaN(), 10); !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("infinite tolerance, outside: Hit = %v", got)
	}
}

func TestHitDegenerate(t *testing.T) {
	l := NewLayer([]Feature{
		{Geometry: polygon([]float64{1, 1, 1, 1, 1, 1, 1, 1})},                    // one position repeated
		{Geometry: polygon([]float64{3, 1, 4, 1, 5, 1, 3, 1})},                    // collinear, no area
		{Geometry: polygon([]float64{7, 1, 8, 1})},                                // too short: dropped
		{Geometry: polygon(square(10, 0, 12, 2), []float64{11, 1, 11, 1, 11, 1})}, // a hole of no area
		{Geometry: geom.NewLineStringFlat(geom.XY, []float64{20, 1, 20, 1})},      // a line of no length
		{Geometry: geom.NewPointEmpty(geom.XY)},
		{Geometry: geom.NewGeometryCollection()},
		{Geometry: polygon()},
	})
	for _, tt := range []struct {
		lon, lat float64
		want     []int
	}{
		{1, 1, []int{0}},
		{4, 1, []int{1}},
		{4, 1.5, nil},
		{7.5, 1, nil},
		{11, 1, []int{3}},
		{20, 1, []int{4}},
	} {
		if got := l.Hit(tt.lon, tt.lat, 5, 1, 0, 10); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Hit(%g, %g) = %v, want %v", tt.lon, tt.lat, got, tt.want)
		}
	}
}

// TestHitAgreesWithFill checks Hit with no tolerance against the
// renderer's fill: every pixel the fill covers fully is hit at its centre,
// every pixel it leaves empty is not (partly covered edge pixels are not
// compared). The shapes exercise the winding rule: a hole wound like its
// exterior, overlapping members of a multipolygon, a self-intersecting
// ring.
func TestHitAgreesWithFill(t *testing.T) {
	shapes := map[string]geom.T{
		"hole": polygon(square(2, 2, 18, 18), square(6, 6, 14, 14)),
		"overlapping members": geom.NewMultiPolygonFlat(geom.XY,
			append(square(2, 2, 12, 12), square(8, 8, 18, 18)...), [][]int{{10}, {20}}),
		"bow tie":      polygon([]float64{2, 2, 18, 18, 18, 2, 2, 18, 2, 2}),
		"pentagram":    polygon([]float64{10, 18, 14.7, 3.5, 2.4, 12.5, 17.6, 12.5, 5.3, 3.5, 10, 18}),
		"hole outside": polygon(square(2, 2, 10, 10), square(12, 12, 18, 18)),
	}
	const zoom, size = 2.2, 72
	for name, g := range shapes {
		l := NewLayer([]Feature{{Geometry: g}})
		view := NewWebMercator(10, 10, zoom, size, size)
		img := image.NewRGBA(image.Rect(0, 0, size, size))
		if _, err := NewRenderer(Options{}).Render(img, l, Style{Fill: color.NRGBA{255, 0, 0, 255}}, view); err != nil {
			t.Fatal(err)
		}
		full, empty := 0, 0
		for y := range size {
			for x := range size {
				a := img.RGBAAt(x, y).A
				if a != 0 && a != 255 {
					continue
				}
				ux, uy := (float64(x)+0.5+view.OriginX)/view.Scale, (float64(y)+0.5+view.OriginY)/view.Scale
				lon, lat := (ux-0.5)*360, latOfUnitY(uy)
				hit := len(l.Hit(lon, lat, zoom, 0, 0, 1)) == 1
				if hit != (a == 255) {
					t.Errorf("%s: pixel %d,%d alpha %d, Hit %v", name, x, y, a, hit)
				}
				if a == 255 {
					full++
				} else {
					empty++
				}
			}
		}
		if full < 50 || empty < 50 {
			t.Errorf("%s: %d full and %d empty pixels compared, want both many", name, full, empty)
		}
	}
}

// TestHitRandom throws random points, zooms and tolerances at a random
// layer: Hit never panics, and its results are distinct feature indexes,
// topmost (highest) first, at most max.
func TestHitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	coord := func() float64 {
		switch rng.IntN(10) {
		case 0:
			return []float64{0, 180, -180, 360, -720, 1e300, 85.06, -90}[rng.IntN(8)]
		case 1:
			return rng.Float64()*2000 - 1000
		}
		return rng.Float64()*40 - 20
	}
	var fs []Feature
	for range 300 {
		n := 1 + rng.IntN(8)
		flat := make([]float64, 0, 2*n)
		for range n {
			flat = append(flat, coord(), coord())
		}
		var g geom.T
		switch rng.IntN(4) {
		case 0:
			g = geom.NewMultiPointFlat(geom.XY, flat)
		case 1:
			g = geom.NewLineStringFlat(geom.XY, flat)
		case 2:
			g = polygon(flat)
		default:
			g = polygon(append(flat, flat[0], flat[1]), square(coord(), coord(), coord(), coord()))
		}
		fs = append(fs, Feature{Geometry: g})
	}
	l := NewLayer(fs)
	odd := []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1), 1e308, 1e-308}
	for range 20000 {
		lon, lat := coord(), coord()
		zoom := rng.Float64()*30 - 5
		tol, rad := rng.Float64()*20, rng.Float64()*20
		if rng.IntN(20) == 0 {
			tol, rad, zoom = odd[rng.IntN(len(odd))], odd[rng.IntN(len(odd))], odd[rng.IntN(len(odd))]
		}
		max := 1 + rng.IntN(5)
		got := l.Hit(lon, lat, zoom, tol, rad, max)
		if len(got) > max {
			t.Fatalf("Hit(%g, %g, %g, %g, %g, %d) = %v: more than max", lon, lat, zoom, tol, rad, max, got)
		}
		for i, f := range got {
			if f < 0 || f >= len(fs) || (i > 0 && f >= got[i-1]) {
				t.Fatalf("Hit(%g, %g, %g, %g, %g, %d) = %v: not distinct indexes, topmost first", lon, lat, zoom, tol, rad, max, got)
			}
		}
	}
}

func TestSortedProperties(t *testing.T) {
	f := Feature{Properties: map[string]any{"name": "Bern", "id": json.Number("12345678901234567890"), "b": nil, "a": true}}
	got := f.SortedProperties()
	want := []Property{{"a", true}, {"b", nil}, {"id", json.Number("12345678901234567890")}, {"name", "Bern"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortedProperties = %v, want %v", got, want)
	}
	if got := (&Feature{}).SortedProperties(); got != nil {
		t.Errorf("no properties: SortedProperties = %v, want nil", got)
	}
}

// BenchmarkHit identifies at clicks spread over the 5,000 polygons of
// BenchmarkRender5000Polygons1080p at the zoom of its 1080p view, with a
// 3 px tolerance: the cost of one click on a full layer. Measured on the
// 2-core shared CI-like machine (Xeon): about 10.5 µs and one 8-byte
// allocation per click, 1.06 features found on average; nearly all of it
// is the box test of 5,000 items.
func BenchmarkHit(b *testing.B) {
	l := NewLayer(europePolygons(5000, 20))
	view := europeView(1920, 1080)
	zoom := math.Log2(view.Scale / TileSize)
	rng := rand.New(rand.NewPCG(9, 10))
	clicks := make([][2]float64, 1024)
	for i := range clicks {
		clicks[i] = [2]float64{
			europeBounds.West + rng.Float64()*(europeBounds.East-europeBounds.West),
			europeBounds.South + rng.Float64()*(europeBounds.North-europeBounds.South),
		}
	}
	b.ReportAllocs()
	hits, i := 0, 0
	for b.Loop() {
		c := clicks[i%len(clicks)]
		hits += len(l.Hit(c[0], c[1], zoom, 3, 4, 10))
		i++
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

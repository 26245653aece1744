package assets

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

func TestDataFiles(t *testing.T) {
	tests := []struct {
		name     string
		features int    // exact count, from data/SOURCES.md
		geomType string // every feature's geometry type, or "" for polygonal
		named    bool   // every feature has a non-empty "name" property
	}{
		{"land.geojson", 1, "", false},
		{"countries.geojson", 177, "", true},
		{"borders.geojson", 1, "MultiLineString", false},
	}
	total := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := Data(tt.name)
			if err != nil {
				t.Fatalf("Data(%q) error = %v", tt.name, err)
			}
			total += len(raw)
			var fc geojson.FeatureCollection
			if err := json.Unmarshal(raw, &fc); err != nil {
				t.Fatalf("Data(%q) is not a GeoJSON FeatureCollection: %v", tt.name, err)
			}
			if got := len(fc.Features); got != tt.features {
				t.Errorf("%s: %d features, want %d", tt.name, got, tt.features)
			}
			for i, f := range fc.Features {
				switch g := f.Geometry.(type) {
				case *geom.Polygon, *geom.MultiPolygon:
					if tt.geomType != "" {
						t.Errorf("%s feature %d: geometry %T, want %s", tt.name, i, g, tt.geomType)
					}
				case *geom.MultiLineString:
					if tt.geomType != "MultiLineString" {
						t.Errorf("%s feature %d: geometry %T, want polygonal", tt.name, i, g)
					}
				default:
					t.Errorf("%s feature %d: unexpected geometry %T", tt.name, i, g)
				}
				if tt.named {
					if n, _ := f.Properties["name"].(string); n == "" {
						t.Errorf("%s feature %d: no name property", tt.name, i)
					}
				}
				checkCoords(t, tt.name, i, f.Geometry)
			}
		})
	}
	if total > 2_500_000 {
		t.Errorf("embedded data is %d bytes, want at most 2.5 MB", total)
	}
}

// checkCoords checks the RFC 7946 promises of data/SOURCES.md: lon/lat in
// range, no edge jumping across the antimeridian, exterior rings
// counter-clockwise and holes clockwise.
func checkCoords(t *testing.T, file string, i int, g geom.T) {
	t.Helper()
	flat, stride := g.FlatCoords(), g.Stride()
	for j := 0; j < len(flat); j += stride {
		lon, lat := flat[j], flat[j+1]
		if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			t.Fatalf("%s feature %d: coordinate (%v, %v) out of range", file, i, lon, lat)
		}
	}
	var polys []*geom.Polygon
	switch g := g.(type) {
	case *geom.Polygon:
		polys = append(polys, g)
	case *geom.MultiPolygon:
		for k := range g.NumPolygons() {
			polys = append(polys, g.Polygon(k))
		}
	case *geom.MultiLineString:
		for k := range g.NumLineStrings() {
			checkNoJump(t, file, i, g.LineString(k).FlatCoords(), stride)
		}
	}
	for _, p := range polys {
		for k := range p.NumLinearRings() {
			ring := p.LinearRing(k).FlatCoords()
			a := signedArea(ring, stride)
			if (k == 0) != (a > 0) {
				t.Fatalf("%s feature %d: ring %d has signed area %v (exterior must be CCW, holes CW)", file, i, k, a)
			}
		}
	}
}

func checkNoJump(t *testing.T, file string, i int, flat []float64, stride int) {
	t.Helper()
	for j := stride; j < len(flat); j += stride {
		if math.Abs(flat[j]-flat[j-stride]) > 180 {
			t.Fatalf("%s feature %d: line crosses the antimeridian at %v", file, i, flat[j])
		}
	}
}

func signedArea(flat []float64, stride int) float64 {
	s := 0.0
	for j := stride; j < len(flat); j += stride {
		s += flat[j-stride]*flat[j+1] - flat[j]*flat[j-stride+1]
	}
	return s / 2
}

func TestDataRounded(t *testing.T) {
	for _, name := range DataNames() {
		raw, err := Data(name)
		if err != nil {
			t.Fatal(err)
		}
		// Every number in the file has at most four decimals.
		for _, tok := range strings.FieldsFunc(string(raw), func(r rune) bool {
			return !strings.ContainsRune("0123456789.-", r)
		}) {
			if _, err := strconv.ParseFloat(tok, 64); err != nil {
				continue
			}
			if dot := strings.IndexByte(tok, '.'); dot >= 0 && len(tok)-dot-1 > 4 {
				t.Fatalf("%s: number %s has more than 4 decimals", name, tok)
			}
		}
	}
}

func TestDataNames(t *testing.T) {
	got := DataNames()
	want := []string{"borders.geojson", "countries.geojson", "land.geojson"}
	if !slices.Equal(got, want) {
		t.Errorf("DataNames() = %v, want %v", got, want)
	}
}

func TestDataUnknown(t *testing.T) {
	for _, name := range []string{"", "nope.geojson", "data/land.geojson", "../assets.go", "land", ".", "/land.geojson"} {
		if _, err := Data(name); !errors.Is(err, ErrUnknownData) {
			t.Errorf("Data(%q) error = %v, want ErrUnknownData", name, err)
		}
	}
}

func TestDataIsACopy(t *testing.T) {
	a, err := Data("land.geojson")
	if err != nil {
		t.Fatal(err)
	}
	a[0] = 'X'
	b, _ := Data("land.geojson")
	if b[0] != '{' {
		t.Errorf("Data returned shared memory: first byte %q after a caller's write, want '{'", b[0])
	}
}

func TestIcon(t *testing.T) {
	raw := Icon()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Icon() is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 256 || got.Y != 256 {
		t.Fatalf("Icon() size = %v, want 256x256", got)
	}
	// The corner is outside the rounded tile; the centre is the pin.
	if _, _, _, a := img.At(1, 1).RGBA(); a != 0 {
		t.Errorf("Icon() corner alpha = %d, want 0", a)
	}
	if _, _, _, a := img.At(128, 60).RGBA(); a != 0xffff {
		t.Errorf("Icon() centre alpha = %d, want opaque", a)
	}
	raw[0] = 0
	if Icon()[0] == 0 {
		t.Error("Icon returned shared memory")
	}
}

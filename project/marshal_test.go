package project

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenProjects are the inputs of TestMarshalGolden, by golden file name.
func goldenProjects(t *testing.T) map[string]*Project {
	t.Helper()
	withExtras, err := Parse("extras.json", []byte(goodTests[4].in))
	if err != nil {
		t.Fatalf("Parse(extras) error = %v", err)
	}
	built := New("Wegen & dijken <2024>")
	built.View = View{Lon: -0.5, Lat: 1e-7, Zoom: 12.25, CRS: "EPSG:4326"}
	built.AddLayer(Layer{Name: "Wegen", Source: "https://x.example/wms?a=1&b=<2>", WMS: WMS{Layers: []string{"w"},
		Styles: []string{"default"}, Format: "image/png", Version: "1.3.0",
		Dimensions: map[string]string{"time": "2020-03-01T00:00:00Z", "elevation": "-5", "band": "<1>&2"}}, Opacity: 0.5, Visible: true, Group: "Basis"})
	built.AddLayer(Layer{Name: "Wegen", Kind: "xyz", Source: "https://t.example/{z}/{x}/{y}.png", Opacity: 1})
	built.AddLayer(Layer{Name: "Tiles", Kind: KindXYZ, Source: "https://{s}.t.example/a/{z}/{x}/{-y}{r}.png", Opacity: 1, Visible: true,
		XYZ: XYZ{MinZoom: 2, MaxZoom: 17, TileSize: 512, Subdomains: []string{"t1", "t2"}}})
	built.AddLayer(Layer{Name: "Parcels", Kind: KindFeatures, Source: "https://api.example/ogc", Opacity: 1, Visible: true,
		Features: Features{Collection: "parcels"},
		Style: Style{Fill: "#abc", Stroke: NoColor, Width: 0.5, Opacity: 0.25, Radius: 3, Attribute: "use",
			Categories: []Category{{Value: "farm", Fill: "#00ff0080"}, {Value: ""}}}})
	built.AddLayer(Layer{Name: "Tiles", Kind: KindWMTS, Source: "https://w.example/wmts", Opacity: 1,
		WMTS: WMTS{Layer: "l", Style: "default", MatrixSet: "GoogleMapsCompatible", Format: "image/jpeg",
			Dimensions: map[string]string{"Time": "2024-01-01", "ELEVATION": "<0 \"m\">"}}})
	built.SetGroupVisible("Basis", false)
	built.AddLayer(Layer{Name: "Roads", Kind: KindWFS, Source: "https://w.example/wfs", Opacity: 1, WFS: WFS{TypeName: "ns:roads", Version: "2.0.0"}})
	built.Bookmarks = []Bookmark{{Name: "Dike <north>", Lon: 3.9, Lat: 51.5, Zoom: 14}, {Lon: -70.25, Lat: -33.5, Zoom: 0}}
	return map[string]*Project{
		"empty.json":  New(""),
		"extras.json": withExtras,
		"built.json":  built,
	}
}

func TestMarshalGolden(t *testing.T) {
	for name, p := range goldenProjects(t) {
		t.Run(name, func(t *testing.T) {
			got, err := p.Marshal()
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			path := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal() =\n%s\nwant (%s)\n%s", got, path, want)
			}
		})
	}
}

// roundTrip checks the format's promise for one input: Parse -> Marshal ->
// Parse gives the same project, and Marshal of that is byte-identical.
func roundTrip(t *testing.T, in []byte) {
	t.Helper()
	p1, err := Parse("in.json", in)
	if err != nil {
		return
	}
	b1, err := p1.Marshal()
	if errors.Is(err, ErrSecretInSource) {
		return // read, but refused on write on purpose
	}
	if err != nil {
		t.Fatalf("Marshal(Parse(%q)) error = %v", in, err)
	}
	p2, err := Parse("out.json", b1)
	if err != nil {
		t.Fatalf("Parse(Marshal(Parse(%q))) error = %v\n%s", in, err, b1)
	}
	if !reflect.DeepEqual(p1, p2) {
		t.Fatalf("Parse(Marshal(p)) =\n%#v\nwant\n%#v", p2, p1)
	}
	b2, err := p2.Marshal()
	if err != nil {
		t.Fatalf("Marshal(Parse(Marshal(Parse(%q)))) error = %v", in, err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("Marshal is not stable for %q:\n%s\nthen\n%s", in, b1, b2)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range goodTests {
		t.Run(tt.name, func(t *testing.T) { roundTrip(t, []byte(tt.in)) })
	}
	for name, p := range goldenProjects(t) {
		t.Run(name, func(t *testing.T) {
			b, err := p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, b)
		})
	}
}

func TestMarshalKeepsUnknownFieldsVerbatim(t *testing.T) {
	in := head + `, "big": 123456789012345678901234567890.000, "nested": {"z": 1, "a": [true, null]}}`
	p, err := Parse("x.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"big": 123456789012345678901234567890.000`, `"z": 1`, `"a": [`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Marshal() =\n%s\nwant it to contain %s", out, want)
		}
	}
	// Unknown fields follow the known ones, sorted.
	if i, j, k := strings.Index(string(out), `"layers"`), strings.Index(string(out), `"big"`), strings.Index(string(out), `"nested"`); !(i < j && j < k) {
		t.Errorf("Marshal() field order layers@%d big@%d nested@%d, want increasing:\n%s", i, j, k, out)
	}
}

func TestMarshalRefuses(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *Project)
		target error
	}{
		{"empty id", func(p *Project) { p.Layers = append(p.Layers, Layer{Name: "x", Opacity: 1}) }, ErrInvalid},
		{"duplicate id", func(p *Project) { p.Layers = append(p.Layers, p.Layers[0]) }, ErrInvalid},
		{"opacity high", func(p *Project) { p.Layers[0].Opacity = 1.01 }, ErrInvalid},
		{"opacity NaN", func(p *Project) { p.Layers[0].Opacity = math.NaN() }, ErrInvalid},
		{"styles count", func(p *Project) { p.Layers[0].WMS.Styles = []string{"a", "b"} }, ErrInvalid},
		{"lon infinite", func(p *Project) { p.View.Lon = math.Inf(1) }, ErrInvalid},
		{"lat", func(p *Project) { p.View.Lat = -90.5 }, ErrInvalid},
		{"zoom", func(p *Project) { p.View.Zoom = -3 }, ErrInvalid},
		{"password in source", func(p *Project) { p.Layers[0].Source = "https://ann:hunter2@x.example/wms" }, ErrSecretInSource},
		{"xyz min above max", func(p *Project) { p.Layers[0].XYZ = XYZ{MinZoom: 12, MaxZoom: 10} }, ErrInvalid},
		{"xyz min above default max", func(p *Project) { p.Layers[0].XYZ = XYZ{MinZoom: 23} }, ErrInvalid},
		{"xyz tile size", func(p *Project) { p.Layers[0].XYZ.TileSize = 300 }, ErrInvalid},
		{"xyz subdomain", func(p *Project) { p.Layers[0].XYZ.Subdomains = []string{"a.b"} }, ErrInvalid},
		{"style colour", func(p *Project) { p.Layers[0].Style.Fill = "red" }, ErrInvalid},
		{"style opacity", func(p *Project) { p.Layers[0].Style.Opacity = 1.5 }, ErrInvalid},
		{"style width", func(p *Project) { p.Layers[0].Style.Width = math.NaN() }, ErrInvalid},
		{"category colour", func(p *Project) { p.Layers[0].Style = Style{Attribute: "a", Categories: []Category{{Stroke: "#12"}}} }, ErrInvalid},
		{"bookmark lat", func(p *Project) { p.Bookmarks = []Bookmark{{Name: "b", Lat: 95}} }, ErrInvalid},
		{"bookmark zoom NaN", func(p *Project) { p.Bookmarks = []Bookmark{{Name: "b", Zoom: math.NaN()}} }, ErrInvalid},
		{"categories without attribute", func(p *Project) { p.Layers[0].Style.Categories = []Category{{Value: "x"}} }, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New("t")
			p.AddLayer(Layer{Name: "a", Source: "https://x.example/wms", WMS: WMS{Layers: []string{"a"}}, Opacity: 1, Visible: true})
			tt.edit(p)
			b, err := p.Marshal()
			if !errors.Is(err, tt.target) {
				t.Fatalf("Marshal() = %q, %v; want error %v", b, err, tt.target)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Marshal() error %q contains the password", err)
			}
		})
	}
	// A user name alone is no secret.
	p := New("t")
	p.AddLayer(Layer{Name: "a", Source: "https://ann@x.example/wms", Opacity: 1})
	if _, err := p.Marshal(); err != nil {
		t.Errorf("Marshal() with a user name only: error = %v, want nil", err)
	}
}

// A deeply nested unknown field is written back as it was read: re-indenting
// it would add a line and depth*2 spaces per level (a 18 KB field grew to
// 162 MB).
func TestMarshalDeepUnknownFieldKeepsItsSize(t *testing.T) {
	const depth = 9_990 // Parse (json.Valid) refuses more than 10,000 levels
	deep := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	in := head + `, "deep": ` + deep + `, "obj": ` + strings.Repeat(`{"a": `, depth/2) + "1" + strings.Repeat("}", depth/2) + "}\n"
	p, err := Parse("deep.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > len(in)+1024 {
		t.Errorf("Marshal() of a %d-byte file with deeply nested unknown fields is %d bytes, want about the same", len(in), len(out))
	}
	if !bytes.Contains(out, []byte(`"deep": `+deep)) {
		t.Errorf("Marshal() did not keep the unknown field verbatim")
	}
	roundTrip(t, []byte(in))
}

package wms

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func bounds(minX, minY, maxX, maxY float64) *geom.Bounds {
	return geom.NewBounds(geom.XY).Set(minX, minY, maxX, maxY)
}

var getMapTests = []struct {
	name string
	spec Params
	bbox *geom.Bounds
	w, h int
}{
	{"1.3.0 mercator", Params{URL: "https://maps.example.org/wms", Version: "1.3.0", Layers: []string{"roads"}, CRS: "EPSG:3857", Transparent: true},
		layers.Tile{Z: 1, X: 1, Y: 0}.MercatorBounds(), 256, 256},
	{"1.3.0 EPSG:4326 lat/lon axis order", Params{URL: "https://maps.example.org/wms", Version: "1.3.0", Layers: []string{"roads"}, CRS: "EPSG:4326", Format: "image/jpeg", Transparent: false},
		bounds(5.5, 45.25, 11, 48.75), 256, 300},
	{"1.3.0 CRS:84 stays lon/lat", Params{URL: "https://maps.example.org/wms", Layers: []string{"roads"}, CRS: "CRS:84", Transparent: true},
		bounds(5.5, 45.25, 11, 48.75), 256, 256},
	{"1.1.1 EPSG:4326 uses SRS and x/y", Params{URL: "http://maps.example.org/cgi-bin/mapserv", Version: "1.1.1", Layers: []string{"roads"}, CRS: "EPSG:4326", Transparent: true},
		bounds(5.5, 45.25, 11, 48.75), 512, 512},
	{"vendor params kept and sorted, WMS params replaced", Params{URL: "https://maps.example.org/ows?map=/srv/a.map&service=wfs&Layers=old&zeta=1&bbox=1,2,3,4&alpha=x%20y#frag", Layers: []string{"a", "b"}, Styles: []string{"s1"}, CRS: "EPSG:3857", Transparent: true},
		bounds(-1, -2, 3, 4), 256, 256},
	{"names and styles escaped", Params{URL: "https://maps.example.org/wms?", Layers: []string{"Roads & Rails", "näme,1"}, Styles: []string{"", "dark/blue", "extra"}, CRS: "EPSG:900913", Transparent: true},
		bounds(0, 0, 1.5, 2.25), 256, 256},
	{"userinfo dropped", Params{URL: "https://user:pass@maps.example.org:8443/wms?EXCEPTIONS=INIMAGE", Layers: []string{"a"}, Transparent: true},
		bounds(-0.0000000001, 0, 1, 1), 256, 256},
	{"bad url", Params{URL: "maps.example.org/wms", Layers: []string{"a"}}, bounds(0, 0, 1, 1), 256, 256},
}

func TestGetMapURLGolden(t *testing.T) {
	var b strings.Builder
	for _, tt := range getMapTests {
		got := GetMapURL(tt.spec, tt.bbox, tt.w, tt.h)
		b.WriteString(tt.name + "\n" + got + "\n\n")
		if strings.Contains(got, "pass") || strings.Contains(got, "#") {
			t.Errorf("%s: GetMapURL = %q carries userinfo or a fragment", tt.name, got)
		}
		if got == "" {
			continue
		}
		// Building again from the result gives the same URL.
		again := tt.spec
		again.URL = got
		if got2 := GetMapURL(again, tt.bbox, tt.w, tt.h); got2 != got {
			t.Errorf("%s: not stable:\n got %s\nwant %s", tt.name, got2, got)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("%s: GetMapURL = %q does not parse: %v", tt.name, got, err)
		}
	}
	golden := filepath.Join("testdata", "getmap.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("GetMapURL output differs from %s:\n%s", golden, got)
	}
}

func TestGetMapURLParams(t *testing.T) {
	spec := Params{URL: "https://h.example/wms?map=x&SRS=EPSG:4326", Version: "1.3.0", Layers: []string{"a", "b", "c"}, Styles: []string{"s"}, CRS: "EPSG:3857", Transparent: true}
	got := GetMapURL(spec, bounds(1, 2, 3, 4), 256, 128)
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.3.0", "LAYERS": "a,b,c", "STYLES": "s,,",
		"CRS": "EPSG:3857", "FORMAT": "image/png", "TRANSPARENT": "TRUE", "WIDTH": "256", "HEIGHT": "128", "BBOX": "1,2,3,4", "map": "x"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (in %s)", k, q.Get(k), v, got)
		}
	}
	if q.Has("SRS") {
		t.Errorf("1.3.0 request keeps SRS: %s", got)
	}
}

func FuzzGetMapURL(f *testing.F) {
	for _, tt := range getMapTests {
		f.Add(tt.spec.URL, strings.Join(tt.spec.Layers, ","), tt.spec.Version, tt.spec.CRS)
	}
	f.Fuzz(func(t *testing.T, raw, names, version, crs string) {
		spec := Params{URL: raw, Layers: strings.Split(names, ","), Version: version, CRS: crs, Transparent: true}
		got := GetMapURL(spec, bounds(-1, -2, 3, 4), 256, 256)
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("GetMapURL(%q) = %q, does not parse: %v", raw, got, err)
		}
		if u.User != nil {
			t.Fatalf("GetMapURL(%q) = %q keeps userinfo", raw, got)
		}
		again := spec
		again.URL = got
		if got2 := GetMapURL(again, bounds(-1, -2, 3, 4), 256, 256); got2 != got {
			t.Fatalf("not stable for %q:\n%s\n%s", raw, got, got2)
		}
	})
}

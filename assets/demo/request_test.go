package demo

import (
	"image/color"
	"net/url"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "1.3.0"},
		{"1.3.0", "1.3.0"},
		{"1.3.1", "1.3.0"},
		{"2.0", "1.3.0"},
		{"1.1.1", "1.1.1"},
		{"1.2.0", "1.1.1"},
		{"1.1.0", "1.1.1"},
		{"1.0.0", "1.1.1"},
		{"junk", "1.1.1"},
	}
	for _, tt := range tests {
		if got := negotiate(tt.in); got != tt.want {
			t.Errorf("negotiate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCRSOf(t *testing.T) {
	tests := []struct {
		name, version string
		want          crsKind
		ok            bool
	}{
		{"EPSG:3857", "1.3.0", crsMercator, true},
		{"epsg:3857", "1.1.1", crsMercator, true},
		{"EPSG:4326", "1.3.0", crsLatLon, true},
		{"EPSG:4326", "1.1.1", crsLonLat, true},
		{"CRS:84", "1.3.0", crsLonLat, true},
		{"CRS:84", "1.1.1", crsLonLat, true},
		{"EPSG:900913", "1.3.0", 0, false},
		{"EPSG:32632", "1.1.1", 0, false},
		{"", "1.3.0", 0, false},
	}
	for _, tt := range tests {
		got, ok := crsOf(tt.name, tt.version)
		if got != tt.want || ok != tt.ok {
			t.Errorf("crsOf(%q, %q) = %v, %v, want %v, %v", tt.name, tt.version, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in      string
		crs     crsKind
		want    bounds
		wantErr string
	}{
		{"-10,35,30,60", crsLonLat, bounds{-10, 35, 30, 60}, ""},
		{"35,-10,60,30", crsLatLon, bounds{-10, 35, 30, 60}, ""},
		{" 1 , 2 , 3 , 4 ", crsMercator, bounds{1, 2, 3, 4}, ""},
		{"1e3,2e3,3e3,4e3", crsMercator, bounds{1000, 2000, 3000, 4000}, ""},
		{"", crsMercator, bounds{}, "MissingParameterValue"},
		{"1,2,3", crsMercator, bounds{}, "InvalidParameterValue"},
		{"1,2,3,4,5", crsMercator, bounds{}, "InvalidParameterValue"},
		{"1,2,x,4", crsMercator, bounds{}, "InvalidParameterValue"},
		{"NaN,2,3,4", crsMercator, bounds{}, "InvalidParameterValue"},
		{"-Inf,2,3,4", crsMercator, bounds{}, "InvalidParameterValue"},
		{"3,2,1,4", crsMercator, bounds{}, "InvalidParameterValue"},
		{"1,4,3,2", crsMercator, bounds{}, "InvalidParameterValue"},
		{"1,2,1,4", crsMercator, bounds{}, "InvalidParameterValue"},
		{"0,0,1e-12,1", crsMercator, bounds{}, "InvalidParameterValue"},
		{"-2e9,0,1,1", crsMercator, bounds{}, "InvalidParameterValue"},
		// Lat/lon order checks min < max on the swapped axes.
		{"-10,35,30,60", crsLatLon, bounds{35, -10, 60, 30}, ""},
	}
	for _, tt := range tests {
		got, err := parseBBox(tt.in, tt.crs)
		gotCode := ""
		if err != nil {
			gotCode = err.code
		}
		if gotCode != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("parseBBox(%q, %v) = %v, %v, want %v, %q", tt.in, tt.crs, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseColour(t *testing.T) {
	tests := []struct {
		in   string
		want color.NRGBA
		ok   bool
	}{
		{"0xFFFFFF", color.NRGBA{255, 255, 255, 255}, true},
		{"0x102030", color.NRGBA{0x10, 0x20, 0x30, 255}, true},
		{"0Xa0b0c0", color.NRGBA{0xa0, 0xb0, 0xc0, 255}, true},
		{"#102030", color.NRGBA{}, false},
		{"0x1020", color.NRGBA{}, false},
		{"0x10203g", color.NRGBA{}, false},
		{"", color.NRGBA{}, false},
	}
	for _, tt := range tests {
		got, ok := parseColour(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseColour(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// getMapTests are GetMap queries against the /public/wms endpoint; they also
// seed FuzzParseGetMap.
var getMapTests = []struct {
	query    string
	wantCode string // "" when the request is valid
	wantVer  string
	wantCRS  crsKind
}{
	{"VERSION=1.3.0&LAYERS=land&STYLES=&CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png", "", "1.3.0", crsMercator},
	{"version=1.3.0&layers=land,countries&styles=,default&crs=EPSG:4326&bbox=35,-10,60,30&width=10&height=10&format=image/png&transparent=true", "", "1.3.0", crsLatLon},
	{"VERSION=1.1.1&LAYERS=land&STYLES=&SRS=EPSG:4326&BBOX=-10,35,30,60&WIDTH=1&HEIGHT=4096&FORMAT=image/png", "", "1.1.1", crsLonLat},
	{"LAYERS=land&SRS=EPSG:4326&BBOX=-10,35,30,60&WIDTH=1&HEIGHT=1&FORMAT=image/png", "", "1.1.1", crsLonLat},
	{"LAYERS=land&CRS=EPSG:4326&BBOX=35,-10,60,30&WIDTH=1&HEIGHT=1&FORMAT=image/png", "", "1.3.0", crsLatLon},
	{"VERSION=1.3.0&LAYERS=land&CRS=CRS:84&BBOX=-10,35,30,60&WIDTH=8&HEIGHT=8&FORMAT=image/png&BGCOLOR=0x000000", "", "1.3.0", crsLonLat},
	{"VERSION=1.0.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "InvalidParameterValue", "", 0},
	{"VERSION=1.3.0&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "MissingParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land,roads&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "LayerNotDefined", "", 0},
	{"VERSION=1.3.0&LAYERS=land&STYLES=,&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "StyleNotDefined", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:27700&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "InvalidCRS", "", 0},
	{"VERSION=1.1.1&LAYERS=land&SRS=EPSG:27700&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "InvalidSRS", "", 0},
	{"VERSION=1.1.1&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png", "MissingParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=-8&HEIGHT=8&FORMAT=image/png", "InvalidParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&FORMAT=image/png", "MissingParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8", "MissingParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/gif", "InvalidFormat", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png&TRANSPARENT=yes", "InvalidParameterValue", "", 0},
	{"VERSION=1.3.0&LAYERS=land&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=8&HEIGHT=8&FORMAT=image/png&BGCOLOR=red", "InvalidParameterValue", "", 0},
}

func TestParseGetMap(t *testing.T) {
	e := testEndpoint(t, PublicPath)
	for _, tt := range getMapTests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got, serr := parseGetMap(e, paramsOf(q))
		gotCode := ""
		if serr != nil {
			gotCode = serr.code
		}
		if gotCode != tt.wantCode {
			t.Errorf("parseGetMap(%q) error = %v, want code %q", tt.query, serr, tt.wantCode)
			continue
		}
		if serr == nil && (got.version != tt.wantVer || got.crs != tt.wantCRS) {
			t.Errorf("parseGetMap(%q) = version %q crs %v, want %q %v", tt.query, got.version, got.crs, tt.wantVer, tt.wantCRS)
		}
	}
}

func TestParamsOf(t *testing.T) {
	q := url.Values{"layers": {"a", "b"}, "Bbox": {"1,2,3,4"}, "empty": {}}
	p := paramsOf(q)
	if got := p["LAYERS"]; got != "a" {
		t.Errorf(`paramsOf: LAYERS = %q, want "a"`, got)
	}
	if got := p["BBOX"]; got != "1,2,3,4" {
		t.Errorf(`paramsOf: BBOX = %q, want "1,2,3,4"`, got)
	}
	if p.has("EMPTY") {
		t.Error("paramsOf kept a name without a value")
	}
}

// testEndpoint returns the endpoint at path from a fresh catalogue.
func testEndpoint(t testing.TB, path string) *endpoint {
	t.Helper()
	eps, err := catalogue()
	if err != nil {
		t.Fatalf("catalogue() error = %v", err)
	}
	for _, e := range eps {
		if e.path == path {
			return e
		}
	}
	t.Fatalf("no endpoint %s", path)
	return nil
}

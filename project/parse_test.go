package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// head starts a version 1 file (the tests of its flat WMS fields are the
// migration's); head2 a version 2 file.
const (
	head  = `{"format": "mapvault-project", "version": 1`
	head2 = `{"format": "mapvault-project", "version": 2`
)

// goodTests are files Parse must accept, with the project it must return.
var goodTests = []struct {
	name string
	in   string
	want *Project
}{
	{
		name: "minimal",
		in:   `{"format":"mapvault-project","version":1}`,
		want: &Project{View: View{Zoom: 2}},
	},
	{
		name: "defaults for a layer",
		in: head + `, "title": "T", "view": {"center": {"lon": 4.5, "lat": -10}, "zoom": 7.5},
  "layers": [{"name": "Soil map", "source": "https://s.example/wms", "wms_layers": ["soil"]}]}`,
		want: &Project{Title: "T", View: View{Lon: 4.5, Lat: -10, Zoom: 7.5}, Layers: []Layer{
			{ID: "soil-map", Name: "Soil map", Kind: KindWMS, Source: "https://s.example/wms", WMS: WMS{Layers: []string{"soil"}}, Opacity: 1, Visible: true},
		}},
	},
	{
		name: "explicit values and empty kind",
		in: head + `, "layers": [{"id": "a", "kind": "", "opacity": 0, "visible": false, "styles": [], "wms_layers": []},
  {"id": "b", "kind": "wms", "opacity": 0.25, "wms_layers": ["x", "y"], "styles": ["s1", ""], "format": "image/jpeg", "wms_version": "1.1.1", "group": "G"}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "a", Kind: KindWMS, Opacity: 0, Visible: false},
			{ID: "b", Kind: KindWMS, Opacity: 0.25, Visible: true, WMS: WMS{Layers: []string{"x", "y"}, Styles: []string{"s1", ""}, Format: "image/jpeg", Version: "1.1.1"}, Group: "G"},
		}},
	},
	{
		name: "unknown kind is kept and its styles are not checked",
		in:   head + `, "layers": [{"id": "t", "kind": "vector-tiles", "styles": ["a", "b"], "source": "pmtiles://x"}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "t", Kind: "vector-tiles", WMS: WMS{Styles: []string{"a", "b"}}, Source: "pmtiles://x", Opacity: 1, Visible: true},
		}},
	},
	{
		name: "unknown fields at every level",
		in: head + `, "annotations": [{"text": "dike", "at": [3.9, 51.5]}], "author": "R. Vos",
  "view": {"center": {"lon": 1, "lat": 2, "alt": 300}, "zoom": 3, "crs": "EPSG:28992", "rotation": 12.50},
  "layers": [{"id": "r", "time": "2024-01-01", "filter": {"cql": "a<b & c>d"}}]}`,
		want: &Project{
			View: View{Lon: 1, Lat: 2, Zoom: 3, CRS: "EPSG:28992",
				extras:       map[string]json.RawMessage{"rotation": json.RawMessage(`12.50`)},
				centerExtras: map[string]json.RawMessage{"alt": json.RawMessage(`300`)}},
			Layers: []Layer{{ID: "r", Kind: KindWMS, Opacity: 1, Visible: true, extras: map[string]json.RawMessage{
				"time": json.RawMessage(`"2024-01-01"`), "filter": json.RawMessage(`{"cql": "a<b & c>d"}`)}}},
			extras: map[string]json.RawMessage{
				"annotations": json.RawMessage(`[{"text": "dike", "at": [3.9, 51.5]}]`),
				"author":      json.RawMessage(`"R. Vos"`),
			},
		},
	},
	{
		name: "missing ids follow explicit ones",
		in:   head + `, "layers": [{"name": "Roads"}, {"id": "roads"}, {"name": "Roads"}, {"name": "!!"}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "roads-2", Name: "Roads", Kind: KindWMS, Opacity: 1, Visible: true},
			{ID: "roads", Kind: KindWMS, Opacity: 1, Visible: true},
			{ID: "roads-3", Name: "Roads", Kind: KindWMS, Opacity: 1, Visible: true},
			{ID: "layer", Name: "!!", Kind: KindWMS, Opacity: 1, Visible: true},
		}},
	},
	{
		name: "v2 objects of every kind, unknown fields inside them kept",
		in: head2 + `, "layers": [
  {"id": "w", "source": "https://s.example/wms", "wms": {"layers": ["a", "b"], "styles": ["", "s"], "format": "image/png", "version": "1.1.1", "time": "now"}},
  {"id": "x", "kind": "xyz", "source": "https://{s}.t.example/{z}/{x}/{-y}.png", "xyz": {"min_zoom": 1, "max_zoom": 18, "tile_size": 512, "subdomains": "ab", "bounds": [0, 0, 1, 1]}},
  {"id": "m", "kind": "wmts", "wmts": {"layer": "l", "style": "s", "matrix_set": "m", "format": "image/jpeg", "dimensions": {"TIME": "2024-01-01", "Elevation": ""}, "dims": {"TIME": "2024"}}},
  {"id": "f", "kind": "wfs", "wfs": {"type_name": "ns:t", "version": "2.0.0", "srs": 1}, "style": {"stroke": "#123", "width": 2, "dash": [1, 2]}},
  {"id": "o", "kind": "features", "features": {"collection": "c", "limit": 10},
   "style": {"fill": "#11223344", "opacity": 0.5, "radius": 3, "attribute": "k", "categories": [{"value": "v", "label": "V", "fill": "none", "stroke": "#fff", "symbol": "star"}]}}
  ]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "w", Kind: KindWMS, Source: "https://s.example/wms", Opacity: 1, Visible: true,
				WMS: WMS{Layers: []string{"a", "b"}, Styles: []string{"", "s"}, Format: "image/png", Version: "1.1.1",
					extras: map[string]json.RawMessage{"time": json.RawMessage(`"now"`)}}},
			{ID: "x", Kind: KindXYZ, Source: "https://{s}.t.example/{z}/{x}/{-y}.png", Opacity: 1, Visible: true,
				XYZ: XYZ{MinZoom: 1, MaxZoom: 18, TileSize: 512, Subdomains: []string{"a", "b"},
					extras: map[string]json.RawMessage{"bounds": json.RawMessage(`[0, 0, 1, 1]`)}}},
			{ID: "m", Kind: KindWMTS, Opacity: 1, Visible: true,
				WMTS: WMTS{Layer: "l", Style: "s", MatrixSet: "m", Format: "image/jpeg",
					Dimensions: map[string]string{"TIME": "2024-01-01", "Elevation": ""},
					extras:     map[string]json.RawMessage{"dims": json.RawMessage(`{"TIME": "2024"}`)}}},
			{ID: "f", Kind: KindWFS, Opacity: 1, Visible: true,
				WFS:   WFS{TypeName: "ns:t", Version: "2.0.0", extras: map[string]json.RawMessage{"srs": json.RawMessage(`1`)}},
				Style: Style{Stroke: "#123", Width: 2, extras: map[string]json.RawMessage{"dash": json.RawMessage(`[1, 2]`)}}},
			{ID: "o", Kind: KindFeatures, Opacity: 1, Visible: true,
				Features: Features{Collection: "c", extras: map[string]json.RawMessage{"limit": json.RawMessage(`10`)}},
				Style: Style{Fill: "#11223344", Opacity: 0.5, Radius: 3, Attribute: "k", Categories: []Category{
					{Value: "v", Label: "V", Fill: NoColor, Stroke: "#fff", extras: map[string]json.RawMessage{"symbol": json.RawMessage(`"star"`)}}}}},
		}},
	},
	{
		name: "v2: the flat v1 WMS fields are unknown fields",
		in:   head2 + `, "layers": [{"id": "a", "wms_layers": ["x"], "styles": ["a", "b"]}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{{ID: "a", Kind: KindWMS, Opacity: 1, Visible: true,
			extras: map[string]json.RawMessage{"wms_layers": json.RawMessage(`["x"]`), "styles": json.RawMessage(`["a", "b"]`)}}}},
	},
	{
		name: "v1 reads the kind objects too",
		in:   head + `, "layers": [{"id": "x", "kind": "xyz", "xyz": {"max_zoom": 5}}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{{ID: "x", Kind: KindXYZ, Opacity: 1, Visible: true, XYZ: XYZ{MaxZoom: 5}}}},
	},
	{
		name: "byte order mark and escapes",
		in:   "\uFEFF" + `{"format":"mapvault-project","version":1,"ti\u0074le":"Dijk \u00e9\n"}`,
		want: &Project{Title: "Dijk é\n", View: View{Zoom: 2}},
	},
	{
		name: "bookmarks with an unknown field, missing zoom",
		in: head2 + `, "bookmarks": [{"name": "Dike", "lon": 3.9, "lat": 51.5, "zoom": 14, "note": "north end"},
  {"name": "", "lon": -70, "lat": -33.5}]}`,
		want: &Project{View: View{Zoom: 2}, Bookmarks: []Bookmark{
			{Name: "Dike", Lon: 3.9, Lat: 51.5, Zoom: 14, extras: map[string]json.RawMessage{"note": json.RawMessage(`"north end"`)}},
			{Lon: -70, Lat: -33.5, Zoom: 2},
		}},
	},
	{
		name: "empty bookmarks",
		in:   head2 + `, "bookmarks": []}`,
		want: &Project{View: View{Zoom: 2}},
	},
}

// badTests are files Parse must refuse, with the error position, a part of
// the message and the sentinel the error must match (if any).
var badTests = []struct {
	name   string
	in     string
	pos    string // "LINE:COL"
	msg    string
	target error
}{
	{"empty", ``, "1:1", "unexpected end of JSON input", nil},
	{"blank", "\n\n  ", "3:3", "unexpected end of JSON input", nil},
	{"truncated", `{"format": "mapvault-project"`, "1:30", "unexpected end", nil},
	{"missing value", "{\"format\": \"mapvault-project\",\n \"version\": 1,\n \"title\": }", "3:11", "invalid character '}'", nil},
	{"trailing comma", head + ",\n\"layers\": [{},]}", "2:15", "invalid character ']'", nil},
	{"trailing garbage", head + "}\nx", "2:1", "after top-level value", nil},
	{"crlf lines", "{\r\n\"format\": \"mapvault-project\",\r\n\"version\": 1,\r\n\"title\": \"a\"\r\n\"view\": {}}", "5:1", "after object key:value pair", nil},
	{"columns count characters", "{\"title\": \"Zürich ✓\" \"format\": 1}", "1:22", "after object key:value pair", nil},
	{"array", `[1, 2]`, "1:1", "want a JSON object, got an array", ErrNotProject},
	{"string", ` "mapvault-project"`, "1:2", "want a JSON object, got a string", ErrNotProject},
	{"no format", `{"version": 1}`, "1:1", `no "format" marker`, ErrNotProject},
	{"foreign format", `{"type": "FeatureCollection", "format": "geojson", "version": 1}`, "1:41", `format is "geojson"`, ErrNotProject},
	{"format not string", `{"format": 1, "version": 1}`, "1:12", "format: want a string, got a number", nil},
	{"no version", `{"format": "mapvault-project"}`, "1:1", `no "version" field`, nil},
	{"version zero", `{"format": "mapvault-project", "version": 0}`, "1:43", "version: want a whole number from 1, got 0", nil},
	{"version fraction", `{"format": "mapvault-project", "version": 1.5}`, "1:43", "got 1.5", nil},
	{"version string", `{"format": "mapvault-project", "version": "1"}`, "1:43", "version: want a number, got a string", nil},
	{"version huge", `{"format": "mapvault-project", "version": 99999999999999999999}`, "1:43", "want a whole number", nil},
	{"title null", head + `, "title": null}`, "1:55", "title: want a string, got null", nil},
	{"duplicate key", head + `, "title": "a",` + "\n" + `  "title": "b"}`, "2:3", `duplicate key "title"`, nil},
	{"view not object", head + `, "view": [0, 0]}`, "1:54", "view: want an object, got an array", nil},
	{"zoom string", head + `, "view": {"zoom": "9"}}`, "1:63", "view.zoom: want a number, got a string", nil},
	{"zoom negative", head + `, "view": {"zoom": -1}}`, "1:63", "view.zoom: zoom -1 is negative", nil},
	{"latitude", head + `, "view": {"center": {"lat": 91, "lon": 0}}}`, "1:73", "view.center.lat: latitude 91 is outside", nil},
	{"lon bool", head + `, "view": {"center": {"lon": true}}}`, "1:73", "view.center.lon: want a number, got a boolean", nil},
	{"layers object", head + `, "layers": {"id": "a"}}`, "1:56", "layers: want an array of layer objects, got an object", nil},
	{"layer not object", head + `, "layers": [{"id": "a"}, 5]}`, "1:70", "layers[1]: want an object, got a number", nil},
	{"opacity high", head + ",\n  \"layers\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"opacity\": 1.5}\n  ]}", "4:28", "layers[1].opacity: 1.5 is outside [0, 1]", nil},
	{"opacity negative", head + `, "layers": [{"opacity": -0.1}]}`, "1:69", "layers[0].opacity: -0.1 is outside", nil},
	{"opacity huge", head + `, "layers": [{"opacity": 1e400}]}`, "1:69", "number 1e400 is out of range", nil},
	{"opacity string", head + `, "layers": [{"opacity": "1"}]}`, "1:69", "layers[0].opacity: want a number, got a string", nil},
	{"duplicate id", head + ",\n\"layers\": [{\"id\": \"r\"},\n {\"id\": \"r\"}]}", "3:9", `layers[1].id: duplicate layer id "r"`, nil},
	{"wms layer number", head + `, "layers": [{"wms_layers": ["a", 5]}]}`, "1:78", "layers[0].wms_layers[1]: want a string, got a number", nil},
	{"styles not array", head + `, "layers": [{"styles": ""}]}`, "1:68", "layers[0].styles: want an array of strings, got a string", nil},
	{"styles count", head + `, "layers": [{"wms_layers": ["a", "b"], "styles": [""]}]}`, "1:94", "layers[0].styles: 1 styles for 2 WMS layers", nil},
	{"visible string", head + `, "layers": [{"visible": "yes"}]}`, "1:69", "layers[0].visible: want a boolean, got a string", nil},
	{"kind number", head + `, "layers": [{"kind": 1}]}`, "1:66", "layers[0].kind: want a string, got a number", nil},
	{"duplicate layer key", head + `, "layers": [{"id": "a", "id": "b"}]}`, "1:69", `layers[0]: duplicate key "id"`, nil},
	{"v2 styles count", head2 + `, "layers": [{"wms": {"layers": ["a", "b"], "styles": [""]}}]}`, "1:98", "layers[0].wms.styles: 1 styles for 2 WMS layers", nil},
	{"v2 wms not object", head2 + `, "layers": [{"wms": ["a"]}]}`, "1:65", "layers[0].wms: want an object, got an array", nil},
	{"v1 flat and object", head + `, "layers": [{"wms": {}, "format": "image/png"}]}`, "1:69", `both "format" and a "wms" object`, nil},
	{"xyz max zoom 0", head2 + `, "layers": [{"xyz": {"max_zoom": 0}}]}`, "1:78", "layers[0].xyz.max_zoom: want a whole number in [1, 30], got 0", nil},
	{"xyz zoom fraction", head2 + `, "layers": [{"xyz": {"min_zoom": 1.5}}]}`, "1:78", "want a whole number", nil},
	{"xyz min above max", head2 + `, "layers": [{"xyz": {"min_zoom": 9, "max_zoom": 3}}]}`, "1:93", "min_zoom 9 is above max_zoom 3", nil},
	{"xyz tile size", head2 + `, "layers": [{"xyz": {"tile_size": 300}}]}`, "1:79", "layers[0].xyz.tile_size: want 256 or 512, got 300", nil},
	{"xyz subdomain", head2 + `, "layers": [{"xyz": {"subdomains": ["a", "b/c"]}}]}`, "1:80", `subdomain "b/c"`, nil},
	{"xyz subdomains number", head2 + `, "layers": [{"xyz": {"subdomains": 3}}]}`, "1:80", "want an array of strings, got a number", nil},
	{"wmts dimensions array", head2 + `, "layers": [{"wmts": {"dimensions": ["TIME"]}}]}`, "1:81", "layers[0].wmts.dimensions: want an object, got an array", nil},
	{"wmts dimension number", head2 + `, "layers": [{"wmts": {"dimensions": {"TIME": 2024}}}]}`, "1:90", "layers[0].wmts.dimensions.TIME: want a string, got a number", nil},
	{"wmts dimension empty name", head2 + `, "layers": [{"wmts": {"dimensions": {"": "a"}}}]}`, "1:82", "layers[0].wmts.dimensions: empty name", nil},
	{"wmts dimension duplicate", head2 + `, "layers": [{"wmts": {"dimensions": {"T": "a", "T": "b"}}}]}`, "1:92", `layers[0].wmts.dimensions: duplicate key "T"`, nil},
	{"style colour", head2 + `, "layers": [{"style": {"fill": "red"}}]}`, "1:76", `layers[0].style.fill: "red" is not a colour`, nil},
	{"style opacity zero", head2 + `, "layers": [{"style": {"opacity": 0}}]}`, "1:79", "layers[0].style.opacity: 0 is outside (0, 1]", nil},
	{"style width negative", head2 + `, "layers": [{"style": {"width": -1}}]}`, "1:77", "layers[0].style.width: want a number >= 0", nil},
	{"categories need attribute", head2 + `, "layers": [{"style": {"categories": [{"value": "a"}]}}]}`, "1:82", `categories need an "attribute"`, nil},
	{"category value number", head2 + `, "layers": [{"style": {"attribute": "a", "categories": [{"value": 3}]}}]}`, "1:111", "layers[0].style.categories[0].value: want a string, got a number", nil},
	{"bookmarks not array", head2 + `, "bookmarks": {}}`, "1:59", "bookmarks: want an array of bookmark objects, got an object", nil},
	{"bookmark not object", head2 + `, "bookmarks": [3]}`, "1:60", "bookmarks[0]: want an object", nil},
	{"bookmark lat", head2 + `, "bookmarks": [{"lat": 91}]}`, "1:68", "bookmarks[0].lat: latitude 91 is outside [-90, 90]", nil},
	{"bookmark zoom", head2 + `, "bookmarks": [{"zoom": -1}]}`, "1:69", "bookmarks[0].zoom: zoom -1 is negative", nil},
	{"bookmark name", head2 + `, "bookmarks": [{"name": 1}]}`, "1:69", "bookmarks[0].name: want a string, got a number", nil},
}

func TestParse(t *testing.T) {
	for _, tt := range goodTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("good.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q) error = %v, want nil", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n%#v\nwant\n%#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range badTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error at %s", tt.in, p, tt.pos)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %T %v, want *SyntaxError", tt.in, err, err)
			}
			if got := fmt.Sprintf("%d:%d", se.Line, se.Column); got != tt.pos {
				t.Errorf("Parse(%q) error at %s, want %s (%v)", tt.in, got, tt.pos, err)
			}
			if se.File != "bad.json" || !strings.HasPrefix(err.Error(), "bad.json:"+tt.pos+": ") {
				t.Errorf("Parse(%q) error = %q, want prefix %q", tt.in, err, "bad.json:"+tt.pos+": ")
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q) message = %q, want it to contain %q", tt.in, se.Msg, tt.msg)
			}
			if got := errors.Is(err, ErrNotProject); got != (tt.target == ErrNotProject) {
				t.Errorf("errors.Is(Parse(%q), ErrNotProject) = %v, want %v", tt.in, got, !got)
			}
		})
	}
}

func TestParseNewerVersion(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{`{"format": "mapvault-project", "version": 3}`, 3},
		// A newer file is reported as newer even if its body no longer
		// looks like this version.
		{`{"format": "mapvault-project", "version": 17, "layers": {"new": "shape"}}`, 17},
	}
	for _, tt := range tests {
		_, err := Parse("future.json", []byte(tt.in))
		if !errors.Is(err, ErrNewerVersion) {
			t.Fatalf("Parse(%q) error = %v, want ErrNewerVersion", tt.in, err)
		}
		var ve *VersionError
		if !errors.As(err, &ve) {
			t.Fatalf("Parse(%q) error = %T, want *VersionError", tt.in, err)
		}
		if ve.File != "future.json" || ve.Got != tt.want || ve.Want != Version {
			t.Errorf("Parse(%q) error = %+v, want File future.json, Got %d, Want %d", tt.in, ve, tt.want, Version)
		}
		msg := err.Error()
		for _, part := range []string{"future.json", fmt.Sprint(tt.want), fmt.Sprint(Version)} {
			if !strings.Contains(msg, part) {
				t.Errorf("Parse(%q) error %q does not mention %q", tt.in, msg, part)
			}
		}
	}
}

func TestExampleFile(t *testing.T) {
	path := filepath.Join("testdata", "example.mapvault.json")
	p, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s) error = %v", path, err)
	}
	if p.Title != "Flood risk, Zeeland" || p.View.Lon != 3.9 || p.View.Lat != 51.5 || p.View.Zoom != 9 || p.View.EffectiveCRS() != "EPSG:3857" {
		t.Errorf("Load(%s) = %+v, want the documented title and view", path, p)
	}
	kinds := map[Kind]bool{}
	for _, l := range p.Layers {
		kinds[l.Kind] = true
	}
	for _, k := range []Kind{KindWMS, KindWMTS, KindXYZ, KindWFS, KindFeatures, KindGeoJSON} {
		if !kinds[k] {
			t.Errorf("Load(%s) has no %s layer; the example shows every kind", path, k)
		}
	}
	roads, ok := p.Layer("roads")
	want := Layer{ID: "roads", Name: "Roads", Kind: KindWMS, Source: "https://maps.example.org/wms?map=roads",
		WMS:     WMS{Layers: []string{"roads", "bridges"}, Styles: []string{"", ""}, Format: "image/png", Version: "1.3.0"},
		Opacity: 1, Visible: true, Group: "Base"}
	if !ok || !reflect.DeepEqual(*roads, want) {
		t.Errorf("Layer(roads) = %+v, %v; want %+v, true", roads, ok, want)
	}
	base, _ := p.Layer("basemap")
	if base == nil || base.XYZ.MaxZoom != 19 || base.XYZ.TileSize != 512 || !reflect.DeepEqual(base.XYZ.Subdomains, []string{"a", "b"}) {
		t.Errorf("Layer(basemap) = %+v, want max_zoom 19, tile_size 512, subdomains a, b", base)
	}
	zones, _ := p.Layer("zones")
	if zones == nil || zones.Features.Collection != "evacuation_zones" || zones.Style.Attribute != "phase" ||
		len(zones.Style.Categories) != 2 || zones.Style.Categories[1].Fill != "#fc8d59" || zones.Style.Opacity != 0.4 {
		t.Errorf("Layer(zones) = %+v, want the collection and its categorised style", zones)
	}
	if elev, _ := p.Layer("elevation"); elev == nil || !reflect.DeepEqual(elev.WMTS.Dimensions, map[string]string{"Time": "2023"}) {
		t.Errorf("Layer(elevation) = %+v, want dimensions Time=2023", elev)
	}
	abs, _ := filepath.Abs("testdata")
	if p.GroupVisible("Hazard") || !p.GroupVisible("Base") {
		t.Errorf("GroupVisible(Hazard, Base) = %v, %v, want false, true", p.GroupVisible("Hazard"), p.GroupVisible("Base"))
	}
	if p.Dir() != abs {
		t.Errorf("Dir() = %q, want %q", p.Dir(), abs)
	}
	shelters, _ := p.Layer("shelters")
	if got, want := p.Resolve(shelters.Source), filepath.Join(abs, "data", "shelters.geojson"); got != want {
		t.Errorf("Resolve(%q) = %q, want %q (a relative GeoJSON path is the project folder's)", shelters.Source, got, want)
	}
	// The documented example is in canonical form: Marshal reproduces it.
	data, _ := os.ReadFile(path)
	got, err := p.Marshal()
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if string(got) != string(data) {
		t.Errorf("Marshal(Load(%s)) =\n%s\nwant the file itself:\n%s", path, got, data)
	}
}

// TestMigrateV1: a version 1 file reads as its version 2 form (the flat WMS
// fields in "wms") and is written as version 2; the golden file is what
// Save writes for testdata/v1/example.mapvault.json.
func TestMigrateV1(t *testing.T) {
	in := filepath.Join("testdata", "v1", "example.mapvault.json")
	p, err := Load(in)
	if err != nil {
		t.Fatalf("Load(%s) error = %v", in, err)
	}
	roads, _ := p.Layer("roads")
	if roads == nil || !reflect.DeepEqual(roads.WMS, WMS{Layers: []string{"roads", "bridges"}, Styles: []string{"", ""}, Format: "image/png", Version: "1.3.0"}) {
		t.Errorf("Layer(roads).WMS = %+v, want the version 1 flat fields", roads)
	}
	got, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "v1-migrated.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("Marshal(Load(%s)) =\n%s\nwant (%s)\n%s", in, got, golden, want)
	}
	if !strings.Contains(string(got), `"version": 2`) || strings.Contains(string(got), "wms_layers") {
		t.Errorf("migrated file is not version 2:\n%s", got)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

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

const head = `{"format": "mapvault-project", "version": 1`

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
			{ID: "soil-map", Name: "Soil map", Kind: KindWMS, Source: "https://s.example/wms", WMSLayers: []string{"soil"}, Opacity: 1, Visible: true},
		}},
	},
	{
		name: "explicit values and empty kind",
		in: head + `, "layers": [{"id": "a", "kind": "", "opacity": 0, "visible": false, "styles": [], "wms_layers": []},
  {"id": "b", "kind": "wms", "opacity": 0.25, "wms_layers": ["x", "y"], "styles": ["s1", ""], "format": "image/jpeg", "wms_version": "1.1.1", "group": "G"}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "a", Kind: KindWMS, Opacity: 0, Visible: false},
			{ID: "b", Kind: KindWMS, Opacity: 0.25, Visible: true, WMSLayers: []string{"x", "y"}, Styles: []string{"s1", ""}, Format: "image/jpeg", WMSVersion: "1.1.1", Group: "G"},
		}},
	},
	{
		name: "unknown kind is kept and its styles are not checked",
		in:   head + `, "layers": [{"id": "t", "kind": "vector-tiles", "styles": ["a", "b"], "source": "pmtiles://x"}]}`,
		want: &Project{View: View{Zoom: 2}, Layers: []Layer{
			{ID: "t", Kind: "vector-tiles", Styles: []string{"a", "b"}, Source: "pmtiles://x", Opacity: 1, Visible: true},
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
		name: "byte order mark and escapes",
		in:   "\uFEFF" + `{"format":"mapvault-project","version":1,"ti\u0074le":"Dijk \u00e9\n"}`,
		want: &Project{Title: "Dijk é\n", View: View{Zoom: 2}},
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
		{`{"format": "mapvault-project", "version": 2}`, 2},
		// A newer file is reported as newer even if its body no longer
		// looks like version 1.
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
	if len(p.Layers) != 2 {
		t.Fatalf("Load(%s) has %d layers, want 2", path, len(p.Layers))
	}
	roads, ok := p.Layer("roads")
	want := Layer{ID: "roads", Name: "Roads", Kind: KindWMS, Source: "https://maps.example.org/wms?map=roads",
		WMSLayers: []string{"roads", "bridges"}, Styles: []string{"", ""}, Format: "image/png",
		WMSVersion: "1.3.0", Opacity: 1, Visible: true, Group: "Base"}
	if !ok || !reflect.DeepEqual(*roads, want) {
		t.Errorf("Layer(roads) = %+v, %v; want %+v, true", roads, ok, want)
	}
	abs, _ := filepath.Abs("testdata")
	if p.Dir() != abs {
		t.Errorf("Dir() = %q, want %q", p.Dir(), abs)
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

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

package vector

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

// flatOf returns a geometry's type name and flat coordinates, with the
// members of a GeometryCollection in order.
func flatOf(g geom.T) string {
	switch g := g.(type) {
	case nil:
		return "nil"
	case *geom.GeometryCollection:
		var parts []string
		for _, m := range g.Geoms() {
			parts = append(parts, flatOf(m))
		}
		return "GC(" + strings.Join(parts, "; ") + ")"
	default:
		return fmt.Sprintf("%T%v%v", g, g.FlatCoords(), g.Ends())
	}
}

func TestParseGeoJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // flatOf each feature's geometry
		ids  []string
	}{
		{"point", `{"type":"Point","coordinates":[1.5,2]}`, []string{"*geom.Point[1.5 2][]"}, []string{""}},
		{"point 3D drops Z", `{"type":"Point","coordinates":[1,2,300]}`, []string{"*geom.Point[1 2][]"}, []string{""}},
		{"empty point", `{"type":"Point","coordinates":[]}`, []string{"*geom.Point[][]"}, []string{""}},
		{"line", `{"type":"LineString","coordinates":[[0,0],[1,1]]}`, []string{"*geom.LineString[0 0 1 1][]"}, []string{""}},
		{"polygon with hole", `{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}`,
			[]string{"*geom.Polygon[0 0 4 0 4 4 0 0 1 1 2 1 2 2 1 1][8 16]"}, []string{""}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
			[]string{"*geom.MultiPolygon[0 0 1 0 1 1 0 0 5 5 6 5 6 6 5 5][]"}, []string{""}},
		{"multiline mixed dimensions", `{"type":"MultiLineString","coordinates":[[[0,0,1],[1,1]],[[2,2],[3,3,3,3]]]}`,
			[]string{"*geom.MultiLineString[0 0 1 1 2 2 3 3][4 8]"}, []string{""}},
		{"multipoint", `{"type":"MultiPoint","coordinates":[[0,0],[1,1]]}`, []string{"*geom.MultiPoint[0 0 1 1][2 4]"}, []string{""}},
		{"collection", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[0,0],[1,1]]}]}]}`,
			[]string{"GC(*geom.Point[1 2][]; GC(*geom.LineString[0 0 1 1][]))"}, []string{""}},
		{"feature", `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"n":1}}`,
			[]string{"*geom.Point[1 2][]"}, []string{"a"}},
		{"feature null geometry", `{"type":"Feature","id":7,"geometry":null,"properties":null}`, []string{"nil"}, []string{"7"}},
		{"collection of features", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":1.5,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{}},
			{"type":"Feature","id":"x","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}]}`,
			[]string{"*geom.Point[1 2][]", "*geom.LineString[1 2 3 4][]"}, []string{"1.5", "x"}},
		{"features before type, foreign members", `{"features":[],"bbox":[0,0,1,1],"x":{"y":[1,2,3]},"type":"FeatureCollection"}`, []string{}, []string{}},
		{"legacy crs EPSG:4326 urn keeps lon/lat", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}},
			"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[10,50]},"properties":{}}]}`,
			[]string{"*geom.Point[10 50][]"}, []string{""}},
		{"legacy crs CRS84", `{"type":"Point","coordinates":[10,50],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}`,
			[]string{"*geom.Point[10 50][]"}, []string{""}},
		{"legacy crs link ignored", `{"type":"Point","coordinates":[10,50],"crs":{"type":"link","properties":{"href":"x"}}}`,
			[]string{"*geom.Point[10 50][]"}, []string{""}},
		{"whitespace", " {\n\"type\" : \"Point\" ,\n \"coordinates\" : [ 1 , 2 ] } \n", []string{"*geom.Point[1 2][]"}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, err := ParseGeoJSON(strings.NewReader(tt.doc), Options{})
			if err != nil {
				t.Fatalf("ParseGeoJSON() error = %v", err)
			}
			var got, ids []string
			for _, f := range fc.Features {
				got = append(got, flatOf(f.Geometry))
				ids = append(ids, f.ID)
			}
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("geometries = %q, want %q", got, tt.want)
			}
			if len(ids) != len(tt.ids) || (len(ids) > 0 && !reflect.DeepEqual(ids, tt.ids)) {
				t.Errorf("ids = %q, want %q", ids, tt.ids)
			}
		})
	}
}

// TestParseGeoJSONMercator: a legacy crs naming EPSG:3857 (on the document
// or on one geometry) is converted to degrees, once.
func TestParseGeoJSONMercator(t *testing.T) {
	x, y := lonLatToMercator(10, 50)
	for _, doc := range []string{
		fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[%v,%v]},"properties":{}}],"crs":{"type":"name","properties":{"name":"EPSG:3857"}}}`, x, y),
		fmt.Sprintf(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[%v,%v],"crs":{"type":"EPSG","properties":{"code":3857}}},"properties":{}}]}`, x, y),
		fmt.Sprintf(`{"type":"Point","coordinates":[%v,%v],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::900913"}}}`, x, y),
	} {
		fc, err := ParseGeoJSON(strings.NewReader(doc), Options{})
		if err != nil {
			t.Fatalf("ParseGeoJSON(%.60q) error = %v", doc, err)
		}
		p := fc.Features[0].Geometry.FlatCoords()
		if math.Abs(p[0]-10) > 1e-9 || math.Abs(p[1]-50) > 1e-9 {
			t.Errorf("ParseGeoJSON(%.60q) point = %v, want [10 50]", doc, p)
		}
	}
}

func TestParseGeoJSONProperties(t *testing.T) {
	doc := `{"type":"Feature","id":12345678901234567890,"geometry":null,
		"properties":{"n":12345678901234567890,"f":1.50,"s":"x","b":true,"z":null,"o":{"a":[1,"2"]}}}`
	fc, err := ParseGeoJSON(strings.NewReader(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := fc.Features[0]
	if f.ID != "12345678901234567890" {
		t.Errorf("ID = %q, want the exact integer", f.ID)
	}
	want := map[string]any{
		"n": json.Number("12345678901234567890"), "f": json.Number("1.50"), "s": "x", "b": true, "z": nil,
		"o": map[string]any{"a": []any{json.Number("1"), "2"}},
	}
	if !reflect.DeepEqual(f.Properties, want) {
		t.Errorf("Properties = %#v, want %#v", f.Properties, want)
	}
	for _, tt := range []struct {
		name, want string
		ok         bool
	}{{"n", "12345678901234567890", true}, {"f", "1.50", true}, {"s", "x", true}, {"b", "true", true}, {"z", "", false}, {"o", "", false}, {"missing", "", false}} {
		if got, ok := f.Property(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("Property(%q) = %q, %v, want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestParseGeoJSONPaging reads the OGC API items paging members and
// resolves the next link against the page URL.
func TestParseGeoJSONPaging(t *testing.T) {
	tests := []struct {
		doc                string
		next               string
		matched, returned  int
		resolvedAgainstURL string
	}{
		{`{"type":"FeatureCollection","features":[],"numberMatched":120,"numberReturned":10,
			"links":[{"rel":"self","href":"items?offset=0"},{"rel":"next","type":"text/html","href":"items?offset=10&f=html"},{"rel":"next","type":"application/geo+json","href":"items?offset=10"}]}`,
			"items?offset=10", 120, 10, "https://h.test/api/collections/c/items?offset=10"},
		{`{"type":"FeatureCollection","features":[],"links":[{"rel":"prev","href":"p"}]}`, "", -1, -1, ""},
		{`{"type":"FeatureCollection","features":[],"totalFeatures":"unknown","numberMatched":"x","numberReturned":-4,"links":{"rel":"next"}}`, "", -1, -1, ""},
		{`{"type":"FeatureCollection","features":[],"totalFeatures":42,"numberReturned":0,"links":[{"rel":"next","href":"https://other.test/p2"}]}`,
			"https://other.test/p2", 42, 0, "https://other.test/p2"},
	}
	base, _ := url.Parse("https://h.test/api/collections/c/items?limit=10")
	for _, tt := range tests {
		fc, err := ParseGeoJSON(strings.NewReader(tt.doc), Options{})
		if err != nil {
			t.Fatalf("ParseGeoJSON(%.50q) error = %v", tt.doc, err)
		}
		if fc.Next != tt.next || fc.NumberMatched != tt.matched || fc.NumberReturned != tt.returned {
			t.Errorf("ParseGeoJSON(%.50q) = next %q, matched %d, returned %d; want %q, %d, %d",
				tt.doc, fc.Next, fc.NumberMatched, fc.NumberReturned, tt.next, tt.matched, tt.returned)
		}
		u, err := fc.NextURL(base)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(u); (u == nil && tt.resolvedAgainstURL != "") || (u != nil && got != tt.resolvedAgainstURL) {
			t.Errorf("NextURL() = %v, want %q", u, tt.resolvedAgainstURL)
		}
	}
}

func TestParseGeoJSONErrors(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"empty", ``, ErrMalformed},
		{"array", `[]`, ErrNotFeatures},
		{"html", `<html></html>`, ErrMalformed},
		{"no type", `{"features":[]}`, ErrNotFeatures},
		{"unknown type", `{"type":"Topology"}`, ErrNotFeatures},
		{"type not a string", `{"type":5}`, ErrMalformed},
		{"collection without features", `{"type":"FeatureCollection"}`, ErrMalformed},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, ErrMalformed},
		{"feature not an object", `{"type":"FeatureCollection","features":[5]}`, ErrMalformed},
		{"feature wrong type", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, ErrMalformed},
		{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature"`, ErrMalformed},
		{"trailing data", `{"type":"Point","coordinates":[1,2]} {}`, ErrMalformed},
		{"NaN", `{"type":"Point","coordinates":[NaN,2]}`, ErrMalformed},
		{"infinity", `{"type":"Point","coordinates":[1e999,2]}`, ErrMalformed},
		{"string coordinate", `{"type":"Point","coordinates":["1",2]}`, ErrMalformed},
		{"one number", `{"type":"Point","coordinates":[1]}`, ErrMalformed},
		{"point too deep", `{"type":"Point","coordinates":[[1,2]]}`, ErrMalformed},
		{"polygon too shallow", `{"type":"Polygon","coordinates":[[1,2],[3,4]]}`, ErrMalformed},
		{"coordinates object", `{"type":"LineString","coordinates":{"a":1}}`, ErrMalformed},
		{"empty position", `{"type":"LineString","coordinates":[[],[1,2]]}`, ErrMalformed},
		{"unknown geometry", `{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]}}`, ErrMalformed},
		{"geometries not an array", `{"type":"GeometryCollection","geometries":{}}`, ErrMalformed},
		{"id object", `{"type":"Feature","id":{},"geometry":null}`, ErrMalformed},
		{"properties array", `{"type":"Feature","properties":[1],"geometry":null}`, ErrMalformed},
		{"duplicate features", `{"type":"FeatureCollection","features":[],"features":[]}`, ErrMalformed},
		{"unknown crs", `{"type":"Point","coordinates":[1,2],"crs":{"type":"name","properties":{"name":"EPSG:25832"}}}`, ErrUnsupportedCRS},
		{"deep properties", `{"type":"Feature","geometry":null,"properties":` + deep + `}`, ErrLimit},
		{"deep in a collection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":` + deep + `}]}`, ErrLimit},
		{"deep geometry collection", strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 70) + strings.Repeat("]}", 70), ErrLimit},
		{"deep array", strings.Repeat("[", 100000), ErrNotFeatures},
		{"deep coordinates", `{"type":"Point","coordinates":` + strings.Repeat("[", 100000) + `}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGeoJSON(strings.NewReader(tt.doc), Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseGeoJSON(%.60q) error = %v, want %v", tt.doc, err, tt.want)
			}
		})
	}
}

// featureStream is an endless FeatureCollection: it proves the parser
// stops at a limit without buffering the document.
type featureStream struct {
	feature string
	read    int64
}

func (s *featureStream) Read(p []byte) (int, error) {
	const head = `{"type":"FeatureCollection","features":[`
	n := 0
	for n < len(p) {
		var src string
		if pos := s.read + int64(n); pos < int64(len(head)) {
			src = head[pos:]
		} else {
			src = s.feature[(pos-int64(len(head)))%int64(len(s.feature)):]
		}
		n += copy(p[n:], src)
	}
	s.read += int64(n)
	return n, nil
}

func TestParseGeoJSONLimits(t *testing.T) {
	tests := []struct {
		name    string
		feature string
		opt     Options
		limit   string
	}{
		{"features", `{"type":"Feature","geometry":null,"properties":null},`, Options{MaxFeatures: 1000}, "MaxFeatures"},
		{"coordinates", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1],[2,2],[3,3]]},"properties":null},`, Options{MaxCoordinates: 1000}, "MaxCoordinates"},
		{"bytes", `{"type":"Feature","geometry":null,"properties":{"a":"` + strings.Repeat("x", 1000) + `"}},`, Options{MaxBytes: 1 << 20}, "MaxBytes"},
		{"default features", `{"type":"Feature","geometry":null,"properties":null},`, Options{}, "MaxFeatures"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &featureStream{feature: tt.feature}
			_, err := ParseGeoJSON(s, tt.opt)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit {
				t.Fatalf("ParseGeoJSON(endless) error = %v, want a %s LimitError", err, tt.limit)
			}
			if max := tt.opt.withDefaults().MaxBytes; s.read > max+1<<20 {
				t.Errorf("read %d bytes before failing, want about %d at most", s.read, max)
			}
		})
	}
	// One huge coordinate array in one geometry is refused as well.
	huge := `{"type":"LineString","coordinates":[` + strings.Repeat("[1,2],", 5000) + `[1,2]]}`
	if _, err := ParseGeoJSON(strings.NewReader(huge), Options{MaxCoordinates: 4000}); !errors.Is(err, ErrLimit) {
		t.Errorf("ParseGeoJSON(5001 positions, max 4000) error = %v, want ErrLimit", err)
	}
	if _, err := ParseGeoJSON(strings.NewReader(huge), Options{MaxCoordinates: 5001}); err != nil {
		t.Errorf("ParseGeoJSON(5001 positions, max 5001) error = %v", err)
	}
}

// TestParseGeoJSONMatchesGoGeom: for valid 2D geometries the flat decoder
// gives what go-geom's own GeoJSON decoder gives.
func TestParseGeoJSONMatchesGoGeom(t *testing.T) {
	for _, doc := range geojsonSeeds {
		var g geom.T
		if err := geojson.Unmarshal([]byte(doc), &g); err != nil {
			continue // not a bare geometry
		}
		fc, err := ParseGeoJSON(strings.NewReader(doc), Options{})
		if err != nil {
			t.Errorf("ParseGeoJSON(%.60q) error = %v, go-geom reads it", doc, err)
			continue
		}
		if got, want := flatOf(fc.Features[0].Geometry), flatOf(g); got != want {
			t.Errorf("ParseGeoJSON(%.60q) = %s, go-geom = %s", doc, got, want)
		}
	}
}

// geojsonSeeds seed FuzzGeoJSON and the go-geom comparison.
var geojsonSeeds = []string{
	`{"type":"Point","coordinates":[1.5,2]}`,
	`{"type":"LineString","coordinates":[[0,0],[1,1],[2,0]]}`,
	`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}`,
	`{"type":"MultiPoint","coordinates":[[0,0],[1,1]]}`,
	`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`,
	`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
	`{"type":"MultiPolygon","coordinates":[[],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
	`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}`,
	`{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"n":1}}`,
	`{"type":"FeatureCollection","numberMatched":3,"links":[{"rel":"next","href":"n"}],"features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-10,40],[30,40],[30,60],[-10,40]]]},"properties":{"kind":"a"}}]}`,
	`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1e6,6e6]},"properties":null}]}`,
}

var _ = io.EOF

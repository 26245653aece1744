package vector

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseGMLFile(t *testing.T, name string) *FeatureCollection {
	t.Helper()
	fc, err := ParseGML(strings.NewReader(string(readTestdata(t, name))), Options{})
	if err != nil {
		t.Fatalf("ParseGML(%s) error = %v", name, err)
	}
	return fc
}

func TestParseGMLWFS20(t *testing.T) {
	fc := parseGMLFile(t, "wfs20-gml32.xml")
	if fc.NumberMatched != 49 || fc.NumberReturned != 2 {
		t.Errorf("numberMatched, numberReturned = %d, %d, want 49, 2", fc.NumberMatched, fc.NumberReturned)
	}
	if want := "https://h.test/geoserver/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=topp%3Astates&COUNT=2&STARTINDEX=2"; fc.Next != want {
		t.Errorf("Next = %q, want %q", fc.Next, want)
	}
	if len(fc.Features) != 2 {
		t.Fatalf("%d features, want 2", len(fc.Features))
	}
	il := fc.Features[0]
	if il.ID != "states.1" {
		t.Errorf("ID = %q, want states.1", il.ID)
	}
	// Latitude-first posList, swapped; a Surface member is one polygon.
	want := "*geom.MultiPolygon[-91 37 -91 42 -87 42 -87 37 -91 37 -90 39 -90 40 -89 40 -90 39 -90 36 -90 36.5 -89.5 36.5 -90 36][]"
	if got := flatOf(il.Geometry); got != want {
		t.Errorf("geometry = %s, want %s", got, want)
	}
	wantProps := map[string]any{"STATE_NAME": "Illinois", "PERSONS": "11430602.0", "MOTTO": nil}
	if !reflect.DeepEqual(il.Properties, wantProps) {
		t.Errorf("Properties = %#v, want %#v", il.Properties, wantProps)
	}
	mo := fc.Features[1]
	if got := flatOf(mo.Geometry); got != "*geom.Point[-90.2 38.6][]" {
		t.Errorf("point = %s, want lon -90.2 lat 38.6", got)
	}
	if mo.Properties["STATE_NAME"] != "Missouri & co" || mo.Properties["gml:name"] != "MO" {
		t.Errorf("Properties = %#v", mo.Properties)
	}
}

func TestParseGMLWFS11(t *testing.T) {
	fc := parseGMLFile(t, "wfs11-gml31.xml")
	if fc.NumberMatched != 3 || fc.NumberReturned != 3 || fc.Next != "" {
		t.Errorf("paging = %d, %d, %q, want 3, 3, none", fc.NumberMatched, fc.NumberReturned, fc.Next)
	}
	want := []string{
		"*geom.LineString[10 50 11 51][]",
		"*geom.MultiLineString[10 50 11 51 12 52 13 53 14 54][4 10]", // 3D posList; Curve segments joined
		"*geom.MultiPoint[0 0 10 0][2 4]",                            // EPSG:3857 metres
	}
	for i, f := range fc.Features {
		if got := roundFlat(f); got != want[i] {
			t.Errorf("feature %d = %s, want %s", i, got, want[i])
		}
	}
	if fc.Features[0].Properties["lanes"] != "2" {
		t.Errorf("lanes = %#v, want the string \"2\"", fc.Features[0].Properties["lanes"])
	}
}

// roundFlat is flatOf with coordinates rounded to 1e-9.
func roundFlat(f Feature) string {
	if f.Geometry == nil {
		return "nil"
	}
	c := append([]float64(nil), f.Geometry.FlatCoords()...)
	for i := range c {
		c[i] = math.Round(c[i]*1e9) / 1e9
	}
	return fmt.Sprintf("%T%v%v", f.Geometry, c, f.Geometry.Ends())
}

func TestParseGMLWFS10(t *testing.T) {
	fc := parseGMLFile(t, "wfs10-gml2.xml")
	if fc.NumberMatched != -1 || fc.NumberReturned != -1 {
		t.Errorf("paging = %d, %d, want unknown", fc.NumberMatched, fc.NumberReturned)
	}
	want := []string{
		"*geom.MultiPolygon[10 50 12 50 12 52 10 50 10.5 50.2 11 50.2 11 50.4 10.5 50.2][]",
		"*geom.Point[11 51][]",                 // gml:coord, CRS from the collection's boundedBy
		"*geom.LineString[10.5 50 11 51.25][]", // cs, ts and decimal
	}
	for i, f := range fc.Features {
		if got := flatOf(f.Geometry); got != want[i] {
			t.Errorf("feature %d = %s, want %s", i, got, want[i])
		}
	}
	if got := fc.Features[0].Properties["owner"]; got != "José Müller" {
		t.Errorf("owner = %q, want the ISO-8859-1 text decoded", got)
	}
	if fc.Features[0].ID != "parcel.1" {
		t.Errorf("ID = %q, want the fid", fc.Features[0].ID)
	}
}

// TestParseGMLAxisOrder: which srsNames are latitude first.
func TestParseGMLAxisOrder(t *testing.T) {
	x, y := lonLatToMercator(10, 50)
	tests := []struct {
		srsName    string
		defaultCRS string
		pos        string
	}{
		{"urn:ogc:def:crs:EPSG::4326", "", "50 10"},
		{"urn:ogc:def:crs:EPSG:6.6:4326", "", "50 10"},
		{"urn:x-ogc:def:crs:EPSG:4326", "", "50 10"},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", "", "50 10"},
		{"https://www.opengis.net/def/crs/EPSG/0/4326", "", "50 10"},
		{"urn:ogc:def:crs:EPSG::4258", "", "50 10"},
		{"EPSG:4326", "", "10 50"},
		{"epsg:4326", "", "10 50"},
		{"http://www.opengis.net/gml/srs/epsg.xml#4326", "", "10 50"},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", "", "10 50"},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "", "10 50"},
		{"CRS:84", "", "10 50"},
		{"EPSG:3857", "", fmt.Sprint(x, " ", y)},
		{"urn:ogc:def:crs:EPSG::3857", "", fmt.Sprint(x, " ", y)},
		{"EPSG:900913", "", fmt.Sprint(x, " ", y)},
		{"", "", "10 50"},
		{"", "urn:ogc:def:crs:EPSG::4326", "50 10"},
	}
	for _, tt := range tests {
		srs := ""
		if tt.srsName != "" {
			srs = fmt.Sprintf(` srsName="%s"`, tt.srsName)
		}
		doc := fmt.Sprintf(`<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">
			<wfs:member><a:f xmlns:a="urn:a"><a:g><gml:MultiPoint%s><gml:pointMember><gml:Point><gml:pos>%s</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint></a:g></a:f></wfs:member></wfs:FeatureCollection>`, srs, tt.pos)
		fc, err := ParseGML(strings.NewReader(doc), Options{DefaultCRS: tt.defaultCRS})
		if err != nil {
			t.Errorf("srsName %q: error = %v", tt.srsName, err)
			continue
		}
		p := fc.Features[0].Geometry.FlatCoords()
		if math.Abs(p[0]-10) > 1e-9 || math.Abs(p[1]-50) > 1e-9 {
			t.Errorf("srsName %q (default %q), pos %q = lon/lat %v, want [10 50]", tt.srsName, tt.defaultCRS, tt.pos, p)
		}
	}
	if _, ok := parseCRS("EPSG:25832"); ok {
		t.Error("parseCRS(EPSG:25832) ok, want unsupported")
	}
}

func TestParseGMLUnsupportedGeometry(t *testing.T) {
	doc := `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:a="urn:a">
		<wfs:member><a:f gml:id="1"><a:g><gml:Curve><gml:segments><gml:ArcString><gml:posList>0 0 1 1 2 0</gml:posList></gml:ArcString></gml:segments></gml:Curve></a:g><a:n>arc</a:n></a:f></wfs:member>
		<wfs:member><a:f gml:id="2"><a:g><gml:Polygon><gml:exterior><gml:Ring><gml:curveMember><gml:Curve><gml:segments><gml:Arc><gml:posList>0 0 1 1 2 0</gml:posList></gml:Arc></gml:segments></gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:Polygon></a:g></a:f></wfs:member>
		<wfs:member><a:f gml:id="3"><a:g><gml:Envelope><gml:lowerCorner>0 0</gml:lowerCorner></gml:Envelope></a:g><a:g2><gml:Point><gml:pos>5 6</gml:pos></gml:Point></a:g2></a:f></wfs:member>
		<wfs:member><a:f gml:id="4"><a:g><gml:Point><gml:pos>1 2</gml:pos></gml:Point></a:g><a:g2><gml:Point><gml:pos>7 8</gml:pos></gml:Point></a:g2></a:f></wfs:member>
	</wfs:FeatureCollection>`
	fc, err := ParseGML(strings.NewReader(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fc.Features {
		got = append(got, f.ID+":"+flatOf(f.Geometry))
	}
	want := []string{"1:nil", "2:nil", "3:*geom.Point[5 6][]", "4:*geom.Point[1 2][]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("features = %q, want %q", got, want)
	}
	if fc.Unsupported != 2 {
		t.Errorf("Unsupported = %d, want 2", fc.Unsupported)
	}
	if fc.Features[0].Properties["n"] != "arc" {
		t.Errorf("properties after an unsupported geometry = %#v, want n=arc", fc.Features[0].Properties)
	}
}

// TestParseGMLNested reads a WFS 2.0 answer to two queries: members that
// are feature collections themselves.
func TestParseGMLNested(t *testing.T) {
	doc := `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:a="urn:a" numberMatched="unknown" numberReturned="2">
		<wfs:member><wfs:FeatureCollection><wfs:member><a:f gml:id="1"><a:g><gml:Point><gml:pos>1 2</gml:pos></gml:Point></a:g></a:f></wfs:member></wfs:FeatureCollection></wfs:member>
		<wfs:member><wfs:FeatureCollection><wfs:member><a:f gml:id="2"/></wfs:member></wfs:FeatureCollection></wfs:member>
		<wfs:additionalObjects><wfs:SimpleFeatureCollection/></wfs:additionalObjects>
	</wfs:FeatureCollection>`
	fc, err := ParseGML(strings.NewReader(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 2 || fc.Features[1].ID != "2" || fc.Features[1].Geometry != nil {
		t.Errorf("features = %+v, want two, the second without geometry", fc.Features)
	}
	if fc.NumberMatched != -1 || fc.NumberReturned != 2 {
		t.Errorf("numberMatched, numberReturned = %d, %d, want -1 (unknown), 2", fc.NumberMatched, fc.NumberReturned)
	}
}

func TestParseGMLExceptions(t *testing.T) {
	tests := []struct {
		doc  string
		want ServiceException
	}{
		{`<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
			<ows:Exception exceptionCode="InvalidParameterValue" locator="typeName"><ows:ExceptionText>Feature type  x:y
			unknown</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
			ServiceException{Code: "InvalidParameterValue", Locator: "typeName", Text: "Feature type x:y unknown"}},
		{`<ServiceExceptionReport version="1.2.0"><ServiceException code="InvalidFormat">msWFSGetFeature(): bad format</ServiceException></ServiceExceptionReport>`,
			ServiceException{Code: "InvalidFormat", Text: "msWFSGetFeature(): bad format"}},
		{`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception exceptionCode="NoApplicableCode"/></ows:ExceptionReport>`,
			ServiceException{Code: "NoApplicableCode"}},
	}
	for _, tt := range tests {
		_, err := ParseGML(strings.NewReader(tt.doc), Options{})
		var se *ServiceException
		if !errors.As(err, &se) || *se != tt.want {
			t.Errorf("ParseGML(%.50q) error = %#v, want %#v", tt.doc, err, tt.want)
		}
		if !errors.Is(err, ErrServiceException) {
			t.Errorf("errors.Is(%v, ErrServiceException) = false", err)
		}
	}
}

func TestParseGMLErrors(t *testing.T) {
	wrap := func(geom string) string {
		return `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:a="urn:a"><wfs:member><a:f><a:g>` +
			geom + `</a:g></a:f></wfs:member></wfs:FeatureCollection>`
	}
	deep := wrap(strings.Repeat("<a:x>", 100) + strings.Repeat("</a:x>", 100))
	deepGeom := wrap(strings.Repeat(`<gml:MultiGeometry><gml:geometryMember>`, 40) + strings.Repeat(`</gml:geometryMember></gml:MultiGeometry>`, 40))
	tests := []struct {
		name string
		doc  string
		opt  Options
		want error
	}{
		{"empty", ``, Options{}, ErrNotFeatures},
		{"html", `<html><body>login</body></html>`, Options{}, ErrNotFeatures},
		{"not xml", `{"type":"FeatureCollection"}`, Options{}, ErrNotFeatures},
		{"truncated", `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs"><gml:featureMember>`, Options{}, ErrMalformed},
		{"NaN", wrap(`<gml:Point><gml:pos>NaN 1</gml:pos></gml:Point>`), Options{}, ErrMalformed},
		{"infinity", wrap(`<gml:Point><gml:pos>1e999 1</gml:pos></gml:Point>`), Options{}, ErrMalformed},
		{"text coordinate", wrap(`<gml:LineString><gml:posList>1 2 x 4</gml:posList></gml:LineString>`), Options{}, ErrMalformed},
		{"odd posList", wrap(`<gml:LineString><gml:posList>1 2 3</gml:posList></gml:LineString>`), Options{}, ErrMalformed},
		{"pos with one number", wrap(`<gml:Point><gml:pos>1</gml:pos></gml:Point>`), Options{}, ErrMalformed},
		{"bad dimension", wrap(`<gml:LineString><gml:posList srsDimension="9">1 2 3 4 5 6 7 8 9</gml:posList></gml:LineString>`), Options{}, ErrMalformed},
		{"coordinates tuple", wrap(`<gml:LineString><gml:coordinates>1,2 3</gml:coordinates></gml:LineString>`), Options{}, ErrMalformed},
		{"coord without Y", wrap(`<gml:Point><gml:coord><gml:X>1</gml:X></gml:coord></gml:Point>`), Options{}, ErrMalformed},
		{"unknown CRS", wrap(`<gml:Point srsName="EPSG:25832"><gml:pos>500000 5500000</gml:pos></gml:Point>`), Options{}, ErrUnsupportedCRS},
		{"unknown default CRS", wrap(`<gml:Point><gml:pos>1 2</gml:pos></gml:Point>`), Options{DefaultCRS: "EPSG:2056"}, ErrUnsupportedCRS},
		{"deep elements", deep, Options{}, ErrLimit},
		{"deep geometry", deepGeom, Options{}, ErrLimit},
		{"coordinates", wrap(`<gml:LineString><gml:posList>` + strings.Repeat("1 2 ", 101) + `</gml:posList></gml:LineString>`), Options{MaxCoordinates: 100}, ErrLimit},
		{"features", `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs">` + strings.Repeat(`<gml:featureMember xmlns:gml="http://www.opengis.net/gml"><a:f xmlns:a="urn:a"/></gml:featureMember>`, 11) + `</wfs:FeatureCollection>`, Options{MaxFeatures: 10}, ErrLimit},
		{"bytes", wrap(`<gml:LineString><gml:posList>` + strings.Repeat("1 2 ", 1000) + `</gml:posList></gml:LineString>`), Options{MaxBytes: 1000}, ErrLimit},
		{"point in a line's point property", wrap(`<gml:LineString><gml:pointProperty><gml:LineString><gml:posList>1 2 3 4</gml:posList></gml:LineString></gml:pointProperty></gml:LineString>`), Options{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGML(strings.NewReader(tt.doc), tt.opt)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseGML(%.60q) error = %v, want %v", tt.doc, err, tt.want)
			}
		})
	}
}

// TestParseGMLEntities: a DTD's entities are never expanded, so an entity
// bomb stays small text.
func TestParseGMLEntities(t *testing.T) {
	doc := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
		<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml">
		<gml:featureMember><a:f xmlns:a="urn:a"><a:n>&lol2;&nbsp;&amp;</a:n></a:f></gml:featureMember></wfs:FeatureCollection>`
	fc, err := ParseGML(strings.NewReader(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fc.Features[0].Properties["n"].(string); len(got) > 20 {
		t.Errorf("n = %q: entities expanded", got)
	}
}

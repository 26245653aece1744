package wms

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mapvault/layers"
)

func TestPickInfoFormat(t *testing.T) {
	tests := []struct {
		formats []string
		want    string
	}{
		{nil, ""},
		{[]string{"image/png", "application/octet-stream"}, ""},
		{[]string{"text/plain", "text/html", "application/vnd.ogc.gml", "application/json"}, "application/json"},
		{[]string{"text/plain", "Application/JSON; subtype=geojson"}, "Application/JSON; subtype=geojson"},
		{[]string{"application/vnd.geo+json", "application/geojson", "application/geo+json"}, "application/geo+json"},
		{[]string{"application/vnd.geo+json", "text/xml"}, "application/vnd.geo+json"},
		{[]string{"text/xml", "text/xml; subtype=gml/3.1.1", "application/vnd.ogc.gml", "application/vnd.ogc.gml/3.1.1"}, "application/vnd.ogc.gml/3.1.1"},
		{[]string{"text/xml", "text/xml; subtype=gml/3.1.1", "application/vnd.ogc.gml"}, "application/vnd.ogc.gml"},
		{[]string{"text/xml", "text/xml; subtype=gml/3.1.1", "text/html"}, "text/xml; subtype=gml/3.1.1"},
		{[]string{"text/plain", "application/gml+xml; version=3.2", "text/xml"}, "application/gml+xml; version=3.2"},
		{[]string{"text/html", "text/plain", "TEXT/XML"}, "TEXT/XML"},
		// ArcGIS
		{[]string{"application/vnd.esri.wms_raw_xml", "application/vnd.esri.wms_featureinfo_xml", "application/vnd.ogc.wms_xml", "text/xml", "text/html", "text/plain"}, "text/xml"},
		{[]string{"text/html", "application/vnd.esri.wms_featureinfo_xml", "text/plain"}, "application/vnd.esri.wms_featureinfo_xml"},
		{[]string{"text/html", "text/plain; charset=utf-8"}, "text/plain; charset=utf-8"},
		{[]string{"image/png", "text/html"}, "text/html"},
		{[]string{" text/plain "}, "text/plain"},
	}
	for _, tt := range tests {
		if got := PickInfoFormat(tt.formats); got != tt.want {
			t.Errorf("PickInfoFormat(%q) = %q, want %q", tt.formats, got, tt.want)
		}
	}
}

func TestInfoRequestURL(t *testing.T) {
	base := InfoRequest{
		URL:         "https://maps.example.org/cgi-bin/mapserv?map=/srv/ci.map&SERVICE=WMS&request=GetMap&i=3#top",
		Layers:      []string{"countries"},
		QueryLayers: []string{"countries"},
		CRS:         "EPSG:4326",
		MinX:        2, MinY: 49, MaxX: 7, MaxY: 52.5,
		Width: 256, Height: 200, I: 100, J: 50,
		InfoFormat: "application/vnd.ogc.gml",
	}
	v111 := base
	v111.Version = "1.1.1"
	merc := InfoRequest{
		URL:         "http://user:secret@h.example/geoserver/ows?authkey=&Format=image/jpeg",
		Version:     "1.3.0",
		Layers:      []string{"topp:states", "roads & rails"},
		Styles:      []string{"", "dark/blue"},
		QueryLayers: []string{"roads & rails"},
		CRS:         "EPSG:3857",
		MinX:        -20037508.342789244, MinY: -0.5, MaxX: 0, MaxY: 1e6,
		Width: 512, Height: 512, I: 0, J: 511,
		InfoFormat:   "text/xml; subtype=gml/3.1.1",
		FeatureCount: 5,
	}
	defaults := InfoRequest{URL: "https://h.example/wms", QueryLayers: []string{"a"}, MinX: 0, MinY: 0, MaxX: 1, MaxY: 1, Width: 1, Height: 1}
	tests := []struct {
		name string
		r    InfoRequest
		want string
	}{
		{"1.3.0 EPSG:4326 lat/lon", base, "https://maps.example.org/cgi-bin/mapserv?map=/srv/ci.map&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=countries&STYLES=&CRS=EPSG:4326&BBOX=49,2,52.5,7&WIDTH=256&HEIGHT=200&FORMAT=image/png&QUERY_LAYERS=countries&INFO_FORMAT=application/vnd.ogc.gml&FEATURE_COUNT=10&I=100&J=50&EXCEPTIONS=XML"},
		{"1.1.1 EPSG:4326 lon/lat", v111, "https://maps.example.org/cgi-bin/mapserv?map=/srv/ci.map&SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=countries&STYLES=&SRS=EPSG:4326&BBOX=2,49,7,52.5&WIDTH=256&HEIGHT=200&FORMAT=image/png&QUERY_LAYERS=countries&INFO_FORMAT=application/vnd.ogc.gml&FEATURE_COUNT=10&X=100&Y=50&EXCEPTIONS=application/vnd.ogc.se_xml"},
		{"1.3.0 EPSG:3857, escaping, userinfo dropped", merc, "http://h.example/geoserver/ows?authkey=&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=topp:states,roads+%26+rails&STYLES=,dark/blue&CRS=EPSG:3857&BBOX=-20037508.342789244,-0.5,0,1000000&WIDTH=512&HEIGHT=512&FORMAT=image/png&QUERY_LAYERS=roads+%26+rails&INFO_FORMAT=text/xml%3B+subtype%3Dgml/3.1.1&FEATURE_COUNT=5&I=0&J=511&EXCEPTIONS=XML"},
		{"defaults", defaults, "https://h.example/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=a&STYLES=&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png&QUERY_LAYERS=a&INFO_FORMAT=text/plain&FEATURE_COUNT=10&I=0&J=0&EXCEPTIONS=XML"},
	}
	for _, tt := range tests {
		got, err := tt.r.RequestURL()
		if err != nil {
			t.Errorf("%s: RequestURL error: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		// Building again from the result gives the same URL.
		again := tt.r
		again.URL = got
		if got2, _ := again.RequestURL(); got2 != got {
			t.Errorf("%s: not stable:\n got %s\nwant %s", tt.name, got2, got)
		}
	}
}

func TestInfoRequestURLErrors(t *testing.T) {
	ok := InfoRequest{URL: "https://h.example/wms", QueryLayers: []string{"a"}, MaxX: 1, MaxY: 1, Width: 10, Height: 10}
	if _, err := ok.RequestURL(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	for name, change := range map[string]func(*InfoRequest){
		"relative URL":     func(r *InfoRequest) { r.URL = "h.example/wms" },
		"ftp URL":          func(r *InfoRequest) { r.URL = "ftp://h.example/wms" },
		"no query layer":   func(r *InfoRequest) { r.QueryLayers = nil },
		"bad version":      func(r *InfoRequest) { r.Version = "2.0" },
		"empty bbox":       func(r *InfoRequest) { r.MaxX = 0 },
		"NaN bbox":         func(r *InfoRequest) { r.MinY = r.MaxY * 0 / r.MinX },
		"zero width":       func(r *InfoRequest) { r.Width = 0 },
		"I outside":        func(r *InfoRequest) { r.I = 10 },
		"J negative":       func(r *InfoRequest) { r.J = -1 },
		"inverted bbox":    func(r *InfoRequest) { r.MinY = 2 },
		"no height at all": func(r *InfoRequest) { r.Height = -5 },
	} {
		r := ok
		change(&r)
		got, err := r.RequestURL()
		if !errors.Is(err, ErrBadInfoRequest) || got != "" {
			t.Errorf("%s: RequestURL = %q, %v; want ErrBadInfoRequest", name, got, err)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "featureinfo", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func feat(layer, id string, kv ...any) InfoFeature {
	f := InfoFeature{Layer: layer, ID: id}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Attributes = append(f.Attributes, Attribute{Name: kv[i].(string), Value: kv[i+1]})
	}
	return f
}

// infoCase is one GetFeatureInfo answer and what ParseFeatureInfo makes
// of it. The bodies are shared with FuzzParseFeatureInfo as seeds.
type infoCase struct {
	name  string
	ctype string
	body  string
	query []string
	want  []InfoFeature
	errIs error // the error expected, nil for none
	errAs bool  // an *InfoError expected
}

func infoCases(t testing.TB) []infoCase {
	belgium := []InfoFeature{feat("countries", "129", "id", "056", "name", "Belgium")}
	belgiumGML := []InfoFeature{feat("countries", "", "id", "056", "name", "Belgium")}
	return []infoCase{
		// The project's CI MapServer, layer countries.
		{name: "mapserver text", ctype: "text/plain", body: string(readFixture(t, "mapserver-countries.txt")), query: []string{"countries"}, want: belgium},
		{name: "mapserver gml", ctype: "application/vnd.ogc.gml", body: string(readFixture(t, "mapserver-countries.gml")), query: []string{"countries"}, want: belgiumGML},
		{name: "mapserver gml, two query layers", ctype: "application/vnd.ogc.gml", body: string(readFixture(t, "mapserver-countries.gml")), query: []string{"countries", "rivers"}, want: belgiumGML},
		{name: "mapserver text, vague type", ctype: "", body: string(readFixture(t, "mapserver-countries.txt")), want: belgium},
		{name: "mapserver gml, type text/xml", ctype: "text/xml; charset=UTF-8", body: string(readFixture(t, "mapserver-countries.gml")), want: belgiumGML},
		{name: "mapserver text empty", ctype: "text/plain", body: "GetFeatureInfo results:\n\n  Search returned no results.\n", query: []string{"countries"}},
		{name: "mapserver gml empty", ctype: "application/vnd.ogc.gml", body: `<?xml version="1.0" encoding="UTF-8"?>
<msGMLOutput xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
</msGMLOutput>`, query: []string{"countries"}},
		{name: "mapserver text two layers, unquoted and odd values", ctype: "text/plain; charset=ISO-8859-1", body: "GetFeatureInfo results:\r\n\r\nLayer 'cities'\r\n  Feature 7: \r\n    name = 'Li\xe8ge'\r\n    note = ' it''s '\r\n    pop = 195000\r\n    empty = ''\r\nLayer 'dem'\r\n  Feature 0: \r\n    value_0 = '312'\r\n",
			want: []InfoFeature{
				feat("cities", "7", "name", "Liège", "note", " it''s ", "pop", "195000", "empty", ""),
				feat("dem", "0", "value_0", "312"),
			}},
		{name: "mapserver gml with fid and geometry", ctype: "application/vnd.ogc.gml", body: `<?xml version="1.0" encoding="ISO-8859-1"?>
<msGMLOutput xmlns:gml="http://www.opengis.net/gml">
<roads_layer><gml:name>Roads</gml:name>
<roads_feature fid="roads.12">
<gml:boundedBy><gml:Box srsName="EPSG:3857"><gml:coordinates>0,0 1,1</gml:coordinates></gml:Box></gml:boundedBy>
<msGeometry><gml:LineString><gml:coordinates>0,0 1,1</gml:coordinates></gml:LineString></msGeometry>
<ref>N 4</ref><label>Rue de l'&#201;glise &amp; co</label><lanes/>
</roads_feature>
<roads_feature fid="roads.13"><ref>N 5</ref></roads_feature>
</roads_layer>
</msGMLOutput>`, query: []string{"roads"}, want: []InfoFeature{
			feat("roads", "roads.12", "ref", "N 4", "label", "Rue de l'Église & co", "lanes", ""),
			feat("roads", "roads.13", "ref", "N 5"),
		}},

		// GeoServer
		{name: "geoserver geojson", ctype: "application/json;charset=UTF-8", query: []string{"topp:states", "topp:roads"}, body: `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"states.13","geometry":{"type":"MultiPolygon","coordinates":[[[[-88.07,37.51],[-88.09,37.47],[-88.07,37.51]]]]},"geometry_name":"the_geom",
  "properties":{"STATE_NAME":"Illinois","STATE_FIPS":"17","SAMP_POP":1747776,"LAND_KM":143986.61,"MALE":5552233.0,"ACTIVE":true,"NOTE":null,"TAGS":["a", "b"],"META":{"k": 1 }}},
 {"type":"Feature","id":"roads.2","geometry":null,"properties":{"zeta":"z","alpha":"a"}}
],"totalFeatures":"unknown","numberReturned":2,"timeStamp":"2026-11-30T10:00:00.000Z","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}}}`,
			want: []InfoFeature{
				feat("topp:states", "states.13", "STATE_NAME", "Illinois", "STATE_FIPS", "17", "SAMP_POP", json.Number("1747776"), "LAND_KM", json.Number("143986.61"), "MALE", json.Number("5552233.0"), "ACTIVE", true, "NOTE", nil, "TAGS", json.RawMessage(`["a","b"]`), "META", json.RawMessage(`{"k":1}`)),
				feat("topp:roads", "roads.2", "zeta", "z", "alpha", "a"),
			}},
		{name: "geoserver geojson empty", ctype: "application/json", body: `{"type":"FeatureCollection","features":[],"totalFeatures":"unknown","numberReturned":0,"timeStamp":"2026-11-30T10:00:00.000Z","crs":null}`, query: []string{"topp:states"}},
		{name: "geoserver gml2", ctype: "application/vnd.ogc.gml", query: []string{"topp:states"}, body: `<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection xmlns="http://www.opengis.net/wfs" xmlns:wfs="http://www.opengis.net/wfs" xmlns:topp="http://www.openplans.org/topp" xmlns:gml="http://www.opengis.net/gml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openplans.org/topp http://localhost:8080/geoserver/wfs?service=WFS&amp;version=1.0.0&amp;request=DescribeFeatureType&amp;typeName=topp%3Astates http://www.opengis.net/wfs http://localhost:8080/geoserver/schemas/wfs/1.0.0/WFS-basic.xsd"><gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy><gml:featureMember><topp:states fid="states.13"><topp:the_geom><gml:MultiPolygon srsName="http://www.opengis.net/gml/srs/epsg.xml#4326"><gml:polygonMember><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates xmlns:gml="http://www.opengis.net/gml" decimal="." cs="," ts=" ">-88.07,37.51 -88.09,37.47 -88.07,37.51</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></gml:polygonMember></gml:MultiPolygon></topp:the_geom><topp:STATE_NAME>Illinois</topp:STATE_NAME><topp:STATE_FIPS>17</topp:STATE_FIPS><topp:SUB_REGION>E N Cen</topp:SUB_REGION></topp:states></gml:featureMember></wfs:FeatureCollection>`,
			want: []InfoFeature{feat("topp:states", "states.13", "STATE_NAME", "Illinois", "STATE_FIPS", "17", "SUB_REGION", "E N Cen")}},
		{name: "geoserver gml3", ctype: "application/vnd.ogc.gml/3.1.1", query: []string{"states", "tiger:poi"}, body: `<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wfs="http://www.opengis.net/wfs" xmlns:topp="http://www.openplans.org/topp" xmlns:gml="http://www.opengis.net/gml" xmlns:tiger="http://www.census.gov"><gml:featureMembers><topp:states gml:id="states.13"><gml:boundedBy><gml:Envelope srsDimension="2" srsName="urn:x-ogc:def:crs:EPSG:4326"><gml:lowerCorner>36.9 -91.5</gml:lowerCorner><gml:upperCorner>42.5 -87.5</gml:upperCorner></gml:Envelope></gml:boundedBy><topp:the_geom><gml:MultiSurface srsName="urn:x-ogc:def:crs:EPSG:4326"><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>37.51 -88.07 37.47 -88.09 37.51 -88.07</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></topp:the_geom><topp:STATE_NAME>Illinois</topp:STATE_NAME></topp:states><tiger:poi gml:id="poi.1"><tiger:NAME>museam</tiger:NAME></tiger:poi></gml:featureMembers></wfs:FeatureCollection>`,
			want: []InfoFeature{feat("states", "states.13", "STATE_NAME", "Illinois"), feat("tiger:poi", "poi.1", "NAME", "museam")}},
		{name: "geoserver gml empty", ctype: "application/vnd.ogc.gml", query: []string{"topp:states"}, body: `<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection xmlns="http://www.opengis.net/wfs" xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml"><gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy></wfs:FeatureCollection>`},
		{name: "geoserver text", ctype: "text/plain", query: []string{"topp:states"}, body: "Results for FeatureType 'http://www.openplans.org/topp:states':\n--------------------------------------------\nthe_geom = [GEOMETRY (MultiPolygon) with 433 points]\nSTATE_NAME = Illinois\nSTATE_FIPS = 17\nSAMP_POP = 1747776.0\n--------------------------------------------\nSTATE_NAME = Indiana\nSTATE_FIPS = 18\nEMPTY = \n--------------------------------------------\n",
			want: []InfoFeature{
				feat("topp:states", "", "STATE_NAME", "Illinois", "STATE_FIPS", "17", "SAMP_POP", "1747776.0"),
				feat("topp:states", "", "STATE_NAME", "Indiana", "STATE_FIPS", "18", "EMPTY", ""),
			}},
		{name: "geoserver text, raster, unknown type", ctype: "text/plain;charset=utf-8", query: []string{"a", "b"}, body: "Results for FeatureType 'sf:sfdem':\n--------------------------------------------\nGRAY_INDEX = 1234.5\n--------------------------------------------\n",
			want: []InfoFeature{feat("sf:sfdem", "", "GRAY_INDEX", "1234.5")}},
		{name: "geoserver text empty", ctype: "text/plain", body: "no features were found\n", query: []string{"topp:states"}},
		{name: "geoserver html", ctype: "text/html;charset=utf-8", query: []string{"topp:states"}, body: `<html>
  <head>
    <title>Geoserver GetFeatureInfo output</title>
  </head>
  <style type="text/css">
	table.featureInfo, table.featureInfo td, table.featureInfo th { border:1px solid #ddd; }
  </style>
  <body>
<table class="featureInfo">
  <caption class="featureInfo">states</caption>
  <tr>
  <th>fid</th>
    <th >STATE_NAME</th>
    <th >STATE_FIPS</th>
  </tr>
    <tr>
  <td>states.13</td>
      <td>Illinois</td>
      <td>17</td>
  </tr>
</table>
<br/>
<script>alert("<b>x</b>")</script><!-- <p>hidden</p> -->
<p>A &amp; B&nbsp;&lt;c&gt;</p>
  </body>
</html>`, want: []InfoFeature{feat("topp:states", "", "text", "states\nfid | STATE_NAME | STATE_FIPS\nstates.13 | Illinois | 17\nA & B <c>")}},
		{name: "geoserver html empty", ctype: "text/html", body: "<html><head><title>Geoserver GetFeatureInfo output</title></head><body>\n</body></html>", query: []string{"topp:states"}},

		// ESRI ArcGIS Server
		{name: "esri fields", ctype: "text/xml", query: []string{"0"}, body: `<?xml version="1.0" encoding="UTF-8"?>
<FeatureInfoResponse xmlns:esri_wms="http://www.esri.com/wms" xmlns="http://www.esri.com/wms">
<FIELDS OBJECTID="3" Shape="Polygon" NAME="Lane County" FIPS="41039" POP2010="351715"></FIELDS>
<FIELDS OBJECTID="7" Shape="Polygon" NAME="Linn &amp; Co" FIPS="41043" POP2010=""></FIELDS>
</FeatureInfoResponse>`, want: []InfoFeature{
			feat("0", "", "OBJECTID", "3", "Shape", "Polygon", "NAME", "Lane County", "FIPS", "41039", "POP2010", "351715"),
			feat("0", "", "OBJECTID", "7", "Shape", "Polygon", "NAME", "Linn & Co", "FIPS", "41043", "POP2010", ""),
		}},
		{name: "esri featureinfo xml", ctype: "application/vnd.esri.wms_featureinfo_xml", query: []string{"0", "1"}, body: `<?xml version="1.0" encoding="UTF-8"?>
<esri_wms:FeatureInfoResponse xmlns:esri_wms="http://www.esri.com/wms" xmlns="http://www.esri.com/wms">
<esri_wms:FeatureInfoCollection layername="Counties">
<esri_wms:FeatureInfo>
<esri_wms:Field><esri_wms:FieldName>OBJECTID</esri_wms:FieldName><esri_wms:FieldValue>3</esri_wms:FieldValue></esri_wms:Field>
<esri_wms:Field><esri_wms:FieldName>NAME</esri_wms:FieldName><esri_wms:FieldValue>Lane County</esri_wms:FieldValue></esri_wms:Field>
</esri_wms:FeatureInfo>
</esri_wms:FeatureInfoCollection>
<esri_wms:FeatureInfoCollection layername="Roads"></esri_wms:FeatureInfoCollection>
</esri_wms:FeatureInfoResponse>`, want: []InfoFeature{feat("Counties", "", "OBJECTID", "3", "NAME", "Lane County")}},
		{name: "esri empty", ctype: "text/xml", query: []string{"0"}, body: `<?xml version="1.0" encoding="UTF-8"?><FeatureInfoResponse xmlns:esri_wms="http://www.esri.com/wms" xmlns="http://www.esri.com/wms"></FeatureInfoResponse>`},

		// QGIS Server
		{name: "qgis xml", ctype: "text/xml; charset=utf-8", query: []string{"countries", "dem"}, body: `<GetFeatureInfoResponse>
 <Layer name="countries">
  <Feature id="56">
   <Attribute name="id" value="056"/>
   <Attribute name="name" value="Belgium"/>
   <BoundingBox CRS="EPSG:4326" minx="2.5" miny="49.5" maxx="6.2" maxy="51.5"/>
  </Feature>
 </Layer>
 <Layer name="dem">
  <Attribute name="Band 1" value="312"/>
 </Layer>
 <Layer name="rivers"/>
</GetFeatureInfoResponse>`, want: []InfoFeature{feat("countries", "56", "id", "056", "name", "Belgium"), feat("dem", "", "Band 1", "312")}},
		{name: "qgis geojson", ctype: "application/geo+json; charset=utf-8", query: []string{"countries"}, body: `{"features": [{"geometry": null, "id": "countries.56", "properties": {"id": "056", "name": "Belgium", "area": 30528}, "type": "Feature"}], "type": "FeatureCollection"}`,
			want: []InfoFeature{feat("countries", "countries.56", "id", "056", "name", "Belgium", "area", json.Number("30528"))}},
		{name: "qgis gml", ctype: "application/vnd.ogc.gml", query: []string{"countries"}, body: `<?xml version="1.0" encoding="utf-8"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" xmlns:ows="http://www.opengis.net/ows" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:qgs="http://qgis.org/gml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <gml:boundedBy><gml:Box srsName="EPSG:4326"><gml:coordinates cs="," ts=" ">2.5,49.5 6.2,51.5</gml:coordinates></gml:Box></gml:boundedBy>
 <gml:featureMember>
  <qgs:countries fid="countries.56">
   <gml:boundedBy><gml:Box srsName="EPSG:4326"><gml:coordinates cs="," ts=" ">2.5,49.5 6.2,51.5</gml:coordinates></gml:Box></gml:boundedBy>
   <qgs:id>056</qgs:id>
   <qgs:name>Belgium</qgs:name>
  </qgs:countries>
 </gml:featureMember>
</wfs:FeatureCollection>`, want: []InfoFeature{feat("countries", "countries.56", "id", "056", "name", "Belgium")}},

		// Other JSON shapes.
		{name: "single feature with foreign layer", ctype: "application/json", query: []string{"a", "b"}, body: `{"type":"Feature","id":7,"layerName":"b","properties":{"x":1.5e3}}`,
			want: []InfoFeature{feat("b", "7", "x", json.Number("1.5e3"))}},
		{name: "datacube json", ctype: "application/json", query: []string{"ls8"}, body: `{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"lat": -35.1, "lon": 149.2, "time": "2026-01-01", "bands": {"red": 412}}}]}`,
			want: []InfoFeature{feat("ls8", "", "lat", json.Number("-35.1"), "lon", json.Number("149.2"), "time", "2026-01-01", "bands", json.RawMessage(`{"red":412}`))}},
		{name: "json duplicates and escapes keep order", ctype: "application/json", body: `{"features":[{"properties":{"b":"\u00e9\n","a":"1","b":"2"}}]}`,
			want: []InfoFeature{feat("", "", "b", "é\n", "a", "1", "b", "2")}},
		{name: "json sniffed under text/plain", ctype: "text/plain", query: []string{"x"}, body: ` {"type":"FeatureCollection","features":[{"type":"Feature","id":"x.1","properties":{"k":"v"}}]}`,
			want: []InfoFeature{feat("x", "x.1", "k", "v")}},
		{name: "malformed json", ctype: "application/json", body: `{"type":"FeatureCollection","features":[{"type":`, errIs: ErrMalformedInfo},

		// Plain text and exceptions.
		{name: "other text", ctype: "text/plain", query: []string{"x"}, body: "\n  Value at point: 12.5 m  \n\n", want: []InfoFeature{feat("x", "", "text", "Value at point: 12.5 m")}},
		{name: "empty body", ctype: "text/plain", body: " \n"},
		{name: "exception 1.3.0", ctype: "text/xml", query: []string{"x"}, errAs: true, body: `<?xml version="1.0" encoding="UTF-8"?>
<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="LayerNotQueryable">Layer 'x' is not queryable` + "\u0085\u009b[31m" + `</ServiceException></ServiceExceptionReport>`},
		{name: "exception under text/html", ctype: "text/html", errAs: true, body: `<ServiceExceptionReport version="1.1.1"><ServiceException>` + strings.Repeat("long text ", 100) + `</ServiceException></ServiceExceptionReport>`},
		{name: "malformed xml", ctype: "application/vnd.ogc.gml", body: `<msGMLOutput><a_layer><a_feature><x>1`, errIs: ErrMalformedInfo},
		{name: "truncated gml under text/plain falls back to text", ctype: "text/plain", body: `<wfs:FeatureCollection><gml:featureMember><a>1`, want: []InfoFeature{feat("", "", "text", "1")}},
		{name: "too deep", ctype: "text/xml", body: strings.Repeat("<a>", MaxInfoDepth+1) + strings.Repeat("</a>", MaxInfoDepth+1), errIs: ErrInfoTooDeep},
		{name: "not too deep", ctype: "text/xml", body: strings.Repeat("<a>", MaxInfoDepth) + "deep" + strings.Repeat("</a>", MaxInfoDepth), want: []InfoFeature{feat("", "", "text", "deep")}},
		{name: "xhtml", ctype: "text/xml", body: `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>one</p><p>two</p></body></html>`,
			want: []InfoFeature{feat("", "", "text", "one\ntwo")}},
	}
}

func TestParseFeatureInfo(t *testing.T) {
	for _, tt := range infoCases(t) {
		got, err := ParseFeatureInfo(tt.ctype, []byte(tt.body), tt.query)
		switch {
		case tt.errAs:
			var ie *InfoError
			if !errors.As(err, &ie) {
				t.Errorf("%s: error = %v, want an *InfoError", tt.name, err)
				continue
			}
			var se *layers.ServiceException
			if !errors.As(err, &se) {
				t.Errorf("%s: %v does not unwrap to a *layers.ServiceException", tt.name, err)
			}
			if n := len([]rune(ie.Code + ie.Message)); n > maxInfoErrorText {
				t.Errorf("%s: error text is %d characters", tt.name, n)
			}
			if strings.ContainsAny(ie.Message, "\x00\u0085\u009b\n\t") {
				t.Errorf("%s: error message %q has control characters", tt.name, ie.Message)
			}
		case tt.errIs != nil:
			if !errors.Is(err, tt.errIs) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.errIs)
			}
		case err != nil:
			t.Errorf("%s: error: %v", tt.name, err)
		case !reflect.DeepEqual(got, tt.want):
			t.Errorf("%s:\n got %#v\nwant %#v", tt.name, got, tt.want)
		}
	}
}

func TestParseFeatureInfoExceptionText(t *testing.T) {
	_, err := ParseFeatureInfo("application/vnd.ogc.se_xml", []byte(`<ServiceExceptionReport><ServiceException code="InvalidPoint">I out of range`+"\x7f"+`</ServiceException></ServiceExceptionReport>`), nil)
	var ie *InfoError
	if !errors.As(err, &ie) || ie.Code != "InvalidPoint" || ie.Message != "I out of range" {
		t.Fatalf("error = %#v", err)
	}
	if got, want := err.Error(), "wms: GetFeatureInfo service exception InvalidPoint: I out of range"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseFeatureInfoLimits(t *testing.T) {
	if _, err := ParseFeatureInfo("text/plain", make([]byte, MaxInfoSize+1), nil); !errors.Is(err, ErrInfoTooLarge) {
		t.Errorf("oversized body: error = %v, want ErrInfoTooLarge", err)
	}

	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range MaxInfoFeatures + 50 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"Feature","properties":{"a":1}}`)
	}
	b.WriteString(`]}`)
	got, err := ParseFeatureInfo("application/json", []byte(b.String()), nil)
	if err != nil || len(got) != MaxInfoFeatures {
		t.Errorf("%d JSON features: got %d, %v; want %d", MaxInfoFeatures+50, len(got), err, MaxInfoFeatures)
	}

	b.Reset()
	b.WriteString("<msGMLOutput><x_layer><x_feature>")
	for range MaxInfoAttributes + 20 {
		b.WriteString("<a>1</a>")
	}
	b.WriteString("</x_feature>")
	for range MaxInfoFeatures + 20 {
		b.WriteString("<x_feature><a>1</a></x_feature>")
	}
	b.WriteString("</x_layer></msGMLOutput>")
	got, err = ParseFeatureInfo("application/vnd.ogc.gml", []byte(b.String()), nil)
	if err != nil || len(got) != MaxInfoFeatures || len(got[0].Attributes) != MaxInfoAttributes {
		t.Errorf("GML caps: got %d features, %v", len(got), err)
	}

	b.Reset()
	b.WriteString("GetFeatureInfo results:\n\nLayer 'x'\n")
	for range MaxInfoFeatures + 20 {
		b.WriteString("  Feature 1: \n    a = '1'\n")
	}
	got, err = ParseFeatureInfo("text/plain", []byte(b.String()), nil)
	if err != nil || len(got) != MaxInfoFeatures {
		t.Errorf("text caps: got %d features, %v", len(got), err)
	}
}

func FuzzParseFeatureInfo(f *testing.F) {
	for _, tt := range infoCases(f) {
		f.Add(tt.ctype, []byte(tt.body), strings.Join(tt.query, ","))
	}
	f.Fuzz(func(t *testing.T, ctype string, body []byte, query string) {
		var q []string
		if query != "" {
			q = strings.Split(query, ",")
		}
		got, err := ParseFeatureInfo(ctype, body, q)
		if err != nil && got != nil {
			t.Fatalf("features %v with error %v", got, err)
		}
		if len(got) > MaxInfoFeatures {
			t.Fatalf("%d features", len(got))
		}
		for _, f := range got {
			if len(f.Attributes) > MaxInfoAttributes {
				t.Fatalf("%d attributes", len(f.Attributes))
			}
		}
		var ie *InfoError
		if errors.As(err, &ie) {
			if n := len([]rune(ie.Code + ie.Message)); n > maxInfoErrorText {
				t.Fatalf("error text of %d characters", n)
			}
			for _, r := range ie.Code + ie.Message {
				if r < 0x20 || r == 0x7f {
					t.Fatalf("control character in %q", ie.Error())
				}
			}
		}
	})
}

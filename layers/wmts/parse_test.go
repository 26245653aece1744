package wmts

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestParseService(t *testing.T) {
	op := func(name, gets string) string {
		return `<ows:Operation name="` + name + `"><ows:DCP><ows:HTTP>` + gets + `</ows:HTTP></ows:DCP></ows:Operation>`
	}
	get := func(href, enc string) string {
		if enc == "" {
			return `<ows:Get xlink:href="` + href + `"/>`
		}
		return `<ows:Get xlink:href="` + href + `"><ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>` + enc + `</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get>`
	}
	tests := []struct {
		name      string
		body      string
		kvp, rest []string
	}{
		{"kvp constraint", `<ows:OperationsMetadata>` + op("GetCapabilities", get("http://a/caps?", "KVP")) + op("GetTile", get("http://a/tile?", "KVP")) + `</ows:OperationsMetadata>`,
			[]string{"http://a/tile?"}, nil},
		{"rest constraint", `<ows:OperationsMetadata>` + op("GetTile", get("http://a/rest/", "RESTful")) + `</ows:OperationsMetadata>`,
			nil, []string{"http://a/rest/"}},
		{"both, two gets", `<ows:OperationsMetadata>` + op("GetTile", get("http://a/kvp?", "KVP")+get("http://a/rest/", "REST")+get("http://a/soap", "SOAP")) + `</ows:OperationsMetadata>`,
			[]string{"http://a/kvp?"}, []string{"http://a/rest/"}},
		{"no constraint is KVP", `<ows:OperationsMetadata>` + op("GetTile", get("http://a/t?map=x&amp;", "")) + `</ows:OperationsMetadata>`,
			[]string{"http://a/t?map=x&"}, nil},
		{"operation-level constraint", `<ows:OperationsMetadata><ows:Operation name="GetTile"><ows:DCP><ows:HTTP>` + get("http://a/r/", "") +
			`</ows:HTTP></ows:DCP><ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>RESTful</ows:Value></ows:AllowedValues></ows:Constraint></ows:Operation></ows:OperationsMetadata>`,
			nil, []string{"http://a/r/"}},
		{"duplicates dropped", `<ows:OperationsMetadata>` + op("GetTile", get("http://a/t?", "KVP")+get("http://a/t?", "KVP")) + `</ows:OperationsMetadata>`,
			[]string{"http://a/t?"}, nil},
		{"no operations", ``, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, capsDoc(`<ows:ServiceIdentification><ows:Title xml:lang="de">Kacheln</ows:Title><ows:Title>Tiles</ows:Title><ows:Abstract>About</ows:Abstract></ows:ServiceIdentification>`+tt.body+
				`<ServiceMetadataURL xlink:href="http://a/1.0.0/WMTSCapabilities.xml"/>`))
			if c.Title != "Kacheln" || c.Abstract != "About" || c.Version != "1.0.0" {
				t.Errorf("title, abstract, version = %q, %q, %q, want Kacheln, About, 1.0.0", c.Title, c.Abstract, c.Version)
			}
			if !reflect.DeepEqual(c.GetTileKVP, tt.kvp) || !reflect.DeepEqual(c.GetTileREST, tt.rest) {
				t.Errorf("GetTile KVP, REST = %q, %q, want %q, %q", c.GetTileKVP, c.GetTileREST, tt.kvp, tt.rest)
			}
			if c.ServiceMetadataURL != "http://a/1.0.0/WMTSCapabilities.xml" {
				t.Errorf("ServiceMetadataURL = %q", c.ServiceMetadataURL)
			}
		})
	}
}

func TestParseLayer(t *testing.T) {
	const link = `<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet></TileMatrixSetLink>`
	const head = `<ows:Identifier>l</ows:Identifier>`
	base := func() Layer {
		return Layer{Identifier: "l", MatrixSetLinks: []TileMatrixSetLink{{MatrixSet: "google"}}}
	}
	with := func(f func(*Layer)) Layer { l := base(); f(&l); return l }
	box := func(crs string) string {
		return `<ows:BoundingBox crs="` + crs + `"><ows:LowerCorner>%s</ows:LowerCorner><ows:UpperCorner>%s</ows:UpperCorner></ows:BoundingBox>`
	}
	bbox := func(crs, lower, upper string) string {
		return strings.Replace(strings.Replace(box(crs), "%s", lower, 1), "%s", upper, 1)
	}
	tests := []struct {
		name  string
		layer string
		want  Layer
	}{
		{"minimal", head + link, base()},
		{"title abstract, first language wins", head + `<ows:Title>Roads</ows:Title><ows:Title xml:lang="fr">Routes</ows:Title><ows:Abstract> All roads </ows:Abstract>` + link,
			with(func(l *Layer) { l.Title, l.Abstract = "Roads", "All roads" })},
		{"WGS84BoundingBox lon first", head + `<ows:WGS84BoundingBox><ows:LowerCorner>-10 40</ows:LowerCorner><ows:UpperCorner>20 60</ows:UpperCorner></ows:WGS84BoundingBox>` + link,
			with(func(l *Layer) { l.WGS84BBox = &BBox{MinX: -10, MinY: 40, MaxX: 20, MaxY: 60} })},
		{"WGS84BoundingBox across the antimeridian kept", head + `<ows:WGS84BoundingBox><ows:LowerCorner>170 -50</ows:LowerCorner><ows:UpperCorner>-170 -30</ows:UpperCorner></ows:WGS84BoundingBox>` + link,
			with(func(l *Layer) { l.WGS84BBox = &BBox{MinX: 170, MinY: -50, MaxX: -170, MaxY: -30} })},
		{"BoundingBox EPSG:4326 URN is lat/lon", head + bbox("urn:ogc:def:crs:EPSG::4326", "40 -10", "60 20") + link,
			with(func(l *Layer) {
				l.BBoxes = []BBox{{CRS: "urn:ogc:def:crs:EPSG::4326", MinX: -10, MinY: 40, MaxX: 20, MaxY: 60}}
			})},
		{"BoundingBox EPSG:4326 short form is lat/lon", head + bbox("EPSG:4326", "40 -10", "60 20") + link,
			with(func(l *Layer) { l.BBoxes = []BBox{{CRS: "EPSG:4326", MinX: -10, MinY: 40, MaxX: 20, MaxY: 60}} })},
		{"BoundingBox EPSG:4326 http URI is lat/lon", head + bbox("http://www.opengis.net/def/crs/EPSG/0/4326", "40 -10", "60 20") + link,
			with(func(l *Layer) {
				l.BBoxes = []BBox{{CRS: "http://www.opengis.net/def/crs/EPSG/0/4326", MinX: -10, MinY: 40, MaxX: 20, MaxY: 60}}
			})},
		{"BoundingBox EPSG:4326 written lon first is repaired", head + bbox("EPSG:4326", "-180 -90", "180 90") + link,
			with(func(l *Layer) { l.BBoxes = []BBox{{CRS: "EPSG:4326", MinX: -180, MinY: -90, MaxX: 180, MaxY: 90}} })},
		{"BoundingBox CRS84 is lon/lat", head + bbox("urn:ogc:def:crs:OGC:1.3:CRS84", "-10 40", "20 60") + link,
			with(func(l *Layer) {
				l.BBoxes = []BBox{{CRS: "urn:ogc:def:crs:OGC:1.3:CRS84", MinX: -10, MinY: 40, MaxX: 20, MaxY: 60}}
			})},
		{"BoundingBox EPSG:3857 is x/y, exponents", head + bbox("urn:ogc:def:crs:EPSG::3857", "-1.1E6 4.8e6", "2.2E6 8.4E6") + link,
			with(func(l *Layer) {
				l.BBoxes = []BBox{{CRS: "urn:ogc:def:crs:EPSG::3857", MinX: -1.1e6, MinY: 4.8e6, MaxX: 2.2e6, MaxY: 8.4e6}}
			})},
		{"BoundingBox EPSG:3035 is northing first", head + bbox("EPSG:3035", "1400000 2500000", "5500000 7400000") + link,
			with(func(l *Layer) {
				l.BBoxes = []BBox{{CRS: "EPSG:3035", MinX: 2500000, MinY: 1400000, MaxX: 7400000, MaxY: 5500000}}
			})},
		{"BoundingBox 3D corners use two ordinates", head + bbox("EPSG:3857", "1 2 0", "3 4 100") + link,
			with(func(l *Layer) { l.BBoxes = []BBox{{CRS: "EPSG:3857", MinX: 1, MinY: 2, MaxX: 3, MaxY: 4}} })},
		{"styles: isDefault, legend", head + `<Style><ows:Identifier>a</ows:Identifier></Style><Style isDefault="true"><ows:Title>B</ows:Title><ows:Identifier>b</ows:Identifier>` +
			`<LegendURL format="image/png" xlink:href="http://l/b.png" width="20" height="20"/></Style>` + link,
			with(func(l *Layer) {
				l.Styles = []Style{{Identifier: "a"}, {Identifier: "b", Title: "B", IsDefault: true, Legends: []LegendURL{{Format: "image/png", URL: "http://l/b.png"}}}}
			})},
		{"styles: first is default when none says so", head + `<Style><ows:Identifier>a</ows:Identifier></Style><Style isDefault="false"><ows:Identifier>b</ows:Identifier></Style>` + link,
			with(func(l *Layer) { l.Styles = []Style{{Identifier: "a", IsDefault: true}, {Identifier: "b"}} })},
		{"formats and info formats, duplicates dropped", head + `<Format>image/png</Format><Format>image/jpeg</Format><Format>image/png</Format><InfoFormat>application/json</InfoFormat>` + link,
			with(func(l *Layer) {
				l.Formats, l.InfoFormats = []string{"image/png", "image/jpeg"}, []string{"application/json"}
			})},
		{"dimension", head + `<Dimension><ows:Identifier>Time</ows:Identifier><ows:Title>Time</ows:Title><ows:UOM>ISO8601</ows:UOM><UnitSymbol>s</UnitSymbol>` +
			`<Default>2020</Default><Current>true</Current><Value>2019</Value><Value> 2020 </Value></Dimension>` + link,
			with(func(l *Layer) {
				l.Dimensions = []Dimension{{Identifier: "Time", Title: "Time", UOM: "ISO8601", UnitSymbol: "s", Default: "2020", Current: true, Values: []string{"2019", "2020"}}}
			})},
		{"link with limits", head + `<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet><TileMatrixSetLimits>` +
			`<TileMatrixLimits><TileMatrix>1</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>1</MaxTileRow><MinTileCol>1</MinTileCol><MaxTileCol>1</MaxTileCol></TileMatrixLimits>` +
			`</TileMatrixSetLimits></TileMatrixSetLink>`,
			with(func(l *Layer) {
				l.MatrixSetLinks[0].Limits = []TileMatrixLimits{{Matrix: "1", MinRow: 0, MaxRow: 1, MinCol: 1, MaxCol: 1}}
			})},
		{"resource URLs", head + link + `<ResourceURL format="image/png" resourceType="tile" template="http://t/{TileMatrix}/{TileRow}/{TileCol}.png"/>` +
			`<ResourceURL format="application/json" resourceType="FeatureInfo" template="http://t/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.json"/>`,
			with(func(l *Layer) {
				l.ResourceURLs = []ResourceURL{
					{Format: "image/png", ResourceType: "tile", Template: "http://t/{TileMatrix}/{TileRow}/{TileCol}.png"},
					{Format: "application/json", ResourceType: "FeatureInfo", Template: "http://t/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.json"},
				}
			})},
		{"raw ampersand and unknown entity kept", head + `<ows:Title>A &amp; B &c; &</ows:Title><Style><ows:Identifier>s</ows:Identifier>` +
			`<LegendURL format="image/png" xlink:href="http://l/legend?a=1&b=2&amp;c=3"/></Style>` + link,
			with(func(l *Layer) {
				l.Title = "A & B &c; &"
				l.Styles = []Style{{Identifier: "s", IsDefault: true, Legends: []LegendURL{{Format: "image/png", URL: "http://l/legend?a=1&b=2&c=3"}}}}
			})},
		{"foreign elements skipped", head + `<ows:Keywords><ows:Keyword>k</ows:Keyword></ows:Keywords><ows:Metadata xlink:href="http://m"/><x:Ext xmlns:x="urn:x"><x:Identifier>no</x:Identifier><Identifier>no</Identifier></x:Ext>` + link,
			base()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, layerDoc(`<Layer>`+tt.layer+`</Layer>`))
			if len(c.Layers) != 1 {
				t.Fatalf("got %d layers, want 1 (warnings %q)", len(c.Layers), c.Warnings)
			}
			if got := *c.Layers[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("layer =\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("warnings %q", c.Warnings)
			}
		})
	}
}

func TestParseTopLeftCorner(t *testing.T) {
	tests := []struct {
		crs, corner string
		wantX       float64
		wantY       float64
	}{
		{"EPSG:3857", "-20037508.3428 20037508.3428", -20037508.3428, 20037508.3428},
		{"urn:ogc:def:crs:EPSG::3857", "-2.003750834E7 2.003750834E7", -20037508.34, 20037508.34},
		{"EPSG:4326", "90 -180", -180, 90},
		{"urn:ogc:def:crs:EPSG::4326", "90.0 -180.0", -180, 90},
		{"urn:ogc:def:crs:EPSG:6.3:4326", "90 -180", -180, 90},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", "90 -180", -180, 90},
		{"EPSG:4326", "-180 90", -180, 90}, // written lon first: repaired
		{"EPSG:4258", "72 -16", -16, 72},   // ETRS89, lat first, in range: taken as lat/lon
		{"urn:ogc:def:crs:OGC:1.3:CRS84", "-180 90", -180, 90},
		{"EPSG:28992", "-285401.92 903401.92", -285401.92, 903401.92},
		{"EPSG:3006", "8500000 -1200000", -1200000, 8500000}, // SWEREF99 TM: northing first
		{"EPSG:2193", "10438190.1652 -3260586.7284", -3260586.7284, 10438190.1652},
		{"EPSG:25832", "-46133.17 6301219.54", -46133.17, 6301219.54},
	}
	for _, tt := range tests {
		c := mustParse(t, setDoc("s", tt.crs, matrixXML("0", "1000", tt.corner, 256, 1, 1)))
		if len(c.TileMatrixSets) != 1 {
			t.Fatalf("%s %q: no set (warnings %q)", tt.crs, tt.corner, c.Warnings)
		}
		m := c.TileMatrixSets[0].Matrices[0]
		if m.TopLeftX != tt.wantX || m.TopLeftY != tt.wantY {
			t.Errorf("%s TopLeftCorner %q = (%v, %v), want (%v, %v)", tt.crs, tt.corner, m.TopLeftX, m.TopLeftY, tt.wantX, tt.wantY)
		}
	}
}

func TestParseMatrixSet(t *testing.T) {
	doc := capsDoc(`<Contents><TileMatrixSet><ows:Title>World</ows:Title><ows:Identifier>wgs</ows:Identifier>` +
		`<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::4326"><ows:LowerCorner>-90 -180</ows:LowerCorner><ows:UpperCorner>90 180</ows:UpperCorner></ows:BoundingBox>` +
		`<ows:SupportedCRS>urn:ogc:def:crs:EPSG::4326</ows:SupportedCRS><WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad</WellKnownScaleSet>` +
		matrixXML("a", "559082264.0287178", "90 -180", 256, 1, 1) + matrixXML("b", "279541132.0143589", "90 -180", 256, 2, 1) +
		`</TileMatrixSet></Contents>`)
	c := mustParse(t, doc)
	want := &TileMatrixSet{
		Identifier: "wgs", Title: "World", SupportedCRS: "urn:ogc:def:crs:EPSG::4326",
		WellKnownScaleSet: "urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad",
		BBox:              &BBox{CRS: "urn:ogc:def:crs:EPSG::4326", MinX: -180, MinY: -90, MaxX: 180, MaxY: 90},
		Matrices: []TileMatrix{
			{Identifier: "a", ScaleDenominator: 559082264.0287178, TopLeftX: -180, TopLeftY: 90, TileWidth: 256, TileHeight: 256, MatrixWidth: 1, MatrixHeight: 1},
			{Identifier: "b", ScaleDenominator: 279541132.0143589, TopLeftX: -180, TopLeftY: 90, TileWidth: 256, TileHeight: 256, MatrixWidth: 2, MatrixHeight: 1},
		},
		MetersPerUnit: DegreeMeters,
	}
	if len(c.TileMatrixSets) != 1 || !reflect.DeepEqual(c.TileMatrixSets[0], want) {
		t.Fatalf("sets = %+v, want %+v", c.TileMatrixSets, want)
	}
	if c.MatrixSet("wgs") != c.TileMatrixSets[0] || c.MatrixSet("WGS") != nil {
		t.Error("MatrixSet lookup is not exact")
	}
	if got := c.TileMatrixSets[0].Matrix("b"); got != 1 {
		t.Errorf("Matrix(b) = %d, want 1", got)
	}
}

// TestParseWarnings covers what Parse repairs or drops instead of failing.
func TestParseWarnings(t *testing.T) {
	good := matrixXML("0", "559082264.0287178", "-20037508.3427892 20037508.3427892", 256, 1, 1)
	tests := []struct {
		name     string
		contents string
		layers   []string // identifiers kept
		sets     []string
		warn     []string // substrings, one per warning, in order
	}{
		{"layer without identifier", `<Layer><ows:Title>T</ows:Title></Layer>`, nil, nil,
			[]string{`line 3: layer without identifier (title "T"); dropped`}},
		{"duplicate layer", `<Layer><ows:Identifier>a</ows:Identifier></Layer><Layer><ows:Identifier>a</ows:Identifier></Layer>`, []string{"a"}, nil,
			[]string{`duplicate layer "a"`}},
		{"link to undefined set", `<Layer><ows:Identifier>a</ows:Identifier><TileMatrixSetLink><TileMatrixSet>nope</TileMatrixSet></TileMatrixSetLink></Layer>`, []string{"a"}, nil,
			[]string{`layer "a": link to undefined tile matrix set "nope"; dropped`}},
		{"bad scale drops the matrix only", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good +
			matrixXML("1", "abc", "0 0", 256, 2, 2) + `</TileMatrixSet>`, nil, []string{"s"},
			[]string{`tile matrix set "s": TileMatrix "1": ScaleDenominator "abc" is not a positive number; dropped`}},
		{"negative scale, NaN corner, zero tile", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good +
			matrixXML("1", "-5", "0 0", 256, 2, 2) + matrixXML("2", "5", "NaN 0", 256, 2, 2) + matrixXML("3", "5", "0 0", 0, 2, 2) + `</TileMatrixSet>`, nil, []string{"s"},
			[]string{`ScaleDenominator "-5"`, `TopLeftCorner "NaN 0" is not two numbers`, `TileWidth "0" is not an integer in 1..16384`}},
		{"missing values", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good +
			`<TileMatrix><ows:Identifier>1</ows:Identifier><ScaleDenominator>5</ScaleDenominator></TileMatrix></TileMatrixSet>`, nil, []string{"s"},
			[]string{`TileMatrix "1": missing TopLeftCorner, TileWidth, TileHeight, MatrixWidth, MatrixHeight; dropped`}},
		{"huge matrix", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good +
			matrixXML("1", "5", "0 0", 256, 1<<30+1, 2) + `</TileMatrixSet>`, nil, []string{"s"},
			[]string{`MatrixWidth "1073741825" is not an integer in 1..1073741824`}},
		{"duplicate matrix", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good + good + `</TileMatrixSet>`, nil, []string{"s"},
			[]string{`duplicate TileMatrix "0"`}},
		{"set without usable matrix", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` +
			matrixXML("1", "x", "0 0", 256, 2, 2) + `</TileMatrixSet>`, nil, nil,
			[]string{`ScaleDenominator "x"`, `tile matrix set "s": no usable TileMatrix; dropped`}},
		{"set without CRS", `<TileMatrixSet><ows:Identifier>s</ows:Identifier>` + good + `</TileMatrixSet>`, nil, nil,
			[]string{`tile matrix set "s": no SupportedCRS; dropped`}},
		{"set without identifier", `<TileMatrixSet><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good + `</TileMatrixSet>`, nil, nil,
			[]string{`tile matrix set without identifier; dropped`}},
		{"duplicate set", `<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good + `</TileMatrixSet>` +
			`<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:4326</ows:SupportedCRS>` + good + `</TileMatrixSet>`, nil, []string{"s"},
			[]string{`duplicate tile matrix set "s"; the first is kept`}},
		{"bad limits", `<Layer><ows:Identifier>a</ows:Identifier><TileMatrixSetLink><TileMatrixSet>s</TileMatrixSet><TileMatrixSetLimits>` +
			`<TileMatrixLimits><TileMatrix>0</TileMatrix><MinTileRow>1</MinTileRow><MaxTileRow>0</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>0</MaxTileCol></TileMatrixLimits>` +
			`<TileMatrixLimits><TileMatrix>1</TileMatrix><MinTileRow>-1</MinTileRow><MaxTileRow>0</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>0</MaxTileCol></TileMatrixLimits>` +
			`<TileMatrixLimits><TileMatrix>2</TileMatrix><MinTileRow>0</MinTileRow></TileMatrixLimits>` +
			`</TileMatrixSetLimits></TileMatrixSetLink></Layer>` +
			`<TileMatrixSet><ows:Identifier>s</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>` + good + `</TileMatrixSet>`, []string{"a"}, []string{"s"},
			[]string{`layer "a": link to "s": TileMatrixLimits of "0": min > max; dropped`, `TileMatrixLimits of "1": MinTileRow "-1" is not a tile index; dropped`, `TileMatrixLimits of "2": a tile index is missing; dropped`}},
		{"bad boxes and styles, named by the identifier that follows them", `<Layer>` +
			`<ows:WGS84BoundingBox><ows:LowerCorner>x</ows:LowerCorner><ows:UpperCorner>1 2</ows:UpperCorner></ows:WGS84BoundingBox>` +
			`<ows:BoundingBox><ows:LowerCorner>0 0</ows:LowerCorner><ows:UpperCorner>1 2</ows:UpperCorner></ows:BoundingBox>` +
			`<ows:BoundingBox crs="EPSG:3857"><ows:LowerCorner>5 0</ows:LowerCorner><ows:UpperCorner>1 2</ows:UpperCorner></ows:BoundingBox>` +
			`<ows:Identifier>a</ows:Identifier>` +
			`<Style><ows:Title>no id</ows:Title></Style><Style><ows:Identifier>s</ows:Identifier></Style><Style><ows:Identifier>s</ows:Identifier></Style>` +
			`<Dimension><ows:Title>no id</ows:Title></Dimension><Dimension><ows:Identifier>t</ows:Identifier></Dimension><Dimension><ows:Identifier>T</ows:Identifier></Dimension>` +
			`<ResourceURL format="image/png" resourceType="tile"/></Layer>`, []string{"a"}, nil,
			[]string{`layer "a": WGS84BoundingBox does not parse`, `layer "a": BoundingBox without crs`, `style without identifier`, `duplicate style "s"`,
				`dimension without identifier`, `duplicate dimension "T"`, `ResourceURL without template`, `BoundingBox in "EPSG:3857" has min > max`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, capsDoc("\n<Contents>"+tt.contents+"</Contents>"))
			var layers, sets []string
			for _, l := range c.Layers {
				layers = append(layers, l.Identifier)
			}
			for _, s := range c.TileMatrixSets {
				sets = append(sets, s.Identifier)
			}
			if !reflect.DeepEqual(layers, tt.layers) || !reflect.DeepEqual(sets, tt.sets) {
				t.Errorf("layers, sets = %q, %q, want %q, %q", layers, sets, tt.layers, tt.sets)
			}
			if len(c.Warnings) != len(tt.warn) {
				t.Fatalf("warnings = %q, want %d like %q", c.Warnings, len(tt.warn), tt.warn)
			}
			for i, w := range tt.warn {
				if !strings.Contains(c.Warnings[i], w) || !strings.HasPrefix(c.Warnings[i], "line ") {
					t.Errorf("warning %d = %q, want it to contain %q", i, c.Warnings[i], w)
				}
			}
		})
	}
}

func TestParseWarningsBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		b.WriteString(`<Layer><ows:Title>x</ows:Title></Layer>`)
	}
	c := mustParse(t, capsDoc(`<Contents>`+b.String()+`</Contents>`))
	if len(c.Warnings) != maxWarnings {
		t.Fatalf("%d warnings, want %d", len(c.Warnings), maxWarnings)
	}
	if got, want := c.Warnings[maxWarnings-1], "... and 151 more warnings"; got != want {
		t.Errorf("last warning = %q, want %q", got, want)
	}
}

// errorReader serves its prefix, then fails.
type errorReader struct {
	r   io.Reader
	err error
}

func (e *errorReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

// endlessReader serves head, then filler forever.
type endlessReader struct {
	head   []byte
	filler []byte
	n      int64
}

func (e *endlessReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		if len(e.head) > 0 {
			c := copy(b[n:], e.head)
			e.head = e.head[c:]
			n += c
			continue
		}
		c := copy(b[n:], e.filler[e.n%int64(len(e.filler)):])
		e.n += int64(c)
		n += c
	}
	return n, nil
}

func TestParseErrors(t *testing.T) {
	deep := capsDoc(`<Contents>` + strings.Repeat("<x>", MaxDepth) + strings.Repeat("</x>", MaxDepth) + `</Contents>`)
	tests := []struct {
		name string
		doc  string
		want error
		line int // 0: not a *PositionError
		text string
	}{
		{"empty", "", ErrNotCapabilities, 0, "no root element"},
		{"only a comment", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n", ErrNotCapabilities, 0, "no root element"},
		{"JSON", `{"error": "denied"}`, ErrNotCapabilities, 0, "no root element"},
		{"html page", "<html><head><title>Login</title></head><body><br></body></html>", ErrNotCapabilities, 0, "an HTML page"},
		{"html doctype", "<!DOCTYPE html>\n<html><body>x</body></html>", ErrNotCapabilities, 0, "an HTML page"},
		{"WMS document", `<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"><Service/></WMS_Capabilities>`, ErrNotCapabilities, 0, "a WMS capabilities document"},
		{"WCS 2 Capabilities root", `<wcs:Capabilities xmlns:wcs="http://www.opengis.net/wcs/2.0"/>`, ErrNotCapabilities, 0, `root element "{http://www.opengis.net/wcs/2.0}Capabilities"`},
		{"doctype with entities", "<?xml version=\"1.0\"?>\n<!DOCTYPE Capabilities [\n<!ENTITY a \"aaaa\">\n]>\n" + capsOpen + "</Capabilities>", ErrDoctype, 4, ""},
		{"not a tag", capsDoc("\n<Contents>\n< Layer></Contents>"), ErrMalformed, 4, "expected element name after <"},
		{"bad attribute", capsDoc("\n<Contents>\n\n<Layer a=\"1></Layer></Contents>"), ErrMalformed, 5, "unescaped < inside quoted string"},
		{"truncated", capsDoc("<Contents><Layer>")[:len(capsDoc("<Contents><Layer>"))-len("</Capabilities>")], ErrMalformed, 2, "unexpected EOF"},
		{"unsupported encoding", `<?xml version="1.0" encoding="x-klingon"?>` + capsOpen + `</Capabilities>`, ErrMalformed, 1, `unsupported document encoding "x-klingon"`},
		{"too deep", deep, ErrTooDeep, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(strings.NewReader(tt.doc))
			if c != nil || !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, %v, want nil, %v", c, err, tt.want)
			}
			var pe *PositionError
			if got := errors.As(err, &pe); got != (tt.line > 0) {
				t.Fatalf("error %v: *PositionError = %v, want %v", err, got, tt.line > 0)
			}
			if pe != nil && pe.Line != tt.line {
				t.Errorf("error %v: line %d, want %d", err, pe.Line, tt.line)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
}

func TestParseServiceException(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="layer">
    <ows:ExceptionText>Unknown   layer: x</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>`
	_, err := Parse(strings.NewReader(doc))
	var se *ServiceException
	if !errors.As(err, &se) {
		t.Fatalf("Parse = %v, want a *ServiceException", err)
	}
	want := ServiceException{Code: "InvalidParameterValue", Locator: "layer", Message: "Unknown layer: x"}
	if *se != want {
		t.Errorf("exception = %+v, want %+v", *se, want)
	}
	if got := se.Error(); got != "wmts: service exception InvalidParameterValue (layer): Unknown layer: x" {
		t.Errorf("Error() = %q", got)
	}
	long := `<ExceptionReport><Exception><ExceptionText>` + strings.Repeat("é", 1000) + `</ExceptionText></Exception></ExceptionReport>`
	_, err = Parse(strings.NewReader(long))
	if !errors.As(err, &se) || len(se.Message) > maxExceptionText+3 || !strings.HasSuffix(se.Message, "...") {
		t.Errorf("long exception = %v", err)
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		// A valid head, then an endless comment: refused after MaxSize bytes.
		head := capsOpen + "<!--"
		r := &endlessReader{head: []byte(head), filler: bytes.Repeat([]byte("x"), 4096)}
		if _, err := Parse(r); err != ErrTooLarge {
			t.Fatalf("Parse(endless) = %v, want ErrTooLarge", err)
		}
		if r.n < MaxSize-int64(len(head)) || r.n > MaxSize+64<<10 {
			t.Errorf("read %d filler bytes, want about %d", r.n, MaxSize)
		}
		doc := capsDoc("<Contents/>")
		if _, err := parseLimit(strings.NewReader(doc), int64(len(doc))); err != nil {
			t.Errorf("document of exactly the limit: %v", err)
		}
		if _, err := parseLimit(strings.NewReader(doc), int64(len(doc)-1)); err != ErrTooLarge {
			t.Errorf("document one byte over the limit: %v, want ErrTooLarge", err)
		}
	})
	t.Run("elements", func(t *testing.T) {
		doc := capsDoc(`<Contents>` + strings.Repeat("<x/>", MaxElements) + `</Contents>`)
		_, err := Parse(strings.NewReader(doc))
		var pe *PositionError
		if !errors.Is(err, ErrTooManyElements) || !errors.As(err, &pe) {
			t.Fatalf("Parse(%d elements) = %v, want ErrTooManyElements with a position", MaxElements+2, err)
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("connection reset")
		_, err := Parse(&errorReader{strings.NewReader(capsOpen + "<Contents>"), boom})
		if !errors.Is(err, boom) || !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(failing reader) = %v, want it to wrap %v", err, boom)
		}
	})
}

func TestParseEncodings(t *testing.T) {
	const title = "Karte für Zürich"
	body := `<ows:ServiceIdentification><ows:Title>` + title + `</ows:Title></ows:ServiceIdentification>`
	latin1 := func(s string) string {
		b := make([]byte, 0, len(s))
		for _, r := range s {
			b = append(b, byte(r))
		}
		return string(b)
	}
	utf16le := func(s string) string {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return string(b)
	}
	tests := []struct{ name, doc string }{
		{"utf-8", capsDoc(body)},
		{"utf-8 BOM", "\xEF\xBB\xBF" + capsDoc(body)},
		{"ISO-8859-1", latin1(`<?xml version="1.0" encoding="ISO-8859-1"?>` + capsOpen + body + `</Capabilities>`)},
		{"windows-1252", latin1(`<?xml version='1.0' encoding='windows-1252'?>` + capsOpen + body + `</Capabilities>`)},
		{"utf-16 BOM", utf16le(`<?xml version="1.0" encoding="UTF-16"?>` + capsOpen + body + `</Capabilities>`)},
		{"HTML entity", capsDoc(`<ows:ServiceIdentification><ows:Title>Karte&#32;f&uuml;r Z&uuml;rich</ows:Title></ows:ServiceIdentification>`)},
		{"CDATA and char refs", capsDoc(`<ows:ServiceIdentification><ows:Title><![CDATA[Karte f]]>&#252;r Z&#xFC;rich</ows:Title></ows:ServiceIdentification>`)},
		{"wmts prefix, ows default namespace", `<wmts:Capabilities xmlns:wmts="http://www.opengis.net/wmts/1.0" xmlns="http://www.opengis.net/ows/1.1" version="1.0.0"><ServiceIdentification><Title>` + title + `</Title></ServiceIdentification></wmts:Capabilities>`},
		{"no namespaces at all", `<Capabilities version="1.0.0"><ServiceIdentification><Title>` + title + `</Title></ServiceIdentification></Capabilities>`},
		{"OWS 2.0", `<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/2.0"><ows:ServiceIdentification><ows:Title>` + title + `</ows:Title></ows:ServiceIdentification></Capabilities>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.doc)
			if c.Title != title {
				t.Errorf("Title = %q, want %q", c.Title, title)
			}
		})
	}
	// An element in a foreign namespace is not a WMTS one.
	c := mustParse(t, capsDoc(`<x:ServiceIdentification xmlns:x="urn:x"><ows:Title>no</ows:Title></x:ServiceIdentification>`))
	if c.Title != "" {
		t.Errorf("foreign ServiceIdentification read: title %q", c.Title)
	}
}

// TestParseMemoryBounded checks that what Parse allocates, and what its
// result keeps, grow linearly with the document: an 8 MB document of
// layers that each link a set and carry long value lists.
func TestParseMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var b strings.Builder
	b.WriteString(capsOpen + `<Contents>`)
	for i := 0; b.Len() < 8<<20; i++ {
		b.WriteString(`<Layer><ows:Identifier>l` + itoa(i) + `</ows:Identifier><Format>image/png</Format><Dimension><ows:Identifier>time</ows:Identifier>`)
		for j := 0; j < 50; j++ {
			b.WriteString(`<Value>2020-01-` + itoa(j) + `</Value>`)
		}
		b.WriteString(`</Dimension><TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet></TileMatrixSetLink></Layer>`)
	}
	b.WriteString(googleSet + `</Contents></Capabilities>`)
	doc := b.String()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.KeepAlive(c)
	t.Logf("%d bytes: %d allocated (%.1f per byte), %d retained (%.2f per byte)", len(doc),
		allocated, float64(allocated)/float64(len(doc)), retained, float64(retained)/float64(len(doc)))
	if allocated > 20*uint64(len(doc)) {
		t.Errorf("Parse allocated %d bytes for a %d-byte document, want at most 20 per byte", allocated, len(doc))
	}
	if retained > int64(len(doc)) {
		t.Errorf("the result holds %d bytes for a %d-byte document, want at most 1 per byte", retained, len(doc))
	}
}

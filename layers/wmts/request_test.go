package wmts

import (
	"errors"
	"strings"
	"testing"
)

func TestTileURLRealDocuments(t *testing.T) {
	docs := map[string]*Capabilities{}
	for _, n := range realDocs {
		docs[n] = parseFile(t, n+".xml")
	}
	tests := []struct {
		name                      string
		doc                       string
		layer, style, set, matrix string
		row, col                  int
		format                    string
		dims                      map[string]string
		want                      string
	}{
		{"MapProxy REST, column before row", "mapproxy", "osm", "", "GLOBAL_WEBMERCATOR", "03", 2, 5, "image/png", nil,
			"http://tiles.example.org/mapproxy/wmts/osm/GLOBAL_WEBMERCATOR/03/5/2.png"},
		{"MapProxy REST, EPSG:4326 set", "mapproxy", "osm", "default", "EPSG4326", "01", 0, 1, "", nil,
			"http://tiles.example.org/mapproxy/wmts/osm/EPSG4326/01/1/0.png"},
		{"MapProxy REST, dimension default", "mapproxy", "flood", "", "GLOBAL_WEBMERCATOR", "02", 1, 2, "image/png", nil,
			"http://tiles.example.org/mapproxy/wmts/flood/2024-05-02/GLOBAL_WEBMERCATOR/02/2/1.png"},
		{"MapProxy REST, dimension given, name case-insensitive", "mapproxy", "flood", "", "", "02", 1, 2, "", map[string]string{"time": "2024-05-01"},
			"http://tiles.example.org/mapproxy/wmts/flood/2024-05-01/GLOBAL_WEBMERCATOR/02/2/1.png"},
		{"GeoServer REST, lower-case variables, query part", "geoserver", "topp:states", "", "EPSG:4326", "EPSG:4326:2", 1, 2, "image/png", nil,
			"http://gs.example.net/geoserver/gwc/service/wmts/rest/topp:states/population/EPSG:4326/EPSG:4326:2/1/2?format=image/png&time=2020-01-01T00:00:00.000Z"},
		{"GeoServer KVP for a format without template, vendor parameter kept", "geoserver", "topp:states", "pophatch", "EPSG:900913", "EPSG:900913:4", 5, 3, "image/jpeg",
			map[string]string{"TIME": "2010-01-01T00:00:00.000Z"},
			"http://gs.example.net/geoserver/gwc/service/wmts?tenant=acme&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=topp:states&STYLE=pophatch&TILEMATRIXSET=EPSG:900913&TILEMATRIX=EPSG:900913:4&TILEROW=5&TILECOL=3&FORMAT=image/jpeg&time=2010-01-01T00:00:00.000Z"},
		{"ArcGIS REST only", "arcgis", "World_Imagery", "", "GoogleMapsCompatible", "3", 2, 7, "", nil,
			"https://maps.example.com/arcgis/rest/services/World_Imagery/MapServer/WMTS/tile/1.0.0/World_Imagery/default/GoogleMapsCompatible/3/2/7"},
		{"PDOK REST in the Dutch grid", "pdok", "standaard", "", "EPSG:28992", "03", 3, 4, "", nil,
			"https://service.pdok.example/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:28992/03/4/3.png"},
		{"PDOK KVP for a layer without template", "pdok", "grijs", "", "", "05", 31, 0, "image/png", nil,
			"https://service.pdok.example/brt/achtergrondkaart/wmts/v2_0?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=grijs&STYLE=default&TILEMATRIXSET=EPSG:28992&TILEMATRIX=05&TILEROW=31&TILECOL=0&FORMAT=image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docs[tt.doc].TileURL(tt.layer, tt.style, tt.set, tt.matrix, tt.row, tt.col, tt.format, tt.dims)
			if err != nil || got != tt.want {
				t.Errorf("TileURL = %q, %v\nwant        %q", got, err, tt.want)
			}
		})
	}
}

func TestTileURLErrors(t *testing.T) {
	gs := parseFile(t, "geoserver.xml")
	arc := parseFile(t, "arcgis.xml")
	tests := []struct {
		name                      string
		c                         *Capabilities
		layer, style, set, matrix string
		row, col                  int
		format                    string
		dims                      map[string]string
		want                      error
	}{
		{"unknown layer", gs, "topp:nope", "", "", "EPSG:4326:0", 0, 0, "", nil, ErrUnknownLayer},
		{"unknown style", gs, "topp:states", "fancy", "", "EPSG:4326:0", 0, 0, "", nil, ErrUnknownStyle},
		{"style identifiers are case-sensitive", gs, "topp:states", "Population", "", "EPSG:4326:0", 0, 0, "", nil, ErrUnknownStyle},
		{"set not linked", gs, "topp:states", "", "EPSG:3857", "0", 0, 0, "", nil, ErrUnknownMatrixSet},
		{"unknown matrix", gs, "topp:states", "", "EPSG:4326", "EPSG:900913:0", 0, 0, "", nil, ErrUnknownMatrix},
		{"unknown format", gs, "topp:states", "", "EPSG:4326", "EPSG:4326:0", 0, 0, "image/webp", nil, ErrUnknownFormat},
		{"unknown dimension", gs, "topp:states", "", "EPSG:4326", "EPSG:4326:0", 0, 0, "", map[string]string{"elevation": "0"}, ErrUnknownDimension},
		{"row outside the matrix", gs, "topp:states", "", "EPSG:4326", "EPSG:4326:1", 2, 0, "", nil, ErrOutOfRange},
		{"negative column", gs, "topp:states", "", "EPSG:4326", "EPSG:4326:1", 0, -1, "", nil, ErrOutOfRange},
		{"outside the layer's limits", gs, "topp:states", "", "EPSG:4326", "EPSG:4326:3", 0, 0, "", nil, ErrOutOfRange},
		{"RESTful only, format without template", arc, "World_Imagery", "", "", "0", 0, 0, "image/png", nil, ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.TileURL(tt.layer, tt.style, tt.set, tt.matrix, tt.row, tt.col, tt.format, tt.dims)
			if !errors.Is(err, tt.want) || got != "" {
				t.Errorf("TileURL = %q, %v, want %v", got, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "http") {
				t.Errorf("error %q contains a URL", err)
			}
		})
	}
	// Inside the limits is fine.
	if _, err := gs.TileURL("topp:states", "", "EPSG:4326", "EPSG:4326:3", 2, 4, "", nil); err != nil {
		t.Errorf("tile inside the limits: %v", err)
	}
}

// templateDoc is a document with one layer "l" on googleSet with the given
// ResourceURL template (none when "") and GetTile KVP endpoint (none when
// "").
func templateDoc(template, kvp, extra string) string {
	ops := ""
	if kvp != "" {
		ops = `<ows:OperationsMetadata><ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="` + kvp +
			`"/></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata>`
	}
	res := ""
	if template != "" {
		res = `<ResourceURL format="image/png" resourceType="tile" template="` + template + `"/>`
	}
	return capsDoc(ops + `<Contents><Layer><ows:Identifier>l</ows:Identifier><Style isDefault="true"><ows:Identifier>s 1</ows:Identifier></Style>` +
		`<Format>image/png</Format>` + extra + `<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet></TileMatrixSetLink>` + res + `</Layer>` + googleSet + `</Contents>`)
}

func TestTileURLTemplates(t *testing.T) {
	dim := `<Dimension><ows:Identifier>Elevation</ows:Identifier><Value>0/100</Value></Dimension>`
	tests := []struct {
		name, template, kvp, extra, base string
		dims                             map[string]string
		want                             string
		err                              error
	}{
		{"all variables, any case", "http://t/{TILEMATRIXSET}/{style}/{TileMatrix}/{tilerow}/{TileCol}.png", "", "", "", nil,
			"http://t/google/s%201/2/1/3.png", nil},
		{"variables in the query are query-escaped", "http://t/tile?m={TileMatrix}&s={Style}&r={TileRow}&c={TileCol}&e={elevation}", "", dim, "", nil,
			"http://t/tile?m=2&s=s+1&r=1&c=3&e=0/100", nil},
		{"dimension in the path is path-escaped", "http://t/{Elevation}/{TileMatrix}/{TileRow}/{TileCol}", "", dim, "", map[string]string{"elevation": "a/b c"},
			"http://t/a%2Fb%20c/2/1/3", nil},
		{"template's own key kept", "https://t/{TileMatrix}/{TileCol}/{TileRow}.png?key=abc", "", "", "", nil,
			"https://t/2/3/1.png?key=abc", nil},
		{"user information dropped", "https://user:pw@t.example/{TileMatrix}/{TileCol}/{TileRow}.png", "", "", "", nil,
			"https://t.example/2/3/1.png", nil},
		{"relative to BaseURL's directory", "tiles/{TileMatrix}/{TileCol}/{TileRow}.png", "", "", "https://h.example/wmts/1.0.0/WMTSCapabilities.xml?key=k", nil,
			"https://h.example/wmts/1.0.0/tiles/2/3/1.png", nil},
		{"absolute path relative to BaseURL", "/t/{TileMatrix}/{TileCol}/{TileRow}.png", "", "", "https://h.example/wmts/caps.xml", nil,
			"https://h.example/t/2/3/1.png", nil},
		{"scheme-relative", "//cdn.example/{TileMatrix}/{TileCol}/{TileRow}.png", "", "", "https://h.example/caps.xml", nil,
			"https://cdn.example/2/3/1.png", nil},
		{"relative without BaseURL", "tiles/{TileMatrix}/{TileCol}/{TileRow}.png", "", "", "", nil, "", ErrBadTemplate},
		{"unknown variable", "http://t/{TileMatrix}/{TileCol}/{TileRow}/{Layer}.png", "", "", "", nil, "", ErrBadTemplate},
		{"unclosed brace", "http://t/{TileMatrix/{TileCol}", "", "", "", nil, "", ErrBadTemplate},
		{"variable in the host", "http://{Style}.t/{TileMatrix}/{TileCol}/{TileRow}", "", "", "", nil, "", ErrBadTemplate},
		{"not http", "ftp://t/{TileMatrix}/{TileCol}/{TileRow}", "", "", "", nil, "", ErrBadTemplate},
		{"no template: KVP", "", "http://k/wmts?", "", "", nil,
			"http://k/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=l&STYLE=s+1&TILEMATRIXSET=google&TILEMATRIX=2&TILEROW=1&TILECOL=3&FORMAT=image/png", nil},
		{"KVP: vendor parameters sorted, WMTS ones replaced whatever their case, user dropped", "",
			"https://u:p@k/wmts?service=WMS&request=GetCapabilities&zeta=1&Layer=x&map=/srv/a+b.map&elevation=5&key=s%26t", dim, "", nil,
			"https://k/wmts?key=s%26t&map=/srv/a+b.map&zeta=1&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=l&STYLE=s+1&TILEMATRIXSET=google&TILEMATRIX=2&TILEROW=1&TILECOL=3&FORMAT=image/png&Elevation=0/100", nil},
		{"KVP endpoint from BaseURL", "", "", "", "https://h.example/wmts?key=k&request=GetCapabilities", nil,
			"https://h.example/wmts?key=k&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=l&STYLE=s+1&TILEMATRIXSET=google&TILEMATRIX=2&TILEROW=1&TILECOL=3&FORMAT=image/png", nil},
		{"relative KVP endpoint resolved against BaseURL", "", "/wmts/kvp?map=a", "", "https://h.example/wmts/caps.xml", nil,
			"https://h.example/wmts/kvp?map=a&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=l&STYLE=s+1&TILEMATRIXSET=google&TILEMATRIX=2&TILEROW=1&TILECOL=3&FORMAT=image/png", nil},
		{"relative KVP endpoint without BaseURL", "", "/wmts/kvp?", "", "", nil, "", ErrBadURL},
		{"no endpoint at all", "", "", "", "", nil, "", ErrNoEndpoint},
		{"KVP endpoint not http", "", "file:///etc/passwd", "", "", nil, "", ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, templateDoc(tt.template, tt.kvp, tt.extra))
			c.BaseURL = tt.base
			got, err := c.TileURL("l", "", "google", "2", 1, 3, "", tt.dims)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("TileURL = %q, %v\nwant        %q, %v", got, err, tt.want, tt.err)
			}
			if err != nil && (strings.Contains(err.Error(), "://") || strings.Contains(err.Error(), "key=")) {
				t.Errorf("error %q contains a URL", err)
			}
		})
	}
}

func TestTileSource(t *testing.T) {
	c := parseFile(t, "geoserver.xml")
	src, err := c.Source("topp:states", "", "EPSG:900913", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !src.REST || src.Format != "image/png" || src.Style != "population" || src.MatrixSet.Identifier != "EPSG:900913" ||
		src.Dims["time"] != "2020-01-01T00:00:00.000Z" {
		t.Errorf("source = %+v", src)
	}
	if !src.MatrixSet.IsWebMercator() {
		t.Fatal("GeoServer's EPSG:900913 set is not Web-Mercator aligned")
	}
	got, err := src.ZoomURL(4, 3, 5)
	want := "http://gs.example.net/geoserver/gwc/service/wmts/rest/topp:states/population/EPSG:900913/EPSG:900913:4/5/3?format=image/png&time=2020-01-01T00:00:00.000Z"
	if got != want || err != nil {
		t.Errorf("ZoomURL(4, 3, 5) = %q, %v, want %q", got, err, want)
	}
	if _, err := src.ZoomURL(4, 0, 0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("ZoomURL outside the limits: %v, want ErrOutOfRange", err)
	}
	if _, err := src.ZoomURL(9, 0, 0); !errors.Is(err, ErrUnknownMatrix) {
		t.Errorf("ZoomURL(9): %v, want ErrUnknownMatrix", err)
	}
	// Format compared case-insensitively, sent as declared.
	src, err = c.Source("topp:states", "", "EPSG:4326", "IMAGE/JPEG", nil)
	if err != nil || src.REST || src.Format != "image/jpeg" {
		t.Errorf("Source(IMAGE/JPEG) = %+v, %v, want KVP image/jpeg", src, err)
	}
}

// TestTileURLNoStyles: a layer that lists no style gets STYLE=default, and
// any style asked for is sent.
func TestTileURLNoStyles(t *testing.T) {
	doc := capsDoc(`<ows:OperationsMetadata><ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="http://k/w?"/></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata>` +
		`<Contents><Layer><ows:Identifier>l</ows:Identifier><Format>image/png</Format><TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet></TileMatrixSetLink></Layer>` + googleSet + `</Contents>`)
	c := mustParse(t, doc)
	for style, want := range map[string]string{"": "STYLE=default&", "x": "STYLE=x&"} {
		got, err := c.TileURL("l", style, "", "0", 0, 0, "", nil)
		if err != nil || !strings.Contains(got, want) {
			t.Errorf("TileURL(style %q) = %q, %v, want %s", style, got, err, want)
		}
	}
}

func BenchmarkTileSourceURL(b *testing.B) {
	c := parseFile(b, "geoserver.xml")
	rest, _ := c.Source("topp:states", "", "EPSG:4326", "image/png", nil)
	kvp, _ := c.Source("topp:states", "", "EPSG:4326", "image/jpeg", nil)
	b.Run("REST", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rest.URL("EPSG:4326:3", 1, 3)
		}
	})
	b.Run("KVP", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			kvp.URL("EPSG:4326:3", 1, 3)
		}
	})
}

// TestTileSourceLimits: a link that states limits has only the matrices it
// states them for.
func TestTileSourceLimits(t *testing.T) {
	doc := templateDoc("http://t/{TileMatrix}/{TileRow}/{TileCol}.png", "", "")
	doc = strings.Replace(doc, `<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet></TileMatrixSetLink>`,
		`<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet><TileMatrixSetLimits>`+
			`<TileMatrixLimits><TileMatrix>0</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>0</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>0</MaxTileCol></TileMatrixLimits>`+
			`<TileMatrixLimits><TileMatrix>1</TileMatrix><MinTileRow>1</MinTileRow><MaxTileRow>1</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>1</MaxTileCol></TileMatrixLimits>`+
			`</TileMatrixSetLimits></TileMatrixSetLink>`, 1)
	c := mustParse(t, doc)
	src, err := c.Source("l", "", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := src.MatrixSet
	if got := s.BestMatrix(s.PixelSize(2)); got != 2 {
		t.Errorf("set BestMatrix(z2) = %d, want 2", got)
	}
	if got := src.BestMatrix(s.PixelSize(2)); got != 1 {
		t.Errorf("source BestMatrix(z2) = %d, want 1: the layer has no tiles at z2", got)
	}
	world := BBox{MinX: -WebMercatorOrigin, MinY: -WebMercatorOrigin, MaxX: WebMercatorOrigin, MaxY: WebMercatorOrigin}
	if r, ok := src.TileRange(1, world); !ok || r != (TileRange{0, 1, 1, 1}) {
		t.Errorf("source TileRange(z1, world) = %+v, %v, want cols 0-1 row 1", r, ok)
	}
	if r, ok := src.TileRange(2, world); ok {
		t.Errorf("source TileRange(z2) = %+v, want none", r)
	}
	if _, err := src.URL("2", 0, 0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("URL(z2) = %v, want ErrOutOfRange", err)
	}
	if _, err := src.URL("1", 0, 0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("URL(z1 row 0) = %v, want ErrOutOfRange", err)
	}
	if u, err := src.URL("1", 1, 1); err != nil || u != "http://t/1/1/1.png" {
		t.Errorf("URL(z1 1 1) = %q, %v", u, err)
	}
}

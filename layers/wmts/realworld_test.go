package wmts

import (
	"reflect"
	"testing"
)

// TestRealWorldDocuments checks what an engine relies on in each of the
// real-world-like documents: which sets are Web-Mercator aligned, the
// corners after the axis-order rules, the endpoints, and the tiles that
// cover a place.
func TestRealWorldDocuments(t *testing.T) {
	type setWant struct {
		id          string
		webMercator bool
		topLeft     [2]float64 // of the first matrix
		pixel0      float64    // pixel size of the first matrix, CRS units
	}
	tests := []struct {
		name      string
		kvp, rest []string
		layers    []string
		sets      []setWant
	}{
		{"mapproxy", []string{"http://tiles.example.org/mapproxy/service?"}, nil, []string{"osm", "flood"}, []setWant{
			{"GLOBAL_WEBMERCATOR", true, [2]float64{-20037508.3427892, 20037508.3427892}, 156543.0339280412},
			{"EPSG4326", false, [2]float64{-180, 90}, 1.40625},
		}},
		{"geoserver", []string{"http://gs.example.net/geoserver/gwc/service/wmts?tenant=acme&"}, nil, []string{"topp:states"}, []setWant{
			{"EPSG:4326", false, [2]float64{-180, 90}, 0.703125},
			{"EPSG:900913", true, [2]float64{-20037508.34, 20037508.34}, 156543.03390625},
		}},
		{"arcgis", nil, []string{"https://maps.example.com/arcgis/rest/services/World_Imagery/MapServer/WMTS/tile/1.0.0/"}, []string{"World_Imagery"}, []setWant{
			{"default028mm", true, [2]float64{-20037508.342787, 20037508.342787}, 156543.0339306},
			{"GoogleMapsCompatible", true, [2]float64{-20037508.34278925, 20037508.34278925}, 156543.0339280412},
		}},
		{"pdok", []string{"https://service.pdok.example/brt/achtergrondkaart/wmts/v2_0?"}, []string{"https://service.pdok.example/brt/achtergrondkaart/wmts/v2_0/"},
			[]string{"standaard", "grijs"}, []setWant{
				{"EPSG:28992", false, [2]float64{-285401.92, 903401.92}, 3440.64},
				{"EPSG:3857", true, [2]float64{-20037508.342789, 20037508.342789}, 156543.0339280412},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseFile(t, tt.name+".xml")
			if len(c.Warnings) != 0 {
				t.Errorf("warnings: %q", c.Warnings)
			}
			if !reflect.DeepEqual(c.GetTileKVP, tt.kvp) || !reflect.DeepEqual(c.GetTileREST, tt.rest) {
				t.Errorf("GetTile KVP, REST = %q, %q, want %q, %q", c.GetTileKVP, c.GetTileREST, tt.kvp, tt.rest)
			}
			var layers []string
			for _, l := range c.Layers {
				layers = append(layers, l.Identifier)
			}
			if !reflect.DeepEqual(layers, tt.layers) {
				t.Errorf("layers = %q, want %q", layers, tt.layers)
			}
			if len(c.TileMatrixSets) != len(tt.sets) {
				t.Fatalf("%d sets, want %d", len(c.TileMatrixSets), len(tt.sets))
			}
			for i, w := range tt.sets {
				s := c.TileMatrixSets[i]
				m := s.Matrices[0]
				if s.Identifier != w.id || s.IsWebMercator() != w.webMercator || m.TopLeftX != w.topLeft[0] || m.TopLeftY != w.topLeft[1] ||
					!near(s.PixelSize(0), w.pixel0, w.pixel0*1e-9) {
					t.Errorf("set %d = %s web mercator %v corner (%v, %v) pixel %v, want %+v", i, s.Identifier, s.IsWebMercator(),
						m.TopLeftX, m.TopLeftY, s.PixelSize(0), w)
				}
			}
		})
	}
}

// TestRealWorldTiles: the tiles covering a place, per document, and that
// the URL for each is built.
func TestRealWorldTiles(t *testing.T) {
	tests := []struct {
		doc, layer, set, matrix string
		box                     BBox // in the set's CRS
		want                    TileRange
	}{
		// Washington DC (-77.04, 38.90) at GeoServer's EPSG:4326 level 3
		// (tiles of 22.5 degrees, 16 x 8).
		{"geoserver", "topp:states", "EPSG:4326", "EPSG:4326:3", BBox{MinX: -77.1, MinY: 38.8, MaxX: -77, MaxY: 39}, TileRange{4, 4, 2, 2}},
		// The layer's box in the Web Mercator set at level 4, within the limits (rows 5-6, cols 2-5).
		{"geoserver", "topp:states", "EPSG:900913", "EPSG:900913:4", BBox{MinX: -13885038.38, MinY: 2870337.13, MaxX: -7455049.49, MaxY: 6338174.06}, TileRange{2, 5, 5, 6}},
		// Amsterdam (RD 121000 487000) at PDOK level 5 (tiles of 27525.12 m).
		{"pdok", "standaard", "EPSG:28992", "05", BBox{MinX: 120000, MinY: 486000, MaxX: 122000, MaxY: 488000}, TileRange{14, 14, 15, 15}},
		// London, on the prime meridian, in the MapProxy EPSG:4326 set at
		// level 3 (45 degrees per tile, 8 x 4).
		{"mapproxy", "osm", "EPSG4326", "03", BBox{MinX: -0.2, MinY: 51.4, MaxX: 0.1, MaxY: 51.6}, TileRange{3, 4, 0, 0}},
	}
	for _, tt := range tests {
		c := parseFile(t, tt.doc+".xml")
		s := c.MatrixSet(tt.set)
		i := s.Matrix(tt.matrix)
		lim := c.Layer(tt.layer).Link(tt.set).LimitsFor(tt.matrix)
		got, ok := s.TileRange(i, tt.box, lim)
		if !ok || got != tt.want {
			t.Errorf("%s %s %s: TileRange = %+v, %v, want %+v", tt.doc, tt.set, tt.matrix, got, ok, tt.want)
			continue
		}
		src, err := c.Source(tt.layer, "", tt.set, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for row := got.MinRow; row <= got.MaxRow; row++ {
			for col := got.MinCol; col <= got.MaxCol; col++ {
				if _, err := src.URL(tt.matrix, row, col); err != nil {
					t.Errorf("%s: URL(%d, %d): %v", tt.doc, row, col, err)
				}
			}
		}
	}
}

package wmtskind

import (
	"errors"
	"strings"
	"testing"

	"mapvault/layers"
	"mapvault/layers/wmts"
	"mapvault/project"
)

// dimsCaps is a layer with a TIME dimension (default 2024-01-01) and an
// ELEVATION one (no default, first value 0), on a Web Mercator set of zoom
// 0..2; RESOURCE is its RESTful template, or nothing (KVP).
const dimsCaps = `<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:OperationsMetadata>
    <ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="https://t.example/kvp?"/></ows:HTTP></ows:DCP></ows:Operation>
  </ows:OperationsMetadata>
  <Contents>
    <Layer>
      <ows:Identifier>radar</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/png</Format>
      <Dimension><ows:Identifier>Time</ows:Identifier><Default>2024-01-01</Default><Value>2024-01-01</Value><Value>2024-01-02</Value></Dimension>
      <Dimension><ows:Identifier>ELEVATION</ows:Identifier><Value>0</Value><Value>500</Value></Dimension>
      <TileMatrixSetLink><TileMatrixSet>WM</TileMatrixSet></TileMatrixSetLink>
      <TileMatrixSetLink><TileMatrixSet>CRS84</TileMatrixSet></TileMatrixSetLink>
      RESOURCE
    </Layer>
    <TileMatrixSet>
      <ows:Identifier>WM</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>559082264.0287178</ScaleDenominator><TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
      <TileMatrix><ows:Identifier>1</ows:Identifier><ScaleDenominator>279541132.0143589</ScaleDenominator><TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>2</MatrixWidth><MatrixHeight>2</MatrixHeight></TileMatrix>
    </TileMatrixSet>
    <TileMatrixSet>
      <ows:Identifier>CRS84</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:OGC:1.3:CRS84</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>279541132.0143589</ScaleDenominator><TopLeftCorner>-180 90</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>2</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
    </TileMatrixSet>
  </Contents>
</Capabilities>`

func parseDims(t *testing.T, resource string) *wmts.Capabilities {
	t.Helper()
	caps, err := wmts.Parse(strings.NewReader(strings.ReplaceAll(dimsCaps, "RESOURCE", resource)))
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

// TestDimensions: the project's dimension values go into KVP GetTile
// parameters named like the dimension and into {Time}/{elevation}
// template variables (names matched case-insensitively); the ones left out
// take the capabilities' default (else the first value), and every value
// is part of the source's Key.
func TestDimensions(t *testing.T) {
	rest := `<ResourceURL format="image/png" resourceType="tile" template="https://t.example/rest/radar/{time}/{Elevation}/{TileMatrix}/{TileCol}/{TileRow}.png"/>`
	tile := layers.Tile{Z: 1, X: 1, Y: 0}
	for _, tt := range []struct {
		name     string
		resource string
		dims     map[string]string
		want     string
	}{
		{"kvp defaults", "", nil,
			"https://t.example/kvp?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=radar&STYLE=default&TILEMATRIXSET=WM&TILEMATRIX=1&TILEROW=0&TILECOL=1&FORMAT=image/png&ELEVATION=0&Time=2024-01-01"},
		{"kvp values", "", map[string]string{"time": "2024-01-02", "Elevation": "500"},
			"https://t.example/kvp?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=radar&STYLE=default&TILEMATRIXSET=WM&TILEMATRIX=1&TILEROW=0&TILECOL=1&FORMAT=image/png&ELEVATION=500&Time=2024-01-02"},
		{"kvp one value, one default", "", map[string]string{"TIME": "2024-01-02", "ELEVATION": ""},
			"https://t.example/kvp?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=radar&STYLE=default&TILEMATRIXSET=WM&TILEMATRIX=1&TILEROW=0&TILECOL=1&FORMAT=image/png&ELEVATION=0&Time=2024-01-02"},
		{"rest defaults", rest, nil, "https://t.example/rest/radar/2024-01-01/0/1/1/0.png"},
		{"rest values", rest, map[string]string{"Time": "2024-01-02T06:00Z", "elevation": "500"}, "https://t.example/rest/radar/2024-01-02T06:00Z/500/1/1/0.png"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			caps := parseDims(t, tt.resource)
			src, err := NewTiles(caps, project.WMTS{Layer: "radar", Dimensions: tt.dims})
			if err != nil {
				t.Fatal(err)
			}
			r, ok := src.Tile(tile, 256)
			if !ok || r.URL != tt.want {
				t.Errorf("Tile = %q, %v\nwant %q", r.URL, ok, tt.want)
			}
		})
	}

	// Keys: values change the key, a value equal to the default does not.
	keyOf := func(resource string, dims map[string]string) string {
		src, err := NewTiles(parseDims(t, resource), project.WMTS{Layer: "radar", Dimensions: dims})
		if err != nil {
			t.Fatal(err)
		}
		return src.Key()
	}
	for _, res := range []string{"", rest} {
		def := keyOf(res, nil)
		if k := keyOf(res, map[string]string{"Time": "2024-01-02"}); k == def {
			t.Errorf("%q: Time=2024-01-02 has the default's key %q", res, k)
		}
		if k := keyOf(res, map[string]string{"elevation": "500"}); k == def {
			t.Errorf("%q: elevation=500 has the default's key %q", res, k)
		}
		if k := keyOf(res, map[string]string{"TIME": "2024-01-01"}); k != def {
			t.Errorf("%q: the default value given has key %q, want the default's %q", res, k, def)
		}
	}
	// A resampled set sends them too, and keys them.
	for _, res := range []string{"", rest} {
		def, err := NewResampled(parseDims(t, res), project.WMTS{Layer: "radar", MatrixSet: "CRS84"})
		if err != nil {
			t.Fatal(err)
		}
		given, err := NewResampled(parseDims(t, res), project.WMTS{Layer: "radar", MatrixSet: "CRS84", Dimensions: map[string]string{"time": "2024-01-02"}})
		if err != nil {
			t.Fatal(err)
		}
		r, ok := given.Tile(layers.Tile{Z: 1, X: 1, Y: 0}, 256)
		if !ok || !strings.Contains(r.URL, "2024-01-02") || given.Key() == def.Key() {
			t.Errorf("%q: resampled tile %q, %v; keys %q and %q", res, r.URL, ok, given.Key(), def.Key())
		}
	}
	// A template with no static values in it: the key still differs.
	plain := `<ResourceURL format="image/png" resourceType="tile" template="https://t.example/rest/{TileMatrix}/{TileCol}/{TileRow}.png"/>`
	if keyOf(plain, map[string]string{"Time": "2024-01-02"}) == keyOf(plain, nil) {
		t.Error("a template without {Time}: the dimension value does not change the key")
	}
}

// TestDimensionErrors: a name the layer does not declare, and a template
// variable that is no dimension, fail at Resolve (NewTiles) with the wmts
// package's errors; a declared dimension with neither value nor default
// nor values is ErrMissingDimension.
func TestDimensionErrors(t *testing.T) {
	_, err := NewTiles(parseDims(t, ""), project.WMTS{Layer: "radar", Dimensions: map[string]string{"Band": "1"}})
	if !errors.Is(err, wmts.ErrUnknownDimension) || !strings.Contains(err.Error(), "Band") {
		t.Errorf("unknown dimension: err = %v", err)
	}
	bad := `<ResourceURL format="image/png" resourceType="tile" template="https://t.example/{Band}/{TileMatrix}/{TileCol}/{TileRow}.png"/>`
	_, err = NewTiles(parseDims(t, bad), project.WMTS{Layer: "radar"})
	if !errors.Is(err, wmts.ErrBadTemplate) || !strings.Contains(err.Error(), "{band}") {
		t.Errorf("template variable without a dimension: err = %v", err)
	}
	noDefault := strings.Replace(dimsCaps, "<Value>0</Value><Value>500</Value>", "", 1)
	caps, err := wmts.Parse(strings.NewReader(strings.ReplaceAll(noDefault, "RESOURCE", "")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewTiles(caps, project.WMTS{Layer: "radar"})
	if !errors.Is(err, wmts.ErrMissingDimension) || !strings.Contains(err.Error(), "ELEVATION") {
		t.Errorf("no value, no default: err = %v", err)
	}
	if _, err := NewTiles(caps, project.WMTS{Layer: "radar", Dimensions: map[string]string{"elevation": "10"}}); err != nil {
		t.Errorf("no default but a value given: err = %v", err)
	}
}

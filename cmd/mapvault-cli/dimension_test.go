package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mapvault/project"
)

// radarCaps is a RESTful WMTS document: layer radar with a Time dimension
// in its template, on a one-level Web Mercator set.
const radarCaps = `<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" version="1.0.0">
  <Contents>
    <Layer>
      <ows:Title>Radar</ows:Title><ows:Identifier>radar</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/png</Format>
      <Dimension><ows:Identifier>Time</ows:Identifier><Default>2024-01-01</Default><Value>2024-01-01</Value><Value>2024-01-02</Value></Dimension>
      <TileMatrixSetLink><TileMatrixSet>WM</TileMatrixSet></TileMatrixSetLink>
      <ResourceURL format="image/png" resourceType="tile" template="BASE/t/{Time}/{TileMatrix}/{TileCol}/{TileRow}.png"/>
    </Layer>
    <TileMatrixSet><ows:Identifier>WM</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>559082264.0287178</ScaleDenominator><TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
    </TileMatrixSet>
  </Contents>
</Capabilities>`

// TestAddDimension: add --dimension writes the value under the name the
// service declares; an undeclared name, or a non-WMTS layer, is a usage
// error and writes nothing.
func TestAddDimension(t *testing.T) {
	var tile bytes.Buffer
	_ = png.Encode(&tile, image.NewNRGBA(image.Rect(0, 0, 256, 256)))
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/WMTSCapabilities.xml" {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, strings.ReplaceAll(radarCaps, "BASE", srv.URL))
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile.Bytes())
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	capsURL := srv.URL + "/WMTSCapabilities.xml"

	r := runArgs(t, "add", path, capsURL, "--layers", "radar", "--dimension", "Band=3")
	wantCode(t, r, exitUsage, "add --dimension Band=3")
	if !strings.Contains(r.err, `no dimension "Band"`) || !strings.Contains(r.err, "Time") {
		t.Errorf("stderr = %s", r.err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a project was written")
	}
	r = runArgs(t, "add", path, capsURL, "--layers", "radar", "--dimension", "time=2024-01-02")
	wantCode(t, r, exitOK, "add --dimension time=2024-01-02")
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Layers) != 1 || !reflect.DeepEqual(p.Layers[0].WMTS.Dimensions, map[string]string{"Time": "2024-01-02"}) {
		t.Errorf("layers = %+v, want radar with Time=2024-01-02", p.Layers)
	}
	r = runArgs(t, "add", path, "https://tiles.example/{z}/{x}/{y}.png", "--dimension", "Time=1")
	wantCode(t, r, exitUsage, "add an XYZ template with --dimension")
	if p2, _ := project.Load(path); len(p2.Layers) != 1 {
		t.Errorf("%d layers after a refused add", len(p2.Layers))
	}
	r = runArgs(t, "add", path, capsURL, "--layers", "radar", "--dimension", "noequals")
	wantCode(t, r, exitUsage, "add --dimension noequals")
}

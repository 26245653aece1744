package wmtskind

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// capsTemplate is a MapProxy-like document: zero-padded matrix
// identifiers, a Web Mercator set whose first matrix is zoom 2, an
// EPSG:4326 set linked first, limits on zoom 4 (columns 8-10 only), JPEG
// listed before PNG, a RESTful template and a KVP endpoint.
const capsTemplate = `<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:ServiceIdentification><ows:Title>Test tiles SECRETTITLE</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>
  <ows:OperationsMetadata>
    <ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="BASE/kvp?">
      <ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint>
    </ows:Get></ows:HTTP></ows:DCP></ows:Operation>
  </ows:OperationsMetadata>
  <Contents>
    <Layer>
      <ows:Title>Base map</ows:Title>
      <ows:WGS84BoundingBox><ows:LowerCorner>-20 30</ows:LowerCorner><ows:UpperCorner>40 70</ows:UpperCorner></ows:WGS84BoundingBox>
      <ows:Identifier>basemap</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/jpeg</Format>
      <Format>image/png</Format>
      <TileMatrixSetLink><TileMatrixSet>WGS</TileMatrixSet></TileMatrixSetLink>
      <TileMatrixSetLink><TileMatrixSet>WM</TileMatrixSet>
        <TileMatrixSetLimits>
          <TileMatrixLimits><TileMatrix>02</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>3</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>3</MaxTileCol></TileMatrixLimits>
          <TileMatrixLimits><TileMatrix>03</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>7</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>7</MaxTileCol></TileMatrixLimits>
          <TileMatrixLimits><TileMatrix>04</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>15</MaxTileRow><MinTileCol>8</MinTileCol><MaxTileCol>10</MaxTileCol></TileMatrixLimits>
          <TileMatrixLimits><TileMatrix>05</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>31</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>31</MaxTileCol></TileMatrixLimits>
          <TileMatrixLimits><TileMatrix>06</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>63</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>63</MaxTileCol></TileMatrixLimits>
        </TileMatrixSetLimits>
      </TileMatrixSetLink>
      RESOURCE
    </Layer>
    <TileMatrixSet>
      <ows:Identifier>WGS</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::4326</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>00</ows:Identifier><ScaleDenominator>279541132.0143589</ScaleDenominator><TopLeftCorner>90 -180</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>2</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
    </TileMatrixSet>
    <TileMatrixSet>
      <ows:Identifier>WM</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>
      MATRICES
    </TileMatrixSet>
  </Contents>
</Capabilities>`

const restResource = `<ResourceURL format="image/png" resourceType="tile" template="BASE/rest/basemap/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png"/>`

func capsDoc(base string, rest bool) string {
	var m strings.Builder
	for z := 2; z <= 6; z++ {
		fmt.Fprintf(&m, `<TileMatrix><ows:Identifier>%02d</ows:Identifier><ScaleDenominator>%.10f</ScaleDenominator><TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>%d</MatrixWidth><MatrixHeight>%d</MatrixHeight></TileMatrix>`,
			z, 559082264.0287178/float64(int(1)<<z), 1<<z, 1<<z)
	}
	res := ""
	if rest {
		res = restResource
	}
	s := strings.ReplaceAll(capsTemplate, "MATRICES", m.String())
	s = strings.ReplaceAll(s, "RESOURCE", res)
	return strings.ReplaceAll(s, "BASE", base)
}

// wmtsServer serves the document at /rest/WMTSCapabilities.xml (RESTful)
// and /kvp?SERVICE=WMTS&REQUEST=GetCapabilities (KVP only), and tiles
// that say where they are: tile z/x/y in four quadrants q coloured R =
// 16z + 4q, G = x, B = y (as layers/xyz's render test).
type wmtsServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	caps  int
	tiles []string
}

var restTile = regexp.MustCompile(`^/rest/basemap/WM/(\d+)/(\d+)/(\d+)\.png$`)

func newWMTSServer(t testing.TB) *wmtsServer {
	ws := &wmtsServer{}
	ws.srv = httptest.NewServer(http.HandlerFunc(ws.serve))
	t.Cleanup(ws.srv.Close)
	return ws
}

func (ws *wmtsServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var matrix, col, row string
	switch {
	case r.URL.Path == "/rest/WMTSCapabilities.xml":
		ws.mu.Lock()
		ws.caps++
		ws.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, capsDoc(ws.srv.URL, true))
		return
	case r.URL.Path == "/kvp" && strings.EqualFold(q.Get("REQUEST"), "GetCapabilities"):
		ws.mu.Lock()
		ws.caps++
		ws.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, capsDoc(ws.srv.URL, false))
		return
	case r.URL.Path == "/kvp" && q.Get("REQUEST") == "GetTile" && q.Get("LAYER") == "basemap" && q.Get("TILEMATRIXSET") == "WM" && q.Get("FORMAT") == "image/png":
		matrix, col, row = q.Get("TILEMATRIX"), q.Get("TILECOL"), q.Get("TILEROW")
	default:
		m := restTile.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.Error(w, "no such resource", http.StatusBadRequest)
			return
		}
		matrix, col, row = m[1], m[2], m[3]
	}
	ws.mu.Lock()
	ws.tiles = append(ws.tiles, matrix+"/"+col+"/"+row)
	ws.mu.Unlock()
	if len(matrix) != 2 {
		http.Error(w, "matrix identifiers are zero-padded", http.StatusBadRequest)
		return
	}
	z, _ := strconv.Atoi(matrix)
	x, _ := strconv.Atoi(col)
	y, _ := strconv.Atoi(row)
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for py := range 256 {
		for px := range 256 {
			qd := 0
			if px >= 128 {
				qd++
			}
			if py >= 128 {
				qd += 2
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(16*z + 4*qd), uint8(x), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(b.Bytes())
}

var view4 = layers.View{CenterLon: 10, CenterLat: 50, Zoom: 4, Width: 600, Height: 400}

// colLimits are the zoom-4 columns the layer has (TileMatrixSetLimits).
func inLimits(z, x int) bool { return z != 4 || (x >= 8 && x <= 10) }

// compare checks every 5th frame pixel against the tile of zoom z that
// belongs there (transparent outside the limits); pixels within 2 pixels
// of a quadrant edge are skipped.
func compare(v layers.View, frame *image.RGBA, z int) (bad, checked int) {
	world := float64(layers.TileSize) * math.Exp2(v.Zoom)
	mx, my := layers.LonLatToMercator(v.CenterLon, v.CenterLat)
	cx := (mx + layers.MercatorExtent) / (2 * layers.MercatorExtent) * world
	cy := (layers.MercatorExtent - my) / (2 * layers.MercatorExtent) * world
	b := frame.Bounds()
	n := float64(int(1) << z)
	side := world / n
	for py := 0; py < b.Dy(); py += 5 {
		for px := 0; px < b.Dx(); px += 5 {
			fx := (cx - float64(b.Dx())/2 + float64(px) + 0.5) / world
			fy := (cy - float64(b.Dy())/2 + float64(py) + 0.5) / world
			if fx < 0 || fx >= 1 || fy < 0 || fy >= 1 {
				continue
			}
			x, y := int(fx*n), int(fy*n)
			qx, qy := fx*n-float64(x), fy*n-float64(y)
			if side*min(qx, math.Abs(qx-0.5), 1-qx, qy, math.Abs(qy-0.5), 1-qy) < 2 {
				continue
			}
			q := 0
			if qx >= 0.5 {
				q++
			}
			if qy >= 0.5 {
				q += 2
			}
			want := color.RGBA{uint8(16*z + 4*q), uint8(x), uint8(y), 255}
			if !inLimits(z, x) {
				want = color.RGBA{}
			}
			checked++
			if frame.RGBAAt(px, py) != want {
				bad++
			}
		}
	}
	return bad, checked
}

func layerOf(source string) project.Layer {
	return project.Layer{ID: "T", Kind: project.KindWMTS, Source: source, Opacity: 1, Visible: true, WMTS: project.WMTS{Layer: "basemap"}}
}

func render(t *testing.T, k Kind, client *http.Client, l project.Layer, v layers.View) (*image.RGBA, layers.State) {
	t.Helper()
	cat := layers.NewCatalog(client, layers.NewRegistry(k), nil)
	spec, err := cat.Spec(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	spec.ID, spec.Opacity = "T", 1
	frame, states, _ := layers.NewEngine(client, layers.Options{}).Render(context.Background(), v, []layers.LayerSpec{spec}, nil)
	return frame, states["T"]
}

// TestRenderComparison draws the layer through the RESTful template and
// through KVP, and compares each frame with the tiles that belong there:
// the matrix of the view's zoom (identifier "04", the third matrix of the
// set), its columns and rows, nothing outside the limits. The same frame
// against zoom 5, or a view half a tile or a row off, fails.
func TestRenderComparison(t *testing.T) {
	ws := newWMTSServer(t)
	for _, src := range []string{ws.srv.URL + "/rest/WMTSCapabilities.xml", ws.srv.URL + "/kvp?SERVICE=WMTS&REQUEST=GetCapabilities"} {
		ws.mu.Lock()
		ws.tiles, ws.caps = nil, 0
		ws.mu.Unlock()
		frame, state := render(t, New(), ws.srv.Client(), layerOf(src), view4)
		if state.Kind != layers.StateOK {
			t.Fatalf("%s: state = %v", src, state)
		}
		bad, checked := compare(view4, frame, 4)
		if bad != 0 || checked < 1000 {
			t.Errorf("%s: %d of %d pixels differ from the tiles that belong there", src, bad, checked)
		}
		ws.mu.Lock()
		for _, tl := range ws.tiles {
			if !strings.HasPrefix(tl, "04/") || strings.HasPrefix(tl, "04/7/") {
				t.Errorf("%s: tile %s asked for; want zoom 04 within the limits", src, tl)
			}
		}
		if ws.caps != 1 {
			t.Errorf("%s: capabilities read %d times", src, ws.caps)
		}
		ws.mu.Unlock()
		for _, w := range []struct {
			name string
			v    layers.View
			z    int
		}{
			{"one zoom level off", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 600, Height: 400}, 5},
			{"half a column off", layers.View{CenterLon: 10 + 360.0/32, CenterLat: 50, Zoom: 4, Width: 600, Height: 400}, 4},
			{"a row off", layers.View{CenterLon: 10, CenterLat: 41, Zoom: 4, Width: 600, Height: 400}, 4},
		} {
			if bad, checked := compare(w.v, frame, w.z); bad < checked/20 {
				t.Errorf("%s: only %d of %d pixels differ; the comparison would not catch it", w.name, bad, checked)
			}
		}
	}
}

// TestOverZoomAndBelow: deeper than the set's last level a part of its
// tile is drawn; above its first level (zoom 2) nothing is asked.
func TestOverZoomAndBelow(t *testing.T) {
	ws := newWMTSServer(t)
	k := New()
	cat := layers.NewCatalog(ws.srv.Client(), layers.NewRegistry(k), nil)
	spec, err := cat.Spec(context.Background(), layerOf(ws.srv.URL+"/rest/WMTSCapabilities.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := spec.Tiles.Tile(layers.Tile{Z: 1, X: 1, Y: 0}, 256); ok {
		t.Error("zoom 1: a request; the set starts at zoom 2")
	}
	r, ok := spec.Tiles.Tile(layers.Tile{Z: 8, X: 135, Y: 86}, 256)
	if !ok || !strings.HasSuffix(r.URL, "/WM/06/33/21.png") || r.Part != image.Rect(192, 128, 256, 192) {
		t.Errorf("zoom 8 = %+v, %v; want tile 06/33/21 part (192,128)-(256,192)", r, ok)
	}
	if _, ok := spec.Tiles.Tile(layers.Tile{Z: 4, X: 7, Y: 5}, 256); ok {
		t.Error("zoom 4 column 7: a request outside the limits")
	}
	if r, ok := spec.Tiles.Tile(layers.Tile{Z: 4, X: 8, Y: 5}, 256); !ok || !r.NotFoundEmpty {
		t.Errorf("zoom 4 column 8 = %+v, %v", r, ok)
	}
}

// TestOpenLayerProbe: the service lists the layer; Layer picks the Web
// Mercator set over the first-linked EPSG:4326 one and PNG over JPEG; the
// probe is then a real tile in the layer's box.
func TestOpenLayerProbe(t *testing.T) {
	ws := newWMTSServer(t)
	k := New()
	src := ws.srv.URL + "/rest/WMTSCapabilities.xml"
	if tg, err := k.Probe(layerOf(src), 0, 0); err != nil || tg.Expect != vault.ExpectXML {
		t.Errorf("probe before the capabilities are read = %+v, %v; want the capabilities", tg, err)
	}
	svc, err := k.Open(context.Background(), ws.srv.Client(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !svc.NeedsChoice() || len(svc.Offers()) != 1 || svc.Offers()[0].Name != "basemap" || svc.Offers()[0].Box == nil {
		t.Errorf("offers = %+v", svc.Offers())
	}
	l, offer, ok := svc.Layer("basemap")
	want := project.WMTS{Layer: "basemap", Style: "default", MatrixSet: "WM", Format: "image/png"}
	if !ok || l.Kind != project.KindWMTS || l.Source != src || fmt.Sprint(l.WMTS) != fmt.Sprint(want) || offer.Box == nil {
		t.Errorf("Layer = %+v, %+v, %v", l, offer, ok)
	}
	if _, _, ok := svc.Layer("nope"); ok {
		t.Error("Layer(nope) ok")
	}
	tg, err := k.Probe(l, 10, 50)
	if err != nil || tg.Expect != vault.ExpectImage || !strings.Contains(tg.URL, "/rest/basemap/WM/04/8/5.png") {
		t.Errorf("probe = %+v, %v; want tile 04/8/5", tg, err)
	}
	tg, _ = k.Probe(l, 150, -40) // outside the box: its centre
	if !strings.Contains(tg.URL, "/WM/04/8/") {
		t.Errorf("probe outside the box = %s", tg.URL)
	}
	var b bytes.Buffer
	if err := svc.(layers.Reporter).WriteReportJSON(&b, "SECRETTITLE"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "SECRETTITLE") || !strings.Contains(b.String(), `"web_mercator": true`) {
		t.Errorf("report:\n%s", b.String())
	}
	if s := svc.(layers.Reporter).Summary(); len(s) < 2 || !strings.Contains(s[0], "WMTS 1.0.0") {
		t.Errorf("summary = %q", s)
	}
}

func TestMatch(t *testing.T) {
	k := New()
	for raw, want := range map[string]int{
		"https://x.example/service?SERVICE=WMTS&REQUEST=GetCapabilities": 95,
		"https://x.example/mapproxy/wmts/1.0.0/WMTSCapabilities.xml":     95,
		"https://x.example/service?SERVICE=WMS":                          0,
		"https://x.example/geoserver/gwc/service/wmts":                   30,
		"https://x.example/tiles/{z}/{x}/{y}.png":                        0,
	} {
		if got := k.MatchURL(raw); got != want {
			t.Errorf("MatchURL(%s) = %d, want %d", raw, got, want)
		}
	}
	if !k.MatchDocument("text/xml", []byte(capsDoc("http://x", true))) {
		t.Error("a WMTS document not recognised")
	}
	if k.MatchDocument("text/xml", []byte(`<Capabilities xmlns="http://www.opengis.net/wcs/1.1"/>`)) {
		t.Error("a WCS document recognised")
	}
	for _, raw := range []string{"https://x.example/mapproxy/wmts/1.0.0/WMTSCapabilities.xml", "https://x.example/service?SERVICE=WMTS&REQUEST=GetCapabilities"} {
		if k2, ok := layers.NewRegistry(k).DetectURL(raw); !ok || k2.Name() != project.KindWMTS {
			t.Errorf("DetectURL(%s) = %v", raw, k2)
		}
	}
	u, _ := CapabilitiesURL("https://x.example/service?map=a&service=wmts")
	if u != "https://x.example/service?map=a&SERVICE=WMTS&REQUEST=GetCapabilities&VERSION=1.0.0" {
		t.Errorf("CapabilitiesURL = %s", u)
	}
}

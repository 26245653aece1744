package wmtskind

import (
	"bytes"
	"context"
	"errors"
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
)

// gridCaps has one layer linked to three sets: CRS84 (WorldCRS84Quad,
// levels 0..7, 256-pixel tiles, 2^(k+1) x 2^k), M512 (EPSG:3857 with
// 512-pixel tiles and its origin moved half a world-tile of level 0 in,
// levels 0..6) and RD (EPSG:28992, which cannot be drawn).
const gridCaps = `<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" version="1.0.0">
  <Contents>
    <Layer>
      <ows:Identifier>grid</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/png</Format>
      <TileMatrixSetLink><TileMatrixSet>RD</TileMatrixSet></TileMatrixSetLink>
      <TileMatrixSetLink><TileMatrixSet>CRS84</TileMatrixSet></TileMatrixSetLink>
      <TileMatrixSetLink><TileMatrixSet>M512</TileMatrixSet></TileMatrixSetLink>
      <ResourceURL format="image/png" resourceType="tile" template="BASE/t/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png"/>
    </Layer>
    <TileMatrixSet><ows:Identifier>CRS84</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:OGC:1.3:CRS84</ows:SupportedCRS>CRS84LEVELS</TileMatrixSet>
    <TileMatrixSet><ows:Identifier>M512</ows:Identifier><ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>M512LEVELS</TileMatrixSet>
    <TileMatrixSet><ows:Identifier>RD</ows:Identifier><ows:SupportedCRS>EPSG:28992</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>12288000</ScaleDenominator><TopLeftCorner>-285401.92 903401.92</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
    </TileMatrixSet>
  </Contents>
</Capabilities>`

// m512Origin is the top-left corner of set M512 (metres, x and -y).
const m512Origin = -20037508.342789244 + 20037508.342789244/2

func gridDoc(base string) string {
	var c, m strings.Builder
	for k := 0; k <= 7; k++ {
		fmt.Fprintf(&c, `<TileMatrix><ows:Identifier>%d</ows:Identifier><ScaleDenominator>%.10f</ScaleDenominator><TopLeftCorner>-180 90</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>%d</MatrixWidth><MatrixHeight>%d</MatrixHeight></TileMatrix>`,
			k, 279541132.0143589/math.Exp2(float64(k)), 2<<k, 1<<k)
	}
	for k := 0; k <= 6; k++ {
		// Level k has the pixel size of Web Mercator zoom k+1 (512 px tiles).
		fmt.Fprintf(&m, `<TileMatrix><ows:Identifier>L%d</ows:Identifier><ScaleDenominator>%.10f</ScaleDenominator><TopLeftCorner>%.9f %.9f</TopLeftCorner><TileWidth>512</TileWidth><TileHeight>512</TileHeight><MatrixWidth>%d</MatrixWidth><MatrixHeight>%d</MatrixHeight></TileMatrix>`,
			k, 559082264.0287178/math.Exp2(float64(k+1)), m512Origin, -m512Origin, 1<<k, 1<<k)
	}
	s := strings.ReplaceAll(gridCaps, "CRS84LEVELS", c.String())
	s = strings.ReplaceAll(s, "M512LEVELS", m.String())
	return strings.ReplaceAll(s, "BASE", base)
}

// gridServer serves gridDoc at /WMTSCapabilities.xml and tiles whose
// pixels say where they are: in tile (col, row) of level k, quadrant q is
// R = 16k + 4q + 1, G = col, B = row.
type gridServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	tiles []string
}

var gridTile = regexp.MustCompile(`^/t/(CRS84|M512)/L?(\d+)/(\d+)/(\d+)\.png$`)

func newGridServer(t *testing.T) *gridServer {
	gs := &gridServer{}
	gs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/WMTSCapabilities.xml" {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, gridDoc(gs.srv.URL))
			return
		}
		m := gridTile.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		gs.mu.Lock()
		gs.tiles = append(gs.tiles, r.URL.Path)
		gs.mu.Unlock()
		k, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		row, _ := strconv.Atoi(m[4])
		side := 256
		if m[1] == "M512" {
			side = 512
		}
		img := image.NewNRGBA(image.Rect(0, 0, side, side))
		for y := range side {
			for x := range side {
				q := 2*(2*y/side) + 2*x/side
				img.SetNRGBA(x, y, color.NRGBA{uint8(16*k + 4*q + 1), uint8(col), uint8(row), 255})
			}
		}
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(gs.srv.Close)
	return gs
}

// expect returns the colour set set's level k has at lon/lat and how far
// (in source pixels) the point is from a quadrant edge.
func expect(set string, k int, lon, lat float64) (color.RGBA, float64) {
	var fx, fy float64 // position in tiles
	side := 256.0
	if set == "CRS84" {
		span := 180 / math.Exp2(float64(k))
		fx, fy = (lon+180)/span, (90-lat)/span
	} else {
		side = 512
		x, y := layers.LonLatToMercator(lon, lat)
		span := 2 * layers.MercatorExtent / math.Exp2(float64(k))
		fx, fy = (x-m512Origin)/span, (-m512Origin-y)/span
	}
	col, row := math.Floor(fx), math.Floor(fy)
	qx, qy := fx-col, fy-row
	edge := side * min(qx, math.Abs(qx-0.5), 1-qx, qy, math.Abs(qy-0.5), 1-qy)
	q := 0
	if qx >= 0.5 {
		q++
	}
	if qy >= 0.5 {
		q += 2
	}
	n := math.Exp2(float64(k))
	if col < 0 || row < 0 || row >= n || (set == "CRS84" && col >= 2*n) || (set == "M512" && col >= n) {
		return color.RGBA{}, edge
	}
	return color.RGBA{uint8(16*k + 4*q + 1), uint8(col), uint8(row), 255}, edge
}

// compareGrid checks every 3rd frame pixel against the colour of level k
// at that pixel's lon/lat, skipping pixels within 2 source pixels of a
// quadrant edge (they blend).
func compareGrid(v layers.View, frame *image.RGBA, set string, k int) (bad, checked int) {
	b := frame.Bounds()
	for py := 1; py < b.Dy(); py += 3 {
		for px := 1; px < b.Dx(); px += 3 {
			lon, lat := v.LonLatAt(float64(px)+0.5, float64(py)+0.5)
			want, edge := expect(set, k, lon, lat)
			if edge < 2 {
				continue
			}
			checked++
			if got := frame.RGBAAt(px, py); got != want {
				bad++
			}
		}
	}
	return bad, checked
}

// TestResampleCRS84: a Web Mercator view of a WorldCRS84Quad layer shows,
// at each pixel, the source pixel of the level whose resolution equals the
// view's (level z-1) at that pixel's lon/lat; each source tile is fetched
// once though several engine tiles share it. The same frame compared with
// the neighbouring level, or a view shifted by a few pixels, fails.
func TestResampleCRS84(t *testing.T) {
	for _, tc := range []struct {
		set  string
		view layers.View
		k    int
	}{
		{"CRS84", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 500, Height: 400}, 4},
		{"CRS84", layers.View{CenterLon: -100, CenterLat: -20, Zoom: 3.5, Width: 300, Height: 300}, 3},
		{"CRS84", layers.View{CenterLon: 20, CenterLat: 75, Zoom: 4, Width: 300, Height: 300}, 3},
		{"M512", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 500, Height: 400}, 4},
		{"M512", layers.View{CenterLon: -60, CenterLat: 10, Zoom: 3, Width: 400, Height: 300}, 2},
	} {
		t.Run(fmt.Sprintf("%s z%v", tc.set, tc.view.Zoom), func(t *testing.T) {
			gs := newGridServer(t)
			l := layerOf(gs.srv.URL + "/WMTSCapabilities.xml")
			l.WMTS.Layer, l.WMTS.MatrixSet = "grid", tc.set
			frame, state := render(t, New(), gs.srv.Client(), l, tc.view)
			if state.Kind != layers.StateOK {
				t.Fatalf("state = %+v", state)
			}
			bad, checked := compareGrid(tc.view, frame, tc.set, tc.k)
			if checked < 2000 || bad > checked/200 {
				t.Errorf("%d of %d pixels differ from level %d at their lon/lat", bad, checked, tc.k)
			}
			if bad, checked := compareGrid(tc.view, frame, tc.set, tc.k+1); bad < checked/4 {
				t.Errorf("against level %d: only %d of %d differ; the comparison would not catch it", tc.k+1, bad, checked)
			}
			shifted := tc.view
			shifted.CenterLon += 6 * 360 / (256 * math.Exp2(tc.view.Zoom))
			if bad, checked := compareGrid(shifted, frame, tc.set, tc.k); bad < checked/100 {
				t.Errorf("6 px off: only %d of %d differ", bad, checked)
			}
			gs.mu.Lock()
			defer gs.mu.Unlock()
			seen := map[string]bool{}
			for _, p := range gs.tiles {
				if seen[p] {
					t.Errorf("tile %s fetched twice", p)
				}
				seen[p] = true
				if !strings.HasPrefix(p, fmt.Sprintf("/t/%s/", tc.set)) {
					t.Errorf("tile %s of another set", p)
				}
			}
			if len(seen) == 0 {
				t.Error("no tile fetched")
			}
		})
	}
}

// TestResampleKeyAndPick: a CRS84 layer resolves to a Resampled source
// (a TileRenderer) whose Key differs from the M512 one; PickMatrixSet
// takes the first set it can draw (CRS84) over the first link (RD).
func TestResampleKeyAndPick(t *testing.T) {
	gs := newGridServer(t)
	l := layerOf(gs.srv.URL + "/WMTSCapabilities.xml")
	l.WMTS.Layer = "grid"
	cat := layers.NewCatalog(gs.srv.Client(), layers.NewRegistry(New()), nil)
	spec, err := cat.Spec(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := spec.Tiles.(*Resampled)
	if !ok || !strings.Contains(r.Key(), " CRS84 ") {
		t.Fatalf("spec.Tiles = %T %v, want the CRS84 set resampled", spec.Tiles, spec.Tiles)
	}
	l.WMTS.MatrixSet = "M512"
	spec2, err := cat.Spec(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if spec2.Tiles.Key() == r.Key() {
		t.Error("two sets, one key")
	}
	// Far coarser than the first level: more than maxSourceTiles tiles,
	// nothing asked.
	if _, ok := r.Tile(layers.Tile{Z: 0}, 256); !ok {
		t.Error("zoom 0: no tile; level 0 covers the world in two tiles")
	}
	if req, ok := r.Tile(layers.Tile{Z: 12, X: 2100, Y: 1360}, 256); !ok || !strings.Contains(req.URL, "/t/CRS84/7/") {
		t.Errorf("zoom 12 = %+v, %v; want a tile of the finest level 7 (over-zoom)", req, ok)
	}
}

// TestNotWebMercator: a set in a CRS the engine cannot resample (RD New)
// is refused with a *NotWebMercatorError naming the set and its CRS.
func TestNotWebMercator(t *testing.T) {
	gs := newGridServer(t)
	l := layerOf(gs.srv.URL + "/WMTSCapabilities.xml")
	l.WMTS.Layer, l.WMTS.MatrixSet = "grid", "RD"
	cat := layers.NewCatalog(gs.srv.Client(), layers.NewRegistry(New()), nil)
	_, err := cat.Spec(context.Background(), l)
	var nw *NotWebMercatorError
	if !errors.As(err, &nw) || nw.MatrixSet != "RD" || nw.CRS != "EPSG:28992" || !strings.Contains(err.Error(), "cannot draw") {
		t.Errorf("err = %v, want a NotWebMercatorError for RD in EPSG:28992", err)
	}
}

package xyz

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// tileServer is an XYZ tile server whose tiles say where they are: tile
// z/x/y (as the URL names it) is split in four quadrants q (0 top left, 1
// top right, 2 bottom left, 3 bottom right) coloured R = 16z + 4q, G = x,
// B = y. A tile at the wrong zoom, column, row or offset, or a quadrant
// drawn in the wrong place, shows the wrong colour.
type tileServer struct {
	srv     *httptest.Server
	missing func(z, x, y int) bool // answered 404
	key     string                 // when set, tiles need ?key=
	mu      sync.Mutex
	reqs    []string // host and path of each request
	hosts   map[string]int
}

// tilePath: /xyz/z/x/y.png, /tms/z/x/y.png (y counted from the south),
// /big/... (512-pixel tiles), with @2x for 512-pixel HiDPI tiles.
var tilePath = regexp.MustCompile(`^/(xyz|tms|big)/(\d+)/(\d+)/(\d+)(@2x)?\.png$`)

func newTileServer(t testing.TB) *tileServer {
	ts := &tileServer{hosts: map[string]int{}}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *tileServer) serve(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	ts.reqs = append(ts.reqs, r.Host+r.URL.Path)
	ts.hosts[strings.Split(r.Host, ".")[0]]++
	ts.mu.Unlock()
	m := tilePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	if ts.key != "" && r.URL.Query().Get("key") != ts.key {
		http.Error(w, "invalid key", http.StatusUnauthorized)
		return
	}
	z, _ := strconv.Atoi(m[2])
	x, _ := strconv.Atoi(m[3])
	y, _ := strconv.Atoi(m[4])
	if n := 1 << z; x >= n || y >= n {
		http.Error(w, "no such tile", http.StatusBadRequest)
		return
	}
	if ts.missing != nil && ts.missing(z, x, y) {
		http.NotFound(w, r)
		return
	}
	size := 256
	if m[1] == "big" || m[5] != "" {
		size = 512
	}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := range size {
		for px := range size {
			q := 0
			if px >= size/2 {
				q++
			}
			if py >= size/2 {
				q += 2
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(16*z + 4*q), uint8(x), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	w.Header().Set("Content-Type", "image/png")
	w.Write(b.Bytes())
}

func (ts *tileServer) requests() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.reqs)
}

// expected is what the server draws at an engine tile's point: the tile
// the source should ask for (levels up for 512-pixel tiles and over-zoom),
// in the row numbering of the template.
type expected struct {
	f     project.XYZ
	tms   bool
	big   bool // 512-pixel tiles (tile_size 512, or @2x at scale 1)
	scale float64
}

// at returns the colour at world fraction (fx, fy) of the view's zoom z,
// and the distance in frame pixels to the nearest quadrant edge of the
// server tile there (colours blur across those edges).
func (e expected) at(z int, fx, fy float64, tilePx float64) (color.RGBA, float64, bool) {
	d := 0
	if e.big && tilePx < 384 {
		d = 1
	}
	d = min(d, z)
	if maxZ := e.f.EffectiveMaxZoom(); z-d > maxZ {
		d = z - maxZ
	}
	k := z - d
	if k < e.f.MinZoom {
		return color.RGBA{}, math.Inf(1), false
	}
	n := float64(int(1) << k)
	x, y := int(fx*n), int(fy*n)
	qx, qy := fx*n-float64(x), fy*n-float64(y) // position in the server tile
	q := 0
	if qx >= 0.5 {
		q++
	}
	if qy >= 0.5 {
		q += 2
	}
	side := tilePx * math.Exp2(float64(d)) // server tile side in frame pixels
	edge := side * min(qx, math.Abs(qx-0.5), 1-qx, qy, math.Abs(qy-0.5), 1-qy)
	row := y
	if e.tms {
		row = int(n) - 1 - y
	}
	return color.RGBA{uint8(16*k + 4*q), uint8(x), uint8(row), 255}, edge, true
}

// mismatches compares frame pixels (every 5th) with what e says the tiles
// hold; pixels within 2 pixels of a quadrant edge are skipped. empty says
// which server tiles are 404s (drawn transparent).
func mismatches(t *testing.T, v layers.View, frame *image.RGBA, e expected, empty func(z, x, y int) bool) (bad, checked int) {
	return compare(t, v, frame, e, empty, true)
}

// compare is mismatches; logBad logs the first differing pixels.
func compare(t *testing.T, v layers.View, frame *image.RGBA, e expected, empty func(z, x, y int) bool, logBad bool) (bad, checked int) {
	t.Helper()
	scale := v.Scale
	if scale == 0 {
		scale = 1
	}
	z := int(v.Zoom)
	tilePx := math.Round(layers.TileSize * scale)
	world := tilePx * math.Exp2(float64(z))
	mx, my := layers.LonLatToMercator(v.CenterLon, v.CenterLat)
	cx := (mx + layers.MercatorExtent) / (2 * layers.MercatorExtent) * world
	cy := (layers.MercatorExtent - my) / (2 * layers.MercatorExtent) * world
	b := frame.Bounds()
	for py := 0; py < b.Dy(); py += 5 {
		for px := 0; px < b.Dx(); px += 5 {
			wx := cx - float64(b.Dx())/2 + float64(px) + 0.5
			wy := cy - float64(b.Dy())/2 + float64(py) + 0.5
			fx := math.Mod(wx/world+1, 1)
			fy := wy / world
			if fy < 0 || fy >= 1 {
				continue
			}
			want, edge, drawn := e.at(z, fx, fy, tilePx)
			if edge < 2 {
				continue
			}
			if drawn && empty != nil {
				k := int(want.R) / 16
				n := float64(int(1) << k)
				x, y := int(fx*n), int(fy*n)
				if empty(k, x, y) {
					want = color.RGBA{}
				}
			}
			checked++
			if got := frame.RGBAAt(px, py); got != want {
				if logBad && bad < 3 {
					t.Logf("pixel (%d, %d): got %v, want %v", px, py, got, want)
				}
				bad++
			}
		}
	}
	return bad, checked
}

func render(t *testing.T, client *http.Client, template string, f project.XYZ, v layers.View, credentialed bool) (*image.RGBA, layers.State, layers.Stats) {
	t.Helper()
	l := projectLayer(template)
	l.XYZ = f
	src, err := Kind{}.Source(l)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Kind{}.Resolve(context.Background(), layers.Env{Credentialed: credentialed}, l)
	if err != nil {
		t.Fatal(err)
	}
	spec.ID, spec.Source, spec.Opacity = "T", src, 1
	e := layers.NewEngine(client, layers.Options{})
	frame, states, st := e.Render(context.Background(), v, []layers.LayerSpec{spec}, nil)
	return frame, states["T"], st
}

// perTile stands for one request per tile of the view.
const perTile = -2

var view4 = layers.View{CenterLon: 10, CenterLat: 50, Zoom: 4, Width: 600, Height: 400}

// TestRenderComparison renders XYZ layers against tiles that encode where
// they are, and checks the frame's pixels against the tiles the grid says
// belong there: template variants, TMS rows, HiDPI, 512-pixel tiles,
// over-zoom, 404 as empty, the zoom range.
func TestRenderComparison(t *testing.T) {
	ts := newTileServer(t)
	base := ts.srv.URL
	hiDPI := view4
	hiDPI.Scale = 2
	over := view4
	over.Zoom = 6
	low := view4
	low.Zoom = 2
	tests := []struct {
		name     string
		template string
		f        project.XYZ
		v        layers.View
		e        expected
		path     string // what every request's path must contain
		requests int    // -1: don't check; perTile: one per tile of the view
	}{
		{"xyz", base + "/xyz/{z}/{x}/{y}.png", project.XYZ{}, view4, expected{}, "/xyz/4/", perTile},
		{"tms {-y}", base + "/tms/{z}/{x}/{-y}.png", project.XYZ{}, view4, expected{tms: true}, "/tms/4/", perTile},
		{"HiDPI {r}", base + "/xyz/{z}/{x}/{y}{r}.png", project.XYZ{}, hiDPI, expected{}, "@2x.png", perTile},
		{"{r} at scale 1", base + "/xyz/{z}/{x}/{y}{r}.png", project.XYZ{}, view4, expected{}, "/xyz/4/", perTile},
		{"512-pixel tiles one level up", base + "/big/{z}/{x}/{y}.png", project.XYZ{TileSize: 512}, view4, expected{big: true}, "/big/3/", -1},
		{"512-pixel tiles at HiDPI", base + "/big/{z}/{x}/{y}.png", project.XYZ{TileSize: 512}, hiDPI, expected{big: true}, "/big/4/", perTile},
		{"512-pixel tiles not announced", base + "/big/{z}/{x}/{y}.png", project.XYZ{}, view4, expected{}, "/big/4/", perTile},
		{"over-zoom from the deepest level", base + "/xyz/{z}/{x}/{y}.png", project.XYZ{MaxZoom: 4}, over, expected{f: project.XYZ{MaxZoom: 4}}, "/xyz/4/", -1},
		{"below the minimum zoom", base + "/xyz/{z}/{x}/{y}.png", project.XYZ{MinZoom: 3}, low, expected{f: project.XYZ{MinZoom: 3}}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.requests())
			frame, state, st := render(t, ts.srv.Client(), tt.template, tt.f, tt.v, false)
			if state.Kind != layers.StateOK {
				t.Fatalf("state = %v, want ok", state)
			}
			reqs := ts.requests()[before:]
			for _, r := range reqs {
				if !strings.Contains(r, tt.path) {
					t.Errorf("request %s, want every one with %s", r, tt.path)
				}
			}
			want := tt.requests
			if want == perTile {
				want = len(layers.TilesForView(tt.v))
			}
			if want >= 0 && len(reqs) != want {
				t.Errorf("%d requests, want %d", len(reqs), want)
			}
			if int(st.Requests) != len(reqs) {
				t.Errorf("Stats.Requests = %d, server saw %d", st.Requests, len(reqs))
			}
			tt.e.scale = tt.v.Scale
			bad, checked := mismatches(t, tt.v, frame, tt.e, nil)
			if bad != 0 || (checked < 1000 && tt.requests != 0) {
				t.Errorf("%d of %d pixels differ from the tiles that belong there", bad, checked)
			}
		})
	}
}

// TestRenderComparisonCatchesMistakes: the comparison is sharp enough to
// fail a tile at the wrong row numbering, zoom or offset.
func TestRenderComparisonCatchesMistakes(t *testing.T) {
	ts := newTileServer(t)
	frame, _, _ := render(t, ts.srv.Client(), ts.srv.URL+"/xyz/{z}/{x}/{y}.png", project.XYZ{}, view4, false)
	if bad, _ := mismatches(t, view4, frame, expected{}, nil); bad != 0 {
		t.Fatalf("the right tiles: %d mismatches", bad)
	}
	wrong := []struct {
		name string
		v    layers.View
		e    expected
	}{
		{"TMS rows expected", view4, expected{tms: true}},
		{"one zoom level off", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 600, Height: 400}, expected{}},
		{"half a tile off", layers.View{CenterLon: 10 + 360.0/32, CenterLat: 50, Zoom: 4, Width: 600, Height: 400}, expected{}},
		{"a quadrant off (8 pixels)", layers.View{CenterLon: 10 + 8*360.0/(256*16), CenterLat: 50, Zoom: 4, Width: 600, Height: 400}, expected{}},
	}
	for _, w := range wrong {
		// The same frame checked against another grid: a renderer that put
		// tiles there would fail the comparison.
		if bad, checked := compare(t, w.v, frame, w.e, nil, false); bad < checked/20 {
			t.Errorf("%s: only %d of %d pixels differ; the comparison would not catch it", w.name, bad, checked)
		}
	}
}

// TestRenderNotFoundIsEmpty: tiles a server answers 404 are empty: the
// layer is ok, not failed, and they draw nothing.
func TestRenderNotFoundIsEmpty(t *testing.T) {
	ts := newTileServer(t)
	ts.missing = func(z, x, y int) bool { return x%2 == 0 }
	frame, state, _ := render(t, ts.srv.Client(), ts.srv.URL+"/xyz/{z}/{x}/{y}.png", project.XYZ{}, view4, false)
	if state.Kind != layers.StateOK || state.Failed != 0 || state.Done != state.Queued {
		t.Errorf("state = %v, want ok with every tile done", state)
	}
	bad, checked := mismatches(t, view4, frame, expected{}, ts.missing)
	if bad != 0 || checked < 1000 {
		t.Errorf("%d of %d pixels differ (404 tiles must be transparent)", bad, checked)
	}
}

// subdomainClient dials the test server for any host: {s}.tiles.test.
func subdomainClient(ts *tileServer) *http.Client {
	addr := ts.srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}}
}

// TestRenderSubdomains: {s} spreads tiles over the subdomains, each tile
// always on the same one; a credentialed layer keeps to the first (where
// its credential goes), and its tiles carry the key.
func TestRenderSubdomains(t *testing.T) {
	ts := newTileServer(t)
	const tmpl = "http://{s}.tiles.test/xyz/{z}/{x}/{y}.png"
	frame, state, _ := render(t, subdomainClient(ts), tmpl, project.XYZ{}, view4, false)
	if state.Kind != layers.StateOK {
		t.Fatalf("state = %v", state)
	}
	if bad, checked := mismatches(t, view4, frame, expected{}, nil); bad != 0 || checked < 1000 {
		t.Errorf("%d of %d pixels differ", bad, checked)
	}
	ts.mu.Lock()
	hosts := ts.hosts
	ts.hosts = map[string]int{}
	ts.mu.Unlock()
	if len(hosts) != 3 || hosts["a"] == 0 || hosts["b"] == 0 || hosts["c"] == 0 {
		t.Errorf("requests per subdomain = %v, want a, b and c", hosts)
	}

	// Credentialed: a key for the layer's source, sent as ?key=.
	ts.key = "k3y-xyz-0123456789"
	l := projectLayer(tmpl)
	src, _ := Kind{}.Source(l)
	store, kv := vault.NewStore(), vault.NewKeyVault()
	store.Set(src, vault.Credential{Key: ts.key})
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "key"})
	client := vault.NewClient(store, kv, vault.TransportOptions{Base: subdomainClient(ts).Transport})
	frame, state, _ = render(t, client, tmpl, project.XYZ{}, view4, true)
	if state.Kind != layers.StateOK {
		t.Fatalf("credentialed: state = %v, want ok", state)
	}
	if bad, _ := mismatches(t, view4, frame, expected{}, nil); bad != 0 {
		t.Errorf("credentialed: %d pixels differ", bad)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if n := len(layers.TilesForView(view4)); len(ts.hosts) != 1 || ts.hosts["a"] != n {
		t.Errorf("credentialed requests per subdomain = %v, want all %d on a", ts.hosts, n)
	}
}

// TestRenderTiming renders a 1080p frame of 512-pixel HiDPI tiles from a
// local server and reports the time (a figure for the design note, not a
// limit beyond a generous bound).
func TestRenderTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	ts := newTileServer(t)
	v := layers.View{CenterLon: 10, CenterLat: 50, Zoom: 6, Width: 1920, Height: 1080}
	for _, scale := range []float64{1, 2} {
		v.Scale = scale
		start := time.Now()
		_, state, st := render(t, ts.srv.Client(), ts.srv.URL+"/xyz/{z}/{x}/{y}{r}.png", project.XYZ{}, v, false)
		cold := time.Since(start)
		if state.Kind != layers.StateOK {
			t.Fatalf("state = %v", state)
		}
		t.Logf("1920x1080 at scale %v: %d tiles, %d requests, %d KiB, %v (cold cache, local server)",
			scale, st.Tiles, st.Requests, st.Bytes>>10, cold.Round(time.Millisecond))
		if cold > 30*time.Second {
			t.Errorf("render took %v", cold)
		}
	}
}

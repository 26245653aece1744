package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"mapvault/layers"
	"mapvault/layers/wms"
	"mapvault/vault"
)

// fakeWMS answers every GetMap with a PNG of the asked size, records the
// request URIs and the most requests it served at once.
type fakeWMS struct {
	srv      *httptest.Server
	mu       sync.Mutex
	uris     []string
	inFlight atomic.Int64
	peak     atomic.Int64
	status   int // answer this status instead of a tile when non-zero
	pngs     map[image.Point][]byte
}

func newFakeWMS(t *testing.T) *fakeWMS {
	t.Helper()
	f := &fakeWMS{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWMS) serve(w http.ResponseWriter, r *http.Request) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	f.mu.Lock()
	f.uris = append(f.uris, r.URL.RequestURI())
	f.mu.Unlock()
	if f.status != 0 {
		http.Error(w, "nope", f.status)
		return
	}
	q := r.URL.Query()
	wd, _ := strconv.Atoi(q.Get("WIDTH"))
	ht, _ := strconv.Atoi(q.Get("HEIGHT"))
	if q.Get("LAYERS") == "text" {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("not a png"))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(f.tile(wd, ht))
}

// tile returns a grey PNG of w x h pixels, encoded once per size.
func (f *fakeWMS) tile(w, h int) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := image.Pt(w, h)
	if b, ok := f.pngs[key]; ok {
		return b
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if f.pngs == nil {
		f.pngs = map[image.Point][]byte{}
	}
	f.pngs[key] = buf.Bytes()
	return buf.Bytes()
}

func (f *fakeWMS) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uris)
}

// uri is the request URI part of an absolute URL.
func uri(t *testing.T, raw string) string {
	t.Helper()
	i := strings.Index(raw, "/wms?")
	if i < 0 {
		t.Fatalf("URL %q has no /wms?", raw)
	}
	return raw[i:]
}

// TestPlanMatchesEngine: the floor sends exactly the GetMap requests an
// Engine.Render of the same three layers sends, merged and not, with the
// layers' own styles.
func TestPlanMatchesEngine(t *testing.T) {
	views := []layers.View{
		{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 700, Height: 400},
		{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 300, Height: 200, Scale: 2},
		{CenterLon: 179, CenterLat: -30, Zoom: 3, Width: 600, Height: 300},
	}
	names := []string{"land", "countries", "borders"}
	styles := []string{"", "filled", "dashed"}
	for _, v := range views {
		for _, mode := range []struct{ merge, meta bool }{{true, true}, {false, true}, {true, false}} {
			merge := mode.merge
			f := newFakeWMS(t)
			base := f.srv.URL + "/wms"
			src, err := vault.SourceOf(base)
			if err != nil {
				t.Fatal(err)
			}
			var specs []layers.LayerSpec
			for i, n := range names {
				tiles, err := wms.NewTiles(wms.Params{URL: base, Version: "1.3.0", Layers: []string{n}, Styles: []string{styles[i]}, Format: "image/png", CRS: "EPSG:3857", Transparent: true})
				if err != nil {
					t.Fatal(err)
				}
				specs = append(specs, layers.LayerSpec{ID: n, Source: src, Opacity: 1, Tiles: tiles})
			}
			e := layers.NewEngine(f.srv.Client(), layers.Options{NoMerge: !merge, NoMetatiles: !mode.meta})
			_, states, st := e.Render(context.Background(), v, specs, nil)
			for id, s := range states {
				if s.Kind != layers.StateOK {
					t.Fatalf("view %+v merge %v: engine layer %s state %+v", v, merge, id, s)
				}
			}
			var want []string
			for _, r := range planWith(nil, base, "1.3.0", names, styles, v, merge, mode.meta, true, 0) {
				want = append(want, uri(t, r.URL))
			}
			got := f.requests()
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("view %+v %+v: engine sent %d requests, floor plans %d; first engine %q, first floor %q",
					v, mode, len(got), len(want), got[0], want[0])
			}
			if int64(len(want)) != st.Requests {
				t.Errorf("view %+v merge %v: Stats.Requests = %d, want %d", v, merge, st.Requests, len(want))
			}
		}
	}
}

func TestPlanCounts(t *testing.T) {
	v := layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1920, Height: 1080}
	tiles := len(layers.TilesForView(v))
	names := []string{"land", "countries", "borders"}
	merged := plan("http://h/wms", "1.3.0", names, v, true)
	split := plan("http://h/wms", "1.3.0", names, v, false)
	// 40 tiles (columns 13..20, rows 8..12) are one block of 8 x 5 tiles
	// (Render fits its requests to the view: 2048 x 1280 pixels), in two
	// parts when the view has one group.
	if tiles != 40 {
		t.Fatalf("the view has %d tiles, want 40", tiles)
	}
	if got, want := len(merged), 2; got != want {
		t.Errorf("merged plan has %d requests, want %d", got, want)
	}
	if got, want := len(split), 3; got != want {
		t.Errorf("unmerged plan has %d requests, want %d", got, want)
	}
	if got := merged[0].URL; !strings.Contains(got, "LAYERS=land,countries,borders&") || !strings.Contains(got, "WIDTH=1024&HEIGHT=1280") {
		t.Errorf("merged URL %q: want LAYERS=land,countries,borders and 1024x1280", got)
	}
	for _, r := range split {
		if r.W != 2048 || r.H != 1280 {
			t.Errorf("unmerged request %dx%d, want 2048x1280", r.W, r.H)
		}
	}
	// HiDPI (512-pixel tiles, the same 8 x 5 tiles): at most 4 tiles
	// (2048 pixels) a side, so columns 4 + 4 and rows 2 + 3: 4 requests.
	hi := plan("http://h/wms", "1.3.0", names, layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1920, Height: 1080, Scale: 2}, true)
	for _, r := range hi {
		if r.W > 2048 || r.H > 2048 {
			t.Errorf("HiDPI request %dx%d: more than 2048 a side", r.W, r.H)
		}
	}
	if len(hi) != 4 {
		t.Errorf("HiDPI plan has %d requests, want 4", len(hi))
	}
}

func TestViewBBox(t *testing.T) {
	e := layers.MercatorExtent
	tests := []struct {
		name string
		v    layers.View
		want [4]float64
	}{
		{"world at zoom 0", layers.View{Zoom: 0, Width: 256, Height: 256}, [4]float64{-e, -e, e, e}},
		{"world at zoom 1 HiDPI", layers.View{Zoom: 1, Width: 512, Height: 512, Scale: 2}, [4]float64{-e, -e, e, e}},
		{"one tile of zoom 2, north-east", layers.View{CenterLon: 45, CenterLat: 0, Zoom: 2, Width: 256, Height: 128},
			[4]float64{0, -e / 8, e / 2, e / 8}},
	}
	for _, tt := range tests {
		minX, minY, maxX, maxY := viewBBox(tt.v)
		got := [4]float64{minX, minY, maxX, maxY}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-6 {
				t.Errorf("%s: viewBBox = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestFetchAll(t *testing.T) {
	v := layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1000, Height: 600}
	t.Run("ok, bounded concurrency", func(t *testing.T) {
		f := newFakeWMS(t)
		reqs := plan(f.srv.URL+"/wms", "1.3.0", []string{"a", "b"}, v, false)
		var tot totals
		if err := fetchAll(context.Background(), f.srv.Client(), reqs, 3, &tot); err != nil {
			t.Fatalf("fetchAll: %v", err)
		}
		if got, want := tot.requests.Load(), int64(len(reqs)); got != want {
			t.Errorf("requests = %d, want %d", got, want)
		}
		if got := f.peak.Load(); got > 3 {
			t.Errorf("peak concurrency = %d, want <= 3", got)
		}
		if tot.bytes.Load() == 0 {
			t.Errorf("bytes = 0, want > 0")
		}
	})
	tests := []struct {
		name   string
		status int
		layer  string
		px     int // tile size the request claims; 0: as planned
	}{
		{"HTTP 500", 500, "a", 0},
		{"not a PNG", 0, "text", 0},
		{"wrong size", 0, "a", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t)
			f.status = tt.status
			reqs := plan(f.srv.URL+"/wms", "1.3.0", []string{tt.layer}, v, true)
			if tt.px != 0 {
				for i := range reqs {
					reqs[i].W, reqs[i].H = tt.px, tt.px
				}
			}
			var tot totals
			err := fetchAll(context.Background(), f.srv.Client(), reqs, 2, &tot)
			if !errors.Is(err, errBadTile) {
				t.Fatalf("fetchAll = %v, want errBadTile", err)
			}
			if got := tot.requests.Load(); got >= int64(len(reqs)) && len(reqs) > 4 {
				t.Errorf("requests = %d of %d: want the rest cancelled after the first error", got, len(reqs))
			}
		})
	}
}

func writePNG(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "out.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCoverage(t *testing.T) {
	quarter := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 10; y++ {
		for x := 0; x < 20; x++ {
			quarter.SetNRGBA(x, y, color.NRGBA{1, 2, 3, 4})
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 40, 20)) // opaque everywhere
	tests := []struct {
		name    string
		img     image.Image
		w, h    int
		want    float64
		wantErr bool
	}{
		{"empty", image.NewNRGBA(image.Rect(0, 0, 40, 20)), 40, 20, 0, false},
		{"a quarter drawn", quarter, 40, 20, 0.25, false},
		{"opaque gray", gray, 40, 20, 1, false},
		{"wrong size", quarter, 20, 40, 0, true},
	}
	for _, tt := range tests {
		got, err := coverage(writePNG(t, tt.img), tt.w, tt.h)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: coverage = %v, %v; want %v, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := coverage(filepath.Join(t.TempDir(), "missing.png"), 1, 1); err == nil {
		t.Errorf("coverage(missing file) = nil error, want one")
	}
}

var parseViewTests = []struct {
	size, center string
	zoom, scale  float64
	want         layers.View
	wantErr      bool
}{
	{"1920x1080", "10,50", 5, 1, layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1920, Height: 1080, Scale: 1}, false},
	{"800x600", " -179.5 , -30 ", 3.5, 2, layers.View{CenterLon: -179.5, CenterLat: -30, Zoom: 3.5, Width: 800, Height: 600, Scale: 2}, false},
	{"1920", "10,50", 5, 1, layers.View{}, true},
	{"0x10", "10,50", 5, 1, layers.View{}, true},
	{"10x10", "10", 5, 1, layers.View{}, true},
	{"10x10", "10,90", 5, 1, layers.View{}, true},
	{"10x10", "10,50", 25, 1, layers.View{}, true},
	{"10x10", "10,50", 5, 8, layers.View{}, true},
}

func TestParseView(t *testing.T) {
	for _, tt := range parseViewTests {
		got, err := parseView(tt.size, tt.center, tt.zoom, tt.scale)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseView(%q, %q, %v, %v) = %+v, %v; want %+v, error %v", tt.size, tt.center, tt.zoom, tt.scale, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseView(f *testing.F) {
	for _, tt := range parseViewTests {
		f.Add(tt.size, tt.center, tt.zoom, tt.scale)
	}
	f.Fuzz(func(t *testing.T, size, center string, zoom, scale float64) {
		v, err := parseView(size, center, zoom, scale)
		if err != nil {
			return
		}
		if v.Width < 1 || v.Height < 1 || v.Width > 16384 || v.Height > 16384 || !(v.Zoom >= 0 && v.Zoom <= layers.MaxZoom) {
			t.Fatalf("parseView(%q, %q, %v, %v) = %+v: out of range", size, center, zoom, scale, v)
		}
	})
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"-bbox", "-size", "256x256", "-center", "0,0", "-zoom", "0"}, 0, "-20037508.342789 -20037508.342789 20037508.342789 20037508.342789\n"},
		{[]string{"-list", "-url", "http://h/wms", "-size", "256x256", "-center", "0,0", "-zoom", "0", "-layers", "a,b"}, 0,
			"http://h/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a,b&STYLES=,&CRS=EPSG:3857&FORMAT=image/png&TRANSPARENT=TRUE&BBOX=-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244&WIDTH=256&HEIGHT=256\n"},
		{[]string{"-list", "-url", "http://h/wms", "-size", "256x256", "-center", "0,0", "-zoom", "0", "-layers", "a,b", "-styles", ",filled"}, 0,
			"http://h/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a,b&STYLES=,filled&CRS=EPSG:3857&FORMAT=image/png&TRANSPARENT=TRUE&BBOX=-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244&WIDTH=256&HEIGHT=256\n"},
		{[]string{"-list", "-url", "http://h/wms", "-layers", "a,b", "-styles", "filled"}, 2, ""},
		{[]string{"-layers", "a"}, 2, ""},
		{[]string{"-url", "ftp://h/wms"}, 2, ""},
		{[]string{"-size", "big"}, 2, ""},
		{[]string{"stray"}, 2, ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.wantCode || out.String() != tt.wantOut {
			t.Errorf("run(%q) = %d, stdout %q; want %d, %q (stderr %q)", tt.args, code, out.String(), tt.wantCode, tt.wantOut, errOut.String())
		}
	}
}

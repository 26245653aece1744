package wms

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/vault"
)

// functionWMS is a deterministic WMS in EPSG:3857: every pixel's colour is
// a function of its centre's Mercator coordinates, so any BBOX/WIDTH/HEIGHT
// draws the same map. Layer "a" is opaque (red from x, green from y);
// layer "b" draws opaque blue bands on transparency. LAYERS=a,b draws b
// over a. It records every GetMap URL.
type functionWMS struct {
	srv  *httptest.Server
	mu   sync.Mutex
	urls []string
}

func newFunctionWMS(t *testing.T) *functionWMS {
	f := &functionWMS{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *functionWMS) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.urls...)
}

func (f *functionWMS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.urls = append(f.urls, r.URL.RawQuery)
	f.mu.Unlock()
	q := r.URL.Query()
	var bb [4]float64
	parts := strings.Split(q.Get("BBOX"), ",")
	if len(parts) != 4 {
		http.Error(w, "bad BBOX", 400)
		return
	}
	for i, p := range parts {
		bb[i], _ = strconv.ParseFloat(p, 64)
	}
	wd, _ := strconv.Atoi(q.Get("WIDTH"))
	ht, _ := strconv.Atoi(q.Get("HEIGHT"))
	if wd <= 0 || ht <= 0 || wd > 4096 || ht > 4096 {
		http.Error(w, "bad size", 400)
		return
	}
	names := strings.Split(q.Get("LAYERS"), ",")
	img := image.NewNRGBA(image.Rect(0, 0, wd, ht))
	for j := 0; j < ht; j++ {
		y := bb[3] - (float64(j)+0.5)*(bb[3]-bb[1])/float64(ht)
		for i := 0; i < wd; i++ {
			x := bb[0] + (float64(i)+0.5)*(bb[2]-bb[0])/float64(wd)
			var c color.NRGBA
			for _, n := range names {
				switch n {
				case "a":
					c = color.NRGBA{R: uint8(int(math.Floor(x/20000)) & 0xff), G: uint8(int(math.Floor(y/20000)) & 0xff), B: 40, A: 255}
				case "b":
					if int(math.Floor(y/50000))%4 == 0 {
						c = color.NRGBA{B: 250, A: 255}
					}
				}
			}
			img.SetNRGBA(i, j, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	w.Header().Set("Content-Type", "image/png")
	w.Write(buf.Bytes())
}

func (f *functionWMS) specs(t *testing.T, caps *Capabilities, names ...string) []layers.LayerSpec {
	t.Helper()
	base := f.srv.URL + "/wms"
	src, err := vault.SourceOf(base)
	if err != nil {
		t.Fatal(err)
	}
	var out []layers.LayerSpec
	for _, n := range names {
		tiles, err := NewTilesFor(caps, Params{URL: base, Layers: []string{n}, CRS: "EPSG:3857", Transparent: true})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, layers.LayerSpec{ID: n, Source: src, Opacity: 1, Tiles: tiles})
	}
	return out
}

// blockView is a view of exactly the 4x4 tiles x0..x0+3, y0..y0+3 of zoom z.
func blockView(z, x0, y0 int) layers.View {
	size := 2 * layers.MercatorExtent / float64(int(1)<<z)
	cx := -layers.MercatorExtent + float64(x0+2)*size
	cy := layers.MercatorExtent - float64(y0+2)*size
	lon, lat := layers.MercatorToLonLat(cx, cy)
	return layers.View{CenterLon: lon, CenterLat: lat, Zoom: float64(z), Width: 1024, Height: 1024, Scale: 1}
}

func render(t *testing.T, e *layers.Engine, v layers.View, specs []layers.LayerSpec) (*image.RGBA, layers.Stats) {
	t.Helper()
	img, states, st := e.Render(context.Background(), v, specs, nil)
	for id, s := range states {
		if s.Kind != layers.StateOK {
			t.Fatalf("layer %s: %+v", id, s)
		}
	}
	return img, st
}

// TestMetatileOneRequest: on the map (Fetch), the 16 tiles of a 4x4 block
// are one GetMap of 1024 pixels and one cache entry of 4 MiB; without
// metatiles they are 16.
func TestMetatileOneRequest(t *testing.T) {
	v := blockView(5, 16, 8)
	if n := len(layers.TilesForView(v)); n != 16 {
		t.Fatalf("the view has %d tiles, want 16", n)
	}
	f := newFunctionWMS(t)
	e := layers.NewEngine(f.srv.Client(), layers.Options{})
	for id, s := range e.Fetch(context.Background(), v, f.specs(t, nil, "a"), nil) {
		if s.Kind != layers.StateOK || s.Done != 16 {
			t.Fatalf("layer %s: %+v, want ok with 16 tiles", id, s)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("metatiles: %d requests for 16 tiles, want 1 (%v)", n, f.requests())
	}
	if got := f.requests()[0]; !strings.HasSuffix(got, "&WIDTH=1024&HEIGHT=1024") {
		t.Errorf("metatile request %q, want 1024x1024", got)
	}
	if entries, bytes := e.CacheStats(); entries != 1 || bytes != 4*1024*1024 {
		t.Errorf("cache holds %d entries of %d bytes, want the metatile once: 1 of %d", entries, bytes, 4*1024*1024)
	}

	f2 := newFunctionWMS(t)
	e2 := layers.NewEngine(f2.srv.Client(), layers.Options{NoMetatiles: true})
	e2.Fetch(context.Background(), v, f2.specs(t, nil, "a"), nil)
	if n := len(f2.requests()); n != 16 {
		t.Errorf("NoMetatiles: %d requests, want 16", n)
	}
	if entries, bytes := e2.CacheStats(); entries != 16 || bytes != 16*4*256*256 {
		t.Errorf("NoMetatiles: cache %d entries of %d bytes, want 16 of %d", entries, bytes, 16*4*256*256)
	}
}

// TestMetatilePixels: metatiles draw what one GetMap per tile draws, for
// whole and fractional zooms, HiDPI, and a merged group (LAYERS=a,b).
func TestMetatilePixels(t *testing.T) {
	views := []layers.View{
		{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 700, Height: 500, Scale: 1},
		{CenterLon: 3.3, CenterLat: 47.1, Zoom: 6.4, Width: 640, Height: 380, Scale: 1},
		{CenterLon: -20, CenterLat: 10, Zoom: 4, Width: 300, Height: 260, Scale: 2},
		{CenterLon: 179.5, CenterLat: -40, Zoom: 3.7, Width: 500, Height: 300, Scale: 1},
	}
	for _, v := range views {
		for _, names := range [][]string{{"a"}, {"a", "b"}} {
			f := newFunctionWMS(t)
			meta, st := render(t, layers.NewEngine(f.srv.Client(), layers.Options{}), v, f.specs(t, nil, names...))
			metaReqs := f.requests()
			single, st1 := render(t, layers.NewEngine(f.srv.Client(), layers.Options{NoMetatiles: true, NoMerge: true}), v, f.specs(t, nil, names...))
			if st.Requests >= st1.Requests {
				t.Errorf("view %+v layers %v: %d requests with metatiles, %d without", v, names, st.Requests, st1.Requests)
			}
			if len(names) == 2 {
				for _, u := range metaReqs {
					if !strings.Contains(u, "LAYERS=a,b&") {
						t.Fatalf("view %+v: metatile request %q is not merged", v, u)
					}
				}
			}
			if d, at := maxDiff(meta, single); d > 2 {
				t.Errorf("view %+v layers %v: metatiles differ by %d at %v (%v vs %v)", v, names, d, at, meta.RGBAAt(at.X, at.Y), single.RGBAAt(at.X, at.Y))
			}
		}
	}
}

func maxDiff(a, b *image.RGBA) (int, image.Point) {
	worst, at := 0, image.Point{}
	if a.Bounds() != b.Bounds() {
		return 999, at
	}
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d < 0 {
			d = -d
		}
		if d > worst {
			worst = d
			at = image.Pt((i/4)%a.Rect.Dx(), (i/4)/a.Rect.Dx())
		}
	}
	return worst, at
}

// extentCaps is a capabilities document whose layer "a" lies in lon 0..10,
// lat 40..50, drawn between 1:1,000,000 and 1:10,000,000.
func extentCaps(t *testing.T) *Capabilities {
	return mustParse(t, document130(`<Layer><Title>root</Title><CRS>EPSG:3857</CRS>
<Layer><Name>a</Name><Title>A</Title>
<EX_GeographicBoundingBox><westBoundLongitude>0</westBoundLongitude><eastBoundLongitude>10</eastBoundLongitude>
<southBoundLatitude>40</southBoundLatitude><northBoundLatitude>50</northBoundLatitude></EX_GeographicBoundingBox>
<MinScaleDenominator>1000000</MinScaleDenominator><MaxScaleDenominator>10000000</MaxScaleDenominator>
</Layer>
<Layer><Name>b</Name><Title>B</Title>
<EX_GeographicBoundingBox><westBoundLongitude>-80</westBoundLongitude><eastBoundLongitude>-70</eastBoundLongitude>
<southBoundLatitude>-10</southBoundLatitude><northBoundLatitude>0</northBoundLatitude></EX_GeographicBoundingBox>
</Layer></Layer>`))
}

// TestExtentAndScale: a tile (or the part of a metatile) outside the
// layer's geographic box or scale range is empty and asks nothing.
func TestExtentAndScale(t *testing.T) {
	caps := extentCaps(t)
	src, err := NewTilesFor(caps, Params{URL: "https://h.example/wms", Layers: []string{"a"}, CRS: "EPSG:3857", Transparent: true})
	if err != nil {
		t.Fatal(err)
	}
	in := layers.TileAt(5, 45, 7) // scale 1:4.4M
	if _, ok := src.Tile(in, 256); !ok {
		t.Errorf("tile %v inside the extent is empty", in)
	}
	for _, out := range []layers.Tile{layers.TileAt(20, 45, 7), layers.TileAt(5, 30, 7), layers.TileAt(-175, 45, 7)} {
		if r, ok := src.Tile(out, 256); ok {
			t.Errorf("tile %v outside the extent asks %q", out, r.URL)
		}
	}
	// The margin: a tile within an eighth of a tile of the box still
	// draws (symbols reach over the edge). Column 68 of z7 starts at
	// lon 11.25.
	edge := layers.Tile{Z: 7, X: 68, Y: 46}
	near := limits{extent: []*geom.Bounds{geom.NewBounds(geom.XY).Set(0, 40, 11.2, 50)}}
	far := limits{extent: []*geom.Bounds{geom.NewBounds(geom.XY).Set(0, 40, 10, 50)}}
	if !near.inExtent(edge.Z, edge.X, edge.Y) || far.inExtent(edge.Z, edge.X, edge.Y) {
		t.Errorf("margin: 0.05 degrees away in %v, 1.25 degrees away in %v; want true, false",
			near.inExtent(edge.Z, edge.X, edge.Y), far.inExtent(edge.Z, edge.X, edge.Y))
	}
	// Scale: z5 is 1:17M (too small), z10 1:546k (too large); z9 at
	// 256 px is 1:1.09M (in), at 512 px 1:546k (out).
	for _, tc := range []struct {
		z, px int
		ok    bool
	}{{5, 256, false}, {6, 256, true}, {9, 256, true}, {9, 512, false}, {10, 256, false}} {
		if _, ok := src.Tile(layers.TileAt(5, 45, tc.z), tc.px); ok != tc.ok {
			t.Errorf("z%d at %d px: ok %v, want %v", tc.z, tc.px, ok, tc.ok)
		}
	}
	// A metatile is cropped to the rows and columns that reach the
	// extent: at z7 the box's south edge (lat 40) is in row 48, the first
	// of its block (rows 48..51), whose other rows are outside.
	r, _ := src.Tile(layers.TileAt(5, 40.2, 7), 256)
	if r.Width != 1024 || r.Height != 256 {
		t.Errorf("metatile at the extent's edge is %dx%d, want 1024x256", r.Width, r.Height)
	}
	if r.Part.Dx() != 256 || r.Part.Dy() != 256 || !r.Part.In(image.Rect(0, 0, r.Width, r.Height)) {
		t.Errorf("part %v of a %dx%d metatile", r.Part, r.Width, r.Height)
	}

	// Against a server: a view around the box at z7 asks only inside it,
	// and draws the same pixels as one GetMap per tile.
	f := newFunctionWMS(t)
	v := layers.View{CenterLon: 5, CenterLat: 45, Zoom: 7, Width: 1600, Height: 1200, Scale: 1}
	got, st := render(t, layers.NewEngine(f.srv.Client(), layers.Options{}), v, f.specs(t, caps, "a"))
	// Columns 63..67 (63 by the margin) and rows 43..48: Render asks the
	// view's block in two parts (one group), each cut to them (5 x 6
	// tiles in all), the map (Fetch) the 2 x 3 metatiles holding them,
	// cut likewise.
	if st.Requests != 2 {
		t.Errorf("%d requests for the extent, want 2", st.Requests)
	}
	if pixels := pixelsAsked(f.requests()); pixels != 5*6*256*256 {
		t.Errorf("Render asked %d pixels, want the 5 x 6 tiles in the extent: %d", pixels, 5*6*256*256)
	}
	fm := newFunctionWMS(t)
	layers.NewEngine(fm.srv.Client(), layers.Options{}).Fetch(context.Background(), v, fm.specs(t, caps, "a"), nil)
	if n := len(fm.requests()); n != 6 {
		t.Errorf("Fetch: %d requests for the extent, want 6 metatiles", n)
	}
	f2 := newFunctionWMS(t)
	want, st2 := render(t, layers.NewEngine(f2.srv.Client(), layers.Options{NoMetatiles: true}), v, f2.specs(t, caps, "a"))
	tiles := len(layers.TilesForView(v))
	if st2.Requests >= int64(tiles) {
		t.Errorf("NoMetatiles: %d requests for %d tiles: the tiles outside the extent were asked for", st2.Requests, tiles)
	}
	if d, at := maxDiff(got, want); d > 2 {
		t.Errorf("cropped metatiles differ by %d at %v", d, at)
	}
	// Out of the scale range nothing is asked and the layer is done.
	f3 := newFunctionWMS(t)
	v.Zoom = 11
	_, st3 := render(t, layers.NewEngine(f3.srv.Client(), layers.Options{}), v, f3.specs(t, caps, "a"))
	if st3.Requests != 0 {
		t.Errorf("out of scale: %d requests, want 0", st3.Requests)
	}
}

// TestMergedLimits: a merged source draws where and when either layer
// does; a layer with no box makes it unbounded.
func TestMergedLimits(t *testing.T) {
	caps := extentCaps(t)
	mk := func(name string) *Tiles {
		s, err := NewTilesFor(caps, Params{URL: "https://h.example/wms", Layers: []string{name}, CRS: "EPSG:3857", Transparent: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	m, ok := mk("a").Merge(mk("b"))
	if !ok {
		t.Fatal("not merged")
	}
	for _, c := range []struct {
		lon, lat float64
		ok       bool
	}{{5, 45, true}, {-75, -5, true}, {100, 45, false}} {
		if _, got := m.Tile(layers.TileAt(c.lon, c.lat, 12), 256); got != c.ok {
			t.Errorf("merged at %g,%g z12: ok %v, want %v (b has no scale range)", c.lon, c.lat, got, c.ok)
		}
	}
	un, _ := NewTilesFor(nil, Params{URL: "https://h.example/wms", Layers: []string{"x"}, CRS: "EPSG:3857", Transparent: true})
	if m2, ok := mk("a").Merge(un); !ok {
		t.Fatal("not merged")
	} else if _, ok := m2.Tile(layers.TileAt(100, 45, 12), 256); !ok {
		t.Error("merged with an unbounded layer: a tile far away is empty")
	}
}

// TestNoMetatileFor: tiled (WMS-C) URLs, lon/lat layers and Metatile 1
// keep one GetMap per tile; metatiles are capped by MaxWidth.
func TestNoMetatileFor(t *testing.T) {
	tile := layers.Tile{Z: 6, X: 33, Y: 21}
	for _, p := range []Params{
		{URL: "https://h.example/wms?tiled=true", Layers: []string{"a"}},
		{URL: "https://h.example/wms?TILED=TRUE&map=x", Layers: []string{"a"}},
		{URL: "https://h.example/wms", Layers: []string{"a"}, CRS: "EPSG:4326"},
		{URL: "https://h.example/wms", Layers: []string{"a"}, Metatile: 1},
	} {
		s, err := NewTiles(p)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := s.Tile(tile, 256)
		if r.Width != 256 || !r.Part.Empty() {
			t.Errorf("%+v: %dx%d part %v, want one 256-pixel tile", p, r.Width, r.Height, r.Part)
		}
	}
	caps := mustParse(t, strings.Replace(document130(`<Layer><Name>a</Name><Title>A</Title><CRS>EPSG:3857</CRS></Layer>`),
		"<Title>T</Title>", "<Title>T</Title><MaxWidth>1000</MaxWidth><MaxHeight>4096</MaxHeight>", 1))
	if caps.MaxWidth != 1000 || caps.MaxHeight != 4096 {
		t.Fatalf("MaxWidth/MaxHeight %d/%d", caps.MaxWidth, caps.MaxHeight)
	}
	s, _ := NewTilesFor(caps, Params{URL: "https://h.example/wms", Layers: []string{"a"}})
	if r, _ := s.Tile(tile, 256); r.Width != 768 || r.Height != 768 {
		t.Errorf("MaxWidth 1000: metatile %dx%d, want 768x768", r.Width, r.Height)
	}
	if r, _ := s.Tile(tile, 512); r.Width != 512 || !r.Part.Empty() {
		t.Errorf("MaxWidth 1000 at 512 px: %dx%d, want one tile", r.Width, r.Height)
	}
	// Without capabilities the cap is DefaultMaxSide: 4x4 at 512 px.
	s, _ = NewTiles(Params{URL: "https://h.example/wms", Layers: []string{"a"}})
	if r, _ := s.Tile(tile, 512); r.Width != 2048 {
		t.Errorf("default cap at 512 px: width %d, want 2048", r.Width)
	}
	if r, _ := s.Tile(tile, 768); r.Width != 1536 {
		t.Errorf("default cap at 768 px: width %d, want 1536", r.Width)
	}
	// SingleTiles is Metatile 1 and keeps the limits.
	if r, _ := s.SingleTiles().Tile(tile, 256); r.Width != 256 {
		t.Errorf("SingleTiles: width %d", r.Width)
	}
}

// TestScaleParsing: 1.3.0 Min/MaxScaleDenominator inherit each on its
// own; 1.1.1 ScaleHint (pixel diagonal in metres) converts and inherits as
// a pair.
func TestScaleParsing(t *testing.T) {
	c := mustParse(t, document130(`<Layer><Title>root</Title><CRS>EPSG:3857</CRS>
<MinScaleDenominator>1000</MinScaleDenominator><MaxScaleDenominator>50000</MaxScaleDenominator>
<Layer><Name>inherits</Name><Title>I</Title></Layer>
<Layer><Name>own-max</Name><Title>O</Title><MaxScaleDenominator>20000</MaxScaleDenominator></Layer>
<Layer><Name>junk</Name><Title>J</Title><MinScaleDenominator>x</MinScaleDenominator></Layer>
</Layer>
<Layer><Name>none</Name><Title>N</Title><CRS>EPSG:3857</CRS></Layer>`))
	for _, tc := range []struct {
		name     string
		min, max float64
	}{{"inherits", 1000, 50000}, {"own-max", 1000, 20000}, {"junk", 1000, 50000}, {"none", 0, 0}} {
		l := c.Find(tc.name)
		if l.MinScaleDenominator != tc.min || l.MaxScaleDenominator != tc.max {
			t.Errorf("1.3.0 %s: %g..%g, want %g..%g", tc.name, l.MinScaleDenominator, l.MaxScaleDenominator, tc.min, tc.max)
		}
	}
	c = mustParse(t, document111(`<Layer><Title>root</Title><SRS>EPSG:3857</SRS>
<ScaleHint min="0.396" max="39.6"/>
<Layer><Name>inherits</Name><Title>I</Title></Layer>
<Layer><Name>own</Name><Title>O</Title><ScaleHint min="0" max="3.96"/></Layer>
</Layer>`))
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, b) }
	k := 1 / math.Sqrt2 / 0.00028
	for _, tc := range []struct {
		name     string
		min, max float64
	}{{"inherits", 0.396 * k, 39.6 * k}, {"own", 0, 3.96 * k}} {
		l := c.Find(tc.name)
		if !near(l.MinScaleDenominator, tc.min) || !near(l.MaxScaleDenominator, tc.max) {
			t.Errorf("1.1.1 %s: %g..%g, want %g..%g", tc.name, l.MinScaleDenominator, l.MaxScaleDenominator, tc.min, tc.max)
		}
	}
}

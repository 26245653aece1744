package wms

import (
	"context"
	"image"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"mapvault/layers"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, most, v int
		a, b            int
	}{
		{0, 8, 8, 7, 0, 8},      // fits: one part
		{0, 9, 8, 3, 0, 4},      // 9 in two parts: 4 + 5
		{0, 9, 8, 4, 4, 9},      // the second
		{13, 21, 4, 16, 13, 17}, // 8 in two parts of 4
		{13, 21, 4, 17, 17, 21},
		{8, 13, 4, 9, 8, 10}, // 5 in two: 2 + 3
		{8, 13, 4, 12, 10, 13},
		{3, 4, 1, 3, 3, 4},
		{0, 31, 8, 30, 23, 31}, // 31 in four: 7, 8, 8, 8
	} {
		a, b := split(tc.lo, tc.hi, ceilDiv(tc.hi-tc.lo, tc.most), tc.v)
		if a != tc.a || b != tc.b {
			t.Errorf("split(%d, %d, %d, %d) = %d..%d, want %d..%d", tc.lo, tc.hi, tc.most, tc.v, a, b, tc.a, tc.b)
		}
		if b-a > tc.most || tc.v < a || tc.v >= b {
			t.Errorf("split(%d, %d, %d, %d) = %d..%d: not a part of at most %d holding v", tc.lo, tc.hi, tc.most, tc.v, a, b, tc.most)
		}
	}
}

// TestRenderFitsView: Render asks the view's block of tiles in as few
// images as the size cap allows, the map (Fetch) the grid-aligned
// metatiles; both draw what one GetMap per tile draws.
func TestRenderFitsView(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		v     layers.View
		reqs  int // Render's requests
		sizes []string
	}{
		// Columns 13..20, rows 8..12: 8 x 5 tiles fit one 2048 x 1280
		// image, but a view of one group is asked in two parts.
		{"1080p z5", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1920, Height: 1080, Scale: 1}, 2, []string{"1024x1280"}},
		// The same tiles at 512 px: at most 4 a side, so 4 + 4 columns and
		// 2 + 3 rows.
		{"1080p HiDPI", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1920, Height: 1080, Scale: 2}, 4, []string{"2048x1024", "2048x1536"}},
		// 31 x 18 tiles at z12: columns 7 + 8 + 8 + 8, rows 6 + 6 + 6.
		{"8k z12", layers.View{CenterLon: 10, CenterLat: 50, Zoom: 12, Width: 7680, Height: 4320, Scale: 1}, 12, []string{"1792x1536", "2048x1536"}},
		// A fractional zoom draws the tiles of z6 scaled.
		{"fractional", layers.View{CenterLon: 3.3, CenterLat: 47.1, Zoom: 6.4, Width: 1200, Height: 700, Scale: 1}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, cover, px, ok := layers.ViewCover(tc.v)
			if !ok {
				t.Fatalf("ViewCover(%+v) not ok", tc.v)
			}
			if got := len(layers.TilesForView(tc.v)); got != cover.Dx()*cover.Dy() {
				t.Errorf("cover %v (z%d, %d px) holds %d tiles, the view %d", cover, z, px, cover.Dx()*cover.Dy(), got)
			}
			f := newFunctionWMS(t)
			e := layers.NewEngine(f.srv.Client(), layers.Options{})
			fitted, st := render(t, e, tc.v, f.specs(t, nil, "a", "b"))
			if st.Requests != int64(tc.reqs) {
				t.Errorf("Render: %d requests, want %d: %v", st.Requests, tc.reqs, f.requests())
			}
			for _, u := range f.requests() {
				if !strings.Contains(u, "LAYERS=a,b&") {
					t.Errorf("request %q is not merged", u)
				}
				if tc.sizes != nil && !hasSize(u, tc.sizes) {
					t.Errorf("request %q: want one of the sizes %v", u, tc.sizes)
				}
			}
			// Two groups (unmerged) are one request each where one fits.
			if tc.reqs == 2 {
				fu := newFunctionWMS(t)
				_, st := render(t, layers.NewEngine(fu.srv.Client(), layers.Options{NoMerge: true}), tc.v, fu.specs(t, nil, "a", "b"))
				if st.Requests != 2 {
					t.Errorf("two groups: %d requests, want one each: %v", st.Requests, fu.requests())
				}
			}
			// Render asks exactly the cover's pixels; the map's Fetch of the
			// same view keeps the grid's metatiles, at least as many.
			if got, want := pixelsAsked(f.requests()), cover.Dx()*cover.Dy()*px*px; got != want {
				t.Errorf("Render asked %d pixels, want the cover's %d", got, want)
			}
			fm := newFunctionWMS(t)
			layers.NewEngine(fm.srv.Client(), layers.Options{}).Fetch(ctx, tc.v, fm.specs(t, nil, "a", "b"), nil)
			if got, fitted := pixelsAsked(fm.requests()), pixelsAsked(f.requests()); got < fitted {
				t.Errorf("Fetch: %d pixels in metatiles, Render %d: want at least as many", got, fitted)
			}
			if tc.v.Width > 2000 {
				return // the single-tile comparison of 8k is slow and adds nothing
			}
			fs := newFunctionWMS(t)
			single, _ := render(t, layers.NewEngine(fs.srv.Client(), layers.Options{NoMetatiles: true, NoMerge: true}), tc.v, fs.specs(t, nil, "a", "b"))
			if d, at := maxDiff(fitted, single); d > 2 {
				t.Errorf("fitted blocks differ from single tiles by %d at %v", d, at)
			}
		})
	}
}

// pixelsAsked sums WIDTH x HEIGHT over GetMap queries.
func pixelsAsked(queries []string) int {
	n := 0
	for _, u := range queries {
		q, _ := url.ParseQuery(u)
		w, _ := strconv.Atoi(q.Get("WIDTH"))
		h, _ := strconv.Atoi(q.Get("HEIGHT"))
		n += w * h
	}
	return n
}

func hasSize(u string, sizes []string) bool {
	for _, s := range sizes {
		w, h, _ := strings.Cut(s, "x")
		if strings.HasSuffix(u, "&WIDTH="+w+"&HEIGHT="+h) {
			return true
		}
	}
	return false
}

// TestFitViewLimits: a view crossing the antimeridian has no block (its
// columns wrap) and Render keeps the metatiles; tiles of another zoom or
// size than the view's are metatiles; MaxWidth caps the blocks; sources
// without metatiles are not fitted.
func TestFitViewLimits(t *testing.T) {
	v := layers.View{CenterLon: 179.5, CenterLat: -40, Zoom: 4, Width: 900, Height: 500, Scale: 1}
	if _, cover, _, ok := layers.ViewCover(v); ok {
		t.Errorf("a view across the antimeridian has a cover %v", cover)
	}
	f := newFunctionWMS(t)
	_, st := render(t, layers.NewEngine(f.srv.Client(), layers.Options{}), v, f.specs(t, nil, "a"))
	fm := newFunctionWMS(t)
	layers.NewEngine(fm.srv.Client(), layers.Options{}).Fetch(context.Background(), v, fm.specs(t, nil, "a"), nil)
	if st.Requests != int64(len(fm.requests())) {
		t.Errorf("across the antimeridian Render asks %d, Fetch %d: want the same metatiles", st.Requests, len(fm.requests()))
	}

	s, _ := NewTiles(Params{URL: "https://h.example/wms", Layers: []string{"a"}})
	cover := image.Rect(10, 20, 19, 25) // 9 x 5 tiles of z6
	fit := s.FitView(6, cover, 256, 1)
	in := layers.Tile{Z: 6, X: 13, Y: 22}
	r, _ := fit.Tile(in, 256)
	if r.Width != 4*256 || r.Height != 5*256 || r.Part != image.Rect(3*256, 2*256, 4*256, 3*256) {
		t.Errorf("tile %v of the cover: %dx%d part %v, want the block of columns 10..13 (of 10..13, 14..18): 1024x1280, part at 768,512", in, r.Width, r.Height, r.Part)
	}
	for _, other := range []struct {
		tile layers.Tile
		px   int
	}{{layers.Tile{Z: 5, X: 7, Y: 11}, 256}, {layers.Tile{Z: 6, X: 30, Y: 22}, 256}, {in, 512}} {
		got, _ := fit.Tile(other.tile, other.px)
		want, _ := s.Tile(other.tile, other.px)
		if got.URL != want.URL || got.Part != want.Part {
			t.Errorf("tile %v at %d px outside the fit: %q, want the metatile %q", other.tile, other.px, got.URL, want.URL)
		}
	}

	caps := mustParse(t, strings.Replace(document130(`<Layer><Name>a</Name><Title>A</Title><CRS>EPSG:3857</CRS></Layer>`),
		"<Title>T</Title>", "<Title>T</Title><MaxWidth>1000</MaxWidth><MaxHeight>4096</MaxHeight>", 1))
	capped, _ := NewTilesFor(caps, Params{URL: "https://h.example/wms", Layers: []string{"a"}})
	r, _ = capped.FitView(6, cover, 256, 1).Tile(in, 256)
	if r.Width > 1000 || r.Height > 1000 {
		t.Errorf("MaxWidth 1000: block %dx%d", r.Width, r.Height)
	}

	for _, p := range []Params{
		{URL: "https://h.example/wms?tiled=true", Layers: []string{"a"}},
		{URL: "https://h.example/wms", Layers: []string{"a"}, CRS: "EPSG:4326"},
		{URL: "https://h.example/wms", Layers: []string{"a"}, Metatile: 1},
	} {
		s, _ := NewTiles(p)
		if r, _ := s.FitView(6, cover, 256, 1).Tile(in, 256); r.Width != 256 || !r.Part.Empty() {
			t.Errorf("%+v fitted: %dx%d, want one 256-pixel tile", p, r.Width, r.Height)
		}
	}
}

// TestRenderInPlace: with Options.RenderInPlace, Render decodes the bottom
// group's images straight into the frame and does not cache them (without
// it, it caches them: a second Render asks nothing); the frame equals the map's
// (Fetch, then Compose) pixel for pixel within rounding, with a group
// blended over it, with images the fast decoder leaves to image/png
// (16-bit), and with a failed image (its part of the frame stays clear).
func TestRenderInPlace(t *testing.T) {
	ctx := context.Background()
	v := layers.View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 1000, Height: 700, Scale: 1}
	mapFrame := func(t *testing.T, h http.Handler, specs func(base string) []layers.LayerSpec, opt layers.Options) *image.RGBA {
		srv := httptest.NewServer(h)
		defer srv.Close()
		e := layers.NewEngine(srv.Client(), opt)
		s := specs(srv.URL)
		e.Fetch(ctx, v, s, nil)
		frame, missing := e.Compose(v, s)
		if missing != 0 {
			t.Fatalf("the map misses %d tiles", missing)
		}
		return frame
	}
	for _, tc := range []struct {
		name    string
		names   []string
		opt     layers.Options
		deep    bool // serve 16-bit PNGs
		opacity float64
		cached  int // cache entries after Render (the upper group's)
	}{
		{name: "one group", names: []string{"a", "b"}, cached: 0},
		{name: "two groups", names: []string{"a", "b"}, opt: layers.Options{NoMerge: true}, cached: 1},
		{name: "16-bit images", names: []string{"a"}, deep: true, cached: 0},
		{name: "translucent bottom", names: []string{"a"}, opacity: 0.5, cached: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFunctionWMS(t)
			var h http.Handler = http.HandlerFunc(f.serve)
			if tc.deep {
				h = sixteenBits(h)
			}
			specs := func(base string) []layers.LayerSpec {
				out := (&functionWMS{srv: &httptest.Server{URL: base}}).specs(t, nil, tc.names...)
				if tc.opacity > 0 {
					out[0].Opacity = tc.opacity
				}
				return out
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			opt := tc.opt
			opt.RenderInPlace = true
			e := layers.NewEngine(srv.Client(), opt)
			frame, states, st := e.Render(ctx, v, specs(srv.URL), nil)
			for id, s := range states {
				if s.Kind != layers.StateOK {
					t.Fatalf("layer %s: %+v", id, s)
				}
			}
			if entries, _ := e.CacheStats(); entries != tc.cached {
				t.Errorf("%d images cached after Render, want %d", entries, tc.cached)
			}
			if n := int64(len(f.requests())); n != st.Requests {
				t.Errorf("server saw %d requests, Stats %d", n, st.Requests)
			}
			if seen := map[string]bool{}; true {
				for _, u := range f.requests() {
					if seen[u] {
						t.Errorf("asked twice: %s", u)
					}
					seen[u] = true
				}
			}
			if e2 := layers.NewEngine(srv.Client(), tc.opt); true {
				e2.Render(ctx, v, specs(srv.URL), nil)
				_, _, again := e2.Render(ctx, v, specs(srv.URL), nil)
				if again.Requests != 0 {
					t.Errorf("without RenderInPlace a second Render asked %d requests, want 0", again.Requests)
				}
			}
			want := mapFrame(t, h, specs, tc.opt)
			if frame.Stride != 4*frame.Rect.Dx() {
				t.Errorf("frame stride %d for width %d", frame.Stride, frame.Rect.Dx())
			}
			if d, at := maxDiff(frame, want); d > 2 {
				t.Errorf("Render differs from the map by %d at %v (%v vs %v)", d, at, frame.RGBAAt(at.X, at.Y), want.RGBAAt(at.X, at.Y))
			}
		})
	}

	t.Run("failed image", func(t *testing.T) {
		f := newFunctionWMS(t)
		var failed atomic.Value
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Query().Get("BBOX"), "-") { // the western block
				failed.Store(r.URL.Query().Get("BBOX"))
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			f.serve(w, r)
		}))
		defer srv.Close()
		e := layers.NewEngine(srv.Client(), layers.Options{Retries: -1, RenderInPlace: true})
		specs := (&functionWMS{srv: &httptest.Server{URL: srv.URL}}).specs(t, nil, "a")
		frame, states, _ := e.Render(ctx, v, specs, nil)
		if s := states["a"]; s.Failed == 0 || s.Done == 0 {
			t.Fatalf("state %+v, want some tiles failed and some done", s)
		}
		if failed.Load() == nil {
			t.Fatal("no block was failed")
		}
		// The blocks meet at x = 0 (EPSG:3857), at lon 0: the frame west
		// of it is clear, east of it drawn.
		left, right := frame.RGBAAt(5, 350), frame.RGBAAt(995, 350)
		if left.A != 0 || right.A == 0 {
			t.Errorf("west of the failed block %v, east %v: want clear, drawn", left, right)
		}
	})
}

// sixteenBits serves h's PNGs re-encoded with 16 bits a channel, which the
// fast decoder leaves to image/png.
func sixteenBits(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		img, err := png.Decode(rec.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		deep := image.NewNRGBA64(img.Bounds())
		draw.Draw(deep, deep.Bounds(), img, img.Bounds().Min, draw.Src)
		w.Header().Set("Content-Type", "image/png")
		png.Encode(w, deep)
	})
}

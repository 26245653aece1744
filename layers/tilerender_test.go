package layers

import (
	"context"
	"image"
	"image/color"
	"net/http"
	"testing"
)

// pairTiles is a TileRenderer drawing each tile from two requests of its
// testTiles: the tile itself (left half) and its eastern neighbour (right
// half), so neighbouring tiles share a request.
type pairTiles struct{ testTiles }

func (p pairTiles) Key() string { return "pair " + p.testTiles.Key() }

func (p pairTiles) RenderTile(ctx context.Context, f Fetcher, t Tile, px int) (*image.RGBA, error) {
	tf := f.(TileFetcher)
	dst := image.NewRGBA(image.Rect(0, 0, px, px))
	for i, tt := range []Tile{t, {Z: t.Z, X: (t.X + 1) % (1 << t.Z), Y: t.Y}} {
		req, _ := p.testTiles.Tile(tt, px)
		img, err := tf.GetTile(ctx, req)
		if err != nil {
			return nil, err
		}
		if img == nil {
			continue
		}
		for y := range px {
			copy(dst.Pix[y*dst.Stride+i*2*px:][:2*px], img.Pix[y*img.Stride+i*2*px:][:2*px])
		}
	}
	return dst, nil
}

// TestTileRenderer: a TileRenderer's tiles are rendered (one per view
// tile), its requests go through GetTile, each URL once though two tiles
// want it, and a second render is served from the cache; a 401 blocks the
// layer after at most PerHost tiles.
func TestTileRenderer(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	spec := f.spec("A", "a")
	spec.Tiles = pairTiles{spec.Tiles.(testTiles)}
	e := NewEngine(f.srv.Client(), Options{})
	tiles := len(TilesForView(testView))
	frame, states, st := e.Render(context.Background(), testView, []LayerSpec{spec}, nil)
	if got := states["A"]; got.Kind != StateOK || got.Done != tiles {
		t.Fatalf("state = %v, want ok with %d tiles", got, tiles)
	}
	if c := frame.RGBAAt(300, 200); c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("frame centre = %v, want red", c)
	}
	reqs := f.requests()
	seen := map[string]bool{}
	for _, u := range reqs {
		if seen[u] {
			t.Errorf("%s requested twice", u)
		}
		seen[u] = true
	}
	if len(reqs) <= tiles || len(reqs) >= 2*tiles || st.Requests != int64(len(reqs)) {
		t.Errorf("%d requests (stats %d) for %d tiles; want each tile's and the next column's once", len(reqs), st.Requests, tiles)
	}
	if _, _, st := e.Render(context.Background(), testView, []LayerSpec{spec}, nil); st.Requests != 0 || st.CacheHits != int64(tiles) {
		t.Errorf("second render stats = %+v, want all from the cache", st)
	}

	const perHost = 3
	g := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	g.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusUnauthorized)
		return true
	})
	spec = g.spec("B", "a")
	spec.Tiles = pairTiles{spec.Tiles.(testTiles)}
	states = NewEngine(g.srv.Client(), Options{PerHost: perHost}).Fetch(context.Background(), testView, []LayerSpec{spec}, nil)
	if got := states["B"]; got.Kind != StateBlocked || got.Reason != ReasonRejected {
		t.Errorf("state = %v, want blocked", got)
	}
	if n := len(g.requests()); n > 2*perHost {
		t.Errorf("%d requests to a server that refuses; want at most %d", n, 2*perHost)
	}
}

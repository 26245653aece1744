package layers

import (
	"context"

	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/vault"
)

// solidFeatures is a FeatureSource for the engine's tests: per tile it
// reads the collection's description (the same URL for every tile) and
// the tile's "features" (a colour, or "none"), and fills the tile with it.
type solidFeatures struct{ base string }

func (s solidFeatures) Key() string { return "solid " + s.base }

func (s solidFeatures) RenderTile(ctx context.Context, f Fetcher, t Tile, px int) (*image.RGBA, error) {
	if _, _, err := f.Get(ctx, s.base+"/collection", "application/json"); err != nil {
		return nil, err
	}
	body, ct, err := f.Get(ctx, fmt.Sprintf("%s/items?z=%d&x=%d&y=%d", s.base, t.Z, t.X, t.Y), "application/geo+json")
	if err != nil {
		return nil, err
	}
	if ct != "application/geo+json" {
		return nil, fmt.Errorf("content type %q", ct)
	}
	if string(body) == "none" {
		return nil, nil
	}
	var c color.RGBA
	if _, err := fmt.Sscanf(string(body), "%d,%d,%d,%d", &c.R, &c.G, &c.B, &c.A); err != nil {
		return nil, err
	}
	return solid(px, c), nil
}

// featureServer answers solidFeatures' requests and counts them by path.
type featureServer struct {
	srv   *httptest.Server
	items func(r *http.Request) (int, string)
	delay time.Duration // before answering /collection
	mu    sync.Mutex
	count map[string]int
	keys  atomic.Int64 // requests carrying the key
}

func newFeatureServer(t *testing.T, items func(r *http.Request) (int, string)) *featureServer {
	fs := &featureServer{items: items, count: map[string]int{}}
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.count[r.URL.Path]++
		fs.mu.Unlock()
		if r.URL.Query().Get("key") == "k3y" {
			fs.keys.Add(1)
		}
		if r.URL.Path == "/api/collection" {
			time.Sleep(fs.delay)
			w.Write([]byte("{}"))
			return
		}
		status, body := fs.items(r)
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *featureServer) requests(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.count[path]
}

func featureSpec(t *testing.T, base string) LayerSpec {
	src, err := vault.SourceOf(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	return LayerSpec{ID: "F", Source: src, Opacity: 1, Features: solidFeatures{base: base}}
}

// TestFeatureSourceThroughEngine: a vector layer's tiles are rendered by
// its FeatureSource through the engine's Fetcher, cached, composed like
// raster tiles, and its identical requests in flight are sent once.
func TestFeatureSourceThroughEngine(t *testing.T) {
	fs := newFeatureServer(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("x") == "0" {
			return 200, "none"
		}
		return 200, "0,0,255,255"
	})
	fs.delay = 50 * time.Millisecond
	e := NewEngine(fs.srv.Client(), Options{PerHost: 32})
	spec := featureSpec(t, fs.srv.URL+"/api")
	v := View{CenterLon: 0, CenterLat: 0, Zoom: 2, Width: 1024, Height: 1024}
	tiles := len(TilesForView(v))
	rec := newRecorder()
	frame, states, st := e.Render(context.Background(), v, []LayerSpec{spec}, rec)
	if got, want := states["F"], (State{Kind: StateOK, Queued: tiles, Done: tiles}); got != want {
		t.Fatalf("state = %v, want %v", got, want)
	}
	if got := fs.requests("/api/items"); got != tiles {
		t.Errorf("items requests = %d, want one per tile (%d)", got, tiles)
	}
	if got := fs.requests("/api/collection"); got > 2 {
		t.Errorf("collection requests = %d for %d tiles rendered at once, want them shared (at most 2)", got, tiles)
	}
	if st.Requests != int64(fs.requests("/api/items")+fs.requests("/api/collection")) {
		t.Errorf("Stats.Requests = %d, want every Fetcher request counted", st.Requests)
	}
	// Column x=0 (the left quarter at zoom 2) has no features: transparent.
	if got := frame.RGBAAt(100, 512); got != (color.RGBA{}) {
		t.Errorf("empty tile pixel = %v, want transparent", got)
	}
	if got := frame.RGBAAt(700, 512); got != (color.RGBA{0, 0, 255, 255}) {
		t.Errorf("feature tile pixel = %v, want blue", got)
	}
	if _, missing := e.Compose(v, []LayerSpec{spec}); missing != 0 {
		t.Errorf("missing after render = %d, want 0 (empty tiles are not missing)", missing)
	}
	// A second fetch is served from the cache.
	before := fs.requests("/api/items")
	if got := e.Fetch(context.Background(), v, []LayerSpec{spec}, nil)["F"]; got.Kind != StateOK || fs.requests("/api/items") != before {
		t.Errorf("second fetch: %v with %d new requests, want ok from the cache", got, fs.requests("/api/items")-before)
	}
}

// TestFeatureSourceErrors: a refusal blocks a vector layer like a raster
// one (after at most PerHost renders), a server error fails its tiles, and
// an exception report in a 200 is an error.
func TestFeatureSourceErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   StateKind
		reason string
	}{
		{"401 blocks", 401, "", StateBlocked, ReasonRejected},
		{"500 fails", 500, "boom", StateError, "HTTP 500 Internal Server Error"},
		{"exception in a 200", 200, `<ExceptionReport><Exception exceptionCode="InvalidParameterValue"><ExceptionText>bad bbox</ExceptionText></Exception></ExceptionReport>`, StateError, "bad bbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFeatureServer(t, func(*http.Request) (int, string) { return tt.status, tt.body })
			e := NewEngine(fs.srv.Client(), Options{PerHost: 2, Retries: -1})
			got := e.Fetch(context.Background(), testView, []LayerSpec{featureSpec(t, fs.srv.URL+"/api")}, nil)["F"]
			if got.Kind != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("state = %v, want %v with %q", got, tt.want, tt.reason)
			}
			if tt.want == StateBlocked {
				if n := fs.requests("/api/items"); n > 2 {
					t.Errorf("a refused layer cost %d item requests, want at most PerHost (2)", n)
				}
			}
		})
	}
}

// TestFeatureSourceCredentials: the Fetcher's requests carry the layer's
// source, so the transport adds its credential under the source only.
func TestFeatureSourceCredentials(t *testing.T) {
	fs := newFeatureServer(t, func(*http.Request) (int, string) { return 200, "1,2,3,255" })
	spec := featureSpec(t, fs.srv.URL+"/api")
	store, kv := vault.NewStore(), vault.NewKeyVault()
	store.Set(spec.Source, vault.Credential{Key: "k3y"})
	kv.Set(spec.Source, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "key"})
	e := NewEngine(vault.NewClient(store, kv, vault.TransportOptions{Base: fs.srv.Client().Transport}), Options{})
	if got := e.Fetch(context.Background(), testView, []LayerSpec{spec}, nil)["F"]; got.Kind != StateOK {
		t.Fatalf("state = %v, want ok", got)
	}
	if got, want := fs.keys.Load(), int64(fs.requests("/api/items")+fs.requests("/api/collection")); got != want || got == 0 {
		t.Errorf("%d of %d requests carried the key, want all", got, want)
	}
}

// TestFeatureSourceCancel: cancelling a fetch cancels the renders' requests
// and records nothing.
func TestFeatureSourceCancel(t *testing.T) {
	release := make(chan struct{})
	fs := newFeatureServer(t, func(r *http.Request) (int, string) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return 200, "1,2,3,255"
	})
	defer close(release)
	e := NewEngine(fs.srv.Client(), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan State)
	go func() { done <- e.Fetch(ctx, testView, []LayerSpec{featureSpec(t, fs.srv.URL+"/api")}, nil)["F"] }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case got := <-done:
		if got.Kind != StateIdle || got.Done != 0 {
			t.Errorf("state after cancel = %v, want idle with nothing done", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch did not return after cancel")
	}
	if n, _ := e.CacheStats(); n != 0 {
		t.Errorf("%d tiles cached after a cancelled fetch", n)
	}
}

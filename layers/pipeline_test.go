package layers

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault"
)

// fakeWMS is an httptest WMS that draws each layer as a solid colour
// (LAYERS=a,b drawn a then b), for EPSG:4326 as 10-degree latitude stripes,
// and counts its requests. hook, when set, may answer a request itself.
type fakeWMS struct {
	t      testing.TB
	srv    *httptest.Server
	colors map[string]color.NRGBA

	mu    sync.Mutex
	order []string       // request URLs in arrival order
	count map[string]int // by URL
	hook  func(w http.ResponseWriter, r *http.Request, n int) bool
	pngs  map[string][]byte
}

func newFakeWMS(t testing.TB, colors map[string]color.NRGBA) *fakeWMS {
	t.Helper()
	f := &fakeWMS{t: t, colors: colors, count: map[string]int{}, pngs: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWMS) spec(id string, names ...string) LayerSpec {
	src, err := vault.SourceOf(f.srv.URL + "/wms")
	if err != nil {
		f.t.Fatal(err)
	}
	return LayerSpec{ID: id, Source: src, Opacity: 1,
		Tiles: testTiles{base: f.srv.URL + "/wms?map=test", names: names, crs: "EPSG:3857", transparent: true}}
}

// geoSpec is spec for a layer requested in EPSG:4326.
func (f *fakeWMS) geoSpec(id string, names ...string) LayerSpec {
	s := f.spec(id, names...)
	tt := s.Tiles.(testTiles)
	tt.crs = "EPSG:4326"
	s.Tiles = tt
	return s
}

func (f *fakeWMS) setHook(h func(w http.ResponseWriter, r *http.Request, n int) bool) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

func (f *fakeWMS) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

func (f *fakeWMS) serve(w http.ResponseWriter, r *http.Request) {
	u := "http://" + r.Host + r.URL.String()
	f.mu.Lock()
	f.order = append(f.order, u)
	f.count[u]++
	n := f.count[u]
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}
	q := r.URL.Query()
	wd, _ := strconv.Atoi(q.Get("WIDTH"))
	ht, _ := strconv.Atoi(q.Get("HEIGHT"))
	if wd <= 0 || ht <= 0 || wd > 2048 || ht > 2048 {
		http.Error(w, "bad size", http.StatusBadRequest)
		return
	}
	crs := q.Get("CRS") + q.Get("SRS")
	key := q.Get("LAYERS") + "|" + crs + "|" + q.Get("BBOX") + "|" + strconv.Itoa(wd) + "x" + strconv.Itoa(ht)
	geo := crs == "EPSG:4326"
	if !geo {
		key = q.Get("LAYERS") + "|" + strconv.Itoa(wd) + "x" + strconv.Itoa(ht)
	}
	f.mu.Lock() // held while rendering: each image is drawn once
	defer f.mu.Unlock()
	body, ok := f.pngs[key]
	if !ok {
		img := image.NewNRGBA(image.Rect(0, 0, wd, ht))
		if geo {
			var bb [4]float64
			for i, s := range strings.Split(q.Get("BBOX"), ",") {
				bb[i], _ = strconv.ParseFloat(s, 64)
			}
			south, north := bb[0], bb[2] // 1.3.0 EPSG:4326: lat,lon order
			for y := 0; y < ht; y++ {
				lat := north - (float64(y)+0.5)/float64(ht)*(north-south)
				c := stripeColor(lat)
				row := img.Pix[y*img.Stride:][:4*wd]
				for x := 0; x < len(row); x += 4 {
					row[x], row[x+1], row[x+2], row[x+3] = c.R, c.G, c.B, c.A
				}
			}
		} else {
			for _, name := range strings.Split(q.Get("LAYERS"), ",") {
				c, ok := f.colors[name]
				if !ok {
					http.Error(w, "unknown layer", http.StatusBadRequest)
					return
				}
				layer := image.NewUniform(c)
				drawOverNRGBA(img, layer)
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			f.t.Error(err)
		}
		body = buf.Bytes()
		f.pngs[key] = body
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(body)
}

// drawOverNRGBA draws the solid colour c over img (every pixel of img has
// the same colour, so one pixel is computed and copied).
func drawOverNRGBA(img *image.NRGBA, u *image.Uniform) {
	c := u.C.(color.NRGBA)
	if c.A == 0 || img.Rect.Empty() {
		return
	}
	out := c
	if c.A != 255 {
		// Over in premultiplied space, stored back non-premultiplied.
		d := img.NRGBAAt(0, 0)
		sa, da := float64(c.A)/255, float64(d.A)/255
		oa := sa + da*(1-sa)
		mix := func(s, d uint8) uint8 {
			return uint8(math.Round((float64(s)*sa + float64(d)*da*(1-sa)) / oa))
		}
		out = color.NRGBA{mix(c.R, d.R), mix(c.G, d.G), mix(c.B, d.B), uint8(math.Round(oa * 255))}
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = out.R, out.G, out.B, out.A
	}
}

// stripeColor colours 10-degree latitude bands.
func stripeColor(lat float64) color.NRGBA {
	band := int(math.Floor(lat / 10))
	return color.NRGBA{R: uint8(band*25 + 128), G: uint8(255 - (band+9)*10), B: 50, A: 255}
}

// recorder is a thread-safe Progress.
type recorder struct {
	mu     sync.Mutex
	states map[string][]State
	done   map[string]int
}

func newRecorder() *recorder {
	return &recorder{states: map[string][]State{}, done: map[string]int{}}
}

func (r *recorder) LayerState(id string, s State) {
	r.mu.Lock()
	r.states[id] = append(r.states[id], s)
	r.mu.Unlock()
}

func (r *recorder) TileDone(id string) {
	r.mu.Lock()
	r.done[id]++
	r.mu.Unlock()
}

func (r *recorder) tilesDone(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[id]
}

var (
	red  = color.NRGBA{255, 0, 0, 255}
	blue = color.NRGBA{0, 0, 255, 255}
)

// testView is 3x3 tiles-ish around a point at zoom 5.
var testView = View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 600, Height: 400}

// recordingSleep is an Options.Sleep that records and does not wait.
type recordingSleep struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *recordingSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *recordingSleep) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

func TestFetchAllTilesOK(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	e := NewEngine(f.srv.Client(), Options{})
	rec := newRecorder()
	tiles := len(TilesForView(testView))
	states := e.Fetch(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, rec)
	if got, want := states["A"], (State{Kind: StateOK, Queued: tiles, Done: tiles}); got != want {
		t.Errorf("state = %v, want %v", got, want)
	}
	if got, want := rec.tilesDone("A"), tiles; got != want {
		t.Errorf("TileDone calls = %d, want %d", got, want)
	}
	if seq := rec.states["A"]; len(seq) < 2 || seq[0].Kind != StateLoading || seq[0].Queued != tiles || seq[len(seq)-1] != states["A"] {
		t.Errorf("reported states = %v, want loading first and the final state last", seq)
	}
	if got, _ := e.CacheStats(); got != tiles {
		t.Errorf("cache entries = %d, want %d", got, tiles)
	}
	// A second fetch is served from the cache.
	_, _, st := e.Render(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, nil)
	if st.Requests != 0 || st.CacheHits != int64(tiles) || st.Tiles != int64(tiles) {
		t.Errorf("second render stats = %+v, want 0 requests and %d hits", st, tiles)
	}
	if got, want := len(f.requests()), tiles; got != want {
		t.Errorf("server requests = %d, want %d", got, want)
	}
}

func TestFetchPriorityCentreFirst(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	e := NewEngine(f.srv.Client(), Options{PerHost: 1})
	spec := f.spec("A", "a")
	e.Fetch(context.Background(), testView, []LayerSpec{spec}, nil)
	var want []string
	for _, tile := range TilesForView(testView) {
		r, _ := spec.Tiles.Tile(tile, TileSize)
		want = append(want, r.URL)
	}
	if got := f.requests(); !slices.Equal(got, want) {
		t.Errorf("request order:\n got %q\nwant %q", got, want)
	}
	centre := TileAt(testView.CenterLon, testView.CenterLat, 5)
	if got := TilesForView(testView)[0]; got != centre {
		t.Errorf("first tile = %v, want the centre tile %v", got, centre)
	}
}

func TestFetchCancel(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	release := make(chan struct{})
	arrived := make(chan struct{}, 100)
	f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return false
	})
	defer close(release)
	const perHost = 3
	e := NewEngine(f.srv.Client(), Options{PerHost: perHost})
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan map[string]State)
	go func() { done <- e.Fetch(ctx, testView, []LayerSpec{f.spec("A", "a")}, rec) }()
	for range perHost {
		<-arrived
	}
	cancel()
	var states map[string]State
	select {
	case states = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch did not return after cancel")
	}
	tiles := len(TilesForView(testView))
	if got, want := states["A"], (State{Kind: StateIdle, Queued: tiles}); got != want {
		t.Errorf("state after cancel = %v, want %v", got, want)
	}
	if got := rec.tilesDone("A"); got != 0 {
		t.Errorf("TileDone calls after cancel = %d, want 0", got)
	}
	if n, _ := e.CacheStats(); n != 0 {
		t.Errorf("cache entries after cancel = %d, want 0", n)
	}
	if got := len(f.requests()); got != perHost {
		t.Errorf("server requests = %d, want %d (queued ones dropped)", got, perHost)
	}
	e.mu.Lock()
	if len(e.inflight) != 0 {
		t.Errorf("in-flight calls left: %d", len(e.inflight))
	}
	e.mu.Unlock()
}

func TestFetchDeduplicatesConcurrentFetches(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	gate := make(chan struct{})
	f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-gate
		return false
	})
	const perHost = 2
	e := NewEngine(f.srv.Client(), Options{PerHost: perHost})
	specs := []LayerSpec{f.spec("A", "a")}
	results := make(chan map[string]State, 2)
	for range 2 {
		go func() { results <- e.Fetch(context.Background(), testView, specs, nil) }()
	}
	// Both fetches have registered their calls: the first owns perHost+1
	// (one waiting for a slot), the second owns one more and waits on
	// those the first owns.
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.mu.Lock()
		n := len(e.inflight)
		e.mu.Unlock()
		if n >= perHost+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("in-flight calls = %d, want %d", n, perHost+2)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	tiles := len(TilesForView(testView))
	for range 2 {
		if got, want := (<-results)["A"], (State{Kind: StateOK, Queued: tiles, Done: tiles}); got != want {
			t.Errorf("state = %v, want %v", got, want)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := len(f.order); got != tiles {
		t.Errorf("requests = %d, want %d (one per tile)", got, tiles)
	}
	for u, n := range f.count {
		if n != 1 {
			t.Errorf("%s requested %d times, want 1", u, n)
		}
	}
}

func TestFetchRetries(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		failures  int // answers before success; -1: always fail
		status    int
		header    string
		retries   int
		wantReqs  int
		wantWaits []time.Duration // exact; nil: check backoff range
		wantKind  StateKind
		wantWhy   string
	}{
		{"503 retry-after seconds", 2, 503, "2", 0, 3, []time.Duration{2 * time.Second, 2 * time.Second}, StateOK, ""},
		{"429 retry-after date", 1, 429, now.Add(5 * time.Second).Format(http.TimeFormat), 0, 2, []time.Duration{5 * time.Second}, StateOK, ""},
		{"retry-after 10 s waited", 1, 503, "10", 0, 2, []time.Duration{10 * time.Second}, StateOK, ""},
		{"long retry-after not retried", -1, 503, "3600", 0, 1, []time.Duration{}, StateError, "the server asks to retry after Sun, 01 Mar 2026 13:00:00 UTC"},
		{"long retry-after date", -1, 429, now.Add(time.Hour).Format(http.TimeFormat), 0, 1, []time.Duration{}, StateError, "the server asks to retry after Sun, 01 Mar 2026 13:00:00 UTC"},
		{"500 backoff", 2, 500, "", 0, 3, nil, StateOK, ""},
		{"500 exhausted", -1, 500, "", 0, 3, nil, StateError, "HTTP 500 Internal Server Error"},
		{"no retries", -1, 502, "", -1, 1, []time.Duration{}, StateError, "HTTP 502 Bad Gateway"},
		{"404 not retried", -1, 404, "", 0, 1, []time.Duration{}, StateError, "HTTP 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
			f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if tt.failures >= 0 && n > tt.failures {
					return false
				}
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
				return true
			})
			sl := &recordingSleep{}
			e := NewEngine(f.srv.Client(), Options{Retries: tt.retries, Sleep: sl.sleep, Clock: func() time.Time { return now }})
			one := View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 10, Height: 10}
			if n := len(TilesForView(one)); n != 1 {
				t.Fatalf("view has %d tiles, want 1", n)
			}
			_, states, st := e.Render(context.Background(), one, []LayerSpec{f.spec("A", "a")}, nil)
			if got := st.Requests; got != int64(tt.wantReqs) {
				t.Errorf("requests = %d, want %d", got, tt.wantReqs)
			}
			if got := states["A"]; got.Kind != tt.wantKind || got.Reason != tt.wantWhy {
				t.Errorf("state = %v, want %v %q", got, tt.wantKind, tt.wantWhy)
			}
			waits := sl.waits()
			if tt.wantWaits != nil {
				if !slices.Equal(waits, tt.wantWaits) && !(len(waits) == 0 && len(tt.wantWaits) == 0) {
					t.Errorf("waits = %v, want %v", waits, tt.wantWaits)
				}
				return
			}
			if got, want := len(waits), tt.wantReqs-1; got != want {
				t.Fatalf("waits = %v, want %d", waits, want)
			}
			for i, d := range waits {
				full := baseRetryDelay << i
				if d < full/2 || d > full {
					t.Errorf("wait %d = %v, want within [%v, %v]", i, d, full/2, full)
				}
			}
		})
	}
}

func TestFetchBlocked(t *testing.T) {
	big := View{CenterLon: 0, CenterLat: 0, Zoom: 6, Width: 1800, Height: 1300}
	tiles := len(TilesForView(big))
	if tiles < 40 {
		t.Fatalf("view has %d tiles, want >= 40", tiles)
	}
	const perHost = 6
	tests := []struct {
		name    string
		status  int
		body    string
		rtErr   error // the client's transport fails with it instead
		wantWhy string
	}{
		{"401", 401, "", nil, ReasonRejected},
		{"403 with exception", 403, `<ServiceExceptionReport><ServiceException>forbidden</ServiceException></ServiceExceptionReport>`, nil, ReasonRejected},
		{"498", 498, "", nil, ReasonRejected},
		{"vault needs credentials", 0, "", vault.ErrNoCredentials, ReasonNeedsCredentials},
		{"vault rejected", 0, "", vault.ErrRejected, ReasonRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, map[string]color.NRGBA{"a": red, "b": blue})
			f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Query().Get("LAYERS") != "a" {
					return false
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
				return true
			})
			client := f.srv.Client()
			if tt.rtErr != nil {
				client = &http.Client{Transport: failingTransport{tt.rtErr}}
			}
			e := NewEngine(client, Options{PerHost: perHost})
			rec := newRecorder()
			states := e.Fetch(context.Background(), big, []LayerSpec{f.spec("A", "a")}, rec)
			got := states["A"]
			if got.Kind != StateBlocked || got.Reason != tt.wantWhy {
				t.Errorf("state = %v, want blocked: %s", got, tt.wantWhy)
			}
			if got.Failed < 1 || got.Failed > perHost || got.Queued != tiles || got.Pending() != tiles-got.Failed {
				t.Errorf("state counts = %v, want 1..%d failed and the rest queued", got, perHost)
			}
			if n := len(f.requests()); n > perHost {
				t.Errorf("requests = %d, want at most %d (no storm)", n, perHost)
			}
			if rec.tilesDone("A") != 0 {
				t.Errorf("TileDone called for a blocked layer")
			}
		})
	}
}

func TestFetchClientTimeoutIsAnError(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-r.Context().Done()
		return true
	})
	client := f.srv.Client()
	client.Timeout = 50 * time.Millisecond
	e := NewEngine(client, Options{})
	one := View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 10, Height: 10}
	got := e.Fetch(context.Background(), one, []LayerSpec{f.spec("A", "a")}, nil)["A"]
	if want := (State{Kind: StateError, Queued: 1, Failed: 1, Reason: "request timed out"}); got != want {
		t.Errorf("state = %v, want %v", got, want)
	}
}

// TestFetchThroughVaultClient runs the engine on the real authenticating
// client: the request context names the layer's source, so the credential
// is attached; a wrong one is rejected once and then never sent again.
func TestFetchThroughVaultClient(t *testing.T) {
	for _, tt := range []struct {
		password string
		want     StateKind
	}{{"right", StateOK}, {"wrong", StateBlocked}} {
		f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
		f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
			if u, p, ok := r.BasicAuth(); !ok || u != "ann" || p != "right" {
				w.WriteHeader(http.StatusUnauthorized)
				return true
			}
			return false
		})
		spec := f.spec("A", "a")
		store := vault.NewStore()
		store.Set(spec.Source, vault.Credential{Username: "ann", Password: tt.password})
		client := vault.NewClient(store, nil, vault.TransportOptions{Base: f.srv.Client().Transport})
		e := NewEngine(client, Options{PerHost: 2})
		got := e.Fetch(context.Background(), testView, []LayerSpec{spec}, nil)["A"]
		if got.Kind != tt.want {
			t.Errorf("password %q: state = %v, want %v", tt.password, got, tt.want)
		}
		if tt.want == StateBlocked {
			if n := len(f.requests()); n > 2 {
				t.Errorf("password %q: %d requests, want at most 2", tt.password, n)
			}
			if st := store.Status(spec.Source); st != vault.StatusRejected {
				t.Errorf("store status = %v, want rejected", st)
			}
		}
	}
}

type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestFetchBadAnswers(t *testing.T) {
	exc := `<?xml version="1.0"?><ServiceExceptionReport version="1.3.0"><ServiceException code="LayerNotDefined">
	  layer   'a' is not   defined, see https://maps.example.org/help?key=s3cr3tKEY
	</ServiceException></ServiceExceptionReport>`
	pngBody := func() []byte {
		var b bytes.Buffer
		png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 256, 256)))
		return b.Bytes()
	}()
	tests := []struct {
		name     string
		ctype    string
		body     []byte
		wantWhy  string // prefix
		wantKind StateKind
	}{
		{"exception with image/png header", "image/png", []byte(exc), "layer 'a' is not defined, see https://maps.example.org/help?key=", StateError},
		{"exception as xml", "application/vnd.ogc.se_xml", []byte(exc), "layer 'a' is not defined", StateError},
		{"html page", "text/html", []byte("<html><body>login</body></html>"), "response is not an image (text/html)", StateError},
		{"png claimed as text", "text/plain", pngBody, "response is not an image (text/plain)", StateError},
		{"truncated png", "image/png", pngBody[:60], "response is not an image: cannot decode png", StateError},
		{"too large", "image/png", append(slices.Clone(pngBody), make([]byte, 4000)...), "tile response too large", StateError},
		{"valid png", "image/png", pngBody, "", StateOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, nil)
			f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write(tt.body)
				return true
			})
			e := NewEngine(f.srv.Client(), Options{MaxBodyBytes: int64(len(pngBody) + 100)})
			one := View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 10, Height: 10}
			got := e.Fetch(context.Background(), one, []LayerSpec{f.spec("A", "a")}, nil)["A"]
			if got.Kind != tt.wantKind || !strings.HasPrefix(got.Reason, tt.wantWhy) {
				t.Errorf("state = %v, want %v with reason %q...", got, tt.wantKind, tt.wantWhy)
			}
			if strings.Contains(got.Reason, "s3cr3tKEY") {
				t.Errorf("reason %q carries the secret", got.Reason)
			}
		})
	}
}

func TestFetchRequestMerging(t *testing.T) {
	colors := map[string]color.NRGBA{"a": red, "b": {0, 255, 0, 128}, "c": {0, 0, 255, 64}}
	tests := []struct {
		name       string
		noMerge    bool
		midOpacity float64
		perTile    int
	}{
		{"mergeable", false, 1, 1},
		{"merging disabled", true, 1, 3},
		{"middle layer translucent", false, 0.5, 3},
	}
	var frames []*image.RGBA
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, colors)
			e := NewEngine(f.srv.Client(), Options{NoMerge: tt.noMerge})
			specs := []LayerSpec{f.spec("A", "a"), f.spec("B", "b"), f.spec("C", "c")}
			specs[1].Opacity = tt.midOpacity
			frame, states, st := e.Render(context.Background(), testView, specs, nil)
			tiles := len(TilesForView(testView))
			if got, want := st.Requests, int64(tt.perTile*tiles); got != want {
				t.Errorf("requests = %d, want %d (%d per tile)", got, want, tt.perTile)
			}
			for _, id := range []string{"A", "B", "C"} {
				if got, want := states[id], (State{Kind: StateOK, Queued: tiles, Done: tiles}); got != want {
					t.Errorf("state[%s] = %v, want %v", id, got, want)
				}
			}
			if _, missing := e.Compose(testView, specs); missing != 0 {
				t.Errorf("missing after render = %d, want 0", missing)
			}
			if tt.midOpacity == 1 {
				frames = append(frames, frame)
			}
		})
	}
	if len(frames) == 2 {
		a, b := frames[0], frames[1]
		for i := range a.Pix {
			if d := int(a.Pix[i]) - int(b.Pix[i]); d > 2 || d < -2 {
				t.Fatalf("merged and separate frames differ at byte %d: %d vs %d", i, a.Pix[i], b.Pix[i])
			}
		}
	}
}

func TestFetchInvalidSpec(t *testing.T) {
	e := NewEngine(http.DefaultClient, Options{})
	specs := []LayerSpec{
		{ID: "none", Opacity: 1},
		{ID: "both", Opacity: 1, Tiles: testTiles{base: "https://example.org/wms?"}, Features: solidFeatures{}},
		{ID: "url", Opacity: 1, Tiles: testTiles{base: "ftp://example.org/wms?", names: []string{"a"}}},
	}
	states := e.Fetch(context.Background(), testView, specs, nil)
	for _, id := range []string{"none", "both", "url"} {
		if got := states[id]; got.Kind != StateError || got.Reason == "" {
			t.Errorf("state[%s] = %v, want an error with a reason", id, got)
		}
	}
	if !errors.Is(groupSpecs(specs[:1], false, false, 0, nil)[0].err, ErrNoSource) {
		t.Errorf("a spec without a source: error does not wrap ErrNoSource")
	}
}

func TestFetchGeographicLayer(t *testing.T) {
	f := newFakeWMS(t, nil)
	e := NewEngine(f.srv.Client(), Options{})
	spec := f.geoSpec("G", "g")
	v := View{CenterLon: 10, CenterLat: 45, Zoom: 3, Width: 512, Height: 512}
	frame, states, _ := e.Render(context.Background(), v, []LayerSpec{spec}, nil)
	if got := states["G"]; got.Kind != StateOK {
		t.Fatalf("state = %v, want ok", got)
	}
	for _, u := range f.requests() {
		if !strings.Contains(u, "CRS=EPSG:4326") {
			t.Fatalf("request %s is not in EPSG:4326", u)
		}
	}
	// Check frame rows against the latitude stripes.
	v = normalizedView(v)
	_, cy := worldFraction(v.CenterLon, v.CenterLat)
	world := TileSize * math.Exp2(v.Zoom)
	checked := 0
	for y := 0; y < frame.Bounds().Dy(); y += 7 {
		fy := cy + (float64(y)+0.5-256)/world
		lat := latOfFraction(fy)
		// Skip rows next to a stripe border.
		latUp, latDown := latOfFraction(fy-2/world), latOfFraction(fy+2/world)
		if math.Floor(latUp/10) != math.Floor(latDown/10) {
			continue
		}
		want := stripeColor(lat)
		got := frame.RGBAAt(256, y)
		if absDiff(got.R, want.R) > 2 || absDiff(got.G, want.G) > 2 || got.A != 255 {
			t.Errorf("row %d (lat %.2f) = %v, want %v", y, lat, got, want)
		}
		checked++
	}
	if checked < 40 {
		t.Errorf("checked only %d rows", checked)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestPurge(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	e := NewEngine(f.srv.Client(), Options{})
	spec := f.spec("A", "a")
	e.Fetch(context.Background(), testView, []LayerSpec{spec}, nil)
	if n, _ := e.CacheStats(); n == 0 {
		t.Fatal("nothing cached")
	}
	e.Purge("https://other.example:443/wms")
	if n, _ := e.CacheStats(); n != len(TilesForView(testView)) {
		t.Errorf("purging another source dropped tiles: %d left", n)
	}
	e.Purge(spec.Source)
	if n, b := e.CacheStats(); n != 0 || b != 0 {
		t.Errorf("after purge: %d entries, %d bytes, want 0", n, b)
	}
	if _, missing := e.Compose(testView, []LayerSpec{spec}); missing != len(TilesForView(testView)) {
		t.Errorf("missing after purge = %d, want %d", missing, len(TilesForView(testView)))
	}
}

func TestHiDPIRequests(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	e := NewEngine(f.srv.Client(), Options{})
	v := View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 400, Height: 300, Scale: 2}
	frame, _, _ := e.Render(context.Background(), v, []LayerSpec{f.spec("A", "a")}, nil)
	if got, want := frame.Bounds().Size(), image.Pt(800, 600); got != want {
		t.Errorf("frame size = %v, want %v", got, want)
	}
	for _, u := range f.requests() {
		if !strings.HasSuffix(u, "&WIDTH=512&HEIGHT=512") {
			t.Errorf("request %s is not 512x512", u)
		}
	}
	if c := frame.RGBAAt(400, 300); c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("centre pixel = %v, want red", c)
	}
}

func ExampleEngine_Render() {
	e := NewEngine(&http.Client{Transport: failingTransport{vault.ErrNoCredentials}}, Options{})
	spec := LayerSpec{ID: "roads", Source: "https://maps.example.org:443/wms", Opacity: 1,
		Tiles: testTiles{base: "https://maps.example.org/wms?", names: []string{"roads"}, crs: "EPSG:3857"}}
	frame, states, st := e.Render(context.Background(), View{Zoom: 2, Width: 256, Height: 256}, []LayerSpec{spec}, nil)
	fmt.Println(frame.Bounds().Size(), states["roads"].Kind, states["roads"].Reason, st.Requests)
	// Output: (256,256) blocked needs credentials 0
}

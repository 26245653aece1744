package layers

import (
	"context"
	"image/color"
	"net/http"
	"strings"
	"testing"
	"time"
)

// frame1080 is a 1920x1080 view: 40 tiles.
var frame1080 = View{CenterLon: 10, CenterLat: 50, Zoom: 6, Width: 1920, Height: 1080}

// TestFetchLongRetryAfter: a server answering every tile 503 with
// Retry-After: 100000 fails the layer with the server's date after at
// most PerHost requests (those already in flight), not Retries+1 per tile
// with 10 s waits; and the next fetch leaves the host alone.
func TestFetchLongRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "100000")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	sl := &recordingSleep{}
	e := NewEngine(f.srv.Client(), Options{Sleep: sl.sleep, Clock: func() time.Time { return now }})
	tiles := len(TilesForView(frame1080))
	_, states, st := e.Render(context.Background(), frame1080, []LayerSpec{f.spec("A", "a")}, nil)
	t.Logf("%d tiles: %d requests, waits %v", tiles, st.Requests, sl.waits())
	got := states["A"]
	want := "the server asks to retry after " + now.Add(100000*time.Second).Format(time.RFC1123)
	if got.Kind != StateError || got.Failed != tiles || got.Queued != tiles || got.Reason != want {
		t.Errorf("state = %v, want error with %d of %d failed: %s", got, tiles, tiles, want)
	}
	if st.Requests > 6 {
		t.Errorf("requests = %d, want at most PerHost (6)", st.Requests)
	}
	if w := sl.waits(); len(w) != 0 {
		t.Errorf("waits = %v, want none", w)
	}
	// Within the server's delay, nothing is sent.
	before := len(f.requests())
	if got := e.Fetch(context.Background(), frame1080, []LayerSpec{f.spec("A", "a")}, nil)["A"]; got.Reason != want {
		t.Errorf("second fetch: state = %v, want %s", got, want)
	}
	if n := len(f.requests()) - before; n != 0 {
		t.Errorf("second fetch sent %d requests, want 0", n)
	}
	// Once it has passed, the host is asked again.
	now = now.Add(100001 * time.Second)
	f.setHook(nil)
	if got := e.Fetch(context.Background(), frame1080, []LayerSpec{f.spec("A", "a")}, nil)["A"]; got.Kind != StateOK {
		t.Errorf("after the delay: state = %v, want ok", got)
	}
}

// dripHook answers a GetMap with a PNG signature and then one byte every
// 50 ms, never finishing, until the client goes away.
func dripHook(w http.ResponseWriter, r *http.Request, n int) bool {
	w.Header().Set("Content-Type", "image/png")
	w.Write([]byte("\x89PNG\r\n\x1a\n"))
	w.(http.Flusher).Flush()
	for {
		select {
		case <-r.Context().Done():
			return true
		case <-time.After(50 * time.Millisecond):
			w.Write([]byte{0})
			w.(http.Flusher).Flush()
		}
	}
}

// TestFetchDeadline: when the fetch's deadline passes while a server drips
// its tiles, Fetch returns at once and the layer is an error whose missing
// tiles count as failed, not an idle layer that looks finished.
func TestFetchDeadline(t *testing.T) {
	f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
	f.setHook(dripHook)
	e := NewEngine(f.srv.Client(), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	states := e.Fetch(ctx, testView, []LayerSpec{f.spec("A", "a")}, nil)
	elapsed := time.Since(start)
	tiles := len(TilesForView(testView))
	if got, want := states["A"], (State{Kind: StateError, Queued: tiles, Failed: tiles, Reason: ReasonDeadline}); got != want {
		t.Errorf("state = %v, want %v", got, want)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Fetch took %v after a 300 ms deadline", elapsed)
	}
}

// stateChecker is a Progress that fails the test on any report where more
// tiles are done or failed than queued.
type stateChecker struct {
	t *testing.T
	*recorder
}

func (c stateChecker) LayerState(id string, s State) {
	if s.Done < 0 || s.Failed < 0 || s.Done+s.Failed > s.Queued {
		c.t.Errorf("layer %s reported %v (queued %d, done %d, failed %d): more tiles finished than queued", id, s, s.Queued, s.Done, s.Failed)
	}
	c.recorder.LayerState(id, s)
}

// TestStateCounts: in every reported and final state, Done + Failed <=
// Queued, and Queued is the number of tiles the view needs; the error
// line "(16 of 0 tiles failed)" came from Queued counting down to 0.
func TestStateCounts(t *testing.T) {
	tiles := len(TilesForView(testView))
	tests := []struct {
		name       string
		hook       func(w http.ResponseWriter, r *http.Request, n int) bool
		spec       func(f *fakeWMS) LayerSpec
		wantKind   StateKind
		wantFailed int
	}{
		{"ok", nil, nil, StateOK, 0},
		{"every tile 404", func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.WriteHeader(404)
			return true
		}, nil, StateError, tiles},
		{"some tiles 404", func(w http.ResponseWriter, r *http.Request, n int) bool {
			if strings.Contains(r.URL.RawQuery, "BBOX=1") {
				w.WriteHeader(404)
				return true
			}
			return false
		}, nil, StateError, -1},
		{"invalid spec", nil, func(f *fakeWMS) LayerSpec {
			s := f.spec("A", "a")
			s.Tiles = nil
			return s
		}, StateError, tiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
			f.setHook(tt.hook)
			spec := f.spec("A", "a")
			if tt.spec != nil {
				spec = tt.spec(f)
			}
			e := NewEngine(f.srv.Client(), Options{Retries: -1})
			for round := range 2 { // the second is served partly from the cache
				got := e.Fetch(context.Background(), testView, []LayerSpec{spec}, stateChecker{t, newRecorder()})["A"]
				if got.Kind != tt.wantKind || got.Queued != tiles || got.Done+got.Failed != tiles ||
					(tt.wantFailed >= 0 && got.Failed != tt.wantFailed) {
					t.Errorf("round %d: state = %v (queued %d, done %d, failed %d), want %v with %d tiles queued", round, got, got.Queued, got.Done, got.Failed, tt.wantKind, tiles)
				}
			}
		})
	}
}

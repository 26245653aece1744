package layers

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"mapvault/vault"
)

// metaTiles is a metatiling source like WMS's: a tile is its part of a
// 4x4-tile image (cut at the world's edge), which the engine caches once.
type metaTiles struct{ base, id string }

func (s metaTiles) Key() string { return s.base + " " + s.id }

func (s metaTiles) Tile(t Tile, px int) (TileRequest, bool) {
	n := min(4, 1<<t.Z)
	mx, my := t.X/n*n, t.Y/n*n
	side := n * px
	return TileRequest{
		URL:    fmt.Sprintf("%s?layer=%s&z=%d&x=%d&y=%d&w=%d", s.base, s.id, t.Z, mx, my, side),
		Width:  side,
		Height: side,
		Part:   image.Rect((t.X-mx)*px, (t.Y-my)*px, (t.X-mx+1)*px, (t.Y-my+1)*px),
	}, true
}

// tileServer answers every request of metaTiles with a map-like PNG of the
// asked size (encoded once per size and layer).
func tileServer(tb testing.TB) *httptest.Server {
	var mu sync.Mutex
	pngs := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		side, _ := strconv.Atoi(q.Get("w"))
		key := q.Get("layer") + " " + q.Get("w")
		mu.Lock()
		b, ok := pngs[key]
		if !ok {
			img := image.NewNRGBA(image.Rect(0, 0, side, side))
			seed := uint8(len(q.Get("layer")) * 40)
			for y := range side {
				for x := range side {
					switch (x/13 + y/7) % 5 {
					case 0:
						img.SetNRGBA(x, y, color.NRGBA{seed, uint8(x), uint8(y), 255})
					case 1:
						img.SetNRGBA(x, y, color.NRGBA{uint8(y), seed, 90, 128})
					case 2:
						img.SetNRGBA(x, y, color.NRGBA{200, 200, seed, 255})
					}
				}
			}
			var buf bytes.Buffer
			png.Encode(&buf, img)
			b = buf.Bytes()
			pngs[key] = b
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(b)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// exploreViews is a random walk of n 1920x1080 views around Zurich: pans
// of up to half a frame, zooms in and out (fractional and whole) between
// zoom 3 and 19, drifting in towards z19.
func exploreViews(n int) []View {
	r := rand.New(rand.NewPCG(11, 12))
	v := View{CenterLon: 8.54, CenterLat: 47.37, Zoom: 8, Width: 1920, Height: 1080}
	views := make([]View, 0, n)
	for range n {
		switch r.IntN(4) {
		case 0: // zoom
			dz := []float64{-1, 1, 1, 0.5, -0.3, 2}[r.IntN(6)]
			v.Zoom = math.Min(19, math.Max(3, v.Zoom+dz))
		default: // pan by up to half a frame
			deg := 360 / math.Exp2(v.Zoom) / 256 // degrees of longitude per pixel
			v.CenterLon += (r.Float64() - 0.5) * float64(v.Width) * deg
			v.CenterLat += (r.Float64() - 0.5) * float64(v.Height) * deg * math.Cos(v.CenterLat*math.Pi/180)
			v.CenterLat = math.Min(80, math.Max(-80, v.CenterLat))
		}
		views = append(views, v)
	}
	return views
}

// explore renders the walk with a 256 MiB cache: a base and an overlay
// merged into one request, and an overlay at opacity 0.7 of its own. It
// returns the highest live heap after a view (collected every 25 views)
// and the highest heap, garbage included, sampled while it ran (the
// collector paced as usual in between), both over the heap before.
func explore(tb testing.TB, views []View) (live, peak uint64, e *Engine) {
	srv := tileServer(tb)
	src, err := vault.SourceOf(srv.URL + "/tiles")
	if err != nil {
		tb.Fatal(err)
	}
	spec := func(id string, opacity float64) LayerSpec {
		return LayerSpec{ID: id, Source: src, Opacity: opacity, Tiles: metaTiles{base: srv.URL + "/tiles", id: id}}
	}
	specs := []LayerSpec{spec("base", 1), spec("labels", 0.7)}
	e = NewEngine(srv.Client(), Options{CacheBytes: 256 << 20})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // sample the heap, garbage included
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			h := read()
			mu.Lock()
			peak = max(peak, h)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	for i, v := range views {
		frame, states, _ := e.Render(context.Background(), v, specs, nil)
		for id, s := range states {
			if s.Kind != StateOK {
				tb.Fatalf("view %+v: layer %s %v %s", v, id, s.Kind, s.Reason)
			}
		}
		_ = frame
		if i%25 == 24 || i == len(views)-1 { // now and then: what is live
			runtime.GC()
			live = max(live, read())
		}
	}
	close(stop)
	<-done
	return live - min(live, base), peak - min(peak, base), e
}

// TestExploreHeapBound: a walk of 200 views holds at most the cache bound
// plus 150 MB. What is live after a view is the cache (ancestor stand-ins
// are cache entries, frames and decodes in flight are gone); the rest of
// the heap is garbage awaiting collection (evicted tiles, frames), which
// the collector's default pacing lets grow to about the live heap again
// (about 540 MiB here). A process memory limit (GOMEMLIMIT,
// debug.SetMemoryLimit) of the cache bound plus 128 MiB bounds it; the
// decodes in flight are bounded by Options.DecodeBytes.
func TestExploreHeapBound(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 200 1080p views")
	}
	const cacheBound = 256 << 20
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(cacheBound + 128<<20))
	live, peak, e := explore(t, exploreViews(200))
	_, cached := e.CacheStats()
	t.Logf("live heap peak %.1f MiB, sampled peak (garbage included) %.1f MiB, cache %.1f MiB", mib(live), mib(peak), mib(uint64(cached)))
	limit := uint64(cacheBound + 150e6)
	if live > limit {
		t.Errorf("live heap peak %.1f MiB, want at most the cache bound + 150 MB (%.1f MiB)", mib(live), mib(limit))
	}
	if peak > limit {
		t.Errorf("heap peak %.1f MiB under the memory limit, want at most the cache bound + 150 MB (%.1f MiB)", mib(peak), mib(limit))
	}
}

// BenchmarkExplore reports the heap of the 200-view walk with the
// collector's default pacing (no memory limit): live-MiB is what the
// engine holds, peak-MiB what the heap reached with its garbage.
func BenchmarkExplore(b *testing.B) {
	views := exploreViews(200)
	for b.Loop() {
		live, peak, _ := explore(b, views)
		b.ReportMetric(mib(live), "live-MiB")
		b.ReportMetric(mib(peak), "peak-MiB")
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

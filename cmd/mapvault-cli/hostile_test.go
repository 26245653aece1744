package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/assets/demo"
	"mapvault/project"
)

// hostileCaps is a WMS 1.3.0 document of about size bytes whose layers each
// inherit long CRS, BoundingBox, style and dimension lists from the root and
// add one of each (see layers.capsHostileDoc).
func hostileCaps(size int) []byte {
	var root, kids bytes.Buffer
	for i := 0; root.Len() < size/2; i++ {
		fmt.Fprintf(&root, "<CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"1\" maxy=\"1\"/>", 100000+i, 100000+i)
		fmt.Fprintf(&root, "<Style><Name>s%d</Name></Style><Dimension name=\"d%d\" units=\"u\">1</Dimension>\n", i, i)
	}
	for i := 0; kids.Len() < size/2; i++ {
		fmt.Fprintf(&kids, "<Layer><Name>c%d</Name><CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"2\" maxy=\"2\"/>", i, 500000+i, 500000+i)
		fmt.Fprintf(&kids, "<Style><Name>t%d</Name></Style><Dimension name=\"e%d\" units=\"u\">1</Dimension><Layer><Name>g%d</Name></Layer></Layer>\n", i, i, i)
	}
	return []byte(`<?xml version="1.0"?><WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"><Service><Title>T</Title></Service><Capability><Layer><Title>root</Title>` +
		root.String() + kids.String() + `</Layer></Capability></WMS_Capabilities>`)
}

// peakWriter counts what is written and samples the live heap at each
// write: the CLI's memory while it prints.
type peakWriter struct {
	n, peak uint64
	sample  []metrics.Sample
}

func newPeakWriter() *peakWriter {
	return &peakWriter{sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (w *peakWriter) heap() uint64 { metrics.Read(w.sample); return w.sample[0].Value.Uint64() }

func (w *peakWriter) Write(b []byte) (int, error) {
	w.n += uint64(len(b))
	w.peak = max(w.peak, w.heap())
	return len(b), nil
}

// TestLayersJSONHostileMemory: `layers --json` on a 128 KiB document whose
// report is ~50 MB keeps its memory near the document's size. The old
// parser held ~70 MB for it and the old report was built whole in memory.
func TestLayersJSONHostileMemory(t *testing.T) {
	doc := hostileCaps(128 << 10)
	path := filepath.Join(t.TempDir(), "hostile.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	w := newPeakWriter()
	runtime.GC()
	base := w.heap()
	var errb bytes.Buffer
	code := run(context.Background(), []string{"layers", path, "--json"}, stdio{in: strings.NewReader(""), out: w, err: &errb}, func(string) string { return "" })
	if code != exitOK {
		t.Fatalf("layers --json: exit %d, want 0: %s", code, errb.String())
	}
	growth := uint64(0)
	if w.peak > base {
		growth = w.peak - base
	}
	t.Logf("%d-byte document: %d bytes of JSON, heap +%d while writing", len(doc), w.n, growth)
	if limit := 64 * uint64(len(doc)); growth > limit {
		t.Fatalf("layers --json grew the heap by %d bytes (%.0fx the %d-byte document), want at most %d", growth, float64(growth)/float64(len(doc)), len(doc), limit)
	}
}

// hostileWMS serves the demo WMS's capabilities and answers GetMap with
// getMap; it counts both kinds of request.
type hostileWMS struct {
	url              string
	getMaps, getCaps atomic.Int32
}

func newHostileWMS(t *testing.T, getMap http.HandlerFunc) *hostileWMS {
	t.Helper()
	demoH, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileWMS{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req string
		for k, v := range r.URL.Query() {
			if strings.EqualFold(k, "REQUEST") && len(v) > 0 {
				req = strings.ToLower(v[0])
			}
		}
		switch req {
		case "getmap":
			h.getMaps.Add(1)
			getMap(w, r)
		case "getcapabilities":
			h.getCaps.Add(1)
			demoH.ServeHTTP(w, r)
		default:
			demoH.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(s.Close)
	h.url = s.URL
	return h
}

// layersByID returns the layers of p with the ids, in p's order.
func layersByID(p *project.Project, ids ...string) []project.Layer {
	var out []project.Layer
	for _, l := range p.Layers {
		for _, id := range ids {
			if l.ID == id {
				out = append(out, l)
			}
		}
	}
	return out
}

// publicProject is the demo project with only its public layer, on base.
func publicProject(t *testing.T, base string) (path, out string) {
	t.Helper()
	dir := t.TempDir()
	p := demo.Project(base)
	p.Layers = layersByID(p, "land")
	return saveProject(t, dir, "p.mapvault.json", p), filepath.Join(dir, "out.png")
}

// TestRenderTimeoutDrip: a server that drips its tiles one byte at a time
// no longer holds a 1080p render for minutes and lets it exit 0 with an
// empty layer: --timeout ends it, the layer is reported as timed out with
// every missing tile counted, and the exit is 1.
func TestRenderTimeoutDrip(t *testing.T) {
	srv := newHostileWMS(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				w.Write([]byte{0})
			}
		}
	})
	path, out := publicProject(t, srv.url)
	start := time.Now()
	r := runArgs(t, "render", path, "-o", out, "--size", "1920x1080", "--timeout", "1s", "--no-keychain")
	elapsed := time.Since(start)
	t.Logf("%v, %d GetMap requests\n%s", elapsed, srv.getMaps.Load(), r.err)
	wantCode(t, r, exitFailure, "render from a dripping server")
	line := layerStates(r.err)["land"]
	if m := regexp.MustCompile(`^error: timed out before every tile arrived \((\d+) of (\d+) tiles failed\)$`).FindStringSubmatch(line); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("layer land: %q, want timed out with every tile failed", line)
	}
	if !strings.Contains(r.err, "the render timed out after 1s (--timeout)") {
		t.Errorf("stderr does not say the render timed out:\n%s", r.err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("render took %v with --timeout 1s", elapsed)
	}
	// Not one tile arrived: no blank image that would pass for a map.
	if _, err := os.Stat(out); err == nil {
		t.Errorf("an image was written although no tile arrived")
	}
}

// TestRenderTimeoutFlag: --timeout is documented and must be positive.
func TestRenderTimeoutFlag(t *testing.T) {
	r := runArgs(t, "render", "--help")
	if !strings.Contains(r.err, "-timeout DURATION") || !strings.Contains(r.err, "(default 2m0s)") {
		t.Errorf("render --help does not document --timeout and its default:\n%s", r.err)
	}
	r = runArgs(t, "render", "p.mapvault.json", "-o", "x.png", "--timeout", "0s")
	wantCode(t, r, exitUsage, "render --timeout 0s")
}

// TestRenderLongRetryAfter: a server answering 503 with Retry-After:
// 100000 fails the layer with the server's time after at most one
// round of requests (PerHost), instead of four requests per tile with
// 10 s waits (288 requests for a 1080p frame).
func TestRenderLongRetryAfter(t *testing.T) {
	srv := newHostileWMS(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "100000")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	path, out := publicProject(t, srv.url)
	start := time.Now()
	r := runArgs(t, "render", path, "-o", out, "--size", "1920x1080", "--no-keychain")
	t.Logf("%v, %d GetMap requests\n%s", time.Since(start), srv.getMaps.Load(), r.err)
	wantCode(t, r, exitFailure, "render from a server asking to retry tomorrow")
	line := layerStates(r.err)["land"]
	if !regexp.MustCompile(`^error: the server asks to retry after \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d UTC \((\d+) of (\d+) tiles failed\)$`).MatchString(line) {
		t.Errorf("layer land: %q, want the server's retry time", line)
	}
	if n := srv.getMaps.Load(); n > 6 {
		t.Errorf("GetMap requests = %d, want at most 6", n)
	}
}

// TestRenderSharesCapabilitiesFailure: three layers of one source whose
// capabilities fail cost one GetCapabilities, not one per layer.
func TestRenderSharesCapabilitiesFailure(t *testing.T) {
	var caps atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caps.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer s.Close()
	p := demo.Project(s.URL)
	p.Layers = layersByID(p, "land", "countries", "borders") // the WMS layers
	for i := range p.Layers {
		p.Layers[i].Source = s.URL + demo.PublicPath
	}
	dir := t.TempDir()
	path := saveProject(t, dir, "p.mapvault.json", p)
	r := runArgs(t, "render", path, "-o", filepath.Join(dir, "out.png"), "--size", "256x256", "--no-keychain")
	wantCode(t, r, exitFailure, "render with failing capabilities")
	for _, id := range []string{"land", "countries", "borders"} {
		if st := layerStates(r.err)[id]; !strings.HasPrefix(st, "error: ") || !strings.Contains(st, "500") {
			t.Errorf("layer %s: %q, want the HTTP 500", id, st)
		}
	}
	if n := caps.Load(); n != 1 {
		t.Errorf("capabilities requests = %d, want 1 for the source's 3 layers", n)
	}
}

// TestRenderErrorCounts: the error line counts failed tiles out of the
// view's tiles; it read "(16 of 0 tiles failed)".
func TestRenderErrorCounts(t *testing.T) {
	srv := newHostileWMS(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})
	path, out := publicProject(t, srv.url)
	r := runArgs(t, "render", path, "-o", out, "--size", "512x512", "--no-keychain")
	wantCode(t, r, exitFailure, "render with every tile 404")
	line := layerStates(r.err)["land"]
	m := regexp.MustCompile(`^error: HTTP 404 Not Found \((\d+) of (\d+) tiles failed\)$`).FindStringSubmatch(line)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("layer land: %q, want N of N tiles failed", line)
	}
}

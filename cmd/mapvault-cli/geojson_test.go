package main

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// squareGeoJSON is one 20°x20° polygon around 10°E 50°N.
const squareGeoJSON = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
"geometry":{"type":"Polygon","coordinates":[[[0,40],[20,40],[20,60],[0,60],[0,40]]]}}]}`

// TestGeoJSONAddRender: a GeoJSON document behind a Bearer token is added
// (kind detected from the .geojson path, or from the answer with --kind
// omitted on a path without an extension, Bearer from the 401 challenge),
// then rendered with one request for the document.
func TestGeoJSONAddRender(t *testing.T) {
	const key = "tok-5d1e3b7a9c"
	var docs atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/open/") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(squareGeoJSON))
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.Header().Set("WWW-Authenticate", `Bearer realm="data"`)
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		docs.Add(1)
		w.Header().Set("Content-Type", "application/geo+json")
		w.Write([]byte(squareGeoJSON))
	}))
	defer srv.Close()
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mapvault.json")

	r := cli(t, call{args: []string{"add", proj, srv.URL + "/data/square.geojson"}, stdin: key})
	wantCode(t, r, exitOK, "add geojson")
	if !strings.Contains(r.out, "(geojson)") || !strings.Contains(r.out, "auth: header Authorization") {
		t.Errorf("add output:\n%s", r.all())
	}
	r = cli(t, call{args: []string{"add", proj, srv.URL + "/open/features"}})
	wantCode(t, r, exitOK, "add by answer")
	if !strings.Contains(r.out, "(geojson)") {
		t.Errorf("a GeoJSON answer was not detected:\n%s", r.all())
	}
	r = cli(t, call{args: []string{"add", proj, srv.URL + "/open/other", "--kind", "geojson", "--name", "other"}})
	wantCode(t, r, exitOK, "add --kind geojson")
	if strings.Contains(string(readFile(t, proj)), key) || strings.Contains(r.all(), key) {
		t.Errorf("the key was written or printed")
	}

	docs.Store(0)
	out := filepath.Join(dir, "out.png")
	r = cli(t, call{args: []string{"render", proj, "-o", out, "--size", "400x300", "--center", "10,50", "--zoom", "3"}, stdin: key})
	wantCode(t, r, exitOK, "render")
	if n := opaquePixels(t, out, 400, 300); n < 5000 {
		t.Errorf("render drew %d pixels", n)
	}
	if docs.Load() != 1 {
		t.Errorf("the protected document was fetched %d times, want 1", docs.Load())
	}
}

// TestGeoJSONLocalFile: a relative path in the project is read from the
// project's folder, with no credential and no request.
func TestGeoJSONLocalFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "square.geojson", []byte(squareGeoJSON))
	proj := writeFile(t, dir, "p.mapvault.json", []byte(`{"format":"mapvault-project","version":2,"title":"t",
"view":{"center":{"lon":10,"lat":50},"zoom":3},
"layers":[{"id":"sq","name":"sq","kind":"geojson","source":"square.geojson","opacity":1,"visible":true}]}`))
	out := filepath.Join(dir, "out.png")
	r := cli(t, call{args: []string{"render", proj, "-o", out, "--size", "400x300"}})
	wantCode(t, r, exitOK, "render local file")
	if n := opaquePixels(t, out, 400, 300); n < 5000 {
		t.Errorf("render drew %d pixels:\n%s", n, r.all())
	}
}

// tileView is an EPSG:3857 box of whole tiles at zoom z: columns x0..x0+n-1,
// rows y0..y0+n-1, drawn 256 pixels a tile.
type tileView struct{ z, x0, y0, n int }

const mercatorExtent = 20037508.342789244

func (v tileView) box() (minx, miny, maxx, maxy float64) {
	size := 2 * mercatorExtent / float64(int(1)<<v.z)
	minx = -mercatorExtent + float64(v.x0)*size
	maxy = mercatorExtent - float64(v.y0)*size
	return minx, maxy - float64(v.n)*size, minx + float64(v.n)*size, maxy
}

func (v tileView) center() (lon, lat float64) {
	minx, miny, maxx, maxy := v.box()
	x, y := (minx+maxx)/2, (miny+maxy)/2
	const r = 6378137.0
	return x / r * 180 / math.Pi, (2*math.Atan(math.Exp(y/r)) - math.Pi/2) * 180 / math.Pi
}

// agreement is the share of pixels where the burned mask (non-zero) and
// the render's alpha (at least a quarter of the default fill's) agree.
func agreement(t *testing.T, maskPNG, renderPNG string) float64 {
	t.Helper()
	mask, err := png.Decode(bytes.NewReader(readFile(t, maskPNG)))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := png.Decode(bytes.NewReader(readFile(t, renderPNG)))
	if err != nil {
		t.Fatal(err)
	}
	b := mask.Bounds()
	if ours.Bounds().Size() != b.Size() {
		t.Fatalf("sizes %v and %v", b.Size(), ours.Bounds().Size())
	}
	same := 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, _, _, _ := mask.At(b.Min.X+x, b.Min.Y+y).RGBA()
			_, _, _, a := ours.At(ours.Bounds().Min.X+x, ours.Bounds().Min.Y+y).RGBA()
			if (r != 0) == (a >= 0x2000) {
				same++
			}
		}
	}
	return float64(same) / float64(b.Dx()*b.Dy())
}

// TestMapServerGeoJSONBearer: the CI MapServer's /bearer/countries.geojson
// is added with $MS_KEY on standard input (Bearer found from the 401
// challenge), rendered, and compared with GDAL's rasterize.sh of the same
// view: at least 97% of the pixels agree; the view shifted by one tile
// does not.
func TestMapServerGeoJSONBearer(t *testing.T) {
	base, _, _, key := mapServer(t)
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mapvault.json")
	r := cli(t, call{args: []string{"add", proj, base + "/bearer/countries.geojson"}, stdin: key})
	wantCode(t, r, exitOK, "add")
	if !strings.Contains(r.out, "(geojson)") || !strings.Contains(r.out, "auth: header Authorization") {
		t.Fatalf("add output:\n%s", r.all())
	}
	r = cli(t, call{args: []string{"add", proj, base + "/bearer/countries.geojson", "--kind", "geojson", "--name", "wrong"}, stdin: "wrong-key-0000"})
	wantCode(t, r, exitRejected, "add with a wrong key")

	// Europe: zoom 4, columns 8-9, rows 4-5 (0..22.5°E, 40.9..66.5°N).
	view := tileView{z: 4, x0: 8, y0: 4, n: 2}
	render := func(v tileView, out string) {
		t.Helper()
		lon, lat := v.center()
		px := 256 * v.n
		start := time.Now()
		r := cli(t, call{args: []string{"render", proj, "-o", out, "--size", fmt.Sprintf("%dx%d", px, px),
			"--center", fmt.Sprintf("%.12f,%.12f", lon, lat), "--zoom", fmt.Sprint(v.z)}, stdin: key})
		wantCode(t, r, exitOK, "render")
		t.Logf("render %v: %v; %s", v, time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.err))
		if strings.Contains(r.all(), key) {
			t.Errorf("output contains the key")
		}
	}
	ours := filepath.Join(dir, "ours.png")
	render(view, ours)

	if _, err := exec.LookPath("gdal_rasterize"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gdal_rasterize not found under CI=true")
		}
		t.Skip("gdal-bin not installed: no pixel comparison")
	}
	mask := filepath.Join(dir, "gdal.png")
	minx, miny, maxx, maxy := view.box()
	px := fmt.Sprint(256 * view.n)
	cmd := exec.Command("sh", "../../.ci/gdal/rasterize.sh", base+"/bearer/countries.geojson", "countries", px, px,
		fmt.Sprintf("%.6f", minx), fmt.Sprintf("%.6f", miny), fmt.Sprintf("%.6f", maxx), fmt.Sprintf("%.6f", maxy), mask)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_HEADERS=Authorization: Bearer "+key)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rasterize.sh: %v\n%s", err, strings.ReplaceAll(stderr.String(), key, "***"))
	}
	t.Logf("rasterize.sh: %s s", strings.TrimSpace(string(out)))
	if a := agreement(t, mask, ours); a < 0.97 {
		t.Errorf("render and GDAL agree on %.2f%% of the pixels, want >= 97%%", 100*a)
	} else {
		t.Logf("render and GDAL agree on %.2f%% of the pixels", 100*a)
	}
	shifted := filepath.Join(dir, "shifted.png")
	render(tileView{z: view.z, x0: view.x0 + 1, y0: view.y0, n: view.n}, shifted)
	if a := agreement(t, mask, shifted); a >= 0.97 {
		t.Errorf("a view shifted by one tile agrees on %.2f%%: the comparison cannot tell", 100*a)
	} else {
		t.Logf("shifted by one tile: %.2f%% agree", 100*a)
	}

	// The figure for the design note: the whole layer at 1080p.
	start := time.Now()
	r = cli(t, call{args: []string{"render", proj, "-o", filepath.Join(dir, "hd.png"), "--size", "1920x1080",
		"--center", "10,50", "--zoom", "3"}, stdin: key})
	wantCode(t, r, exitOK, "render 1080p")
	t.Logf("1920x1080 at zoom 3: %v; %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.err))
}

// TestGeoJSONAddLocalFile: add takes a local .geojson file without a
// request or a credential, keeps its path relative to the project's
// folder, fits a new project's view to it, and refuses what is not
// GeoJSON.
func TestGeoJSONAddLocalFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "square.geojson", []byte(squareGeoJSON))
	proj := filepath.Join(dir, "p.mapvault.json")
	r := cli(t, call{args: []string{"add", proj, file}})
	wantCode(t, r, exitOK, "add local file")
	if !strings.Contains(r.out, "1 features") {
		t.Errorf("add output:\n%s", r.all())
	}
	saved := string(readFile(t, proj))
	if !strings.Contains(saved, `"source": "square.geojson"`) || !strings.Contains(saved, `"kind": "geojson"`) {
		t.Errorf("project:\n%s", saved)
	}
	out := filepath.Join(dir, "out.png")
	r = cli(t, call{args: []string{"render", proj, "-o", out, "--size", "400x300"}})
	wantCode(t, r, exitOK, "render")
	if n := opaquePixels(t, out, 400, 300); n < 20000 {
		t.Errorf("a view fitted to the square drew %d pixels", n)
	}
	bad := writeFile(t, dir, "bad.geojson", []byte(`<html>no</html>`))
	r = cli(t, call{args: []string{"add", proj, bad}})
	wantCode(t, r, exitFailure, "add a file that is not GeoJSON")
}

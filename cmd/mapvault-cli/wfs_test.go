package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rasterize runs .ci/gdal/rasterize.sh for view (skipped without GDAL,
// fatal under CI=true) and returns the burned mask's path.
func rasterize(t *testing.T, dir, source, layer string, view tileView, env ...string) string {
	t.Helper()
	if _, err := exec.LookPath("gdal_rasterize"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gdal_rasterize not found under CI=true")
		}
		t.Skip("gdal-bin not installed: no pixel comparison")
	}
	mask := filepath.Join(dir, "gdal-"+strings.NewReplacer(":", "_", "/", "_").Replace(layer)+".png")
	minx, miny, maxx, maxy := view.box()
	px := fmt.Sprint(256 * view.n)
	cmd := exec.Command("sh", "../../.ci/gdal/rasterize.sh", source, layer, px, px,
		fmt.Sprintf("%.6f", minx), fmt.Sprintf("%.6f", miny), fmt.Sprintf("%.6f", maxx), fmt.Sprintf("%.6f", maxy), mask)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rasterize.sh: %v\n%s", err, stderr.String())
	}
	t.Logf("rasterize.sh %s: %s s", layer, strings.TrimSpace(string(out)))
	return mask
}

// renderTileView renders the project's view v into out with the secret on
// standard input.
func renderTileView(t *testing.T, proj, out string, v tileView, stdin string) result {
	t.Helper()
	lon, lat := v.center()
	px := 256 * v.n
	r := cli(t, call{args: []string{"render", proj, "-o", out, "--size", fmt.Sprintf("%dx%d", px, px),
		"--center", fmt.Sprintf("%.12f,%.12f", lon, lat), "--zoom", fmt.Sprint(v.z)}, stdin: stdin})
	wantCode(t, r, exitOK, "render")
	t.Logf("render %v: %s", v, strings.TrimSpace(r.err))
	return r
}

// TestMapServerWFS: /public/wfs lists its feature types and adds
// ms:countries without auth; /key/wfs finds authkey with $MS_KEY and
// refuses a wrong key; both render the same features as GDAL burns from
// the public WFS (>= 97% of the pixels), and the key is never written.
func TestMapServerWFS(t *testing.T) {
	base, _, _, key := mapServer(t)
	dir := t.TempDir()
	r := cli(t, call{args: []string{"add", filepath.Join(dir, "list.mapvault.json"), base + "/public/wfs"}})
	wantCode(t, r, exitUsage, "add without --layers")
	for _, ft := range []string{"ms:countries", "ms:land", "ms:borders"} {
		if !strings.Contains(r.err, ft) {
			t.Errorf("the listing lacks %s:\n%s", ft, r.err)
		}
	}
	view := tileView{z: 4, x0: 8, y0: 4, n: 2}
	for _, c := range []struct{ path, stdin, auth string }{
		{"/public/wfs", "", "auth: none"},
		{"/key/wfs", key, "auth: query authkey"},
	} {
		t.Run(c.path, func(t *testing.T) {
			addAndCompare(t, base, dir, c.path, "ms:countries", "wfs", c.stdin, c.auth, key, view)
		})
	}
	r = cli(t, call{args: []string{"add", filepath.Join(dir, "wrong.mapvault.json"), base + "/key/wfs", "--layers", "ms:countries"}, stdin: "wrong-key-0000"})
	wantCode(t, r, exitRejected, "add with a wrong key")
}

// TestMapServerFeatures: OGC API - Features at /features/ogcapi (open) and
// /keyfeatures/ogcapi (?key=, links without it): added with the
// collection, the key found as query key, rendered like GDAL's burn of
// the same layer from the WFS (>= 97% of the pixels; GDAL's OAPIF driver
// drops MapServer 8.0's invalid MultiPolygons, see .ci/mapserver), the
// key never written.
func TestMapServerFeatures(t *testing.T) {
	base, _, _, key := mapServer(t)
	dir := t.TempDir()
	view := tileView{z: 4, x0: 8, y0: 4, n: 2}
	for _, c := range []struct{ path, stdin, auth string }{
		{"/features/ogcapi", "", "auth: none"},
		{"/keyfeatures/ogcapi", key, "auth: query key"},
	} {
		t.Run(c.path, func(t *testing.T) {
			addAndCompare(t, base, dir, c.path, "countries", "features", c.stdin, c.auth, key, view)
		})
	}
	r := cli(t, call{args: []string{"add", filepath.Join(dir, "wrong.mapvault.json"), base + "/keyfeatures/ogcapi", "--layers", "countries"}, stdin: "wrong-key-0000"})
	wantCode(t, r, exitRejected, "add with a wrong key")
}

// addAndCompare adds layer of the service at base+path to a new project
// (secret on stdin), expects the kind and auth in the output and project,
// renders view and compares it with GDAL's burn of ms:countries from the
// open WFS (>= 97% of the pixels); key must appear in neither the output
// nor the project.
func addAndCompare(t *testing.T, base, dir, path, layer, kind, stdin, auth, key string, view tileView) {
	t.Helper()
	proj := filepath.Join(dir, strings.ReplaceAll(path, "/", "_")+".mapvault.json")
	r := cli(t, call{args: []string{"add", proj, base + path, "--layers", layer}, stdin: stdin})
	wantCode(t, r, exitOK, "add")
	if !strings.Contains(r.out, "("+layer+")") || !strings.Contains(r.out, auth) {
		t.Fatalf("add output:\n%s", r.all())
	}
	if !strings.Contains(string(readFile(t, proj)), `"kind": "`+kind+`"`) {
		t.Errorf("project:\n%s", readFile(t, proj))
	}
	out := filepath.Join(dir, strings.ReplaceAll(path, "/", "_")+".png")
	r = renderTileView(t, proj, out, view, stdin)
	if strings.Contains(r.all(), key) || strings.Contains(string(readFile(t, proj)), key) {
		t.Errorf("the key was printed or saved")
	}
	mask := rasterize(t, dir, "WFS:"+base+"/public/wfs", "ms:countries", view)
	if a := agreement(t, mask, out); a < 0.97 {
		t.Errorf("render and GDAL agree on %.2f%%, want >= 97%%", 100*a)
	} else {
		t.Logf("render and GDAL agree on %.2f%%", 100*a)
	}
}

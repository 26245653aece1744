package main

import (
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mapvault/project"
	"mapvault/vault/vaulttest"
)

// The Europe view of the MapProxy integration test: Web Mercator tiles
// 8-9 x 4-5 of zoom 4, 512x512 pixels at exactly zoom 4's resolution
// (.ci/gdal/README.md: "Which zoom GDAL reads").
const (
	mpBoxMinX, mpBoxMinY, mpBoxMaxX, mpBoxMaxY = "0", "5009377.085697311", "5009377.085697311", "10018754.171394622"
	mpSize                                     = 512
)

// mpCenter is the view's centre: lon 22.5, the latitude of y 7514065.63 m.
var mpCenter = "22.5," + strconv.FormatFloat(math.Atan(math.Sinh(7514065.628545966/6378137))*180/math.Pi, 'f', 12, 64)

// TestMapProxyIntegration adds and renders MapProxy's WMTS (RESTful and
// KVP) and XYZ tiles through the open front and the key front (the key on
// standard input, never in argv, never in the files), and compares each
// render with GDAL's render of the same view (.ci/gdal/wmts.sh, xyz.sh):
// at least 99% of the pixels within 8 per channel (85% for MapProxy's
// EPSG4326 set, resampled: its lines are drawn by MapServer in lat/lon and
// resampled again; 92% here). A render one zoom level off must fail the
// comparison.
func TestMapProxyIntegration(t *testing.T) {
	f := vaulttest.RequireFront(t, "mapproxy", "MAPVAULT_MAPPROXY_URL", "MAPVAULT_MAPPROXY_DIR", "MAPPROXY_KEY")
	if _, err := exec.LookPath("gdal_translate"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but gdal_translate is missing (gdal-bin)")
		}
		t.Skip("gdal_translate not installed")
	}
	key := f.Env["MAPPROXY_KEY"]
	root, _ := filepath.Abs("../..")
	refs := t.TempDir()
	gdal := func(script string, args ...string) (string, time.Duration) {
		out := filepath.Join(refs, filepath.Base(script)+".png")
		all := append(args, strconv.Itoa(mpSize), strconv.Itoa(mpSize), mpBoxMinX, mpBoxMinY, mpBoxMaxX, mpBoxMaxY, out)
		if script == "wmts.sh" {
			all = append(args[:1:1], append([]string{"basemap"}, all[1:]...)...)
		}
		start := time.Now()
		cmd := exec.Command("bash", append([]string{filepath.Join(root, ".ci/gdal", script)}, all...)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, b)
		}
		return out, time.Since(start)
	}
	wmtsRef, wmtsTime := gdal("wmts.sh", f.URL+"/mapproxy/wmts/1.0.0/WMTSCapabilities.xml")
	xyzRef, xyzTime := gdal("xyz.sh", f.URL+"/mapproxy/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png")
	t.Logf("GDAL 512x512 zoom 4: wmts.sh %v, xyz.sh %v (process wall time)", wmtsTime.Round(time.Millisecond), xyzTime.Round(time.Millisecond))

	tests := []struct {
		name, url string
		keyed     bool
		ref       string
		layers    bool
		set       string // the WMTS matrix set to draw from, "" as add picks
		match     int    // percent of pixels as GDAL's, 0 for 99
	}{
		{"wmts rest open", f.URL + "/mapproxy/wmts/1.0.0/WMTSCapabilities.xml", false, wmtsRef, true, "", 0},
		{"wmts kvp open", f.URL + "/mapproxy/service?SERVICE=WMTS&REQUEST=GetCapabilities", false, wmtsRef, true, "", 0},
		{"xyz open", f.URL + "/mapproxy/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png", false, xyzRef, false, "", 0},
		{"xyz key", f.URL + "/keytiles/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png", true, xyzRef, false, "", 0},
		{"wmts rest key", f.URL + "/keytiles/wmts/1.0.0/WMTSCapabilities.xml", true, wmtsRef, true, "", 0},
		{"wmts kvp key", f.URL + "/keytiles/service?SERVICE=WMTS&REQUEST=GetCapabilities", true, wmtsRef, true, "", 0},
		// MapProxy's EPSG4326 grid (lat/lon tiles rendered by MapServer
		// in EPSG:4326), resampled into Web Mercator: the same map, its
		// pixels resampled twice (MapServer, then mapvault).
		{"wmts rest open EPSG4326", f.URL + "/mapproxy/wmts/1.0.0/WMTSCapabilities.xml", false, wmtsRef, true, "EPSG4326", 85},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "p.mapvault.json")
			args := []string{"add", path, tt.url}
			if tt.layers {
				args = append(args, "--layers", "basemap")
			}
			stdin := ""
			if tt.keyed {
				args = append(args, "--param", "key")
				stdin = key + "\n"
			}
			if !tt.keyed && tt.layers {
				r := runArgs(t, "layers", tt.url, "--json")
				wantCode(t, r, exitOK, "layers --json")
				if !strings.Contains(r.out, `"kind": "wmts"`) || !strings.Contains(r.out, `"identifier": "GLOBAL_WEBMERCATOR"`) {
					t.Errorf("layers --json:\n%s", r.out)
				}
			}
			r := cli(t, call{args: args, stdin: stdin})
			wantCode(t, r, exitOK, "add")
			assertNoKey(t, dir, key)
			if tt.set != "" {
				p, err := project.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				p.Layers[0].WMTS.MatrixSet = tt.set
				if err := project.Save(path, p); err != nil {
					t.Fatal(err)
				}
			}

			out := filepath.Join(dir, "out.png")
			render := func(zoom string) (time.Duration, result) {
				start := time.Now()
				r := cli(t, call{args: []string{"render", path, "-o", out, "--size", "512x512", "--center", mpCenter, "--zoom", zoom, "--no-keychain"}, stdin: stdin})
				return time.Since(start), r
			}
			took, r := render("4")
			wantCode(t, r, exitOK, "render")
			assertNoKey(t, dir, key)
			same, n := samePixels(t, out, tt.ref)
			t.Logf("render %v (in process, cold session); %d of %d pixels as GDAL's", took.Round(time.Millisecond), same, n)
			match := tt.match
			if match == 0 {
				match = 99
			}
			if same*100 < n*match {
				t.Errorf("%d of %d pixels as GDAL's, want >= %d%%", same, n, match)
			}
			if tt.name == "wmts rest open" || tt.name == "xyz open" || tt.set != "" {
				_, r = render("5")
				wantCode(t, r, exitOK, "render zoom 5")
				if same, n := samePixels(t, out, tt.ref); same*100 >= n*match {
					t.Errorf("zoom 5 against GDAL's zoom 4: %d of %d pixels alike; the comparison would not catch a wrong zoom", same, n)
				}
			}
		})
	}
}

// assertNoKey fails when a file under dir holds the key.
func assertNoKey(t *testing.T, dir, key string) {
	t.Helper()
	for _, name := range []string{"p.mapvault.json", "p.keyvault.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil && strings.Contains(string(b), key) {
			t.Errorf("%s holds the key", name)
		}
	}
}

// samePixels counts the pixels of two images of the same size whose
// non-premultiplied channels differ by at most 8 (both transparent counts
// as the same).
func samePixels(t *testing.T, a, b string) (same, n int) {
	t.Helper()
	load := func(p string) image.Image {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return img
	}
	ia, ib := load(a), load(b)
	if ia.Bounds().Size() != ib.Bounds().Size() {
		t.Fatalf("sizes %v and %v", ia.Bounds(), ib.Bounds())
	}
	ba, bb := ia.Bounds(), ib.Bounds()
	for y := 0; y < ba.Dy(); y++ {
		for x := 0; x < ba.Dx(); x++ {
			n++
			r1, g1, b1, a1 := ia.At(ba.Min.X+x, ba.Min.Y+y).RGBA()
			r2, g2, b2, a2 := ib.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			if a1 < 0x0800 && a2 < 0x0800 {
				same++
				continue
			}
			d := func(p, q uint32) bool { return int(p>>8)-int(q>>8) <= 8 && int(q>>8)-int(p>>8) <= 8 }
			if d(r1, r2) && d(g1, g2) && d(b1, b2) && d(a1, a2) {
				same++
			}
		}
	}
	return same, n
}

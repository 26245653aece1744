package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/assets/demo"
)

const capsFile = "testdata/caps.xml"

func TestLayersFileText(t *testing.T) {
	r := runArgs(t, "layers", capsFile)
	wantCode(t, r, exitOK, "layers FILE")
	want := []string{
		"Zeeland flood maps (WMS 1.3.0)",
		"GetMap: https://maps.example.org/wms?map=flood&",
		"(group)  Flood",
		"  roads  Roads",
		"  (group)  Hazard",
		"    flood:depth_1000  Flood depth (1:1000 yr)",
	}
	lines := strings.Split(strings.TrimRight(r.out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("layers printed %d lines, want %d:\n%s", len(lines), len(want), r.out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want[i])
		}
	}
}

func TestLayersFileJSONGolden(t *testing.T) {
	r := runArgs(t, "layers", capsFile, "--json")
	wantCode(t, r, exitOK, "layers FILE --json")
	golden := filepath.Join("testdata", "layers.golden.json")
	if *update {
		if err := os.WriteFile(golden, []byte(r.out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readFile(t, golden)
	if !bytes.Equal([]byte(r.out), want) {
		t.Errorf("layers --json differs from %s (run with -update to accept):\n got:\n%s\nwant:\n%s", golden, r.out, want)
	}
	// The golden file itself must say what the brief asks for, so that
	// -update cannot bless a wrong answer silently.
	var doc struct {
		Version string `json:"version"`
		Layers  []struct {
			Name      string                  `json:"name"`
			Depth     int                     `json:"depth"`
			Queryable bool                    `json:"queryable"`
			CRS       []string                `json:"crs"`
			BBox      *struct{ West float64 } `json:"bbox"`
			BBoxes    map[string][4]float64   `json:"bboxes"`
			Styles    []string                `json:"styles"`
			Dims      map[string]struct {
				Default string `json:"default"`
			} `json:"dimensions"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatalf("golden file is not JSON: %v", err)
	}
	if doc.Version != "1.3.0" || len(doc.Layers) != 4 {
		t.Fatalf("golden: version %q with %d layers, want 1.3.0 with 4", doc.Version, len(doc.Layers))
	}
	depth := doc.Layers[3]
	if depth.Name != "flood:depth_1000" || depth.Depth != 2 || depth.Queryable {
		t.Errorf("golden: last layer = %+v, want flood:depth_1000 at depth 2, not queryable", depth)
	}
	if got := strings.Join(depth.CRS, " "); got != "EPSG:3857 EPSG:4326 CRS:84" {
		t.Errorf("golden: inherited CRS = %q, want %q", got, "EPSG:3857 EPSG:4326 CRS:84")
	}
	if got := strings.Join(depth.Styles, " "); got != "default blues" {
		t.Errorf("golden: inherited styles = %q, want %q", got, "default blues")
	}
	if b := depth.BBoxes["EPSG:4326"]; b != [4]float64{3.3, 51.2, 4.3, 51.8} {
		t.Errorf("golden: EPSG:4326 box = %v, want lon/lat order [3.3 51.2 4.3 51.8]", b)
	}
	if depth.BBox == nil || depth.BBox.West != 3.3 {
		t.Errorf("golden: inherited geographic box = %+v, want west 3.3", depth.BBox)
	}
	if depth.Dims["time"].Default != "2020-01-01" {
		t.Errorf("golden: time dimension = %+v, want default 2020-01-01", depth.Dims)
	}
	if !doc.Layers[1].Queryable || doc.Layers[1].Name != "roads" {
		t.Errorf("golden: second layer = %+v, want queryable roads", doc.Layers[1])
	}
}

// TestLayersOwn: --own gives each layer what it adds (the child layers of
// the test document restate none of their parent's CRS), and only with
// --json.
func TestLayersOwn(t *testing.T) {
	r := runArgs(t, "layers", capsFile, "--json", "--own")
	wantCode(t, r, exitOK, "layers FILE --json --own")
	var own, eff struct {
		Layers []struct {
			Depth int      `json:"depth"`
			CRS   []string `json:"crs"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(r.out), &own); err != nil {
		t.Fatalf("--own output is not JSON: %v", err)
	}
	full := runArgs(t, "layers", capsFile, "--json")
	if err := json.Unmarshal([]byte(full.out), &eff); err != nil {
		t.Fatal(err)
	}
	if len(own.Layers) != len(eff.Layers) || len(own.Layers) < 2 {
		t.Fatalf("%d layers with --own, %d without", len(own.Layers), len(eff.Layers))
	}
	ownCRS, effCRS := 0, 0
	for i := range own.Layers {
		ownCRS += len(own.Layers[i].CRS)
		effCRS += len(eff.Layers[i].CRS)
	}
	if ownCRS >= effCRS {
		t.Errorf("--own lists %d CRS in all, the effective report %d: want fewer", ownCRS, effCRS)
	}
	wantCode(t, runArgs(t, "layers", capsFile, "--own"), exitUsage, "layers --own without --json")
}

func TestLayersFileErrors(t *testing.T) {
	dir := t.TempDir()
	notCaps := writeFile(t, dir, "x.xml", []byte(`<?xml version="1.0"?><html><body>hello</body></html>`))
	cases := []struct {
		name string
		arg  string
	}{
		{"missing file", filepath.Join(dir, "absent.xml")},
		{"not capabilities", notCaps},
	}
	for _, tc := range cases {
		r := runArgs(t, "layers", tc.arg)
		wantCode(t, r, exitFailure, tc.name)
		if r.err == "" || r.out != "" {
			t.Errorf("%s: stdout %q, stderr %q; want only an error", tc.name, r.out, r.err)
		}
	}
}

func TestLayersDemoServer(t *testing.T) {
	base := demoServer(t)
	cases := []struct {
		name  string
		path  string
		args  []string
		stdin string
		code  int
		want  string // a layer name the output must list
	}{
		{name: "public", path: demo.PublicPath, code: exitOK, want: "land"},
		{name: "key on stdin", path: demo.KeyPath, stdin: demo.AccessKey + "\n", code: exitOK, want: "borders"},
		{name: "basic on stdin", path: demo.BasicPath, args: []string{"--user", demo.BasicUser}, stdin: demo.BasicPassword, code: exitOK, want: "countries"},
		{name: "key without secret", path: demo.KeyPath, code: exitRejected},
		{name: "wrong key", path: demo.KeyPath, stdin: "wrong-key-0000", code: exitRejected},
	}
	for _, tc := range cases {
		for _, asJSON := range []bool{false, true} {
			name := tc.name
			args := append([]string{"layers", base + tc.path}, tc.args...)
			if asJSON {
				name += " json"
				args = append(args, "--json")
			}
			t.Run(name, func(t *testing.T) {
				r := cli(t, call{args: args, stdin: tc.stdin})
				wantCode(t, r, tc.code, "layers "+name)
				if tc.code != exitOK {
					return
				}
				if asJSON {
					var doc struct {
						Version string
						Layers  []struct{ Name string }
					}
					if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
						t.Fatalf("--json output: %v\n%s", err, r.out)
					}
					var names []string
					for _, l := range doc.Layers {
						names = append(names, l.Name)
					}
					if !strings.Contains(strings.Join(names, ","), tc.want) {
						t.Errorf("layers = %v, want %q among them", names, tc.want)
					}
				} else if !strings.Contains(r.out, "\n  "+tc.want+"  ") && !strings.Contains(r.out, "\n"+tc.want+"  ") {
					t.Errorf("output lacks layer %q:\n%s", tc.want, r.out)
				}
				for _, s := range []string{demo.AccessKey, demo.BasicPassword} {
					if strings.Contains(r.all(), s) {
						t.Errorf("output contains a secret:\n%s", r.all())
					}
				}
			})
		}
	}
}

// TestLayersExitCodes checks the exit codes README.md gives for layers:
// 1 when the service cannot be read, 2 for usage, 3 and 4 only for a
// protected service (TestLayersDemoServer).
func TestLayersExitCodes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/wms"
	ln.Close()
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"server down", []string{down}, exitFailure},
		{"server error", []string{statusServer(t, 500) + "/wms"}, exitFailure},
		{"no URL", nil, exitUsage},
		{"unknown flag", []string{"--bogus", down}, exitUsage},
		{"unknown kind", []string{"--kind", "atlas", down}, exitUsage},
	}
	for _, tc := range cases {
		r := runArgs(t, append([]string{"layers"}, tc.args...)...)
		wantCode(t, r, tc.code, "layers "+tc.name)
		if r.out != "" {
			t.Errorf("%s: stdout %q, want nothing", tc.name, r.out)
		}
	}
}

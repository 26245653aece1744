package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mapvault/project"
	"mapvault/vault"
)

// mapServer returns the real MapServer-behind-nginx of .ci/mapserver and its
// credentials, skipping when it is not configured (fatal under CI=true).
// Start it with: .ci/mapserver/server.sh up && eval "$(.ci/mapserver/server.sh env)".
func mapServer(t *testing.T) (base, user, password, key string) {
	t.Helper()
	base = strings.TrimRight(os.Getenv("MAPVAULT_MAPSERVER_URL"), "/")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MAPVAULT_MAPSERVER_URL is not set under CI=true; run .ci/mapserver/server.sh up and eval its env")
		}
		t.Skip("MAPVAULT_MAPSERVER_URL not set: start .ci/mapserver/server.sh up and eval \"$(.ci/mapserver/server.sh env)\"")
	}
	user, password, key = os.Getenv("MS_BASIC_USER"), os.Getenv("MS_BASIC_PASSWORD"), os.Getenv("MS_KEY")
	if user == "" || password == "" || key == "" {
		t.Fatal("MS_BASIC_USER, MS_BASIC_PASSWORD and MS_KEY must be set with MAPVAULT_MAPSERVER_URL")
	}
	return base, user, password, key
}

func TestMapServerProbe(t *testing.T) {
	base, user, password, key := mapServer(t)
	cases := []struct {
		path   string
		args   []string
		stdin  string
		code   int
		method string
		param  string
		header string
	}{
		{path: "/public/wms", code: exitOK, method: "none"},
		{path: "/public/wms", stdin: key, code: exitOK, method: "none"},
		{path: "/basic/wms", args: []string{"--user", user}, stdin: password, code: exitOK, method: "basic"},
		{path: "/basic/wms", args: []string{"--user", user}, stdin: "wrong-password", code: exitRejected, method: "none"},
		{path: "/key/wms", stdin: key, code: exitOK, method: "query", param: "authkey"},
		{path: "/key/wms", stdin: "wrong-key-0000", code: exitRejected, method: "none"},
		{path: "/key/wms", code: exitRejected, method: "none"},
		{path: "/key403/wms", stdin: key, code: exitOK, method: "query", param: "authkey"},
		{path: "/key498/wms", stdin: key, code: exitOK, method: "query", param: "authkey"},
		{path: "/keyexc/wms", stdin: key, code: exitOK, method: "query", param: "authkey"},
		{path: "/key404/wms", stdin: key, code: exitOK, method: "query", param: "authkey"},
		{path: "/key404/wms", stdin: "wrong-key-0000", code: exitUndecided, method: "none"},
		{path: "/header/wms", stdin: key, code: exitOK, method: "header", param: "X-API-Key", header: "X-API-Key"},
		{path: "/bearer/wms", stdin: key, code: exitOK, method: "header", param: "Authorization", header: "Authorization"},
		{path: "/bearer/wms", stdin: "wrong-key-0000", code: exitRejected, method: "none"},
	}
	for _, tc := range cases {
		name := tc.path
		if tc.stdin != "" {
			name += " " + tc.stdin[:3]
		}
		t.Run(name, func(t *testing.T) {
			args := append([]string{"probe", base + tc.path, "--json"}, tc.args...)
			r := cli(t, call{args: args, stdin: tc.stdin})
			wantCode(t, r, tc.code, "probe "+tc.path)
			if r.out == "" { // an early "could not decide" prints no report
				return
			}
			rep := probeJSON(t, r.out)
			if rep.Method != tc.method || rep.Param != tc.param || rep.Header != tc.header {
				t.Errorf("method, param, header = %q, %q, %q; want %q, %q, %q", rep.Method, rep.Param, rep.Header, tc.method, tc.param, tc.header)
			}
			for _, s := range []string{key, password} {
				if strings.Contains(r.all(), s) {
					t.Errorf("output contains a secret:\n%s", r.all())
				}
			}
		})
	}
}

func TestMapServerAddRender(t *testing.T) {
	base, _, password, key := mapServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ms.mapvault.json")
	r := runArgs(t, "add", path, base+"/key/wms?authkey="+key, "--layers", "land,countries,borders")
	wantCode(t, r, exitOK, "add from /key/wms")
	p := loadProject(t, path)
	if len(p.Layers) != 3 {
		t.Fatalf("project has %d layers, want 3", len(p.Layers))
	}
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3, CRS: "EPSG:3857"}
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	kv := loadVault(t, path)
	src, _ := vault.SourceOf(base + "/key/wms")
	if e, _ := kv.Get(src); e.Method != vault.MethodQuery || e.Param != "authkey" || !e.AuthRequired {
		t.Errorf("KeyVault entry = %+v, want query authkey", e)
	}

	out := filepath.Join(dir, "ms.png")
	creds := fmt.Sprintf("{\"source\": %q, \"key\": %q}\n", base+"/key/wms", key)
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "256x256", "--no-keychain", "--credentials", "-"}, stdin: creds})
	wantCode(t, r, exitOK, "render with the key")
	if n := landPixels(t, out); n < 256*256/20 {
		t.Errorf("%s has %d land-coloured pixels, want at least %d (Europe at zoom 3)", out, n, 256*256/20)
	}

	r = runArgs(t, "render", path, "-o", filepath.Join(dir, "blocked.png"), "--size", "256x256", "--no-keychain")
	wantCode(t, r, exitBlocked, "render without credentials")
	for _, l := range p.Layers {
		if !strings.Contains(r.err, "layer "+l.ID+": blocked") {
			t.Errorf("stderr does not name layer %s as blocked:\n%s", l.ID, r.err)
		}
	}
	for _, f := range dirFiles(t, dir) {
		data := readFile(t, filepath.Join(dir, f))
		if bytes.Contains(data, []byte(key)) || bytes.Contains(data, []byte(password)) {
			t.Errorf("%s contains a secret", f)
		}
	}
}

// landPixels counts the pixels of MapServer's land colour (221 212 180).
func landPixels(t *testing.T, path string) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	near := func(a uint32, b int) bool { d := int(a>>8) - b; return d >= -8 && d <= 8 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			if a>>8 == 255 && near(r, 221) && near(g, 212) && near(b, 180) {
				n++
			}
		}
	}
	return n
}

// TestMapServerOneRequestPerQuestion: probe and add against the key front
// send exactly the requests they report: the anonymous look at the
// capabilities is detection's bare probe, and add reads the layer list
// from the capabilities detection received (issue: detection accounting).
func TestMapServerOneRequestPerQuestion(t *testing.T) {
	base, _, _, key := mapServer(t)
	logPath := filepath.Join(os.Getenv("MAPVAULT_MAPSERVER_DIR"), "logs", "access.log")
	if os.Getenv("MAPVAULT_MAPSERVER_DIR") == "" {
		t.Skip("MAPVAULT_MAPSERVER_DIR not set: the server's log is needed")
	}
	// A path of its own, so that other tests' requests are not counted.
	const path = "/key/wms"
	seen := func() int {
		n := 0
		for _, line := range strings.Split(string(readOptional(logPath)), "\n") {
			if strings.Contains(line, "\"GET "+path+"?") && strings.Contains(line, "xyzzy-accounting") {
				n++
			}
		}
		return n
	}
	// nginx writes a line once the answer is sent: let the last one land.
	settled := func() int {
		n := seen()
		for i := 0; i < 20; i++ {
			time.Sleep(50 * time.Millisecond)
			if m := seen(); m != n {
				n, i = m, 0
			}
		}
		return n
	}
	u := base + path + "?xyzzy-accounting=1"
	before := seen()
	r := cli(t, call{args: []string{"probe", u, "--json"}, stdin: key})
	wantCode(t, r, exitOK, "probe")
	rep := probeJSON(t, r.out)
	if got := settled() - before; got != rep.Requests {
		t.Errorf("probe: the server logged %d requests, probe reported %d", got, rep.Requests)
	}
	before = settled()
	dir := t.TempDir()
	r = cli(t, call{args: []string{"add", filepath.Join(dir, "a.mapvault.json"), u, "--layers", "countries"}, stdin: key})
	wantCode(t, r, exitOK, "add")
	var reported int
	if _, err := fmt.Sscanf(r.out[strings.LastIndex(r.out, "requests: "):], "requests: %d", &reported); err != nil {
		t.Fatalf("add output names no request count:\n%s", r.out)
	}
	if got := settled() - before; got != reported {
		t.Errorf("add: the server logged %d requests, add reported %d", got, reported)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault/vaulttest"
)

// credLine is one line of a --credentials stream.
func credLine(t *testing.T, fields map[string]string) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// demoCredentials is the --credentials stream for the demo's protected sources.
func demoCredentials(t *testing.T, base string) string {
	t.Helper()
	return "# demo credentials\n\n" +
		credLine(t, map[string]string{"source": base + demo.BasicPath, "username": demo.BasicUser, "password": demo.BasicPassword}) +
		credLine(t, map[string]string{"source": base + demo.KeyPath, "key": demo.AccessKey}) +
		credLine(t, map[string]string{"source": base + demo.WMTSPath, "key": demo.WMTSKey}) +
		credLine(t, map[string]string{"source": base + demo.FeaturesPath + "/", "username": demo.BasicUser, "password": demo.BasicPassword})
}

// layerStates parses the "layer ID: STATE" lines of render's stderr; the
// last line about a layer wins.
func layerStates(stderr string) map[string]string {
	states := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^layer ([^:]+): (.*)$`).FindAllStringSubmatch(stderr, -1) {
		states[m[1]] = m[2]
	}
	return states
}

func TestRenderDemo(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := saveProject(t, dir, "demo.mapvault.json", demo.Project(base))
	out := filepath.Join(dir, "out.png")
	r := cli(t, call{
		args:  []string{"render", path, "-o", out, "--size", "256x256", "--credentials", "-", "--no-keychain"},
		stdin: demoCredentials(t, base),
	})
	wantCode(t, r, exitOK, "render with credentials")
	if n := opaquePixels(t, out, 256, 256); n == 0 {
		t.Errorf("%s has no visible pixels", out)
	}
	states := layerStates(r.err)
	// Every kind the demo serves: XYZ, WMS (public, Basic, key), WMTS (key)
	// and OGC API - Features (Basic).
	for _, id := range []string{"basemap", "land", "countries", "borders", "countries-wmts", "countries-features"} {
		if !strings.HasPrefix(states[id], "ok") {
			t.Errorf("layer %s: %q, want ok\nstderr:\n%s", id, states[id], r.err)
		}
	}
	if !regexp.MustCompile(`rendered 256x256: \d+ tiles, \d+ requests`).MatchString(r.err) {
		t.Errorf("stderr lacks the statistics line:\n%s", r.err)
	}
	if strings.Contains(r.all(), demo.AccessKey) || strings.Contains(r.all(), demo.BasicPassword) || strings.Contains(r.all(), demo.WMTSKey) {
		t.Errorf("output contains a secret:\n%s", r.all())
	}
	if got := dirFiles(t, dir); len(got) != 2 {
		t.Errorf("files in the folder = %v, want the project and the PNG", got)
	}
}

// TestRenderHiDPI: --scale 2 doubles the frame in device pixels.
func TestRenderHiDPI(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	p := demo.Project(base)
	p.Layers = p.Layers[:1] // the public land layer
	path := saveProject(t, dir, "p.mapvault.json", p)
	out := filepath.Join(dir, "out.png")
	r := runArgs(t, "render", path, "-o", out, "--size", "128x64", "--scale", "2", "--no-keychain")
	wantCode(t, r, exitOK, "render --scale 2")
	if n := opaquePixels(t, out, 256, 128); n == 0 {
		t.Errorf("%s has no visible pixels", out)
	}
}

func TestRenderBlocked(t *testing.T) {
	base := demoServer(t)
	cases := []struct {
		name    string
		creds   string
		blocked []string
		ok      []string
	}{
		{name: "no credentials", blocked: []string{"countries", "borders", "countries-wmts", "countries-features"}, ok: []string{"basemap", "land"}},
		{name: "only the key", creds: credLine(t, map[string]string{"source": base + demo.KeyPath, "key": demo.AccessKey}),
			blocked: []string{"countries", "countries-wmts", "countries-features"}, ok: []string{"basemap", "land", "borders"}},
		{name: "wrong password", creds: credLine(t, map[string]string{"source": base + demo.BasicPath, "username": demo.BasicUser, "password": "wrong"}) +
			credLine(t, map[string]string{"source": base + demo.KeyPath, "key": demo.AccessKey}),
			blocked: []string{"countries", "countries-wmts", "countries-features"}, ok: []string{"basemap", "land", "borders"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := saveProject(t, dir, "demo.mapvault.json", demo.Project(base))
			out := filepath.Join(dir, "out.png")
			args := []string{"render", path, "-o", out, "--size", "256x256", "--no-keychain"}
			if tc.creds != "" {
				args = append(args, "--credentials", "-")
			}
			r := cli(t, call{args: args, stdin: tc.creds})
			wantCode(t, r, exitBlocked, "render "+tc.name)
			states := layerStates(r.err)
			for _, id := range tc.blocked {
				if !strings.HasPrefix(states[id], "blocked") {
					t.Errorf("layer %s: %q, want blocked\nstderr:\n%s", id, states[id], r.err)
				}
			}
			for _, id := range tc.ok {
				if !strings.HasPrefix(states[id], "ok") {
					t.Errorf("layer %s: %q, want ok\nstderr:\n%s", id, states[id], r.err)
				}
			}
			if want := fmt.Sprintf("%d layer(s) blocked", len(tc.blocked)); !strings.Contains(r.err, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.err)
			}
			// The unblocked layers are still drawn.
			if n := opaquePixels(t, out, 256, 256); n == 0 {
				t.Errorf("%s has no visible pixels; the public layer should be drawn", out)
			}
		})
	}
}

// TestRenderBlockedAfterAdd: a project made with add (the KeyVault knows
// the sources are protected) renders blocked without credentials and fully
// with them, and never sends anything it should not.
func TestRenderBlockedAfterAdd(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	wantCode(t, cli(t, call{args: []string{"add", path, base + demo.KeyPath, "--layers", "borders"}, stdin: demo.AccessKey}), exitOK, "add")
	out := filepath.Join(dir, "out.png")
	r := runArgs(t, "render", path, "-o", out, "--size", "64x64", "--no-keychain")
	wantCode(t, r, exitBlocked, "render without credentials")
	if !strings.Contains(r.err, "needs credentials") {
		t.Errorf("stderr does not say the layer needs credentials:\n%s", r.err)
	}
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain", "--credentials", "-"},
		stdin: credLine(t, map[string]string{"source": base + demo.KeyPath, "key": demo.AccessKey})})
	wantCode(t, r, exitOK, "render with credentials")
}

func TestRenderCredentialErrors(t *testing.T) {
	base := demoServer(t)
	const secret = "do-not-print-31f7c0"
	good := credLine(t, map[string]string{"source": base + demo.KeyPath, "key": demo.AccessKey})
	cases := []struct {
		name  string
		creds string
		line  int
	}{
		{"not JSON", good + "{\"source\": \"" + base + demo.KeyPath + "\", \"key\": \"" + secret + "\"\n", 2},
		{"unknown field", good + `{"source": "` + base + `/x", "token": "` + secret + `"}` + "\n", 2},
		{"bad source", "\n" + `{"source": "ftp://` + secret + `/x", "key": "k"}` + "\n", 2},
		{"key and password", "# c\n" + good + `{"source": "` + base + `/x", "key": "` + secret + `", "password": "p"}` + "\n", 3},
		{"nothing to use", `{"source": "` + base + `/x"}` + "\n", 1},
		{"array", `["` + secret + `"]` + "\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := saveProject(t, dir, "demo.mapvault.json", demo.Project(base))
			out := filepath.Join(dir, "out.png")
			r := cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain", "--credentials", "-"}, stdin: tc.creds})
			wantCode(t, r, exitUsage, "render with "+tc.name)
			if want := fmt.Sprintf("line %d", tc.line); !strings.Contains(r.err, want) {
				t.Errorf("stderr = %q, want it to name %s", r.err, want)
			}
			if strings.Contains(r.all(), secret) || strings.Contains(r.all(), demo.AccessKey) {
				t.Errorf("output repeats the credentials' content:\n%s", r.all())
			}
			assertAbsent(t, out)
		})
	}
	// The same from a file.
	dir := t.TempDir()
	path := saveProject(t, dir, "demo.mapvault.json", demo.Project(base))
	credPath := writeFile(t, dir, "creds.jsonl", []byte(good+"{oops "+secret+"\n"))
	r := runArgs(t, "render", path, "-o", filepath.Join(dir, "out.png"), "--no-keychain", "--credentials", credPath)
	wantCode(t, r, exitUsage, "render with a bad credentials file")
	if !strings.Contains(r.err, credPath+": line 2") || strings.Contains(r.all(), secret) {
		t.Errorf("stderr = %q, want it to name %s: line 2 without the content", r.err, credPath)
	}
	r = runArgs(t, "render", path, "-o", filepath.Join(dir, "out.png"), "--no-keychain", "--credentials", filepath.Join(dir, "absent.jsonl"))
	wantCode(t, r, exitUsage, "render with a missing credentials file")
}

func TestRenderUsageErrors(t *testing.T) {
	dir := t.TempDir()
	p := project.New("x")
	path := saveProject(t, dir, "p.mapvault.json", p)
	out := filepath.Join(dir, "out.png")
	for _, args := range [][]string{
		{"--size", "0x10"},
		{"--size", "big"},
		{"--size", "20000x10"},
		{"--center", "200,0"},
		{"--center", "x"},
		{"--zoom", "30"},
		{"--scale", "9"},
		{"--scale", "NaN"},
		{"--center", "NaN,0"},
		{"--zoom", "+Inf"},
	} {
		r := runArgs(t, append([]string{"render", path, "-o", out, "--no-keychain"}, args...)...)
		wantCode(t, r, exitUsage, "render "+strings.Join(args, " "))
	}
	assertAbsent(t, out)
	corrupt := writeFile(t, dir, "bad.mapvault.json", []byte("{not json"))
	r := runArgs(t, "render", corrupt, "-o", out, "--no-keychain")
	wantCode(t, r, exitFailure, "render of a corrupt project")
	if !strings.Contains(r.err, "bad.mapvault.json:1:") {
		t.Errorf("stderr = %q, want FILE:LINE of the syntax error", r.err)
	}
	// An empty project renders an empty (transparent) frame.
	r = runArgs(t, "render", path, "-o", out, "--size", "16x8", "--no-keychain")
	wantCode(t, r, exitOK, "render of an empty project")
	if n := opaquePixels(t, out, 16, 8); n != 0 {
		t.Errorf("empty project: %d visible pixels, want 0", n)
	}
	if !bytes.HasPrefix(readFile(t, out), []byte("\x89PNG")) {
		t.Error("output is not a PNG")
	}
}

// TestRenderPlainSecret: with exactly one source needing a credential, a
// plain secret on standard input or in MAPVAULT_SECRET is that source's;
// with two, it is refused with a pointer to --credentials.
func TestRenderPlainSecret(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	wantCode(t, cli(t, call{args: []string{"add", path, base + demo.KeyPath, "--layers", "borders"}, stdin: demo.AccessKey}), exitOK, "add key")
	out := filepath.Join(dir, "out.png")
	r := cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain"}, stdin: demo.AccessKey + "\n"})
	wantCode(t, r, exitOK, "render with the key on stdin")
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain"}, env: map[string]string{"MAPVAULT_SECRET": demo.AccessKey}})
	wantCode(t, r, exitOK, "render with the key in MAPVAULT_SECRET")
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain"}, stdin: "wrong-key-0000\n"})
	wantCode(t, r, exitBlocked, "render with a wrong key")

	// A second protected source: a plain secret no longer says whose it is.
	wantCode(t, cli(t, call{args: []string{"add", path, base + demo.BasicPath, "--layers", "countries", "--user", demo.BasicUser}, stdin: demo.BasicPassword}), exitOK, "add basic")
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain"}, stdin: demo.AccessKey + "\n"})
	wantCode(t, r, exitUsage, "render with a plain secret for two sources")
	if !strings.Contains(r.err, "--credentials") || strings.Contains(r.all(), demo.AccessKey) {
		t.Errorf("stderr should point to --credentials without the secret:\n%s", r.err)
	}
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain", "--credentials", "-"}, stdin: demoCredentials(t, base)})
	wantCode(t, r, exitOK, "render with --credentials for two sources")
}

// TestRenderWrongRecordedKeyNoStorm: a render with a wrong key for a source
// whose method the KeyVault records sends the key once, not once per tile.
func TestRenderWrongRecordedKeyNoStorm(t *testing.T) {
	h, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := vaulttest.NewServer(t, h)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	wantCode(t, cli(t, call{args: []string{"add", path, srv.URL + demo.KeyPath, "--layers", "borders"}, stdin: demo.AccessKey}), exitOK, "add")
	before := srv.Count()
	r := cli(t, call{args: []string{"render", path, "-o", filepath.Join(dir, "o.png"), "--size", "1920x1080", "--no-keychain"}, stdin: "wrong-key-0000\n"})
	wantCode(t, r, exitBlocked, "render with a wrong key")
	withKey := 0
	for _, rec := range srv.Records()[before:] {
		if strings.Contains(rec.RequestURI, "wrong-key-0000") {
			withKey++
		}
	}
	if withKey != 1 {
		t.Errorf("the wrong key went out %d times for a 1080p render, want 1", withKey)
	}
}

// TestRenderServerDown: every server down is a failure (exit 1, not 5
// "blocked"), and no blank image passes for a map.
func TestRenderServerDown(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := saveProject(t, dir, "demo.mapvault.json", demo.Project(base))
	// The project now points at a port nobody listens on.
	down := "http://127.0.0.1:9"
	data := strings.ReplaceAll(string(readFile(t, path)), base, down)
	path = writeFile(t, dir, "down.mapvault.json", []byte(data))
	out := filepath.Join(dir, "out.png")
	r := cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain", "--credentials", "-"},
		stdin: demoCredentials(t, down)})
	wantCode(t, r, exitFailure, "render with the server down")
	assertAbsent(t, out)
	if !strings.Contains(r.err, "not written") {
		t.Errorf("stderr should say no image was written:\n%s", r.err)
	}
}

package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"mapvault/project"
	"mapvault/vault"
)

// keyedTiles is an XYZ server under /v3/ that wants ?key=; its tiles are
// a solid colour. It records every request.
type keyedTiles struct {
	srv  *httptest.Server
	key  string
	mu   sync.Mutex
	seen []string // request URIs
}

var keyedTilePath = regexp.MustCompile(`^/v3/\d+/\d+/\d+\.png$`)

func newKeyedTiles(t *testing.T, key string) *keyedTiles {
	kt := &keyedTiles{key: key}
	var tile bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{20, 120, 220, 255})
	}
	png.Encode(&tile, img)
	kt.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kt.mu.Lock()
		kt.seen = append(kt.seen, r.URL.RequestURI())
		kt.mu.Unlock()
		if !keyedTilePath.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("key") != kt.key {
			http.Error(w, "invalid key", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile.Bytes())
	}))
	t.Cleanup(kt.srv.Close)
	return kt
}

func (kt *keyedTiles) requests() []string {
	kt.mu.Lock()
	defer kt.mu.Unlock()
	return append([]string(nil), kt.seen...)
}

// TestAddAndRenderXYZ: a template with its key in the query is detected as
// xyz, the key is split off into the session (the KeyVault records that
// the prefix source takes ?key=), the project holds the clean template,
// and render draws it with the key from MAPVAULT_SECRET on every tile.
func TestAddAndRenderXYZ(t *testing.T) {
	const key = "k3y-9f8e7d6c5b4a3210"
	kt := newKeyedTiles(t, key)
	dir := t.TempDir()
	path := filepath.Join(dir, "tiles.mapvault.json")
	template := kt.srv.URL + "/v3/{z}/{x}/{y}.png"

	r := runArgs(t, "add", path, template+"?key="+key, "--name", "Basemap")
	wantCode(t, r, exitOK, "add template")
	if !strings.Contains(r.out, "(xyz)") || !strings.Contains(r.out, "auth: query key") {
		t.Errorf("add output does not say it added an xyz layer with auth query key:\n%s", r.out)
	}
	for _, f := range dirFiles(t, dir) {
		if strings.Contains(string(readFile(t, filepath.Join(dir, f))), key) {
			t.Errorf("%s holds the key", f)
		}
	}
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Layers) != 1 || p.Layers[0].Kind != project.KindXYZ || p.Layers[0].Source != template || p.Layers[0].Name != "Basemap" {
		t.Fatalf("project layers = %+v, want one xyz layer with the clean template", p.Layers)
	}
	kv, err := vault.LoadKeyVault(vault.SidecarPath(path))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := vault.SourceOf(kt.srv.URL + "/v3/")
	if e, ok := kv.Get(src); !ok || !e.AuthRequired || e.Method != vault.MethodQuery || e.Param != "key" {
		t.Errorf("KeyVault entry for %s = %+v, %v; want query key (sources: %v)", src, e, ok, kv.Sources())
	}

	wantCode(t, runArgs(t, "check", path), exitOK, "check (a template is no secret)")
	out := filepath.Join(dir, "out.png")
	r = runArgs(t, "render", path, "-o", out, "--size", "300x200", "--center", "10,50", "--zoom", "4", "--no-keychain")
	wantCode(t, r, exitBlocked, "render without the key")

	before := len(kt.requests())
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "300x200", "--center", "10,50", "--zoom", "4", "--no-keychain"},
		env: map[string]string{"MAPVAULT_SECRET": key}})
	wantCode(t, r, exitOK, "render with the key")
	if !strings.Contains(r.err, "layer basemap: ok") {
		t.Errorf("render stderr does not report the layer ok:\n%s", r.err)
	}
	img, err := png.Decode(bytes.NewReader(readFile(t, out)))
	if err != nil {
		t.Fatal(err)
	}
	if got := color.RGBAModel.Convert(img.At(150, 100)).(color.RGBA); got != (color.RGBA{20, 120, 220, 255}) {
		t.Errorf("centre pixel = %v, want the tile colour", got)
	}
	reqs := kt.requests()[before:]
	if len(reqs) == 0 {
		t.Fatal("render sent no request")
	}
	for _, u := range reqs {
		if !strings.HasPrefix(u, "/v3/") || !strings.Contains(u, "key="+key) {
			t.Errorf("request %s: want a /v3/ tile carrying the key", u)
		}
	}
}

func TestAddKinds(t *testing.T) {
	kt := newKeyedTiles(t, "")
	template := kt.srv.URL + "/v3/{z}/{x}/{y}.png"
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown kind", []string{"https://tiles.example.nl/x", "--kind", "mbtiles"}, exitUsage, `unknown kind "mbtiles"`},
		{"--layers with a template", []string{template, "--layers", "a"}, exitUsage, "--layers does not apply to a xyz layer"},
		{"not a template", []string{kt.srv.URL + "/v3/tile.png", "--kind", "xyz"}, exitUsage, "not a tile URL template"},
		{"unknown placeholder", []string{kt.srv.URL + "/{id}/{z}/{x}/{y}.png"}, exitUsage, "unknown placeholder {id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runArgs(t, append([]string{"add", filepath.Join(dir, "p.mapvault.json")}, tt.args...)...)
			wantCode(t, r, tt.code, tt.name)
			if !strings.Contains(r.err, tt.msg) {
				t.Errorf("stderr = %q, want it to say %q", r.err, tt.msg)
			}
			if files := dirFiles(t, dir); len(files) != 0 {
				t.Errorf("files written: %v", files)
			}
		})
	}
}

func TestProbeAndListTemplate(t *testing.T) {
	kt := newKeyedTiles(t, "")
	template := kt.srv.URL + "/v3/{z}/{x}/{y}.png"
	r := runArgs(t, "probe", template, "--json")
	wantCode(t, r, exitOK, "probe template")
	if !strings.Contains(r.out, `"outcome":"no authentication needed"`) || !strings.Contains(r.out, `/v3/"`) {
		t.Errorf("probe = %s, want no authentication for the /v3/ prefix source", r.out)
	}
	r = runArgs(t, "layers", template)
	wantCode(t, r, exitOK, "layers template")
	if !strings.Contains(r.out, "(layer)  127.0.0.1") {
		t.Errorf("layers = %q, want the template as one layer", r.out)
	}
	r = runArgs(t, "layers", template, "--json")
	wantCode(t, r, exitOK, "layers template --json")
	if !strings.Contains(r.out, `"title": "127.0.0.1"`) {
		t.Errorf("layers --json = %s", r.out)
	}
}

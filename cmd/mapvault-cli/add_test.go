package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// loadVault reads the KeyVault beside projectPath.
func loadVault(t *testing.T, projectPath string) *vault.KeyVault {
	t.Helper()
	kv, err := vault.LoadKeyVault(vault.SidecarPath(projectPath))
	if err != nil {
		t.Fatalf("LoadKeyVault: %v", err)
	}
	return kv
}

// loadProject reads the project at path.
func loadProject(t *testing.T, path string) *project.Project {
	t.Helper()
	p, err := project.Load(path)
	if err != nil {
		t.Fatalf("project.Load(%s): %v", path, err)
	}
	return p
}

// noneContains fails when any of the files contains any of the secrets.
func noneContains(t *testing.T, paths []string, secrets ...string) {
	t.Helper()
	for _, p := range paths {
		data := readFile(t, p)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q:\n%s", p, s, data)
			}
		}
	}
}

// assertAbsent fails when any of the paths exists.
func assertAbsent(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists (or stat failed: %v); nothing should have been written", p, err)
		}
	}
}

func TestAddSecretSplitOff(t *testing.T) {
	base := demoServer(t)
	cases := []struct {
		name       string
		url        string
		args       []string
		stdin      string
		env        map[string]string
		wmsLayer   string
		cleanURL   string
		method     vault.Method
		param      string
		secrets    []string
		authNeeded bool
	}{
		{
			name: "key in URL", url: base + demo.KeyPath + "?authkey=" + demo.AccessKey,
			wmsLayer: "borders", cleanURL: base + demo.KeyPath, method: vault.MethodQuery, param: "authkey",
			secrets: []string{demo.AccessKey}, authNeeded: true,
		},
		{
			name: "key in URL with vendor params", url: base + demo.KeyPath + "?map=demo&authkey=" + demo.AccessKey + "&SERVICE=WMS",
			wmsLayer: "borders", cleanURL: base + demo.KeyPath + "?map=demo&SERVICE=WMS", method: vault.MethodQuery, param: "authkey",
			secrets: []string{demo.AccessKey}, authNeeded: true,
		},
		{
			name: "user and password in URL", url: strings.Replace(base, "http://", "http://"+demo.BasicUser+":"+demo.BasicPassword+"@", 1) + demo.BasicPath,
			wmsLayer: "countries", cleanURL: base + demo.BasicPath, method: vault.MethodBasic,
			secrets: []string{demo.BasicPassword}, authNeeded: true,
		},
		{
			name: "key on stdin", url: base + demo.KeyPath, stdin: demo.AccessKey + "\n",
			wmsLayer: "borders", cleanURL: base + demo.KeyPath, method: vault.MethodQuery, param: "authkey",
			secrets: []string{demo.AccessKey}, authNeeded: true,
		},
		{
			name: "password on stdin", url: base + demo.BasicPath, args: []string{"--user", demo.BasicUser}, stdin: demo.BasicPassword,
			wmsLayer: "countries", cleanURL: base + demo.BasicPath, method: vault.MethodBasic,
			secrets: []string{demo.BasicPassword}, authNeeded: true,
		},
		{
			name: "key in MAPVAULT_SECRET", url: base + demo.KeyPath, env: map[string]string{"MAPVAULT_SECRET": demo.AccessKey},
			wmsLayer: "borders", cleanURL: base + demo.KeyPath, method: vault.MethodQuery, param: "authkey",
			secrets: []string{demo.AccessKey}, authNeeded: true,
		},
		{
			name: "public", url: base + demo.PublicPath,
			wmsLayer: "land", cleanURL: base + demo.PublicPath, method: vault.MethodNone,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "flood.mapvault.json")
			args := append([]string{"add", path, tc.url, "--layers", tc.wmsLayer}, tc.args...)
			r := cli(t, call{args: args, stdin: tc.stdin, env: tc.env})
			wantCode(t, r, exitOK, "add "+tc.name)

			p := loadProject(t, path)
			if len(p.Layers) != 1 {
				t.Fatalf("project has %d layers, want 1", len(p.Layers))
			}
			l := p.Layers[0]
			if l.Source != tc.cleanURL {
				t.Errorf("layer source = %q, want %q", l.Source, tc.cleanURL)
			}
			if len(l.WMS.Layers) != 1 || l.WMS.Layers[0] != tc.wmsLayer || l.Kind != project.KindWMS || !l.Visible {
				t.Errorf("layer = %+v, want a visible WMS layer of %q", l, tc.wmsLayer)
			}
			if p.Title != "flood" {
				t.Errorf("new project title = %q, want %q", p.Title, "flood")
			}

			kv := loadVault(t, path)
			src, _ := vault.SourceOf(tc.cleanURL)
			e, ok := kv.Get(src)
			if !ok {
				t.Fatalf("KeyVault has no entry for %s; it has %v", src, kv.Sources())
			}
			if e.AuthRequired != tc.authNeeded || e.Method != tc.method || e.Param != tc.param {
				t.Errorf("KeyVault entry = %+v, want AuthRequired %v, method %q, param %q", e, tc.authNeeded, tc.method, tc.param)
			}
			files := []string{path, vault.SidecarPath(path)}
			noneContains(t, files, tc.secrets...)
			for _, s := range tc.secrets {
				if strings.Contains(r.all(), s) {
					t.Errorf("output contains the secret %q:\n%s", s, r.all())
				}
			}
			if got := dirFiles(t, dir); len(got) != 2 {
				t.Errorf("files in the project folder = %v, want the project and its KeyVault only", got)
			}
		})
	}
}

func TestAddTwoLayersAndAppend(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	r := runArgs(t, "add", path, base+demo.PublicPath, "--layers", "land, countries")
	wantCode(t, r, exitOK, "add two layers")
	p := loadProject(t, path)
	if len(p.Layers) != 2 {
		t.Fatalf("project has %d layers, want 2", len(p.Layers))
	}
	for i, want := range []string{"land", "countries"} {
		if got := p.Layers[i].WMS.Layers; len(got) != 1 || got[0] != want {
			t.Errorf("layer %d WMS layers = %v, want [%s]", i, got, want)
		}
	}
	if p.Layers[0].ID == p.Layers[1].ID {
		t.Errorf("both layers have ID %q", p.Layers[0].ID)
	}

	// A second add keeps what is there and appends.
	r = cli(t, call{args: []string{"add", path, base + demo.KeyPath, "--layers", "borders", "--name", "Borders"}, stdin: demo.AccessKey})
	wantCode(t, r, exitOK, "add to an existing project")
	p = loadProject(t, path)
	if len(p.Layers) != 3 || p.Layers[2].Name != "Borders" || p.Layers[2].WMS.Layers[0] != "borders" {
		t.Fatalf("project layers after append = %+v, want land, countries, Borders", p.Layers)
	}
	kv := loadVault(t, path)
	if got := len(kv.Sources()); got != 2 {
		t.Errorf("KeyVault has %d sources, want 2 (public and key)", got)
	}
	noneContains(t, []string{path, vault.SidecarPath(path)}, demo.AccessKey)
}

func TestAddNothingWritten(t *testing.T) {
	base := demoServer(t)
	const suspect = "Zx81kQ2mP0vN7tR4wY6uB3cD9fGh"
	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		say   string // stderr must contain
	}{
		{"unknown layer", []string{base + demo.PublicPath, "--layers", "land,atlantis"}, "", exitUsage, "atlantis"},
		{"unknown first layer", []string{base + demo.PublicPath, "--layers", "atlantis,land"}, "", exitUsage, "atlantis"},
		{"no layers chosen", []string{base + demo.PublicPath}, "", exitUsage, "choose the layers to add with --layers NAME[,NAME]"},
		{"suspect parameter", []string{base + demo.PublicPath + "?sessid=" + suspect, "--layers", "land"}, "", exitUsage, "--keep-param"},
		{"wrong key", []string{base + demo.KeyPath, "--layers", "borders"}, "wrong-key-0000", exitRejected, "rejected"},
		{"no credentials", []string{base + demo.KeyPath, "--layers", "borders"}, "", exitRejected, "needs credentials"},
		{"server error", []string{statusServer(t, 500) + "/wms", "--layers", "x"}, "", exitUndecided, "could not decide"},
		{"--name for two layers", []string{base + demo.PublicPath, "--layers", "land,countries", "--name", "X"}, "", exitUsage, "--name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "p.mapvault.json")
			r := cli(t, call{args: append([]string{"add", path}, tc.args...), stdin: tc.stdin})
			wantCode(t, r, tc.code, tc.name)
			if !strings.Contains(r.err, tc.say) {
				t.Errorf("stderr = %q, want it to mention %q", r.err, tc.say)
			}
			if strings.Contains(r.all(), suspect) {
				t.Errorf("output repeats the suspect value:\n%s", r.all())
			}
			if got := dirFiles(t, dir); len(got) != 0 {
				t.Errorf("files written: %v, want none", got)
			}
		})
	}
}

func TestAddKeepParam(t *testing.T) {
	base := demoServer(t)
	const value = "Zx81kQ2mP0vN7tR4wY6uB3cD9fGh"
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	r := runArgs(t, "add", path, base+demo.PublicPath+"?sessid="+value, "--layers", "land", "--keep-param", "sessid")
	wantCode(t, r, exitOK, "add --keep-param")
	p := loadProject(t, path)
	if got, want := p.Layers[0].Source, base+demo.PublicPath+"?sessid="+value; got != want {
		t.Errorf("source = %q, want %q (the confirmed parameter kept)", got, want)
	}
}

// TestAddExistingProjectUntouched: a failed add leaves an existing project
// and its KeyVault byte-identical, corrupt or not.
func TestAddExistingProjectUntouched(t *testing.T) {
	base := demoServer(t)
	good, err := demo.Project(base).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content []byte
		args    []string
		code    int
	}{
		{"corrupt JSON", []byte("{\"format\": \"mapvault-project\", \"version\": 1,\n  \"layers\": [ {\"id\": \n"), []string{base + demo.PublicPath, "--layers", "land"}, exitFailure},
		{"not a project", []byte(`{"hello": "world"}`), []string{base + demo.PublicPath, "--layers", "land"}, exitFailure},
		{"newer version", []byte(`{"format": "mapvault-project", "version": 99, "title": "x", "layers": []}`), []string{base + demo.PublicPath, "--layers", "land"}, exitFailure},
		{"good project, unknown layer", good, []string{base + demo.PublicPath, "--layers", "atlantis"}, exitUsage},
		{"good project, wrong key", good, []string{base + demo.KeyPath + "?authkey=nope-0000", "--layers", "borders"}, exitRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "p.mapvault.json", tc.content)
			kvBefore := []byte(`{"format": "mapvault-keyvault", "version": 1, "sources": {}}` + "\n")
			kvPath := vault.SidecarPath(path)
			if err := os.WriteFile(kvPath, kvBefore, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runArgs(t, append([]string{"add", path}, tc.args...)...)
			wantCode(t, r, tc.code, tc.name)
			if got := readFile(t, path); !bytes.Equal(got, tc.content) {
				t.Errorf("project changed:\n got %q\nwant %q", got, tc.content)
			}
			if got := readFile(t, kvPath); !bytes.Equal(got, kvBefore) {
				t.Errorf("KeyVault changed:\n got %q\nwant %q", got, kvBefore)
			}
			if got := dirFiles(t, dir); len(got) != 2 {
				t.Errorf("files in the folder = %v, want only the two that were there", got)
			}
		})
	}
}

// TestAddCorruptKeyVault: a broken sidecar is an error that names the
// position, and nothing is written.
func TestAddCorruptKeyVault(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	kvPath := vault.SidecarPath(path)
	bad := []byte("{\"format\": \"mapvault-keyvault\",\n \"version\": 1, \"sources\": {\"x\": }}\n")
	if err := os.WriteFile(kvPath, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "add", path, base+demo.PublicPath, "--layers", "land")
	wantCode(t, r, exitFailure, "add with a corrupt KeyVault")
	if !strings.Contains(r.err, ":2:") {
		t.Errorf("stderr = %q, want the line of the error", r.err)
	}
	if got := readFile(t, kvPath); !bytes.Equal(got, bad) {
		t.Errorf("KeyVault changed: %q", got)
	}
	assertAbsent(t, path)
}

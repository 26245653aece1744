package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/vault/vaulttest"
)

// canary is the secret of the canary test: used as access key and as
// password, it must never appear in any output or any file.
const canary = "CANARY-5b8d0f2e-SECRET-91c3a7e4"

// canaryServer serves the demo's public layers behind the canary: on
// /ckey/wms with authkey=canary, on /cbasic/wms with HTTP Basic
// ann:canary. Capabilities point GetMap back at the protected path.
func canaryServer(t *testing.T) string {
	t.Helper()
	h, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	forward := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		q := r.URL.Query()
		q.Del("authkey")
		r2 := r.Clone(r.Context())
		r2.URL.Path = demo.PublicPath
		r2.URL.RawQuery = q.Encode()
		r2.RequestURI = ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r2)
		body := rec.Body.Bytes()
		if strings.Contains(rec.Header().Get("Content-Type"), "xml") {
			body = bytes.ReplaceAll(body, []byte(demo.PublicPath), []byte(path))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
	mux := http.NewServeMux()
	mux.Handle("/ckey/wms", vaulttest.Protect(vaulttest.Guard{Query: "authkey", Key: canary}, forward, nil))
	mux.Handle("/cbasic/wms", vaulttest.Protect(vaulttest.Guard{Basic: true, User: "ann", Password: canary}, forward, nil))
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s.URL
}

// TestCanary runs every command with the canary as key and as password and
// searches every output and every file written for it.
func TestCanary(t *testing.T) {
	cs := canaryServer(t)
	ds := demoServer(t)
	dir := t.TempDir()   // everything the CLI writes
	input := t.TempDir() // hand-made inputs that contain the canary on purpose
	userinfo := strings.Replace(cs, "http://", "http://ann:"+canary+"@", 1)
	env := map[string]string{"MAPVAULT_SECRET": canary}
	pj := func(name string) string { return filepath.Join(dir, name) }
	keyCreds := fmt.Sprintf("{\"source\": %q, \"key\": %q}\n", cs+"/ckey/wms", canary)
	basicCreds := fmt.Sprintf("{\"source\": %q, \"username\": \"ann\", \"password\": %q}\n", cs+"/cbasic/wms", canary)
	leaky := fmt.Sprintf(handEdited, cs+"/ckey/wms?token="+canary)
	leakyPath := writeFile(t, input, "leaky.mapvault.json", []byte(leaky))
	demoPath := saveProject(t, dir, "d.mapvault.json", demo.Project(ds))
	leaky2Path := writeFile(t, input, "leaky2.mapvault.json", []byte(fmt.Sprintf(handEdited, userinfo+"/cbasic/wms")))

	flows := []struct {
		name string
		c    call
		code int
	}{
		// probe: accepted, rejected, undecided; stdin, env and URL routes.
		{"probe key stdin", call{args: []string{"probe", cs + "/ckey/wms", "--json"}, stdin: canary + "\n"}, exitOK},
		{"probe key env", call{args: []string{"probe", cs + "/ckey/wms"}, env: env}, exitOK},
		{"probe key in URL", call{args: []string{"probe", cs + "/ckey/wms?authkey=" + canary}}, exitOK},
		{"probe basic env", call{args: []string{"probe", cs + "/cbasic/wms", "--user", "ann", "--json"}, env: env}, exitOK},
		{"probe basic in URL", call{args: []string{"probe", userinfo + "/cbasic/wms"}}, exitOK},
		{"probe key rejected", call{args: []string{"probe", ds + demo.KeyPath, "--json"}, stdin: canary}, exitRejected},
		{"probe basic rejected", call{args: []string{"probe", ds + demo.BasicPath, "--user", demo.BasicUser}, stdin: canary}, exitRejected},
		{"probe undecided", call{args: []string{"probe", statusServer(t, 503) + "/wms?authkey=" + canary}}, exitUndecided},
		{"probe secret twice", call{args: []string{"probe", cs + "/ckey/wms?authkey=" + canary}, stdin: canary}, exitUsage},
		// add: URL-embedded, stdin, env; accepted and rejected.
		{"add key in URL", call{args: []string{"add", pj("a.mapvault.json"), cs + "/ckey/wms?authkey=" + canary, "--layers", "land"}}, exitOK},
		{"add basic in URL", call{args: []string{"add", pj("a.mapvault.json"), userinfo + "/cbasic/wms", "--layers", "countries"}}, exitOK},
		{"add key stdin", call{args: []string{"add", pj("b.mapvault.json"), cs + "/ckey/wms", "--layers", "land,countries"}, stdin: canary + "\n"}, exitOK},
		{"add basic env", call{args: []string{"add", pj("b.mapvault.json"), cs + "/cbasic/wms", "--user", "ann", "--layers", "land"}, env: env}, exitOK},
		{"add rejected", call{args: []string{"add", pj("c.mapvault.json"), ds + demo.KeyPath + "?authkey=" + canary, "--layers", "borders"}}, exitRejected},
		{"add unknown layer", call{args: []string{"add", pj("c.mapvault.json"), cs + "/ckey/wms?authkey=" + canary, "--layers", "atlantis"}}, exitUsage},
		// layers from the protected services.
		{"layers key stdin", call{args: []string{"layers", cs + "/ckey/wms"}, stdin: canary}, exitOK},
		{"layers key in URL json", call{args: []string{"layers", cs + "/ckey/wms?authkey=" + canary, "--json"}}, exitOK},
		{"layers basic env", call{args: []string{"layers", cs + "/cbasic/wms", "--user", "ann", "--json"}, env: env}, exitOK},
		{"layers rejected", call{args: []string{"layers", ds + demo.KeyPath}, stdin: canary}, exitRejected},
		// render with the canary credentials, accepted and rejected.
		{"render a", call{args: []string{"render", pj("a.mapvault.json"), "-o", pj("a.png"), "--size", "256x256", "--no-keychain", "--credentials", "-"}, stdin: keyCreds + basicCreds}, exitOK},
		{"render b", call{args: []string{"render", pj("b.mapvault.json"), "-o", pj("b.png"), "--size", "128x128", "--no-keychain", "--credentials", "-"}, stdin: basicCreds + keyCreds}, exitOK},
		{"render rejected", call{args: []string{"render", demoPath, "-o", pj("r.png"), "--size", "64x64", "--no-keychain", "--credentials", "-"},
			stdin: fmt.Sprintf("{\"source\": %q, \"key\": %q}\n{\"source\": %q, \"username\": \"demo\", \"password\": %q}\n", ds+demo.KeyPath, canary, ds+demo.BasicPath, canary)}, exitBlocked},
		{"render bad credentials", call{args: []string{"render", pj("a.mapvault.json"), "-o", pj("x.png"), "--no-keychain", "--credentials", "-"}, stdin: "{\"key\": \"" + canary + "\"\n"}, exitUsage},
		// check: what add wrote is clean; hand-edited leaks are found.
		{"check a", call{args: []string{"check", pj("a.mapvault.json")}}, exitOK},
		{"check b", call{args: []string{"check", pj("b.mapvault.json")}}, exitOK},
		{"check leaky token", call{args: []string{"check", leakyPath}}, exitFailure},
		{"check leaky userinfo", call{args: []string{"check", leaky2Path}}, exitFailure},
	}
	for _, f := range flows {
		r := cli(t, f.c)
		if r.code != f.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", f.name, r.code, f.code, r.out, r.err)
		}
		if strings.Contains(r.all(), canary) {
			t.Errorf("%s: the canary is in the output:\n%s", f.name, r.all())
		}
	}

	files := dirFiles(t, dir)
	for _, want := range []string{"a.mapvault.json", "a.keyvault.json", "b.mapvault.json", "b.keyvault.json", "a.png", "b.png"} {
		found := false
		for _, f := range files {
			found = found || f == want
		}
		if !found {
			t.Errorf("%s was not written; files: %v", want, files)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(canary)) || bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(canary))) {
			t.Errorf("%s contains the canary", f)
		}
	}
	if n := opaquePixels(t, pj("a.png"), 256, 256); n == 0 {
		t.Error("a.png has no visible pixels: the canary-protected layers were not drawn")
	}
	// The inputs were not touched.
	if got := string(readFile(t, leakyPath)); got != leaky {
		t.Error("check changed the file it scanned")
	}
}

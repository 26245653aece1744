package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestURLOutOfArgv: a URL that carries a secret can be given as - (standard
// input) or with --url-file, so that it never is in the process list, and
// one given as an argument draws a warning.
func TestURLOutOfArgv(t *testing.T) {
	cs := canaryServer(t)
	dir := t.TempDir()
	keyURL := cs + "/ckey/wms?authkey=" + canary
	basicURL := strings.Replace(cs, "http://", "http://ann:"+canary+"@", 1) + "/cbasic/wms"
	keyFile := writeFile(t, dir, "key-url.txt", []byte(keyURL+"\n"))
	basicFile := writeFile(t, dir, "basic-url.txt", []byte(basicURL))
	pj := func(name string) string { return filepath.Join(dir, name) }

	flows := []struct {
		name string
		c    call
		code int
		warn bool
	}{
		{"add -", call{args: []string{"add", pj("a.mapvault.json"), "-", "--layers", "land"}, stdin: keyURL + "\n"}, exitOK, false},
		{"add --url-file, user information", call{args: []string{"add", pj("b.mapvault.json"), "--url-file", basicFile, "--layers", "countries"}}, exitOK, false},
		{"add - without its secret, secret in the environment", call{args: []string{"add", pj("c.mapvault.json"), "-", "--layers", "land"},
			stdin: cs + "/ckey/wms\n", env: map[string]string{"MAPVAULT_SECRET": canary}}, exitOK, false},
		{"add --url-file, secret on standard input", call{args: []string{"add", pj("d.mapvault.json"), "--url-file", writeFile(t, dir, "clean.txt", []byte(cs+"/ckey/wms\n")), "--layers", "land"},
			stdin: canary + "\n"}, exitOK, false},
		{"add with the URL in argv", call{args: []string{"add", pj("e.mapvault.json"), keyURL, "--layers", "land"}}, exitOK, true},
		{"add with user information in argv", call{args: []string{"add", pj("e.mapvault.json"), basicURL, "--layers", "countries"}}, exitOK, true},
		{"add with a clean URL in argv", call{args: []string{"add", pj("f.mapvault.json"), cs + "/ckey/wms", "--layers", "land"}, stdin: canary}, exitOK, false},
		{"probe -", call{args: []string{"probe", "-", "--json"}, stdin: keyURL}, exitOK, false},
		{"probe --url-file", call{args: []string{"probe", "--url-file", keyFile}}, exitOK, false},
		{"probe with the URL in argv", call{args: []string{"probe", keyURL}}, exitOK, true},
		{"layers -", call{args: []string{"layers", "-", "--json"}, stdin: keyURL + "\r\n\n"}, exitOK, false},
		{"layers --url-file", call{args: []string{"layers", "--url-file", basicFile}}, exitOK, false},
		{"layers with the URL in argv", call{args: []string{"layers", keyURL}}, exitOK, true},
		{"layers with a suspect in argv", call{args: []string{"layers", cs + "/ckey/wms?x=Zq7xW2pL9mK4vB8nC3tR6yH1aB5d"}}, exitUsage, true},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			r := cli(t, f.c)
			if r.code != f.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, f.code, r.out, r.err)
			}
			if got := strings.Contains(r.err, argvSecretWarning); got != f.warn {
				t.Errorf("warning printed = %v, want %v; stderr:\n%s", got, f.warn, r.err)
			}
			if strings.Contains(r.all(), canary) {
				t.Errorf("the canary is in the output:\n%s", r.all())
			}
		})
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		p := loadProject(t, pj(name+".mapvault.json"))
		if len(p.Layers) != 1 || strings.Contains(p.Layers[0].Source, canary) {
			t.Errorf("%s: layers %+v, want one layer with a clean source", name, p.Layers)
		}
		noneContains(t, []string{pj(name + ".mapvault.json"), pj(name + ".keyvault.json")}, canary)
	}
}

// TestURLArgErrors: the URL given twice, a secret after the URL on standard
// input, an empty or missing source are usage errors that echo nothing.
func TestURLArgErrors(t *testing.T) {
	dir := t.TempDir()
	cs := canaryServer(t)
	keyURL := cs + "/ckey/wms?authkey=" + canary
	file := writeFile(t, dir, "u.txt", []byte(keyURL))
	cases := []struct {
		name string
		c    call
		want string
	}{
		{"URL twice", call{args: []string{"add", filepath.Join(dir, "p.mapvault.json"), "-", "--url-file", file}, stdin: keyURL}, "not two of them"},
		{"secret after the URL on standard input", call{args: []string{"add", filepath.Join(dir, "p.mapvault.json"), "-", "--layers", "land"}, stdin: cs + "/ckey/wms\n" + canary + "\n"}, "MAPVAULT_SECRET"},
		{"empty standard input", call{args: []string{"probe", "-"}}, "no URL"},
		{"missing file", call{args: []string{"layers", "--url-file", filepath.Join(dir, "none.txt")}}, "--url-file"},
		{"not a URL from the file", call{args: []string{"layers", "--url-file", writeFile(t, dir, "path.txt", []byte("caps.xml\n"))}}, "URL"},
		{"no URL at all", call{args: []string{"add", filepath.Join(dir, "p.mapvault.json")}}, "Usage: mapvault-cli add"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.c)
			wantCode(t, r, exitUsage, tc.name)
			if !strings.Contains(r.err, tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", r.err, tc.want)
			}
			if strings.Contains(r.all(), canary) {
				t.Errorf("the canary is in the output:\n%s", r.all())
			}
		})
	}
	assertAbsent(t, filepath.Join(dir, "p.mapvault.json")) // never created on a usage error
}

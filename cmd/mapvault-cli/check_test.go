package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/vault"
)

// position returns the 1-based line and column of the first occurrence of
// needle in the (ASCII) text.
func position(t *testing.T, text, needle string) (int, int) {
	t.Helper()
	i := strings.Index(text, needle)
	if i < 0 {
		t.Fatalf("%q not in the test document", needle)
	}
	line := strings.Count(text[:i], "\n") + 1
	col := i - strings.LastIndex(text[:i], "\n")
	return line, col
}

// handEdited is a project someone edited by hand; %s are three layer sources.
const handEdited = `{
  "format": "mapvault-project",
  "version": 1,
  "title": "Hand edited",
  "view": {"center": {"lon": 4.9, "lat": 52.3}, "zoom": 7, "crs": "EPSG:3857"},
  "layers": [
    {
      "id": "a",
      "name": "A",
      "kind": "wms",
      "source": %q,
      "wms_layers": ["roads"],
      "opacity": 1,
      "visible": true
    }
  ]
}
`

func TestCheck(t *testing.T) {
	const (
		token  = "tok-9f8e7d6c5b4a"
		pw     = "pw-hunter2-xyz"
		random = "Q7vKp2XmT9wLr4ZsN8bYc3Hd"
	)
	cases := []struct {
		name    string
		source  string
		secret  string // the value that must not be printed
		at      string // where the finding must point: the first occurrence of this text
		what    string // a word the description must contain
		project bool   // the finding is in the project (else nothing found)
	}{
		{name: "token parameter", source: "https://maps.example.org/wms?map=x&token=" + token, secret: token, at: token, what: "token", project: true},
		{name: "user information", source: "https://ann:" + pw + "@maps.example.org/wms", secret: pw, at: "ann:", what: "user information", project: true},
		{name: "random value", source: "https://maps.example.org/wms?session_ref=" + random, secret: random, at: random, what: "secret", project: true},
		{name: "clean", source: "https://maps.example.org/wms?map=/srv/maps/roads.map&SERVICE=WMS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			text := fmt.Sprintf(handEdited, tc.source)
			path := writeFile(t, dir, "p.mapvault.json", []byte(text))
			r := runArgs(t, "check", path)
			if !tc.project {
				wantCode(t, r, exitOK, "check of a clean project")
				if !strings.Contains(r.out, "no secrets found") {
					t.Errorf("stdout = %q, want it to say no secrets were found", r.out)
				}
				return
			}
			wantCode(t, r, exitFailure, "check "+tc.name)
			line, col := position(t, text, tc.at)
			want := fmt.Sprintf("%s:%d:%d: ", path, line, col)
			var found bool
			for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
				if !regexp.MustCompile(`^.+:\d+:\d+: .+$`).MatchString(l) {
					t.Errorf("output line %q is not FILE:LINE:COL: WHAT", l)
				}
				if strings.HasPrefix(l, want) && strings.Contains(l, tc.what) {
					found = true
				}
			}
			if !found {
				t.Errorf("check output:\n%s\nwant a line starting %q mentioning %q", r.out, want, tc.what)
			}
			if strings.Contains(r.all(), tc.secret) {
				t.Errorf("check output contains the secret %q:\n%s", tc.secret, r.all())
			}
			if !strings.Contains(r.err, "do not share") {
				t.Errorf("stderr = %q, want a warning not to share", r.err)
			}
		})
	}
}

// TestCheckKeyVault: the sidecar is scanned too.
func TestCheckKeyVault(t *testing.T) {
	const secret = "kv-pass-4c1d9e2f"
	dir := t.TempDir()
	path := saveProject(t, dir, "p.mapvault.json", demo.Project("http://127.0.0.1:47815"))
	kvText := "{\n  \"format\": \"mapvault-keyvault\",\n  \"version\": 1,\n  \"sources\": {},\n  \"password\": \"" + secret + "\"\n}\n"
	kvPath := vault.SidecarPath(path)
	writeFile(t, dir, filepath.Base(kvPath), []byte(kvText))
	r := runArgs(t, "check", path)
	wantCode(t, r, exitFailure, "check with a leaky KeyVault")
	line, col := position(t, kvText, secret)
	if want := fmt.Sprintf("%s:%d:%d: ", kvPath, line, col); !strings.Contains(r.out, want) {
		t.Errorf("check output:\n%s\nwant a finding at %q", r.out, want)
	}
	if strings.Contains(r.all(), secret) {
		t.Errorf("check output contains the secret:\n%s", r.all())
	}
}

// TestCheckAfterAdd: what add writes passes check.
func TestCheckAfterAdd(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	wantCode(t, runArgs(t, "add", path, base+demo.KeyPath+"?authkey="+demo.AccessKey, "--layers", "borders"), exitOK, "add")
	basicURL := strings.Replace(base, "http://", "http://"+demo.BasicUser+":"+demo.BasicPassword+"@", 1) + demo.BasicPath
	wantCode(t, runArgs(t, "add", path, basicURL, "--layers", "countries"), exitOK, "add basic")
	r := runArgs(t, "check", path)
	wantCode(t, r, exitOK, "check after add")
}

func TestCheckMissingFile(t *testing.T) {
	r := runArgs(t, "check", filepath.Join(t.TempDir(), "absent.mapvault.json"))
	wantCode(t, r, exitFailure, "check of a missing file")
	if r.err == "" {
		t.Error("stderr is empty, want an error")
	}
}

// Ctrl-C (the context run gets is cancelled) stops check with exit 1 and
// "interrupted", not with a verdict on a file it did not finish reading.
func TestCheckInterrupted(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 60000 { // 4.5 MB of text, not JSON
		fmt.Fprintf(&b, "see https://maps.example.org/wms?map=roads&layer=%d for the details of layer %d\n", i, i)
	}
	path := writeFile(t, dir, "notes.txt", []byte(b.String()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"check", path}, stdio{in: strings.NewReader(""), out: &out, err: &errb}, func(string) string { return "" })
	r := result{code: code, out: out.String(), err: errb.String()}
	wantCode(t, r, exitFailure, "check with a cancelled context")
	if r.err != "mapvault-cli: interrupted\n" || r.out != "" {
		t.Errorf("check interrupted: stdout %q, stderr %q; want only \"mapvault-cli: interrupted\"", r.out, r.err)
	}
}

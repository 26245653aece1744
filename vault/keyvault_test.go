package vault

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/project"
)

// The -update flag rewrites golden files. Other test files of this package
// may register the same flag, so it is registered only once and read by name.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
	return true
}()

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestSidecarPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/p/flood.mapvault.json", "/p/flood.keyvault.json"},
		{"/p/flood.MapVault.JSON", "/p/flood.keyvault.json"},
		{"/p/x.json", "/p/x.keyvault.json"},
		{"/p/x", "/p/x.keyvault.json"},
		{"x.json", "x.keyvault.json"},
		{"/p/a.b.json", "/p/a.b.keyvault.json"},
		{"/p/.hidden", "/p/.hidden.keyvault.json"},
		{"/p.d/x", "/p.d/x.keyvault.json"},
		{"/p/.mapvault.json", "/p/.mapvault.keyvault.json"},
	}
	for _, tt := range tests {
		if got := SidecarPath(tt.in); got != tt.want {
			t.Errorf("SidecarPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// kvExample is the example of docs/keyvault-format.md.
const kvExample = `{"format": "mapvault-keyvault", "version": 1,
 "sources": {
   "https://maps.example.org:443/wms": {"auth_required": true, "method": "query",
      "param": "authkey", "last_confirmed": "2026-11-20T08:15:00Z"},
   "https://basic.example.org:443/geoserver/wms": {"auth_required": true, "method": "basic",
      "last_confirmed": "2026-11-20T08:15:00Z"},
   "https://h.example.org:443/ows": {"auth_required": true, "method": "header",
      "param": "Authorization"} }}`

func TestParseKeyVault(t *testing.T) {
	confirmed := time.Date(2026, 11, 20, 8, 15, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want map[Source]Entry
	}{
		{"example", kvExample, map[Source]Entry{
			"https://maps.example.org:443/wms":            {AuthRequired: true, Method: MethodQuery, Param: "authkey", LastConfirmed: confirmed},
			"https://basic.example.org:443/geoserver/wms": {AuthRequired: true, Method: MethodBasic, LastConfirmed: confirmed},
			"https://h.example.org:443/ows":               {AuthRequired: true, Method: MethodHeader, Param: "Authorization"},
		}},
		{"no sources", `{"format":"mapvault-keyvault","version":1}`, map[Source]Entry{}},
		{"null sources", `{"format":"mapvault-keyvault","version":1,"sources":null}`, map[Source]Entry{}},
		{"canonicalised key", `{"format":"mapvault-keyvault","version":1,"sources":{
			"HTTPS://Maps.Example.ORG/wms":{"auth_required":true,"method":"query","param":"tk"}}}`,
			map[Source]Entry{"https://maps.example.org:443/wms": {AuthRequired: true, Method: MethodQuery, Param: "tk"}}},
		{"defaults", `{"format":"mapvault-keyvault","version":1,"sources":{"http://h:8080/":{}}}`,
			map[Source]Entry{"http://h:8080/": {AuthRequired: false, Method: MethodNone}}},
		{"unknown fields dropped", `{"format":"mapvault-keyvault","version":1,"x":{"password":"p"},"sources":{
			"https://h:443/wms":{"auth_required":false,"method":"none","password":"hunter2","key":"abc"}}}`,
			map[Source]Entry{"https://h:443/wms": {AuthRequired: false, Method: MethodNone}}},
		{"offset time", `{"format":"mapvault-keyvault","version":1,"sources":{
			"https://h:443/wms":{"method":"basic","last_confirmed":"2026-11-20T09:15:00.5+01:00"}}}`,
			map[Source]Entry{"https://h:443/wms": {AuthRequired: false, Method: MethodBasic, LastConfirmed: confirmed}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv, err := ParseKeyVault("kv.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseKeyVault: %v", err)
			}
			if got, want := kv.Sources(), len(tt.want); len(got) != want {
				t.Fatalf("Sources() = %v, want %d sources", got, want)
			}
			for src, want := range tt.want {
				got, ok := kv.Get(src)
				if !ok || got != want {
					t.Errorf("Get(%s) = %+v, %v, want %+v, true", src, got, ok, want)
				}
			}
		})
	}
}

func TestParseKeyVaultErrors(t *testing.T) {
	const head = `{"format":"mapvault-keyvault","version":1,"sources":{` + "\n"
	tests := []struct {
		name      string
		in        string
		line, col int
		is        error  // sentinel the error must match, or nil
		msg       string // substring of the message
	}{
		{"bad json", "{\n  \"format\": \"mapvault-keyvault\",\n  \"version\": 1,,\n}", 3, 16, nil, "invalid JSON"},
		{"truncated", `{"format":"mapvault-keyvault"`, 1, 30, nil, "invalid JSON"},
		{"not an object", "\n  [1,2]", 2, 3, ErrNotKeyVault, "not a JSON object"},
		{"no format", `{"version":1}`, 1, 1, ErrNotKeyVault, "no \"format\""},
		{"other format", `{"format":"mapvault-project","version":1}`, 1, 11, ErrNotKeyVault, `"mapvault-project"`},
		{"format not string", `{"format":7,"version":1}`, 1, 11, ErrNotKeyVault, "must be the string"},
		{"no version", `{"format":"mapvault-keyvault"}`, 1, 1, nil, "missing \"version\""},
		{"version 0", `{"format":"mapvault-keyvault","version":0}`, 1, 41, nil, "not valid"},
		{"version float", `{"format":"mapvault-keyvault","version":1.5}`, 1, 41, nil, "whole number"},
		{"newer version", `{"format":"mapvault-keyvault","version":3}`, 1, 41, ErrNewerKeyVault, "version 3 is newer"},
		{"duplicate top field", `{"format":"mapvault-keyvault","version":1,"version":1}`, 1, 43, nil, "duplicate field \"version\""},
		{"sources not object", `{"format":"mapvault-keyvault","version":1,"sources":[]}`, 1, 53, nil, "must be an object"},
		{"entry not object", head + `  "https://h/wms": true}}`, 2, 20, nil, "must be an object"},
		{"unknown method", head + `  "https://h/wms": {"method": "kerberos"}}}`, 2, 31, nil, `unknown method "kerberos"`},
		{"method not string", head + `  "https://h/wms": {"method": 1}}}`, 2, 31, nil, "must be a string"},
		{"query without param", head + `  "https://h/wms": {"method": "query"}}}`, 2, 20, nil, "needs a param"},
		{"header without param", head + `  "https://h/wms": {"method": "header"}}}`, 2, 20, nil, "needs a param"},
		{"param not token", head + `  "https://h/wms": {"method": "query", "param": "a b"}}}`, 2, 49, nil, "not a valid name"},
		{"param too long", head + `  "https://h/wms": {"method": "query", "param": "` + strings.Repeat("k", 65) + `"}}}`, 2, 49, nil, "not a valid name"},
		{"param looks secret", head + `  "https://h/wms": {"method": "header", "param": "Ar6yFw0Jj1pUtVeWm3nQbq8K"}}}`, 2, 50, nil, "looks like a secret"},
		{"basic with param", head + `  "https://h/wms": {"method": "basic", "param": "authkey"}}}`, 2, 49, nil, "takes no param"},
		{"auth_required string", head + `  "https://h/wms": {"auth_required": "yes"}}}`, 2, 38, nil, "true or false"},
		{"bad time", head + `  "https://h/wms": {"last_confirmed": "yesterday"}}}`, 2, 39, nil, "not an RFC 3339 time"},
		{"duplicate entry field", head + `  "https://h/wms": {"method": "none", "method": "none"}}}`, 2, 39, nil, "duplicate field"},
		{"userinfo key", head + `  "https://ann:hunter2@h/wms": {}}}`, 2, 3, nil, "user information"},
		{"query key", head + `  "https://h/wms?authkey=s3cr3tvalue": {}}}`, 2, 3, nil, "query or fragment"},
		{"fragment key", head + `  "https://h/wms#x": {}}}`, 2, 3, nil, "query or fragment"},
		{"not http", head + `  "ftp://h/wms": {}}}`, 2, 3, nil, "not an http(s) URL"},
		{"duplicate source", head + `  "https://h/wms": {},` + "\n" + `  "https://H:443/wms": {}}}`, 3, 3, nil, "duplicate source"},
		{"position counts characters", head + `  "https://h/wms": {"method": "ünknöwn"}}}`, 2, 31, nil, "unknown method"},
		{"line after multibyte", "{\"x\": \"ü\", \"format\": \"other\", \"version\": 1}", 1, 22, ErrNotKeyVault, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyVault("kv.json", []byte(tt.in))
			var se *project.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseKeyVault error = %v, want *project.SyntaxError", err)
			}
			if se.File != "kv.json" || se.Line != tt.line || se.Column != tt.col {
				t.Errorf("position = %s:%d:%d, want kv.json:%d:%d (%v)", se.File, se.Line, se.Column, tt.line, tt.col, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.msg)
			}
			for _, secret := range []string{"hunter2", "s3cr3tvalue", "Ar6yFw0Jj1pUtVeWm3nQbq8K"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats a secret", err)
				}
			}
		})
	}
}

func kvTestVault() *KeyVault {
	kv := NewKeyVault()
	confirmed := time.Date(2026, 11, 20, 9, 15, 0, 999, time.FixedZone("CET", 3600))
	kv.Set("https://maps.example.org:443/wms", Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey", LastConfirmed: confirmed})
	kv.Set("https://basic.example.org:443/geoserver/wms", Entry{AuthRequired: true, Method: MethodBasic, LastConfirmed: confirmed})
	kv.Set("https://h.example.org:443/ows", Entry{AuthRequired: true, Method: MethodHeader, Param: "Authorization"})
	kv.Set("http://open.example.org:80/wms", Entry{})
	kv.Set("https://q.example.org:443/a%20b", Entry{AuthRequired: true, Method: MethodQuery, Param: "subscription-key"})
	return kv
}

func TestKeyVaultMarshalGolden(t *testing.T) {
	tests := []struct {
		name string
		kv   *KeyVault
	}{
		{"empty", NewKeyVault()},
		{"example", kvTestVault()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.kv.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			golden := filepath.Join("testdata", "keyvault", tt.name+".golden.json")
			if updateGolden() {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal() =\n%s\nwant (%s)\n%s", got, golden, want)
			}
			// Round trip: parse back to the same entries, marshal to the same bytes.
			kv2, err := ParseKeyVault(golden, got)
			if err != nil {
				t.Fatalf("ParseKeyVault(Marshal()): %v", err)
			}
			for _, src := range tt.kv.Sources() {
				a, _ := tt.kv.Get(src)
				b, ok := kv2.Get(src)
				if !ok || a != b {
					t.Errorf("after round trip Get(%s) = %+v, %v, want %+v", src, b, ok, a)
				}
			}
			again, err := kv2.Marshal()
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("Marshal(Parse(Marshal())) = %s, %v; want identical bytes", again, err)
			}
		})
	}
}

func TestKeyVaultMarshalRefusesInvalid(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		e    Entry
	}{
		{"unknown method", "https://h:443/", Entry{Method: "kerberos"}},
		{"query no param", "https://h:443/", Entry{Method: MethodQuery}},
		{"bad param", "https://h:443/", Entry{Method: MethodHeader, Param: "X Key"}},
		{"secret as param", "https://h:443/", Entry{Method: MethodQuery, Param: "aB3dEfGh1234iJkLmN5678"}},
		{"none with param", "https://h:443/", Entry{Param: "key"}},
		{"not canonical", "https://H/", Entry{}},
		{"userinfo", "https://ann:hunter2@h:443/", Entry{}},
		{"query", "https://h:443/?token=hunter2", Entry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := NewKeyVault()
			kv.Set(tt.src, tt.e)
			data, err := kv.Marshal()
			if !errors.Is(err, ErrInvalidEntry) {
				t.Fatalf("Marshal() = %q, %v, want ErrInvalidEntry", data, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q repeats a secret", err)
			}
		})
	}
}

func TestKeyVaultSetGetDelete(t *testing.T) {
	kv := NewKeyVault()
	src := Source("https://h:443/wms")
	if _, ok := kv.Get(src); ok {
		t.Fatal("Get on an empty vault found an entry")
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 7200))
	kv.Set(src, Entry{AuthRequired: true, Method: MethodBasic, LastConfirmed: when})
	got, ok := kv.Get(src)
	want := Entry{AuthRequired: true, Method: MethodBasic, LastConfirmed: time.Date(2026, 1, 2, 1, 4, 5, 0, time.UTC)}
	if !ok || got != want {
		t.Errorf("Get = %+v, %v, want %+v, true", got, ok, want)
	}
	kv.Set(src, Entry{AuthRequired: true})
	if got, _ := kv.Get(src); got.Method != MethodNone {
		t.Errorf("Get after Set without method: Method = %q, want %q", got.Method, MethodNone)
	}
	kv.Delete(src)
	if _, ok := kv.Get(src); ok {
		t.Error("Get after Delete found an entry")
	}
	var zero KeyVault // the zero value is usable
	zero.Set(src, Entry{})
	if got := zero.Sources(); len(got) != 1 || got[0] != src {
		t.Errorf("zero KeyVault Sources() = %v, want [%s]", got, src)
	}
}

func TestKeyVaultSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := SidecarPath(filepath.Join(dir, "flood.mapvault.json"))
	kv, err := LoadKeyVault(path)
	if err != nil || len(kv.Sources()) != 0 {
		t.Fatalf("LoadKeyVault(missing) = %v, %v, want an empty vault", kv.Sources(), err)
	}
	want := kvTestVault()
	if err := want.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("saved mode = %v, want 0600", got)
	}
	got, err := LoadKeyVault(path)
	if err != nil {
		t.Fatalf("LoadKeyVault: %v", err)
	}
	if g, w := got.Sources(), want.Sources(); strings.Join(srcStrings(g), ",") != strings.Join(srcStrings(w), ",") {
		t.Errorf("loaded sources = %v, want %v", g, w)
	}
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	var se *project.SyntaxError
	if _, err := LoadKeyVault(path); !errors.As(err, &se) || se.File != path {
		t.Errorf("LoadKeyVault(broken) = %v, want *project.SyntaxError naming %s", err, path)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files after Save, want 1 (no temp files)", len(entries))
	}
}

func srcStrings(s []Source) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

func TestKeyVaultConcurrent(t *testing.T) {
	kv := NewKeyVault()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := Source("https://h:443/" + string(rune('a'+i)))
			for range 50 {
				kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "key"})
				kv.Get(src)
				if _, err := kv.Marshal(); err != nil {
					t.Error(err)
					return
				}
				kv.Sources()
			}
		}()
	}
	wg.Wait()
	if got := len(kv.Sources()); got != 8 {
		t.Errorf("len(Sources()) = %d, want 8", got)
	}
}

// TestKeyVaultDocExample keeps docs/keyvault-format.md honest: its JSON
// example must parse, and its Marshal output must scan clean.
func TestKeyVaultDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "keyvault-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("docs/keyvault-format.md has no ```json example")
	}
	kv, err := ParseKeyVault("keyvault-format.md", blocks[0][1])
	if err != nil {
		t.Fatalf("doc example: %v", err)
	}
	if len(kv.Sources()) < 3 {
		t.Errorf("doc example has %d sources, want at least 3", len(kv.Sources()))
	}
}

// TestKeyVaultV1ToV2: a version-1 file loads and is written back as
// version 2 with the same entries.
func TestKeyVaultV1ToV2(t *testing.T) {
	v1 := `{"format":"mapvault-keyvault","version":1,"sources":{"https://h/wms":{"auth_required":true,"method":"query","param":"authkey"}}}`
	kv, err := ParseKeyVault("v1.json", []byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	out, err := kv.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"version": 2`) {
		t.Errorf("re-saved v1 file is not version 2:\n%s", out)
	}
	kv2, err := ParseKeyVault("v2.json", out)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := kv.Sources(), kv2.Sources(); len(a) != 1 || len(b) != 1 {
		t.Fatalf("sources %v -> %v", a, b)
	}
	e1, _ := kv.Get("https://h:443/wms")
	e2, _ := kv2.Get("https://h:443/wms")
	if e1 != e2 || e2.Method != MethodQuery || e2.Param != "authkey" {
		t.Errorf("entry %+v became %+v", e1, e2)
	}
}

// TestKeyVaultSchemeFields: each scheme takes its own fields and refuses
// the others.
func TestKeyVaultSchemeFields(t *testing.T) {
	tests := []struct {
		e    Entry
		want string // "" valid, else a part of the error
	}{
		{Entry{Method: MethodDigest}, ""},
		{Entry{Method: MethodDigest, Param: "x"}, "takes no param"},
		{Entry{Method: MethodBasic, Issuer: "https://i"}, "takes no issuer"},
		{Entry{Method: MethodQuery}, "needs a param"},
		{Entry{Method: MethodHeader, Param: "X-Key"}, ""},
		{Entry{Method: MethodNone, SignIn: true}, ""},
	}
	for _, tt := range tests {
		kv := NewKeyVault()
		kv.Set("https://h:443/wms", tt.e)
		_, err := kv.Marshal()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Marshal(%+v) = %v, want valid", tt.e, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Marshal(%+v) = %v, want an error with %q", tt.e, err, tt.want)
		}
	}
}

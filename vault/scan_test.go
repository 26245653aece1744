package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// cleanProject is a project with the innocent-but-long values real projects
// carry: paths, layer lists, CRS codes, times, a KeyVault-like param name.
const cleanProject = `{
  "format": "mapvault-project",
  "version": 1,
  "title": "Flood risk, Zeeland",
  "view": {"center": {"lon": 3.9, "lat": 51.5}, "zoom": 9, "crs": "EPSG:3857"},
  "layers": [
    {"id": "roads", "name": "Roads", "kind": "wms",
     "source": "https://maps.example.org/cgi-bin/mapserv?map=/srv/maps/very/long/path/roads.map&SERVICE=WMS",
     "wms_layers": ["ne:ne_10m_admin_0_countries", "RoadNetworkPrimaryHighways2020"],
     "styles": ["", ""], "format": "image/png; mode=8bit", "wms_version": "1.3.0",
     "opacity": 1, "visible": true, "group": "Base",
     "time": "2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/P1D",
     "bbox": "-180.0,-90.0,180.0,90.0", "crs": "urn:ogc:def:crs:EPSG::4326",
     "token_url": "https://auth.example.org/oauth/token", "password": "",
     "note": "Ünïcödé-Lâyér-Nàme-Wïth-Àccents"}
  ]
}
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScanFileClean(t *testing.T) {
	files := map[string]string{"inline.mapvault.json": cleanProject}
	if data, err := os.ReadFile(filepath.Join("..", "project", "testdata", "example.mapvault.json")); err == nil {
		files["example.mapvault.json"] = string(data)
	} else {
		t.Logf("project example not available: %v", err)
	}
	kv, err := kvTestVault().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	files["example.keyvault.json"] = string(kv)
	files["notes.txt"] = "Layers come from https://maps.example.org/wms?SERVICE=WMS\nBBOX -180,-90,180,90\n"
	for name, content := range files {
		leaks, err := ScanFile(writeTemp(t, name, content))
		if err != nil {
			t.Fatalf("ScanFile(%s): %v", name, err)
		}
		if len(leaks) != 0 {
			t.Errorf("ScanFile(%s) = %v, want no leaks", name, leaks)
		}
	}
}

func TestScanFileLeaks(t *testing.T) {
	// want.at is the text the leak must point at (its first occurrence).
	type want struct{ at, what string }
	tests := []struct {
		name    string
		in      string
		secrets []string // must not appear in any What
		want    []want
	}{
		{"userinfo", "{\n  \"source\": \"https://ann:hunter22@maps.example.org/wms\"\n}",
			[]string{"hunter22"}, []want{{"ann:", "URL has user information"}}},
		{"key param", "{\"layers\": [\n {\"source\": \"https://h.example.org/wms?SERVICE=WMS&authkey=kk11kk22&x=1\"}]}",
			[]string{"kk11kk22"}, []want{{"kk11kk22", `query parameter "authkey" has a value`}}},
		{"key param upper case", `{"s": "https://h/wms?TOKEN=abcd"}`,
			[]string{"abcd"}, []want{{"abcd", `query parameter "TOKEN" has a value`}}},
		{"unknown param secret value", `{"s": "https://h/wms?x=Zq7xW2pL9mK4vB8nC3tR6yH1"}`,
			[]string{"Zq7xW2pL9mK4vB8nC3tR6yH1"}, []want{{"Zq7x", `query parameter "x" value looks like a secret (24 random-looking characters)`}}},
		{"path segment", `{"s": "https://h/tiles/Zq7xW2pL9mK4vB8nC3tR6yH1/{z}.png"}`,
			[]string{"Zq7xW2pL9mK4vB8nC3tR6yH1"}, []want{{"Zq7x", "URL path segment looks like a secret (24 random-looking characters)"}}},
		{"fragment token", `{"s": "https://h/wms?a=1#access_token=abcd"}`,
			[]string{"abcd"}, []want{{"abcd", `query parameter "access_token" has a value`}}},
		{"fragment without query", `{"s": "https://h/wms#token=abcd"}`,
			[]string{"abcd"}, []want{{"abcd", `query parameter "token" has a value`}}},
		{"plain secret value", "{\n\t\"extra\": \"3f2a9c1e7b5d4e8fa1b2c3d4e5f60718\"\n}",
			[]string{"3f2a9c1e7b5d4e8fa1b2c3d4e5f60718"}, []want{{"3f2a", "value looks like a secret (32 random-looking characters)"}}},
		{"secret field", "{\"layers\": [{\"id\": \"a\",\n  \"db_password\": \"pw\", \"client_secret\": \"x\", \"apiKey\": \"k\"}]}",
			[]string{`"pw"`}, []want{{`pw"`, `field "db_password" has a value`}, {`x"`, `field "client_secret" has a value`}, {`k"}`, `field "apiKey" has a value`}}},
		{"secret in key position", `{"sources": {"https://ann:pw22@h:443/wms": {}}}`,
			[]string{"pw22"}, []want{{"ann:", "URL has user information"}}},
		{"escaped string points at quote", `{"s": "https:\/\/h\/wms?token=abcd"}`,
			[]string{"abcd"}, []want{{`"https`, `query parameter "token" has a value`}}},
		{"column counts characters", `{"ü": "ü", "s": "https://h/wms?token=abcd"}`,
			[]string{"abcd"}, []want{{"abcd", `query parameter "token" has a value`}}},
		{"several in one URL", `{"s": "https://a:b@h/wms?tk=1234&key=5678"}`,
			[]string{"1234", "5678"}, []want{{"a:b@", "URL has user information"}, {"1234", `query parameter "tk"`}, {"5678", `query parameter "key"`}}},
		{"url in free text", `{"note": "ask ann, or use https://h/wms?token=abcd for now"}`,
			[]string{"abcd"}, []want{{"abcd", `query parameter "token" has a value`}}},
		{"broken json still scanned", "{\"s\": \"https://h/wms?token=abcd\n", []string{"abcd"},
			[]want{{"abcd", `query parameter "token" has a value`}}},
		{"secret-looking param name hidden", `{"s": "https://h/wms?Zq7xW2pL9mK4vB8nC3tR6yH1=1&apikey=abcd"}`,
			[]string{"Zq7xW2pL9mK4vB8nC3tR6yH1", "abcd"}, []want{{"abcd", `query parameter "apikey" has a value`}}},
		{"text file", "# notes\nserver: https://ann:pw22@h/wms\nkey Zq7xW2pL9mK4vB8nC3tR6yH1 here\n",
			[]string{"pw22", "Zq7xW2pL9mK4vB8nC3tR6yH1"}, []want{{"ann:", "URL has user information"}, {"Zq7x", "value looks like a secret"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "p.json", tt.in)
			got, err := ScanFile(path)
			if err != nil {
				t.Fatalf("ScanFile: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ScanFile = %v, want %d leaks %v", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				line, col := textPosition(t, tt.in, w.at)
				g := got[i]
				if g.File != path || g.Line != line || g.Column != col || !strings.Contains(g.What, w.what) {
					t.Errorf("leak %d = %d:%d %q, want %d:%d (at %q) containing %q", i, g.Line, g.Column, g.What, line, col, w.at, w.what)
				}
				for _, s := range tt.secrets {
					// The file path is the test's temp dir, whose random
					// digits may contain a short test secret: check the rest.
					if strings.Contains(g.What, s) || strings.Contains(strings.TrimPrefix(g.String(), g.File), s) {
						t.Errorf("leak %d %q contains the secret %q", i, g, s)
					}
				}
			}
		})
	}
}

// textPosition is the 1-based line and character column of the first
// occurrence of at in s.
func textPosition(t *testing.T, s, at string) (line, col int) {
	t.Helper()
	i := strings.Index(s, at)
	if i < 0 {
		t.Fatalf("%q not in the test input", at)
	}
	lines := strings.Split(s[:i], "\n")
	return len(lines), utf8.RuneCountInString(lines[len(lines)-1]) + 1
}

func TestScanProject(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "flood.mapvault.json")
	if err := os.WriteFile(proj, []byte(cleanProject), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanProject(proj)
	if err != nil || len(leaks) != 0 {
		t.Fatalf("ScanProject(clean, no sidecar) = %v, %v, want no leaks", leaks, err)
	}
	if err := kvTestVault().Save(SidecarPath(proj)); err != nil {
		t.Fatal(err)
	}
	if leaks, err := ScanProject(proj); err != nil || len(leaks) != 0 {
		t.Fatalf("ScanProject(clean, Marshal'd sidecar) = %v, %v, want no leaks", leaks, err)
	}
	// A hand-edited sidecar with a password in it is found.
	side := SidecarPath(proj)
	edited := strings.Replace(cleanProject[:0]+mustRead(t, side), `"method": "basic"`, `"method": "basic", "password": "hunter22"`, 1)
	if err := os.WriteFile(side, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err = ScanProject(proj)
	if err != nil || len(leaks) != 1 || leaks[0].File != side || !strings.Contains(leaks[0].What, `"password"`) {
		t.Fatalf("ScanProject(edited sidecar) = %v, %v, want one password leak in %s", leaks, err, side)
	}
	if _, err := ScanProject(filepath.Join(dir, "missing.mapvault.json")); err == nil {
		t.Error("ScanProject(missing project) = nil error, want an error")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestScanSecretField(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "db_password": true, "Client-Secret": true, "access_token": true, "api_key": true,
		"apiKey": true, "pwd": true, "credentials": true, "authkey": true,
		"token_url": false, "key": false, "code": false, "param": false, "method": false, "auth_required": false, "source": false,
	} {
		if got := scanSecretField(name); got != want {
			t.Errorf("scanSecretField(%q) = %v, want %v", name, got, want)
		}
	}
}

func ExampleLeak_String() {
	fmt.Println(Leak{File: "flood.mapvault.json", Line: 12, Column: 40, What: `query parameter "token" has a value`})
	// Output: flood.mapvault.json:12:40: query parameter "token" has a value
}

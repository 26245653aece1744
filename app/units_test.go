package app

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/layers"
	"mapvault/vault"
)

func TestErrorReason(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason string
	}{
		{"no credentials", fmt.Errorf("wrapped: %w", &vault.AuthError{Reason: vault.ReasonNeedsCredentials}), "needs credentials"},
		{"rejected", &vault.AuthError{Reason: vault.ReasonRejected}, "credentials rejected"},
		{"500", &layers.HTTPError{Status: 500}, "server error: HTTP 500"},
		{"exception", &layers.ServiceException{Code: "LayerNotDefined", Message: "no such layer"}, ""},
		{"refused", &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, "server unreachable"},
		{"deadline", context.DeadlineExceeded, "server unreachable"},
		{"other", errors.New("layers: the service no longer offers layer \"x\""), "the service no longer offers layer \"x\""},
	}
	for _, tt := range tests {
		reason := errorReason(tt.err)
		if tt.reason != "" && reason != tt.reason {
			t.Errorf("%s: errorReason = %q, want %q", tt.name, reason, tt.reason)
		}
		if tt.name == "exception" && !strings.Contains(reason, "no such layer") {
			t.Errorf("exception reason = %q, want the server's text", reason)
		}
	}
}

func TestCapabilitiesURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/wms", "http://h/wms?REQUEST=GetCapabilities&SERVICE=WMS"},
		{"http://h/wms?map=/a.map&request=GetMap&Version=1.1.1", "http://h/wms?REQUEST=GetCapabilities&SERVICE=WMS&map=%2Fa.map"},
	}
	for _, tt := range tests {
		if got := capabilitiesURL(tt.in); got != tt.want {
			t.Errorf("capabilitiesURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSecretReport(t *testing.T) {
	tests := []struct {
		leaks []vault.Leak
		dirty bool
		want  string
	}{
		{nil, false, "No secrets found in p.mapvault.json and its KeyVault."},
		{[]vault.Leak{{File: "/x/p.mapvault.json", Line: 3, Column: 7, What: `query parameter "token" has a value`}}, true,
			"1 possible secret(s) found:\np.mapvault.json:3:7: query parameter \"token\" has a value\n\n(Checked the saved version; unsaved changes are not included.)"},
	}
	for _, tt := range tests {
		if got := secretReport("/x/p.mapvault.json", tt.leaks, tt.dirty); got != tt.want {
			t.Errorf("secretReport(%v) = %q, want %q", tt.leaks, got, tt.want)
		}
	}
}

func TestDemoSourceAndHint(t *testing.T) {
	tests := []struct {
		src      string
		demo     bool
		hintHave string
	}{
		{"http://127.0.0.1:47815/basic/wms", true, "demo-password"},
		{"http://127.0.0.1:5555/key/wms", true, "demo-key-2f9c41"},
		{"http://localhost:80/public/wms", true, ""},
		{"https://maps.example.org:443/basic/wms", false, "parameter name"},
		{"http://127.0.0.1:47815/other/wms", false, "parameter name"},
	}
	for _, tt := range tests {
		src := vault.Source(tt.src)
		if got := isDemoSource(src); got != tt.demo {
			t.Errorf("isDemoSource(%s) = %v, want %v", tt.src, got, tt.demo)
		}
		if h := credentialHint(src); !strings.Contains(h, tt.hintHave) {
			t.Errorf("credentialHint(%s) = %q, want it to mention %q", tt.src, h, tt.hintHave)
		}
	}
}

// TestNoDriverImport guards the rule that package app never imports the
// Fyne driver (only cmd/mapvault does), so it tests without cgo or GL.
func TestNoDriverImport(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if p == "fyne.io/fyne/v2/app" || strings.Contains(p, "/internal/driver") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

func TestNoDisplay(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		goos string
		env  map[string]string
		want bool
	}{
		{"linux", nil, true},
		{"linux", map[string]string{"DISPLAY": ":0"}, false},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false},
		{"freebsd", nil, true},
		{"darwin", nil, false},
		{"windows", nil, false},
	}
	for _, tt := range tests {
		if got := NoDisplay(tt.goos, env(tt.env)); got != tt.want {
			t.Errorf("NoDisplay(%s, %v) = %v, want %v", tt.goos, tt.env, got, tt.want)
		}
	}
}

package layers

import (
	"context"
	"encoding/base64"
	"html"
	"image/color"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mapvault/vault"
)

// hostileKey is the session's access key in the hostile tests; percent-
// encoding changes it.
const hostileKey = "Hst1le+K3y/LAYERS=0a9b8c7d"

// hostileEcho is what a hostile server writes back: the key raw, percent-
// encoded, base64, upper-cased, in a URL, with a C1 control (U+009B).
func hostileEcho() string {
	return "invalid authkey '" + hostileKey + "' " + url.QueryEscape(hostileKey) + " " +
		base64.StdEncoding.EncodeToString([]byte(hostileKey)) + " " + strings.ToUpper(hostileKey) +
		" see http://h.example/wms?mykey=" + url.QueryEscape(hostileKey) + " \u009b2J"
}

// noLeak fails when s holds the key in any form, or a control character.
func noLeak(t *testing.T, what, s string) {
	t.Helper()
	low := strings.ToLower(s)
	for _, f := range []string{hostileKey, url.QueryEscape(hostileKey), base64.StdEncoding.EncodeToString([]byte(hostileKey)), "hst1le", "0a9b8c7d"} {
		if strings.Contains(low, strings.ToLower(f)) {
			t.Errorf("%s = %q, holds the key as %q", what, s, f)
		}
	}
	for _, r := range s {
		if r < ' ' || r >= 0x7f && r <= 0x9f {
			t.Errorf("%s = %q, holds the control %U", what, s, r)
		}
	}
}

// hostileClient is the authenticating client of a session that holds
// hostileKey for src, sent as ?authkey=.
func hostileClient(t *testing.T, rawURL string) *http.Client {
	t.Helper()
	src, err := vault.SourceOf(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	store := vault.NewStore()
	store.Set(src, vault.Credential{Key: hostileKey})
	// Confirmed (as after reading the capabilities): a later error
	// document is the layer's error, not a rejection of the key.
	store.MarkVerified(src)
	kv := vault.NewKeyVault()
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"})
	return vault.NewClient(store, kv, vault.TransportOptions{})
}

// TestHostileTileReasons: a GetMap answer that echoes the key (an exception,
// a Content-Type header) gives a Reason without it.
func TestHostileTileReasons(t *testing.T) {
	tests := []struct {
		name  string
		ctype string
		body  string
	}{
		{"exception", "application/vnd.ogc.se_xml", `<ServiceExceptionReport><ServiceException>` + html.EscapeString(hostileEcho()) + `</ServiceException></ServiceExceptionReport>`},
		{"content type", "text/plain; key=" + hostileKey + "; b64=" + base64.StdEncoding.EncodeToString([]byte(hostileKey)), "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
			f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header()["Content-Type"] = []string{tt.ctype}
				w.Write([]byte(tt.body))
				return true
			})
			e := NewEngine(hostileClient(t, f.srv.URL+"/wms"), Options{})
			states := e.Fetch(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, nil)
			s := states["A"]
			if s.Kind != StateError || s.Reason == "" {
				t.Fatalf("state = %v, want an error with a reason", s)
			}
			noLeak(t, "Reason", s.Reason)
		})
	}
}

package session

import (
	"context"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"mapvault/layers"
	"mapvault/layers/wms"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// echoPassword is testPassword as a hostile server echoes it: raw,
// upper-cased, percent-encoded, in a Basic header's base64, with a C1
// control (U+009B) after it.
func echoPassword() string {
	return "bad password " + testPassword + " " + strings.ToUpper(testPassword) + " " +
		url.QueryEscape(testPassword+"!") + " " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword)) + " \u009b2J"
}

func assertScrubbed(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(strings.ToLower(s), "correct-horse") || strings.Contains(s, base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))[:12]) {
		t.Errorf("%s = %q, holds the password", what, s)
	}
	if strings.ContainsRune(s, 0x9b) {
		t.Errorf("%s = %q, holds a C1 control", what, s)
	}
}

// TestScrubServerText: what the app shows of a server's words (a layer's
// Reason, an error, text through Workspace.Scrub) holds none of the
// session's secrets.
func TestScrubServerText(t *testing.T) {
	var caps atomic.Int32
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("REQUEST") == "GetCapabilities" {
			if caps.Add(1) > 1 {
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte("<html><title>" + html.EscapeString(echoPassword()) + "</title></html>"))
				return
			}
			vaulttest.Body(http.StatusOK, "text/xml", []byte(capsXML)).ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.ogc.se_xml")
		w.Write([]byte("<ServiceExceptionReport><ServiceException>" + html.EscapeString(echoPassword()) + "</ServiceException></ServiceExceptionReport>"))
	})
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Basic: true, User: testUser, Password: testPassword}, ok, nil)
	ws := New(nil, Options{})
	p, l := testProject(srv.URL)
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetCredential(src, vault.Credential{Username: testUser, Password: testPassword})

	ctx := context.Background()
	spec, err := ws.Spec(ctx, p, l)
	if err != nil {
		t.Fatalf("Spec: %v", err)
	}
	states := ws.Engine().Fetch(ctx, layers.View{CenterLon: 4, CenterLat: 52, Zoom: 6, Width: 256, Height: 256}, []layers.LayerSpec{spec}, nil)
	st := states[spec.ID]
	if st.Kind != layers.StateError {
		t.Fatalf("state = %v, want an error", st)
	}
	assertScrubbed(t, "Reason", st.Reason)

	ws.Catalog().Forget(src)
	if _, err := wms.FetchCapabilities(ctx, ws.Client(), l.Source); err == nil {
		t.Fatal("Capabilities = nil error, want the HTML page's")
	} else {
		assertScrubbed(t, "capabilities error", err.Error())
	}

	assertScrubbed(t, "Workspace.Scrub", ws.Scrub("server said: "+echoPassword()))
	if got := ws.Scrub("layer roads not found"); got != "layer roads not found" {
		t.Errorf("Scrub(plain) = %q, want it unchanged", got)
	}
	found := false
	for _, s := range ws.Secrets() {
		found = found || s == testPassword
	}
	if !found {
		t.Errorf("Secrets() lacks the session's password")
	}
}

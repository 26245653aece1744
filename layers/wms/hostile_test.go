package wms

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mapvault/layers"
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

// TestHostileCapabilitiesErrors: what a server sends back in a
// ServiceException or an HTML title reaches FetchCapabilities'
// error scrubbed of the session's key.
func TestHostileCapabilitiesErrors(t *testing.T) {
	exception := `<ServiceExceptionReport><ServiceException code="Bad ` + html.EscapeString(hostileKey) + `">` + html.EscapeString(hostileEcho()) + `</ServiceException></ServiceExceptionReport>`
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
	}{
		{"exception", 200, "application/vnd.ogc.se_xml", exception},
		{"exception in a 400", 400, "text/xml", exception},
		{"HTML title", 200, "text/html", "<html><head><title>Sign in " + hostileEcho() + " \x1b[2J &#72;st1le</title></head></html>"},
		{"HTML title with references", 200, "text/html", "<html><title>" + strings.NewReplacer("+", "&#43;", "/", "&#x2f;").Replace(hostileKey) + "</title></html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := FetchCapabilities(context.Background(), hostileClient(t, srv.URL+"/wms"), srv.URL+"/wms")
			if err == nil {
				t.Fatal("FetchCapabilities = nil error, want one")
			}
			noLeak(t, "error", err.Error())
			var se *layers.ServiceException
			if errors.As(err, &se) {
				noLeak(t, "ServiceException.Code", se.Code)
				noLeak(t, "ServiceException.Message", se.Message)
			}
		})
	}
}

// TestReportJSONRedactsURLs: an OnlineResource that carries ?authkey=
// (GeoServer AuthKey, QGIS Server) is shown redacted; titles are scrubbed
// of the session's secrets; names stay as the server wrote them.
func TestReportJSONRedactsURLs(t *testing.T) {
	doc := fmt.Sprintf(`<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Service %s</Title></Service>
<Capability><Request><GetMap><Format>image/png</Format><DCPType><HTTP><Get>
<OnlineResource xlink:href="https://h.example/geoserver/wms?authkey=%s&amp;"/></Get></HTTP></DCPType></GetMap></Request>
<Layer><Title>root</Title><CRS>EPSG:4326</CRS>
<Layer><Name>3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c</Name><Title>Roads %s</Title></Layer></Layer></Capability></WMS_Capabilities>`,
		html.EscapeString(hostileEcho()), url.QueryEscape(hostileKey), html.EscapeString(hostileEcho()))
	caps, err := ParseCapabilities(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := caps.ReportJSON(hostileKey)
	if err != nil {
		t.Fatal(err)
	}
	noLeak(t, "ReportJSON", strings.ReplaceAll(string(out), "\n", " "))
	for _, want := range []string{`"getmap_url": "https://h.example/geoserver/wms?authkey=REDACTED&"`, `"name": "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ReportJSON() =\n%s\nwant it to hold %s", out, want)
		}
	}
	// Without the session's secrets, URLs are still redacted.
	plain, err := caps.ReportJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"getmap_url": "https://h.example/geoserver/wms?authkey=REDACTED&"`; !strings.Contains(string(plain), want) {
		t.Errorf("ReportJSON() without secrets =\n%s\nwant it to hold %s", plain, want)
	}
}

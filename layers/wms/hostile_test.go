package wms

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mapvault/layers"
	"mapvault/layers/internal/leaktest"
)

// TestHostileCapabilitiesErrors: what a server sends back in a
// ServiceException or an HTML title reaches FetchCapabilities'
// error scrubbed of the session's key.
func TestHostileCapabilitiesErrors(t *testing.T) {
	exception := `<ServiceExceptionReport><ServiceException code="Bad ` + html.EscapeString(leaktest.Key) + `">` + html.EscapeString(leaktest.Echo()) + `</ServiceException></ServiceExceptionReport>`
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
	}{
		{"exception", 200, "application/vnd.ogc.se_xml", exception},
		{"exception in a 400", 400, "text/xml", exception},
		{"HTML title", 200, "text/html", "<html><head><title>Sign in " + leaktest.Echo() + " \x1b[2J &#72;st1le</title></head></html>"},
		{"HTML title with references", 200, "text/html", "<html><title>" + strings.NewReplacer("+", "&#43;", "/", "&#x2f;").Replace(leaktest.Key) + "</title></html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := FetchCapabilities(context.Background(), leaktest.Client(t, srv.URL+"/wms"), srv.URL+"/wms")
			if err == nil {
				t.Fatal("FetchCapabilities = nil error, want one")
			}
			leaktest.NoLeak(t, "error", err.Error())
			var se *layers.ServiceException
			if errors.As(err, &se) {
				leaktest.NoLeak(t, "ServiceException.Code", se.Code)
				leaktest.NoLeak(t, "ServiceException.Message", se.Message)
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
		html.EscapeString(leaktest.Echo()), url.QueryEscape(leaktest.Key), html.EscapeString(leaktest.Echo()))
	caps, err := ParseCapabilities(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := caps.ReportJSON(leaktest.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaktest.NoLeak(t, "ReportJSON", strings.ReplaceAll(string(out), "\n", " "))
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

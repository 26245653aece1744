package vault

import (
	"net/http"
	"strings"
	"testing"

	"mapvault/vault/vaulttest"
)

type classifyCase struct {
	name    string
	status  int
	ctype   string
	body    string
	expect  string
	want    Verdict
	wantSub string // in the reason
}

func classifyCases() []classifyCase {
	png := string(vaulttest.PNGBytes())
	se := vaulttest.ServiceExceptionXML("InvalidKey")
	return []classifyCase{
		{"png", 200, "image/png", png, ExpectImage, VerdictAccepted, "image"},
		{"png with params", 200, "image/png; mode=8bit", png, ExpectImage, VerdictAccepted, "image"},
		{"png labelled octet-stream", 200, "application/octet-stream", png, ExpectImage, VerdictAccepted, "image"},
		{"png without type", 200, "", png, ExpectImage, VerdictAccepted, "image"},
		{"tiff not sniffable", 200, "image/tiff", "II*\x00\x08\x00\x00\x00", ExpectImage, VerdictAccepted, "image"},
		{"capabilities 1.3", 200, "text/xml", vaulttest.CapabilitiesXML, ExpectXML, VerdictAccepted, "capabilities"},
		{"capabilities 1.1 ogc type", 200, "application/vnd.ogc.wms_xml", `<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE WMT_MS_Capabilities SYSTEM "x.dtd"><WMT_MS_Capabilities version="1.1.1"/>`, ExpectXML, VerdictAccepted, "capabilities"},
		{"capabilities with BOM", 200, "application/xml", "\xef\xbb\xbf" + vaulttest.CapabilitiesXML, ExpectXML, VerdictAccepted, "capabilities"},
		{"401", 401, "text/plain", "no", ExpectImage, VerdictRejected, "401"},
		{"403", 403, "text/html", "<html>", ExpectImage, VerdictRejected, "403"},
		{"498", 498, "application/json", `{"error":{"code":498}}`, ExpectImage, VerdictRejected, "498"},
		{"service exception as png", 200, "image/png", se, ExpectImage, VerdictRejected, "service exception"},
		{"service exception as se_xml", 200, "application/vnd.ogc.se_xml", se, ExpectImage, VerdictRejected, "service exception"},
		{"service exception for caps", 200, "text/xml", se, ExpectXML, VerdictRejected, "service exception"},
		{"ows exception", 200, "text/xml", vaulttest.OWSExceptionXML, ExpectXML, VerdictRejected, "service exception"},
		{"ows exception as png", 200, "image/png", vaulttest.OWSExceptionXML, ExpectImage, VerdictRejected, "service exception"},
		{"login page", 200, "text/html; charset=utf-8", vaulttest.LoginHTML, ExpectImage, VerdictRejected, "HTML"},
		{"login page as image/png", 200, "image/png", vaulttest.LoginHTML, ExpectImage, VerdictRejected, "HTML"},
		{"login page for caps", 200, "text/html", vaulttest.LoginHTML, ExpectXML, VerdictRejected, "HTML"},
		{"plain text", 200, "text/plain", "hello there", ExpectImage, VerdictRejected, "expected an image"},
		{"json for caps", 200, "application/json", `{"a":1}`, ExpectXML, VerdictRejected, "expected capabilities"},
		{"other xml root", 200, "text/xml", `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"/>`, ExpectXML, VerdictRejected, "another XML document"},
		{"wmts capabilities", 200, "text/xml", `<Capabilities xmlns="http://www.opengis.net/wmts/1.0" version="1.0.0"/>`, ExpectXML, VerdictAccepted, "with capabilities"},
		{"image for caps", 200, "image/png", png, ExpectXML, VerdictRejected, "expected capabilities"},
		{"wfs capabilities", 200, "text/xml; subtype=gml/3.2", `<?xml version="1.0"?><wfs:WFS_Capabilities xmlns:wfs="http://www.opengis.net/wfs/2.0" version="2.0.0"/>`, ExpectXML, VerdictAccepted, "capabilities"},
		{"broken xml", 200, "text/xml", `<<<`, ExpectXML, VerdictRejected, "unreadable"},
		{"empty 200", 200, "image/png", "", ExpectImage, VerdictUndecided, "empty"},
		{"404", 404, "text/html", "<html>", ExpectImage, VerdictUndecided, "could not decide: server answered 404"},
		{"429", 429, "", "", ExpectImage, VerdictUndecided, "429"},
		{"500", 500, "text/plain", "boom", ExpectXML, VerdictUndecided, "500"},
		{"503", 503, "", "", ExpectImage, VerdictUndecided, "503"},
		{"302", 302, "", "", ExpectImage, VerdictUndecided, "redirect"},
		{"400", 400, "text/xml", se, ExpectImage, VerdictUndecided, "400"},
		{"unknown expectation", 200, "image/png", png, "geojson", VerdictUndecided, "unknown expectation"},
		{"geojson", 200, "application/geo+json", `{"type":"FeatureCollection","features":[]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"geojson as json with charset", 200, "application/json; charset=utf-8", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"error":"x"},"geometry":null}]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"geojson without type", 200, "", `{"type":"FeatureCollection","features":[]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"geojson as text/plain", 200, "text/plain", `{"type":"FeatureCollection","features":[]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"ogc api landing page", 200, "application/json", `{"title":"x","links":[{"href":"https://a.example/collections","rel":"data"}]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"json array", 200, "application/json", `[{"a":1}]`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"truncated geojson", 200, "application/geo+json", `{"type":"FeatureCollection","features":[{"type":"Feat`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"json error string", 200, "application/json", `{"error":"invalid key"}`, ExpectJSON, VerdictRejected, "JSON error"},
		{"json error object", 200, "application/json", `{"error":{"code":403,"message":"forbidden"}}`, ExpectJSON, VerdictRejected, "JSON error"},
		{"arcgis 499 in 200", 200, "text/plain", `{"error":{"code":499,"message":"Token Required"}}`, ExpectJSON, VerdictRejected, "JSON error"},
		{"json code and message", 200, "application/json", `{"code":"InvalidParameterValue","description":"bad key"}`, ExpectJSON, VerdictRejected, "JSON error"},
		{"json status 401", 200, "application/json", `{"status":401,"title":"Unauthorized"}`, ExpectJSON, VerdictRejected, "JSON error"},
		{"json error null", 200, "application/json", `{"error":null,"type":"FeatureCollection","features":[]}`, ExpectJSON, VerdictAccepted, "JSON document"},
		{"html for json", 200, "text/html", vaulttest.LoginHTML, ExpectJSON, VerdictRejected, "HTML"},
		{"html labelled json", 200, "application/json", vaulttest.LoginHTML, ExpectJSON, VerdictRejected, "HTML"},
		{"xml exception for json", 200, "application/json", vaulttest.OWSExceptionXML, ExpectJSON, VerdictRejected, "service exception"},
		{"xml for json", 200, "text/xml", `<FeatureCollection/>`, ExpectJSON, VerdictRejected, "expected a JSON document"},
		{"png for json", 200, "image/png", png, ExpectJSON, VerdictRejected, "expected a JSON document"},
		{"json labelled png", 200, "image/png", `{"type":"FeatureCollection"}`, ExpectJSON, VerdictRejected, "expected a JSON document"},
		{"401 for json", 401, "application/json", `{"error":"unauthorized"}`, ExpectJSON, VerdictRejected, "401"},
		{"404 for json", 404, "application/json", `{"code":"NotFound"}`, ExpectJSON, VerdictUndecided, "404"},
		{"empty json", 200, "application/json", "", ExpectJSON, VerdictUndecided, "empty"},
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range classifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			if tc.ctype != "" {
				resp.Header.Set("Content-Type", tc.ctype)
			}
			got, reason := Classify(resp, []byte(tc.body), tc.expect)
			if got != tc.want {
				t.Errorf("Classify(%d %s, %q) = %v (%s), want %v", tc.status, tc.ctype, tc.expect, got, reason, tc.want)
			}
			if !strings.Contains(reason, tc.wantSub) {
				t.Errorf("Classify(%d %s) reason = %q, want it to contain %q", tc.status, tc.ctype, reason, tc.wantSub)
			}
			if got == VerdictUndecided && !strings.HasPrefix(reason, "could not decide") {
				t.Errorf("undecided reason = %q, want prefix %q", reason, "could not decide")
			}
		})
	}
}

func TestClassifyNilResponse(t *testing.T) {
	got, reason := Classify(nil, nil, ExpectImage)
	if got != VerdictUndecided {
		t.Errorf("Classify(nil) = %v (%s), want %v", got, reason, VerdictUndecided)
	}
}

func TestClassifyReasonHidesServerText(t *testing.T) {
	const secret = "CANARY-7f3e9a1b-SECRET-d41d8cd9"
	bodies := []struct{ ctype, body string }{
		{"text/xml", `<Invalid` + secret + `/>`},
		{"text/plain; x=" + secret, "key " + secret + " is wrong"},
		{"application/" + secret, "key " + secret},
	}
	for _, b := range bodies {
		for _, expect := range []string{ExpectImage, ExpectXML, secret} {
			resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {b.ctype}}}
			_, reason := Classify(resp, []byte(b.body), expect)
			if strings.Contains(reason, "SECRET") {
				t.Errorf("Classify(%q, %q) reason = %q, contains server-supplied secret", b.ctype, expect, reason)
			}
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, tc := range classifyCases() {
		f.Add(tc.status, tc.ctype, []byte(tc.body), tc.expect)
	}
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte, expect string) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}}}
		v, reason := Classify(resp, body, expect)
		if v == VerdictAccepted && (status < 200 || status > 299) {
			t.Errorf("Classify(%d) = accepted, want never accepted outside 2xx", status)
		}
		if v == VerdictAccepted {
			if root, ok := xmlRoot(body); ok && isExceptionRoot(root) {
				t.Errorf("Classify accepted a service exception")
			}
		}
		if reason == "" {
			t.Errorf("Classify gave an empty reason")
		}
	})
}

package vault

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Verdict is what one response says about the credential it was sent with.
// The zero value is VerdictUndecided, so a forgotten assignment never reads
// as success.
type Verdict int

const (
	// VerdictUndecided: the answer says nothing about the credential (404,
	// 429, 5xx, a redirect, a network error, an empty body).
	VerdictUndecided Verdict = iota
	// VerdictAccepted: 2xx with the expected content and no OGC exception.
	VerdictAccepted
	// VerdictRejected: 401, 403, 498, or a 2xx that is an OGC exception, an
	// HTML page or the wrong content type.
	VerdictRejected
)

func (v Verdict) String() string {
	switch v {
	case VerdictAccepted:
		return "accepted"
	case VerdictRejected:
		return "rejected"
	default:
		return "undecided"
	}
}

// What a Target expects back; the Expect argument of Classify.
const (
	ExpectImage = "image" // a GetMap answer: image/*
	ExpectXML   = "xml"   // a GetCapabilities answer: a service capabilities document (WMS, WMTS, WFS)
	// ExpectJSON: a JSON document (GeoJSON, an OGC API - Features
	// document); a JSON error object ({"error": ...}, {"code": 401, ...})
	// is a refusal.
	ExpectJSON = "json"
)

// validExpect reports whether expect is one Classify knows.
func validExpect(expect string) bool {
	return expect == ExpectImage || expect == ExpectXML || expect == ExpectJSON
}

// StatusTokenInvalid is the non-standard status ArcGIS Server answers for an
// invalid or expired token.
const StatusTokenInvalid = 498

// Classify decides whether resp (with its already-read body, possibly a
// capped prefix) shows that the server accepted the request. expect is
// ExpectImage, ExpectXML or ExpectJSON. The reason never contains response text, a URL
// or a secret, so it is safe to show. A nil resp is Undecided.
func Classify(resp *http.Response, body []byte, expect string) (Verdict, string) {
	if resp == nil {
		return VerdictUndecided, "could not decide: no response"
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == StatusTokenInvalid || code == StatusTokenRequired:
		return VerdictRejected, "server answered " + statusLine(code)
	case code >= 300 && code < 400:
		return VerdictUndecided, "could not decide: server answered " + statusLine(code) + " (redirect not followed with the credential)"
	case code < 200 || code >= 300:
		return VerdictUndecided, "could not decide: server answered " + statusLine(code)
	}

	if root, ok := xmlRoot(body); ok && isExceptionRoot(root) {
		return VerdictRejected, "server answered " + statusLine(code) + " with an OGC service exception"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return VerdictUndecided, "could not decide: server answered " + statusLine(code) + " with an empty body"
	}
	header := mediaType(resp.Header.Get("Content-Type"))
	sniffed := mediaType(http.DetectContentType(body))
	if header == "text/html" || sniffed == "text/html" || header == "application/xhtml+xml" {
		return VerdictRejected, "server answered " + statusLine(code) + " with an HTML page (a login page?)"
	}

	switch expect {
	case ExpectImage:
		if isImageType(header) && (isImageType(sniffed) || sniffed == "application/octet-stream") {
			return VerdictAccepted, "server answered " + statusLine(code) + " with an image"
		}
		if (header == "" || header == "application/octet-stream") && isImageType(sniffed) {
			return VerdictAccepted, "server answered " + statusLine(code) + " with an image"
		}
		return VerdictRejected, fmt.Sprintf("expected an image, server answered %s with %s", statusLine(code), describeType(header, sniffed))
	case ExpectXML:
		if !isXMLType(header) && !isXMLType(sniffed) {
			return VerdictRejected, fmt.Sprintf("expected capabilities, server answered %s with %s", statusLine(code), describeType(header, sniffed))
		}
		root, ok := xmlRoot(body)
		if !ok {
			return VerdictRejected, "expected capabilities, server answered " + statusLine(code) + " with unreadable XML"
		}
		if isCapabilitiesRoot(root) {
			return VerdictAccepted, "server answered " + statusLine(code) + " with capabilities"
		}
		return VerdictRejected, "expected capabilities, server answered " + statusLine(code) + " with another XML document"
	case ExpectJSON:
		return classifyJSON(code, header, sniffed, body)
	default:
		return VerdictUndecided, "could not decide: unknown expectation"
	}
}

// classifyJSON decides a 2xx answer that should be a JSON document. body
// may be a capped prefix, so it need not parse to the end: the members
// read before the cut decide.
func classifyJSON(code int, header, sniffed string, body []byte) (Verdict, string) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return VerdictRejected, fmt.Sprintf("expected a JSON document, server answered %s with %s", statusLine(code), describeType(header, sniffed))
	}
	if jsonErrorCode(b) != 0 || isJSONErrorObject(b) {
		return VerdictRejected, "server answered " + statusLine(code) + " with a JSON error document"
	}
	if header != "" && !isJSONType(header) && header != "text/plain" && header != "application/octet-stream" {
		return VerdictRejected, fmt.Sprintf("expected a JSON document, server answered %s with %s", statusLine(code), describeType(header, sniffed))
	}
	return VerdictAccepted, "server answered " + statusLine(code) + " with a JSON document"
}

func isJSONType(mt string) bool {
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// maxJSONErrorScan bounds the part of a JSON answer searched for error
// members: error objects are small, and a feature document names its type
// or its features long before that.
const maxJSONErrorScan = 64 << 10

// isJSONErrorObject reports whether b is a JSON object whose top-level
// members make it an error document: an "error" member (any value but
// null, false or ""), or "code" with "message" or "description", and no
// GeoJSON "type", "features" or OGC API "links" member. Only the first
// maxJSONErrorScan bytes are read; a truncated document is judged by the
// members read.
func isJSONErrorObject(b []byte) bool {
	if len(b) > maxJSONErrorScan {
		b = b[:maxJSONErrorScan]
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	var hasError, hasCode, hasMessage, isData bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			// A value cut by the cap: the key alone counts.
			v = nil
		}
		switch strings.ToLower(key) {
		case "error", "errors":
			val := string(bytes.TrimSpace(v))
			hasError = v == nil || (val != "null" && val != "false" && val != `""` && val != "[]")
		case "code", "status":
			hasCode = true
		case "message", "description", "error_description":
			hasMessage = true
		case "type", "features", "links", "collections", "geometry":
			isData = true
		}
		if v == nil {
			break
		}
	}
	return !isData && (hasError || (hasCode && hasMessage))
}

func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	if code == StatusTokenInvalid {
		return "498 Invalid Token"
	}
	if code == StatusTokenRequired {
		return "499 Token Required"
	}
	return fmt.Sprint(code)
}

// mediaType returns the lower-case media type without parameters, or "".
func mediaType(v string) string {
	if v == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		mt, _, _ = strings.Cut(v, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isImageType(mt string) bool { return strings.HasPrefix(mt, "image/") }

func isXMLType(mt string) bool {
	return mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml") ||
		strings.HasSuffix(mt, "_xml") || strings.HasSuffix(mt, ".xml") || strings.HasSuffix(mt, "/xml")
}

// describeType names a content type for a reason. Only well-known header
// types are repeated (a server could put anything there); the sniffed type
// comes from http.DetectContentType's fixed list.
func describeType(header, sniffed string) string {
	switch {
	case header == "":
		return "content that looks like " + sniffed
	case !isKnownMediaType(header):
		return "an unexpected content type (content looks like " + sniffed + ")"
	case header != sniffed:
		return fmt.Sprintf("%s (content looks like %s)", header, sniffed)
	default:
		return header
	}
}

func isKnownMediaType(mt string) bool {
	switch mt {
	case "text/plain", "text/html", "text/xml", "text/css", "text/csv",
		"text/javascript", "application/javascript", "application/json",
		"application/xml", "application/octet-stream", "application/pdf",
		"application/zip", "application/vnd.ogc.se_xml", "application/vnd.ogc.wms_xml",
		"application/vnd.ogc.gml", "application/geo+json":
		return true
	}
	return false
}

// xmlRoot returns the local name of the document element of body, reading
// at most the prologue and the first start tag. It reports false for
// anything that is not XML.
func xmlRoot(body []byte) (string, bool) {
	b := bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '<' {
		return "", false
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	// Only element names matter and they are ASCII: read any declared
	// charset as is instead of failing on it.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for range 64 {
		tok, err := d.RawToken()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local, true
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return "", false
			}
		}
	}
	return "", false
}

func isExceptionRoot(local string) bool {
	return local == "ServiceExceptionReport" || local == "ExceptionReport"
}

// isCapabilitiesRoot reports the root of a service's capabilities: WMS
// 1.3.0 and 1.1.x, WMTS 1.0.0 ("Capabilities" in the WMTS namespace; the
// OWS common name) and WFS.
func isCapabilitiesRoot(local string) bool {
	switch local {
	case "WMS_Capabilities", "WMT_MS_Capabilities", "Capabilities", "WFS_Capabilities":
		return true
	}
	return false
}

// StatusTokenRequired is the non-standard status ArcGIS Server answers when
// a token-secured service is asked without a token.
const StatusTokenRequired = 499

// arcgisErrorCode returns the code of an ArcGIS JSON error document
// ({"error": {"code": 499, ...}}), which ArcGIS Server often sends with
// HTTP 200; 0 when body is not one.
func arcgisErrorCode(body []byte) int {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || len(b) > 64<<10 {
		return 0
	}
	var doc struct {
		Error *struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &doc) != nil || doc.Error == nil {
		return 0
	}
	return doc.Error.Code
}

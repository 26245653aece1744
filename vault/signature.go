package vault

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// answerSignature sums up what a refusal says, so that detection can tell
// whether a server treats a request with a named key differently from one
// without (it reads that name: the key is wrong, and the other names need
// not be tried). It keeps the status, an ArcGIS JSON error code and an OGC
// exception's code and text (lower case, digits dropped, so that dates and
// request numbers do not make two equal answers differ). HTML pages and
// other bodies count only by their status: their text varies from request
// to request on many servers.
func answerSignature(status int, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", status)
	if code := arcgisErrorCode(body); code != 0 {
		fmt.Fprintf(&b, "|arcgis %d", code)
	}
	if code, text, ok := exceptionSummary(body); ok {
		fmt.Fprintf(&b, "|ogc %s %s", code, normalizeMessage(text))
	}
	return b.String()
}

// exceptionSummary returns the first exception's code and text of an OGC
// ServiceExceptionReport or OWS ExceptionReport.
func exceptionSummary(body []byte) (code, text string, ok bool) {
	root, isXML := xmlRoot(body)
	if !isXML || !isExceptionRoot(root) {
		return "", "", false
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	in := false
	for range 4096 {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "ServiceException", "Exception":
				in = true
				for _, a := range t.Attr {
					if a.Name.Local == "code" || a.Name.Local == "exceptionCode" {
						code = a.Value
					}
				}
			}
		case xml.CharData:
			if in {
				text += string(t)
			}
		case xml.EndElement:
			if in && (t.Name.Local == "ServiceException" || t.Name.Local == "Exception") {
				return code, text, true
			}
		}
	}
	return code, text, true
}

// normalizeMessage lower-cases s, drops digits and folds white space, and
// keeps at most 200 bytes.
func normalizeMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, strings.ToLower(s))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// jsonErrorCode returns the code of a JSON error document in the shapes
// servers use ({"error": {"code": N}}, {"code": N, "message": ...},
// {"status": N, "error": ...}); 0 when body is not one.
func jsonErrorCode(body []byte) int {
	if c := arcgisErrorCode(body); c != 0 {
		return c
	}
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || len(b) > 64<<10 {
		return 0
	}
	var doc struct {
		Code   json.Number `json:"code"`
		Status json.Number `json:"status"`
		Error  any         `json:"error"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return 0
	}
	for _, n := range []json.Number{doc.Code, doc.Status} {
		if v, err := n.Int64(); err == nil && v >= 400 && v < 600 {
			return int(v)
		}
	}
	return 0
}

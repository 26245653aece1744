package vaulttest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"time"
)

// PNGBytes returns a small valid PNG image (4x4, opaque blue).
func PNGBytes() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			img.Set(x, y, color.NRGBA{B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // cannot happen with an in-memory image
	}
	return buf.Bytes()
}

// CapabilitiesXML is a minimal WMS 1.3.0 GetCapabilities document.
const CapabilitiesXML = `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms">
<Service><Name>WMS</Name><Title>vaulttest</Title></Service>
<Capability><Layer><Title>root</Title><Layer queryable="0"><Name>roads</Name><Title>Roads</Title></Layer></Layer></Capability>
</WMS_Capabilities>
`

// ServiceExceptionXML is a WMS 1.3.0 ServiceExceptionReport with the given code.
func ServiceExceptionXML(code string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">
<ServiceException code="` + code + `">Access denied</ServiceException>
</ServiceExceptionReport>
`
}

// OWSExceptionXML is an OWS 1.1 ExceptionReport (WMTS, WFS 2, GeoServer security).
const OWSExceptionXML = `<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
<ows:Exception exceptionCode="NoApplicableCode"><ows:ExceptionText>not authorised</ows:ExceptionText></ows:Exception>
</ows:ExceptionReport>
`

// LoginHTML is a typical login page a portal answers with status 200.
const LoginHTML = `<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><form method="post" action="/login"><input name="user"><input type="password" name="pw"></form></body></html>
`

// Body answers status with the given content type and body.
func Body(status int, contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.Write(body)
	})
}

// PNG answers 200 with PNGBytes as image/png.
func PNG() http.Handler { return Body(http.StatusOK, "image/png", PNGBytes()) }

// Capabilities answers 200 with CapabilitiesXML as text/xml.
func Capabilities() http.Handler {
	return Body(http.StatusOK, "text/xml; charset=UTF-8", []byte(CapabilitiesXML))
}

// ServiceException answers 200 with a ServiceExceptionReport served as
// contentType (servers use application/vnd.ogc.se_xml, text/xml and even
// image/png).
func ServiceException(contentType string) http.Handler {
	return Body(http.StatusOK, contentType, []byte(ServiceExceptionXML("InvalidKey")))
}

// OWSException answers 200 with an ows:ExceptionReport as contentType.
func OWSException(contentType string) http.Handler {
	return Body(http.StatusOK, contentType, []byte(OWSExceptionXML))
}

// LoginPage answers 200 with LoginHTML as text/html.
func LoginPage() http.Handler {
	return Body(http.StatusOK, "text/html; charset=utf-8", []byte(LoginHTML))
}

// Status answers the given status with a short plain-text body.
func Status(status int) http.Handler {
	return Body(status, "text/plain; charset=utf-8", []byte(fmt.Sprintf("%d %s\n", status, http.StatusText(status))))
}

// Redirect answers 302 to target. With keepQuery, the request's query is
// appended to target (a server that echoes the credential into Location).
func Redirect(target string, keepQuery bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := target
		if keepQuery && r.URL.RawQuery != "" {
			sep := "?"
			if strings.Contains(loc, "?") {
				sep = "&"
			}
			loc += sep + r.URL.RawQuery
		}
		http.Redirect(w, r, loc, http.StatusFound)
	})
}

// Drip answers 200 image/png and sends n bytes, one every interval,
// flushing each, stopping early when the client goes away.
func Drip(n int, interval time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		png := PNGBytes()
		t := time.NewTicker(interval)
		defer t.Stop()
		for i := 0; i < n; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
			if _, err := w.Write(png[i%len(png) : i%len(png)+1]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
	})
}

// Sleep waits d (or until the client goes away) before calling next.
func Sleep(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(d):
		}
		next.ServeHTTP(w, r)
	})
}

// Huge answers 200 image/png with a PNG header followed by n bytes of
// padding. With declareLength the Content-Length header is sent;
// otherwise the body is chunked.
func Huge(n int64, declareLength bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		head := PNGBytes()[:8]
		w.Header().Set("Content-Type", "image/png")
		if declareLength {
			w.Header().Set("Content-Length", fmt.Sprint(int64(len(head))+n))
		}
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write(head); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte{0}, 32<<10)
		for left := n; left > 0; {
			c := chunk
			if int64(len(c)) > left {
				c = c[:left]
			}
			if _, err := w.Write(c); err != nil {
				return
			}
			left -= int64(len(c))
		}
	})
}

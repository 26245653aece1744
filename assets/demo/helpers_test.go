package demo

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// newTestServer serves NewHandler on an httptest server.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, err := NewHandler()
	if err != nil {
		t.Fatalf("NewHandler() error = %v", err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// response is what a test needs of an HTTP answer.
type response struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
}

// fetch GETs base+path with the query, optionally with Basic credentials.
func fetch(t *testing.T, base, path string, q url.Values, user, pass string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header, body}
}

// query builds url.Values from "KEY=value" pairs.
func query(kv ...string) url.Values {
	q := url.Values{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		q.Set(k, v)
	}
	return q
}

// getMap130 is a WMS 1.3.0 GetMap query; extra pairs override.
func getMap130(layers, crs, bbox string, w, h string, extra ...string) url.Values {
	q := query("SERVICE=WMS", "REQUEST=GetMap", "VERSION=1.3.0", "LAYERS="+layers, "STYLES=",
		"CRS="+crs, "BBOX="+bbox, "WIDTH="+w, "HEIGHT="+h, "FORMAT=image/png", "TRANSPARENT=TRUE")
	for k, v := range query(extra...) {
		q[k] = v
	}
	return q
}

// getMap111 is a WMS 1.1.1 GetMap query; extra pairs override.
func getMap111(layers, srs, bbox string, w, h string, extra ...string) url.Values {
	q := query("SERVICE=WMS", "REQUEST=GetMap", "VERSION=1.1.1", "LAYERS="+layers, "STYLES=",
		"SRS="+srs, "BBOX="+bbox, "WIDTH="+w, "HEIGHT="+h, "FORMAT=image/png", "TRANSPARENT=TRUE")
	for k, v := range query(extra...) {
		q[k] = v
	}
	return q
}

// decodePNG checks the answer is a PNG image and decodes it.
func decodePNG(t *testing.T, r response) image.Image {
	t.Helper()
	if r.status != http.StatusOK || r.contentType != "image/png" {
		t.Fatalf("GetMap answer = %d %q (%.200s), want 200 image/png", r.status, r.contentType, r.body)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("GetMap body is not a PNG: %v", err)
	}
	return img
}

func alphaAt(img image.Image, x, y int) uint32 {
	_, _, _, a := img.At(x, y).RGBA()
	return a
}

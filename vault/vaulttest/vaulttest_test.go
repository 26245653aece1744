package vaulttest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestGuardAllows(t *testing.T) {
	const key = "s3cret-key-123"
	basic := Guard{Basic: true, User: "ann", Password: "pw"}
	cases := []struct {
		name  string
		g     Guard
		setup func(r *http.Request)
		want  bool
	}{
		{"zero guard", Guard{}, func(*http.Request) {}, true},
		{"basic ok", basic, func(r *http.Request) { r.SetBasicAuth("ann", "pw") }, true},
		{"basic wrong", basic, func(r *http.Request) { r.SetBasicAuth("ann", "px") }, false},
		{"basic missing", basic, func(*http.Request) {}, false},
		{"query ok", Guard{Query: "authkey", Key: key}, func(r *http.Request) { r.URL.RawQuery = "a=1&authkey=" + key }, true},
		{"query other name", Guard{Query: "authkey", Key: key}, func(r *http.Request) { r.URL.RawQuery = "AUTHKEY=" + key }, false},
		{"query folded", Guard{Query: "authkey", Key: key, QueryFold: true}, func(r *http.Request) { r.URL.RawQuery = "AUTHKEY=" + key }, true},
		{"bearer ok", Guard{Header: "Authorization", Key: key}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }, true},
		{"bearer raw key", Guard{Header: "Authorization", Key: key}, func(r *http.Request) { r.Header.Set("Authorization", key) }, false},
		{"x-api-key ok", Guard{Header: "X-API-Key", Key: key}, func(r *http.Request) { r.Header.Set("x-api-key", key) }, true},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "http://h.example/wms", nil)
		tc.setup(r)
		if got := tc.g.Allows(r); got != tc.want {
			t.Errorf("%s: Allows = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestServerRecordsAndSaw(t *testing.T) {
	s := NewProtected(t, Guard{Query: "k", Key: "abc-secret"}, PNG(), nil)
	for _, q := range []string{"k=abc-secret", "k=wrong"} {
		resp, err := http.Get(s.URL + "/wms?" + q)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if want := map[string]int{"k=abc-secret": 200, "k=wrong": 401}[q]; resp.StatusCode != want {
			t.Errorf("GET ?%s = %d, want %d", q, resp.StatusCode, want)
		}
	}
	if got := s.Count(); got != 2 {
		t.Errorf("Count = %d, want 2", got)
	}
	if !s.Saw("abc-secret") || s.Saw("never-sent") {
		t.Errorf("Saw does not match what was sent")
	}
	s.Reset()
	if s.Count() != 0 || s.Saw("abc-secret") {
		t.Errorf("Reset kept records")
	}
}

func TestDripAndHuge(t *testing.T) {
	rec := httptest.NewRecorder()
	Huge(1000, true).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if got, want := rec.Body.Len(), 1008; got != want {
		t.Errorf("Huge body = %d bytes, want %d", got, want)
	}
	if !strings.HasPrefix(rec.Body.String(), "\x89PNG") {
		t.Errorf("Huge body does not start like a PNG")
	}
	rec = httptest.NewRecorder()
	start := time.Now()
	Drip(5, 10*time.Millisecond).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Body.Len() != 5 || time.Since(start) < 40*time.Millisecond {
		t.Errorf("Drip sent %d bytes in %v, want 5 bytes over about 50ms", rec.Body.Len(), time.Since(start))
	}
}

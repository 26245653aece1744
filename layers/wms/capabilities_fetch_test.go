package wms

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/vault"
)

const exc130 = `<?xml version="1.0"?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="InvalidUpdateSequence">version 1.3.0 not supported</ServiceException></ServiceExceptionReport>`

// fakeServer answers GetCapabilities by VERSION with the given bodies and
// records the query of every request.
type fakeServer struct {
	mu      sync.Mutex
	queries []url.Values
	raw     []string
}

func (s *fakeServer) start(t *testing.T, answer func(version string, w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.queries = append(s.queries, r.URL.Query())
		s.raw = append(s.raw, r.URL.RawQuery)
		s.mu.Unlock()
		answer(r.URL.Query().Get("VERSION"), w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (s *fakeServer) versions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v []string
	for _, q := range s.queries {
		v = append(v, q.Get("VERSION"))
	}
	return v
}

func TestFetchCapabilitiesNegotiation(t *testing.T) {
	doc111 := document111(`<Layer><Name>a</Name><Title>A</Title></Layer>`)
	doc130 := document130(`<Layer><Name>a</Name><Title>A</Title></Layer>`)
	tests := []struct {
		name         string
		answer       func(version string, w http.ResponseWriter)
		wantVersion  string
		wantRequests []string
	}{
		{"1.3.0 answered", func(v string, w http.ResponseWriter) { io.WriteString(w, doc130) }, "1.3.0", []string{"1.3.0"}},
		{"1.1.1 answer to 1.3.0 is taken", func(v string, w http.ResponseWriter) { io.WriteString(w, doc111) }, "1.1.1", []string{"1.3.0"}},
		{"exception then 1.1.1", func(v string, w http.ResponseWriter) {
			if v == "1.3.0" {
				io.WriteString(w, exc130)
				return
			}
			io.WriteString(w, doc111)
		}, "1.1.1", []string{"1.3.0", "1.1.1"}},
		{"unparsable then 1.1.1", func(v string, w http.ResponseWriter) {
			if v == "1.3.0" {
				io.WriteString(w, `<?xml version="1.0"?><WMS_Capabilities version="1.3.0"><Capability><Layer>`)
				return
			}
			io.WriteString(w, doc111)
		}, "1.1.1", []string{"1.3.0", "1.1.1"}},
		{"400 then 1.1.1", func(v string, w http.ResponseWriter) {
			if v == "1.3.0" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			io.WriteString(w, doc111)
		}, "1.1.1", []string{"1.3.0", "1.1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s fakeServer
			srv := s.start(t, tt.answer)
			caps, err := FetchCapabilities(context.Background(), srv.Client(), srv.URL+"/wms")
			if err != nil {
				t.Fatalf("FetchCapabilities error: %v", err)
			}
			if caps.Version != tt.wantVersion || caps.Find("a") == nil {
				t.Errorf("FetchCapabilities = version %q, Find(a) %v, want %q and layer a", caps.Version, caps.Find("a"), tt.wantVersion)
			}
			if got := s.versions(); strings.Join(got, ",") != strings.Join(tt.wantRequests, ",") {
				t.Errorf("requested versions %q, want %q", got, tt.wantRequests)
			}
		})
	}
}

func TestFetchCapabilitiesErrors(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(version string, w http.ResponseWriter)
		check     func(t *testing.T, err error)
		wantCalls int
	}{
		{"exception on both versions", func(v string, w http.ResponseWriter) { io.WriteString(w, exc130) }, func(t *testing.T, err error) {
			var se *layers.ServiceException
			if !errors.As(err, &se) || se.Code != "InvalidUpdateSequence" || !strings.Contains(err.Error(), "not supported") {
				t.Errorf("error = %v, want the ServiceException with its code and message", err)
			}
		}, 2},
		{"HTML login page", func(v string, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>form</body></html>")
		}, func(t *testing.T, err error) {
			if !errors.Is(err, layers.ErrHTMLResponse) || !strings.Contains(err.Error(), "Sign in") {
				t.Errorf("error = %v, want layers.ErrHTMLResponse naming the page title", err)
			}
		}, 1},
		{"HTML without doctype, text/html", func(v string, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "  <body>oops</body>")
		}, func(t *testing.T, err error) {
			if !errors.Is(err, layers.ErrHTMLResponse) {
				t.Errorf("error = %v, want layers.ErrHTMLResponse", err)
			}
		}, 1},
		{"401", func(v string, w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized) }, func(t *testing.T, err error) {
			var he *layers.HTTPError
			if !errors.As(err, &he) || he.Status != 401 || strings.Contains(he.URL, "SECRETKEY") {
				t.Errorf("error = %v, want *layers.HTTPError 401 with a redacted URL", err)
			}
		}, 1},
		{"403 with exception body", func(v string, w http.ResponseWriter) {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<ServiceExceptionReport><ServiceException code="Forbidden">bad key SECRETKEY or kQ7vX2pLm9Rt4wZs8YbN3cFh for you</ServiceException></ServiceExceptionReport>`)
		}, func(t *testing.T, err error) {
			var he *layers.HTTPError
			var se *layers.ServiceException
			if !errors.As(err, &he) || he.Status != 403 || !errors.As(err, &se) || se.Code != "Forbidden" {
				t.Errorf("error = %v, want *layers.HTTPError 403 joined with the ServiceException", err)
			}
		}, 1},
		{"too large", func(v string, w http.ResponseWriter) {
			io.WriteString(w, `<?xml version="1.0"?><WMS_Capabilities version="1.3.0"><!--`)
			chunk := strings.Repeat("x", 1<<16)
			for range MaxCapabilitiesSize/len(chunk) + 1 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrCapabilitiesTooLarge) {
				t.Errorf("error = %v, want ErrCapabilitiesTooLarge", err)
			}
		}, 1},
		{"not capabilities", func(v string, w http.ResponseWriter) { io.WriteString(w, `{"error":"json"}`) }, func(t *testing.T, err error) {
			if !errors.Is(err, ErrMalformedCapabilities) && !errors.Is(err, ErrNotCapabilities) {
				t.Errorf("error = %v, want ErrNotCapabilities or ErrMalformedCapabilities", err)
			}
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s fakeServer
			srv := s.start(t, tt.answer)
			caps, err := FetchCapabilities(context.Background(), srv.Client(), srv.URL+"/wms?token=SECRETKEY")
			if err == nil {
				t.Fatalf("FetchCapabilities = %+v, want an error", caps)
			}
			if strings.Contains(err.Error(), "SECRETKEY") || strings.Contains(err.Error(), "kQ7vX2pLm9Rt4wZs8YbN3cFh") {
				t.Errorf("error %q contains a secret", err)
			}
			tt.check(t, err)
			if got := len(s.versions()); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestFetchCapabilitiesVendorParams(t *testing.T) {
	var s fakeServer
	srv := s.start(t, func(v string, w http.ResponseWriter) {
		io.WriteString(w, document130(`<Layer><Name>a</Name></Layer>`))
	})
	_, err := FetchCapabilities(context.Background(), srv.Client(), srv.URL+"/cgi-bin/mapserv?map=/srv/maps/a%20b.map&service=wfs&Request=GetMap&version=1.0.0&lang=de#frag")
	if err != nil {
		t.Fatal(err)
	}
	got := s.raw[0]
	want := "map=/srv/maps/a%20b.map&lang=de&SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
	if got != want {
		t.Errorf("query = %q, want %q", got, want)
	}
}

func TestFetchCapabilitiesNilClient(t *testing.T) {
	if _, err := FetchCapabilities(context.Background(), nil, "https://h/wms"); err == nil {
		t.Error("FetchCapabilities(nil client) error = nil, want an error")
	}
}

func TestCapabilitiesURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"https://h/wms", "https://h/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", false},
		{"https://h/wms?", "https://h/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", false},
		{"https://user:pw@h/wms?SERVICE=WMS&&x=1", "https://h/wms?x=1&SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", false},
		{"https://h/wms?%73ervice=WMS&map=a", "https://h/wms?map=a&SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", false},
		{"ftp://h/wms", "", true},
		{"/relative", "", true},
	}
	for _, tt := range tests {
		got, err := CapabilitiesURL(tt.in, "1.3.0")
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("CapabilitiesURL(%q) = %q, %v, want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFetchCapabilitiesContext(t *testing.T) {
	release := make(chan struct{})
	var s fakeServer
	srv := s.start(t, func(v string, w http.ResponseWriter) { <-release })
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := FetchCapabilities(ctx, srv.Client(), srv.URL+"/wms?key=SECRETKEY")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
	if err != nil && strings.Contains(err.Error(), "SECRETKEY") {
		t.Errorf("error %q contains the key", err)
	}
	if got := len(s.versions()); got != 1 {
		t.Errorf("%d requests, want 1 (no fallback after a cancelled request)", got)
	}
}

func TestFetchCapabilitiesSendsCredentialForSource(t *testing.T) {
	var gotAuth []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, document130(`<Layer><Name>a</Name></Layer>`))
	}))
	defer srv.Close()
	src, err := vault.SourceOf(srv.URL + "/wms")
	if err != nil {
		t.Fatal(err)
	}
	store := vault.NewStore()
	store.Set(src, vault.Credential{Username: "ann", Password: "pw"})
	client := vault.NewClient(store, nil, vault.TransportOptions{Base: srv.Client().Transport})
	if _, err := FetchCapabilities(context.Background(), client, srv.URL+"/wms?map=x"); err != nil {
		t.Fatalf("FetchCapabilities error: %v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:pw"))
	if len(gotAuth) != 1 || gotAuth[0] != want {
		t.Errorf("Authorization headers = %q, want one %q", gotAuth, want)
	}
}

// TestCapabilitiesFromDocument: a capabilities answer already received is
// parsed and kept in the catalog, so CapabilitiesFrom asks nothing; an
// unreadable one is an error and leaves the catalog to fetch.
func TestCapabilitiesFromDocument(t *testing.T) {
	doc := document130(`<Layer><Name>a</Name><Title>A</Title><CRS>EPSG:3857</CRS></Layer>`)
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, doc)
	}))
	defer srv.Close()
	cat := layers.NewCatalog(srv.Client(), layers.NewRegistry(Kind{}), nil)
	service := srv.URL + "/wms"
	caps, err := CapabilitiesFromDocument(cat, service, []byte(doc))
	if err != nil || caps.Find("a") == nil {
		t.Fatalf("CapabilitiesFromDocument: %v, %v", caps, err)
	}
	again, err := CapabilitiesFrom(context.Background(), cat, service)
	if err != nil || again != caps || fetched.Load() != 0 {
		t.Errorf("CapabilitiesFrom after it: same %v, err %v, %d requests; want the kept document, none", again == caps, err, fetched.Load())
	}
	other := srv.URL + "/other"
	if _, err := CapabilitiesFromDocument(cat, other, []byte("<html>login</html>")); err == nil {
		t.Error("an HTML page was taken for capabilities")
	}
	if _, err := CapabilitiesFromDocument(cat, other, nil); err == nil {
		t.Error("no document was taken for capabilities")
	}
	if _, err := CapabilitiesFrom(context.Background(), cat, other); err != nil || fetched.Load() != 1 {
		t.Errorf("after an unreadable document CapabilitiesFrom: %v, %d requests; want it fetched once", err, fetched.Load())
	}
}

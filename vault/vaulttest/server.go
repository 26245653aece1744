package vaulttest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Record is what a Server saw of one request.
type Record struct {
	Method     string
	RequestURI string // path and raw query as sent
	Header     http.Header
}

// Server is an httptest server that records every request before handing
// it to its handler.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	records []Record
	handler http.Handler
}

// NewServer starts a Server serving h and closes it when the test ends.
func NewServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s := &Server{handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// NewProtected starts a Server serving ok behind g, answering reject (see
// Protect) to requests without the credential.
func NewProtected(t testing.TB, g Guard, ok, reject http.Handler) *Server {
	t.Helper()
	return NewServer(t, Protect(g, ok, reject))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.records = append(s.records, Record{Method: r.Method, RequestURI: r.RequestURI, Header: r.Header.Clone()})
	h := s.handler
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// SetHandler replaces the handler (for servers that redirect to each other).
func (s *Server) SetHandler(h http.Handler) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// Count returns how many requests the server has seen.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// Records returns a copy of every request seen so far.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

// Reset forgets the recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	s.records = nil
	s.mu.Unlock()
}

// Saw reports whether any recorded request carried secret anywhere: in the
// request URI (raw or unescaped), in a header value, or inside a decoded
// HTTP Basic credential.
func (s *Server) Saw(secret string) bool {
	for _, r := range s.Records() {
		if strings.Contains(r.RequestURI, secret) {
			return true
		}
		if u, err := url.QueryUnescape(r.RequestURI); err == nil && strings.Contains(u, secret) {
			return true
		}
		for _, vals := range r.Header {
			for _, v := range vals {
				if strings.Contains(v, secret) {
					return true
				}
			}
		}
		req := &http.Request{Header: r.Header}
		if u, p, ok := req.BasicAuth(); ok && (strings.Contains(u, secret) || strings.Contains(p, secret)) {
			return true
		}
	}
	return false
}

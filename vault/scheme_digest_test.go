package vault

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/icholy/digest"
)

// digestServer is an RFC 7616 server for one user: it challenges with the
// given algorithm and qop=auth, checks the answer by recomputing it, and
// answers stale=true to a nonce it has retired.
type digestServer struct {
	*httptest.Server
	algorithm, user, pass string

	mu       sync.Mutex
	nonce    string
	retired  map[string]bool
	requests atomic.Int64
	wrong    atomic.Int64 // credentialed requests with a wrong answer
	lastAuth atomic.Value
}

func newDigestServer(t *testing.T, algorithm string) *digestServer {
	s := &digestServer{algorithm: algorithm, user: "ann", pass: "digest-pw-91c2", nonce: "n-1", retired: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *digestServer) challenge(w http.ResponseWriter, stale bool) {
	s.mu.Lock()
	n := s.nonce
	s.mu.Unlock()
	v := fmt.Sprintf(`Digest realm="r", nonce=%q, algorithm=%s, qop="auth"`, n, s.algorithm)
	if stale {
		v += ", stale=true"
	}
	w.Header().Set("WWW-Authenticate", v)
	w.WriteHeader(http.StatusUnauthorized)
}

// retire makes the current nonce stale.
func (s *digestServer) retire() {
	s.mu.Lock()
	s.retired[s.nonce] = true
	s.nonce += "x"
	s.mu.Unlock()
}

func (s *digestServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	h := r.Header.Get("Authorization")
	s.lastAuth.Store(h)
	if h == "" {
		s.challenge(w, false)
		return
	}
	c, err := digest.ParseCredentials(h)
	if err != nil {
		s.challenge(w, false)
		return
	}
	s.mu.Lock()
	stale := s.retired[c.Nonce]
	s.mu.Unlock()
	chal := &digest.Challenge{Realm: "r", Nonce: c.Nonce, Algorithm: s.algorithm, QOP: []string{"auth"}}
	want, err := digest.Digest(chal, digest.Options{Method: r.Method, URI: c.URI, Count: c.Nc, Cnonce: c.Cnonce, Username: s.user, Password: s.pass})
	if err != nil || want.Response != c.Response || c.Username != s.user {
		s.wrong.Add(1)
		s.challenge(w, false)
		return
	}
	if stale {
		s.challenge(w, true)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(pngBytesForTest())
}

func pngBytesForTest() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}

// TestDigestAlgorithms: detection finds Digest from the challenge with MD5
// and SHA-256 in two requests; the password is never on the wire.
func TestDigestAlgorithms(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256", "SHA-512-256"} {
		t.Run(alg, func(t *testing.T) {
			s := newDigestServer(t, alg)
			d := &Detector{KeyVault: NewKeyVault(), Store: NewStore()}
			res, err := d.Detect(context.Background(), Target{URL: s.URL + "/wms?REQUEST=GetMap", Expect: ExpectImage}, Credential{Username: s.user, Password: s.pass}, "")
			if err != nil || res.Outcome != OutcomeFound || res.Method != MethodDigest {
				t.Fatalf("Detect = %v %v (%s) %v, want found digest", res.Outcome, res.Method, res.Reason, err)
			}
			if res.Requests != 2 || s.requests.Load() != 2 {
				t.Errorf("requests = %d (server saw %d), want 2", res.Requests, s.requests.Load())
			}
			if a, _ := s.lastAuth.Load().(string); strings.Contains(a, s.pass) || !strings.Contains(a, "algorithm="+alg) {
				t.Errorf("Authorization %q: want the %s answer, never the password", a, alg)
			}
		})
	}
}

// TestDigestTransportStaleNonce: a stale nonce is answered once with the
// new one; a wrong password is one refused request, then nothing.
func TestDigestTransportStaleNonce(t *testing.T) {
	s := newDigestServer(t, "SHA-256")
	src, _ := SourceOf(s.URL + "/wms")
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodDigest})
	st := NewStore()
	st.Set(src, Credential{Username: s.user, Password: s.pass})
	c := NewClient(st, kv, TransportOptions{})
	get := func() int {
		resp, err := c.Get(s.URL + "/wms?REQUEST=GetMap")
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 3 {
		if code := get(); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if n := s.requests.Load(); n != 4 {
		t.Errorf("3 GETs took %d requests, want 4 (one challenge, then the nonce reused)", n)
	}
	s.retire()
	if code := get(); code != 200 {
		t.Fatalf("after a stale nonce: %d, want 200", code)
	}
	if st.Status(src) != StatusVerified {
		t.Errorf("status %v after a stale nonce, want verified", st.Status(src))
	}

	st.Set(src, Credential{Username: s.user, Password: "wrong"})
	before := s.wrong.Load()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if resp, err := c.Get(s.URL + "/wms?REQUEST=GetMap"); err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if got := s.wrong.Load() - before; got != 1 {
		t.Errorf("10 concurrent requests sent the wrong password %d times, want 1", got)
	}
	if st.Status(src) != StatusRejected {
		t.Errorf("status = %v, want rejected", st.Status(src))
	}
}

// TestChallengePicksScheme: Basic and Digest challenges decide how a
// password goes; a Negotiate-only server never gets one.
func TestChallengePicksScheme(t *testing.T) {
	tests := []struct {
		challenge []string
		want      Method
		outcome   Outcome
	}{
		{[]string{`Basic realm="x"`}, MethodBasic, OutcomeRejected},
		{nil, MethodBasic, OutcomeRejected},
		{[]string{"Negotiate", "NTLM"}, "", OutcomeUndecided},
	}
	for _, tt := range tests {
		var got atomic.Value
		var n atomic.Int64
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			if a := r.Header.Get("Authorization"); a != "" {
				got.Store(a)
			}
			for _, c := range tt.challenge {
				w.Header().Add("WWW-Authenticate", c)
			}
			w.WriteHeader(http.StatusUnauthorized)
		}))
		res, _ := (&Detector{}).Detect(context.Background(), Target{URL: s.URL + "/wms", Expect: ExpectImage}, Credential{Username: "u", Password: "p-neg-1"}, "")
		s.Close()
		if res.Outcome != tt.outcome {
			t.Errorf("%q: outcome %v (%s), want %v", tt.challenge, res.Outcome, res.Reason, tt.outcome)
		}
		a, _ := got.Load().(string)
		switch {
		case tt.want == "" && a != "":
			t.Errorf("%q: a credential was sent (%q)", tt.challenge, a)
		case tt.want == MethodBasic && !strings.HasPrefix(a, "Basic "):
			t.Errorf("%q: sent %q, want Basic", tt.challenge, a)
		}
		if tt.want == "" && n.Load() != 1 {
			t.Errorf("%q: %d requests, want the bare probe only", tt.challenge, n.Load())
		}
	}
}

// TestDigestRedirectStaysHome: after a Digest-authenticated request is
// redirected to another origin (even a subdomain-like port of the same
// host), nothing of the credential follows it.
func TestDigestRedirectStaysHome(t *testing.T) {
	var otherAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherAuth.Store(r.Header.Get("Authorization") + "|" + r.URL.RawQuery)
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytesForTest())
	}))
	defer other.Close()
	s := newDigestServer(t, "MD5")
	inner := s.Config.Handler
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" && r.Header.Get("Authorization") != "" {
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
			return
		}
		inner.ServeHTTP(w, r)
	})
	src, _ := SourceOf(s.URL + "/moved")
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodDigest})
	st := NewStore()
	st.Set(src, Credential{Username: s.user, Password: s.pass})
	resp, err := NewClient(st, kv, TransportOptions{}).Get(s.URL + "/moved")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, _ := otherAuth.Load().(string)
	if got != "|" {
		t.Errorf("the other origin got %q, want no Authorization and no query", got)
	}
}

package vault

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"mapvault/vault/vaulttest"
)

// testPKI is a CA with a client certificate it issued, and a second,
// untrusted CA with a client certificate of the same subject.
type testPKI struct {
	ca, otherCA       *x509.Certificate
	pool              *x509.CertPool // trusts ca only
	client, other     *tls.Certificate
	clientKey         crypto.Signer
	clientX, otherX   *x509.Certificate
	caKey, otherCAKey crypto.Signer
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p := &testPKI{}
	p.ca, p.caKey = newTestCA(t, "mapvault test CA")
	p.otherCA, p.otherCAKey = newTestCA(t, "untrusted test CA")
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.ca)
	p.clientKey = newECKey(t)
	p.clientX = newTestLeaf(t, "analyst", p.clientKey, p.ca, p.caKey)
	p.client = &tls.Certificate{Certificate: [][]byte{p.clientX.Raw}, PrivateKey: p.clientKey, Leaf: p.clientX}
	otherKey := newECKey(t)
	p.otherX = newTestLeaf(t, "analyst", otherKey, p.otherCA, p.otherCAKey)
	p.other = &tls.Certificate{Certificate: [][]byte{p.otherX.Raw}, PrivateKey: otherKey, Leaf: p.otherX}
	return p
}

func newECKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var serial atomic.Int64

func newTestCA(t testing.TB, cn string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{Organization: []string{"mapvault test"}, CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func newTestLeaf(t testing.TB, cn string, key crypto.Signer, ca *x509.Certificate, caKey crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{Organization: []string{"mapvault test"}, CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Refusal styles of a server that wants a client certificate.
const (
	styleAlert = "alert" // Go's TLS server: RequireAndVerifyClientCert, refusals are TLS alerts
	styleNginx = "nginx" // the handshake always succeeds; nginx's 400 pages refuse
	styleAny   = "any"   // Go's TLS server: RequireAnyClientCert, accepts any certificate
)

// certServer is a TLS server wanting a client certificate from pki's CA.
type certServer struct {
	*httptest.Server
	hellos    atomic.Int64 // handshakes started
	requests  atomic.Int64 // requests that reached the handler
	verified  atomic.Int64 // of them, with a certificate of pki's CA
	presented atomic.Int64 // handshakes in which the client offered a certificate
}

// nginx's error pages, as .ci/mtls's nginx sends them.
const (
	nginxNoCert  = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	nginxBadCert = "<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The SSL certificate error</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

func startCertServer(t *testing.T, p *testPKI, style string, maxVersion uint16, h http.Handler) *certServer {
	t.Helper()
	s := &certServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		ok := false
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			opts := x509.VerifyOptions{Roots: p.pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			_, err := r.TLS.PeerCertificates[0].Verify(opts)
			ok = err == nil
		}
		if ok {
			s.verified.Add(1)
		}
		if style == styleNginx && !ok {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusBadRequest)
			if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
				io.WriteString(w, nginxNoCert)
			} else {
				io.WriteString(w, nginxBadCert)
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	s.TLS = &tls.Config{
		ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs:  p.pool,
		MaxVersion: maxVersion,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			s.hellos.Add(1)
			return nil, nil
		},
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) > 0 {
				s.presented.Add(1)
			}
			return nil
		},
	}
	switch style {
	case styleNginx:
		s.TLS.ClientAuth = tls.RequestClientCert
	case styleAny:
		s.TLS.ClientAuth = tls.RequireAnyClientCert
	}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// trustingTransport is a transport that trusts the httptest servers'
// certificate and offers no client certificate.
func trustingTransport(s *certServer) *http.Transport {
	return s.Client().Transport.(*http.Transport).Clone()
}

func certDetector(s *certServer, logger *slog.Logger) *Detector {
	return &Detector{
		Client:   &http.Client{Transport: trustingTransport(s), Timeout: 5 * time.Second},
		KeyVault: NewKeyVault(),
		Store:    NewStore(),
		Clock:    func() time.Time { return testNow },
		Logger:   logger,
	}
}

func certTarget(s *certServer) Target {
	return Target{URL: s.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&WIDTH=1&HEIGHT=1", Expect: ExpectImage}
}

type serverKind struct {
	name       string
	style      string
	maxVersion uint16
	// A refused request counts as sent (Result.Requests) between
	// refusedMin and refusedMax times.
	refusedMin, refusedMax int
}

func serverKinds() []serverKind {
	return []serverKind{
		// TLS 1.3: the client finishes its side of the handshake and writes
		// the request, unless the server's alert closed the connection
		// first.
		{"go tls1.3", styleAlert, tls.VersionTLS13, 0, 1},
		// TLS 1.2: the alert comes during the handshake, nothing is sent.
		{"go tls1.2", styleAlert, tls.VersionTLS12, 0, 0},
		{"nginx-like", styleNginx, tls.VersionTLS13, 1, 1},
	}
}

// TestIsClientCertErrorGoServer: what a Go TLS server answers a client
// without a certificate, or with an untrusted one, is recognised.
func TestIsClientCertErrorGoServer(t *testing.T) {
	p := newTestPKI(t)
	for _, k := range serverKinds() {
		if k.style != styleAlert {
			continue
		}
		s := startCertServer(t, p, k.style, k.maxVersion, vaulttest.PNG())
		for _, cert := range []*tls.Certificate{nil, p.other} {
			tr := trustingTransport(s)
			if cert != nil {
				tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
			}
			resp, err := (&http.Client{Transport: tr}).Get(s.URL + "/wms")
			if err == nil {
				resp.Body.Close()
				t.Fatalf("%s: GET with certificate %v succeeded, want a handshake refusal", k.name, cert != nil)
			}
			if !isClientCertError(err) {
				t.Errorf("%s: isClientCertError(%q) = false, want true", k.name, err)
			}
			tr.CloseIdleConnections()
		}
	}
}

func TestIsClientCertError(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("remote error: tls: certificate required"), true},
		{errors.New("net/http: Transport failed to read from server: remote error: tls: bad certificate"), true},
		{errors.New("remote error: tls: unknown certificate authority"), true},
		{errors.New("remote error: tls: expired certificate"), true},
		{errors.New("remote error: tls: handshake failure"), true},
		{errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), false},
		{errors.New("remote error: tls: protocol version not supported"), false},
	} {
		if got := isClientCertError(tt.err); got != tt.want {
			t.Errorf("isClientCertError(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestClientCertDetect: without a credential detection reports that the
// server needs a client certificate (no request beyond the bare one); with
// the right one it is found with one credentialed request; with a wrong one
// it is rejected after one.
func TestClientCertDetect(t *testing.T) {
	p := newTestPKI(t)
	for _, k := range serverKinds() {
		t.Run(k.name, func(t *testing.T) {
			for _, tc := range []struct {
				name         string
				cred         Credential
				want         Outcome
				wantHellos   int64
				wantVerified int64
				wantStatus   Status
			}{
				{"none", Credential{}, OutcomeRejected, 1, 0, StatusNone},
				{"good", Credential{Certificate: p.client}, OutcomeFound, 2, 1, StatusVerified},
				// Detection keeps a rejected credential out of the store.
				{"untrusted", Credential{Certificate: p.other}, OutcomeRejected, 2, 0, StatusNone},
			} {
				s := startCertServer(t, p, k.style, k.maxVersion, vaulttest.PNG())
				d := certDetector(s, nil)
				res, err := d.Detect(context.Background(), certTarget(s), tc.cred, "")
				if err != nil {
					t.Fatalf("%s: Detect: %v", tc.name, err)
				}
				if res.Outcome != tc.want || res.Entry.Method != MethodClientCert {
					t.Errorf("%s: Detect = %v entry %q (%s), want %v entry %q", tc.name, res.Outcome, res.Entry.Method, res.Reason, tc.want, MethodClientCert)
				}
				refused, accepted := 1, 0 // the bare probe is refused
				if tc.want == OutcomeFound {
					accepted++
				} else if !tc.cred.IsZero() {
					refused++
				}
				lo, hi := refused*k.refusedMin+accepted, refused*k.refusedMax+accepted
				if res.Requests < lo || res.Requests > hi {
					t.Errorf("%s: Requests = %d, want %d..%d", tc.name, res.Requests, lo, hi)
				}
				if got := s.hellos.Load(); got != tc.wantHellos {
					t.Errorf("%s: server saw %d handshakes, want %d", tc.name, got, tc.wantHellos)
				}
				if got := s.verified.Load(); got != tc.wantVerified {
					t.Errorf("%s: server saw %d requests with a verified certificate, want %d", tc.name, got, tc.wantVerified)
				}
				if _, st := d.Store.Get(mustSource(t, s.URL+"/wms")); st != tc.wantStatus {
					t.Errorf("%s: store status = %v, want %v", tc.name, st, tc.wantStatus)
				}
				if tc.want == OutcomeRejected && tc.name != "none" {
					continue // a rejection records nothing
				}
				e, ok := d.KeyVault.Get(mustSource(t, s.URL+"/wms"))
				if !ok || e.Method != MethodClientCert || !e.AuthRequired {
					t.Errorf("%s: KeyVault entry = %+v, %v; want client-cert", tc.name, e, ok)
				}
				if tc.cred.IsZero() {
					continue
				}
				// Again, now that the KeyVault records the method: one request.
				s.hellos.Store(0)
				res, err = d.Detect(context.Background(), certTarget(s), tc.cred, "")
				if err != nil || res.Outcome != tc.want || res.Requests != 1 || s.hellos.Load() != 1 {
					t.Errorf("%s: recorded Detect = %v, %d requests, %d handshakes, %v; want %v, 1, 1",
						tc.name, res.Outcome, res.Requests, s.hellos.Load(), err, tc.want)
				}
			}
		})
	}
}

// newCertClient returns the authenticating client with cred stored for s
// and the KeyVault recording the client-cert method.
func newCertClient(t *testing.T, s *certServer, cred Credential, logger *slog.Logger) (*http.Client, *Store, Source) {
	t.Helper()
	src := mustSource(t, s.URL+"/wms")
	store := NewStore()
	store.Set(src, cred)
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodClientCert})
	client := NewClient(store, kv, TransportOptions{Base: trustingTransport(s), Logger: logger, RequestTimeout: 5 * time.Second})
	return client, store, src
}

// TestClientCertTransport: the transport sends every request of the source
// with the certificate, concurrently once verified, and never offers it to
// another origin on a redirect.
func TestClientCertTransport(t *testing.T) {
	p := newTestPKI(t)
	for _, k := range serverKinds() {
		t.Run(k.name, func(t *testing.T) {
			// The other origin requires a certificate too (any): it must see
			// a handshake without one.
			other := startCertServer(t, p, styleAny, k.maxVersion, vaulttest.PNG())
			mux := http.NewServeMux()
			mux.Handle("/redirect", vaulttest.Redirect(other.URL+"/x", true))
			mux.Handle("/", vaulttest.PNG())
			s := startCertServer(t, p, k.style, k.maxVersion, mux)
			client, store, src := newCertClient(t, s, Credential{Certificate: p.client}, nil)

			resp, body, err := get(t, client, src, s.URL+"/wms?REQUEST=GetMap")
			if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(body, vaulttest.PNGBytes()) {
				t.Fatalf("first GET = %v, %v; want 200 and the PNG", resp, err)
			}
			if _, st := store.Get(src); st != StatusVerified {
				t.Errorf("status after 200 = %v, want verified", st)
			}
			var wg sync.WaitGroup
			var failed atomic.Int64
			for range 10 {
				wg.Go(func() {
					resp, _, err := get(t, client, src, s.URL+"/wms?REQUEST=GetMap")
					if err != nil || resp.StatusCode != http.StatusOK {
						failed.Add(1)
					}
				})
			}
			wg.Wait()
			if failed.Load() != 0 {
				t.Errorf("%d of 10 concurrent requests failed", failed.Load())
			}
			if got := s.verified.Load(); got != 11 {
				t.Errorf("server saw %d requests with the certificate, want 11", got)
			}

			_, _, err = get(t, client, src, s.URL+"/redirect?REQUEST=GetMap")
			if other.hellos.Load() == 0 {
				t.Fatalf("the redirect was not followed (error %v)", err)
			}
			if got := other.presented.Load(); got != 0 {
				t.Errorf("the other origin was offered a client certificate %d times, want 0", got)
			}
			if !errors.Is(err, ErrNeedsClientCert) {
				t.Errorf("GET through the redirect: error %v, want the other origin's refusal", err)
			}
			if _, st := store.Get(src); st != StatusVerified {
				t.Errorf("status after the other origin's refusal = %v, want still verified", st)
			}
		})
	}
}

// TestClientCertLockout: a refused certificate costs one handshake, not one
// per request: concurrent requests wait for the first answer, and later
// ones are not sent.
func TestClientCertLockout(t *testing.T) {
	p := newTestPKI(t)
	for _, k := range serverKinds() {
		t.Run(k.name, func(t *testing.T) {
			s := startCertServer(t, p, k.style, k.maxVersion, vaulttest.PNG())
			client, store, src := newCertClient(t, s, Credential{Certificate: p.other}, nil)
			const n = 20
			var wg sync.WaitGroup
			var rejected, refusedAnswers atomic.Int64
			for range n {
				wg.Go(func() {
					resp, _, err := get(t, client, src, s.URL+"/wms?REQUEST=GetMap")
					switch {
					case errors.Is(err, ErrRejected):
						rejected.Add(1)
					case err == nil && resp.StatusCode == http.StatusBadRequest:
						refusedAnswers.Add(1) // the one answer nginx gives
					default:
						t.Errorf("GET = %v, %v; want a refusal", resp, err)
					}
				})
			}
			wg.Wait()
			hellos := s.hellos.Load()
			t.Logf("%d concurrent requests with a refused certificate: %d handshakes, %d ErrRejected, %d 400 answers",
				n, hellos, rejected.Load(), refusedAnswers.Load())
			if hellos < 1 || hellos > 3 {
				t.Errorf("server saw %d handshakes for %d requests with a refused certificate, want 1 to 3", hellos, n)
			}
			if _, st := store.Get(src); st != StatusRejected {
				t.Errorf("status = %v, want rejected", st)
			}
			if s.verified.Load() != 0 {
				t.Errorf("the server verified a certificate it should not trust")
			}
			// A new (good) certificate gets a new chance.
			store.Set(src, Credential{Certificate: p.client})
			if resp, _, err := get(t, client, src, s.URL+"/wms?REQUEST=GetMap"); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET with the good certificate = %v, %v; want 200", resp, err)
			}
		})
	}
}

// TestClientCertAuthOneOrigin: an authenticator sends to one origin only.
func TestClientCertAuthOneOrigin(t *testing.T) {
	p := newTestPKI(t)
	s := startCertServer(t, p, styleAlert, 0, vaulttest.PNG())
	other := startCertServer(t, p, styleAlert, 0, vaulttest.PNG())
	env := Env{Client: &http.Client{Transport: trustingTransport(s)}}
	auth, err := clientCertScheme{}.Authenticator(Entry{Method: MethodClientCert}, Credential{Certificate: p.client}, env)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/wms", nil)
	resp, err := auth.RoundTrip(req, http.DefaultTransport)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("RoundTrip = %v, %v; want 200", resp, err)
	}
	resp.Body.Close()
	req, _ = http.NewRequest(http.MethodGet, other.URL+"/wms", nil)
	if resp, err := auth.RoundTrip(req, http.DefaultTransport); !errors.Is(err, errNotSendable) {
		t.Errorf("RoundTrip to another origin = %v, %v; want errNotSendable", resp, err)
	}
	if other.hellos.Load() != 0 {
		t.Errorf("the other origin saw a handshake")
	}
	if got := auth.Secrets(); len(got) != 0 {
		t.Errorf("Secrets() = %q, want none", got)
	}
	if _, err := (clientCertScheme{}).Authenticator(Entry{Method: MethodClientCert}, Credential{Username: "a", Password: "b"}, env); !errors.Is(err, errNotSendable) {
		t.Errorf("Authenticator(password) error = %v, want errNotSendable", err)
	}
}

func TestClientCertSchemeBasics(t *testing.T) {
	p := newTestPKI(t)
	sch, ok := SchemeFor(MethodClientCert)
	if !ok {
		t.Fatal("client-cert is not registered")
	}
	if n := sch.Needs(); !n.Certificate || n.Secret != SecretCertPassword || n.Username {
		t.Errorf("Needs() = %+v", n)
	}
	if msg := sch.Check(Entry{AuthRequired: true, Method: MethodClientCert}); msg != "" {
		t.Errorf("Check(plain) = %q, want valid", msg)
	}
	if msg := sch.Check(Entry{AuthRequired: true, Method: MethodClientCert, Param: "x"}); msg == "" {
		t.Errorf("Check(with param) is valid, want a message")
	}
	cert := Credential{Certificate: p.client}
	for _, tc := range []struct {
		cred Credential
		want bool
	}{
		{cert, true},
		{Credential{}, false},
		{Credential{Username: "a", Password: "b"}, false},
		{Credential{Key: "k"}, false},
		{Credential{Certificate: &tls.Certificate{}}, false},
	} {
		if got := sch.Usable(tc.cred); got != tc.want {
			t.Errorf("Usable(%v) = %v, want %v", tc.cred, got, tc.want)
		}
	}
	want := []Entry{{AuthRequired: true, Method: MethodClientCert}}
	if got := sch.Candidates(cert, Answer{Status: 403}, Hint{}); len(got) != 1 || got[0] != want[0] {
		t.Errorf("Candidates(cert) = %v, want %v", got, want)
	}
	if got := sch.Candidates(Credential{Key: "k"}, Answer{ClientCertRequired: true}, Hint{}); got != nil {
		t.Errorf("Candidates(key) = %v, want none", got)
	}
	dsc := sch.(Discoverer)
	if e, ok := dsc.Discover(context.Background(), Answer{ClientCertRequired: true}, Hint{}, Env{}); !ok || e != want[0] {
		t.Errorf("Discover(cert required) = %v, %v; want %v", e, ok, want[0])
	}
	if _, ok := dsc.Discover(context.Background(), Answer{Status: 401}, Hint{}, Env{}); ok {
		t.Errorf("Discover(401) found client-cert")
	}
	// The KeyVault records and reads it back.
	kv := NewKeyVault()
	kv.Set("https://h.example:443/wms", Entry{AuthRequired: true, Method: MethodClientCert})
	data, err := kv.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeyVault("x", data)
	if err != nil {
		t.Fatalf("ParseKeyVault(%s): %v", data, err)
	}
	if e, _ := back.Get("https://h.example:443/wms"); e.Method != MethodClientCert || !e.AuthRequired {
		t.Errorf("reloaded entry = %+v", e)
	}
}

// --- loading ---------------------------------------------------------------

const testP12Password = "p12-pass-9c1e"

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8PEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes("PRIVATE KEY", der)
}

func encodeP12(t testing.TB, enc *pkcs12.Encoder, p *testPKI, password string) []byte {
	t.Helper()
	data, err := enc.Encode(p.clientKey, p.clientX, []*x509.Certificate{p.ca}, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkLoaded checks a loaded certificate: the client's, leaf first, with
// the chain wanted.
func checkLoaded(t *testing.T, name string, p *testPKI, got *tls.Certificate, wantChain int) {
	t.Helper()
	if got == nil || got.Leaf == nil {
		t.Fatalf("%s: no certificate or no Leaf", name)
	}
	if !got.Leaf.Equal(p.clientX) || !bytes.Equal(got.Certificate[0], p.clientX.Raw) {
		t.Errorf("%s: leaf is %q, want the client's", name, got.Leaf.Subject)
	}
	if len(got.Certificate) != wantChain {
		t.Errorf("%s: %d certificates, want %d", name, len(got.Certificate), wantChain)
	}
	if wantChain > 1 && !bytes.Equal(got.Certificate[1], p.ca.Raw) {
		t.Errorf("%s: chain[1] is not the CA", name)
	}
	if !got.PrivateKey.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(p.clientKey.Public()) {
		t.Errorf("%s: wrong private key", name)
	}
}

func TestLoadClientCertificatePKCS12(t *testing.T) {
	p := newTestPKI(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		enc  *pkcs12.Encoder
	}{
		{"modern (AES-256, PBKDF2)", pkcs12.Modern},
		{"modern2026 (PBMAC1)", pkcs12.Modern2026},
		{"legacy (3DES)", pkcs12.Legacy},
		{"legacy RC2", pkcs12.LegacyRC2},
	} {
		// An extension that says nothing: the content decides.
		path := writeFile(t, dir, strings.Fields(tc.name)[0]+".bin", encodeP12(t, tc.enc, p, testP12Password))
		got, err := LoadClientCertificate(path, "", []byte(testP12Password))
		if err != nil {
			t.Errorf("%s: LoadClientCertificate: %v", tc.name, err)
			continue
		}
		checkLoaded(t, tc.name, p, got, 2)

		_, err = LoadClientCertificate(path, "", []byte("wrong-password"))
		if !errors.Is(err, ErrCertPassword) {
			t.Errorf("%s: wrong password: error %v, want ErrCertPassword", tc.name, err)
		}
		var fe *CertFileError
		if !errors.As(err, &fe) || fe.Path != path || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: wrong password: error %v does not name the file", tc.name, err)
		}
		for _, pw := range []string{testP12Password, "wrong-password"} {
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("%s: error %q contains a password", tc.name, err)
			}
		}
		if _, err := LoadClientCertificate(path, "", nil); !errors.Is(err, ErrCertPassword) {
			t.Errorf("%s: no password: error %v, want ErrCertPassword", tc.name, err)
		}
		keyPath := writeFile(t, dir, "k.pem", pkcs8PEM(t, p.clientKey))
		if _, err := LoadClientCertificate(path, keyPath, []byte(testP12Password)); !errors.Is(err, ErrBadCertificate) {
			t.Errorf("%s: with a key file: error %v, want ErrBadCertificate", tc.name, err)
		}
	}

	path := writeFile(t, dir, "nopass.p12", encodeP12(t, pkcs12.Passwordless, p, ""))
	got, err := LoadClientCertificate(path, "", nil)
	if err != nil {
		t.Fatalf("passwordless: %v", err)
	}
	checkLoaded(t, "passwordless", p, got, 2)

	// A key that belongs to no certificate of the file.
	bad, err := pkcs12.Modern.Encode(newECKey(t), p.clientX, nil, testP12Password)
	if err != nil {
		t.Fatal(err)
	}
	path = writeFile(t, dir, "mismatch.p12", bad)
	if _, err := LoadClientCertificate(path, "", []byte(testP12Password)); !errors.Is(err, ErrBadCertificate) ||
		!strings.Contains(err.Error(), "does not belong") {
		t.Errorf("mismatched key: error %v, want ErrBadCertificate (does not belong)", err)
	}
}

func TestLoadClientCertificatePEM(t *testing.T) {
	p := newTestPKI(t)
	dir := t.TempDir()
	certPEM := pemBytes("CERTIFICATE", p.clientX.Raw)
	caPEM := pemBytes("CERTIFICATE", p.ca.Raw)
	keyPKCS8 := pkcs8PEM(t, p.clientKey)
	ecDER, err := x509.MarshalECPrivateKey(p.clientKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	keySEC1 := pemBytes("EC PRIVATE KEY", ecDER)
	//lint:ignore SA1019 writing a legacy encrypted key to test reading one
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", ecDER, []byte(testP12Password), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	keyEnc := pem.EncodeToMemory(encBlock)
	concat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	for _, tc := range []struct {
		name      string
		cert, key []byte // key nil: no key file
		password  string
		wantChain int
		wantErr   error
		wantText  string
	}{
		{"cert+key one file", concat(certPEM, keyPKCS8), nil, "", 1, nil, ""},
		{"key first, chain", concat(keySEC1, certPEM, caPEM), nil, "", 2, nil, ""},
		{"CA before leaf", concat(caPEM, certPEM, keyPKCS8), nil, "", 2, nil, ""},
		{"separate key file", concat(certPEM, caPEM), keyPKCS8, "", 2, nil, ""},
		{"text around blocks", concat([]byte("Bag Attributes\n  friendlyName: analyst\n"), certPEM, []byte("subject=...\n"), keySEC1), nil, "", 1, nil, ""},
		{"legacy encrypted key", certPEM, keyEnc, testP12Password, 1, nil, ""},
		{"legacy encrypted key, wrong password", certPEM, keyEnc, "nope-nope", 0, ErrCertPassword, "password"},
		{"legacy encrypted key, no password", certPEM, keyEnc, "", 0, ErrCertPassword, "password"},
		{"encrypted PKCS#8", certPEM, pemBytes("ENCRYPTED PRIVATE KEY", []byte{0x30, 0x03, 1, 2, 3}), testP12Password, 0, ErrBadCertificate, "openssl pkcs12 -export"},
		{"no key", certPEM, nil, "", 0, ErrBadCertificate, "no private key"},
		{"empty key file", certPEM, []byte{}, "", 0, ErrBadCertificate, "no private key"},
		{"no certificate", keyPKCS8, nil, "", 0, ErrBadCertificate, "no certificate"},
		{"two keys", concat(certPEM, keyPKCS8, keySEC1), nil, "", 0, ErrBadCertificate, "more than one"},
		{"other key", certPEM, pkcs8PEM(t, newECKey(t)), "", 0, ErrBadCertificate, "does not belong"},
		{"broken certificate", concat(pemBytes("CERTIFICATE", []byte{1, 2, 3}), keyPKCS8), nil, "", 0, ErrBadCertificate, "cannot be read"},
		{"broken key", certPEM, pemBytes("PRIVATE KEY", []byte{1, 2, 3}), "", 0, ErrBadCertificate, "cannot be read"},
		{"openssh key", certPEM, pemBytes("OPENSSH PRIVATE KEY", []byte("openssh-key-v1")), "", 0, ErrBadCertificate, "cannot be read"},
		{"garbage", []byte("hello, world"), nil, "", 0, ErrBadCertificate, "neither"},
		{"empty", []byte{}, nil, "", 0, ErrBadCertificate, "neither"},
		{"DER but not PKCS#12", p.clientX.Raw, nil, "", 0, ErrBadCertificate, "PKCS#12"},
	} {
		certPath := writeFile(t, dir, "cert.pem", tc.cert)
		keyPath := ""
		if tc.key != nil {
			keyPath = writeFile(t, dir, "key.pem", tc.key)
		}
		got, err := LoadClientCertificate(certPath, keyPath, []byte(tc.password))
		if tc.wantErr == nil {
			if err != nil {
				t.Errorf("%s: LoadClientCertificate: %v", tc.name, err)
				continue
			}
			checkLoaded(t, tc.name, p, got, tc.wantChain)
			continue
		}
		if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
			t.Errorf("%s: error %v, want %v mentioning %q", tc.name, err, tc.wantErr, tc.wantText)
		}
		if tc.password != "" && strings.Contains(err.Error(), tc.password) {
			t.Errorf("%s: error %q contains the password", tc.name, err)
		}
	}

	// An RSA key in PKCS#1.
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert := newTestLeaf(t, "rsa", rsaKey, p.ca, p.caKey)
	path := writeFile(t, dir, "rsa.pem", concat(pemBytes("CERTIFICATE", rsaCert.Raw), pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))))
	if got, err := LoadClientCertificate(path, "", nil); err != nil || !got.Leaf.Equal(rsaCert) {
		t.Errorf("PKCS#1 RSA: %v", err)
	}

	_, err = LoadClientCertificate(filepath.Join(dir, "missing.p12"), "", nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.p12") {
		t.Errorf("missing file: error %v, want fs.ErrNotExist naming the file", err)
	}
	keyErrPath := writeFile(t, dir, "cert-only.pem", certPEM)
	brokenKey := writeFile(t, dir, "broken.key", pemBytes("PRIVATE KEY", []byte{1}))
	var fe *CertFileError
	if _, err := LoadClientCertificate(keyErrPath, brokenKey, nil); !errors.As(err, &fe) || fe.Path != brokenKey {
		t.Errorf("broken key file: error %v, want it to name the key file", err)
	}
	huge := writeFile(t, dir, "huge.pem", bytes.Repeat([]byte("A"), maxCertFileBytes+1))
	if _, err := LoadClientCertificate(huge, "", nil); !errors.Is(err, ErrBadCertificate) {
		t.Errorf("huge file: error %v, want ErrBadCertificate", err)
	}
}

// FuzzParseClientCertificate: the PEM and PKCS#12 readers never panic,
// fail only with the package's errors, never repeat the password, and what
// they accept is a usable certificate whose key belongs to its leaf.
func FuzzParseClientCertificate(f *testing.F) {
	p := newTestPKI(f)
	certPEM := pemBytes("CERTIFICATE", p.clientX.Raw)
	keyPEM := pkcs8PEM(f, p.clientKey)
	ecDER, _ := x509.MarshalECPrivateKey(p.clientKey.(*ecdsa.PrivateKey))
	//lint:ignore SA1019 a legacy encrypted key to read
	encBlock, _ := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", ecDER, []byte(testP12Password), x509.PEMCipherAES128)
	// Few iterations keep each PKCS#12 execution fast.
	modern := encodeP12(f, pkcs12.Modern.WithIterations(2), p, testP12Password)
	legacy := encodeP12(f, pkcs12.Legacy.WithIterations(2), p, testP12Password)
	f.Add(append(certPEM, keyPEM...), []byte(nil), testP12Password)
	f.Add(certPEM, keyPEM, "")
	f.Add(certPEM, pem.EncodeToMemory(encBlock), testP12Password)
	f.Add(modern, []byte(nil), testP12Password)
	f.Add(legacy, []byte(nil), testP12Password)
	f.Add(modern, []byte(nil), "wrong")
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte(nil), "")
	f.Fuzz(func(t *testing.T, certData, keyData []byte, password string) {
		got, err := parseClientCertificate(certData, keyData, keyData != nil, []byte(password))
		if err != nil {
			if !errors.Is(err, ErrBadCertificate) && !errors.Is(err, ErrCertPassword) {
				t.Fatalf("error %v is neither ErrBadCertificate nor ErrCertPassword", err)
			}
			if len(password) >= 4 && strings.Contains(err.Error(), password) {
				// Unless the fixed text happens to contain it.
				_, err2 := parseClientCertificate(certData, keyData, keyData != nil, []byte("\x01other\x01"))
				if err2 == nil || !strings.Contains(err2.Error(), password) {
					t.Fatalf("error %q contains the password", err)
				}
			}
			return
		}
		if got.Leaf == nil || len(got.Certificate) == 0 || !bytes.Equal(got.Certificate[0], got.Leaf.Raw) {
			t.Fatalf("accepted certificate without its leaf first")
		}
		pub, ok := got.Leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
		if !ok || !pub.Equal(got.PrivateKey.(crypto.Signer).Public()) {
			t.Fatalf("accepted a key that does not belong to the leaf")
		}
	})
}

// --- canary ----------------------------------------------------------------

// TestClientCertCanary: the PKCS#12 password never shows in an error or a
// log line, through loading, detection and the transport.
func TestClientCertCanary(t *testing.T) {
	p := newTestPKI(t)
	dir := t.TempDir()
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	record := func(what string, v any, err error) {
		texts = append(texts, fmt.Sprintf("%s: %+v %#v", what, v, v))
		if err != nil {
			texts = append(texts, what+": "+err.Error(), fmt.Sprintf("%+v %#v", err, err))
		}
	}

	// The canary as the file's password, and as a wrong one.
	p12 := writeFile(t, dir, "client.p12", encodeP12(t, pkcs12.Modern, p, canary))
	other := writeFile(t, dir, "other.p12", encodeP12(t, pkcs12.Legacy, p, "something-else"))
	good, err := LoadClientCertificate(p12, "", []byte(canary))
	if err != nil {
		t.Fatalf("LoadClientCertificate: %v", err)
	}
	record("load good", good, nil)
	for _, pw := range []string{"wrong", canary + "x", ""} {
		c, err := LoadClientCertificate(p12, "", []byte(pw))
		record("load wrong password", c, err)
	}
	c, err := LoadClientCertificate(other, "", []byte(canary))
	record("load other with canary", c, err)
	ecDER, _ := x509.MarshalECPrivateKey(p.clientKey.(*ecdsa.PrivateKey))
	//lint:ignore SA1019 a legacy encrypted key to read
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", ecDER, []byte(canary), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	certPath := writeFile(t, dir, "c.pem", pemBytes("CERTIFICATE", p.clientX.Raw))
	keyPath := writeFile(t, dir, "c.key", pem.EncodeToMemory(block))
	for _, pw := range []string{canary, "wrong-one", canary[:10]} {
		c, err := LoadClientCertificate(certPath, keyPath, []byte(pw))
		record("load PEM", c, err)
	}

	for _, k := range serverKinds() {
		for _, cred := range []Credential{{}, {Certificate: good}, {Certificate: p.other}} {
			s := startCertServer(t, p, k.style, k.maxVersion, vaulttest.PNG())
			d := certDetector(s, logger)
			res, err := d.Detect(context.Background(), certTarget(s), cred, "")
			record(k.name+" detect", res, err)
			client, _, src := newCertClient(t, s, cred, logger)
			for range 2 {
				resp, _, err := get(t, client, src, s.URL+"/wms?REQUEST=GetMap")
				record(k.name+" transport", resp, err)
			}
		}
	}
	if !strings.Contains(logs.String(), "vault: probe") || !strings.Contains(logs.String(), "credential rejected") {
		t.Fatal("no probe or rejection logged: the log check cannot fail")
	}
	checkCanary(t, "log", logs.String())
	for _, s := range texts {
		checkCanary(t, "result or error", s)
	}
}

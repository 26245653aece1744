package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/icholy/digest"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// testPKI is a CA, a server certificate for 127.0.0.1 and a client
// certificate, all made for the test.
type testPKI struct {
	pool       *x509.CertPool
	server     tls.Certificate
	clientPEM  []byte // certificate and key, PEM
	clientCert *x509.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	srvDER, srvKey := issue(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	cliDER, cliKey := issue(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "analyst"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	pki := &testPKI{pool: x509.NewCertPool()}
	pki.pool.AddCert(ca)
	pki.server = tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
	pki.clientCert, _ = x509.ParseCertificate(cliDER)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(cliKey)
	pki.clientPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cliDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return pki
}

// TestClientCertificatePrompt: a source the KeyVault records as needing a
// client certificate is blocked with that reason; the prompt asks for the
// certificate file, unlocks the layer with it and remembers the file (not
// its content) as this machine's choice, never in the project.
func TestClientCertificatePrompt(t *testing.T) {
	pki := newTestPKI(t)
	h0, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	var withCert, without atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			withCert.Add(1)
		} else {
			without.Add(1)
		}
		h0.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	h := newHarnessWith(t, func(s *Services) {
		s.Transport.Base = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool}}
	})
	dir := t.TempDir()
	certPath := filepath.Join(dir, "me.pem")
	if err := os.WriteFile(certPath, pki.clientPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	p := project.New("closed")
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	p.AddLayer(project.Layer{Name: "Closed land", Kind: project.KindWMS, Source: srv.URL + demo.PublicPath,
		WMS: project.WMS{Layers: []string{"land"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	path := filepath.Join(dir, "closed.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	kv := vault.NewKeyVault()
	src, _ := vault.SourceOf(srv.URL + demo.PublicPath)
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodClientCert})
	if err := kv.Save(vault.SidecarPath(path)); err != nil {
		t.Fatal(err)
	}
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	if st := h.a.layerStatus(h.layerID("Closed land")); !st.blocked || st.reason != string(vault.ReasonNeedsCertificate) {
		t.Errorf("status = %+v, want blocked %q", st, vault.ReasonNeedsCertificate)
	}
	pr := h.a.prompts.Current()
	if pr.kind.Selected != choiceCert || !pr.certBox.Visible() || pr.basicBox.Visible() {
		t.Fatalf("prompt shows %q, want the certificate fields", pr.kind.Selected)
	}
	if n := without.Load() + withCert.Load(); n != 0 {
		t.Errorf("%d requests before the certificate was given, want none (the KeyVault says it is needed)", n)
	}
	pr.certFile.SetText(certPath)
	test.Tap(pr.submit)
	h.q.waitFor(t, "the prompt to close", func() bool { return h.a.prompts.Current() != pr })
	if m := pr.Message(); m != "" {
		t.Fatalf("prompt says %q", m)
	}
	h.q.waitFor(t, "the layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
	if withCert.Load() == 0 {
		t.Errorf("no request carried the certificate")
	}
	if got := h.a.fa.Preferences().String(prefCertPrefix + string(src)); got != certPath {
		t.Errorf("preference = %q, want the picked file", got)
	}
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, vault.SidecarPath(path)} {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "me.pem") || strings.Contains(string(b), "PRIVATE KEY") {
			t.Errorf("%s names the certificate file or holds the key:\n%s", f, b)
		}
	}
}

// TestOAuth2SignInPrompt: an OAuth2 source is blocked as "needs sign-in";
// the prompt offers the browser sign-in, which unlocks the layer; no token
// reaches the saved files.
func TestOAuth2SignInPrompt(t *testing.T) {
	p := vaulttest.NewOAuth2Provider(t)
	h0, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	rs := vaulttest.NewServer(t, http.NotFoundHandler())
	mux := http.NewServeMux()
	mux.Handle(demo.PublicPath, p.Resource(h0, rs.URL+"/.well-known/oauth-protected-resource"+demo.PublicPath))
	mux.Handle("/.well-known/oauth-protected-resource"+demo.PublicPath, p.ResourceMetadata(rs.URL+demo.PublicPath))
	rs.SetHandler(mux)

	var opened atomic.Int64
	h := newHarnessWith(t, func(s *Services) {
		s.OpenURL = func(authURL string) error { // the user's browser
			opened.Add(1)
			go func() {
				if resp, err := http.Get(authURL); err == nil {
					resp.Body.Close()
				}
			}()
			return nil
		}
	})
	dir := t.TempDir()
	pr := project.New("sso")
	pr.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	pr.AddLayer(project.Layer{Name: "SSO land", Kind: project.KindWMS, Source: rs.URL + demo.PublicPath,
		WMS: project.WMS{Layers: []string{"land"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	path := filepath.Join(dir, "sso.mapvault.json")
	if err := project.Save(path, pr); err != nil {
		t.Fatal(err)
	}
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	// Nothing recorded: the first request's 401 says how to sign in.
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	if st := h.a.layerStatus(h.layerID("SSO land")); !st.blocked {
		t.Errorf("status = %+v, want blocked", st)
	}
	q := h.a.prompts.Current()
	q.kind.SetSelected(choiceOAuth)
	if !q.oauthBox.Visible() || q.basicBox.Visible() {
		t.Fatalf("the sign-in choice shows the wrong fields")
	}
	test.Tap(q.submit)
	h.q.waitFor(t, "the prompt to close", func() bool { return h.a.prompts.Current() != q })
	if m := q.Message(); m != "" {
		t.Fatalf("prompt says %q", m)
	}
	if n := opened.Load(); n != 1 {
		t.Errorf("the browser was opened %d times, want 1", n)
	}
	h.q.waitFor(t, "the layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
	src, _ := vault.SourceOf(rs.URL + demo.PublicPath)
	if e, _ := h.a.KeyVault().Get(src); e.Method != vault.MethodOAuth2 || e.Issuer != p.Issuer {
		t.Errorf("KeyVault entry = %+v, want oauth2 at %s", e, p.Issuer)
	}
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, vault.SidecarPath(path)} {
		b, _ := os.ReadFile(f)
		for _, tok := range p.Issued() {
			if strings.Contains(string(b), tok) {
				t.Errorf("%s holds a token", f)
			}
		}
	}
	// Reopened in a new session: needs sign-in again, and the prompt says so.
	h2 := newHarness(t)
	if err := h2.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h2.q.waitFor(t, "the prompt", func() bool { return h2.a.prompts.Current() != nil })
	if st := h2.a.layerStatus(h2.layerID("SSO land")); !st.blocked || st.reason != string(vault.ReasonNeedsSignIn) {
		t.Errorf("reopened: %+v, want blocked %q", st, vault.ReasonNeedsSignIn)
	}
	if k := h2.a.prompts.Current().kind.Selected; k != choiceOAuth {
		t.Errorf("reopened prompt preselects %q, want the sign-in", k)
	}
}

// digestFront puts HTTP Digest (SHA-256, qop=auth) for one user in front
// of h, checking each answer by recomputing it.
func digestFront(user, pass string, h http.Handler) http.Handler {
	const nonce = "app-test-nonce"
	challenge := func(w http.ResponseWriter) {
		w.Header().Set("WWW-Authenticate", `Digest realm="r", nonce="`+nonce+`", algorithm=SHA-256, qop="auth"`)
		w.WriteHeader(http.StatusUnauthorized)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := digest.ParseCredentials(r.Header.Get("Authorization"))
		if err != nil {
			challenge(w)
			return
		}
		want, err := digest.Digest(&digest.Challenge{Realm: "r", Nonce: nonce, Algorithm: "SHA-256", QOP: []string{"auth"}},
			digest.Options{Method: r.Method, URI: c.URI, Count: c.Nc, Cnonce: c.Cnonce, Username: user, Password: pass})
		if err != nil || c.Username != user || c.Response != want.Response {
			challenge(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TestDigestPrompt: a Digest-protected source is asked for a username and
// password like a Basic one; detection finds Digest from the challenge and
// the layer is drawn.
func TestDigestPrompt(t *testing.T) {
	h0, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	const user, pass = "ann", "digest-pw-app"
	srv := httptest.NewServer(digestFront(user, pass, h0))
	t.Cleanup(srv.Close)
	h := newHarness(t)
	p := project.New("digest")
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	p.AddLayer(project.Layer{Name: "Digest land", Kind: project.KindWMS, Source: srv.URL + demo.PublicPath,
		WMS: project.WMS{Layers: []string{"land"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	path := filepath.Join(t.TempDir(), "digest.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	q := h.a.prompts.Current()
	if q.kind.Selected != choiceBasic {
		t.Errorf("prompt preselects %q, want %q", q.kind.Selected, choiceBasic)
	}
	q.password.SetText("wrong")
	q.user.SetText(user)
	test.Tap(q.submit)
	h.q.waitFor(t, "the rejection", func() bool { return q.Message() != "" })
	if q.Message() != msgRejected {
		t.Fatalf("prompt says %q, want %q", q.Message(), msgRejected)
	}
	q.password.SetText(pass)
	test.Tap(q.submit)
	h.q.waitFor(t, "the prompt to close", func() bool { return h.a.prompts.Current() != q })
	h.q.waitFor(t, "the layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
	src, _ := vault.SourceOf(srv.URL + demo.PublicPath)
	if e, _ := h.a.KeyVault().Get(src); e.Method != vault.MethodDigest {
		t.Errorf("KeyVault entry = %+v, want digest", e)
	}
}

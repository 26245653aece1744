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
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
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
	var withCert, without int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			withCert++
		} else {
			without++
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
		WMSLayers: []string{"land"}, Format: "image/png", WMSVersion: "1.3.0", Opacity: 1, Visible: true})
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
	if without+withCert != 0 {
		t.Errorf("%d requests before the certificate was given, want none (the KeyVault says it is needed)", without+withCert)
	}
	pr.certFile.SetText(certPath)
	test.Tap(pr.submit)
	h.q.waitFor(t, "the prompt to close", func() bool { return h.a.prompts.Current() != pr })
	if m := pr.Message(); m != "" {
		t.Fatalf("prompt says %q", m)
	}
	h.q.waitFor(t, "the layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
	if withCert == 0 {
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

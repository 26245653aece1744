package vault

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"sync"
)

// clientCertScheme is TLS client authentication (mutual TLS): the
// certificate goes into the handshake of every connection to the source's
// origin; no header or parameter carries anything, and the private key
// never leaves the process. A server refuses a missing or untrusted
// certificate with a TLS alert (Go, Apache, IIS) or, when the handshake
// itself succeeds, with an HTTP 400 page (nginx: "No required SSL
// certificate was sent", "The SSL certificate error").
type clientCertScheme struct{}

func (clientCertScheme) Method() Method { return MethodClientCert }
func (clientCertScheme) Label() string  { return "client certificate" }
func (clientCertScheme) Needs() Needs {
	return Needs{Certificate: true, Secret: SecretCertPassword}
}
func (clientCertScheme) Check(e Entry) string { return checkNoParams(e) }

// Usable: a certificate with its private key; nothing else is needed.
func (clientCertScheme) Usable(c Credential) bool {
	return c.Certificate != nil && len(c.Certificate.Certificate) > 0 && c.Certificate.PrivateKey != nil
}

// Candidates: a certificate is sent one way only, whatever the bare answer
// said (a server that wants one may also answer 403 or fail the handshake
// without saying why).
func (s clientCertScheme) Candidates(c Credential, _ Answer, _ Hint) []Entry {
	if !s.Usable(c) {
		return nil
	}
	return []Entry{{AuthRequired: true, Method: MethodClientCert}}
}

// Discover recognises a server that asked for a client certificate (a TLS
// alert, nginx's 400) from the bare answer alone; it sends nothing.
func (clientCertScheme) Discover(_ context.Context, bare Answer, _ Hint, _ Env) (Entry, bool) {
	if !bare.ClientCertRequired {
		return Entry{}, false
	}
	return Entry{AuthRequired: true, Method: MethodClientCert}, true
}

func (s clientCertScheme) Authenticator(_ Entry, c Credential, env Env) (Authenticator, error) {
	if !s.Usable(c) {
		return nil, errNotSendable
	}
	return newClientCertAuth(c.Certificate, env), nil
}

// clientCertAuth sends a source's requests over its own connections, whose
// handshakes offer the certificate. It never uses the transport it is
// handed for them: that one's pooled connections were made without the
// certificate and serve every other origin too.
type clientCertAuth struct {
	tr *http.Transport

	mu     sync.Mutex
	origin string // the one origin it sends to: its first request's
}

// newClientCertAuth makes the authenticator's transport: a clone of env's
// base transport when it is an *http.Transport (its proxy, timeouts and
// trusted roots), else the defaults of NewClient's base transport (system
// roots, so SSL_CERT_FILE applies), with the certificate added.
func newClientCertAuth(cert *tls.Certificate, env Env) *clientCertAuth {
	var tr *http.Transport
	if env.Client != nil {
		base := env.Client.Transport
		// Through the wrappers (detection's counter, the authenticating
		// transport of a plain client) to the transport that dials.
		for range 8 {
			w, ok := base.(interface{ wrappedBase() http.RoundTripper })
			if !ok {
				break
			}
			base = w.wrappedBase()
		}
		if t, ok := base.(*http.Transport); ok {
			tr = t.Clone()
		}
	}
	if tr == nil {
		tr = newBaseTransport(DefaultRequestTimeout)
	}
	// A custom TLS dialer would bypass the configuration below.
	tr.DialTLSContext = nil
	//lint:ignore SA1019 clearing the deprecated hook too, for the same reason
	tr.DialTLS = nil
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	cfg := tr.TLSClientConfig
	// GetClientCertificate, not Certificates: Go offers Certificates only
	// when the server's list of acceptable CAs names their issuer, and
	// otherwise sends none, so a refused certificate would look like a
	// forgotten one. Offered always, a wrong one gets a clear refusal.
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	// No session resumption: a resumed session carries the authentication
	// of the connection that made it, and a cache shared with the base
	// transport would mix anonymous and authenticated sessions.
	cfg.ClientSessionCache = nil
	return &clientCertAuth{tr: tr}
}

// RoundTrip sends req over the authenticator's own connections. next is
// used only for what it wraps around its base transport (detection's
// request counter), never to carry the request.
func (a *clientCertAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	origin := OriginOf(req.URL)
	a.mu.Lock()
	if a.origin == "" {
		a.origin = origin
	}
	pinned := a.origin
	a.mu.Unlock()
	if origin == "" || origin != pinned {
		return nil, errNotSendable
	}
	var rt http.RoundTripper = a.tr
	if w, ok := next.(baseWrapper); ok {
		rt = w.withBase(a.tr)
	}
	return rt.RoundTrip(req)
}

// Secrets is empty: a certificate is public and the private key is never
// on the wire or in an answer; there is no text to scrub.
func (a *clientCertAuth) Secrets() []string { return nil }

// CloseIdleConnections closes the authenticator's idle connections.
func (a *clientCertAuth) CloseIdleConnections() { a.tr.CloseIdleConnections() }

// refused reports the server's refusal of the certificate: a TLS alert
// about it, or nginx's 400 page. It reads at most 4 KiB of a 400's body
// and leaves the body readable from its start.
func (a *clientCertAuth) refused(resp *http.Response, err error) bool {
	if err != nil {
		return isClientCertError(err)
	}
	if resp == nil || resp.StatusCode != http.StatusBadRequest {
		return false
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return clientCertRefusal(resp.StatusCode, head)
}

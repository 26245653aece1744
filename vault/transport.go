package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Errors of the authenticating transport.
var (
	// ErrTooLarge: a response body is larger than TransportOptions.MaxBodyBytes.
	ErrTooLarge = errors.New("vault: response body too large")
	// ErrCrossOriginRedirect: a server redirected to another origin with the
	// credential in the new location (it echoed the secret). Not followed.
	ErrCrossOriginRedirect = errors.New("vault: refusing a cross-origin redirect that carries the credential")
	// ErrTooManyRedirects: more than TransportOptions.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("vault: too many redirects")
)

// Defaults of TransportOptions.
const (
	DefaultMaxBodyBytes   = 32 << 20
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRedirects   = 5
)

// TransportOptions configures NewClient. The zero value gives the defaults.
type TransportOptions struct {
	// Base sends the requests. Default: a fresh *http.Transport with dial,
	// TLS-handshake and response-header timeouts (never shared state with
	// http.DefaultTransport).
	Base http.RoundTripper
	// MaxBodyBytes caps a response body; reading past it fails with
	// ErrTooLarge, and a larger Content-Length fails upfront. Default 32 MiB.
	MaxBodyBytes int64
	// RequestTimeout bounds a whole request including reading the body, so
	// a slowly dripping server fails instead of hanging. Default 30 s.
	RequestTimeout time.Duration
	// MaxRedirects is the most redirects followed. Default 5.
	MaxRedirects int
	// Logger, optional, receives one line per request; its URLs go through
	// RedactURL and it never sees a secret.
	Logger *slog.Logger
	// Clock is the time source for token expiries. Default time.Now.
	Clock func() time.Time
}

type sourceCtxKey struct{}

// WithSource returns a context saying that requests made with it are made
// for src. The transport attaches src's credential only to requests src
// Covers: its origin, and under its path when src is a path prefix. Without
// it a request's source is SourceOf(its URL).
func WithSource(ctx context.Context, src Source) context.Context {
	return context.WithValue(ctx, sourceCtxKey{}, src)
}

// sourceFromContext returns the source set by WithSource.
func sourceFromContext(ctx context.Context) (Source, bool) {
	src, ok := ctx.Value(sourceCtxKey{}).(Source)
	return src, ok && src != ""
}

// NewClient returns an HTTP client that attaches the session credential of
// a request's source (see WithSource) the way the KeyVault records, only to
// that source's origin, and enforces lockout safety: nothing is sent for a
// source whose credential was rejected (ErrRejected), nor for one that
// needs a credential the session does not have (ErrNoCredentials). A 401,
// 403 or 498 answer to a credentialed request marks the credential rejected;
// a 2xx marks it verified. The response itself is returned unchanged.
//
// The caller's request is never modified: the credential goes on a clone
// inside the transport, so http.Client cannot copy it onto a redirect.
// A nil store is an empty one; a nil kv knows no methods (a username and
// password is still sent as HTTP Basic; an access key is not sent).
func NewClient(store *Store, kv *KeyVault, opt TransportOptions) *http.Client {
	if store == nil {
		store = NewStore()
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = DefaultRequestTimeout
	}
	if opt.MaxRedirects <= 0 {
		opt.MaxRedirects = DefaultMaxRedirects
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Base == nil {
		opt.Base = newBaseTransport(opt.RequestTimeout)
	}
	t := &authTransport{
		base:         opt.Base,
		store:        store,
		kv:           kv,
		maxBody:      opt.MaxBodyBytes,
		maxRedirects: opt.MaxRedirects,
		log:          opt.Logger,
		clock:        opt.Clock,
		auths:        map[Source]*sourceAuth{},
	}
	return &http.Client{
		Transport:     t,
		CheckRedirect: t.checkRedirect,
		Timeout:       opt.RequestTimeout,
	}
}

func newBaseTransport(timeout time.Duration) *http.Transport {
	dialTimeout := min(10*time.Second, timeout)
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
}

type authTransport struct {
	base         http.RoundTripper
	store        *Store
	kv           *KeyVault
	maxBody      int64
	maxRedirects int
	log          *slog.Logger
	clock        func() time.Time

	mu    sync.Mutex
	auths map[Source]*sourceAuth
}

// sourceAuth is the authenticator for one source's current credential,
// and the gate that lets one request at a time through while the
// credential is unconfirmed (a wrong password costs one request, not one
// per tile).
type sourceAuth struct {
	gen   uint64
	entry Entry
	auth  Authenticator
	gate  chan struct{}
}

// wrappedBase is the transport that sends (an authenticator that dials on
// its own, for a client certificate, clones it).
func (t *authTransport) wrappedBase() http.RoundTripper { return t.base }

// requestSource is the source a request is made for.
func requestSource(req *http.Request) (Source, bool) {
	if src, ok := sourceFromContext(req.Context()); ok {
		return src, true
	}
	src, err := sourceOfURL(req.URL)
	return src, err == nil
}

// sendAs returns the entry the transport sends cred with for src: the
// KeyVault's, when its scheme can carry cred; a username and password with
// no recorded method go as HTTP Basic (the one scheme that needs no
// detection). ok is false when cred cannot be sent (an access key with no
// recorded way to send it: the request goes bare and detection decides).
func sendAs(cred Credential, e Entry, hasEntry bool) (Scheme, Entry, bool) {
	if hasEntry {
		if sch, ok := SchemeFor(e.Method); ok && sch.Usable(cred) {
			return sch, e, true
		}
	}
	if cred.isPassword() {
		sch, _ := SchemeFor(MethodBasic)
		return sch, Entry{AuthRequired: true, Method: MethodBasic}, true
	}
	return nil, Entry{}, false
}

// authFor returns the cached authenticator for src's credential of
// generation gen, building it when the credential or the entry changed.
func (t *authTransport) authFor(src Source, gen uint64, sch Scheme, e Entry, cred Credential) (*sourceAuth, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sa, ok := t.auths[src]; ok && sa.gen == gen && sa.entry == e {
		return sa, nil
	}
	auth, err := sch.Authenticator(e, cred, t.env(src, gen))
	if err != nil {
		return nil, err
	}
	sa := &sourceAuth{gen: gen, entry: e, auth: auth, gate: make(chan struct{}, 1)}
	t.auths[src] = sa
	return sa, nil
}

// env is what src's authenticator may use: a plain client on the same
// base transport that follows no redirects (a token service answers
// directly), and a hook that writes renewed tokens back to the store
// (only while the credential is still generation gen).
func (t *authTransport) env(src Source, gen uint64) Env {
	return Env{
		Client: &http.Client{
			Transport:     t.base,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       DefaultRequestTimeout,
		},
		Clock:         t.clock,
		TokensChanged: func(tok *Token) { t.store.SetToken(src, gen, tok) },
	}
}

// secretsFor lists the secrets of src's current authenticator, or of the
// stored credential when none was built yet.
func (t *authTransport) secretsFor(src Source) []string {
	t.mu.Lock()
	sa, ok := t.auths[src]
	t.mu.Unlock()
	_, _, gen := t.store.entry(src)
	if ok && sa.gen == gen {
		return sa.auth.Secrets()
	}
	cred, _ := t.store.Get(src)
	return CredentialSecrets(cred)
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.refusedRedirect(req); err != nil {
		closeBody(req)
		return nil, err
	}
	src, ok := requestSource(req)
	if !ok || !src.Covers(req.URL) {
		return t.send(req, req, src, nil, "none")
	}
	var entry Entry
	var hasEntry bool
	if t.kv != nil {
		entry, hasEntry = t.kv.Get(src)
	}
	for {
		cred, st, gen := t.store.entry(src)
		switch {
		case st == StatusRejected:
			closeBody(req)
			t.log.Info("vault: not sent, credential rejected earlier", "url", RedactURL(req.URL.String()), "source", src.String())
			return nil, &AuthError{Source: src, Reason: ReasonRejected}
		case cred.IsZero() && hasEntry && entry.AuthRequired:
			closeBody(req)
			t.log.Info("vault: not sent, needs credentials", "url", RedactURL(req.URL.String()), "source", src.String())
			return nil, &AuthError{Source: src, Reason: needsReason(entry)}
		case cred.IsZero():
			return t.send(req, req, src, nil, "none")
		}
		sch, e, ok := sendAs(cred, entry, hasEntry)
		if !ok {
			// An access key without a recorded way to send it: go bare and
			// let the server (or detection) decide.
			return t.send(req, req, src, nil, "none")
		}
		sa, err := t.authFor(src, gen, sch, e, cred)
		if err != nil {
			closeBody(req)
			return nil, &AuthError{Source: src, Reason: ReasonNeedsCredentials, Detail: "the credential does not fit " + sch.Label()}
		}
		if st == StatusVerified {
			return t.sendAuth(req, src, sa)
		}
		// Unconfirmed: one request at a time until the server has judged it.
		select {
		case sa.gate <- struct{}{}:
		case <-req.Context().Done():
			closeBody(req)
			return nil, req.Context().Err()
		}
		if _, st2, gen2 := t.store.entry(src); gen2 != gen || st2 != StatusUnknown {
			<-sa.gate
			continue // judged (or replaced) while we waited: decide again
		}
		resp, err := t.sendAuth(req, src, sa)
		<-sa.gate
		return resp, err
	}
}

// needsReason is the blocked reason for a protected source with no
// credential in the session.
func needsReason(e Entry) AuthReason {
	if sch, ok := SchemeFor(e.Method); ok {
		n := sch.Needs()
		switch {
		case n.SignIn:
			return ReasonNeedsSignIn
		case n.Certificate:
			return ReasonNeedsCertificate
		}
	}
	return ReasonNeedsCredentials
}

// sendAuth sends req with sa's credential and judges the answer: 401, 403
// and 498 reject the credential (after one renewal for schemes whose
// credential expires), a 2xx confirms it.
func (t *authTransport) sendAuth(req *http.Request, src Source, sa *sourceAuth) (*http.Response, error) {
	how := string(sa.entry.Method)
	if sa.entry.Param != "" {
		how += " " + sa.entry.Param
	}
	retry, err := cloneForRetry(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.sendWith(req, src, sa, how)
	if errors.Is(err, errNotSendable) {
		// The request already names the parameter or header the
		// credential would take: it is never overwritten; it goes as is,
		// and its answer says nothing about the credential.
		return t.send(req, retry, src, nil, "none")
	}
	if err != nil || !isRefusal(resp) {
		return t.judge(req, resp, err, src, sa)
	}
	if r, ok := sa.auth.(Renewer); ok && expiredAnswer(resp) {
		drainClose(resp)
		t.log.Info("vault: credential expired, renewing once", "source", src.String())
		if rerr := r.Renew(req.Context()); rerr != nil {
			t.store.markIf(src, sa.gen, StatusRejected)
			return nil, &AuthError{Source: src, Reason: ReasonExpired, Detail: "renewal failed"}
		}
		resp, err = t.sendWith(retry, src, sa, how)
	}
	return t.judge(req, resp, err, src, sa)
}

func (t *authTransport) sendWith(req *http.Request, src Source, sa *sourceAuth, how string) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Body = req.Body
	start := time.Now()
	resp, err := sa.auth.RoundTrip(out, t.base)
	if errors.Is(err, errNotSendable) {
		return nil, err
	}
	if err != nil {
		err = scrubError(err, sa.auth.Secrets())
		t.log.Info("vault: request failed", "url", RedactURL(req.URL.String()), "credential", how, "error", err.Error())
		return nil, err
	}
	t.log.Debug("vault: response", "url", RedactURL(req.URL.String()), "credential", how,
		"status", resp.StatusCode, "elapsed", time.Since(start).Round(time.Millisecond))
	return resp, nil
}

// refusalJudge is implemented by authenticators whose credential a server
// can refuse otherwise than with 401, 403 or 498 (a client certificate: a
// TLS alert, nginx's 400 page). refused may read a little of resp's body
// and must leave it readable from its start.
type refusalJudge interface {
	refused(resp *http.Response, err error) bool
}

// judge applies lockout bookkeeping to the final answer and wraps it.
func (t *authTransport) judge(req *http.Request, resp *http.Response, err error, src Source, sa *sourceAuth) (*http.Response, error) {
	if errors.Is(err, ErrRejected) {
		// The scheme's token service refused the credential; nothing
		// went to the source.
		if t.store.markIf(src, sa.gen, StatusRejected) {
			t.log.Warn("vault: credential rejected by the token service", "source", src.String())
		}
		return nil, &AuthError{Source: src, Reason: ReasonRejected, Detail: "the token service rejected the credential"}
	}
	if rj, ok := sa.auth.(refusalJudge); ok && rj.refused(resp, err) {
		if t.store.markIf(src, sa.gen, StatusRejected) {
			t.log.Warn("vault: credential rejected", "source", src.String(), "credential", string(sa.entry.Method))
		}
		if err != nil {
			ae := &AuthError{Source: src, Reason: ReasonRejected}
			if isClientCertError(err) {
				ae.Detail = "refused during the TLS handshake"
			}
			return nil, ae
		}
		return t.wrap(req, resp)
	}
	if err != nil {
		if ae := clientCertError(src, err); ae != nil {
			return nil, ae
		}
		return nil, err
	}
	switch code := resp.StatusCode; {
	case isRefusal(resp):
		if t.store.markIf(src, sa.gen, StatusRejected) {
			t.log.Warn("vault: credential rejected", "source", src.String(), "status", code)
		}
	case code >= 200 && code < 300:
		if _, st, gen := t.store.entry(src); gen == sa.gen && st == StatusUnknown && expectsImage(req) && !isImageType(mediaType(resp.Header.Get("Content-Type"))) {
			// The first answer to an unconfirmed credential, for a map
			// image, is an error document (an OGC exception, a JSON error,
			// a login page): the credential did not open the service. It is
			// not sent again; the user is asked, instead of one refusal
			// per tile.
			if t.store.markIf(src, sa.gen, StatusRejected) {
				t.log.Warn("vault: credential rejected", "source", src.String(), "status", code, "content_type", mediaType(resp.Header.Get("Content-Type")))
			}
			break
		}
		if jc := jsonRefusal(resp); jc != 0 {
			// ArcGIS and API gateways refuse with HTTP 200 and a JSON error
			// ({"error": {"code": 498}}): as good as the status.
			if t.store.markIf(src, sa.gen, StatusRejected) {
				t.log.Warn("vault: credential rejected", "source", src.String(), "status", code, "json_code", jc)
			}
			break
		}
		t.store.markIf(src, sa.gen, StatusVerified)
	}
	return t.wrap(req, resp)
}

// expectsImage reports a map-image request: a WMS GetMap, a WMTS GetTile
// (KVP), or a request for an image format.
func expectsImage(req *http.Request) bool {
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			switch {
			case strings.EqualFold(k, "request") && (strings.EqualFold(v, "GetMap") || strings.EqualFold(v, "GetTile")):
				return true
			case strings.EqualFold(k, "format") && strings.HasPrefix(strings.ToLower(v), "image/"):
				return true
			}
		}
	}
	return false
}

// jsonRefusal peeks at a JSON 2xx answer (at most 4 KiB, put back for the
// caller) and returns its error code when it is a refusal (401, 403, 498,
// 499); 0 otherwise, and for every other content type.
func jsonRefusal(resp *http.Response) int {
	mt := mediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" && mt != "text/json" && !strings.HasSuffix(mt, "+json") && mt != "text/plain" {
		return 0
	}
	head := make([]byte, 4<<10)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), rest), rest}
	if err == nil {
		return 0 // longer than an error document
	}
	switch c := jsonErrorCode(head); c {
	case http.StatusUnauthorized, http.StatusForbidden, StatusTokenInvalid, StatusTokenRequired:
		return c
	}
	return 0
}

// isRefusal: the server refused the credential.
func isRefusal(resp *http.Response) bool {
	code := resp.StatusCode
	return code == http.StatusUnauthorized || code == http.StatusForbidden || code == StatusTokenInvalid
}

// expiredAnswer: the refusal says the credential expired, not that it is
// wrong: 498 Invalid Token, or a Bearer challenge with error="invalid_token".
func expiredAnswer(resp *http.Response) bool {
	if resp.StatusCode == StatusTokenInvalid {
		return true
	}
	for _, c := range ParseChallenges(resp.Header) {
		if equalFoldASCII(c.Scheme, "Bearer") && c.Param("error") == "invalid_token" {
			return true
		}
	}
	return false
}

// send performs a request that carries no credential.
func (t *authTransport) send(req, out *http.Request, src Source, secrets []string, how string) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		err = scrubError(err, secrets)
		if ae := clientCertError(src, err); ae != nil {
			return nil, ae
		}
		t.log.Info("vault: request failed", "url", RedactURL(req.URL.String()), "credential", how, "error", err.Error())
		return nil, err
	}
	t.log.Debug("vault: response", "url", RedactURL(req.URL.String()), "credential", how,
		"status", resp.StatusCode, "elapsed", time.Since(start).Round(time.Millisecond))
	return t.wrap(req, resp)
}

// wrap hands the answer back for the caller's request (never the
// credentialed clone) with its body capped.
func (t *authTransport) wrap(req *http.Request, resp *http.Response) (*http.Response, error) {
	resp.Request = req
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		t.log.Info("vault: response too large", "url", RedactURL(req.URL.String()), "declared", resp.ContentLength, "limit", t.maxBody)
		return nil, fmt.Errorf("%w: %d bytes declared, limit %d", ErrTooLarge, resp.ContentLength, t.maxBody)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.maxBody + 1, limit: t.maxBody}
	return resp, nil
}

func drainClose(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// refuseHeader marks a redirect request that checkRedirect refused; the
// transport answers it with the error and never sends it. (Returning the
// error from CheckRedirect would make http.Client quote the raw Location,
// which may carry an echoed secret, in its *url.Error.)
const refuseHeader = "Mapvault-Refuse-Redirect"

const (
	refuseCrossOrigin = "cross-origin"
	refuseTooMany     = "too-many"
)

func (t *authTransport) checkRedirect(req *http.Request, via []*http.Request) error {
	src, ok := sourceFromContext(req.Context())
	if !ok {
		s, err := sourceOfURL(via[0].URL)
		if err != nil {
			s = ""
		}
		src = s
	}
	secrets := t.secretsFor(src)
	refuse := func(why string) error {
		// Show only the origin in any error http.Client builds from req.
		req.URL = &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: "/"}
		req.Header.Set(refuseHeader, why)
		return nil
	}
	if len(via) > t.maxRedirects {
		return refuse(refuseTooMany)
	}
	if src != "" && src.SameOrigin(req.URL) {
		// A server that echoes a query key into a same-origin Location:
		// drop it from the URL (the transport attaches it again on its
		// clone), so the secret never shows in a URL the caller sees.
		stripSecretParams(req.URL, secrets)
		return nil
	}
	if urlCarries(req.URL, secrets) {
		t.log.Warn("vault: refused cross-origin redirect carrying the credential", "source", src.String(), "to", OriginOf(req.URL))
		return refuse(refuseCrossOrigin)
	}
	t.log.Debug("vault: following cross-origin redirect without credential", "source", src.String(), "to", RedactURL(req.URL.String()))
	return nil
}

// refusedRedirect returns the error for a request checkRedirect refused.
func (t *authTransport) refusedRedirect(req *http.Request) error {
	switch req.Header.Get(refuseHeader) {
	case "":
		return nil
	case refuseTooMany:
		return fmt.Errorf("%w (more than %d)", ErrTooManyRedirects, t.maxRedirects)
	default:
		return fmt.Errorf("%w (to %s)", ErrCrossOriginRedirect, OriginOf(req.URL))
	}
}

// CredentialSecrets lists the secret strings of c and the forms they take
// on the wire, before any scheme has used it (an Authenticator's Secrets
// adds what it obtains, such as tokens). The username is not secret.
func CredentialSecrets(c Credential) []string {
	var out []string
	if c.Username != "" || c.Password != "" {
		out = append(out, passwordSecrets(c.Username, c.Password)...)
	}
	if c.Key != "" {
		out = append(out, keySecrets(c.Key)...)
	}
	if c.Token != nil {
		for _, s := range []string{c.Token.AccessToken, c.Token.RefreshToken} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// minMatchLen: shorter secrets are not searched for in redirect URLs (a
// 3-letter password matches half the web); they are still never sent.
const minMatchLen = 4

// urlCarries reports whether u contains any of secrets, raw or unescaped.
func urlCarries(u *url.URL, secrets []string) bool {
	forms := []string{u.String()}
	if s, err := url.QueryUnescape(u.RawQuery); err == nil {
		forms = append(forms, s)
	}
	if s, err := url.PathUnescape(u.EscapedPath()); err == nil {
		forms = append(forms, s)
	}
	for _, sec := range secrets {
		if len(sec) < minMatchLen {
			continue
		}
		for _, f := range forms {
			if strings.Contains(f, sec) {
				return true
			}
		}
	}
	return false
}

// stripSecretParams removes from u's query every parameter whose value is
// one of secrets, keeping the others in their original order and encoding.
func stripSecretParams(u *url.URL, secrets []string) {
	if u.RawQuery == "" || len(secrets) == 0 {
		return
	}
	parts := strings.Split(u.RawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		_, v, _ := strings.Cut(p, "=")
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		secret := false
		for _, s := range secrets {
			if s != "" && (dv == s || v == s) {
				secret = true
				break
			}
		}
		if !secret {
			kept = append(kept, p)
		}
	}
	u.RawQuery = strings.Join(kept, "&")
}

func hasQueryParam(u *url.URL, name string) bool {
	for _, p := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if k != "" && strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// validParamName reports whether name is an RFC 7230 token of at most 64
// bytes: usable as a query parameter or header name.
func validParamName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// scrubbedError hides secrets from an error's text while still matching
// errors.Is against the original chain. It deliberately does not Unwrap,
// so the original text cannot be reached by unwrapping either.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string        { return e.msg }
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// Timeout keeps net/http's and the caller's timeout checks working.
func (e *scrubbedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

func scrubString(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
	}
	return s
}

// scrubError returns err, or a scrubbedError when its text contains a secret.
func scrubError(err error, secrets []string) error {
	msg := err.Error()
	clean := scrubString(msg, secrets)
	if clean == msg {
		return err
	}
	return &scrubbedError{msg: clean, err: err}
}

// cappedBody fails with ErrTooLarge once more than limit bytes were read.
// Not safe for concurrent Reads (no body is); Close may race with Read.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64 // limit+1 minus bytes read
	limit int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.limit)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if c.left <= 0 {
		return n - 1, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.limit)
	}
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }

package vault

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
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
}

type sourceCtxKey struct{}

// WithSource returns a context saying that requests made with it are made
// for src. The transport attaches src's credential only to requests whose
// URL has src's origin. Without it a request's source is SourceOf(its URL).
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
}

// requestSource is the source a request is made for.
func requestSource(req *http.Request) (Source, bool) {
	if src, ok := sourceFromContext(req.Context()); ok {
		return src, true
	}
	src, err := sourceOfURL(req.URL)
	return src, err == nil
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.refusedRedirect(req); err != nil {
		closeBody(req)
		return nil, err
	}
	src, ok := requestSource(req)
	if !ok || !src.SameOrigin(req.URL) {
		return t.send(req, req, src, nil, "none")
	}
	var entry Entry
	var hasEntry bool
	if t.kv != nil {
		entry, hasEntry = t.kv.Get(src)
	}
	cred, st := t.store.Get(src)
	switch {
	case st == StatusRejected:
		closeBody(req)
		t.log.Info("vault: not sent, credential rejected earlier", "url", RedactURL(req.URL.String()), "source", src.String())
		return nil, fmt.Errorf("%w for %s", ErrRejected, src)
	case cred.IsZero() && hasEntry && entry.AuthRequired:
		closeBody(req)
		t.log.Info("vault: not sent, needs credentials", "url", RedactURL(req.URL.String()), "source", src.String())
		return nil, fmt.Errorf("%w for %s", ErrNoCredentials, src)
	case cred.IsZero():
		return t.send(req, req, src, nil, "none")
	}
	cand, ok := candidateFor(cred, entry, hasEntry)
	if !ok {
		// An access key without a recorded way to send it: go bare and
		// let the server (or detection) decide.
		return t.send(req, req, src, nil, "none")
	}
	out, secrets, ok := attachCredential(req, cred, cand)
	if !ok {
		return t.send(req, req, src, nil, "none")
	}
	return t.send(req, out, src, secrets, describeCandidate(cand))
}

// send performs out (req itself, or its credentialed clone) and applies
// lockout bookkeeping when secrets were attached.
func (t *authTransport) send(req, out *http.Request, src Source, secrets []string, how string) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		err = scrubError(err, secrets)
		t.log.Info("vault: request failed", "url", RedactURL(req.URL.String()), "credential", how, "error", err.Error())
		return nil, err
	}
	resp.Request = req // never hand the credentialed clone back to the caller
	credentialed := len(secrets) > 0
	t.log.Debug("vault: response", "url", RedactURL(req.URL.String()), "credential", how,
		"status", resp.StatusCode, "elapsed", time.Since(start).Round(time.Millisecond))
	if credentialed {
		switch code := resp.StatusCode; {
		case code == http.StatusUnauthorized || code == http.StatusForbidden || code == StatusTokenInvalid:
			if c, st := t.store.Get(src); st != StatusRejected && sameCredential(c, secrets) {
				t.store.MarkRejected(src)
				t.log.Warn("vault: credential rejected", "source", src.String(), "status", code)
			}
		case code >= 200 && code < 300:
			if c, st := t.store.Get(src); st != StatusVerified && st != StatusRejected && sameCredential(c, secrets) {
				t.store.MarkVerified(src)
			}
		}
	}
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		t.log.Info("vault: response too large", "url", RedactURL(req.URL.String()), "declared", resp.ContentLength, "limit", t.maxBody)
		return nil, fmt.Errorf("%w: %d bytes declared, limit %d", ErrTooLarge, resp.ContentLength, t.maxBody)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.maxBody + 1, limit: t.maxBody}
	return resp, nil
}

// sameCredential reports whether c still is the credential whose secrets
// were sent (the user may have entered a new one meanwhile).
func sameCredential(c Credential, sent []string) bool {
	got := credentialSecrets(c)
	if len(got) == 0 || len(sent) == 0 {
		return false
	}
	return got[0] == sent[0]
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
	cred, _ := t.store.Get(src)
	secrets := credentialSecrets(cred)
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

// candidateFor says how the transport sends cred for a source with the
// given KeyVault entry. A username and password only ever go as Basic.
func candidateFor(cred Credential, e Entry, hasEntry bool) (Candidate, bool) {
	if cred.Username != "" || cred.Password != "" {
		return Candidate{Method: MethodBasic}, true
	}
	if cred.Key == "" || !hasEntry || !validParamName(e.Param) {
		return Candidate{}, false
	}
	switch e.Method {
	case MethodQuery, MethodHeader:
		return Candidate{Method: e.Method, Param: e.Param}, true
	}
	return Candidate{}, false
}

// attachCredential returns a clone of req carrying cred as cand says, and
// the secret strings that went out (for scrubbing and bookkeeping). It
// reports false (and no clone) when cand cannot carry cred, or when req
// already has a parameter or header of that name: it never overwrites.
func attachCredential(req *http.Request, cred Credential, cand Candidate) (*http.Request, []string, bool) {
	basic := cred.Username != "" || cred.Password != ""
	switch cand.Method {
	case MethodBasic:
		if !basic || req.Header.Get("Authorization") != "" {
			return nil, nil, false
		}
		out := req.Clone(req.Context())
		out.SetBasicAuth(cred.Username, cred.Password)
		return out, credentialSecrets(cred), true
	case MethodQuery:
		if basic || cred.Key == "" || !validParamName(cand.Param) || hasQueryParam(req.URL, cand.Param) {
			return nil, nil, false
		}
		out := req.Clone(req.Context())
		u := *req.URL
		pair := url.QueryEscape(cand.Param) + "=" + url.QueryEscape(cred.Key)
		if u.RawQuery == "" {
			u.RawQuery = pair
		} else {
			u.RawQuery += "&" + pair
		}
		u.ForceQuery = false
		out.URL = &u
		return out, credentialSecrets(cred), true
	case MethodHeader:
		if basic || cred.Key == "" || !validParamName(cand.Param) || req.Header.Get(cand.Param) != "" {
			return nil, nil, false
		}
		out := req.Clone(req.Context())
		if http.CanonicalHeaderKey(cand.Param) == "Authorization" {
			out.Header.Set("Authorization", "Bearer "+cred.Key)
		} else {
			out.Header.Set(cand.Param, cred.Key)
		}
		return out, credentialSecrets(cred), true
	}
	return nil, nil, false
}

func describeCandidate(c Candidate) string {
	switch c.Method {
	case MethodBasic:
		return "basic"
	case MethodQuery:
		return "query " + c.Param
	case MethodHeader:
		return "header " + c.Param
	}
	return "none"
}

// credentialSecrets lists the secret strings of c and the forms they take
// on the wire; the first is the canonical one. The username is not secret.
func credentialSecrets(c Credential) []string {
	switch {
	case c.Username != "" || c.Password != "":
		out := []string{c.Password, base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))}
		if e := url.QueryEscape(c.Password); e != c.Password {
			out = append(out, e)
		}
		if c.Password == "" {
			out = out[1:]
		}
		return out
	case c.Key != "":
		out := []string{c.Key}
		if e := url.QueryEscape(c.Key); e != c.Key {
			out = append(out, e)
		}
		if e := url.PathEscape(c.Key); e != c.Key {
			out = append(out, e)
		}
		return out
	}
	return nil
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

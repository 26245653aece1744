package vault

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Scheme is one way a source authenticates (HTTP Basic, Digest, a key in a
// query parameter or header, a token service, OAuth2, a client
// certificate). Everything that differs between schemes lives behind this
// interface: detection, the transport, the KeyVault codec, the keychain and
// the prompts read the registry (Schemes, SchemeFor) and never switch on a
// Method. Adding a scheme is one new file and one line in the registry.
//
// A Scheme is stateless and safe for concurrent use; per-source state (a
// Digest nonce, a token and its expiry) lives in the Authenticator it makes.
type Scheme interface {
	// Method is the name the KeyVault records ("basic", "digest", ...).
	Method() Method
	// Label is a short human name ("HTTP Digest").
	Label() string
	// Needs says what the user has to provide, for the prompt and the CLI.
	Needs() Needs
	// Check validates the scheme's non-secret parameters of e (what the
	// KeyVault records). It returns "" when e is valid, else a message that
	// never repeats a value that could be a secret.
	Check(e Entry) string
	// Usable reports whether c holds what the scheme sends (a username and
	// password, an access key, a certificate, tokens).
	Usable(c Credential) bool
	// Candidates returns the entries detection tries for c, in order, given
	// what the bare request answered and what the user said. None when the
	// scheme does not apply.
	Candidates(c Credential, bare Answer, hint Hint) []Entry
	// Authenticator returns the per-source state that sends c the way e
	// says. It is created once per credential and source and reused for
	// every request of that source.
	Authenticator(e Entry, c Credential, env Env) (Authenticator, error)
}

// Authenticator attaches one source's credential to its requests. It is
// safe for concurrent use.
type Authenticator interface {
	// RoundTrip sends req, a clone the authenticator may modify, through
	// next with the credential attached, doing whatever exchanges the
	// scheme needs first (answering a challenge, obtaining or renewing a
	// token). It returns the last answer. It must not follow redirects and
	// must not send the credential to any origin but req's, except a
	// scheme's own token endpoint, which receives only what it is for.
	// When that endpoint refuses the credential (a wrong password), it
	// sends nothing to req's origin and returns an error matching
	// ErrRejected, which detection and the transport treat as the
	// server's refusal.
	RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error)
	// Secrets lists every form a secret of this credential takes on the
	// wire or in an answer (raw, encoded, tokens obtained so far), for
	// scrubbing and for refusing redirects that echo one. The first entry
	// identifies the credential.
	Secrets() []string
}

// Renewer is implemented by authenticators whose credential expires (a
// token): Renew discards what was obtained so that the next request gets a
// fresh one. The transport calls it once after an answer that says
// "expired" (498 Invalid Token, 401 error="invalid_token"), then retries
// the request once; a second refusal is a rejection.
type Renewer interface {
	Renew(ctx context.Context) error
}

// Needs is what a scheme asks the user for.
type Needs struct {
	Username bool       // a user name (Basic, Digest, ArcGIS token service)
	Secret   SecretKind // which secret, if any
	// Certificate: a client certificate file (PKCS#12 or PEM), picked per
	// machine; the Secret is then the file's password, if it has one.
	Certificate bool
	// SignIn: the credential is obtained interactively in the system
	// browser (OAuth2); nothing is typed into mapvault.
	SignIn bool
	// Fields are the non-secret parameters the prompt shows for editing,
	// by KeyVault field name ("param", "token_url", "issuer", "client_id",
	// "scope").
	Fields []string
}

// SecretKind names the secret a scheme needs, for labels and prompts.
type SecretKind string

const (
	SecretNone         SecretKind = ""
	SecretPassword     SecretKind = "password"
	SecretKey          SecretKind = "access key"
	SecretExchangeKey  SecretKind = "secret key"
	SecretClientSecret SecretKind = "client secret"
	SecretCertPassword SecretKind = "certificate password"
)

// Answer is what detection learned from the bare (credential-less) request:
// its verdict and the challenges the server sent.
type Answer struct {
	Verdict    Verdict
	Status     int
	Challenges []Challenge // parsed WWW-Authenticate, in order
	// TokenRequired: the server said "token required" (ArcGIS 499, as a
	// status or as JSON inside a 200).
	TokenRequired bool
	// ClientCertRequired: the TLS handshake or a 400 said the server wants
	// a client certificate.
	ClientCertRequired bool
	// URL is where the answer came from (the target, after same-origin
	// redirects; the bare request carries no credential), for a Discoverer
	// that looks next to it (an ArcGIS server's rest/info) or checks
	// metadata the answer points at against it (OAuth2 protected-resource
	// metadata must be the resource's own). It holds no secret.
	URL string
	// Discovered is what a Discoverer learned from this answer (a token
	// service URL) when the user gave a credential; Candidates build on
	// it. Zero when nothing was learned.
	Discovered Entry
}

// Challenge returns the first challenge of the given scheme (case
// insensitive), if the server sent one.
func (a Answer) Challenge(scheme string) (Challenge, bool) {
	for _, c := range a.Challenges {
		if equalFoldASCII(c.Scheme, scheme) {
			return c, true
		}
	}
	return Challenge{}, false
}

// Hint is what the user (or the pasted URL, or the KeyVault) said about how
// the source authenticates. Every field is optional and non-secret.
type Hint struct {
	Param    string // a query parameter name (from the URL or --param)
	TokenURL string // a token service URL (--token-url)
	Issuer   string // an OAuth2 issuer
	ClientID string
	Scope    string
	// SignIn: the user marked the source "requires sign-in"; an anonymous
	// answer does not end detection.
	SignIn bool
	// Method, when set, restricts detection to that scheme.
	Method Method
}

// Env is what an Authenticator may use besides the request it is given.
type Env struct {
	// Client is a plain client (no credentials attached, no redirects to
	// other origins followed with a secret) for a scheme's own exchanges:
	// a token service, OAuth2 metadata and token endpoints.
	Client *http.Client
	// Clock is the time source for expiries. Default time.Now.
	Clock func() time.Time
	// TokensChanged, optional, is told the new tokens after an
	// authenticator renewed a signed-in credential's tokens by itself (an
	// OAuth2 refresh; refresh tokens rotate, so the old ones are dead). The
	// transport sets it to keep the session Store's credential current. It
	// must not call back into the authenticator; the Token is never
	// modified afterwards.
	TokensChanged func(*Token)
	// Shared, optional, is shared by the authenticators detection makes
	// for one credential and source, so that candidates which differ only
	// in where a token goes obtain it once (one exchange, one password
	// attempt). Nil: an authenticator keeps what it obtains to itself.
	Shared *Shared
}

// Shared holds what the authenticators of one credential obtain (a token
// service's answer), under keys of their scheme's choosing. The zero value
// is ready; it is safe for concurrent use and must not be copied.
type Shared struct {
	mu sync.Mutex
	m  map[string]any
}

// load returns what is stored under key, storing newValue() first when
// nothing is. A nil s stores nothing: every call gets a new value.
func (s *Shared) load(key string, newValue func() any) any {
	if s == nil {
		return newValue()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return v
	}
	if s.m == nil {
		s.m = map[string]any{}
	}
	v := newValue()
	s.m[key] = v
	return v
}

func (e Env) now() time.Time {
	if e.Clock != nil {
		return e.Clock()
	}
	return time.Now()
}

// plainClient is Client made to follow no redirects (a metadata or token
// endpoint answers directly), or a fresh client with the default timeouts
// when there is none: never http.DefaultClient or its transport. Callers
// make one per flow and reuse it.
func (e Env) plainClient() *http.Client {
	var c http.Client
	if e.Client != nil {
		c = *e.Client
	}
	if c.Transport == nil {
		c.Transport = newBaseTransport(DefaultRequestTimeout)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultRequestTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// registry is the one list of schemes, in detection priority order. It is
// built once and never changed.
var registry = []Scheme{
	noneScheme{},
	basicScheme{},
	digestScheme{},
	oauth2Scheme{}, // before the key schemes: a client secret goes to the token endpoint, not to the resource
	queryScheme{},
	headerScheme{},
	tokenScheme{},
	clientCertScheme{},
}

// Schemes returns the registered schemes in detection priority order.
func Schemes() []Scheme { return slices.Clone(registry) }

// SchemeFor returns the scheme recorded as m.
func SchemeFor(m Method) (Scheme, bool) {
	for _, s := range registry {
		if s.Method() == m {
			return s, true
		}
	}
	return nil, false
}

// Known reports whether m is a registered scheme.
func (m Method) Known() bool {
	_, ok := SchemeFor(m)
	return ok
}

// Label is the scheme's human name, or the method name when unknown.
func (m Method) Label() string {
	if s, ok := SchemeFor(m); ok {
		return s.Label()
	}
	return string(m)
}

// methodNames lists the registered method names, for error messages.
func methodNames() []string {
	out := make([]string, len(registry))
	for i, s := range registry {
		out[i] = string(s.Method())
	}
	return out
}

// noneScheme is "no authentication": a source answered anonymously.
type noneScheme struct{}

func (noneScheme) Method() Method                              { return MethodNone }
func (noneScheme) Label() string                               { return "no authentication" }
func (noneScheme) Needs() Needs                                { return Needs{} }
func (noneScheme) Usable(Credential) bool                      { return false }
func (noneScheme) Candidates(Credential, Answer, Hint) []Entry { return nil }
func (noneScheme) Check(e Entry) string                        { return checkNoParams(e) }
func (noneScheme) Authenticator(Entry, Credential, Env) (Authenticator, error) {
	return nil, errNotSendable
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

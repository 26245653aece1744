package vault

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultOAuth2ClientID is the client id mapvault signs in as when neither
// the user nor the KeyVault names one: the public native-app client an
// authorization server registers for mapvault (redirect URI
// http://127.0.0.1/callback, any port, PKCE).
const DefaultOAuth2ClientID = "mapvault"

// Refresh timing of the OAuth2 authenticator.
const (
	// RefreshMargin is how long before its expiry an access token is
	// refreshed at most; a short-lived token is refreshed when a quarter
	// of its lifetime is left.
	RefreshMargin = 30 * time.Second
	// refreshRetryDelay: after a token request that failed without the
	// server's verdict (network, 5xx), no new attempt before a request
	// for this long; the old token goes out meanwhile.
	refreshRetryDelay = 10 * time.Second
	// maxPastSecrets bounds the earlier tokens kept for scrubbing.
	maxPastSecrets = 64
)

// errNoRefreshToken: the sign-in gave no refresh token, so the access
// token cannot be renewed; only a new sign-in helps. It counts as the
// server's refusal (the synthetic 401 of RoundTrip).
var errNoRefreshToken = &OAuth2Error{Op: "refresh", Code: "invalid_grant", Status: http.StatusBadRequest, detail: "no refresh token"}

// oauth2Scheme is OAuth2 / OpenID Connect (RFC 6749, 6750): the access
// token of a sign-in in the system browser (authorization code with PKCE,
// see SignIn), refreshed before it expires, sent as "Authorization:
// Bearer"; or, for scripts, a client secret (a Credential holding only a
// Key) exchanged at the token endpoint by the client credentials grant.
//
// The KeyVault records the issuer, the client id and the scope; the
// endpoints come from the issuer's metadata (DiscoverOAuth2) each session.
// With no credential, a 401 "Bearer resource_metadata=..." (RFC 9728) is
// enough to find the issuer (Discover).
type oauth2Scheme struct{}

func (oauth2Scheme) Method() Method { return MethodOAuth2 }
func (oauth2Scheme) Label() string  { return "OAuth2" }

// Needs: a sign-in in the browser, nothing typed. (A script may give a
// client secret instead; the prompt does not ask for one.)
func (oauth2Scheme) Needs() Needs {
	return Needs{SignIn: true, Fields: []string{"issuer", "client_id", "scope"}}
}

func (oauth2Scheme) Check(e Entry) string {
	if msg := checkOnly(e, "issuer", "client_id", "scope"); msg != "" {
		return msg
	}
	if msg := checkURLField("issuer", e.Issuer, true); msg != "" {
		return msg
	}
	if msg := checkClientID(e.ClientID); msg != "" {
		return msg
	}
	return checkScope(e.Scope)
}

// Usable: signed-in tokens, or a client secret (a Key alone). A key is
// only ever sent this way when the KeyVault or detection chose OAuth2
// for the source (see Candidates).
func (oauth2Scheme) Usable(c Credential) bool { return c.isToken() || c.isKey() }

// Candidates: one entry, when the issuer is known (the user, the KeyVault
// or the resource's metadata named it; detection completes the hint with
// Discover). It comes before the key schemes, and detection sends it alone
// first: a client secret goes to the token endpoint, not to the resource.
func (s oauth2Scheme) Candidates(c Credential, bare Answer, hint Hint) []Entry {
	if !s.Usable(c) || hint.Issuer == "" {
		return nil
	}
	return []Entry{oauth2Entry(hint)}
}

// oauth2Entry is the entry for what hint says.
func oauth2Entry(hint Hint) Entry {
	id := hint.ClientID
	if id == "" {
		id = DefaultOAuth2ClientID
	}
	return Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: hint.Issuer, ClientID: id, Scope: hint.Scope}
}

// Discover finds the issuer with no credential: from the protected
// resource metadata a Bearer challenge names (fetched only on the
// resource's origin), or from the hint when the challenge names none (or
// the user said OAuth2). The issuer's metadata is fetched to confirm it
// (RFC 8414 §3.3). The scope is the hint's, else the one the challenge
// asks for.
func (oauth2Scheme) Discover(ctx context.Context, bare Answer, hint Hint, env Env) (Entry, bool) {
	ch, bearer := bare.Challenge("Bearer")
	if !bearer && hint.Method != MethodOAuth2 {
		return Entry{}, false
	}
	client := env.plainClient()
	if hint.Issuer == "" {
		rm := ch.Param("resource_metadata")
		if rm == "" {
			return Entry{}, false
		}
		issuer, err := resourceIssuer(ctx, client, bare.URL, rm)
		if err != nil {
			return Entry{}, false
		}
		hint.Issuer = issuer
	}
	if hint.Scope == "" && checkScope(ch.Param("scope")) == "" {
		hint.Scope = ch.Param("scope")
	}
	e := oauth2Entry(hint)
	if (oauth2Scheme{}).Check(e) != "" {
		return Entry{}, false
	}
	if _, err := discoverOAuth2(ctx, client, e.Issuer); err != nil {
		return Entry{}, false
	}
	return e, true
}

func (oauth2Scheme) Authenticator(e Entry, c Credential, env Env) (Authenticator, error) {
	a := &oauth2Auth{entry: e, env: env, client: env.plainClient(), sem: make(chan struct{}, 1)}
	if a.entry.ClientID == "" {
		a.entry.ClientID = DefaultOAuth2ClientID
	}
	switch {
	case c.isToken():
		t := *c.Token
		a.tok = &t
		a.margin = refreshMargin(a.tok, env.now())
	case c.isKey() && e.Issuer != "":
		a.secret = c.Key
	default:
		return nil, errNotSendable
	}
	return a, nil
}

// checkClientID validates a client id: optional (DefaultOAuth2ClientID),
// printable ASCII without spaces, at most 128 bytes, and not something
// that looks like a secret (a client secret pasted in the wrong field
// would otherwise land in the KeyVault file).
func checkClientID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) > 128 {
		return "client_id is longer than 128 bytes"
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return "client_id has a character that is not printable ASCII"
		}
	}
	if LooksSecret(id) {
		return "client_id looks like a secret, not a client id"
	}
	return ""
}

// checkScope validates a scope: scope tokens (RFC 6749 §3.3: printable
// ASCII without '"' and '\') separated by single spaces, at most 1024
// bytes, none looking like a secret.
func checkScope(scope string) string {
	if scope == "" {
		return ""
	}
	if len(scope) > 1024 {
		return "scope is longer than 1024 bytes"
	}
	if strings.Join(strings.Fields(scope), " ") != scope {
		return "scope: separate scopes with single spaces"
	}
	for _, tok := range strings.Split(scope, " ") {
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
				return "scope has a character a scope cannot have"
			}
		}
		if LooksSecret(tok) {
			return "scope looks like a secret"
		}
	}
	return ""
}

// isToken: OAuth2 tokens alone.
func (c Credential) isToken() bool {
	return c.Token != nil && (c.Token.AccessToken != "" || c.Token.RefreshToken != "") &&
		c.Username == "" && c.Password == "" && c.Key == "" && c.Certificate == nil
}

// refreshMargin is how long before t's expiry it is refreshed: a quarter
// of its remaining lifetime at most RefreshMargin; 0 when the expiry is
// unknown (then only a refusal renews it).
func refreshMargin(t *Token, now time.Time) time.Duration {
	if t.Expiry.IsZero() {
		return 0
	}
	return max(0, min(RefreshMargin, t.Expiry.Sub(now)/4))
}

// oauth2Auth sends an access token as "Authorization: Bearer", obtaining
// it first (client credentials), refreshing it before it expires, and
// renewing it once when the resource says it is invalid (Renew).
//
// Token work is serialised (sem): concurrent requests at expiry cause one
// refresh, and rotating refresh tokens are never used twice. A refresh the
// server refused (invalid_grant, a revoked sign-in) makes the
// authenticator dead: it tries no more and Renew fails, so the transport
// marks the source rejected after at most one more request to it.
type oauth2Auth struct {
	entry  Entry
	env    Env
	client *http.Client
	secret string // client secret (client credentials); "" for a sign-in

	sem chan struct{} // held during a token request

	mu      sync.Mutex
	tok     *Token
	margin  time.Duration
	meta    *OAuth2Metadata
	refused string    // the access token the resource refused last
	dead    error     // the server's refusal of the grant: only a new credential helps
	retryAt time.Time // no token request before this after a failure without verdict
	past    []string  // earlier tokens, for Secrets
}

func (a *oauth2Auth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return nil, errNotSendable
	}
	retry, err := cloneForRetry(req)
	if err != nil {
		return nil, err
	}
	access, err := a.access(req.Context())
	if err != nil {
		var oe *OAuth2Error
		if errors.As(err, &oe) && oe.refused() {
			// The token endpoint refused the client secret: that is the
			// verdict on the credential, given as the resource would.
			return refusedAnswer(req), nil
		}
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := next.RoundTrip(req)
		if err != nil || !expiredAnswer(resp) {
			return resp, err
		}
		a.mu.Lock()
		cur := a.currentAccess()
		if cur == access {
			a.refused = access // Renew refreshes only this one
		}
		a.mu.Unlock()
		if cur == access || cur == "" || attempt > 0 {
			return resp, nil
		}
		// Another request renewed the token while this one was under way:
		// send it once more with the new token.
		drainClose(resp)
		req, access = retry, cur
	}
}

// refusedAnswer is a 401 for a request whose credential the authorization
// server refused, so that the transport and detection judge it as the
// resource's refusal (the request itself was not sent).
func refusedAnswer(req *http.Request) *http.Response {
	h := http.Header{}
	h.Set("Www-Authenticate", `Bearer error="invalid_client"`)
	return &http.Response{
		Status: "401 Unauthorized", StatusCode: http.StatusUnauthorized,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: http.NoBody, ContentLength: 0, Request: req,
	}
}

// Renew refreshes the token after the resource refused it as invalid,
// unless another request renewed it meanwhile. It fails when the server
// refused a refresh before, or refuses this one.
func (a *oauth2Auth) Renew(ctx context.Context) error {
	if err := a.lock(ctx); err != nil {
		return err
	}
	defer a.unlock()
	a.mu.Lock()
	dead, stale := a.dead, a.refused != "" && a.refused == a.currentAccess()
	a.mu.Unlock()
	switch {
	case dead != nil:
		return dead
	case !stale:
		return nil // renewed by another request: retry with the new token
	}
	return a.obtain(ctx)
}

func (a *oauth2Auth) Secrets() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	if a.secret != "" {
		out = append(out, keySecrets(a.secret)...)
	}
	if a.tok != nil {
		for _, s := range []string{a.tok.AccessToken, a.tok.RefreshToken} {
			if s != "" {
				out = append(out, keySecrets(s)...)
			}
		}
	}
	return append(out, a.past...)
}

func (a *oauth2Auth) currentAccess() string {
	if a.tok == nil {
		return ""
	}
	return a.tok.AccessToken
}

func (a *oauth2Auth) lock(ctx context.Context) error {
	select {
	case a.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *oauth2Auth) unlock() { <-a.sem }

// due reports whether a token request is due: no access token yet, or one
// about to expire that can be renewed. Called with mu held.
func (a *oauth2Auth) due(now time.Time) bool {
	if a.dead != nil || now.Before(a.retryAt) {
		return false
	}
	if a.currentAccess() == "" {
		return true
	}
	renewable := a.secret != "" || a.tok.RefreshToken != ""
	return renewable && !a.tok.Expiry.IsZero() && !now.Before(a.tok.Expiry.Add(-a.margin))
}

// access returns the access token to send, obtaining or refreshing it
// first when due. When a refresh fails the old token, if any, is returned
// (the resource judges it); with none, the error.
func (a *oauth2Auth) access(ctx context.Context) (string, error) {
	a.mu.Lock()
	due, cur := a.due(a.env.now()), a.currentAccess()
	a.mu.Unlock()
	if !due {
		if cur == "" {
			return "", a.noToken()
		}
		return cur, nil
	}
	if err := a.lock(ctx); err != nil {
		return "", err
	}
	defer a.unlock()
	a.mu.Lock()
	due, cur = a.due(a.env.now()), a.currentAccess()
	a.mu.Unlock()
	if due {
		if err := a.obtain(ctx); err != nil && cur == "" {
			return "", err
		}
		a.mu.Lock()
		cur = a.currentAccess()
		a.mu.Unlock()
	}
	if cur == "" {
		return "", a.noToken()
	}
	return cur, nil
}

// noToken is the error for a request with no access token and none to be
// had now.
func (a *oauth2Auth) noToken() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.dead != nil {
		return a.dead
	}
	return &OAuth2Error{Op: "token", detail: "no access token yet (the token endpoint did not answer)"}
}

// obtain asks the token endpoint for a new access token (refresh, or client
// credentials) and keeps it. Called with sem held.
func (a *oauth2Auth) obtain(ctx context.Context) error {
	t, err := a.request(ctx)
	now := a.env.now()
	a.mu.Lock()
	if err != nil {
		var oe *OAuth2Error
		if errors.As(err, &oe) && (oe.refused() || oe == errNoRefreshToken) {
			a.dead = oe
		} else {
			a.retryAt = now.Add(refreshRetryDelay)
		}
		a.mu.Unlock()
		return err
	}
	if a.tok != nil {
		for _, s := range []string{a.tok.AccessToken, a.tok.RefreshToken} {
			if s != "" && s != t.AccessToken && s != t.RefreshToken {
				a.past = append(a.past, keySecrets(s)...)
			}
		}
		if n := len(a.past); n > maxPastSecrets {
			a.past = append([]string(nil), a.past[n-maxPastSecrets:]...)
		}
	}
	a.tok, a.margin = t, refreshMargin(t, now)
	a.refused, a.retryAt, a.dead = "", time.Time{}, nil
	signedIn := a.secret == ""
	a.mu.Unlock()
	if signedIn && a.env.TokensChanged != nil {
		a.env.TokensChanged(t)
	}
	return nil
}

// request performs one token request: the refresh grant for a sign-in (the
// refresh token rotates: the answer's replaces it, the old one is kept
// only when the server sends none), the client credentials grant for a
// secret.
func (a *oauth2Auth) request(ctx context.Context) (*Token, error) {
	meta, err := a.metadata(ctx)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, a.client)
	if a.secret != "" {
		cc := clientcredentials.Config{
			ClientID: a.entry.ClientID, ClientSecret: a.secret, TokenURL: meta.TokenEndpoint,
			Scopes: strings.Fields(a.entry.Scope), AuthStyle: secretAuthStyle(meta),
		}
		t, err := cc.Token(ctx)
		if err != nil {
			return nil, tokenError("client credentials", err, a.Secrets())
		}
		return tokenFrom(t, a.env.now())
	}
	a.mu.Lock()
	rt := a.tok.RefreshToken
	a.mu.Unlock()
	if rt == "" {
		return nil, errNoRefreshToken
	}
	cfg := oauth2.Config{
		ClientID: a.entry.ClientID,
		Endpoint: oauth2.Endpoint{TokenURL: meta.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
	}
	t, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		return nil, tokenError("refresh", err, a.Secrets())
	}
	return tokenFrom(t, a.env.now())
}

// metadata returns the issuer's metadata, fetched once.
func (a *oauth2Auth) metadata(ctx context.Context) (*OAuth2Metadata, error) {
	a.mu.Lock()
	m := a.meta
	a.mu.Unlock()
	if m != nil {
		return m, nil
	}
	m, err := discoverOAuth2(ctx, a.client, a.entry.Issuer)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.meta = m
	a.mu.Unlock()
	return m, nil
}

// secretAuthStyle is how a client secret goes to the token endpoint:
// HTTP Basic (client_secret_basic, RFC 6749's default), or in the form
// when the server advertises only client_secret_post. Never both.
func secretAuthStyle(m *OAuth2Metadata) oauth2.AuthStyle {
	basic, post := false, false
	for _, s := range m.TokenAuthMethods {
		basic = basic || s == "client_secret_basic"
		post = post || s == "client_secret_post"
	}
	if post && !basic {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// tokenFrom converts a token answer, stamping the expiry with now (env's
// clock). Only Bearer tokens can be sent.
func tokenFrom(t *oauth2.Token, now time.Time) (*Token, error) {
	if tt := t.TokenType; tt != "" && !equalFoldASCII(tt, "bearer") {
		return nil, &OAuth2Error{Op: "token", detail: "the token is not a Bearer token"}
	}
	out := &Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	switch {
	case t.ExpiresIn > 0:
		out.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	case !t.Expiry.IsZero():
		// The library stamped it with the wall clock: keep the lifetime.
		out.Expiry = now.Add(time.Until(t.Expiry))
	}
	return out, nil
}

// tokenError turns an error of the token endpoint into an *OAuth2Error
// with the status and a registered error code only (x/oauth2's own text
// quotes the server's answer, which could echo a secret).
func tokenError(op string, err error, secrets []string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		oe := &OAuth2Error{Op: op, Code: knownOAuth2Code(re.ErrorCode)}
		if re.Response != nil {
			oe.Status = re.Response.StatusCode
		}
		if oe.Code == "" && oe.Status == 0 {
			oe.detail = "the token endpoint answered no token"
		}
		return oe
	}
	detail := "the token endpoint's answer is not a token"
	var ue *url.Error
	if errors.As(err, &ue) {
		detail = "the token endpoint did not answer"
	}
	return &OAuth2Error{Op: op, Err: scrubError(err, secrets), detail: detail}
}

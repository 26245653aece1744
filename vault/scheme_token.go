package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The kinds of token service (Entry.TokenKind).
const (
	// TokenKindArcGIS is ArcGIS Server token security: a username and
	// password posted to generateToken for a token that expires.
	TokenKindArcGIS = "arcgis"
	// TokenKindExchange is a portal's key exchange: the user's secret key
	// posted to a token URL for an access key.
	TokenKindExchange = "exchange"
)

// Errors of the token scheme.
var (
	// ErrTokenService: a token service gave no usable token. A
	// *TokenError says what it answered; when it refused the credential
	// the error also matches ErrRejected.
	ErrTokenService = errors.New("vault: token service failed")
	// errTokenDowngrade: the source is https and its token service http;
	// the credential is not sent in the clear.
	errTokenDowngrade = fmt.Errorf("%w: it is http and the source https; the credential is not sent in the clear", ErrTokenService)
	// errTokenHTTPSOnly: the token service said its token must only travel
	// over HTTPS ("ssl": true) and the request is http.
	errTokenHTTPSOnly = fmt.Errorf("%w: its token may only travel over HTTPS and the source is http", ErrTokenService)
)

// TokenError is a token service's answer that held no token. Its text never
// holds a secret: the service's message is scrubbed of the credential and
// of every token obtained, and shortened.
type TokenError struct {
	Status  int    // HTTP status of the answer
	Code    int    // code of its JSON error, 0 when none
	Message string // the service's message, scrubbed; may be empty
	// Refused: the service judged the credential and refused it (a wrong
	// username or password, an unknown secret key).
	Refused bool
}

func (e *TokenError) Error() string {
	msg := "vault: the token service issued no token"
	if e.Refused {
		msg = "vault: the token service rejected the credential"
	}
	var what []string
	if e.Status != 0 {
		what = append(what, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Code != 0 {
		what = append(what, "error "+strconv.Itoa(e.Code))
	}
	if len(what) > 0 {
		msg += " (" + strings.Join(what, ", ") + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is matches ErrTokenService, and ErrRejected when the service refused the
// credential.
func (e *TokenError) Is(target error) bool {
	return target == ErrTokenService || (e.Refused && target == ErrRejected)
}

// Limits and defaults of the token scheme.
const (
	arcgisTokenParam = "token" // where ArcGIS takes its token
	// arcgisExpiration is the lifetime asked of generateToken, in minutes
	// (Esri's default; the server may give less).
	arcgisExpiration = 60
	// exchangeSecretField is the form field a portal takes the secret key
	// in: the name its "Remote Authentication" page shows, moved from the
	// URL to the POST body.
	exchangeSecretField = "secret_key"
	maxTokenAnswer      = 64 << 10 // bytes of a token service answer read
	maxInfoAnswer       = 256 << 10
	maxTokenLen         = 8 << 10
	maxTokenMessage     = 160 // bytes of a service's message kept
	// tokenRetryAfter: after an exchange that failed without judging the
	// credential (a 5xx, a network error), the service is left alone this
	// long; requests meanwhile fail with the same error.
	tokenRetryAfter = 10 * time.Second
)

// tokenAnswerFields are the answer fields that hold the token or access key
// when Entry.TokenField does not say, in the order they are looked for.
var tokenAnswerFields = []string{"access_key", "token", "access_token"}

// tokenScheme exchanges a credential at a token service (Entry.TokenURL)
// for a short-lived token that every request of the source carries as a
// query parameter (Entry.Param). The credential goes only to the token
// service, in a POST body; the token goes only to the source's origin. See
// docs/auth-detection.md.
//
//   - arcgis: ArcGIS Server token security. A service answering 499 Token
//     Required (as the status, or as JSON inside a 200) is token-secured;
//     rest/info advertises its token service. generateToken takes the
//     username and password (client=requestip) and answers a token and its
//     expiry; the token is renewed before it expires and after a 498.
//   - exchange: a portal that exchanges the user's secret key (form field
//     secret_key) for an access key, answered as access_key, token or
//     access_token (Entry.TokenField when set), with an optional expiry.
//     The access key goes in Entry.Param, by default the name of the
//     field it came in.
type tokenScheme struct{}

func (tokenScheme) Method() Method { return MethodToken }
func (tokenScheme) Label() string  { return "token service" }

// Needs: a username and password (arcgis). An exchange source needs only
// the secret key (Needs is per scheme, not per entry).
func (tokenScheme) Needs() Needs {
	return Needs{Username: true, Secret: SecretPassword, Fields: []string{"token_url", "param"}}
}

func (tokenScheme) Usable(c Credential) bool { return c.isPassword() || c.isKey() }

func (tokenScheme) Check(e Entry) string {
	if msg := checkOnly(e, "token_url", "token_kind", "token_field", "param"); msg != "" {
		return msg
	}
	if msg := checkURLField("token_url", e.TokenURL, true); msg != "" {
		return msg
	}
	switch e.TokenKind {
	case TokenKindArcGIS, TokenKindExchange:
	case "":
		return "method token needs a token_kind (" + TokenKindArcGIS + " or " + TokenKindExchange + ")"
	default:
		return fmt.Sprintf("token_kind %s is not %s or %s", kvQuote(e.TokenKind), TokenKindArcGIS, TokenKindExchange)
	}
	if e.Param != "" {
		if msg := checkName("param", e.Param); msg != "" {
			return msg
		}
	}
	if e.TokenField != "" {
		return checkName("token_field", e.TokenField)
	}
	return ""
}

// Candidates: a username and password go to ArcGIS generateToken when the
// user named a token service or the server asked for a token and
// advertised one (bare.Discovered). A key goes to a token service only
// when the user named one: it is then a secret key, exchanged there, and
// its access key is tried as the field's name first, then under the names
// an access key is usually sent in (CandidateOrder's query parameters).
func (tokenScheme) Candidates(c Credential, bare Answer, hint Hint) []Entry {
	switch {
	case c.isPassword():
		raw := hint.TokenURL
		if raw == "" && bare.Discovered.Method == MethodToken && bare.Discovered.TokenKind == TokenKindArcGIS {
			raw = bare.Discovered.TokenURL
		}
		u, ok := arcgisTokenURL(raw)
		if !ok {
			return nil
		}
		return []Entry{{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: u, Param: arcgisTokenParam}}
	case c.isKey() && hint.TokenURL != "":
		if checkURLField("token_url", hint.TokenURL, true) != "" {
			return nil
		}
		base := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange, TokenURL: hint.TokenURL}
		first := base
		if validParamName(hint.Param) {
			first.Param = hint.Param
		}
		out := []Entry{first}
		for _, cand := range CandidateOrder("") {
			if cand.Method == MethodQuery && cand.Param != first.Param {
				e := base
				e.Param = cand.Param
				out = append(out, e)
			}
		}
		return out
	}
	return nil
}

// Discover: an ArcGIS service that asked for a token names its token
// service in rest/info (or the user named it); a refusal from a source the
// user gave a token URL for is a key exchange.
func (tokenScheme) Discover(ctx context.Context, bare Answer, hint Hint, env Env) (Entry, bool) {
	switch {
	case bare.TokenRequired:
		raw := hint.TokenURL
		if raw == "" {
			raw = arcgisTokenServices(ctx, bare.URL, env)
		}
		u, ok := arcgisTokenURL(raw)
		if !ok || downgrade(bare.URL, u) {
			return Entry{}, false
		}
		return Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: u, Param: arcgisTokenParam}, true
	case hint.TokenURL != "" && bare.Verdict == VerdictRejected:
		if checkURLField("token_url", hint.TokenURL, true) != "" {
			return Entry{}, false
		}
		return Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange, TokenURL: hint.TokenURL}, true
	}
	return Entry{}, false
}

func (tokenScheme) Authenticator(e Entry, c Credential, env Env) (Authenticator, error) {
	if checkURLField("token_url", e.TokenURL, true) != "" ||
		(e.Param != "" && !validParamName(e.Param)) || (e.TokenField != "" && !validParamName(e.TokenField)) {
		return nil, errNotSendable
	}
	tokenURL, user, secret, param := e.TokenURL, "", "", e.Param
	switch e.TokenKind {
	case TokenKindArcGIS:
		u, ok := arcgisTokenURL(e.TokenURL)
		if !c.isPassword() || !ok {
			return nil, errNotSendable
		}
		tokenURL, user, secret = u, c.Username, c.Password
		if param == "" {
			param = arcgisTokenParam
		}
	case TokenKindExchange:
		if !c.isKey() {
			return nil, errNotSendable
		}
		secret = c.Key
	default:
		return nil, errNotSendable
	}
	// Candidates that differ only in Param share one exchange.
	key := e.TokenKind + "\x00" + tokenURL + "\x00" + e.TokenField
	ts := env.Shared.load(key, func() any {
		return &tokenSource{kind: e.TokenKind, url: tokenURL, field: e.TokenField, user: user, secret: secret,
			env: env, fetching: make(chan struct{}, 1)}
	}).(*tokenSource)
	return &tokenAuth{src: ts, param: param}, nil
}

// tokenAuth attaches a source's token to its requests.
type tokenAuth struct {
	src   *tokenSource
	param string // "": the answer field's name (exchange)
	// accepted is the last token a 2xx answered as sent by this
	// authenticator (under this param).
	accepted atomic.Pointer[issuedToken]
}

func (a *tokenAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	tok, err := a.src.token(req.Context(), req.URL)
	if err != nil {
		return nil, err
	}
	var retry *http.Request
	if a.src.kind == TokenKindExchange && a.accepted.Load() == tok {
		retry, _ = cloneForRetry(req) // nil: no second try
	}
	resp, err := a.send(req, tok, next)
	if err != nil {
		return nil, err
	}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		a.accepted.Store(tok)
	case retry != nil && (code == http.StatusUnauthorized || code == http.StatusForbidden):
		// An access key that was accepted sent this way is refused now:
		// it expired without saying when. Exchange once more and retry
		// once.
		drainClose(resp)
		a.src.discard(tok)
		if tok, err = a.src.token(req.Context(), req.URL); err != nil {
			return nil, err
		}
		return a.send(retry, tok, next)
	}
	return resp, nil
}

// send attaches tok to req and sends it.
func (a *tokenAuth) send(req *http.Request, tok *issuedToken, next http.RoundTripper) (*http.Response, error) {
	if tok.ssl && req.URL.Scheme != "https" {
		return nil, errTokenHTTPSOnly
	}
	param := a.param
	if param == "" {
		param = tok.field
	}
	if err := setQueryParam(req, param, tok.value); err != nil {
		return nil, err
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if a.src.kind == TokenKindArcGIS {
		arcgisStatus(resp)
	}
	return resp, nil
}

// Renew discards the current token; the next request obtains a new one.
// Concurrent refusals of one token may each renew it: every renewal is a
// sign-in that succeeded before, not a guess.
func (a *tokenAuth) Renew(ctx context.Context) error {
	a.src.discard(nil)
	return ctx.Err()
}

func (a *tokenAuth) Secrets() []string { return a.src.secrets() }

// tokenSource obtains tokens from one token service for one credential. It
// is shared by the authenticators of one detection (Env.Shared).
type tokenSource struct {
	kind   string
	url    string // where the credential is posted
	field  string // Entry.TokenField
	user   string
	secret string // the password or the secret key
	env    Env

	fetching chan struct{} // one exchange at a time

	mu      sync.Mutex
	cur     *issuedToken // nil: none yet, or discarded
	issued  []string     // every token obtained, for Secrets
	refused error        // the service refused the credential: never asked again
	failed  error        // the last exchange failed without a verdict...
	retryAt time.Time    // ...and is not repeated before this
}

// issuedToken is one token and what the service said about it.
type issuedToken struct {
	value   string
	field   string    // the answer field it came in
	renewAt time.Time // when to obtain the next one; zero: no known expiry
	expires time.Time // when it stops working; zero: not known
	ssl     bool      // to be sent over HTTPS only
}

// fresh: not due for renewal at now.
func (t *issuedToken) fresh(now time.Time) bool { return t.renewAt.IsZero() || now.Before(t.renewAt) }

// live: due for renewal perhaps, but not expired at now.
func (t *issuedToken) live(now time.Time) bool { return t.expires.IsZero() || now.Before(t.expires) }

// token returns a live token, obtaining one when there is none.
func (s *tokenSource) token(ctx context.Context, layer *url.URL) (*issuedToken, error) {
	if t, err := s.current(); t != nil || err != nil {
		return t, err
	}
	select {
	case s.fetching <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.fetching }()
	if t, err := s.current(); t != nil || err != nil {
		return t, err // another request obtained it while we waited
	}
	t, err := s.exchange(ctx, layer)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case errors.Is(err, ErrRejected):
		s.refused = err
	case err != nil:
		if ctx.Err() == nil {
			s.failed, s.retryAt = err, s.env.now().Add(tokenRetryAfter)
		}
		if s.cur != nil && s.cur.live(s.env.now()) {
			return s.cur, nil // renewal failed; the old token still works
		}
	default:
		s.cur, s.failed = t, nil
		s.issued = append(s.issued, t.value)
	}
	return t, err
}

// current returns the token to use, or the error that stands instead of
// one; both nil when a new token is to be obtained.
func (s *tokenSource) current() (*issuedToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.env.now()
	switch {
	case s.refused != nil:
		return nil, s.refused
	case s.cur != nil && s.cur.fresh(now):
		return s.cur, nil
	case s.failed != nil && now.Before(s.retryAt):
		if s.cur != nil && s.cur.live(now) {
			return s.cur, nil
		}
		return nil, s.failed
	}
	return nil, nil
}

// discard drops t, if it is still the current token (any token when t is
// nil), so that the next request obtains a new one.
func (s *tokenSource) discard(t *issuedToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == nil || s.cur == t {
		s.cur = nil
	}
}

// secrets lists the credential's forms and every token obtained so far.
func (s *tokenSource) secrets() []string {
	var out []string
	if s.kind == TokenKindArcGIS {
		out = passwordSecrets(s.user, s.secret)
	} else {
		out = keySecrets(s.secret)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.issued {
		out = append(out, keySecrets(t)...)
	}
	return out
}

// exchange posts the credential to the token service and reads its answer.
// It is the only place the credential leaves: in the body of one POST to
// s.url, never in a URL, never after a redirect.
func (s *tokenSource) exchange(ctx context.Context, layer *url.URL) (*issuedToken, error) {
	if downgrade(layer.String(), s.url) {
		return nil, errTokenDowngrade
	}
	if s.env.Client == nil {
		return nil, errNotSendable
	}
	form := url.Values{}
	switch s.kind {
	case TokenKindArcGIS:
		form.Set("username", s.user)
		form.Set("password", s.secret)
		form.Set("client", "requestip")
		form.Set("expiration", strconv.Itoa(arcgisExpiration))
		form.Set("f", "json")
	default:
		form.Set(exchangeSecretField, s.secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, errNotSendable
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	issued := s.env.now()
	resp, err := s.env.Client.Do(req)
	if err != nil {
		return nil, scrubError(err, s.secrets())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer+1))
	if err != nil {
		return nil, scrubError(err, s.secrets())
	}
	return s.judge(resp.StatusCode, body, issued)
}

// judge reads a token service's answer: a token, a refusal of the
// credential, or neither.
func (s *tokenSource) judge(status int, body []byte, issued time.Time) (*issuedToken, error) {
	ans := parseTokenAnswer(body, s.field)
	if status >= 200 && status < 300 && ans.token != "" {
		if !validTokenValue(ans.token) {
			return nil, &TokenError{Status: status, Message: "the answer holds no usable token"}
		}
		t := &issuedToken{value: ans.token, field: ans.field, ssl: ans.ssl, expires: ans.expiry(issued)}
		t.renewAt = renewTime(issued, t.expires, s.kind)
		if !t.expires.After(issued) {
			t.expires = time.Time{} // unknown, or a clock apart: trust renewAt and refusals
		}
		return t, nil
	}
	te := &TokenError{Status: status, Code: ans.errCode, Message: s.scrub(ans.errMsg)}
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
		te.Refused = true
	case status >= 200 && status < 300:
		// ArcGIS answers a wrong password with 200 and error code 400; a
		// portal with an error string or "success": false.
		switch ans.errCode {
		case 0:
			te.Refused = ans.failed
		case 400, 401, 403, StatusTokenInvalid, StatusTokenRequired:
			te.Refused = true
		}
		if !ans.failed && te.Message == "" {
			te.Message = "the answer holds no token"
		}
	case status >= 300 && status < 400:
		te.Message = "the token service redirected (not followed)"
	}
	return nil, te
}

// scrub makes a service's message safe to show: no secret, printable,
// short.
func (s *tokenSource) scrub(msg string) string {
	if msg == "" {
		return ""
	}
	secrets := s.secrets()
	msg = scrubString(msg, secrets)
	msg = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(scrubString(msg, secrets))
	if len(msg) > maxTokenMessage {
		cut := maxTokenMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// renewTime is when to replace a token issued at issued that expires at
// expires: 60 s before, or at 90% of its lifetime when that is shorter. An
// ArcGIS token with no usable expiry is kept for the lifetime asked; an
// access key with none, until it is refused.
func renewTime(issued, expires time.Time, kind string) time.Time {
	if !expires.After(issued) {
		if kind != TokenKindArcGIS {
			return time.Time{}
		}
		expires = issued.Add(arcgisExpiration * time.Minute)
	}
	return expires.Add(-min(expires.Sub(issued)/10, time.Minute))
}

// validTokenValue: a token is 1 to 8 KiB of printable ASCII without spaces.
func validTokenValue(v string) bool {
	if v == "" || len(v) > maxTokenLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return false
		}
	}
	return true
}

// tokenAnswer is what a token service's JSON answer says.
type tokenAnswer struct {
	token     string
	field     string        // the field token came in
	expires   time.Time     // absolute expiry; zero when not given
	expiresIn time.Duration // relative expiry; 0 when not given
	ssl       bool
	errCode   int
	errMsg    string // unscrubbed
	failed    bool   // an "error" member, or "success": false
}

// expiry is when the token expires, given when it was issued; zero when
// the answer did not say.
func (a tokenAnswer) expiry(issued time.Time) time.Time {
	if !a.expires.IsZero() {
		return a.expires
	}
	if a.expiresIn > 0 {
		return issued.Add(a.expiresIn)
	}
	return time.Time{}
}

// parseTokenAnswer reads a token service's JSON answer leniently: the
// token under field (or access_key, token, access_token); the expiry as
// expires, expires_at (epoch seconds or milliseconds, or RFC 3339) or
// expires_in (seconds); ArcGIS's "ssl"; and an error as
// {"error":{"code","message","details"}}, {"error": "...",
// "error_description": "..."} or "success": false. Anything else gives the
// zero answer.
func parseTokenAnswer(body []byte, field string) tokenAnswer {
	var a tokenAnswer
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 || b[0] != '{' || len(b) > maxTokenAnswer {
		return a
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return a
	}
	fields := tokenAnswerFields
	if field != "" {
		fields = []string{field}
	}
	for _, f := range fields {
		if v, ok := jsonString(member(m, f)); ok && v != "" {
			a.token, a.field = v, f
			break
		}
	}
	for _, f := range []string{"expires", "expires_at"} {
		if a.expires, a.expiresIn = jsonTime(member(m, f)); !a.expires.IsZero() || a.expiresIn > 0 {
			break
		}
	}
	if a.expires.IsZero() && a.expiresIn == 0 {
		if n, ok := jsonNumber(member(m, "expires_in")); ok && n > 0 {
			a.expiresIn = seconds(n)
		}
	}
	json.Unmarshal(member(m, "ssl"), &a.ssl)
	if raw := member(m, "error"); raw != nil && string(raw) != "null" {
		a.failed = true
		var obj struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Details []any           `json:"details"`
		}
		if s, ok := jsonString(raw); ok {
			a.errMsg = s
			if d, ok := jsonString(member(m, "error_description")); ok && d != "" {
				a.errMsg += ": " + d
			}
		} else if json.Unmarshal(raw, &obj) == nil {
			if n, ok := jsonNumber(obj.Code); ok && n >= 0 && n < 1000 {
				a.errCode = int(n)
			}
			a.errMsg = obj.Message
			if len(obj.Details) > 0 {
				if d, ok := obj.Details[0].(string); ok && d != "" {
					a.errMsg = strings.TrimSpace(a.errMsg + " " + d)
				}
			}
		}
	}
	var success bool
	if json.Unmarshal(member(m, "success"), &success) == nil && !success {
		a.failed = true
		if a.errMsg == "" {
			a.errMsg, _ = jsonString(member(m, "message"))
		}
	}
	return a
}

// member returns m's member name, matched exactly or else ignoring case.
func member(m map[string]json.RawMessage, name string) json.RawMessage {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// jsonNumber reads a JSON number, or a string holding one.
func jsonNumber(raw json.RawMessage) (float64, bool) {
	if s, ok := jsonString(raw); ok {
		raw = json.RawMessage(strings.TrimSpace(s))
	}
	var n float64
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// jsonTime reads an expiry: RFC 3339, or a number (or a string holding
// one) that is epoch milliseconds (from 1e11), epoch seconds (from 1e9) or,
// smaller, seconds from now.
func jsonTime(raw json.RawMessage) (time.Time, time.Duration) {
	if s, ok := jsonString(raw); ok {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil && t.Year() >= 1970 && t.Year() <= 9999 {
			return t, 0
		}
	}
	n, ok := jsonNumber(raw)
	switch {
	case !ok || n <= 0:
		return time.Time{}, 0
	case n < 1e9:
		return time.Time{}, seconds(n)
	case n < 1e11:
		return time.Unix(int64(n), 0), 0
	case n < 253402300800000: // year 10000 in milliseconds
		return time.UnixMilli(int64(n)), 0
	}
	return time.Time{}, 0
}

// seconds converts a positive count of seconds, capped at ten years.
func seconds(n float64) time.Duration {
	const maxSeconds = 10 * 365 * 24 * 3600
	return time.Duration(min(n, maxSeconds) * float64(time.Second))
}

// arcgisTokenURL validates an advertised or given ArcGIS token service URL
// and returns where to POST: ".../tokens/" and ".../tokens" become
// ".../tokens/generateToken"; a URL ending in generateToken is kept.
func arcgisTokenURL(raw string) (string, bool) {
	if checkURLField("token_url", raw, true) != "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if i := strings.LastIndexByte(u.Path, '/'); !strings.EqualFold(u.Path[i+1:], "generateToken") {
		u.Path += "/generateToken"
	}
	return u.String(), true
}

// arcgisInfoURL returns the rest/info URL of the ArcGIS Server a layer URL
// belongs to: the path before "rest/services" or "services" (the instance,
// usually "/arcgis") followed by "/rest/info?f=json".
func arcgisInfoURL(layer string) (string, bool) {
	u, err := url.Parse(layer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i, seg := range segs {
		if strings.EqualFold(seg, "rest") && i+1 < len(segs) && strings.EqualFold(segs[i+1], "services") ||
			strings.EqualFold(seg, "services") {
			prefix := strings.Join(segs[:i], "/")
			if prefix != "" {
				prefix = "/" + prefix
			}
			return u.Scheme + "://" + u.Host + prefix + "/rest/info?f=json", true
		}
	}
	return "", false
}

// arcgisTokenServices asks the ArcGIS Server of layer where its token
// service is (rest/info, authInfo.tokenServicesUrl); "" when it does not
// say.
func arcgisTokenServices(ctx context.Context, layer string, env Env) string {
	info, ok := arcgisInfoURL(layer)
	if !ok || env.Client == nil {
		return ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info, nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Accept", "application/json")
	resp, err := env.Client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxInfoAnswer+1))
	if err != nil || len(body) > maxInfoAnswer {
		return ""
	}
	var doc struct {
		AuthInfo struct {
			IsTokenBasedSecurity bool   `json:"isTokenBasedSecurity"`
			TokenServicesURL     string `json:"tokenServicesUrl"`
		} `json:"authInfo"`
	}
	if json.Unmarshal(body, &doc) != nil || !doc.AuthInfo.IsTokenBasedSecurity || doc.AuthInfo.TokenServicesURL == "" {
		return ""
	}
	ref, err := url.Parse(strings.TrimSpace(doc.AuthInfo.TokenServicesURL))
	if err != nil {
		return ""
	}
	return req.URL.ResolveReference(ref).String()
}

// downgrade reports whether posting to tokenURL for an https layer would
// send the credential over plain http.
func downgrade(layer, tokenURL string) bool {
	return strings.HasPrefix(strings.ToLower(layer), "https:") && !strings.HasPrefix(strings.ToLower(tokenURL), "https:")
}

// arcgisStatus gives an ArcGIS JSON error inside a 2xx answer (how ArcGIS
// Server refuses f=json requests) its status, so that the transport and
// detection judge it like the status: 498 Invalid Token, 401, 403. A 499
// Token Required to a request that carried a token says the token was not
// taken: it becomes 498 too. The body is left as it was.
func arcgisStatus(resp *http.Response) {
	if resp.StatusCode == StatusTokenRequired {
		setStatus(resp, StatusTokenInvalid)
		return
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 || resp.ContentLength > maxTokenAnswer {
		return
	}
	switch mediaType(resp.Header.Get("Content-Type")) {
	case "", "application/json", "text/json", "text/plain", "text/javascript", "application/javascript":
	default:
		return // an image, XML: not an ArcGIS JSON error
	}
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer+1))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	if len(peek) > maxTokenAnswer {
		return
	}
	switch code := arcgisErrorCode(peek); code {
	case StatusTokenInvalid, StatusTokenRequired:
		setStatus(resp, StatusTokenInvalid)
	case http.StatusUnauthorized, http.StatusForbidden:
		setStatus(resp, code)
	}
}

func setStatus(resp *http.Response, code int) {
	resp.StatusCode = code
	resp.Status = statusLine(code)
}

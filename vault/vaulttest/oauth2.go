package vaulttest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Where an OAuth2Provider publishes its metadata.
const (
	DiscoveryRFC8414   = iota // /.well-known/oauth-authorization-server<issuer path>
	DiscoveryOIDC             // <issuer>/.well-known/openid-configuration
	DiscoveryOIDCSlash        // only <issuer>/.well-known/openid-configuration/ (django-oauth-toolkit); the other answers 301 to it
)

// OAuth2Provider emulates an OAuth2 authorization server the way
// django-oauth-toolkit behaves: metadata, an authorize endpoint that signs
// the user in at once and redirects to the client's loopback redirect URI
// with a code, and a token endpoint for the authorization code grant (PKCE
// S256 required, the verifier checked against the challenge), rotating
// refresh tokens (the old refresh token and its access token die) and the
// client credentials grant. Resource wraps a handler as an RFC 6750/9728
// resource server that accepts its access tokens. Every token it issues
// starts with "AT-", "RT-" or "CODE-" and is remembered (Issued), so a test
// can search logs for all of them.
type OAuth2Provider struct {
	*Server
	Issuer string // Server.URL + "/o"

	// Settable before use (guarded by the provider's lock afterwards).
	ClientID       string // public client ("mapvault")
	ScriptClientID string // confidential client ("mapvault-script")
	ClientSecret   string // ScriptClientID's secret
	TokenSeconds   int    // expires_in of access tokens; 0: none sent
	Discovery      int    // DiscoveryRFC8414 (default), DiscoveryOIDC, DiscoveryOIDCSlash
	// MetadataIssuer, when set, is the issuer the metadata claims (to test
	// a mismatch).
	MetadataIssuer string
	// TamperState, when set, rewrites the state of the authorize redirect.
	TamperState func(string) string

	mu       sync.Mutex
	codes    map[string]codeGrant
	access   map[string]string // access token -> subject
	refresh  map[string]string // refresh token -> its access token
	issued   []string
	counts   map[string]int
	failNext map[string]string // grant_type -> error code for the next request
}

type codeGrant struct {
	clientID, redirect, challenge, scope string
}

// NewOAuth2Provider starts a provider whose issuer is its URL + "/o".
func NewOAuth2Provider(t testing.TB) *OAuth2Provider {
	t.Helper()
	p := &OAuth2Provider{
		ClientID: "mapvault", ScriptClientID: "mapvault-script", ClientSecret: "client-s3cret-9f8e7d6c5b4a",
		TokenSeconds: 60,
		codes:        map[string]codeGrant{}, access: map[string]string{}, refresh: map[string]string{},
		counts: map[string]int{}, failNext: map[string]string{},
	}
	p.Server = NewServer(t, http.HandlerFunc(p.serve))
	p.Issuer = p.URL + "/o"
	return p
}

// Count returns how many requests reached an endpoint: "metadata",
// "authorize", or a grant type ("authorization_code", "refresh_token",
// "client_credentials").
func (p *OAuth2Provider) Count(what string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[what]
}

// Issued returns every code and token issued so far.
func (p *OAuth2Provider) Issued() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.issued...)
}

// Revoke makes an access token invalid (the resource answers 401
// invalid_token); its refresh token still works.
func (p *OAuth2Provider) Revoke(access string) {
	p.mu.Lock()
	delete(p.access, access)
	p.mu.Unlock()
}

// RevokeAll makes every access and refresh token invalid (a sign-out).
func (p *OAuth2Provider) RevokeAll() {
	p.mu.Lock()
	clear(p.access)
	clear(p.refresh)
	p.mu.Unlock()
}

// FailNext makes the next token request of grantType answer 400 with the
// error code.
func (p *OAuth2Provider) FailNext(grantType, code string) {
	p.mu.Lock()
	p.failNext[grantType] = code
	p.mu.Unlock()
}

// Valid reports whether access is a live access token.
func (p *OAuth2Provider) Valid(access string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.access[access]
	return ok
}

func (p *OAuth2Provider) count(what string) {
	p.mu.Lock()
	p.counts[what]++
	p.mu.Unlock()
}

func (p *OAuth2Provider) newToken(prefix string) string {
	b := make([]byte, 18)
	rand.Read(b)
	tok := prefix + hex.EncodeToString(b)
	p.issued = append(p.issued, tok)
	return tok
}

func (p *OAuth2Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	mode, claimed := p.Discovery, p.MetadataIssuer
	p.mu.Unlock()
	if claimed == "" {
		claimed = p.Issuer
	}
	path := r.URL.Path
	switch {
	case path == "/.well-known/oauth-authorization-server/o" && mode == DiscoveryRFC8414,
		path == "/o/.well-known/openid-configuration" && mode == DiscoveryOIDC,
		path == "/o/.well-known/openid-configuration/" && mode == DiscoveryOIDCSlash:
		p.count("metadata")
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                claimed,
			"authorization_endpoint":                p.Issuer + "/authorize/",
			"token_endpoint":                        p.Issuer + "/token/",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
			"response_types_supported":              []string{"code"},
		})
	case path == "/o/.well-known/openid-configuration" && mode == DiscoveryOIDCSlash:
		p.count("metadata")
		w.Header().Set("Location", "/o/.well-known/openid-configuration/")
		w.WriteHeader(http.StatusMovedPermanently)
	case strings.Contains(path, "/.well-known/"):
		p.count("metadata")
		http.NotFound(w, r)
	case path == "/o/authorize/":
		p.count("authorize")
		p.authorize(w, r)
	case path == "/o/token/":
		p.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (p *OAuth2Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	// RFC 8252 §7.3: http://127.0.0.1:<any port>/callback only.
	if err != nil || redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Path != "/callback" ||
		q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "Mismatching redirect URI or bad client", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	p.mu.Lock()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		back.Set("error", "invalid_request") // PKCE is required
	} else {
		code := p.newToken("CODE-")
		p.codes[code] = codeGrant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), scope: q.Get("scope")}
		back.Set("code", code)
	}
	tamper := p.TamperState
	p.mu.Unlock()
	state := q.Get("state")
	if tamper != nil {
		state = tamper(state)
	}
	back.Set("state", state)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *OAuth2Provider) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	grant := r.PostForm.Get("grant_type")
	p.count(grant)
	fail := func(status int, code string) { writeJSON(w, status, map[string]string{"error": code}) }
	p.mu.Lock()
	defer p.mu.Unlock()
	if code, ok := p.failNext[grant]; ok {
		delete(p.failNext, grant)
		fail(http.StatusBadRequest, code)
		return
	}
	switch grant {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g, ok := p.codes[code]
		delete(p.codes, code) // one use only
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok || r.PostForm.Get("client_id") != g.clientID || r.PostForm.Get("redirect_uri") != g.redirect:
			fail(http.StatusBadRequest, "invalid_grant")
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			fail(http.StatusBadRequest, "invalid_grant") // PKCE verifier does not match
		default:
			p.issue(w, "user:analyst", true)
		}
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		old, ok := p.refresh[rt]
		if !ok || r.PostForm.Get("client_id") != p.ClientID {
			fail(http.StatusBadRequest, "invalid_grant")
			return
		}
		// Rotation: the old refresh token and its access token die.
		delete(p.refresh, rt)
		delete(p.access, old)
		p.issue(w, "user:analyst", true)
	case "client_credentials":
		id, secret, ok := r.BasicAuth()
		if ok {
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		} else {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != p.ScriptClientID || secret != p.ClientSecret {
			fail(http.StatusUnauthorized, "invalid_client")
			return
		}
		p.issue(w, "client:"+id, false)
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type")
	}
}

// issue answers a new token (with a refresh token when withRefresh).
// Called with mu held.
func (p *OAuth2Provider) issue(w http.ResponseWriter, subject string, withRefresh bool) {
	at := p.newToken("AT-")
	p.access[at] = subject
	ans := map[string]any{"access_token": at, "token_type": "Bearer", "scope": "wms"}
	if p.TokenSeconds > 0 {
		ans["expires_in"] = p.TokenSeconds
	}
	if withRefresh {
		rt := p.newToken("RT-")
		p.refresh[rt] = at
		ans["refresh_token"] = rt
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, ans)
}

// Resource wraps ok as a protected resource at path on its server:
// metadataURL is the RFC 9728 document it names in its challenges. A
// request without a Bearer token gets 401 `Bearer
// resource_metadata="..."`, an unknown one 401 `Bearer
// error="invalid_token", resource_metadata="..."`.
func (p *OAuth2Provider) Resource(ok http.Handler, metadataURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok, bearer := strings.CutPrefix(auth, "Bearer ")
		switch {
		case !bearer:
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata=%q`, metadataURL))
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		case !p.Valid(tok):
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", resource_metadata=%q`, metadataURL))
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		default:
			ok.ServeHTTP(w, r)
		}
	})
}

// ResourceMetadata serves the RFC 9728 document of resource naming the
// provider's issuer.
func (p *OAuth2Provider) ResourceMetadata(resource string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"resource":                 resource,
			"authorization_servers":    []string{p.Issuer},
			"bearer_methods_supported": []string{"header"},
		})
	})
}

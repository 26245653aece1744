package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault/vaulttest"
)

// oauthFixture is a fake authorization server and a WMS protected by it
// on another origin, with its RFC 9728 metadata.
type oauthFixture struct {
	p      *vaulttest.OAuth2Provider
	rs     *vaulttest.Server
	src    Source
	getMap string
	entry  Entry // what detection records for the sign-in client
}

func newOAuthFixture(t *testing.T) *oauthFixture {
	t.Helper()
	p := vaulttest.NewOAuth2Provider(t)
	rs := vaulttest.NewServer(t, http.NotFoundHandler())
	mux := http.NewServeMux()
	mux.Handle("/wms", p.Resource(vaulttest.PNG(), rs.URL+"/.well-known/oauth-protected-resource/wms"))
	mux.Handle("/.well-known/oauth-protected-resource/wms", p.ResourceMetadata(rs.URL+"/wms"))
	rs.SetHandler(mux)
	return &oauthFixture{
		p: p, rs: rs,
		src:    mustSource(t, rs.URL+"/wms"),
		getMap: rs.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&WIDTH=1&HEIGHT=1",
		entry:  Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: p.Issuer, ClientID: "mapvault"},
	}
}

func (f *oauthFixture) target() Target { return Target{URL: f.getMap, Expect: ExpectImage} }

// browser returns an open func that acts as the user's browser: it follows
// the authorization server's redirect to the loopback callback and keeps
// the page it got there. tamper, optional, rewrites the authorization URL.
func browser(t *testing.T, tamper func(string) string) (open func(string) error, page func() string, opened func() string) {
	var mu sync.Mutex
	var body, authURL string
	done := make(chan struct{})
	open = func(u string) error {
		mu.Lock()
		authURL = u
		mu.Unlock()
		if tamper != nil {
			u = tamper(u)
		}
		go func() {
			defer close(done)
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			body = string(b)
			mu.Unlock()
		}()
		return nil
	}
	page = func() string {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("browser did not finish")
		}
		mu.Lock()
		defer mu.Unlock()
		return body
	}
	opened = func() string {
		mu.Lock()
		defer mu.Unlock()
		return authURL
	}
	return open, page, opened
}

// signIn signs in at the fixture's provider and fails the test on error.
func (f *oauthFixture) signIn(t *testing.T, env Env) *Token {
	t.Helper()
	open, page, _ := browser(t, nil)
	tok, err := SignIn(context.Background(), f.entry, open, env)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if p := page(); !strings.Contains(p, "Signed in, you can close this window") {
		t.Errorf("sign-in page = %q", p)
	}
	return tok
}

func TestDiscoverOAuth2(t *testing.T) {
	for _, tc := range []struct {
		name     string
		mode     int
		requests int
	}{
		{"RFC 8414", vaulttest.DiscoveryRFC8414, 1},
		{"OpenID", vaulttest.DiscoveryOIDC, 2},
		{"OpenID slash-terminated only", vaulttest.DiscoveryOIDCSlash, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := vaulttest.NewOAuth2Provider(t)
			p.Discovery = tc.mode
			m, err := DiscoverOAuth2(context.Background(), p.Issuer, Env{})
			if err != nil {
				t.Fatalf("DiscoverOAuth2: %v", err)
			}
			if m.Issuer != p.Issuer || m.TokenEndpoint != p.Issuer+"/token/" || m.AuthorizationEndpoint != p.Issuer+"/authorize/" {
				t.Errorf("DiscoverOAuth2 = %+v", m)
			}
			if got := p.Count("metadata"); got != tc.requests {
				t.Errorf("metadata requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestDiscoverOAuth2Refuses(t *testing.T) {
	t.Run("issuer mismatch", func(t *testing.T) {
		p := vaulttest.NewOAuth2Provider(t)
		p.MetadataIssuer = "https://evil.example/o"
		_, err := DiscoverOAuth2(context.Background(), p.Issuer, Env{})
		if !errors.Is(err, ErrOAuth2IssuerMismatch) {
			t.Fatalf("DiscoverOAuth2 = %v, want ErrOAuth2IssuerMismatch", err)
		}
	})
	t.Run("no metadata", func(t *testing.T) {
		srv := vaulttest.NewServer(t, http.NotFoundHandler())
		_, err := DiscoverOAuth2(context.Background(), srv.URL+"/o", Env{})
		if !errors.Is(err, ErrOAuth2Metadata) {
			t.Fatalf("DiscoverOAuth2 = %v, want ErrOAuth2Metadata", err)
		}
		if srv.Count() != 3 {
			t.Errorf("requests = %d, want 3", srv.Count())
		}
	})
	t.Run("too large", func(t *testing.T) {
		srv := vaulttest.NewServer(t, vaulttest.Huge(2<<20, false))
		_, err := DiscoverOAuth2(context.Background(), srv.URL+"/o", Env{})
		if !errors.Is(err, ErrOAuth2Metadata) {
			t.Fatalf("DiscoverOAuth2 = %v, want ErrOAuth2Metadata", err)
		}
	})
	t.Run("http endpoint for https issuer", func(t *testing.T) {
		if _, err := (oauth2MetadataDoc{Issuer: "https://a/o", TokenEndpoint: "http://a/o/token"}).metadata("https://a/o"); !errors.Is(err, ErrOAuth2Metadata) {
			t.Errorf("metadata() = %v, want ErrOAuth2Metadata", err)
		}
	})
	for _, issuer := range []string{"", "ftp://a/o", "https://a/o?x=1", "https://u:p@a/o", "https://a/o#f"} {
		if _, err := DiscoverOAuth2(context.Background(), issuer, Env{}); !errors.Is(err, ErrOAuth2Metadata) {
			t.Errorf("DiscoverOAuth2(%q) = %v, want ErrOAuth2Metadata", issuer, err)
		}
	}
}

func TestDetectDiscoversOAuth2(t *testing.T) {
	f := newOAuthFixture(t)
	kv := NewKeyVault()
	d := &Detector{KeyVault: kv}
	res, err := d.DetectWith(context.Background(), f.target(), Credential{}, Hint{})
	if err != nil {
		t.Fatalf("DetectWith: %v", err)
	}
	want := Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: f.p.Issuer, ClientID: DefaultOAuth2ClientID}
	if res.Outcome != OutcomeRejected || res.Entry != want || res.Method != MethodOAuth2 {
		t.Fatalf("DetectWith = %+v, want outcome rejected with %+v", res, want)
	}
	// bare probe + resource metadata + authorization server metadata
	if res.Requests != 3 {
		t.Errorf("Requests = %d, want 3", res.Requests)
	}
	if got, _ := kv.Get(f.src); got != want {
		t.Errorf("KeyVault entry = %+v, want %+v", got, want)
	}
	if _, err := kv.Marshal(); err != nil {
		t.Errorf("Marshal: %v", err)
	}
	if !strings.Contains(res.Reason, "OAuth2") {
		t.Errorf("Reason = %q", res.Reason)
	}
	// The transport now says "needs sign-in" without sending anything.
	n := f.rs.Count()
	_, _, err = get(t, NewClient(nil, kv, TransportOptions{}), f.src, f.getMap)
	if !errors.Is(err, ErrNeedsSignIn) || f.rs.Count() != n {
		t.Errorf("transport = %v after %d requests, want ErrNeedsSignIn and none", err, f.rs.Count()-n)
	}
}

func TestDetectOAuth2ResourceMetadataRules(t *testing.T) {
	p := vaulttest.NewOAuth2Provider(t)
	other := vaulttest.NewServer(t, p.ResourceMetadata("http://elsewhere.example/wms"))
	for _, tc := range []struct {
		name string
		meta func(rs string) (string, http.Handler) // the URL named and what the resource serves there
		hint Hint
		want bool
	}{
		{"another origin is not fetched", func(string) (string, http.Handler) {
			return other.URL + "/.well-known/oauth-protected-resource/wms", nil
		}, Hint{}, false},
		{"metadata for another resource", func(rs string) (string, http.Handler) {
			return rs + "/.well-known/oauth-protected-resource/wms", p.ResourceMetadata(rs + "/other")
		}, Hint{}, false},
		{"metadata for the origin", func(rs string) (string, http.Handler) {
			return rs + "/.well-known/oauth-protected-resource", p.ResourceMetadata(rs + "/")
		}, Hint{}, true},
		{"no resource_metadata, issuer given", func(string) (string, http.Handler) { return "", nil }, Hint{Issuer: p.Issuer}, true},
		{"no resource_metadata, nothing given", func(string) (string, http.Handler) { return "", nil }, Hint{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := vaulttest.NewServer(t, http.NotFoundHandler())
			metaURL, meta := tc.meta(rs.URL)
			mux := http.NewServeMux()
			mux.HandleFunc("/wms", func(w http.ResponseWriter, r *http.Request) {
				ch := "Bearer"
				if metaURL != "" {
					ch += fmt.Sprintf(" resource_metadata=%q", metaURL)
				}
				w.Header().Set("WWW-Authenticate", ch)
				w.WriteHeader(http.StatusUnauthorized)
			})
			if meta != nil {
				mux.Handle(strings.TrimPrefix(metaURL, rs.URL), meta)
			}
			rs.SetHandler(mux)
			otherBefore := other.Count()
			res, err := (&Detector{}).DetectWith(context.Background(), Target{URL: rs.URL + "/wms?REQUEST=GetMap", Expect: ExpectImage}, Credential{}, tc.hint)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Method == MethodOAuth2; got != tc.want {
				t.Errorf("found oauth2 = %v (%+v), want %v", got, res, tc.want)
			}
			if tc.want && res.Entry.Issuer != p.Issuer {
				t.Errorf("Issuer = %q, want %q", res.Entry.Issuer, p.Issuer)
			}
			if other.Count() != otherBefore {
				t.Errorf("the other origin got %d requests", other.Count()-otherBefore)
			}
		})
	}
}

func TestSignIn(t *testing.T) {
	f := newOAuthFixture(t)
	clock := newFakeClock()
	open, page, opened := browser(t, nil)
	e := f.entry
	e.Scope = "openid wms"
	tok, err := SignIn(context.Background(), e, open, Env{Clock: clock.Now})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "AT-") || !strings.HasPrefix(tok.RefreshToken, "RT-") {
		t.Errorf("tokens are not the provider's: %q %q", tok.AccessToken, tok.RefreshToken)
	}
	if want := clock.Now().Add(60 * time.Second); !tok.Expiry.Equal(want) {
		t.Errorf("Expiry = %v, want %v", tok.Expiry, want)
	}
	if p := page(); !strings.Contains(p, "Signed in, you can close this window") || strings.Contains(p, tok.AccessToken) {
		t.Errorf("page = %q", p)
	}
	u, err := url.Parse(opened())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/callback$`).MatchString(q.Get("redirect_uri")) {
		t.Errorf("redirect_uri = %q", q.Get("redirect_uri"))
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 32 ||
		q.Get("client_id") != "mapvault" || q.Get("scope") != "openid wms" || q.Get("response_type") != "code" {
		t.Errorf("authorization URL query = %v", q)
	}
	if q.Has("code_verifier") {
		t.Error("the authorization URL carries the PKCE verifier")
	}
	if f.p.Count("authorization_code") != 1 {
		t.Errorf("code exchanges = %d, want 1", f.p.Count("authorization_code"))
	}
}

func TestSignInRefusals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tamper   func(string) string // the authorization URL the browser opens
		state    func(string) string // the state the provider sends back
		is       error
		code     string
		exchange int // code exchanges the provider saw
	}{
		{name: "wrong state", state: func(string) string { return "forged" }, is: ErrOAuth2State},
		{name: "PKCE challenge swapped", tamper: func(u string) string {
			return regexp.MustCompile(`code_challenge=[^&]+`).ReplaceAllString(u, "code_challenge=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		}, code: "invalid_grant", exchange: 1},
		{name: "no PKCE", tamper: func(u string) string {
			return regexp.MustCompile(`&code_challenge(_method)?=[^&]+`).ReplaceAllString(u, "")
		}, code: "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newOAuthFixture(t)
			f.p.TamperState = tc.state
			open, page, _ := browser(t, tc.tamper)
			tok, err := SignIn(context.Background(), f.entry, open, Env{})
			if tok != nil || err == nil {
				t.Fatalf("SignIn = %v, %v; want an error", tok, err)
			}
			var oe *OAuth2Error
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("SignIn error = %v, want %v", err, tc.is)
			}
			if tc.code != "" && (!errors.As(err, &oe) || oe.Code != tc.code) {
				t.Errorf("SignIn error = %v, want code %s", err, tc.code)
			}
			if p := page(); !strings.Contains(p, "Sign-in failed") {
				t.Errorf("page = %q", p)
			}
			if got := f.p.Count("authorization_code"); got != tc.exchange {
				t.Errorf("code exchanges = %d, want %d", got, tc.exchange)
			}
		})
	}
}

func TestSignInCancelAndOpenFailure(t *testing.T) {
	f := newOAuthFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	_, err := SignIn(ctx, f.entry, func(string) error { cancel(); return nil }, Env{})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("SignIn after cancel = %v (%v), want context.Canceled at once", err, time.Since(start))
	}
	boom := errors.New("no display")
	if _, err := SignIn(context.Background(), f.entry, func(string) error { return boom }, Env{}); !errors.Is(err, boom) {
		t.Errorf("SignIn with a failing open = %v, want %v", err, boom)
	}
	e := f.entry
	e.Issuer = ""
	if _, err := SignIn(context.Background(), e, func(string) error { return nil }, Env{}); err == nil {
		t.Error("SignIn without issuer succeeded")
	}
}

// oauthClient signs in and returns an authenticating client for the
// fixture's source with the fake clock.
func (f *oauthFixture) client(t *testing.T, clock *fakeClock, logger *slog.Logger) (*http.Client, *Store, *Token) {
	t.Helper()
	tok := f.signIn(t, Env{Clock: clock.Now})
	store, kv := NewStore(), NewKeyVault()
	kv.Set(f.src, f.entry)
	store.Set(f.src, Credential{Token: tok})
	return NewClient(store, kv, TransportOptions{Clock: clock.Now, Logger: logger}), store, tok
}

func mustGet(t *testing.T, client *http.Client, f *oauthFixture) {
	t.Helper()
	resp, _, err := get(t, client, f.src, f.getMap)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET status = %d", resp.StatusCode)
	}
}

func TestOAuth2RefreshBeforeExpiry(t *testing.T) {
	f := newOAuthFixture(t)
	clock := newFakeClock()
	client, store, tok := f.client(t, clock, nil)
	mustGet(t, client, f)
	clock.Advance(40 * time.Second) // 20 s left: more than a quarter of 60 s
	mustGet(t, client, f)
	if n := f.p.Count("refresh_token"); n != 0 {
		t.Fatalf("refreshes with 20 s left = %d, want 0", n)
	}
	clock.Advance(10 * time.Second) // 10 s left: within the margin
	before := f.rs.Count()
	mustGet(t, client, f)
	if n := f.p.Count("refresh_token"); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	if n := f.rs.Count() - before; n != 1 {
		t.Errorf("resource requests = %d, want 1 (refreshed before sending)", n)
	}
	// The old tokens are dead (rotation); the store has the new ones.
	cred, st := store.Get(f.src)
	if cred.Token == nil || cred.Token.RefreshToken == tok.RefreshToken || cred.Token.AccessToken == tok.AccessToken || st != StatusVerified {
		t.Errorf("store after refresh: %v %v, want new tokens, verified", cred, st)
	}
	if !f.p.Valid(cred.Token.AccessToken) || f.p.Valid(tok.AccessToken) {
		t.Error("the store's access token is not the live one")
	}
	if want := clock.Now().Add(60 * time.Second); !cred.Token.Expiry.Equal(want) {
		t.Errorf("new Expiry = %v, want %v", cred.Token.Expiry, want)
	}
	// A second refresh uses the rotated refresh token.
	clock.Advance(55 * time.Second)
	mustGet(t, client, f)
	if n := f.p.Count("refresh_token"); n != 2 {
		t.Errorf("refreshes = %d, want 2", n)
	}
}

func TestOAuth2RenewAfterInvalidToken(t *testing.T) {
	f := newOAuthFixture(t)
	clock := newFakeClock()
	client, _, tok := f.client(t, clock, nil)
	mustGet(t, client, f)
	f.p.Revoke(tok.AccessToken) // the server forgets it before its expiry
	before := f.rs.Count()
	mustGet(t, client, f)
	if n := f.p.Count("refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	if n := f.rs.Count() - before; n != 2 {
		t.Errorf("resource requests = %d, want 2 (refused, then retried)", n)
	}
}

func TestOAuth2ConcurrentRenewal(t *testing.T) {
	f := newOAuthFixture(t)
	clock := newFakeClock()
	client, _, tok := f.client(t, clock, nil)
	mustGet(t, client, f) // verified: requests go out in parallel
	f.p.Revoke(tok.AccessToken)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, _, err := get(t, client, f.src, f.getMap)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET = %v %v", resp, err)
			}
		})
	}
	wg.Wait()
	if n := f.p.Count("refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
}

func TestOAuth2FailedRefresh(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration // clock step after RevokeAll
		refresh int           // refresh requests
		sent    int           // resource requests until rejected
	}{
		{"refused after 401", 0, 1, 1},
		{"refused before expiry", 55 * time.Second, 1, 1},
		{"expired", 2 * time.Minute, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newOAuthFixture(t)
			clock := newFakeClock()
			client, store, _ := f.client(t, clock, nil)
			mustGet(t, client, f)
			f.p.RevokeAll() // signed out at the provider: the refresh token is dead
			clock.Advance(tc.advance)
			before := f.rs.Count()
			var errs []error
			for range 5 {
				_, _, err := get(t, client, f.src, f.getMap)
				errs = append(errs, err)
			}
			if !errors.Is(errs[0], ErrExpired) {
				t.Errorf("first error = %v, want ErrExpired", errs[0])
			}
			for _, err := range errs[1:] {
				if !errors.Is(err, ErrRejected) {
					t.Errorf("later error = %v, want ErrRejected", err)
				}
			}
			if st := store.Status(f.src); st != StatusRejected {
				t.Errorf("status = %v, want rejected", st)
			}
			if n := f.p.Count("refresh_token"); n != tc.refresh {
				t.Errorf("refreshes = %d, want %d", n, tc.refresh)
			}
			if n := f.rs.Count() - before; n != tc.sent {
				t.Errorf("resource requests = %d, want %d", n, tc.sent)
			}
		})
	}
}

func TestOAuth2TokenStaysOnItsOrigin(t *testing.T) {
	f := newOAuthFixture(t)
	other := vaulttest.NewServer(t, vaulttest.PNG())
	clock := newFakeClock()
	client, _, tok := f.client(t, clock, nil)
	mux := http.NewServeMux()
	mux.Handle("/wms", f.p.Resource(vaulttest.Redirect(other.URL+"/tiles", true), f.rs.URL+"/.well-known/oauth-protected-resource/wms"))
	f.rs.SetHandler(mux)
	resp, _, err := get(t, client, f.src, f.getMap)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET through a cross-origin redirect = %v, %v", resp, err)
	}
	if other.Count() != 1 {
		t.Fatalf("other origin requests = %d, want 1", other.Count())
	}
	for _, s := range []string{tok.AccessToken, tok.RefreshToken, "Bearer"} {
		if other.Saw(s) {
			t.Errorf("the other origin saw %q", s)
		}
	}
}

func TestOAuth2ClientCredentials(t *testing.T) {
	f := newOAuthFixture(t)
	cred := Credential{Key: f.p.ClientSecret}
	kv, store := NewKeyVault(), NewStore()
	d := &Detector{KeyVault: kv, Store: store}
	res, err := d.DetectWith(context.Background(), f.target(), cred, Hint{ClientID: "mapvault-script"})
	if err != nil {
		t.Fatal(err)
	}
	want := Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: f.p.Issuer, ClientID: "mapvault-script"}
	if res.Outcome != OutcomeFound || res.Entry.Method != MethodOAuth2 || res.Entry.Issuer != want.Issuer || res.Entry.ClientID != want.ClientID {
		t.Fatalf("DetectWith = %+v, want found %+v", res, want)
	}
	if f.rs.Saw(f.p.ClientSecret) {
		t.Error("the resource saw the client secret")
	}
	// bare, resource metadata, AS metadata (discovery), AS metadata
	// (authenticator), token, GetMap
	if res.Requests != 6 {
		t.Errorf("Requests = %d, want 6", res.Requests)
	}

	client := NewClient(store, kv, TransportOptions{})
	mustGet(t, client, f)
	if n := f.p.Count("client_credentials"); n != 2 {
		t.Errorf("client credentials grants = %d, want 2 (detection, transport)", n)
	}
	// An invalidated token: one new grant, then the retry.
	for _, s := range f.p.Issued() {
		f.p.Revoke(s)
	}
	mustGet(t, client, f)
	if n := f.p.Count("client_credentials"); n != 3 {
		t.Errorf("client credentials grants = %d, want 3", n)
	}
}

func TestOAuth2ClientCredentialsWrongSecret(t *testing.T) {
	f := newOAuthFixture(t)
	const wrong = "wrong-client-secret-5e4d3c2b1a"
	// The recorded entry: the transport refuses after one token request.
	kv, store := NewKeyVault(), NewStore()
	kv.Set(f.src, Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: f.p.Issuer, ClientID: "mapvault-script"})
	store.Set(f.src, Credential{Key: wrong})
	client := NewClient(store, kv, TransportOptions{})
	resp, _, err := get(t, client, f.src, f.getMap)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET = %v, %v; want the refusal as 401", resp, err)
	}
	for range 3 {
		if _, _, err := get(t, client, f.src, f.getMap); !errors.Is(err, ErrRejected) {
			t.Errorf("later GET = %v, want ErrRejected", err)
		}
	}
	if n := f.p.Count("client_credentials"); n != 1 {
		t.Errorf("client credentials grants = %d, want 1", n)
	}
	if f.rs.Count() != 0 {
		t.Errorf("resource requests = %d, want 0", f.rs.Count())
	}

	// Detection: the token endpoint first, alone; the key goes to the
	// resource as a Bearer token only after it was refused there.
	res, err := (&Detector{}).DetectWith(context.Background(), f.target(), Credential{Key: wrong}, Hint{ClientID: "mapvault-script"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeRejected {
		t.Errorf("DetectWith = %+v, want rejected", res)
	}
}

func TestOAuth2KeyWithoutOAuth2Hint(t *testing.T) {
	// A key for a server that does not point at OAuth2: no token
	// endpoint is ever asked, detection is as before.
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "key", Key: testKey}, vaulttest.PNG(), nil)
	res, err := (&Detector{Parallel: 1}).Detect(context.Background(), Target{URL: srv.URL + "/wms?REQUEST=GetMap", Expect: ExpectImage}, Credential{Key: testKey}, "")
	if err != nil || res.Outcome != OutcomeFound || res.Method != MethodQuery || res.Requests != 3 {
		t.Errorf("Detect = %+v, %v; want query key in 3 requests", res, err)
	}
}

func TestOAuth2Check(t *testing.T) {
	ok := Entry{AuthRequired: true, Method: MethodOAuth2, Issuer: "https://id.example/realms/maps"}
	for _, tc := range []struct {
		name string
		mod  func(*Entry)
		want string // substring of the message; "" valid
	}{
		{"minimal", func(*Entry) {}, ""},
		{"full", func(e *Entry) { e.ClientID = "mapvault-desktop"; e.Scope = "openid wms https://graph.example/.default" }, ""},
		{"no issuer", func(e *Entry) { e.Issuer = "" }, "needs a issuer"},
		{"issuer with query", func(e *Entry) { e.Issuer += "?x=1" }, "query"},
		{"issuer not http", func(e *Entry) { e.Issuer = "ftp://id.example/" }, "issuer"},
		{"param", func(e *Entry) { e.Param = "key" }, "takes no param"},
		{"token_url", func(e *Entry) { e.TokenURL = "https://x/token" }, "takes no token_url"},
		{"client id with space", func(e *Entry) { e.ClientID = "map vault" }, "client_id"},
		{"client id too long", func(e *Entry) { e.ClientID = strings.Repeat("a", 129) }, "128"},
		{"client id looks secret", func(e *Entry) { e.ClientID = "9fK2xQ7vL3mN8pR4tW6yZ1bC5dE0gH" }, "looks like a secret"},
		{"scope double space", func(e *Entry) { e.Scope = "openid  wms" }, "single spaces"},
		{"scope quote", func(e *Entry) { e.Scope = `wms"` }, "character"},
		{"scope secret", func(e *Entry) { e.Scope = "openid 9fK2xQ7vL3mN8pR4tW6yZ1bC5dE0gH" }, "secret"},
	} {
		e := ok
		tc.mod(&e)
		got := kvCheckEntry(e)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: Check = %q, want %q", tc.name, got, tc.want)
		}
		if tc.want != "" && ((e.ClientID != "" && strings.Contains(got, e.ClientID)) || (e.Scope != "" && strings.Contains(got, e.Scope))) {
			t.Errorf("%s: Check repeats the value: %q", tc.name, got)
		}
	}
	// An oauth2 entry survives the KeyVault file.
	kv := NewKeyVault()
	src := Source("https://maps.example:443/wms")
	e := ok
	e.ClientID, e.Scope = "mapvault", "openid wms"
	kv.Set(src, e)
	data, err := kv.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeyVault("kv.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := back.Get(src); got != e {
		t.Errorf("round trip = %+v, want %+v", got, e)
	}
	if n := (oauth2Scheme{}).Needs(); !n.SignIn || !slices.Equal(n.Fields, []string{"issuer", "client_id", "scope"}) {
		t.Errorf("Needs = %+v", n)
	}
	if needsReason(e) != ReasonNeedsSignIn {
		t.Errorf("needsReason = %v", needsReason(e))
	}
}

// TestOAuth2Canary runs sign-in, refresh, a failed refresh, client
// credentials (right and wrong) and detection with a debug logger and
// finds no token, code or client secret in any log line, error or result.
func TestOAuth2Canary(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	record := func(v any, err error) {
		texts = append(texts, fmt.Sprintf("%+v %#v", v, v))
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		}
	}
	f := newOAuthFixture(t)
	f.p.ClientSecret = canary
	clock := newFakeClock()
	client, store, tok := f.client(t, clock, logger)
	record(tok, nil)
	for _, step := range []func(){
		func() {},
		func() { clock.Advance(50 * time.Second) },                           // refresh before expiry
		func() { c, _ := store.Get(f.src); f.p.Revoke(c.Token.AccessToken) }, // 401 invalid_token, renew
		func() { f.p.FailNext("refresh_token", "invalid_grant"); clock.Advance(2 * time.Minute) },
		func() {},
	} {
		step()
		resp, body, err := get(t, client, f.src, f.getMap)
		record(resp, err)
		record(string(body), nil)
	}
	cred, st := store.Get(f.src)
	record(cred, nil)
	record(st, nil)

	for _, secret := range []string{canary, "wrong-" + canary} {
		d := &Detector{Logger: logger, KeyVault: NewKeyVault(), Store: NewStore()}
		res, err := d.DetectWith(context.Background(), f.target(), Credential{Key: secret}, Hint{ClientID: "mapvault-script"})
		record(res, err)
		c := NewClient(d.Store, d.KeyVault, TransportOptions{Logger: logger})
		for range 2 {
			resp, _, err := get(t, c, f.src, f.getMap)
			record(resp, err)
		}
	}
	_, err := SignIn(context.Background(), f.entry, func(u string) error {
		f.p.TamperState = func(string) string { return canary }
		open, _, _ := browser(t, nil)
		return open(u)
	}, Env{})
	record(nil, err)

	secrets := append(f.p.Issued(), canary, "7f3e9a1b-SECRET")
	all := logs.String() + "\n" + strings.Join(texts, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			i := strings.Index(all, s)
			t.Errorf("secret %q found: …%s…", s, all[max(0, i-200):min(len(all), i+len(s)+40)])
		}
	}
	if f.p.Count("refresh_token") < 2 || f.p.Count("client_credentials") < 2 {
		t.Errorf("the canary run did not exercise refresh (%d) and client credentials (%d)", f.p.Count("refresh_token"), f.p.Count("client_credentials"))
	}
}

func TestOpenBrowser(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \""+out+"\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	fail := filepath.Join(dir, "fail.sh")
	if err := os.WriteFile(fail, []byte("#!/bin/sh\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	const u = "https://id.example/o/authorize/?client_id=mapvault&state=abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback"
	for _, tc := range []struct {
		browser string
		want    []string
	}{
		{script, []string{u}},
		{script + " --new-window", []string{"--new-window", u}},
		{"'" + script + "' --url=%s", []string{"--url=" + u}},
	} {
		os.Remove(out)
		env := func(k string) string {
			if k == "BROWSER" {
				return tc.browser
			}
			return ""
		}
		if err := OpenBrowser(u, env); err != nil {
			t.Errorf("OpenBrowser with BROWSER=%q: %v", tc.browser, err)
			continue
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Errorf("BROWSER=%q did not run: %v", tc.browser, err)
			continue
		}
		if lines := strings.Split(strings.TrimSpace(string(got)), "\n"); !slices.Equal(lines, tc.want) {
			t.Errorf("BROWSER=%q got args %q, want %q", tc.browser, lines, tc.want)
		}
	}
	env := func(k string) string { return map[string]string{"BROWSER": fail}[k] }
	if err := OpenBrowser(u, env); err == nil || strings.Contains(err.Error(), "state=abc") {
		t.Errorf("OpenBrowser with a failing command = %v, want an error without the URL", err)
	}
	env = func(k string) string { return map[string]string{"BROWSER": filepath.Join(dir, "missing")}[k] }
	if err := OpenBrowser(u, env); err == nil {
		t.Error("OpenBrowser with a missing command succeeded")
	}
	if err := OpenBrowser("file:///etc/passwd", func(string) string { return script }); !errors.Is(err, ErrBadURL) {
		t.Errorf("OpenBrowser(file URL) = %v, want ErrBadURL", err)
	}
	for goos, want := range map[string]string{"linux": "xdg-open", "darwin": "open", "windows": "rundll32"} {
		if argv, err := browserCommand("", goos); err != nil || argv[0] != want {
			t.Errorf("browserCommand(%q) = %q, %v; want %s", goos, argv, err, want)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][]string{
		"firefox":                   {"firefox"},
		"  firefox   --private  ":   {"firefox", "--private"},
		`"/opt/my browser/b" -x`:    {"/opt/my browser/b", "-x"},
		`sh -c 'echo $1; rm -rf /'`: {"sh", "-c", "echo $1; rm -rf /"},
		`a "" b`:                    {"a", "", "b"},
		"":                          nil,
	} {
		if got := splitCommand(in); !slices.Equal(got, want) {
			t.Errorf("splitCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDetectKeepsRefreshedTokens: detection with an expired sign-in
// refreshes it in its probe; the store gets the new (rotated) tokens, not
// the dead ones it started with.
func TestDetectKeepsRefreshedTokens(t *testing.T) {
	f := newOAuthFixture(t)
	clock := newFakeClock()
	tok := f.signIn(t, Env{Clock: clock.Now})
	clock.Advance(2 * time.Minute)
	kv, store := NewKeyVault(), NewStore()
	kv.Set(f.src, f.entry)
	d := &Detector{KeyVault: kv, Store: store, Clock: clock.Now}
	res, err := d.DetectWith(context.Background(), f.target(), Credential{Token: tok}, Hint{})
	if err != nil || res.Outcome != OutcomeFound {
		t.Fatalf("DetectWith = %+v, %v; want found", res, err)
	}
	if n := f.p.Count("refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	cred, st := store.Get(f.src)
	if cred.Token == nil || cred.Token.RefreshToken == tok.RefreshToken || st != StatusVerified {
		t.Fatalf("stored %v %v, want the refreshed tokens, verified", cred, st)
	}
	mustGet(t, NewClient(store, kv, TransportOptions{Clock: clock.Now}), f)
	if n := f.p.Count("refresh_token"); n != 1 {
		t.Errorf("refreshes after the transport's request = %d, want 1", n)
	}
}

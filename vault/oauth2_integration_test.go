package vault_test

// Integration tests against the real OAuth2 provider of .ci/oauth
// (django-oauth-toolkit behind nginx, nginx also the resource server in
// front of the CI MapServer). Run them with
//
//	bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"
//	OAUTH_TOKEN_SECONDS=5 bash .ci/oauth/server.sh up && eval "$(bash .ci/oauth/server.sh env)"
//	go test -count=1 -run OAuth2Real -v ./vault/
//
// Without MAPVAULT_OAUTH_URL they skip (they fail under CI=true). The
// provider's runtime dir belongs to the test run, so request counts are
// read as the lines nginx appended to logs/access.log during each step.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mapvault/vault"
)

// realOAuth is the provider from the environment.
type realOAuth struct {
	URL, Issuer, WMS, Dir, Browser, ClientSecret string
	TokenSeconds                                 int
}

func requireRealOAuth(t *testing.T) *realOAuth {
	t.Helper()
	o := &realOAuth{
		URL: os.Getenv("MAPVAULT_OAUTH_URL"), Issuer: os.Getenv("MAPVAULT_OAUTH_ISSUER"),
		WMS: os.Getenv("MAPVAULT_OAUTH_WMS"), Dir: os.Getenv("MAPVAULT_OAUTH_DIR"),
		Browser: os.Getenv("MAPVAULT_OAUTH_BROWSER"), ClientSecret: os.Getenv("OAUTH_CLIENT_SECRET"),
	}
	if o.URL == "" {
		const how = `run: bash .ci/oauth/server.sh up && eval "$(bash .ci/oauth/server.sh env)"`
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but MAPVAULT_OAUTH_URL is unset: the OAuth2 integration tests must run in CI; %s", how)
		}
		t.Skipf("OAuth2 integration test: MAPVAULT_OAUTH_URL is unset; %s", how)
	}
	for name, v := range map[string]string{
		"MAPVAULT_OAUTH_ISSUER": o.Issuer, "MAPVAULT_OAUTH_WMS": o.WMS, "MAPVAULT_OAUTH_DIR": o.Dir,
		"MAPVAULT_OAUTH_BROWSER": o.Browser, "OAUTH_CLIENT_SECRET": o.ClientSecret,
	} {
		if v == "" {
			t.Fatalf("MAPVAULT_OAUTH_URL is set but %s is not: eval \"$(bash .ci/oauth/server.sh env)\"", name)
		}
	}
	o.TokenSeconds, _ = strconv.Atoi(os.Getenv("OAUTH_TOKEN_SECONDS"))
	if o.TokenSeconds <= 0 {
		o.TokenSeconds = 60
	}
	return o
}

// logLen is how many lines nginx's access log has once the lines of the
// requests already answered are in it.
func (o *realOAuth) logLen(t *testing.T) int { return len(o.settledLines(t)) }

// settledLines is the access log once it stopped growing for 300 ms (at
// most 5 s): nginx writes a line after its answer, late on a loaded
// machine, and a step's count must neither miss its own last request nor
// take in the one before.
func (o *realOAuth) settledLines(t *testing.T) []string {
	t.Helper()
	lines := o.logLines(t)
	still := time.Duration(0)
	for waited := time.Duration(0); still < 300*time.Millisecond && waited < 5*time.Second; waited += 50 * time.Millisecond {
		time.Sleep(50 * time.Millisecond)
		if now := o.logLines(t); len(now) != len(lines) {
			lines, still = now, 0
		} else {
			still += 50 * time.Millisecond
		}
	}
	return lines
}

func (o *realOAuth) logLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(o.Dir, "logs", "access.log"))
	if err != nil {
		t.Fatalf("access log: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// counts are the requests nginx logged since line from, by kind.
type counts struct {
	Resource, Metadata, Token, Authorize, Other int
	Statuses                                    []int // of the resource requests
}

func (o *realOAuth) since(t *testing.T, from int) counts {
	t.Helper()
	var c counts
	for _, line := range o.settledLines(t)[from:] {
		_, req, ok := strings.Cut(line, `"`)
		if !ok {
			continue
		}
		fields := strings.Fields(req)
		if len(fields) < 4 {
			continue
		}
		path, _, _ := strings.Cut(fields[1], "?")
		status, _ := strconv.Atoi(fields[3]) // GET /path HTTP/1.1" 200
		switch {
		case path == "/oauth/wms":
			c.Resource++
			c.Statuses = append(c.Statuses, status)
		case strings.Contains(path, "/.well-known/"):
			c.Metadata++
		case path == "/o/token/":
			c.Token++
		case path == "/o/authorize/":
			c.Authorize++
		default:
			c.Other++
		}
	}
	return c
}

func (o *realOAuth) entry() vault.Entry {
	return vault.Entry{AuthRequired: true, Method: vault.MethodOAuth2, Issuer: o.Issuer, ClientID: "mapvault"}
}

func (o *realOAuth) src(t *testing.T) vault.Source {
	t.Helper()
	src, err := vault.SourceOf(o.WMS)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (o *realOAuth) getMapURL() string {
	return o.WMS + "?" + probeQuery
}

// open is SignIn's browser: OpenBrowser with BROWSER set to the test's
// stand-in, which signs in with curl.
func (o *realOAuth) open(u string) error {
	return vault.OpenBrowser(u, func(k string) string {
		if k == "BROWSER" {
			return o.Browser
		}
		return os.Getenv(k)
	})
}

func (o *realOAuth) signIn(t *testing.T) *vault.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tok, err := vault.SignIn(ctx, o.entry(), o.open, vault.Env{Client: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	return tok
}

// client is an authenticating client holding tok for the WMS.
func (o *realOAuth) client(t *testing.T, cred vault.Credential, e vault.Entry) (*http.Client, *vault.Store) {
	t.Helper()
	store, kv := vault.NewStore(), vault.NewKeyVault()
	kv.Set(o.src(t), e)
	store.Set(o.src(t), cred)
	return vault.NewClient(store, kv, vault.TransportOptions{RequestTimeout: 20 * time.Second}), store
}

// fetch GETs raw for the WMS source and returns the status, content type
// and body.
func (o *realOAuth) fetch(t *testing.T, client *http.Client, raw string) (int, string, []byte, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(vault.WithSource(context.Background(), o.src(t)), http.MethodGet, raw, nil)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, err
}

func (o *realOAuth) mustMap(t *testing.T, client *http.Client) {
	t.Helper()
	status, ctype, body, err := o.fetch(t, client, o.getMapURL())
	if err != nil || status != http.StatusOK || ctype != "image/png" || len(body) < 8 {
		t.Fatalf("GetMap = %d %q (%d bytes), %v; want a PNG", status, ctype, len(body), err)
	}
}

// revoke revokes a token at the provider (RFC 7009) as the public client.
// (Revoking the access token deletes it, and the refresh then fails with a
// 500 in django-oauth-toolkit 1.7; revoking the refresh token revokes both.)
func (o *realOAuth) revoke(t *testing.T, token, hint string) {
	t.Helper()
	form := url.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {"mapvault"}}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).PostForm(o.Issuer+"/revoke_token/", form)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke answered %d", resp.StatusCode)
	}
}

func TestOAuth2RealDiscover(t *testing.T) {
	o := requireRealOAuth(t)
	kv := vault.NewKeyVault()
	before := o.logLen(t)
	d := &vault.Detector{Client: &http.Client{Timeout: 10 * time.Second}, KeyVault: kv}
	res, err := d.DetectWith(context.Background(), vault.Target{URL: o.getMapURL(), Expect: vault.ExpectImage}, vault.Credential{}, vault.Hint{})
	if err != nil {
		t.Fatal(err)
	}
	c := o.since(t, before)
	t.Logf("detect without a secret: %d requests (resource %d, metadata %d): %s", res.Requests, c.Resource, c.Metadata, res.Reason)
	if res.Outcome != vault.OutcomeRejected || res.Entry != o.entry() {
		t.Fatalf("DetectWith = %+v, want rejected with %+v", res, o.entry())
	}
	if res.Requests != 3 || c.Resource != 1 || c.Metadata != 2 || c.Token+c.Authorize+c.Other != 0 {
		t.Errorf("requests = %d, nginx %+v; want 3: the 401, resource and server metadata", res.Requests, c)
	}
	if _, err := kv.Marshal(); err != nil {
		t.Errorf("the recorded entry does not save: %v", err)
	}
}

func TestOAuth2RealSignInRefresh(t *testing.T) {
	o := requireRealOAuth(t)
	before := o.logLen(t)
	start := time.Now()
	tok := o.signIn(t)
	c := o.since(t, before)
	t.Logf("sign-in: %v, nginx %+v", time.Since(start).Round(time.Millisecond), c)
	if c.Token != 1 || c.Metadata != 1 || c.Authorize < 1 || c.Resource != 0 {
		t.Errorf("sign-in requests %+v; want 1 metadata, 1 token, the browser's authorize", c)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("SignIn gave an incomplete token (access %t, refresh %t, expiry %v)", tok.AccessToken != "", tok.RefreshToken != "", tok.Expiry)
	}

	client, store := o.client(t, vault.Credential{Token: tok}, o.entry())
	before = o.logLen(t)
	status, ctype, body, err := o.fetch(t, client, o.WMS+"?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), "WMS_Capabilities") {
		t.Fatalf("GetCapabilities = %d %q, %v", status, ctype, err)
	}
	if !strings.Contains(string(body), o.WMS) {
		t.Errorf("capabilities do not point back at %s", o.WMS)
	}
	o.mustMap(t, client)
	c = o.since(t, before)
	t.Logf("GetCapabilities + GetMap: nginx %+v", c)
	if c.Resource != 2 || c.Token != 0 {
		t.Errorf("requests %+v; want 2 to the resource and no token request", c)
	}

	// Past the short lifetime: refreshed before sending, twice.
	for i := range 2 {
		time.Sleep(time.Duration(o.TokenSeconds)*time.Second + 500*time.Millisecond)
		before = o.logLen(t)
		o.mustMap(t, client)
		c = o.since(t, before)
		t.Logf("GetMap after %d s (refresh %d): nginx %+v", o.TokenSeconds, i+1, c)
		// The provider is shared with the CLI's tests, which run at the
		// same time in CI: each of their sign-ins adds an authorize and a
		// token request (and their renders resource requests) to the log.
		others := c.Authorize
		if c.Token < 1 || c.Token > 1+others || c.Resource < 1 || (others == 0 && (c.Token != 1 || c.Resource != 1)) || !slices.Contains(c.Statuses, http.StatusOK) {
			t.Errorf("requests %+v; want one refresh, then one accepted GetMap", c)
		}
	}
	cred, st := store.Get(o.src(t))
	if cred.Token == nil || cred.Token.RefreshToken == tok.RefreshToken || st != vault.StatusVerified {
		t.Errorf("the store does not hold the rotated tokens (status %v)", st)
	}

	// The access token expires at the provider while the client believes
	// it has an hour left: 401 invalid_token, one refresh, the retry.
	stale := *cred.Token
	stale.Expiry = time.Now().Add(time.Hour)
	client, _ = o.client(t, vault.Credential{Token: &stale}, o.entry())
	time.Sleep(time.Duration(o.TokenSeconds)*time.Second + 500*time.Millisecond)
	before = o.logLen(t)
	o.mustMap(t, client)
	c = o.since(t, before)
	t.Logf("GetMap with an access token the provider expired: nginx %+v", c)
	if c.Token != 1 || c.Resource != 2 || c.Statuses[0] != http.StatusUnauthorized || c.Statuses[1] != http.StatusOK {
		t.Errorf("requests %+v; want 401, one refresh, the accepted retry", c)
	}
}

func TestOAuth2RealDeadRefreshToken(t *testing.T) {
	o := requireRealOAuth(t)
	for _, tc := range []struct {
		name string
		cred func(t *testing.T) vault.Credential
		wait bool
	}{
		{"garbage tokens", func(*testing.T) vault.Credential {
			return vault.Credential{Token: &vault.Token{AccessToken: "garbage-access-0000", RefreshToken: "garbage-refresh-0000", Expiry: time.Now().Add(time.Hour)}}
		}, false},
		{"revoked refresh token, expired access token", func(t *testing.T) vault.Credential {
			tok := o.signIn(t)
			o.revoke(t, tok.RefreshToken, "refresh_token")
			return vault.Credential{Token: tok}
		}, true},
		// django-oauth-toolkit 1.7 deletes a revoked access token, and a
		// refresh with its refresh token then fails with a 500: no verdict,
		// but the source still ends rejected after one refresh.
		{"revoked access token", func(t *testing.T) vault.Credential {
			tok := o.signIn(t)
			o.revoke(t, tok.AccessToken, "access_token")
			return vault.Credential{Token: tok}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := tc.cred(t)
			if tc.wait {
				time.Sleep(time.Duration(o.TokenSeconds)*time.Second + 500*time.Millisecond)
			}
			client, store := o.client(t, cred, o.entry())
			before := o.logLen(t)
			var errs []error
			for range 5 {
				_, _, _, err := o.fetch(t, client, o.getMapURL())
				errs = append(errs, err)
			}
			c := o.since(t, before)
			t.Logf("5 GetMaps with a dead refresh token: nginx %+v; errors %v, %v", c, errs[0], errs[4])
			if !errors.Is(errs[0], vault.ErrExpired) || !errors.Is(errs[4], vault.ErrRejected) {
				t.Errorf("errors %v … %v; want expired, then rejected", errs[0], errs[4])
			}
			if st := store.Status(o.src(t)); st != vault.StatusRejected {
				t.Errorf("status = %v, want rejected", st)
			}
			if c.Resource != 1 || c.Token != 1 || c.Metadata != 1 {
				t.Errorf("requests %+v; want 1 to the resource, 1 refresh (and the metadata)", c)
			}
			// The KeyVault says oauth2, so the app asks for a sign-in
			// (needs-sign-in) once the user drops the dead credential.
			store.Forget(o.src(t))
			if _, _, _, err := o.fetch(t, client, o.getMapURL()); !errors.Is(err, vault.ErrNeedsSignIn) {
				t.Errorf("after Forget: %v, want ErrNeedsSignIn", err)
			}
		})
	}
}

func TestOAuth2RealClientCredentials(t *testing.T) {
	o := requireRealOAuth(t)
	target := vault.Target{URL: o.getMapURL(), Expect: vault.ExpectImage}
	kv, store := vault.NewKeyVault(), vault.NewStore()
	d := &vault.Detector{Client: &http.Client{Timeout: 10 * time.Second}, KeyVault: kv, Store: store}
	before := o.logLen(t)
	res, err := d.DetectWith(context.Background(), target, vault.Credential{Key: o.ClientSecret}, vault.Hint{ClientID: "mapvault-script"})
	if err != nil {
		t.Fatal(err)
	}
	c := o.since(t, before)
	t.Logf("detect with the client secret: %d requests, nginx %+v: %s", res.Requests, c, res.Reason)
	if res.Outcome != vault.OutcomeFound || res.Entry.Method != vault.MethodOAuth2 || res.Entry.ClientID != "mapvault-script" || res.Entry.Issuer != o.Issuer {
		t.Fatalf("DetectWith = %+v; want oauth2 found", res)
	}
	if res.Requests != 6 || c.Token != 1 || c.Resource != 2 {
		t.Errorf("requests = %d, nginx %+v; want 6: 401, metadata x3, token, GetMap", res.Requests, c)
	}
	client := vault.NewClient(store, kv, vault.TransportOptions{RequestTimeout: 20 * time.Second})
	before = o.logLen(t)
	o.mustMap(t, client)
	c = o.since(t, before)
	t.Logf("GetMap with client credentials: nginx %+v", c)

	// A wrong secret: one token request, nothing to the resource.
	kv2, store2 := vault.NewKeyVault(), vault.NewStore()
	kv2.Set(o.src(t), vault.Entry{AuthRequired: true, Method: vault.MethodOAuth2, Issuer: o.Issuer, ClientID: "mapvault-script"})
	store2.Set(o.src(t), vault.Credential{Key: "wrong-" + o.ClientSecret})
	client2 := vault.NewClient(store2, kv2, vault.TransportOptions{})
	before = o.logLen(t)
	for range 3 {
		o.fetch(t, client2, o.getMapURL())
	}
	c = o.since(t, before)
	t.Logf("3 GetMaps with a wrong client secret: nginx %+v", c)
	if c.Token != 1 || c.Resource != 0 || store2.Status(o.src(t)) != vault.StatusRejected {
		t.Errorf("requests %+v, status %v; want 1 token request, none to the resource, rejected", c, store2.Status(o.src(t)))
	}
}

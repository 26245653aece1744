package vault

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// SignInTimeout bounds how long SignIn waits for the browser to come back
// when the caller's context sets no earlier deadline.
const SignInTimeout = 5 * time.Minute

// Errors of the sign-in, matched with errors.Is.
var (
	// ErrOAuth2State: the browser came back with a state that is not the
	// one sent (a forged or stale redirect). Its code is not used.
	ErrOAuth2State = errors.New("vault: sign-in answer with a wrong state (not used)")
	// ErrSignInTimeout: the browser did not come back within SignInTimeout.
	ErrSignInTimeout = errors.New("vault: sign-in timed out")
	// ErrNoSignIn: the authorization server has no authorization endpoint.
	ErrNoSignIn = errors.New("vault: the authorization server offers no browser sign-in")
)

// SignIn signs the user in at e's authorization server in the system
// browser and returns the tokens: the authorization code flow with PKCE
// (S256) for native apps (RFC 8252). It fetches the issuer's metadata
// (DiscoverOAuth2), listens on 127.0.0.1 on a free port, calls open with
// the authorization URL (which holds no secret: the client id, the
// loopback redirect URI http://127.0.0.1:<port>/callback, a random state
// and the code challenge), waits for the browser's redirect to the
// loopback address, checks its state (a wrong one ends the sign-in with
// ErrOAuth2State, its code unused), exchanges the code with the PKCE
// verifier at the token endpoint and answers the browser with a short page
// that says whether it worked. It gives up when ctx ends or after
// SignInTimeout (ErrSignInTimeout).
//
// e needs Issuer; ClientID defaults to DefaultOAuth2ClientID; Scope is
// sent when set. env.Client makes every request (metadata, token);
// env.Clock stamps the expiry. Errors are *OAuth2Error or the sentinels
// above and never hold a secret.
func SignIn(ctx context.Context, e Entry, open func(authURL string) error, env Env) (*Token, error) {
	if e.ClientID == "" {
		e.ClientID = DefaultOAuth2ClientID
	}
	if msg := (oauth2Scheme{}).Check(Entry{Method: MethodOAuth2, Issuer: e.Issuer, ClientID: e.ClientID, Scope: e.Scope}); msg != "" {
		return nil, &OAuth2Error{Op: "sign-in", detail: msg}
	}
	client := env.plainClient()
	meta, err := discoverOAuth2(ctx, client, e.Issuer)
	if err != nil {
		return nil, err
	}
	if meta.AuthorizationEndpoint == "" {
		return nil, &OAuth2Error{Op: "sign-in", Err: ErrNoSignIn, detail: "the server offers no browser sign-in"}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, &OAuth2Error{Op: "sign-in", Err: err, detail: "cannot listen on the loopback address"}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := &oauth2.Config{
		ClientID: e.ClientID,
		Endpoint: oauth2.Endpoint{
			AuthURL: meta.AuthorizationEndpoint, TokenURL: meta.TokenEndpoint,
			AuthStyle: oauth2.AuthStyleInParams, // a public client: client_id in the form
		},
		RedirectURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/callback",
		Scopes:      strings.Fields(e.Scope),
	}
	state, err := randomState()
	if err != nil {
		ln.Close()
		return nil, &OAuth2Error{Op: "sign-in", Err: err, detail: "no randomness"}
	}
	verifier := oauth2.GenerateVerifier()

	cb := &callback{
		state:  state,
		issuer: meta.Issuer,
		host:   "127.0.0.1:" + strconv.Itoa(port),
		done:   make(chan signInResult, 1),
		exchange: func(code string) (*Token, error) {
			t, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), code, oauth2.VerifierOption(verifier))
			if err != nil {
				return nil, tokenError("token", err, nil)
			}
			return tokenFrom(t, env.now())
		},
	}
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		// Let the page reach the browser, then stop listening.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	if err := open(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))); err != nil {
		return nil, &OAuth2Error{Op: "sign-in", Err: err, detail: "could not open the browser"}
	}
	timer := time.NewTimer(SignInTimeout)
	defer timer.Stop()
	select {
	case r := <-cb.done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, &OAuth2Error{Op: "sign-in", Err: ctx.Err(), detail: "cancelled"}
	case <-timer.C:
		return nil, &OAuth2Error{Op: "sign-in", Err: ErrSignInTimeout, detail: "the browser did not come back in time"}
	}
}

// randomState is 32 random bytes, base64url: the CSRF token of the
// authorization request (RFC 6749 §10.12).
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

type signInResult struct {
	tok *Token
	err error
}

// callback serves the loopback redirect: the first request to /callback
// ends the sign-in, whatever it carries.
type callback struct {
	state    string
	issuer   string
	host     string
	exchange func(code string) (*Token, error)
	done     chan signInResult
	once     sync.Once
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" || r.Method != http.MethodGet || r.Host != c.host {
		http.NotFound(w, r)
		return
	}
	handled := false
	c.once.Do(func() {
		handled = true
		tok, err := c.handle(r.URL.Query())
		signInPage(w, err == nil)
		c.done <- signInResult{tok, err}
	})
	if !handled {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintln(w, "This sign-in is already finished.")
	}
}

// handle checks the redirect's parameters and exchanges its code.
func (c *callback) handle(q url.Values) (*Token, error) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(c.state)) != 1 {
		return nil, &OAuth2Error{Op: "sign-in", Err: ErrOAuth2State, detail: "the answer's state is not the one sent (a forged or stale redirect)"}
	}
	// RFC 9207: a server that names itself must be the one asked (mix-up).
	if iss := q.Get("iss"); q.Has("iss") && !sameIssuer(iss, c.issuer) {
		return nil, &OAuth2Error{Op: "sign-in", Err: ErrOAuth2IssuerMismatch}
	}
	if code := q.Get("error"); code != "" {
		return nil, &OAuth2Error{Op: "sign-in", Code: knownOAuth2Code(code)}
	}
	code := q.Get("code")
	if code == "" {
		return nil, &OAuth2Error{Op: "sign-in", detail: "the answer has no code"}
	}
	return c.exchange(code)
}

// signInPage answers the browser: a small page without any secret, not
// cached, that sends no referrer (the URL held the code).
func signInPage(w http.ResponseWriter, ok bool) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'")
	title, text, status := "Signed in", "Signed in, you can close this window.", http.StatusOK
	if !ok {
		title, text, status = "Sign-in failed", "Sign-in failed. Close this window and try again in mapvault.", http.StatusBadRequest
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>mapvault: %s</title></head>\n<body><p>%s</p></body></html>\n", title, text)
}

// browserWait is how long OpenBrowser waits for the browser command to
// fail before it returns.
const browserWait = 2 * time.Second

// ErrNoBrowser: no command to open a browser is known on this system.
var ErrNoBrowser = errors.New("vault: no way to open a browser (set BROWSER)")

// OpenBrowser opens rawURL (an http(s) URL, never one holding a secret: it
// goes on a command line) in the user's browser the way git and gh do:
// $BROWSER when set (getenv("BROWSER")), a command line split at spaces
// (quotes group words), run directly without a shell, the URL replacing a
// "%s" argument or appended as the last one; otherwise xdg-open (Linux,
// BSD), open (macOS) or rundll32 url.dll,FileProtocolHandler (Windows).
// It starts the command and returns once it has exited successfully or
// browserWait passed with it still running (a browser that stays open);
// it fails when the command cannot start or exits with an error within
// that time. The command's output is discarded.
func OpenBrowser(rawURL string, getenv func(string) string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: not an http(s) URL", ErrBadURL)
	}
	argv, err := browserCommand(getenv("BROWSER"), runtime.GOOS)
	if err != nil {
		return err
	}
	argv = withURL(argv, u.String())
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("vault: cannot start the browser %q: %w", argv[0], unwrapExec(err))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("vault: the browser %q failed: %w", argv[0], unwrapExec(err))
		}
		return nil
	case <-time.After(browserWait):
		return nil // still running (the goroutine reaps it)
	}
}

// browserCommand is the command line that opens a URL on goos.
func browserCommand(browser, goos string) ([]string, error) {
	if strings.TrimSpace(browser) != "" {
		argv := splitCommand(browser)
		if len(argv) == 0 {
			return nil, ErrNoBrowser
		}
		return argv, nil
	}
	switch goos {
	case "darwin":
		return []string{"open"}, nil
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler"}, nil
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "solaris", "illumos":
		return []string{"xdg-open"}, nil
	}
	return nil, ErrNoBrowser
}

// withURL puts u where "%s" is in argv, or at its end.
func withURL(argv []string, u string) []string {
	out := append([]string(nil), argv...)
	for i, a := range out[1:] {
		if strings.Contains(a, "%s") {
			out[i+1] = strings.ReplaceAll(a, "%s", u)
			return out
		}
	}
	return append(out, u)
}

// splitCommand splits a command line at unquoted spaces; single and double
// quotes group words (no other shell syntax: nothing is interpreted).
func splitCommand(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// unwrapExec drops the command line exec's errors may quote (it holds the
// URL, harmless but long), keeping the reason.
func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

package session

import (
	"context"
	"errors"
	"net/http"

	"mapvault/vault"
)

// ErrNotSignIn: SignIn was asked for a source whose KeyVault entry is not
// an OAuth2 one.
var ErrNotSignIn = errors.New("session: the source does not sign in with OAuth2")

// SignIn signs the user in to src's OAuth2 authorization server in the
// browser (open shows the authorization URL, which holds no secret), then
// checks the tokens with t as Unlock does, and keeps them in the session
// (and the keychain when remember is set). While it runs the source is
// "detecting"; a failed or cancelled sign-in leaves it needing sign-in.
func (w *Workspace) SignIn(ctx context.Context, src vault.Source, t vault.Target, open func(authURL string) error, remember bool) (Unlocked, error) {
	e, ok := w.kv.Get(src)
	if !ok || e.Method != vault.MethodOAuth2 {
		return Unlocked{}, ErrNotSignIn
	}
	w.mu.Lock()
	w.info(src).detecting++
	w.mu.Unlock()
	w.notify(src)
	plain := &http.Client{
		Transport:     w.detector.Client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       vault.DefaultRequestTimeout,
	}
	tok, err := vault.SignIn(ctx, e, open, vault.Env{Client: plain})
	w.mu.Lock()
	w.info(src).detecting--
	w.mu.Unlock()
	w.notify(src)
	if err != nil {
		return Unlocked{}, err
	}
	hint := vault.Hint{Method: vault.MethodOAuth2, Issuer: e.Issuer, ClientID: e.ClientID, Scope: e.Scope}
	return w.Unlock(ctx, src, t, vault.Credential{Token: tok}, hint, remember)
}

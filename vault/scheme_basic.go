package vault

import (
	"encoding/base64"
	"net/http"
	"net/url"
)

// basicScheme is HTTP Basic: a username and password on every request. A
// password is only ever sent this way after the server asked for Basic, or
// answered without saying (detection sends it once: lockout safety).
type basicScheme struct{}

func (basicScheme) Method() Method { return MethodBasic }
func (basicScheme) Label() string  { return "HTTP Basic" }
func (basicScheme) Needs() Needs   { return Needs{Username: true, Secret: SecretPassword} }
func (basicScheme) Check(e Entry) string {
	return checkNoParams(e)
}
func (basicScheme) Usable(c Credential) bool { return c.isPassword() }

func (s basicScheme) Candidates(c Credential, bare Answer, hint Hint) []Entry {
	if !s.Usable(c) {
		return nil
	}
	_, basic := bare.Challenge("Basic")
	// A server that asks for a token, or a user who named a token service,
	// wants the password there, not on the layer request.
	tokens := bare.TokenRequired || hint.TokenURL != ""
	if basic || (!bare.hasChallenges() && !tokens) {
		return []Entry{{AuthRequired: true, Method: MethodBasic}}
	}
	return nil
}

func (basicScheme) Authenticator(_ Entry, c Credential, _ Env) (Authenticator, error) {
	if !c.isPassword() {
		return nil, errNotSendable
	}
	return &basicAuth{user: c.Username, pass: c.Password}, nil
}

type basicAuth struct{ user, pass string }

func (a *basicAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return nil, errNotSendable
	}
	req.SetBasicAuth(a.user, a.pass)
	return next.RoundTrip(req)
}

func (a *basicAuth) Secrets() []string { return passwordSecrets(a.user, a.pass) }

// passwordSecrets lists a password's forms: raw, in a Basic header, and
// query-escaped. The username is not secret.
func passwordSecrets(user, pass string) []string {
	out := []string{pass, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
	if e := url.QueryEscape(pass); e != pass {
		out = append(out, e)
	}
	if pass == "" {
		out = out[1:]
	}
	return out
}

// hasChallenges reports whether the bare answer carried any challenge.
func (a Answer) hasChallenges() bool { return len(a.Challenges) > 0 }

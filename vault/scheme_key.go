package vault

import (
	"net/http"
	"net/url"
	"strings"
)

// queryScheme sends an access key as a query parameter (Entry.Param), as
// GeoServer's authkey, MapTiler's key and most gateways take it.
type queryScheme struct{}

func (queryScheme) Method() Method { return MethodQuery }
func (queryScheme) Label() string  { return "access key (query parameter)" }
func (queryScheme) Needs() Needs {
	return Needs{Secret: SecretKey, Fields: []string{"param"}}
}
func (queryScheme) Check(e Entry) string     { return checkParamEntry(e) }
func (queryScheme) Usable(c Credential) bool { return c.isKey() }

func (s queryScheme) Candidates(c Credential, bare Answer, hint Hint) []Entry {
	if !s.Usable(c) || hint.TokenURL != "" {
		// With a token service named, the key is a secret key exchanged
		// there; it never goes to the layer.
		return nil
	}
	if _, bearer := bare.Challenge("Bearer"); bearer && hint.Param == "" {
		// The server said how it wants the key: in a Bearer header.
		return nil
	}
	var out []Entry
	if validParamName(hint.Param) {
		out = append(out, Entry{AuthRequired: true, Method: MethodQuery, Param: hint.Param})
	}
	for _, p := range detectedKeyParams() {
		if p != hint.Param {
			out = append(out, Entry{AuthRequired: true, Method: MethodQuery, Param: p})
		}
	}
	return out
}

func (queryScheme) Authenticator(e Entry, c Credential, _ Env) (Authenticator, error) {
	if !c.isKey() || !validParamName(e.Param) {
		return nil, errNotSendable
	}
	return &queryAuth{param: e.Param, key: c.Key}, nil
}

type queryAuth struct{ param, key string }

func (a *queryAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	if err := setQueryParam(req, a.param, a.key); err != nil {
		return nil, err
	}
	return next.RoundTrip(req)
}

func (a *queryAuth) Secrets() []string { return keySecrets(a.key) }

// setQueryParam appends name=value to req's URL. It refuses to overwrite a
// parameter of that name already there.
func setQueryParam(req *http.Request, name, value string) error {
	if hasQueryParam(req.URL, name) {
		return errNotSendable
	}
	u := *req.URL
	pair := url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if u.RawQuery == "" {
		u.RawQuery = pair
	} else {
		u.RawQuery += "&" + pair
	}
	u.ForceQuery = false
	req.URL = &u
	return nil
}

// headerScheme sends an access key in a request header: "Authorization:
// Bearer <key>" or the raw key in any other header (X-API-Key).
type headerScheme struct{}

func (headerScheme) Method() Method { return MethodHeader }
func (headerScheme) Label() string  { return "access key (header)" }
func (headerScheme) Needs() Needs {
	return Needs{Secret: SecretKey, Fields: []string{"param"}}
}
func (headerScheme) Check(e Entry) string     { return checkParamEntry(e) }
func (headerScheme) Usable(c Credential) bool { return c.isKey() }

func (s headerScheme) Candidates(c Credential, bare Answer, hint Hint) []Entry {
	if !s.Usable(c) || hint.TokenURL != "" {
		return nil // a secret key for the token service (see queryScheme)
	}
	out := []Entry{{AuthRequired: true, Method: MethodHeader, Param: "Authorization"}}
	if _, bearer := bare.Challenge("Bearer"); !bearer {
		out = append(out, Entry{AuthRequired: true, Method: MethodHeader, Param: "X-API-Key"})
	}
	return out
}

func (headerScheme) Authenticator(e Entry, c Credential, _ Env) (Authenticator, error) {
	if !c.isKey() || !validParamName(e.Param) {
		return nil, errNotSendable
	}
	return &headerAuth{name: e.Param, key: c.Key}, nil
}

type headerAuth struct{ name, key string }

func (a *headerAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	if req.Header.Get(a.name) != "" {
		return nil, errNotSendable
	}
	if http.CanonicalHeaderKey(a.name) == "Authorization" {
		req.Header.Set("Authorization", "Bearer "+a.key)
	} else {
		req.Header.Set(a.name, a.key)
	}
	return next.RoundTrip(req)
}

func (a *headerAuth) Secrets() []string { return keySecrets(a.key) }

// keySecrets lists an access key's forms: raw, query- and path-escaped.
func keySecrets(key string) []string {
	out := []string{key}
	if e := url.QueryEscape(key); e != key {
		out = append(out, e)
	}
	if e := url.PathEscape(key); e != key {
		out = append(out, e)
	}
	return out
}

// checkParamEntry validates Entry.Param of a query or header entry.
func checkParamEntry(e Entry) string {
	if msg := checkOnly(e, "param"); msg != "" {
		return msg
	}
	if e.Param == "" {
		return "method " + strings.TrimSpace(string(e.Method)) + " needs a param"
	}
	return checkName("param", e.Param)
}

package vault

import (
	"io"
	"net/http"
	"sync"

	"github.com/icholy/digest"
)

// digestScheme is HTTP Digest (RFC 7616: MD5, SHA-256 and SHA-512-256,
// qop=auth), as MapServer behind Apache and IIS setups use it. The
// password never goes on the wire; the challenge arithmetic is
// github.com/icholy/digest's, the nonce bookkeeping ours (one nonce per
// source, its count incremented per request, a stale nonce answered once).
type digestScheme struct{}

func (digestScheme) Method() Method           { return MethodDigest }
func (digestScheme) Label() string            { return "HTTP Digest" }
func (digestScheme) Needs() Needs             { return Needs{Username: true, Secret: SecretPassword} }
func (digestScheme) Check(e Entry) string     { return checkNoParams(e) }
func (digestScheme) Usable(c Credential) bool { return c.isPassword() }

func (s digestScheme) Candidates(c Credential, bare Answer, _ Hint) []Entry {
	if !s.Usable(c) {
		return nil
	}
	if ch, ok := bare.Challenge("Digest"); ok && digestUsable(ch) {
		return []Entry{{AuthRequired: true, Method: MethodDigest}}
	}
	return nil
}

// digestUsable reports whether a Digest challenge uses an algorithm and qop
// the client can answer.
func digestUsable(ch Challenge) bool {
	dc, err := digest.ParseChallenge("Digest " + encodeParams(ch.Params))
	return err == nil && digest.CanDigest(dc)
}

func (digestScheme) Authenticator(_ Entry, c Credential, _ Env) (Authenticator, error) {
	if !c.isPassword() {
		return nil, errNotSendable
	}
	return &digestAuth{user: c.Username, pass: c.Password}, nil
}

type digestAuth struct {
	user, pass string

	mu    sync.Mutex
	chal  *digest.Challenge
	count int
}

// Prime hands the authenticator a challenge already received (detection's
// bare request), saving the round trip that would fetch it again.
func (a *digestAuth) Prime(h http.Header) {
	if c, err := digest.FindChallenge(h); err == nil && digest.CanDigest(c) {
		a.mu.Lock()
		a.chal, a.count = c, 0
		a.mu.Unlock()
	}
}

func (a *digestAuth) authorize(req *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.chal == nil {
		return nil
	}
	a.count++
	cred, err := digest.Digest(a.chal, digest.Options{
		Method: req.Method, URI: req.URL.RequestURI(), GetBody: req.GetBody,
		Count: a.count, Username: a.user, Password: a.pass,
	})
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", cred.String())
	return nil
}

func (a *digestAuth) RoundTrip(req *http.Request, next http.RoundTripper) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return nil, errNotSendable
	}
	a.mu.Lock()
	had := a.chal != nil
	a.mu.Unlock()
	retry, err := cloneForRetry(req)
	if err != nil {
		return nil, err
	}
	if err := a.authorize(req); err != nil {
		return nil, err
	}
	resp, err := next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	chal, cerr := digest.FindChallenge(resp.Header)
	if cerr != nil || !digest.CanDigest(chal) || (had && !chal.Stale) {
		// Not a Digest server, or our answer to a fresh nonce was refused:
		// that is the server's verdict on the password.
		return resp, nil
	}
	// First contact, or a stale nonce: answer the new challenge once.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.mu.Lock()
	a.chal, a.count = chal, 0
	a.mu.Unlock()
	if err := a.authorize(retry); err != nil {
		return nil, err
	}
	return next.RoundTrip(retry)
}

func (a *digestAuth) Secrets() []string { return passwordSecrets(a.user, a.pass) }

// cloneForRetry returns a copy of req that can be sent again (its body
// re-read through GetBody).
func cloneForRetry(req *http.Request) (*http.Request, error) {
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, errNotSendable
		}
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		out.Body = b
	}
	return out, nil
}

// encodeParams writes challenge parameters back as auth-params.
func encodeParams(p map[string]string) string {
	var b []byte
	for k, v := range p {
		if k == "" {
			continue
		}
		if len(b) > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
		b = append(b, '=', '"')
		for i := 0; i < len(v); i++ {
			if v[i] == '"' || v[i] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, v[i])
		}
		b = append(b, '"')
	}
	return string(b)
}

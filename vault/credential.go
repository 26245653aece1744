package vault

import (
	"crypto/tls"
	"errors"
	"time"
)

// errNotSendable: a scheme cannot send this credential on this request (the
// credential is of another kind, or the request already carries a header or
// parameter of the name the credential would take). Nothing was sent.
var errNotSendable = errors.New("vault: the credential cannot be sent this way")

// Credential is a secret entered by the user for one source, or obtained for
// them: a username and password (Basic, Digest, an ArcGIS token service), an
// access key or secret key (query, header, key exchange; an OAuth2 client
// secret), OAuth2 tokens from a sign-in, or a client certificate with its
// private key. Which scheme sends it is the KeyVault's business.
//
// A Credential lives in memory. It prints as a redacted placeholder through
// fmt and refuses JSON encoding, so it cannot leak through a log line or a
// file by accident; only the keychain encodes it, explicitly.
type Credential struct {
	Username string
	Password string
	Key      string
	// Token holds OAuth2 tokens obtained by a sign-in.
	Token *Token
	// Certificate is a client certificate with its private key, loaded from
	// the file the user picked (LoadClientCertificate).
	Certificate *tls.Certificate
}

// Token is an OAuth2 access token with its refresh token and expiry. It is
// a secret like the rest of a Credential.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time // zero: unknown
}

// IsZero reports whether the credential holds nothing.
func (c Credential) IsZero() bool {
	return c.Username == "" && c.Password == "" && c.Key == "" && c.Token == nil && c.Certificate == nil
}

// IsBasic reports whether the credential is a username and password.
func (c Credential) IsBasic() bool { return c.isPassword() }

// isPassword: a username and/or password, nothing else.
func (c Credential) isPassword() bool {
	return (c.Username != "" || c.Password != "") && c.Key == "" && c.Token == nil && c.Certificate == nil
}

// isKey: an access key alone.
func (c Credential) isKey() bool {
	return c.Key != "" && c.Username == "" && c.Password == "" && c.Token == nil && c.Certificate == nil
}

// String hides the secret.
func (c Credential) String() string {
	switch {
	case c.IsZero():
		return "credential(none)"
	case c.Certificate != nil:
		return "credential(client certificate)"
	case c.Token != nil:
		return "credential(token)"
	case c.isPassword():
		return "credential(basic user=" + c.Username + ")"
	case c.Username != "":
		return "credential(user=" + c.Username + " key)"
	default:
		return "credential(key)"
	}
}

// GoString hides the secret from %#v too.
func (c Credential) GoString() string { return c.String() }

// MarshalJSON refuses: a credential is never written as JSON.
func (c Credential) MarshalJSON() ([]byte, error) { return nil, ErrSecretEncoding }

// MarshalText refuses for the same reason (covers slog and encoding/xml).
func (c Credential) MarshalText() ([]byte, error) { return nil, ErrSecretEncoding }

// String hides the token.
func (t *Token) String() string { return "token(hidden)" }

// GoString hides the token from %#v too.
func (t *Token) GoString() string { return t.String() }

// MarshalJSON refuses: a token is never written as JSON.
func (t *Token) MarshalJSON() ([]byte, error) { return nil, ErrSecretEncoding }

// MarshalText refuses for the same reason.
func (t *Token) MarshalText() ([]byte, error) { return nil, ErrSecretEncoding }

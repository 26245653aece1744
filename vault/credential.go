package vault

// Credential is a secret entered by the user for one source: either a
// username and password (sent only as HTTP Basic) or an access key (sent as
// the query parameter or header the KeyVault records).
//
// A Credential lives in memory. It prints as a redacted placeholder through
// fmt and refuses JSON encoding, so it cannot leak through a log line or a
// file by accident; only the keychain encodes it, explicitly.
type Credential struct {
	Username string
	Password string
	Key      string
}

// IsZero reports whether the credential holds nothing.
func (c Credential) IsZero() bool { return c.Username == "" && c.Password == "" && c.Key == "" }

// IsBasic reports whether the credential is a username and password.
func (c Credential) IsBasic() bool { return c.Key == "" && (c.Username != "" || c.Password != "") }

// String hides the secret.
func (c Credential) String() string {
	switch {
	case c.IsZero():
		return "credential(none)"
	case c.IsBasic():
		return "credential(basic user=" + c.Username + ")"
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

package vault

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrBadURL is returned for a URL that cannot name a source.
var ErrBadURL = errors.New("vault: not an http(s) URL")

// Source names a service that credentials belong to: scheme, host, port and
// path, without query, fragment or user information. It is the key of the
// KeyVault, of the session store and of the keychain.
//
// The canonical form always carries an explicit port and a lower-case scheme
// and host: "https://maps.example.org:443/wms".
type Source string

// SourceOf returns the canonical source of a URL. User information, query and
// fragment are dropped; an empty path becomes "/".
func SourceOf(raw string) (Source, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrBadURL, RedactURL(raw))
	}
	return sourceOfURL(u)
}

func sourceOfURL(u *url.URL) (Source, error) {
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %s", ErrBadURL, RedactURL(u.String()))
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return Source(scheme + "://" + net.JoinHostPort(host, port) + path), nil
}

// Origin returns the source's origin: scheme, host and port, as
// "https://maps.example.org:443".
func (s Source) Origin() string {
	str := string(s)
	i := strings.Index(str, "://")
	if i < 0 {
		return ""
	}
	rest := str[i+3:]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return str[:i+3] + rest
}

// OriginOf returns the canonical origin (scheme://host:port) of a URL, or ""
// when it has none.
func OriginOf(u *url.URL) string {
	s, err := sourceOfURL(u)
	if err != nil {
		return ""
	}
	return s.Origin()
}

// SameOrigin reports whether u belongs to the source's origin.
func (s Source) SameOrigin(u *url.URL) bool {
	o := OriginOf(u)
	return o != "" && o == s.Origin()
}

// String returns the source as text; a source never contains a secret.
func (s Source) String() string { return string(s) }

package vault

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
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
//
// A source whose path ends in "/" is a path prefix: its credential goes to
// requests under that path only (an XYZ template's tiles, an API's
// collections), see Covers. Any other source (a WMS endpoint) covers its
// whole origin.
type Source string

// SourceOf returns the canonical source of a URL. User information, query and
// fragment are dropped; an empty path becomes "/".
//
// A URL template, whose path holds a placeholder written as is ("{z}",
// "{TileMatrix}"; an escaped "%7B" is no placeholder), names the path prefix
// before its first placeholder, cut after the last "/":
// "https://tiles.example.com/v3/{z}/{x}/{y}.png" is the source
// "https://tiles.example.com:443/v3/". A placeholder in the host ("{s}") is
// not a URL; the layer kind substitutes it first.
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
	if prefix, ok := templatePrefix(u); ok {
		path = prefix
	}
	if path == "" {
		path = "/"
	}
	return Source(scheme + "://" + net.JoinHostPort(host, port) + path), nil
}

// isTemplate reports whether u's path holds a template placeholder: a "{"
// written as is (url.Parse keeps the path as written in RawPath then).
func isTemplate(u *url.URL) bool { return strings.Contains(u.RawPath, "{") }

// templatePrefix returns the escaped path of a URL template up to its first
// placeholder, cut after the last "/", so that it always ends in "/".
func templatePrefix(u *url.URL) (string, bool) {
	if !isTemplate(u) {
		return "", false
	}
	raw := u.RawPath[:strings.IndexByte(u.RawPath, '{')]
	raw = raw[:strings.LastIndexByte(raw, '/')+1]
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return "/", true
	}
	if !strings.HasPrefix(dec, "/") {
		dec = "/" + dec
	}
	return (&url.URL{Path: dec}).EscapedPath(), true
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

// Covers reports whether a request to u is made under the source, so that
// its credential may go with it: u has the source's origin and, when the
// source is a path prefix (its path ends in "/", other than the root "/"),
// u's path lies under that prefix. A source whose path does not end in "/"
// (a WMS endpoint, "https://maps.example.org:443/wms") covers its whole
// origin, as it always did. Paths are compared decoded and cleaned, so
// "/v3/../admin" and "/v3%2F..%2Fadmin" are not under "/v3/".
func (s Source) Covers(u *url.URL) bool {
	if !s.SameOrigin(u) {
		return false
	}
	prefix := s.Path()
	if prefix == "/" || !strings.HasSuffix(prefix, "/") {
		return true
	}
	want, err := url.PathUnescape(prefix)
	if err != nil {
		return false
	}
	got := u.Path
	if got == "" {
		got = "/"
	}
	got = path.Clean(got)
	if got != "/" {
		got += "/"
	}
	return strings.HasPrefix(got, want)
}

// Path returns the source's escaped path: "/wms", or "/v3/" for a prefix.
func (s Source) Path() string {
	str := string(s)
	i := strings.Index(str, "://")
	if i < 0 {
		return ""
	}
	rest := str[i+3:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return "/"
	}
	return rest[j:]
}

// String returns the source as text; a source never contains a secret.
func (s Source) String() string { return string(s) }

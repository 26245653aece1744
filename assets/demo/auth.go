package demo

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// The demo credentials. They are documented, public and protect nothing but
// the demo; they exist so that every kind of access can be tried offline.
const (
	BasicUser     = "demo"
	BasicPassword = "demo-password"
	AccessKey     = "demo-key-2f9c41"
	// WMTSKey is the access key of the demo WMTS (WMTSPath), sent in the
	// WMTSKeyParam query parameter.
	WMTSKey = "demo-wmts-7d3e58"
)

// WMTSKeyParam is the query parameter that carries WMTSKey on WMTSPath.
const WMTSKeyParam = "key"

// KeyParam is the query parameter that carries the access key on /key/wms
// (like GeoServer's AuthKey module).
const KeyParam = "authkey"

// BasicRealm is the realm of the HTTP Basic challenge on /basic/wms.
const BasicRealm = "mapvault demo"

// authKind is how an endpoint checks access.
type authKind int

const (
	authNone authKind = iota
	authBasic
	authKey
	authWMTSKey // WMTSKey in WMTSKeyParam
)

// allowed reports whether r carries the endpoint's credentials. On failure
// it has written the 401 answer.
func allowed(w http.ResponseWriter, r *http.Request, kind authKind) bool {
	switch kind {
	case authBasic:
		user, pass, ok := r.BasicAuth()
		if ok && equal(user, BasicUser) && equal(pass, BasicPassword) {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="`+BasicRealm+`", charset="UTF-8"`)
		http.Error(w, "401 unauthorized: HTTP Basic credentials required", http.StatusUnauthorized)
		return false
	case authKey:
		if equal(keyOf(r, KeyParam), AccessKey) {
			return true
		}
		// No WWW-Authenticate: there is no HTTP scheme for a key in the
		// query, and servers of this kind send none.
		http.Error(w, "401 unauthorized: a valid "+KeyParam+" is required", http.StatusUnauthorized)
		return false
	case authWMTSKey:
		if equal(keyOf(r, WMTSKeyParam), WMTSKey) {
			return true
		}
		http.Error(w, "401 unauthorized: a valid "+WMTSKeyParam+" is required", http.StatusUnauthorized)
		return false
	}
	return true
}

// keyOf returns the access key of the request in the query parameter
// param; the parameter name is case-insensitive like every OGC parameter.
func keyOf(r *http.Request, param string) string {
	for k, vs := range r.URL.Query() {
		if strings.EqualFold(k, param) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

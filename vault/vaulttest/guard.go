package vaulttest

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Guard says which credential a protected handler accepts. Set exactly one
// of Basic, Query or Header; a zero Guard accepts every request.
type Guard struct {
	Basic    bool   // HTTP Basic with User and Password
	User     string // for Basic
	Password string // for Basic
	Query    string // name of the query parameter carrying Key
	Header   string // header carrying Key; "Authorization" expects "Bearer <Key>"
	Key      string // for Query and Header
	// QueryFold matches the query parameter name case-insensitively, as
	// some servers do.
	QueryFold bool
}

// Allows reports whether r carries the guard's credential.
func (g Guard) Allows(r *http.Request) bool {
	switch {
	case g.Basic:
		u, p, ok := r.BasicAuth()
		return ok && eq(u, g.User) && eq(p, g.Password)
	case g.Query != "":
		for name, vals := range r.URL.Query() {
			if name != g.Query && !(g.QueryFold && strings.EqualFold(name, g.Query)) {
				continue
			}
			for _, v := range vals {
				if eq(v, g.Key) {
					return true
				}
			}
		}
		return false
	case g.Header != "":
		want := g.Key
		if http.CanonicalHeaderKey(g.Header) == "Authorization" {
			want = "Bearer " + g.Key
		}
		return eq(r.Header.Get(g.Header), want)
	default:
		return true
	}
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Protect serves ok to requests the guard allows and reject to the others.
// A nil reject answers 401 with a WWW-Authenticate challenge for Basic
// guards and a bare 401 otherwise.
func Protect(g Guard, ok, reject http.Handler) http.Handler {
	if reject == nil {
		reject = Status(http.StatusUnauthorized)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Allows(r) {
			ok.ServeHTTP(w, r)
			return
		}
		if g.Basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="vaulttest"`)
		}
		reject.ServeHTTP(w, r)
	})
}

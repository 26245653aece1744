package vaulttest

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// KeyExchange emulates a portal's "Remote Authentication": a user's secret
// key, posted as the form field secret_key to Path, is exchanged for an
// access key answered as {Field: key, "expires_in": seconds}; an unknown
// secret key gets 401 {"error": "..."}. Every other path is a layer
// answering a PNG when query parameter Param carries a live access key and
// 401 otherwise. It is safe for concurrent use; set the fields before the
// first request.
type KeyExchange struct {
	SecretKey string
	Path      string           // the exchange; default "/authorize"
	Field     string           // answer field of the access key; default "access_key"
	Param     string           // the layer's query parameter; default "access_key"
	Lifetime  time.Duration    // sent as expires_in; 0: no expiry said or enforced
	Now       func() time.Time // default time.Now
	// EchoSecret: the error for an unknown key repeats it (a careless
	// portal), to test scrubbing.
	EchoSecret bool

	mu     sync.Mutex
	keys   map[string]time.Time // access key -> expiry (zero: none)
	issued []string
	forms  []url.Values
}

func (k *KeyExchange) path() string {
	if k.Path == "" {
		return "/authorize"
	}
	return k.Path
}

func (k *KeyExchange) field() string {
	if k.Field == "" {
		return "access_key"
	}
	return k.Field
}

func (k *KeyExchange) param() string {
	if k.Param == "" {
		return "access_key"
	}
	return k.Param
}

func (k *KeyExchange) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// TokenPath is the path of the exchange.
func (k *KeyExchange) TokenPath() string { return k.path() }

// Posts returns the exchange requests received, as their forms.
func (k *KeyExchange) Posts() []url.Values {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]url.Values(nil), k.forms...)
}

// Revoke invalidates every access key issued so far (they expired without
// saying when).
func (k *KeyExchange) Revoke() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = nil
}

// Issued returns every access key issued so far.
func (k *KeyExchange) Issued() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.issued...)
}

func (k *KeyExchange) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != k.path() {
		k.layer(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.RawQuery != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "POST the secret key in the body"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "bad form"})
		return
	}
	k.mu.Lock()
	k.forms = append(k.forms, r.PostForm)
	k.mu.Unlock()
	got := r.PostForm.Get("secret_key")
	if !eq(got, k.SecretKey) {
		msg := "unknown secret key"
		if k.EchoSecret {
			msg = "unknown secret key " + got
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": msg})
		return
	}
	key := randomToken()
	var exp time.Time
	ans := map[string]any{k.field(): key}
	if k.Lifetime > 0 {
		exp = k.now().Add(k.Lifetime)
		ans["expires_in"] = int(k.Lifetime / time.Second)
	}
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]time.Time{}
	}
	k.keys[key] = exp
	k.issued = append(k.issued, key)
	k.mu.Unlock()
	writeJSON(w, http.StatusOK, ans)
}

func (k *KeyExchange) layer(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get(k.param())
	k.mu.Lock()
	exp, ok := k.keys[key]
	live := ok && key != "" && (exp.IsZero() || k.now().Before(exp))
	k.mu.Unlock()
	if !live {
		Status(http.StatusUnauthorized).ServeHTTP(w, r)
		return
	}
	PNG().ServeHTTP(w, r)
}

// Package leaktest holds what the layers packages' hostile-server tests
// share: a session key, what a hostile server echoes of it, a client that
// holds it, the check that text shown to a user holds none of it, and a
// sampler of the heap's peak while a hostile document is read.
package leaktest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mapvault/vault"
)

// Key is the session's access key in the hostile tests; percent-encoding
// changes it.
const Key = "Hst1le+K3y/LAYERS=0a9b8c7d"

// Echo is what a hostile server writes back: the key raw, percent-encoded,
// base64, upper-cased, in a URL, with a C1 control (U+009B).
func Echo() string {
	return "invalid authkey '" + Key + "' " + url.QueryEscape(Key) + " " +
		base64.StdEncoding.EncodeToString([]byte(Key)) + " " + strings.ToUpper(Key) +
		" see http://h.example/wms?mykey=" + url.QueryEscape(Key) + " \u009b2J"
}

// NoLeak fails when s holds the key in any form, or a control character.
func NoLeak(t testing.TB, what, s string) {
	t.Helper()
	low := strings.ToLower(s)
	for _, f := range []string{Key, url.QueryEscape(Key), base64.StdEncoding.EncodeToString([]byte(Key)), "hst1le", "0a9b8c7d"} {
		if strings.Contains(low, strings.ToLower(f)) {
			t.Errorf("%s = %q, holds the key as %q", what, s, f)
		}
	}
	for _, r := range s {
		if r < ' ' || r >= 0x7f && r <= 0x9f {
			t.Errorf("%s = %q, holds the control %U", what, s, r)
		}
	}
}

// Client is the authenticating client of a session that holds Key for the
// source of rawURL, sent as ?authkey= and already confirmed (as after
// reading the capabilities): a later error document is the layer's error,
// not a rejection of the key.
func Client(t testing.TB, rawURL string) *http.Client {
	t.Helper()
	src, err := vault.SourceOf(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	store := vault.NewStore()
	store.Set(src, vault.Credential{Key: Key})
	store.MarkVerified(src)
	kv := vault.NewKeyVault()
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"})
	return vault.NewClient(store, kv, vault.TransportOptions{})
}

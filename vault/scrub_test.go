package vault

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// scrubKey holds characters that percent-encoding changes.
const scrubKey = "Sc7ub+K3y/CANARY=4d5e6f70"

func scrubForms(sec string) []string {
	var every strings.Builder
	for i := 0; i < len(sec); i++ {
		fmt.Fprintf(&every, "%%%02x", sec[i])
	}
	return []string{
		sec, url.QueryEscape(sec), strings.ToLower(url.QueryEscape(sec)), url.QueryEscape(url.QueryEscape(sec)), every.String(),
		base64.StdEncoding.EncodeToString([]byte(sec)), base64.RawURLEncoding.EncodeToString([]byte(sec)),
		base64.StdEncoding.EncodeToString([]byte("ann:" + sec)), base64.StdEncoding.EncodeToString([]byte("xx" + sec + "yy")),
		strings.ToUpper(sec), "Sc7ub&#43;K3y&#x2F;CANARY&#61;4d5e6f70",
	}
}

func TestScrubSecretForms(t *testing.T) {
	for _, f := range scrubForms(scrubKey) {
		in := "invalid authkey '" + f + "' for layer roads"
		if strings.Contains(f, "&#") {
			continue // HTML references are the HTML reader's to decode (layers does)
		}
		got := Scrub(in, []string{scrubKey})
		if strings.Contains(strings.ToLower(got), strings.ToLower(f)) || strings.Contains(strings.ToLower(got), "4d5e6f70") {
			t.Errorf("Scrub(%q) = %q, holds the secret", in, got)
		}
		if !strings.Contains(got, "for layer roads") {
			t.Errorf("Scrub(%q) = %q, lost the message", in, got)
		}
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"plain", "layer not found", nil, "layer not found"},
		{"C0 and ESC sequences", "a\x1b[2J\x1b]0;owned\x07b", nil, "a[2J]0;ownedb"},
		{"C1 CSI", "a\u009b31mb\u0085c", nil, "a31mb c"},
		{"line breaks become spaces", "one\ntwo\r\nthree\tfour", nil, "one two  three four"},
		{"bidi override and zero-width", "file\u202egnp.exe\u200b", nil, "filegnp.exe"},
		{"invalid UTF-8", "a\x9bb\xffc", nil, "a\uFFFDb\uFFFDc"},
		{"URL", "see https://h/wms?SERVICE=WMS&authkey=k1k1k1&x=1", nil, "see https://h/wms?SERVICE=WMS&authkey=REDACTED&x=1"},
		{"OnlineResource", `href="http://h/geoserver/wms?authkey=e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d&"`, nil, `href="http://h/geoserver/wms?authkey=REDACTED&"`},
		{"labelled key", "invalid authkey 'abc12345'", nil, "invalid authkey 'REDACTED'"},
		{"key=value pair", "rejected: token=abc12345; retry", nil, "rejected: token=REDACTED; retry"},
		{"Authorization value", "got Authorization: Basic YW5uOmh1bnRlcjI=", nil, "got Authorization: Basic REDACTED"},
		{"random word", "bad key Zq7xW2pL9mK4vB8nC3tR6yH1 here", nil, "bad key REDACTED here"},
		{"identifiers stay", "layer 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c (code=NL) style a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", nil,
			"layer 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c (code=NL) style a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"},
		{"session secret anywhere", "hello ann, your pass is hunter22!", []string{"hunter22"}, "hello ann, your pass is REDACTED!"},
		{"session secret upper case", "HUNTER22 is wrong", []string{"hunter22"}, "REDACTED is wrong"},
		{"session secret split by a control", "hun\x1bter22", []string{"hunter22"}, "REDACTED"},
		{"short secrets are not searched", "the pin is 123", []string{"123"}, "the pin is 123"},
		{"empty", "", []string{"x"}, ""},
		{"cut short in the secret", "invalid key Sc7ub+K3y/CAN...", []string{scrubKey}, "invalid key REDACTED..."},
		{"whole base64 run", "hdr " + base64.StdEncoding.EncodeToString([]byte("ann:"+scrubKey)) + " end", []string{scrubKey}, "hdr REDACTED end"},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in, tt.secrets); got != tt.want {
			t.Errorf("%s: Scrub(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestScrubIdentifier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zq7xW2pL9mK4vB8nC3tR6yH1", "Zq7xW2pL9mK4vB8nC3tR6yH1"},
		{"roads\u009b2J", "roads2J"},
		{"layer_" + scrubKey, "layer_REDACTED"},
	}
	for _, tt := range tests {
		if got := ScrubIdentifier(tt.in, []string{scrubKey}); got != tt.want {
			t.Errorf("ScrubIdentifier(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStoreAndClientSecrets(t *testing.T) {
	store := NewStore()
	a, _ := SourceOf("https://a.example.org/wms")
	b, _ := SourceOf("https://b.example.org/wms")
	store.Set(a, Credential{Key: scrubKey})
	store.Set(b, Credential{Username: "ann", Password: "hunter22"})
	store.MarkRejected(b)
	got := store.Secrets()
	for _, want := range []string{scrubKey, url.QueryEscape(scrubKey), "hunter22", base64.StdEncoding.EncodeToString([]byte("ann:hunter22"))} {
		if !slices.Contains(got, want) {
			t.Errorf("Store.Secrets() = %q, lacks %q", got, want)
		}
	}
	if slices.Contains(got, "ann") {
		t.Errorf("Store.Secrets() = %q, lists the user name", got)
	}
	kv := NewKeyVault()
	kv.Set(a, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := NewClient(store, kv, TransportOptions{})
	if got := ClientSecrets(c); !slices.Contains(got, scrubKey) || !slices.Contains(got, "hunter22") {
		t.Errorf("ClientSecrets() = %q, want the store's secrets", got)
	}
	if got := ClientSecrets(http.DefaultClient); got != nil {
		t.Errorf("ClientSecrets(a plain client) = %q, want none", got)
	}
}

// FuzzScrub: never panics; the result holds no control or format
// character and no form of the secret.
func FuzzScrub(f *testing.F) {
	f.Add("invalid authkey '"+scrubKey+"' \x1b[2J\u009b31m", scrubKey)
	f.Add("see https://h/wms?token=abc&x=1", "abcd")
	f.Add("a\xffb\u202ec", "zzzz")
	f.Fuzz(func(t *testing.T, text, secret string) {
		got := Scrub(text, []string{secret})
		for _, r := range got {
			if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
				t.Fatalf("Scrub(%q) = %q holds the control %U", text, got, r)
			}
		}
		if len(secret) < minScrubLen || strings.ContainsAny(strings.ToLower(secret), "redact") {
			return // too short to search for, or made of the placeholder's letters
		}
		if strings.Contains(asciiLower(got), asciiLower(secret)) {
			t.Fatalf("Scrub(%q, %q) = %q holds the secret", text, secret, got)
		}
	})
}

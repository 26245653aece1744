package vault

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		in   []string
		want []Challenge
	}{
		{[]string{`Basic realm="GeoServer Realm"`}, []Challenge{{Scheme: "Basic", Params: map[string]string{"realm": "GeoServer Realm"}}}},
		{[]string{`Digest realm="mapvault digest", nonce="abc=", algorithm=MD5, qop="auth"`},
			[]Challenge{{Scheme: "Digest", Params: map[string]string{"realm": "mapvault digest", "nonce": "abc=", "algorithm": "MD5", "qop": "auth"}}}},
		{[]string{`Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/wms"`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"resource_metadata": "https://h/.well-known/oauth-protected-resource/wms"}}}},
		{[]string{`Bearer error="invalid_token", error_description="expired \"yes\""`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "invalid_token", "error_description": `expired "yes"`}}}},
		{[]string{"Negotiate", "NTLM"}, []Challenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}}},
		{[]string{`Basic realm="a", Bearer realm="b", Negotiate`},
			[]Challenge{{Scheme: "Basic", Params: map[string]string{"realm": "a"}}, {Scheme: "Bearer", Params: map[string]string{"realm": "b"}}, {Scheme: "Negotiate"}}},
		{[]string{"Negotiate YIIB/w=="}, []Challenge{{Scheme: "Negotiate", Params: map[string]string{"": "YIIB/w=="}}}},
		{[]string{`Bearer`}, []Challenge{{Scheme: "Bearer"}}},
		{[]string{`,,  ,`}, nil},
		{[]string{`"unterminated`}, []Challenge{{Scheme: "unterminated"}}},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.in {
			h.Add("WWW-Authenticate", v)
		}
		if got := ParseChallenges(h); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseChallenges(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestAnswerChallenge(t *testing.T) {
	h := http.Header{}
	h.Add("WWW-Authenticate", `basic realm="x"`)
	a := Answer{Challenges: ParseChallenges(h)}
	if c, ok := a.Challenge("Basic"); !ok || c.Param("REALM") != "x" {
		t.Errorf("Challenge(Basic) = %+v %v, want realm x (case-insensitive)", c, ok)
	}
	if _, ok := a.Challenge("Digest"); ok {
		t.Errorf("Challenge(Digest) found on a Basic answer")
	}
}

// FuzzParseChallenges: never panics, bounded output, every scheme a token.
func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{`Basic realm="x"`, `Digest realm="r", nonce="n==", qop="auth,auth-int"`, "Negotiate abc==", `Bearer error="invalid_token", resource_metadata="https://h/x"`, `a=b=c, "d`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{}
		h.Add("WWW-Authenticate", s)
		got := ParseChallenges(h)
		if len(got) > 32 {
			t.Fatalf("%d challenges from %q", len(got), s)
		}
		for _, c := range got {
			if c.Scheme == "" {
				t.Fatalf("empty scheme from %q", s)
			}
			for i := 0; i < len(c.Scheme); i++ {
				if !isTokenChar(c.Scheme[i]) {
					t.Fatalf("scheme %q from %q is not a token", c.Scheme, s)
				}
			}
		}
	})
}

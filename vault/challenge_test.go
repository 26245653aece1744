package vault

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
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

// TestSignInHints: GeoMapFish's authentication_required survives hygiene
// (it is a hint, not a secret), and a source marked "requires sign-in"
// is not settled by an anonymous answer.
func TestSignInHints(t *testing.T) {
	sp, err := SplitURL("https://gmf.example.org/mapserv_proxy?ogcserver=Main&authentication_required=true&SERVICE=WMS")
	if err != nil || !strings.Contains(sp.CleanURL, "authentication_required=true") || len(sp.Suspects) != 0 {
		t.Fatalf("SplitURL = %+v %v, want authentication_required kept", sp, err)
	}
	// The server shows public layers to everyone, more to a signed-in user.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytesForTest())
	}))
	defer srv.Close()
	target := Target{URL: srv.URL + "/wms?REQUEST=GetMap", Expect: ExpectImage}
	res, _ := (&Detector{}).DetectWith(context.Background(), target, Credential{Username: "ann", Password: "pw"}, Hint{})
	if res.Outcome != OutcomeNoAuthNeeded {
		t.Fatalf("without the hint: %v, want no authentication needed", res.Outcome)
	}
	kv := NewKeyVault()
	res, _ = (&Detector{KeyVault: kv}).DetectWith(context.Background(), target, Credential{Username: "ann", Password: "pw"}, Hint{SignIn: true})
	if res.Outcome != OutcomeFound || res.Method != MethodBasic {
		t.Errorf("with the sign-in hint: %v %v, want found basic", res.Outcome, res.Method)
	}
	if e, _ := kv.Get(res.Source); !e.SignIn {
		t.Errorf("KeyVault entry %+v does not keep the sign-in mark", e)
	}
	res, _ = (&Detector{}).DetectWith(context.Background(), target, Credential{}, Hint{SignIn: true})
	if res.Outcome == OutcomeNoAuthNeeded {
		t.Errorf("a source marked sign-in, probed without a credential, was settled as public")
	}
}

package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault/vaulttest"
)

const (
	tokenUser     = "ann"
	tokenPassword = "pw-CANARY-arcgis-51c4e0b2"
	secretKey     = "0825aeed-6d95-48d0-81d2-ef90aac615b6"
)

// fakeClock is a settable clock shared by a server and the client.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: testNow} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newArcGIS starts an emulated ArcGIS Server with the test user.
func newArcGIS(t *testing.T, statusCodes bool, clock *fakeClock) (*vaulttest.Server, *vaulttest.ArcGIS) {
	t.Helper()
	a := &vaulttest.ArcGIS{User: tokenUser, Password: tokenPassword, StatusCodes: statusCodes}
	if clock != nil {
		a.Now = clock.Now
	}
	return vaulttest.NewServer(t, a), a
}

func arcgisTarget(s *vaulttest.Server, a *vaulttest.ArcGIS) Target {
	return Target{URL: s.URL + a.ServicePath() + "?bbox=0,0,1,1&size=16,16&format=png&f=image", Expect: ExpectImage}
}

// countPath counts the requests s saw for path.
func countPath(s *vaulttest.Server, path string) int {
	n := 0
	for _, r := range s.Records() {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		if p == path {
			n++
		}
	}
	return n
}

// sawAny reports whether s saw any of secrets in a URL or header.
func sawAny(s *vaulttest.Server, secrets ...string) bool {
	for _, sec := range secrets {
		if s.Saw(sec) {
			return true
		}
	}
	return false
}

func passwordCred() Credential { return Credential{Username: tokenUser, Password: tokenPassword} }

func TestTokenCheck(t *testing.T) {
	ok := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: "https://h/arcgis/tokens/generateToken", Param: "token"}
	tests := []struct {
		name string
		edit func(*Entry)
		want string // substring of the message; "" valid
	}{
		{"arcgis", func(*Entry) {}, ""},
		{"exchange no param", func(e *Entry) { e.TokenKind, e.Param = TokenKindExchange, "" }, ""},
		{"token field", func(e *Entry) { e.TokenField = "access_key" }, ""},
		{"no token url", func(e *Entry) { e.TokenURL = "" }, "needs a token_url"},
		{"token url query", func(e *Entry) { e.TokenURL = "https://h/t?secret_key=x" }, "query"},
		{"token url userinfo", func(e *Entry) { e.TokenURL = "https://u:p@h/t" }, "user information"},
		{"token url ftp", func(e *Entry) { e.TokenURL = "ftp://h/t" }, "token_url"},
		{"no kind", func(e *Entry) { e.TokenKind = "" }, "needs a token_kind"},
		{"bad kind", func(e *Entry) { e.TokenKind = "oauth" }, `token_kind "oauth"`},
		{"bad param", func(e *Entry) { e.Param = "a b" }, "param"},
		{"secret-looking param", func(e *Entry) { e.Param = "Zx9Qw2Lm7Rt5Yp3Kd8Vb" }, "looks like a secret"},
		{"bad token field", func(e *Entry) { e.TokenField = "a=b" }, "token_field"},
		{"issuer", func(e *Entry) { e.Issuer = "https://idp" }, "takes no issuer"},
	}
	for _, tt := range tests {
		e := ok
		tt.edit(&e)
		got := tokenScheme{}.Check(e)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTokenKeyVaultRoundTrip(t *testing.T) {
	kv := NewKeyVault()
	src := mustSource(t, "https://gis.example.com/arcgis/rest/services")
	e := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange,
		TokenURL: "https://portal.example.com/admin/action/authorize.php", TokenField: "access_key", Param: "access_key"}
	kv.Set(src, e)
	data, err := kv.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := ParseKeyVault("kv.json", data)
	if err != nil {
		t.Fatalf("ParseKeyVault: %v\n%s", err, data)
	}
	if got, _ := back.Get(src); got != e {
		t.Errorf("round trip = %+v, want %+v", got, e)
	}
}

func TestArcGISInfoURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/arcgis/rest/services/Folder/Svc/MapServer", "https://h/arcgis/rest/info?f=json"},
		{"https://h/arcgis/services/Folder/Svc/MapServer/WMSServer?request=GetMap", "https://h/arcgis/rest/info?f=json"},
		{"https://h:6443/server/rest/services/Svc/MapServer/export?f=image", "https://h:6443/server/rest/info?f=json"},
		{"https://h/ArcGIS/REST/Services/x/MapServer", "https://h/ArcGIS/rest/info?f=json"},
		{"http://h/rest/services/x/ImageServer", "http://h/rest/info?f=json"},
		{"https://h/a/b/services/x", "https://h/a/b/rest/info?f=json"},
		{"https://h/wms", ""},
		{"ftp://h/arcgis/rest/services/x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := arcgisInfoURL(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("arcgisInfoURL(%q) = %q %v, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestArcGISTokenURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/arcgis/tokens/", "https://h/arcgis/tokens/generateToken"},
		{"https://h/arcgis/tokens", "https://h/arcgis/tokens/generateToken"},
		{"https://h/arcgis/tokens/generateToken", "https://h/arcgis/tokens/generateToken"},
		{"https://h/arcgis/tokens/generatetoken/", "https://h/arcgis/tokens/generatetoken"},
		{"https://portal/portal/sharing/rest/generateToken", "https://portal/portal/sharing/rest/generateToken"},
		{"https://h", "https://h/generateToken"},
		{"https://h/arcgis/tokens/?x=1", ""},
		{"https://u:p@h/arcgis/tokens/", ""},
		{"not a url", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := arcgisTokenURL(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("arcgisTokenURL(%q) = %q %v, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestTokenCandidates(t *testing.T) {
	const tu = "https://portal.example.com/authorize"
	arcgis := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: "https://h/arcgis/tokens/generateToken", Param: "token"}
	discovered := Answer{Verdict: VerdictRejected, TokenRequired: true, Discovered: arcgis}
	var exchangeParams []string
	exchangeParams = append(exchangeParams, "")
	for _, c := range CandidateOrder("") {
		if c.Method == MethodQuery {
			exchangeParams = append(exchangeParams, c.Param)
		}
	}
	tests := []struct {
		name   string
		cred   Credential
		bare   Answer
		hint   Hint
		kind   string
		url    string
		params []string // nil: no candidate
	}{
		{"password discovered", passwordCred(), discovered, Hint{}, TokenKindArcGIS, arcgis.TokenURL, []string{"token"}},
		{"password hint", passwordCred(), Answer{}, Hint{TokenURL: "https://h/arcgis/tokens/"}, TokenKindArcGIS, arcgis.TokenURL, []string{"token"}},
		{"password token required, nothing advertised", passwordCred(), Answer{TokenRequired: true}, Hint{}, "", "", nil},
		{"password bad hint", passwordCred(), Answer{}, Hint{TokenURL: "https://h/t?x=1"}, "", "", nil},
		{"key hint", Credential{Key: secretKey}, Answer{}, Hint{TokenURL: tu}, TokenKindExchange, tu, exchangeParams},
		{"key hint param", Credential{Key: secretKey}, Answer{}, Hint{TokenURL: tu, Param: "key"}, TokenKindExchange, tu,
			append([]string{"key"}, slicesWithout(exchangeParams[1:], "key")...)},
		{"key discovered only", Credential{Key: secretKey}, discovered, Hint{}, "", "", nil},
		{"key no hint", Credential{Key: secretKey}, Answer{}, Hint{}, "", "", nil},
	}
	for _, tt := range tests {
		got := tokenScheme{}.Candidates(tt.cred, tt.bare, tt.hint)
		var params []string
		for _, e := range got {
			params = append(params, e.Param)
			if e.Method != MethodToken || e.TokenKind != tt.kind || e.TokenURL != tt.url || !e.AuthRequired {
				t.Errorf("%s: candidate %+v, want kind %s url %s", tt.name, e, tt.kind, tt.url)
			}
			if msg := (tokenScheme{}).Check(e); msg != "" {
				t.Errorf("%s: candidate %+v fails Check: %s", tt.name, e, msg)
			}
		}
		if fmt.Sprint(params) != fmt.Sprint(tt.params) {
			t.Errorf("%s: params = %q, want %q", tt.name, params, tt.params)
		}
	}

	// With a token service named or asked for, no other scheme sends the
	// password or the secret key to the layer.
	for _, c := range []struct {
		cred Credential
		bare Answer
		hint Hint
	}{
		{passwordCred(), Answer{Verdict: VerdictRejected, TokenRequired: true}, Hint{}},
		{passwordCred(), Answer{Verdict: VerdictRejected}, Hint{TokenURL: tu}},
		{Credential{Key: secretKey}, Answer{Verdict: VerdictRejected}, Hint{TokenURL: tu, Param: "sig"}},
	} {
		for _, sch := range registry {
			for _, e := range sch.Candidates(c.cred, c.bare, c.hint) {
				if e.Method != MethodToken {
					t.Errorf("%v with %+v: %s offers %s", c.cred, c.hint, sch.Method(), describeEntry(e))
				}
			}
		}
	}
}

func slicesWithout(in []string, drop string) []string {
	var out []string
	for _, s := range in {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// TestDetectArcGISNoCredential: the 499 (as status or JSON in a 200) and
// rest/info are enough to report the token service, in two requests.
func TestDetectArcGISNoCredential(t *testing.T) {
	for _, statusCodes := range []bool{false, true} {
		t.Run(fmt.Sprint("status codes ", statusCodes), func(t *testing.T) {
			srv, a := newArcGIS(t, statusCodes, nil)
			d := newDetector(t, 4)
			res, err := d.DetectWith(context.Background(), arcgisTarget(srv, a), Credential{}, Hint{})
			if err != nil {
				t.Fatal(err)
			}
			want := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: srv.URL + a.TokenPath(), Param: "token"}
			if res.Outcome != OutcomeRejected || res.Method != MethodToken || res.Entry != want {
				t.Fatalf("Detect = %v %s %+v (%s), want rejected with %+v", res.Outcome, res.Method, res.Entry, res.Reason, want)
			}
			if res.Requests != 2 || countPath(srv, a.InfoPath()) != 1 || srv.Count() != 2 {
				t.Errorf("requests = %d (server saw %d), want 2: bare + rest/info", res.Requests, srv.Count())
			}
			if len(a.Posts()) != 0 {
				t.Errorf("generateToken was called without a credential")
			}
			src := mustSource(t, srv.URL+a.ServicePath())
			if e, ok := d.KeyVault.Get(src); !ok || e != want {
				t.Errorf("KeyVault entry = %+v, want %+v", e, want)
			}
			data, err := d.KeyVault.Marshal()
			if err != nil || !strings.Contains(string(data), `"token_url": "`+want.TokenURL+`"`) {
				t.Errorf("KeyVault.Marshal = %s, %v; want the token_url", data, err)
			}
		})
	}
}

// TestDetectArcGISPassword: with a username and password, detection finds
// the token service and proves the token on the layer; a wrong password
// costs exactly one generateToken POST and nothing else reaches the layer.
func TestDetectArcGISPassword(t *testing.T) {
	for _, statusCodes := range []bool{false, true} {
		for _, named := range []bool{false, true} {
			name := fmt.Sprintf("status codes %v token url given %v", statusCodes, named)
			t.Run(name+" good", func(t *testing.T) {
				srv, a := newArcGIS(t, statusCodes, nil)
				d := newDetector(t, 4)
				hint, want := Hint{}, 4 // bare + rest/info + generateToken + layer
				if named {
					hint, want = Hint{TokenURL: srv.URL + "/arcgis/tokens/"}, 3
				}
				res, err := d.DetectWith(context.Background(), arcgisTarget(srv, a), passwordCred(), hint)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != OutcomeFound || res.Method != MethodToken || res.Entry.TokenKind != TokenKindArcGIS ||
					res.Entry.TokenURL != srv.URL+a.TokenPath() || res.Entry.Param != "token" {
					t.Fatalf("Detect = %v %+v (%s), want found arcgis", res.Outcome, res.Entry, res.Reason)
				}
				if res.Requests != want || srv.Count() != want {
					t.Errorf("requests = %d (server saw %d), want %d", res.Requests, srv.Count(), want)
				}
				posts := a.Posts()
				if len(posts) != 1 || a.Served() != 1 {
					t.Fatalf("generateToken POSTs = %d, layer served %d; want 1 and 1", len(posts), a.Served())
				}
				f := posts[0]
				if f.Get("username") != tokenUser || f.Get("password") != tokenPassword || f.Get("client") != "requestip" ||
					f.Get("expiration") != "60" || f.Get("f") != "json" {
					t.Errorf("generateToken form has the wrong fields: %v", formKeys(f))
				}
				if sawAny(srv, tokenPassword, url.QueryEscape(tokenPassword)) {
					t.Error("the password appeared in a URL or header")
				}
				tok := a.Issued()[0]
				for _, r := range srv.Records() {
					if strings.Contains(r.RequestURI, tok) && !strings.HasPrefix(r.RequestURI, a.ServicePath()+"?") {
						t.Errorf("the token went to %s", RedactURL(r.RequestURI))
					}
					if r.Header.Get("Authorization") != "" {
						t.Errorf("a request carried an Authorization header")
					}
				}
				src := mustSource(t, srv.URL+a.ServicePath())
				if st := d.Store.Status(src); st != StatusVerified {
					t.Errorf("store status = %v, want verified", st)
				}
				if e, _ := d.KeyVault.Get(src); e.Method != MethodToken || e.TokenURL != res.Entry.TokenURL {
					t.Errorf("KeyVault entry = %+v", e)
				}
			})
			t.Run(name+" wrong password", func(t *testing.T) {
				srv, a := newArcGIS(t, statusCodes, nil)
				d := newDetector(t, 4)
				hint, want := Hint{}, 3 // bare + rest/info + generateToken
				if named {
					hint, want = Hint{TokenURL: srv.URL + "/arcgis/tokens"}, 2
				}
				res, err := d.DetectWith(context.Background(), arcgisTarget(srv, a), Credential{Username: tokenUser, Password: "wrong-" + tokenPassword}, hint)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != OutcomeRejected || !strings.Contains(res.Reason, "token service rejected") {
					t.Fatalf("Detect = %v (%s), want rejected by the token service", res.Outcome, res.Reason)
				}
				if n := len(a.Posts()); n != 1 {
					t.Errorf("generateToken POSTs = %d, want exactly 1", n)
				}
				if n := countPath(srv, a.ServicePath()); n != 1 {
					t.Errorf("layer requests = %d, want 1 (the bare one)", n)
				}
				if res.Requests != want || srv.Count() != want {
					t.Errorf("requests = %d (server saw %d), want %d", res.Requests, srv.Count(), want)
				}
			})
		}
	}
}

func formKeys(v url.Values) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return out
}

// TestDetectArcGISPortalElsewhere: a token service on another origin (a
// federated portal) gets the password; the token goes only to the layer.
func TestDetectArcGISPortalElsewhere(t *testing.T) {
	a := &vaulttest.ArcGIS{User: tokenUser, Password: tokenPassword}
	portal := vaulttest.NewServer(t, a)
	a.TokenServicesURL = portal.URL + "/arcgis/tokens/"
	layer := vaulttest.NewServer(t, a)
	d := newDetector(t, 1)
	res, err := d.DetectWith(context.Background(), arcgisTarget(layer, a), passwordCred(), Hint{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeFound || res.Entry.TokenURL != portal.URL+a.TokenPath() {
		t.Fatalf("Detect = %v %+v (%s), want found with the portal's token URL", res.Outcome, res.Entry, res.Reason)
	}
	if countPath(portal, a.TokenPath()) != 1 || countPath(layer, a.TokenPath()) != 0 {
		t.Errorf("generateToken: portal saw %d, layer saw %d; want 1 and 0", countPath(portal, a.TokenPath()), countPath(layer, a.TokenPath()))
	}
	if sawAny(portal, a.Issued()...) {
		t.Error("the token went to the token service's origin")
	}
	if sawAny(layer, tokenPassword) || sawAny(portal, tokenPassword) {
		t.Error("the password appeared in a URL or header")
	}
}

func exchangeTarget(s *vaulttest.Server) Target {
	return Target{URL: s.URL + "/mproxy/service?SERVICE=WMS&REQUEST=GetMap&LAYERS=layer_3&WIDTH=16&HEIGHT=16", Expect: ExpectImage}
}

// TestDetectExchange: a secret key goes to the token URL the user gave,
// in a POST body, once; the access key goes to the layer.
func TestDetectExchange(t *testing.T) {
	type tc struct {
		name     string
		x        func() *vaulttest.KeyExchange
		cred     string
		outcome  Outcome
		param    string
		requests int
	}
	for _, c := range []tc{
		{"field name", func() *vaulttest.KeyExchange { return &vaulttest.KeyExchange{} }, secretKey, OutcomeFound, "", 3},
		{"token field", func() *vaulttest.KeyExchange { return &vaulttest.KeyExchange{Field: "token", Param: "token"} }, secretKey, OutcomeFound, "", 3},
		// bare + exchange + "" (access_key) + code + key
		{"other param", func() *vaulttest.KeyExchange { return &vaulttest.KeyExchange{Param: "key"} }, secretKey, OutcomeFound, "key", 5},
		// bare + exchange; every candidate reuses the refusal
		{"wrong key", func() *vaulttest.KeyExchange { return &vaulttest.KeyExchange{EchoSecret: true} }, "wrong-" + secretKey, OutcomeRejected, "", 2},
	} {
		for _, parallel := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s parallel %d", c.name, parallel), func(t *testing.T) {
				x := c.x()
				x.SecretKey = secretKey
				srv := vaulttest.NewServer(t, x)
				d := newDetector(t, parallel)
				hint := Hint{TokenURL: srv.URL + x.TokenPath()}
				res, err := d.DetectWith(context.Background(), exchangeTarget(srv), Credential{Key: c.cred}, hint)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != c.outcome || (c.outcome == OutcomeFound && (res.Entry.Method != MethodToken ||
					res.Entry.TokenKind != TokenKindExchange || res.Entry.TokenURL != hint.TokenURL || res.Entry.Param != c.param)) {
					t.Fatalf("Detect = %v %+v (%s), want %v param %q", res.Outcome, res.Entry, res.Reason, c.outcome, c.param)
				}
				// With Parallel 4 the rest of the winner's batch may go out
				// (the access key under other names, to the layer only).
				maxReq := c.requests
				if parallel > 1 && c.outcome == OutcomeFound {
					maxReq = 2 + 4*((c.requests-2+3)/4)
				}
				if res.Requests < c.requests || res.Requests > maxReq || srv.Count() > res.Requests {
					t.Errorf("requests = %d (server saw %d), want %d..%d", res.Requests, srv.Count(), c.requests, maxReq)
					for _, r := range srv.Records() {
						t.Logf("%s %s", r.Method, RedactURL(r.RequestURI))
					}
				}
				posts := x.Posts()
				if len(posts) != 1 || posts[0].Get("secret_key") != c.cred {
					t.Errorf("exchange POSTs = %d, want 1 with the secret key in the form", len(posts))
				}
				if sawAny(srv, c.cred, url.QueryEscape(c.cred)) {
					t.Error("the secret key appeared in a URL or header")
				}
				if c.outcome == OutcomeRejected && countPath(srv, "/mproxy/service") != 1 {
					t.Errorf("layer requests = %d, want 1 (the bare one)", countPath(srv, "/mproxy/service"))
				}
			})
		}
	}

	t.Run("no key", func(t *testing.T) {
		x := &vaulttest.KeyExchange{SecretKey: secretKey}
		srv := vaulttest.NewServer(t, x)
		d := newDetector(t, 1)
		hint := Hint{TokenURL: srv.URL + x.TokenPath()}
		res, err := d.DetectWith(context.Background(), exchangeTarget(srv), Credential{}, hint)
		if err != nil {
			t.Fatal(err)
		}
		want := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange, TokenURL: hint.TokenURL}
		if res.Outcome != OutcomeRejected || res.Entry != want || res.Requests != 1 {
			t.Errorf("Detect = %v %+v in %d requests, want rejected %+v in 1", res.Outcome, res.Entry, res.Requests, want)
		}
	})
}

// tokenClient returns an authenticating client for src recorded as e with
// cred, on clock, logging to logs when not nil.
func tokenClient(t *testing.T, src Source, e Entry, cred Credential, clock *fakeClock, logs *syncBuffer) (*http.Client, *Store) {
	t.Helper()
	store, kv := NewStore(), NewKeyVault()
	store.Set(src, cred)
	kv.Set(src, e)
	opt := TransportOptions{}
	if clock != nil {
		opt.Clock = clock.Now
	}
	if logs != nil {
		opt.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return NewClient(store, kv, opt), store
}

func arcgisEntry(srv *vaulttest.Server, a *vaulttest.ArcGIS) Entry {
	return Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindArcGIS, TokenURL: srv.URL + a.TokenPath(), Param: "token"}
}

// lastToken returns the token of the last layer request srv saw.
func lastToken(t *testing.T, srv *vaulttest.Server, param string) string {
	t.Helper()
	recs := srv.Records()
	for i := len(recs) - 1; i >= 0; i-- {
		if u, err := url.ParseRequestURI(recs[i].RequestURI); err == nil && u.Query().Has(param) {
			return u.Query().Get(param)
		}
	}
	t.Fatal("no request carried a token")
	return ""
}

// TestTransportArcGISRenewal: the token is renewed shortly before it
// expires (by the clock), and once after a 498 (a server restart).
func TestTransportArcGISRenewal(t *testing.T) {
	for _, statusCodes := range []bool{false, true} {
		t.Run(fmt.Sprint("status codes ", statusCodes), func(t *testing.T) {
			clock := newFakeClock()
			srv, a := newArcGIS(t, statusCodes, clock)
			a.Lifetime = 10 * time.Minute
			src := mustSource(t, srv.URL+a.ServicePath())
			client, store := tokenClient(t, src, arcgisEntry(srv, a), passwordCred(), clock, nil)
			layer := srv.URL + a.ServicePath() + "?f=image"
			fetch := func(step string) {
				t.Helper()
				resp, body, err := get(t, client, src, layer)
				if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(body), "\x89PNG") {
					t.Fatalf("%s: GET = %v, %v; want the image", step, resp, err)
				}
			}
			fetch("first")
			clock.Advance(8 * time.Minute)
			fetch("at 8 min")
			if n := len(a.Posts()); n != 1 {
				t.Fatalf("POSTs after 8 of 10 minutes = %d, want 1", n)
			}
			clock.Advance(90 * time.Second) // 9.5 min: less than 60 s left
			fetch("at 9.5 min")
			if n := len(a.Posts()); n != 2 {
				t.Fatalf("POSTs at 9.5 of 10 minutes = %d, want 2 (renewed before expiry)", n)
			}
			if got := lastToken(t, srv, "token"); got != a.Issued()[1] {
				t.Errorf("the layer got the old token after renewal")
			}
			a.Revoke()
			fetch("after revocation")
			if n := len(a.Posts()); n != 3 {
				t.Errorf("POSTs after a 498 = %d, want 3 (one renewal)", n)
			}
			if st := store.Status(src); st != StatusVerified {
				t.Errorf("store status = %v, want verified", st)
			}
		})
	}
}

// TestTransportArcGISStillRefused: after a 498, one renewal; a second 498
// rejects the credential and nothing more is sent.
func TestTransportArcGISStillRefused(t *testing.T) {
	for _, statusCodes := range []bool{false, true} {
		t.Run(fmt.Sprint("status codes ", statusCodes), func(t *testing.T) {
			srv, a := newArcGIS(t, statusCodes, nil)
			src := mustSource(t, srv.URL+a.ServicePath())
			client, store := tokenClient(t, src, arcgisEntry(srv, a), passwordCred(), nil, nil)
			layer := srv.URL + a.ServicePath() + "?f=image"
			if resp, _, err := get(t, client, src, layer); err != nil || resp.StatusCode != 200 {
				t.Fatalf("first GET = %v, %v", resp, err)
			}
			a.RefuseTokens(true)
			resp, _, err := get(t, client, src, layer)
			if err != nil || resp.StatusCode != StatusTokenInvalid {
				t.Fatalf("GET with refused tokens = %v, %v; want the 498 answer", resp, err)
			}
			if n := len(a.Posts()); n != 2 {
				t.Errorf("POSTs = %d, want 2 (exactly one renewal)", n)
			}
			if st := store.Status(src); st != StatusRejected {
				t.Errorf("store status = %v, want rejected", st)
			}
			before := srv.Count()
			if _, _, err := get(t, client, src, layer); !errors.Is(err, ErrRejected) {
				t.Errorf("GET after rejection: err = %v, want ErrRejected", err)
			}
			if srv.Count() != before {
				t.Errorf("a request was sent after the rejection")
			}
		})
	}
}

// TestTransportTokenWrongPasswordConcurrent: 20 tiles at once with a wrong
// password cost one generateToken POST and nothing reaches the layer.
func TestTransportTokenWrongPasswordConcurrent(t *testing.T) {
	srv, a := newArcGIS(t, false, nil)
	src := mustSource(t, srv.URL+a.ServicePath())
	client, store := tokenClient(t, src, arcgisEntry(srv, a), Credential{Username: tokenUser, Password: "wrong"}, nil, nil)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, _, errs[i] = get(t, client, src, fmt.Sprintf("%s%s?f=image&tile=%d", srv.URL, a.ServicePath(), i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrRejected) {
			t.Errorf("request %d: err = %v, want ErrRejected", i, err)
		}
	}
	if n := len(a.Posts()); n < 1 || n > 3 {
		t.Errorf("generateToken POSTs = %d, want 1 to 3", n)
	} else {
		t.Logf("generateToken POSTs for 20 concurrent requests: %d", n)
	}
	if n := countPath(srv, a.ServicePath()); n != 0 {
		t.Errorf("layer requests = %d, want 0", n)
	}
	if st := store.Status(src); st != StatusRejected {
		t.Errorf("store status = %v, want rejected", st)
	}
}

// TestTransportTokenCrossOriginRedirect: a layer that redirects to another
// origin never hands it the token: followed bare, or refused when the
// Location echoes the token.
func TestTransportTokenCrossOriginRedirect(t *testing.T) {
	for _, echo := range []bool{false, true} {
		t.Run(fmt.Sprint("echo ", echo), func(t *testing.T) {
			other := vaulttest.NewServer(t, vaulttest.PNG())
			a := &vaulttest.ArcGIS{User: tokenUser, Password: tokenPassword}
			moved := vaulttest.Redirect(other.URL+"/elsewhere", echo)
			srv := vaulttest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/moved") {
					moved.ServeHTTP(w, r)
					return
				}
				a.ServeHTTP(w, r)
			}))
			src := mustSource(t, srv.URL+a.ServicePath())
			client, _ := tokenClient(t, src, arcgisEntry(srv, a), passwordCred(), nil, nil)
			_, _, err := get(t, client, src, srv.URL+"/arcgis/rest/services/moved")
			if echo && !errors.Is(err, ErrCrossOriginRedirect) {
				t.Errorf("err = %v, want ErrCrossOriginRedirect", err)
			}
			if !echo && err != nil {
				t.Errorf("err = %v, want the redirect followed bare", err)
			}
			if len(a.Issued()) != 1 {
				t.Fatalf("tokens issued = %d, want 1", len(a.Issued()))
			}
			if sawAny(other, append(a.Issued(), tokenPassword)...) {
				t.Error("the other origin saw the token or the password")
			}
			if echo && other.Count() != 0 {
				t.Errorf("the other origin got %d requests, want 0", other.Count())
			}
		})
	}
}

// TestTransportTokenHTTPS: a token the service issued for HTTPS only is not
// sent over http; an https source never posts its password to an http
// token service.
func TestTransportTokenHTTPS(t *testing.T) {
	srv, a := newArcGIS(t, false, nil)
	a.SSL = true
	src := mustSource(t, srv.URL+a.ServicePath())
	client, _ := tokenClient(t, src, arcgisEntry(srv, a), passwordCred(), nil, nil)
	if _, _, err := get(t, client, src, srv.URL+a.ServicePath()+"?f=image"); !errors.Is(err, ErrTokenService) {
		t.Errorf("err = %v, want ErrTokenService (HTTPS only)", err)
	}
	if n := countPath(srv, a.ServicePath()); n != 0 || sawAny(srv, a.Issued()...) {
		t.Errorf("the layer got %d requests; want none over http", n)
	}

	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the token service got a request from an https source")
	}))
	defer tokens.Close()
	ts := &tokenSource{kind: TokenKindArcGIS, url: tokens.URL + "/arcgis/tokens/generateToken", user: tokenUser, secret: tokenPassword,
		env: Env{Client: tokens.Client()}, fetching: make(chan struct{}, 1)}
	layer, _ := url.Parse("https://gis.example.com/arcgis/rest/services/x/MapServer")
	if _, err := ts.token(context.Background(), layer); !errors.Is(err, errTokenDowngrade) {
		t.Errorf("token() = %v, want errTokenDowngrade", err)
	}
}

// TestTransportExchange: the access key goes in the query parameter named
// after its field, is renewed before its expiry and, when it stops working
// without an expiry, once.
func TestTransportExchange(t *testing.T) {
	clock := newFakeClock()
	x := &vaulttest.KeyExchange{SecretKey: secretKey, Lifetime: 5 * time.Minute, Now: clock.Now}
	srv := vaulttest.NewServer(t, x)
	src := mustSource(t, srv.URL+"/mproxy/service")
	e := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange, TokenURL: srv.URL + x.TokenPath()}
	client, store := tokenClient(t, src, e, Credential{Key: secretKey}, clock, nil)
	layer := srv.URL + "/mproxy/service?SERVICE=WMS&REQUEST=GetMap"
	fetch := func(step string) {
		t.Helper()
		resp, _, err := get(t, client, src, layer)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: GET = %v, %v; want 200", step, resp, err)
		}
	}
	fetch("first")
	if got := lastToken(t, srv, "access_key"); got != x.Issued()[0] {
		t.Errorf("the layer did not get the access key as access_key")
	}
	clock.Advance(4 * time.Minute)
	fetch("at 4 min")
	clock.Advance(40 * time.Second) // 30 s before expiry: 10% of 5 min
	fetch("at 4:40")
	if n := len(x.Posts()); n != 2 {
		t.Errorf("exchanges = %d, want 2 (renewed before expiry)", n)
	}
	x.Revoke()
	fetch("after revocation")
	if n := len(x.Posts()); n != 3 {
		t.Errorf("exchanges = %d, want 3 (one renewal after a refusal)", n)
	}
	if st := store.Status(src); st != StatusVerified {
		t.Errorf("store status = %v, want verified", st)
	}
	if sawAny(srv, secretKey) {
		t.Error("the secret key appeared in a URL or header")
	}
}

// TestTokenSecrets: Secrets names the credential first and every token
// obtained.
func TestTokenSecrets(t *testing.T) {
	srv, a := newArcGIS(t, false, nil)
	auth, err := tokenScheme{}.Authenticator(arcgisEntry(srv, a), passwordCred(), Env{Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+a.ServicePath(), nil)
	resp, err := auth.RoundTrip(req, srv.Client().Transport)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := auth.(Renewer).Renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+a.ServicePath(), nil)
	if resp, err = auth.RoundTrip(req, srv.Client().Transport); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	secrets := auth.Secrets()
	if len(secrets) == 0 || secrets[0] != tokenPassword {
		t.Errorf("Secrets()[0] is not the password")
	}
	for _, tok := range a.Issued() {
		if !containsString(secrets, tok) {
			t.Errorf("Secrets() lacks an issued token")
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// tokenAnswerTests are token service answers and what parseTokenAnswer
// reads in them; they seed FuzzTokenAnswer.
var tokenAnswerTests = []struct {
	name, body, field string
	token, tokField   string
	expires           time.Time
	expiresIn         time.Duration
	ssl, failed       bool
	code              int
}{
	{"arcgis", `{"token":"abc.DEF-123","expires":1795256100000,"ssl":false}`, "", "abc.DEF-123", "token", time.UnixMilli(1795256100000), 0, false, false, 0},
	{"arcgis ssl", `{"token":"t1","expires":"1795256100000","ssl":true}`, "", "t1", "token", time.UnixMilli(1795256100000), 0, true, false, 0},
	{"arcgis error", `{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}`, "", "", "", time.Time{}, 0, false, true, 400},
	{"arcgis error code string", `{"error":{"code":"498","message":"Invalid Token"}}`, "", "", "", time.Time{}, 0, false, true, 498},
	{"access key", `{"access_key":"ak-1","expires_in":3600}`, "", "ak-1", "access_key", time.Time{}, time.Hour, false, false, 0},
	{"access token", `{"access_token":"at","expires_in":"120","token_type":"bearer"}`, "", "at", "access_token", time.Time{}, 2 * time.Minute, false, false, 0},
	{"order", `{"access_token":"3","token":"2","access_key":"1"}`, "", "1", "access_key", time.Time{}, 0, false, false, 0},
	{"field", `{"token":"2","key":"k9"}`, "key", "k9", "key", time.Time{}, 0, false, false, 0},
	{"field case", `{"Access_Key":"K"}`, "", "K", "access_key", time.Time{}, 0, false, false, 0},
	{"expires seconds", `{"token":"t","expires":1795256100}`, "", "t", "token", time.Unix(1795256100, 0), 0, false, false, 0},
	{"expires relative", `{"token":"t","expires":600}`, "", "t", "token", time.Time{}, 10 * time.Minute, false, false, 0},
	{"expires_at rfc3339", `{"token":"t","expires_at":"2026-11-20T09:15:00Z"}`, "", "t", "token", time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC), 0, false, false, 0},
	{"oauth error", `{"error":"invalid_client","error_description":"bad secret"}`, "", "", "", time.Time{}, 0, false, true, 0},
	{"success false", `{"success":false,"message":"no such key"}`, "", "", "", time.Time{}, 0, false, true, 0},
	{"token not a string", `{"token":123}`, "", "", "", time.Time{}, 0, false, false, 0},
	{"not json", `<html>login</html>`, "", "", "", time.Time{}, 0, false, false, 0},
	{"array", `[{"token":"t"}]`, "", "", "", time.Time{}, 0, false, false, 0},
	{"bom", "\xef\xbb\xbf {\"token\":\"t\"}", "", "t", "token", time.Time{}, 0, false, false, 0},
	{"huge expiry", `{"token":"t","expires":1e300,"expires_in":1e300}`, "", "t", "token", time.Time{}, 10 * 365 * 24 * time.Hour, false, false, 0},
	{"null error", `{"token":"t","error":null}`, "", "t", "token", time.Time{}, 0, false, false, 0},
}

func TestParseTokenAnswer(t *testing.T) {
	for _, tt := range tokenAnswerTests {
		a := parseTokenAnswer([]byte(tt.body), tt.field)
		if a.token != tt.token || a.field != tt.tokField || !a.expires.Equal(tt.expires) || a.expiresIn != tt.expiresIn ||
			a.ssl != tt.ssl || a.failed != tt.failed || a.errCode != tt.code {
			t.Errorf("%s: parseTokenAnswer = %+v, want token %q field %q expires %v in %v ssl %v failed %v code %d",
				tt.name, a, tt.token, tt.tokField, tt.expires, tt.expiresIn, tt.ssl, tt.failed, tt.code)
		}
	}
}

// TestTokenJudge: how a token service's answer is judged, and that the
// service's message never repeats the credential.
func TestTokenJudge(t *testing.T) {
	ts := &tokenSource{kind: TokenKindArcGIS, user: tokenUser, secret: tokenPassword}
	echo := fmt.Sprintf(`{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid password %s\n%s"]}}`,
		tokenPassword, url.QueryEscape(tokenPassword))
	tests := []struct {
		name    string
		status  int
		body    string
		token   bool
		refused bool
	}{
		{"token", 200, `{"token":"t","expires":1795256100000}`, true, false},
		{"arcgis wrong password", 200, echo, false, true},
		{"401", 401, `{"error":"nope"}`, false, true},
		{"403 html", 403, `<html></html>`, false, true},
		{"400", 400, ``, false, true},
		{"500", 500, `{"error":{"code":500,"message":"x"}}`, false, false},
		{"200 arcgis 500", 200, `{"error":{"code":500,"message":"x"}}`, false, false},
		{"200 nothing", 200, `{"ok":true}`, false, false},
		{"200 bad token", 200, `{"token":"a b"}`, false, false},
		{"redirect", 302, ``, false, false},
		{"success false", 200, `{"success":false}`, false, true},
	}
	for _, tt := range tests {
		tok, err := ts.judge(tt.status, []byte(tt.body), testNow)
		if (tok != nil) != tt.token || errors.Is(err, ErrRejected) != tt.refused || (err != nil) == tt.token {
			t.Errorf("%s: judge = %v, %v; want token %v refused %v", tt.name, tok, err, tt.token, tt.refused)
		}
		if err != nil && (!errors.Is(err, ErrTokenService) || strings.Contains(err.Error(), "pw-CANARY") ||
			strings.Contains(err.Error(), "\n")) {
			t.Errorf("%s: error %q leaks the password, has a newline or is not ErrTokenService", tt.name, err)
		}
	}
	if tok, _ := ts.judge(200, []byte(`{"token":"t","expires":1795256100000}`), testNow); tok == nil ||
		!tok.renewAt.Equal(time.UnixMilli(1795256100000).Add(-time.Minute)) {
		t.Errorf("renewAt of an hour-long token is not 60 s before expiry")
	}
}

// FuzzTokenAnswer: parseTokenAnswer and judge never panic, read only sane
// expiries, and never repeat the credential in an error.
func FuzzTokenAnswer(f *testing.F) {
	for _, tt := range tokenAnswerTests {
		f.Add([]byte(tt.body), tt.field, 200)
	}
	f.Add([]byte(`{"error":{"code":400,"details":["pw-FUZZ-canary-77"]}}`), "", 400)
	f.Add([]byte(`{"error":"pw-FUZZ-canary-77","error_description":"pw-FUZZ-\ncanary-77"}`), "", 200)
	f.Fuzz(func(t *testing.T, body []byte, field string, status int) {
		a := parseTokenAnswer(body, field)
		if a.token != "" && a.field == "" {
			t.Errorf("token without its field")
		}
		if !a.expires.IsZero() && (a.expires.Year() < 1970 || a.expires.Year() > 9999) {
			t.Errorf("expiry %v out of range", a.expires)
		}
		if a.expiresIn < 0 || a.expiresIn > 10*365*24*time.Hour {
			t.Errorf("expires_in %v out of range", a.expiresIn)
		}
		const secret = "pw-FUZZ-canary-77"
		ts := &tokenSource{kind: TokenKindArcGIS, user: "u", secret: secret}
		tok, err := ts.judge(status%1000, body, testNow)
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("judge error %q repeats the password", err)
		}
		if tok != nil && !validTokenValue(tok.value) {
			t.Errorf("judge accepted an unusable token %q", tok.value)
		}
	})
}

// TestTokenCanary: the password, the secret key and every token issued
// appear in no log line, no error text and no Result, through detection and
// the transport, right and wrong, with services that echo what they got.
func TestTokenCanary(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	record := func(what string, v any, err error) {
		texts = append(texts, fmt.Sprintf("%s: %+v %#v", what, v, v))
		if err != nil {
			texts = append(texts, what+": "+err.Error(), fmt.Sprintf("%+v %#v", err, err))
		}
	}
	var issued func() []string

	a := &vaulttest.ArcGIS{User: tokenUser, Password: tokenPassword, EchoCredentials: true}
	srv := vaulttest.NewServer(t, a)
	x := &vaulttest.KeyExchange{SecretKey: secretKey, EchoSecret: true}
	xsrv := vaulttest.NewServer(t, x)
	issued = func() []string { return append(a.Issued(), x.Issued()...) }

	detect := func(name string, target Target, cred Credential, hint Hint) {
		d := newDetector(t, 4)
		d.Logger = logger
		res, err := d.DetectWith(context.Background(), target, cred, hint)
		record(name, res, err)
		if data, err := d.KeyVault.Marshal(); err == nil {
			texts = append(texts, string(data))
		}
	}
	detect("arcgis none", arcgisTarget(srv, a), Credential{}, Hint{})
	detect("arcgis good", arcgisTarget(srv, a), passwordCred(), Hint{})
	detect("arcgis wrong", arcgisTarget(srv, a), Credential{Username: tokenUser, Password: tokenPassword + "-wrong"}, Hint{})
	xhint := Hint{TokenURL: xsrv.URL + x.TokenPath()}
	detect("exchange good", exchangeTarget(xsrv), Credential{Key: secretKey}, xhint)
	detect("exchange wrong", exchangeTarget(xsrv), Credential{Key: secretKey + "-wrong"}, xhint)

	transport := func(name string, src Source, e Entry, cred Credential, raw string, n int) {
		client, _ := tokenClient(t, src, e, cred, nil, &logs)
		for i := range n {
			resp, _, err := get(t, client, src, raw)
			record(fmt.Sprintf("%s %d", name, i), resp, err)
		}
	}
	asrc := mustSource(t, srv.URL+a.ServicePath())
	transport("arcgis good", asrc, arcgisEntry(srv, a), passwordCred(), srv.URL+a.ServicePath()+"?f=image", 2)
	a.RefuseTokens(true)
	transport("arcgis refused", asrc, arcgisEntry(srv, a), passwordCred(), srv.URL+a.ServicePath()+"?f=image", 2)
	a.RefuseTokens(false)
	transport("arcgis wrong", asrc, arcgisEntry(srv, a), Credential{Username: tokenUser, Password: tokenPassword + "-wrong"}, srv.URL+a.ServicePath(), 2)
	xsrc := mustSource(t, xsrv.URL+"/mproxy/service")
	xe := Entry{AuthRequired: true, Method: MethodToken, TokenKind: TokenKindExchange, TokenURL: xhint.TokenURL}
	transport("exchange good", xsrc, xe, Credential{Key: secretKey}, xsrv.URL+"/mproxy/service", 2)
	transport("exchange wrong", xsrc, xe, Credential{Key: secretKey + "-wrong"}, xsrv.URL+"/mproxy/service", 2)

	if len(issued()) < 3 {
		t.Fatalf("only %d tokens issued; the scenarios did not run", len(issued()))
	}
	canaries := append([]string{tokenPassword, url.QueryEscape(tokenPassword), secretKey}, issued()...)
	all := logs.String() + "\n" + strings.Join(texts, "\n")
	for _, c := range canaries {
		if strings.Contains(all, c) {
			i := strings.Index(all, c)
			t.Errorf("a secret leaked near: %q", RedactText(all[max(0, i-80):i]))
		}
	}
	if !strings.Contains(all, "token service") {
		t.Errorf("the logs and errors do not mention the token service at all; did the scenarios run?")
	}
}

// TestTransportArcGISServiceDown: a token service failing during renewal
// leaves the old token in use until it expires, and is asked again only
// after a pause; its failure is not a rejection.
func TestTransportArcGISServiceDown(t *testing.T) {
	clock := newFakeClock()
	a := &vaulttest.ArcGIS{User: tokenUser, Password: tokenPassword, Now: clock.Now, Lifetime: 10 * time.Minute}
	var down sync.Mutex
	isDown := false
	fails := 0
	srv := vaulttest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		down.Lock()
		d := isDown
		if d && r.URL.Path == a.TokenPath() {
			fails++
		}
		down.Unlock()
		if d && r.URL.Path == a.TokenPath() {
			vaulttest.Status(http.StatusServiceUnavailable).ServeHTTP(w, r)
			return
		}
		a.ServeHTTP(w, r)
	}))
	src := mustSource(t, srv.URL+a.ServicePath())
	client, store := tokenClient(t, src, arcgisEntry(srv, a), passwordCred(), clock, nil)
	layer := srv.URL + a.ServicePath() + "?f=image"
	fetch := func(step string, wantOK bool) {
		t.Helper()
		resp, _, err := get(t, client, src, layer)
		if wantOK && (err != nil || resp.StatusCode != 200) {
			t.Fatalf("%s: GET = %v, %v; want 200", step, resp, err)
		}
		if !wantOK && !errors.Is(err, ErrTokenService) {
			t.Fatalf("%s: err = %v, want ErrTokenService", step, err)
		}
	}
	failed := func() int {
		down.Lock()
		defer down.Unlock()
		return fails
	}
	fetch("first", true)
	down.Lock()
	isDown = true
	down.Unlock()
	clock.Advance(9*time.Minute + 30*time.Second)
	fetch("renewal fails", true)
	fetch("within the pause", true)
	if n := failed(); n != 1 {
		t.Errorf("failed renewals = %d, want 1 (then a pause)", n)
	}
	clock.Advance(11 * time.Second)
	fetch("after the pause", true)
	clock.Advance(30 * time.Second) // the old token expired
	fetch("expired", false)
	if n := failed(); n != 3 {
		t.Errorf("failed renewals = %d, want 3", n)
	}
	if st := store.Status(src); st == StatusRejected {
		t.Errorf("a token service failure rejected the credential")
	}
}

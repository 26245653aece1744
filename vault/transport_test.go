package vault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault/vaulttest"
)

const testKey = "k3y-4b7c9d2e1f0a8b6c"

// mustSource returns SourceOf(raw) or fails the test.
func mustSource(t *testing.T, raw string) Source {
	t.Helper()
	src, err := SourceOf(raw)
	if err != nil {
		t.Fatalf("SourceOf(%q): %v", raw, err)
	}
	return src
}

// get performs a GET of raw for src with client and returns the response
// body (read fully) or the error.
func get(t *testing.T, client *http.Client, src Source, raw string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(WithSource(context.Background(), src), http.MethodGet, raw, nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

type methodCase struct {
	name  string
	cred  Credential
	entry Entry
	guard vaulttest.Guard
}

func methodCases() []methodCase {
	key := Credential{Key: testKey}
	return []methodCase{
		{"basic", Credential{Username: "ann", Password: "pw-secret-123"}, Entry{AuthRequired: true, Method: MethodBasic},
			vaulttest.Guard{Basic: true, User: "ann", Password: "pw-secret-123"}},
		{"query authkey", key, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"},
			vaulttest.Guard{Query: "authkey", Key: testKey}},
		{"header bearer", key, Entry{AuthRequired: true, Method: MethodHeader, Param: "Authorization"},
			vaulttest.Guard{Header: "Authorization", Key: testKey}},
		{"header x-api-key", key, Entry{AuthRequired: true, Method: MethodHeader, Param: "X-API-Key"},
			vaulttest.Guard{Header: "X-API-Key", Key: testKey}},
	}
}

func TestTransportAttachesEachMethod(t *testing.T) {
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewProtected(t, tc.guard, vaulttest.PNG(), nil)
			src := mustSource(t, srv.URL+"/wms")
			store, kv := NewStore(), NewKeyVault()
			store.Set(src, tc.cred)
			kv.Set(src, tc.entry)
			client := NewClient(store, kv, TransportOptions{})

			raw := srv.URL + "/wms?SERVICE=WMS&REQUEST=GetMap"
			req, _ := http.NewRequestWithContext(WithSource(context.Background(), src), http.MethodGet, raw, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}
			if got, want := store.Status(src), StatusVerified; got != want {
				t.Errorf("store status = %v, want %v", got, want)
			}
			if req.URL.String() != raw || len(req.Header) != 0 {
				t.Errorf("caller's request was modified: %s %v", RedactURL(req.URL.String()), req.Header)
			}
			if resp.Request.URL.String() != raw {
				t.Errorf("resp.Request.URL = %s, want the caller's URL", RedactURL(resp.Request.URL.String()))
			}
		})
	}
}

func TestTransportBasicNeverAsQuery(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.PNG())
	src := mustSource(t, srv.URL+"/wms")
	store, kv := NewStore(), NewKeyVault()
	store.Set(src, Credential{Username: "ann", Password: "pw-secret-123"})
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "token"})
	if _, _, err := get(t, NewClient(store, kv, TransportOptions{}), src, srv.URL+"/wms"); err != nil {
		t.Fatal(err)
	}
	recs := srv.Records()
	if len(recs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(recs))
	}
	if strings.Contains(recs[0].RequestURI, "pw-secret") || strings.Contains(recs[0].RequestURI, "token") {
		t.Errorf("password went into the query: %q", recs[0].RequestURI)
	}
	if got := recs[0].Header.Get("Authorization"); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("Authorization = %q, want Basic", got)
	}
}

func TestTransportNeverOverwritesParam(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.PNG())
	src := mustSource(t, srv.URL+"/wms")
	store, kv := NewStore(), NewKeyVault()
	store.Set(src, Credential{Key: testKey})
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
	client := NewClient(store, kv, TransportOptions{})
	if _, _, err := get(t, client, src, srv.URL+"/wms?AUTHKEY=mine&x=1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := get(t, client, src, srv.URL+"/wms?x=%2F1"); err != nil {
		t.Fatal(err)
	}
	recs := srv.Records()
	if got, want := recs[0].RequestURI, "/wms?AUTHKEY=mine&x=1"; got != want {
		t.Errorf("with existing param: server saw %q, want %q", got, want)
	}
	if got, want := recs[1].RequestURI, "/wms?x=%2F1&authkey="+testKey; got != want {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

func TestTransportSameOriginOnly(t *testing.T) {
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			a := vaulttest.NewServer(t, vaulttest.PNG())
			b := vaulttest.NewServer(t, vaulttest.PNG())
			src := mustSource(t, a.URL+"/wms")
			store, kv := NewStore(), NewKeyVault()
			store.Set(src, tc.cred)
			kv.Set(src, tc.entry)
			client := NewClient(store, kv, TransportOptions{})
			// A request made for a's source but aimed at b goes out bare.
			if _, _, err := get(t, client, src, b.URL+"/wms"); err != nil {
				t.Fatal(err)
			}
			// Without WithSource, b's URL is its own source: nothing stored.
			resp, err := client.Get(b.URL + "/wms")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			assertNotSeen(t, b, tc.cred)
			if got := b.Count(); got != 2 {
				t.Errorf("b saw %d requests, want 2", got)
			}
		})
	}
}

func assertNotSeen(t *testing.T, s *vaulttest.Server, c Credential) {
	t.Helper()
	for _, secret := range []string{c.Key, c.Password} {
		if secret != "" && s.Saw(secret) {
			t.Errorf("server %s saw the secret", s.URL)
		}
	}
	for _, r := range s.Records() {
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" {
			t.Errorf("server %s got credential headers %v", s.URL, r.Header)
		}
	}
}

func TestTransportRedirectToOtherOrigin(t *testing.T) {
	for _, tc := range methodCases() {
		for _, echo := range []bool{false, true} {
			name := tc.name
			if echo {
				name += " echoing query"
			}
			t.Run(name, func(t *testing.T) {
				b := vaulttest.NewServer(t, vaulttest.PNG())
				a := vaulttest.NewServer(t, vaulttest.Redirect(b.URL+"/elsewhere", echo))
				src := mustSource(t, a.URL+"/wms")
				store, kv := NewStore(), NewKeyVault()
				store.Set(src, tc.cred)
				kv.Set(src, tc.entry)
				client := NewClient(store, kv, TransportOptions{})
				_, _, err := get(t, client, src, a.URL+"/wms?REQUEST=GetMap")
				refused := echo && tc.entry.Method == MethodQuery
				if refused {
					if !errors.Is(err, ErrCrossOriginRedirect) {
						t.Errorf("err = %v, want ErrCrossOriginRedirect", err)
					}
					if b.Count() != 0 {
						t.Errorf("b saw %d requests, want 0", b.Count())
					}
				} else if err != nil {
					t.Errorf("err = %v, want the bare redirect followed", err)
				}
				if err != nil && strings.Contains(err.Error(), testKey) {
					t.Errorf("error contains the secret: %v", err)
				}
				if got := a.Count(); got != 1 {
					t.Errorf("a saw %d requests, want 1", got)
				}
				assertNotSeen(t, b, tc.cred)
			})
		}
	}
}

func TestTransportSameOriginEchoRedirect(t *testing.T) {
	srv := vaulttest.NewServer(t, nil)
	srv.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wms" {
			vaulttest.Redirect("/wms/", true).ServeHTTP(w, r)
			return
		}
		vaulttest.Protect(vaulttest.Guard{Query: "authkey", Key: testKey}, vaulttest.PNG(), nil).ServeHTTP(w, r)
	}))
	src := mustSource(t, srv.URL+"/wms")
	store, kv := NewStore(), NewKeyVault()
	store.Set(src, Credential{Key: testKey})
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
	resp, _, err := get(t, NewClient(store, kv, TransportOptions{}), src, srv.URL+"/wms?a=1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if u := resp.Request.URL.String(); strings.Contains(u, testKey) {
		t.Errorf("final URL shows the key: %s", u)
	}
	recs := srv.Records()
	if len(recs) != 2 || recs[1].RequestURI != "/wms/?a=1&authkey="+testKey {
		t.Errorf("server saw %+v, want the key once on the redirected request", recs)
	}
}

func TestTransportTooManyRedirects(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.Redirect("/loop", false))
	client := NewClient(NewStore(), nil, TransportOptions{MaxRedirects: 2})
	_, _, err := get(t, client, mustSource(t, srv.URL), srv.URL+"/loop")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("err = %v, want ErrTooManyRedirects", err)
	}
	if got, want := srv.Count(), 3; got != want {
		t.Errorf("server saw %d requests, want %d", got, want)
	}
}

func TestTransportLockout(t *testing.T) {
	rejections := []struct {
		name   string
		reject http.Handler
		locks  bool
	}{
		{"401", vaulttest.Status(401), true},
		{"403", vaulttest.Status(403), true},
		{"498", vaulttest.Status(498), true},
		{"404", vaulttest.Status(404), false},
		{"500", vaulttest.Status(500), false},
	}
	for _, tc := range methodCases() {
		for _, rj := range rejections {
			t.Run(tc.name+" "+rj.name, func(t *testing.T) {
				srv := vaulttest.NewServer(t, rj.reject)
				src := mustSource(t, srv.URL+"/wms")
				store, kv := NewStore(), NewKeyVault()
				store.Set(src, tc.cred)
				kv.Set(src, tc.entry)
				var changes []Status
				store.Watch(func(_ Source, st Status) { changes = append(changes, st) })
				client := NewClient(store, kv, TransportOptions{})
				for range 3 {
					resp, _, err := get(t, client, src, srv.URL+"/wms")
					if rj.locks && resp == nil && !errors.Is(err, ErrRejected) {
						t.Errorf("err = %v, want ErrRejected", err)
					}
				}
				wantCount, wantStatus, wantChanges := 3, StatusUnknown, 0
				if rj.locks {
					wantCount, wantStatus, wantChanges = 1, StatusRejected, 1
				}
				if got := srv.Count(); got != wantCount {
					t.Errorf("server saw %d requests, want %d", got, wantCount)
				}
				if got := store.Status(src); got != wantStatus {
					t.Errorf("status = %v, want %v", got, wantStatus)
				}
				if len(changes) != wantChanges {
					t.Errorf("status changes = %v, want %d", changes, wantChanges)
				}
			})
		}
	}
}

func TestTransportNeedsCredentials(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.PNG())
	src := mustSource(t, srv.URL+"/wms")
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
	_, _, err := get(t, NewClient(NewStore(), kv, TransportOptions{}), src, srv.URL+"/wms")
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v, want ErrNoCredentials", err)
	}
	if srv.Count() != 0 {
		t.Errorf("server saw %d requests, want 0", srv.Count())
	}
	// A source that needs nothing goes out bare.
	kv.Set(src, Entry{AuthRequired: false, Method: MethodNone})
	if _, _, err := get(t, NewClient(NewStore(), kv, TransportOptions{}), src, srv.URL+"/wms"); err != nil {
		t.Errorf("err = %v, want nil", err)
	}
}

func TestTransportBodyCap(t *testing.T) {
	cases := []struct {
		name    string
		handler http.Handler
		wantErr bool
	}{
		{"declared too large", vaulttest.Huge(64<<10, true), true},
		{"chunked too large", vaulttest.Huge(64<<10, false), true},
		{"exactly the cap", vaulttest.Huge(16<<10-8, false), false},
		{"small", vaulttest.PNG(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewServer(t, tc.handler)
			client := NewClient(NewStore(), nil, TransportOptions{MaxBodyBytes: 16 << 10})
			_, body, err := get(t, client, mustSource(t, srv.URL), srv.URL+"/big")
			if tc.wantErr {
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("err = %v, want ErrTooLarge", err)
				}
				if len(body) > 16<<10 {
					t.Errorf("read %d bytes, want at most %d", len(body), 16<<10)
				}
			} else if err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
}

func TestTransportTimeouts(t *testing.T) {
	cases := []struct {
		name    string
		handler http.Handler
	}{
		{"slow headers", vaulttest.Sleep(5*time.Second, vaulttest.PNG())},
		{"slow drip", vaulttest.Drip(1000, 50*time.Millisecond)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewServer(t, tc.handler)
			client := NewClient(NewStore(), nil, TransportOptions{RequestTimeout: 300 * time.Millisecond})
			start := time.Now()
			_, _, err := get(t, client, mustSource(t, srv.URL), srv.URL+"/slow")
			if err == nil {
				t.Fatal("err = nil, want a timeout")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v, want about 300ms", d)
			}
		})
	}
}

// failingTransport fails every request with an error that quotes the URL,
// as some proxies and wrappers do.
type failingTransport struct{}

func (failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errors.New("proxy refused " + req.URL.String() + " with " + req.Header.Get("Authorization") + req.Header.Get("X-API-Key"))
}

func TestTransportErrorsHideSecret(t *testing.T) {
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			src := mustSource(t, "https://maps.example.org/wms")
			store, kv := NewStore(), NewKeyVault()
			store.Set(src, tc.cred)
			kv.Set(src, tc.entry)
			client := NewClient(store, kv, TransportOptions{Base: failingTransport{}})
			_, _, err := get(t, client, src, "https://maps.example.org/wms?x=1")
			if err == nil {
				t.Fatal("err = nil, want the proxy error")
			}
			for _, s := range CredentialSecrets(tc.cred) {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains a secret", err)
				}
			}
			if !strings.Contains(err.Error(), "proxy refused") {
				t.Errorf("error %q lost its cause", err)
			}
		})
	}
}

func stripCases() []struct{ in, want string } {
	return []struct{ in, want string }{
		{"a=1&authkey=" + testKey + "&b=2", "a=1&b=2"},
		{"authkey=" + url.QueryEscape("a b+c/d") + "&x=y", "x=y"},
		{"a=1", "a=1"},
		{"", ""},
	}
}

func TestStripSecretParams(t *testing.T) {
	for _, tc := range stripCases() {
		u := &url.URL{RawQuery: tc.in}
		stripSecretParams(u, []string{testKey, "a b+c/d"})
		if u.RawQuery != tc.want {
			t.Errorf("stripSecretParams(%q) = %q, want %q", tc.in, u.RawQuery, tc.want)
		}
	}
}

func FuzzStripSecretParams(f *testing.F) {
	for _, tc := range stripCases() {
		f.Add(tc.in, testKey)
	}
	f.Fuzz(func(t *testing.T, rawQuery, secret string) {
		if secret == "" {
			return
		}
		u := &url.URL{RawQuery: rawQuery}
		stripSecretParams(u, []string{secret})
		for _, p := range strings.Split(u.RawQuery, "&") {
			_, v, _ := strings.Cut(p, "=")
			if dv, err := url.QueryUnescape(v); v == secret || (err == nil && dv == secret) {
				t.Errorf("stripSecretParams(%q) = %q, still has the secret value", rawQuery, u.RawQuery)
			}
		}
		// Attaching to a clean request then stripping gives the query back.
		req, err := http.NewRequest(http.MethodGet, "https://h.example/wms", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = u.RawQuery
		out := req.Clone(req.Context())
		if setQueryParam(out, "authkey", secret) != nil {
			return // an authkey parameter was already there
		}
		if req.URL.RawQuery != u.RawQuery {
			t.Errorf("setQueryParam modified the caller's URL")
		}
		back := *out.URL
		stripSecretParams(&back, []string{secret})
		if back.RawQuery != u.RawQuery {
			t.Errorf("strip(attach(%q)) = %q, want it back", u.RawQuery, back.RawQuery)
		}
	})
}

// TestTransportJSONRefusalIn200: a refusal as HTTP 200 with a JSON error
// body rejects the credential like the status would: 20 concurrent tile
// requests with a wrong key reach the server once.
func TestTransportJSONRefusalIn200(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.Body(http.StatusOK, "application/json", []byte(`{"error":{"code":498,"message":"Invalid Token"}}`)))
	src := mustSource(t, srv.URL+"/wms")
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "token"})
	st := NewStore()
	st.Set(src, Credential{Key: "wrong-token-123"})
	c := NewClient(st, kv, TransportOptions{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if resp, err := c.Get(srv.URL + "/wms?REQUEST=GetMap"); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if st.Status(src) != StatusRejected {
		t.Errorf("status = %v, want rejected", st.Status(src))
	}
	if n := srv.Count(); n != 1 {
		t.Errorf("the server saw %d requests with the wrong key, want 1", n)
	}
	// The body is still readable in full by the caller of a good answer.
	ok := vaulttest.NewServer(t, vaulttest.Body(http.StatusOK, "application/json", []byte(`{"type":"FeatureCollection","features":[]}`)))
	src2 := mustSource(t, ok.URL+"/f")
	kv.Set(src2, Entry{AuthRequired: true, Method: MethodQuery, Param: "token"})
	st.Set(src2, Credential{Key: "good-token-123"})
	resp, err := c.Get(ok.URL + "/f")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"type":"FeatureCollection","features":[]}` || st.Status(src2) != StatusVerified {
		t.Errorf("body %q, status %v; want the document intact and verified", b, st.Status(src2))
	}
}

// TestTransportExceptionIn200: the first answer to an unconfirmed
// credential for a map image is an OGC exception with HTTP 200: the
// credential is rejected at once, not once per tile. A confirmed
// credential that later meets an exception (a layer error) stays usable.
func TestTransportExceptionIn200(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.ServiceException("text/xml"))
	src := mustSource(t, srv.URL+"/wms")
	kv := NewKeyVault()
	kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
	st := NewStore()
	st.Set(src, Credential{Key: "wrong-key-5678"})
	c := NewClient(st, kv, TransportOptions{})
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if resp, err := c.Get(srv.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&FORMAT=image/png"); err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if st.Status(src) != StatusRejected || srv.Count() != 1 {
		t.Errorf("status %v after %d requests, want rejected after 1", st.Status(src), srv.Count())
	}
	// Verified first, then an exception: a layer error, not a rejection.
	st.Set(src, Credential{Key: "good-key-5678"})
	st.MarkVerified(src)
	if resp, err := c.Get(srv.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&FORMAT=image/png"); err == nil {
		resp.Body.Close()
	}
	if st.Status(src) != StatusVerified {
		t.Errorf("a verified credential became %v after an exception", st.Status(src))
	}
}

func TestSourceCovers(t *testing.T) {
	tests := []struct {
		src  Source
		url  string
		want bool
	}{
		// A WMS endpoint covers its origin, as it always did.
		{"https://maps.example.org:443/wms", "https://maps.example.org/wms?REQUEST=GetMap", true},
		{"https://maps.example.org:443/wms", "https://maps.example.org/other/path", true},
		{"https://maps.example.org:443/wms", "https://maps.example.org:8443/wms", false},
		{"https://maps.example.org:443/wms", "http://maps.example.org/wms", false},
		{"https://maps.example.org:443/", "https://maps.example.org/anything", true},
		// A path prefix covers what is under it, nothing else.
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3/4/8/5.png", true},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3", true},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3/", true},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v4/4/8/5.png", false},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3x/1.png", false},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/", false},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3/../admin", false},
		{"https://tiles.example.com:443/v3/", "https://tiles.example.com/v3%2F..%2Fadmin", false},
		{"https://tiles.example.com:443/v3/", "https://other.example.com/v3/1.png", false},
		{"https://tiles.example.com:443/a%20b/", "https://tiles.example.com/a%20b/1.png", true},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.src.Covers(u); got != tt.want {
			t.Errorf("Source(%q).Covers(%q) = %v, want %v", tt.src, tt.url, got, tt.want)
		}
	}
}

// TestTransportPrefixOnly: a source that is a path prefix (an XYZ
// template's) gets its credential under the prefix; a request on the same
// origin outside it goes bare, and so does a redirect out of the prefix.
func TestTransportPrefixOnly(t *testing.T) {
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewServer(t, vaulttest.PNG())
			src := mustSource(t, srv.URL+"/v3/{z}/{x}/{y}.png")
			if !strings.HasSuffix(string(src), "/v3/") {
				t.Fatalf("SourceOf(template) = %q, want the prefix .../v3/", src)
			}
			store, kv := NewStore(), NewKeyVault()
			store.Set(src, tc.cred)
			kv.Set(src, tc.entry)
			client := NewClient(store, kv, TransportOptions{})
			if _, _, err := get(t, client, src, srv.URL+"/v3/2/1/1.png"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := get(t, client, src, srv.URL+"/admin/keys"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := get(t, client, src, srv.URL+"/v3/../admin/keys"); err != nil {
				t.Fatal(err)
			}
			recs := srv.Records()
			if len(recs) != 3 {
				t.Fatalf("server saw %d requests, want 3", len(recs))
			}
			if !carries(recs[0], tc.cred) {
				t.Errorf("the tile under the prefix went without the credential: %v %v", recs[0].RequestURI, recs[0].Header)
			}
			for _, r := range recs[1:] {
				if carries(r, tc.cred) {
					t.Errorf("%s (outside the prefix) carried the credential", r.RequestURI)
				}
			}
		})
	}
}

// carries reports whether a recorded request holds c's secret.
func carries(r vaulttest.Record, c Credential) bool {
	if c.Key != "" && (strings.Contains(r.RequestURI, c.Key) || strings.Contains(r.Header.Get("Authorization"), c.Key) || r.Header.Get("X-API-Key") == c.Key) {
		return true
	}
	if c.Password != "" {
		if _, pw, ok := (&http.Request{Header: r.Header}).BasicAuth(); ok && pw == c.Password {
			return true
		}
	}
	return false
}

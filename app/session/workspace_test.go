package session

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/layers/wms"
	"mapvault/project"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

const (
	testUser     = "ann"
	testPassword = "correct-horse-battery"
)

const capsXML = `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms">
<Service><Name>WMS</Name><Title>t</Title></Service>
<Capability><Request><GetMap><Format>image/png</Format></GetMap></Request>
<Layer><Title>root</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>
<Layer><Name>roads</Name><Title>Roads</Title></Layer></Layer></Capability></WMS_Capabilities>`

// basicServer serves a tiny WMS behind HTTP Basic: capabilities and a PNG
// for GetMap, 401 with a Basic challenge otherwise.
func basicServer(t *testing.T) *vaulttest.Server {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("REQUEST") == "GetCapabilities" {
			vaulttest.Body(http.StatusOK, "text/xml", []byte(capsXML)).ServeHTTP(w, r)
			return
		}
		vaulttest.PNG().ServeHTTP(w, r)
	})
	reject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	return vaulttest.NewProtected(t, vaulttest.Guard{Basic: true, User: testUser, Password: testPassword}, ok, reject)
}

func testProject(url string) (*project.Project, project.Layer) {
	p := project.New("t")
	l := p.AddLayer(project.Layer{Name: "A", Kind: project.KindWMS, Source: url + "/wms",
		WMS: project.WMS{Layers: []string{"roads"}, Styles: []string{""}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	return p, *l
}

// watchCount counts Watch notifications for a source.
type watchCount struct {
	mu sync.Mutex
	n  map[vault.Source]int
}

func (w *watchCount) f(src vault.Source) {
	w.mu.Lock()
	w.n[src]++
	w.mu.Unlock()
}

func (w *watchCount) get(src vault.Source) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[src]
}

// TestAccessStateMachine walks a protected source through the states: a
// refusal on resolve, a rejected credential, the right one.
func TestAccessStateMachine(t *testing.T) {
	srv := basicServer(t)
	p, l := testProject(srv.URL)
	ws := New(nil, Options{Transport: vault.TransportOptions{RequestTimeout: 5 * time.Second}})
	wc := &watchCount{n: map[vault.Source]int{}}
	ws.Watch(wc.f)
	ctx := context.Background()

	src, acc, err := ws.LayerAccess(p, l)
	if err != nil || acc.State != StateUnknown || acc.Blocked() {
		t.Fatalf("LayerAccess = %v %+v, want unknown and not blocked", err, acc)
	}
	// Resolving goes out bare; the 401 blocks the source.
	_, err = ws.Spec(ctx, p, l)
	var ae *vault.AuthError
	if !errors.As(err, &ae) || ae.Reason != vault.ReasonNeedsCredentials {
		t.Fatalf("Spec error = %v, want *vault.AuthError needs credentials", err)
	}
	if acc := ws.Access(src); acc.State != StateNeedsCredentials || !acc.AskUser() {
		t.Fatalf("after the 401: %+v, want needs credentials", acc)
	}
	before := srv.Count()
	if _, err := ws.Spec(ctx, p, l); err == nil || srv.Count() != before {
		t.Errorf("Spec on a blocked source: err %v, %d requests; want an error and none", err, srv.Count()-before)
	}

	// A wrong password: rejected, never stored as usable.
	target, _, err := ws.ProbeFor(ctx, wms.Kind{}, p.Layers[0].Source, "roads")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ws.Unlock(ctx, src, target, vault.Credential{Username: testUser, Password: "wrong"}, vault.Hint{}, false)
	if err != nil || u.Result.Outcome != vault.OutcomeRejected {
		t.Fatalf("Unlock(wrong) = %v %v, want rejected", u.Result.Outcome, err)
	}
	if acc := ws.Access(src); acc.State != StateNeedsCredentials {
		t.Errorf("after a rejected credential: %v, want needs credentials", acc.State)
	}
	if c, _ := ws.Store().Get(src); !c.IsZero() {
		t.Errorf("a rejected credential was stored")
	}

	// The right one: ok, the KeyVault learnt Basic, the layer resolves.
	u, err = ws.Unlock(ctx, src, target, vault.Credential{Username: testUser, Password: testPassword}, vault.Hint{}, false)
	if err != nil || u.Result.Outcome != vault.OutcomeFound || u.Result.Method != vault.MethodBasic {
		t.Fatalf("Unlock(right) = %v %v %v, want found basic", u.Result.Outcome, u.Result.Method, err)
	}
	if acc := ws.Access(src); acc.State != StateOK || acc.Blocked() || acc.Entry.Method != vault.MethodBasic {
		t.Errorf("after unlocking: %+v, want ok with basic", acc)
	}
	if _, err := ws.Spec(ctx, p, l); err != nil {
		t.Errorf("Spec after unlocking: %v", err)
	}
	if wc.get(src) < 4 {
		t.Errorf("watchers were told %d times, want at least 4 (refusal, two checks)", wc.get(src))
	}
}

// TestRejectedMidSession: a credential the server stops accepting blocks
// the source as rejected, and nothing more is sent with it.
func TestRejectedMidSession(t *testing.T) {
	srv := basicServer(t)
	p, l := testProject(srv.URL)
	kv := vault.NewKeyVault()
	src, _ := vault.SourceOf(l.Source)
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodBasic})
	ws := New(kv, Options{})
	if acc := ws.Access(src); acc.State != StateNeedsCredentials || !acc.Known || !acc.Needs.Username {
		t.Fatalf("a recorded Basic source: %+v, want needs credentials, known, needs a username", acc)
	}
	ws.SetCredential(src, vault.Credential{Username: testUser, Password: "changed"})
	if acc := ws.Access(src); acc.State != StateOK {
		t.Fatalf("with an untried credential: %v, want ok (tried on the next request)", acc.State)
	}
	_, err := ws.Spec(context.Background(), p, l)
	if !errors.Is(err, vault.ErrRejected) {
		t.Fatalf("Spec with a wrong password: %v, want rejected", err)
	}
	if acc := ws.Access(src); acc.State != StateRejected || !acc.AskUser() {
		t.Errorf("after the refusal: %+v, want rejected", acc)
	}
	n := srv.Count()
	for range 5 {
		ws.Spec(context.Background(), p, l)
	}
	if srv.Count() != n {
		t.Errorf("%d more requests after the rejection, want none", srv.Count()-n)
	}
}

// fakeKeychain is an in-memory keychain.
type fakeKeychain struct {
	mu   sync.Mutex
	m    map[vault.Source]vault.Credential
	err  error
	gets int
}

func (k *fakeKeychain) Get(src vault.Source) (vault.Credential, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gets++
	if k.err != nil {
		return vault.Credential{}, k.err
	}
	c, ok := k.m[src]
	if !ok {
		return vault.Credential{}, vault.ErrNotInKeychain
	}
	return c, nil
}

func (k *fakeKeychain) Set(src vault.Source, c vault.Credential) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	k.m[src] = c
	return nil
}

func (k *fakeKeychain) Delete(src vault.Source) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, src)
	return nil
}

// TestKeychain: remember on unlock, load once in a later workspace, and an
// unavailable keychain is said as such.
func TestKeychain(t *testing.T) {
	srv := basicServer(t)
	p, l := testProject(srv.URL)
	src, _ := vault.SourceOf(l.Source)
	kc := &fakeKeychain{m: map[vault.Source]vault.Credential{}}
	kv := vault.NewKeyVault()
	ws := New(kv, Options{Keychain: kc})
	target, _, err := ws.ProbeFor(context.Background(), wms.Kind{}, l.Source, "roads")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ws.Unlock(context.Background(), src, target, vault.Credential{Username: testUser, Password: testPassword}, vault.Hint{}, true)
	if err != nil || !u.Remembered {
		t.Fatalf("Unlock(remember) = %+v %v, want remembered", u, err)
	}

	// A new session: the keychain unlocks the source, asked once.
	ws2 := New(kv, Options{Keychain: kc})
	if acc := ws2.Access(src); acc.State != StateNeedsCredentials {
		t.Fatalf("new session: %v, want needs credentials", acc.State)
	}
	if err := ws2.FromKeychain(src); err != nil {
		t.Fatalf("FromKeychain = %v", err)
	}
	if acc := ws2.Access(src); acc.State != StateOK {
		t.Errorf("after the keychain: %v, want ok", acc.State)
	}
	if _, err := ws2.Spec(context.Background(), p, l); err != nil {
		t.Errorf("Spec with the remembered credential: %v", err)
	}
	gets := kc.gets
	ws2.FromKeychain(src)
	if kc.gets != gets {
		t.Errorf("the keychain was asked again for an unlocked source")
	}

	ws3 := New(kv, Options{Keychain: &fakeKeychain{err: vault.ErrKeychainUnavailable}})
	if err := ws3.FromKeychain(src); !errors.Is(err, vault.ErrKeychainUnavailable) {
		t.Errorf("FromKeychain on an unavailable keychain = %v, want ErrKeychainUnavailable", err)
	}
	if acc := ws3.Access(src); acc.State != StateNeedsCredentials {
		t.Errorf("after an unavailable keychain: %v, want needs credentials", acc.State)
	}
}

// TestConcurrentUnlockSharesDetection: the app's prompt and a resolve that
// both check the same credential put one probe sequence on the wire.
func TestConcurrentUnlockSharesDetection(t *testing.T) {
	srv := basicServer(t)
	_, l := testProject(srv.URL)
	src, _ := vault.SourceOf(l.Source)
	ws := New(nil, Options{})
	target, _, err := ws.ProbeFor(context.Background(), wms.Kind{}, l.Source, "roads")
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Count()
	var wg sync.WaitGroup
	results := make([]vault.Result, 8)
	for i := range results {
		wg.Go(func() {
			u, _ := ws.Unlock(context.Background(), src, target, vault.Credential{Username: testUser, Password: testPassword}, vault.Hint{}, false)
			results[i] = u.Result
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.Outcome != vault.OutcomeFound {
			t.Fatalf("an Unlock got %v, want found", r.Outcome)
		}
	}
	// Bare probe + one Basic request per sequence; merged calls add none.
	// (Calls that start after the first finished reuse the recorded method:
	// one request each.)
	if got := srv.Count() - before; got > 2+len(results)-1 {
		t.Errorf("%d requests for %d concurrent unlocks, want them merged", got, len(results))
	}
}

func TestIsAuthFailure(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&vault.AuthError{Reason: vault.ReasonRejected}, true},
		{vault.ErrNoCredentials, true},
		{errors.New("connection refused"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsAuthFailure(tt.err); got != tt.want {
			t.Errorf("IsAuthFailure(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestSignIn: an OAuth2 resource is discovered without a secret (needs
// sign-in), the browser sign-in unlocks it, and the tokens never reach a
// file.
func TestSignIn(t *testing.T) {
	p := vaulttest.NewOAuth2Provider(t)
	rs := vaulttest.NewServer(t, http.NotFoundHandler())
	mux := http.NewServeMux()
	mux.Handle("/wms", p.Resource(vaulttest.PNG(), rs.URL+"/.well-known/oauth-protected-resource/wms"))
	mux.Handle("/.well-known/oauth-protected-resource/wms", p.ResourceMetadata(rs.URL+"/wms"))
	rs.SetHandler(mux)
	src, _ := vault.SourceOf(rs.URL + "/wms")
	target := vault.Target{URL: rs.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&WIDTH=1&HEIGHT=1", Expect: vault.ExpectImage}
	ws := New(nil, Options{})
	ctx := context.Background()

	u, err := ws.Unlock(ctx, src, target, vault.Credential{}, vault.Hint{}, false)
	if err != nil || u.Result.Outcome != vault.OutcomeRejected || u.Result.Entry.Method != vault.MethodOAuth2 {
		t.Fatalf("Unlock(no secret) = %+v %v, want rejected with oauth2", u.Result, err)
	}
	if acc := ws.Access(src); acc.State != StateNeedsSignIn || !acc.Needs.SignIn {
		t.Fatalf("after discovery: %+v, want needs sign-in", acc)
	}
	// The browser: follow the authorization server's redirect to the
	// loopback callback.
	open := func(authURL string) error {
		go func() {
			c := &http.Client{}
			resp, err := c.Get(authURL)
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	u, err = ws.SignIn(ctx, src, target, open, false)
	if err != nil || u.Result.Outcome != vault.OutcomeFound {
		t.Fatalf("SignIn = %+v %v, want found", u.Result, err)
	}
	if acc := ws.Access(src); acc.State != StateOK {
		t.Errorf("after sign-in: %v, want ok", acc.State)
	}
	out, err := ws.KeyVault().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range p.Issued() {
		if strings.Contains(string(out), tok) {
			t.Errorf("the KeyVault holds a token:\n%s", out)
		}
	}
	if _, err := ws.SignIn(ctx, "https://elsewhere:443/wms", target, open, false); !errors.Is(err, ErrNotSignIn) {
		t.Errorf("SignIn on a non-OAuth2 source = %v, want ErrNotSignIn", err)
	}
}

package vault

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/vault/vaulttest"
)

var testNow = time.Date(2026, 11, 20, 8, 15, 0, 0, time.UTC)

// newDetector returns a Detector with a fresh KeyVault and Store, a fixed
// clock, a short client timeout and the given parallelism.
func newDetector(t *testing.T, parallel int) *Detector {
	t.Helper()
	return &Detector{
		Client:   &http.Client{Timeout: 2 * time.Second},
		KeyVault: NewKeyVault(),
		Store:    NewStore(),
		Parallel: parallel,
		Clock:    func() time.Time { return testNow },
	}
}

func imageTarget(s *vaulttest.Server) Target {
	return Target{URL: s.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&WIDTH=1&HEIGHT=1", Expect: ExpectImage}
}

func TestCandidateOrder(t *testing.T) {
	want := []string{"query code", "query key", "query token", "query authkey", "query api_key",
		"query apikey", "query apiKey", "query api-key", "query access_token", "query access_key",
		"query subscription-key", "query tk", "header Authorization", "header X-API-Key"}
	check := func(custom string, want []string) {
		t.Helper()
		var got []string
		for _, c := range CandidateOrder(custom) {
			got = append(got, c.String())
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("CandidateOrder(%q) = %v, want %v", custom, got, want)
		}
	}
	check("", want)
	check("bad name", want)
	check("sig", append([]string{"query sig"}, want...))
	check("authkey", append([]string{"query authkey"}, append(append([]string{}, want[:3]...), want[4:]...)...))
}

// TestDetectEachCandidate: a server accepting exactly one candidate is
// found, with the exact number of requests (bare probe + position).
func TestDetectEachCandidate(t *testing.T) {
	type tc struct {
		name   string
		guard  vaulttest.Guard
		custom string
		cand   Candidate
		want   int // requests with Parallel 1
	}
	var cases []tc
	for i, c := range CandidateOrder("") {
		g := vaulttest.Guard{Key: testKey}
		if c.Method == MethodQuery {
			g.Query = c.Param
		} else {
			g.Header = c.Param
		}
		cases = append(cases, tc{c.String(), g, "", c, 2 + i})
	}
	cases = append(cases, tc{"custom param", vaulttest.Guard{Query: "sig", Key: testKey}, "sig", Candidate{MethodQuery, "sig"}, 2})
	for _, c := range cases {
		for _, parallel := range []int{1, 4} {
			t.Run(c.name+" parallel "+string(rune('0'+parallel)), func(t *testing.T) {
				srv := vaulttest.NewProtected(t, c.guard, vaulttest.PNG(), nil)
				d := newDetector(t, parallel)
				res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, c.custom)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != OutcomeFound || res.Method != c.cand.Method || res.Param != c.cand.Param {
					t.Fatalf("Detect = %v %s %q (%s), want found %s %q", res.Outcome, res.Method, res.Param, res.Reason, c.cand.Method, c.cand.Param)
				}
				if parallel == 1 {
					if res.Requests != c.want || srv.Count() != c.want {
						t.Errorf("requests = %d (server saw %d), want %d", res.Requests, srv.Count(), c.want)
					}
				} else if c.custom != "" {
					// A named parameter goes out alone before any batch.
					if res.Requests != c.want || srv.Count() != c.want {
						t.Errorf("requests = %d (server saw %d), want %d", res.Requests, srv.Count(), c.want)
					}
				} else {
					// Whole batches up to the winner's may go out.
					pos := c.want - 1
					maxReq := 1 + (pos+3)/4*4
					if res.Requests < c.want || res.Requests > maxReq || srv.Count() > maxReq {
						t.Errorf("requests = %d (server saw %d), want %d..%d", res.Requests, srv.Count(), c.want, maxReq)
					}
				}
				src := mustSource(t, srv.URL+"/wms")
				e, ok := d.KeyVault.Get(src)
				want := Entry{AuthRequired: true, Method: c.cand.Method, Param: c.cand.Param, LastConfirmed: testNow}
				if !ok || e != want {
					t.Errorf("KeyVault entry = %+v, want %+v", e, want)
				}
				if cred, st := d.Store.Get(src); cred.Key != testKey || st != StatusVerified {
					t.Errorf("store = %v %v, want the key, verified", cred, st)
				}
			})
		}
	}
}

// TestDetectEarliestWins: two accepted candidates in one batch: the earlier
// one in the documented order wins, every time.
func TestDetectEarliestWins(t *testing.T) {
	g := vaulttest.Guard{Query: "apiKey", QueryFold: true, Key: testKey} // accepts apikey, apiKey, APIKEY...
	for range 5 {
		srv := vaulttest.NewProtected(t, g, vaulttest.PNG(), nil)
		res, err := newDetector(t, 4).Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeFound || res.Param != "apikey" {
			t.Errorf("Detect = %v %q, want found apikey", res.Outcome, res.Param)
		}
	}
}

func TestDetectBasic(t *testing.T) {
	cred := Credential{Username: "ann", Password: "pw-secret-123"}
	cases := []struct {
		name     string
		password string
		want     Outcome
		status   Status
	}{
		{"right password", "pw-secret-123", OutcomeFound, StatusVerified},
		{"wrong password", "other", OutcomeRejected, StatusNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewProtected(t, vaulttest.Guard{Basic: true, User: "ann", Password: tc.password}, vaulttest.PNG(), nil)
			d := newDetector(t, 4)
			res, err := d.Detect(context.Background(), imageTarget(srv), cred, "token")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.want || res.Requests != 2 || srv.Count() != 2 {
				t.Errorf("Detect = %v after %d requests (server saw %d), want %v after 2", res.Outcome, res.Requests, srv.Count(), tc.want)
			}
			credentialed := 0
			for _, r := range srv.Records() {
				if r.Header.Get("Authorization") != "" {
					credentialed++
				}
				if strings.Contains(r.RequestURI, "pw-secret") || strings.Contains(r.RequestURI, "token=") {
					t.Errorf("password sent in the query: %q", r.RequestURI)
				}
			}
			if credentialed != 1 {
				t.Errorf("%d requests carried the password, want exactly 1", credentialed)
			}
			if got := d.Store.Status(mustSource(t, srv.URL+"/wms")); got != tc.status {
				t.Errorf("store status = %v, want %v", got, tc.status)
			}
		})
	}
}

// TestDetectRejections: every way servers say no is Rejected after the bare
// probe and all 14 candidates (Parallel 1), and the store does not keep
// the key as usable.
func TestDetectRejections(t *testing.T) {
	cases := []struct {
		name   string
		reject http.Handler
	}{
		{"401", vaulttest.Status(401)},
		{"403", vaulttest.Status(403)},
		{"498", vaulttest.Status(498)},
		{"200 service exception", vaulttest.ServiceException("application/vnd.ogc.se_xml")},
		{"200 service exception as png", vaulttest.ServiceException("image/png")},
		{"200 ows exception", vaulttest.OWSException("text/xml")},
		{"200 login page", vaulttest.LoginPage()},
		{"200 wrong type", vaulttest.Body(200, "application/json", []byte(`{"error":"no"}`))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: "the-right-key-0000"}, vaulttest.PNG(), tc.reject)
			d := newDetector(t, 1)
			src := mustSource(t, srv.URL+"/wms")
			d.Store.Set(src, Credential{Key: testKey})
			res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeRejected || res.Requests != 15 || srv.Count() != 15 {
				t.Errorf("Detect = %v after %d requests (server saw %d): %s; want rejected after 15", res.Outcome, res.Requests, srv.Count(), res.Reason)
			}
			if got := d.Store.Status(src); got != StatusRejected {
				t.Errorf("store status = %v, want rejected", got)
			}
			if _, ok := d.KeyVault.Get(src); ok {
				t.Errorf("KeyVault recorded a rejected source")
			}
		})
	}
}

func TestDetectUndecided(t *testing.T) {
	other := vaulttest.NewServer(t, vaulttest.PNG())
	cases := []struct {
		name    string
		handler http.Handler
		cred    Credential
		reqs    int
		reason  string
	}{
		{"404 for everything", vaulttest.Status(404), Credential{Key: testKey}, 15, "404"},
		{"500", vaulttest.Status(500), Credential{Key: testKey}, 15, "500"},
		{"429 basic", vaulttest.Status(429), Credential{Username: "u", Password: "pw-secret-123"}, 2, "429"},
		{"redirect to other origin", vaulttest.Redirect(other.URL+"/x", true), Credential{Key: testKey}, 15, "outside the source"},
		{"slow", vaulttest.Sleep(5*time.Second, vaulttest.PNG()), Credential{Username: "u", Password: "pw-secret-123"}, 2, "in time"},
		{"huge body", vaulttest.Huge(2<<20, false), Credential{Username: "u", Password: "pw-secret-123"}, 2, "larger than"},
		{"huge declared body", vaulttest.Huge(2<<20, true), Credential{Username: "u", Password: "pw-secret-123"}, 2, "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.NewServer(t, tc.handler)
			d := newDetector(t, 1)
			d.Client.Timeout = 200 * time.Millisecond
			d.MaxProbeBytes = 1 << 20
			res, err := d.Detect(context.Background(), imageTarget(srv), tc.cred, "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeUndecided || res.Requests != tc.reqs {
				t.Errorf("Detect = %v after %d requests: %s; want undecided after %d", res.Outcome, res.Requests, res.Reason, tc.reqs)
			}
			if !strings.Contains(res.Reason, tc.reason) || !strings.HasPrefix(res.Reason, "could not decide") {
				t.Errorf("reason = %q, want it to start with %q and mention %q", res.Reason, "could not decide", tc.reason)
			}
			src := mustSource(t, srv.URL+"/wms")
			if st := d.Store.Status(src); st != StatusNone {
				t.Errorf("store status = %v, want none", st)
			}
			if _, ok := d.KeyVault.Get(src); ok {
				t.Errorf("KeyVault recorded an undecided source")
			}
		})
	}
	if other.Saw(testKey) || other.Saw("pw-secret-123") {
		t.Errorf("the other origin saw the secret")
	}
}

// TestDetect404WithAuth: a server that hides itself with 404 until the
// right key comes is found, not reported undecided.
func TestDetect404WithAuth(t *testing.T) {
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: testKey}, vaulttest.PNG(), vaulttest.Status(404))
	res, err := newDetector(t, 1).Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeFound || res.Param != "authkey" || res.Requests != 5 {
		t.Errorf("Detect = %v %q after %d requests, want found authkey after 5", res.Outcome, res.Param, res.Requests)
	}
}

func TestDetectNoAuthNeeded(t *testing.T) {
	for _, expect := range []string{ExpectImage, ExpectXML} {
		h := vaulttest.PNG()
		if expect == ExpectXML {
			h = vaulttest.Capabilities()
		}
		srv := vaulttest.NewServer(t, h)
		d := newDetector(t, 4)
		res, err := d.Detect(context.Background(), Target{URL: srv.URL + "/wms?REQUEST=x", Expect: expect}, Credential{Key: testKey}, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeNoAuthNeeded || res.Method != MethodNone || res.Requests != 1 || srv.Count() != 1 {
			t.Errorf("Detect(%s) = %v %s after %d requests, want no auth needed after 1", expect, res.Outcome, res.Method, res.Requests)
		}
		if srv.Saw(testKey) {
			t.Errorf("the key was sent to a server that needs none")
		}
		e, ok := d.KeyVault.Get(mustSource(t, srv.URL+"/wms"))
		if want := (Entry{AuthRequired: false, Method: MethodNone}); !ok || e != want {
			t.Errorf("KeyVault entry = %+v, want %+v", e, want)
		}
	}
}

func TestDetectRecordedMethod(t *testing.T) {
	t.Run("still works", func(t *testing.T) {
		srv := vaulttest.NewProtected(t, vaulttest.Guard{Header: "X-API-Key", Key: testKey}, vaulttest.PNG(), nil)
		d := newDetector(t, 4)
		d.KeyVault.Set(mustSource(t, srv.URL+"/wms"), Entry{AuthRequired: true, Method: MethodHeader, Param: "X-API-Key"})
		res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeFound || res.Param != "X-API-Key" || res.Requests != 1 || srv.Count() != 1 {
			t.Errorf("Detect = %v %q after %d requests, want found X-API-Key after 1", res.Outcome, res.Param, res.Requests)
		}
	})
	t.Run("changed", func(t *testing.T) {
		srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "token", Key: testKey}, vaulttest.PNG(), nil)
		d := newDetector(t, 1)
		d.KeyVault.Set(mustSource(t, srv.URL+"/wms"), Entry{AuthRequired: true, Method: MethodQuery, Param: "tk"})
		res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
		if err != nil {
			t.Fatal(err)
		}
		// tk alone, then code, key, token: no bare probe (the vault says auth is required).
		if res.Outcome != OutcomeFound || res.Param != "token" || res.Requests != 4 {
			t.Errorf("Detect = %v %q after %d requests, want found token after 4", res.Outcome, res.Param, res.Requests)
		}
	})
	t.Run("basic rejected once", func(t *testing.T) {
		srv := vaulttest.NewProtected(t, vaulttest.Guard{Basic: true, User: "ann", Password: "x"}, vaulttest.PNG(), nil)
		d := newDetector(t, 4)
		d.KeyVault.Set(mustSource(t, srv.URL+"/wms"), Entry{AuthRequired: true, Method: MethodBasic})
		res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Username: "ann", Password: "pw-secret-123"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeRejected || res.Requests != 1 || srv.Count() != 1 {
			t.Errorf("Detect = %v after %d requests, want rejected after 1", res.Outcome, res.Requests)
		}
	})
}

func TestDetectNoCredential(t *testing.T) {
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: testKey}, vaulttest.PNG(), nil)
	res, err := newDetector(t, 4).Detect(context.Background(), imageTarget(srv), Credential{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeRejected || res.Requests != 1 {
		t.Errorf("Detect = %v after %d requests, want rejected after 1", res.Outcome, res.Requests)
	}
}

// TestDetectMerged: 10 concurrent callers, one probe sequence.
func TestDetectMerged(t *testing.T) {
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: testKey},
		vaulttest.Sleep(50*time.Millisecond, vaulttest.PNG()), vaulttest.Sleep(50*time.Millisecond, vaulttest.Status(401)))
	d := newDetector(t, 1)
	const callers = 10
	results := make([]Result, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			r, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if !reflect.DeepEqual(r, results[0]) || r.Outcome != OutcomeFound || r.Param != "authkey" {
			t.Errorf("caller %d got %+v, want %+v (found authkey)", i, r, results[0])
		}
	}
	if got := srv.Count(); got != 5 {
		t.Errorf("server saw %d requests, want one sequence of 5", got)
	}
}

func TestDetectCancelled(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.Sleep(5*time.Second, vaulttest.PNG()))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := newDetector(t, 4).Detect(ctx, imageTarget(srv), Credential{Key: testKey}, "")
	if !errors.Is(err, context.DeadlineExceeded) || res.Outcome != OutcomeUndecided {
		t.Errorf("Detect = %v, %v; want undecided, context.DeadlineExceeded", res.Outcome, err)
	}
}

func TestDetectBadInput(t *testing.T) {
	d := newDetector(t, 4)
	cases := []struct {
		t      Target
		custom string
	}{
		{Target{URL: "ftp://x/wms", Expect: ExpectImage}, ""},
		{Target{URL: "https://a.example/wms", Expect: "geojson"}, ""},
		{Target{URL: "https://a.example/wms", Expect: ExpectImage}, "bad name"},
		{Target{URL: "https://a.example/wms", Expect: ExpectImage, Source: "https://b.example:443/wms"}, ""},
	}
	for _, tc := range cases {
		if _, err := d.Detect(context.Background(), tc.t, Credential{Key: testKey}, tc.custom); !errors.Is(err, ErrBadTarget) {
			t.Errorf("Detect(%+v, %q) err = %v, want ErrBadTarget", tc.t, tc.custom, err)
		}
	}
}

// BenchmarkDetectLastCandidate: the key is accepted only as X-API-Key, the
// last candidate; each answer takes 5 ms, as a nearby server would.
func BenchmarkDetectLastCandidate(b *testing.B) {
	for _, parallel := range []int{1, 4} {
		b.Run("parallel="+string(rune('0'+parallel)), func(b *testing.B) {
			srv := vaulttest.NewProtected(b, vaulttest.Guard{Header: "X-API-Key", Key: testKey},
				vaulttest.Sleep(5*time.Millisecond, vaulttest.PNG()), vaulttest.Sleep(5*time.Millisecond, vaulttest.Status(401)))
			for b.Loop() {
				d := &Detector{Client: &http.Client{Timeout: 2 * time.Second}, Parallel: parallel}
				res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: testKey}, "")
				if err != nil || res.Outcome != OutcomeFound {
					b.Fatalf("Detect = %v, %v", res.Outcome, err)
				}
			}
		})
	}
}

// TestDetectStopsWhenTheServerReadsTheKey: a server that refuses a key
// under the name it reads differently from a request without one (403
// instead of 401, 498 instead of 499, another exception) tells detection
// the key is wrong: it stops there instead of trying every other name.
// Where every refusal looks like the bare one, the whole list is tried.
func TestDetectStopsWhenTheServerReadsTheKey(t *testing.T) {
	exc := func(code, msg string) http.Handler {
		return vaulttest.Body(http.StatusOK, "text/xml", []byte(`<?xml version="1.0"?><ServiceExceptionReport version="1.3.0"><ServiceException code="`+code+`">`+msg+`</ServiceException></ServiceExceptionReport>`))
	}
	tests := []struct {
		name       string
		bare, read http.Handler // answers without the authkey, and with a wrong one
		want       int          // requests, Parallel 1
	}{
		{"401 then 403", vaulttest.Status(401), vaulttest.Status(403), 5},
		{"499 then 498", vaulttest.Status(499), vaulttest.Status(498), 5},
		{"another exception", exc("MissingKey", "authkey required"), exc("InvalidKey", "authkey wrong"), 5},
		{"same refusal everywhere", vaulttest.Status(401), vaulttest.Status(401), 15},
		{"same exception, other date", exc("Denied", "denied at 10:01"), exc("Denied", "denied at 10:02"), 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := vaulttest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("authkey") {
					tt.read.ServeHTTP(w, r)
					return
				}
				tt.bare.ServeHTTP(w, r)
			}))
			d := newDetector(t, 1)
			res, err := d.Detect(context.Background(), imageTarget(srv), Credential{Key: "wrong-key-1234"}, "")
			if err != nil || res.Outcome != OutcomeRejected {
				t.Fatalf("Detect = %v (%s) %v, want rejected", res.Outcome, res.Reason, err)
			}
			if res.Requests != tt.want || srv.Count() != tt.want {
				t.Errorf("requests = %d (server saw %d), want %d", res.Requests, srv.Count(), tt.want)
			}
		})
	}
	// With Parallel 4 the batch that holds the read name is the last one.
	srv := vaulttest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("authkey") {
			w.WriteHeader(403)
			return
		}
		w.WriteHeader(401)
	}))
	res, _ := newDetector(t, 4).Detect(context.Background(), imageTarget(srv), Credential{Key: "wrong-key-1234"}, "")
	if res.Outcome != OutcomeRejected || res.Requests != 5 {
		t.Errorf("Parallel 4: %v after %d requests, want rejected after 5 (bare + one batch)", res.Outcome, res.Requests)
	}
}

// TestDetectPrefixSource: detection for a path-prefix source (an XYZ
// template's) follows a redirect under the prefix with the candidate, and
// not one to the same origin outside it, which never sees the key.
func TestDetectPrefixSource(t *testing.T) {
	mux := http.NewServeMux()
	var outside, under atomic.Int32
	mux.HandleFunc("/v3/0/0/0.png", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v3/moved/0/0/0.png?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("/v3/moved/0/0/0.png", func(w http.ResponseWriter, r *http.Request) {
		under.Add(1)
		if r.URL.Query().Get("key") != testKey {
			http.Error(w, "key", http.StatusUnauthorized)
			return
		}
		vaulttest.PNG().ServeHTTP(w, r)
	})
	mux.HandleFunc("/v4/0/0/0.png", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere/0/0/0.png?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("/elsewhere/", func(w http.ResponseWriter, r *http.Request) {
		outside.Add(1)
		vaulttest.PNG().ServeHTTP(w, r)
	})
	srv := vaulttest.NewServer(t, mux)

	src := mustSource(t, srv.URL+"/v3/{z}/{x}/{y}.png")
	d := newDetector(t, 1)
	res, err := d.Detect(context.Background(), Target{URL: srv.URL + "/v3/0/0/0.png", Expect: ExpectImage, Source: src}, Credential{Key: testKey}, "key")
	if err != nil || res.Outcome != OutcomeFound || res.Param != "key" {
		t.Errorf("Detect under the prefix = %+v, %v; want query key found", res, err)
	}
	if under.Load() == 0 {
		t.Error("the redirect under the prefix was not followed")
	}

	src4 := mustSource(t, srv.URL+"/v4/{z}/{x}/{y}.png")
	res, err = d.Detect(context.Background(), Target{URL: srv.URL + "/v4/0/0/0.png", Expect: ExpectImage, Source: src4}, Credential{Key: testKey}, "key")
	if err != nil || res.Outcome != OutcomeUndecided || !strings.Contains(res.Reason, "outside the source") {
		t.Errorf("Detect redirected outside the prefix = %+v, %v; want undecided", res, err)
	}
	for _, r := range srv.Records() {
		if strings.HasPrefix(r.RequestURI, "/elsewhere/") && strings.Contains(r.RequestURI, testKey) {
			t.Errorf("%s outside the prefix got the key", r.RequestURI)
		}
	}
	if _, err := d.Detect(context.Background(), Target{URL: srv.URL + "/admin", Expect: ExpectImage, Source: src}, Credential{Key: testKey}, ""); !errors.Is(err, ErrBadTarget) {
		t.Errorf("a target outside its source: error %v, want ErrBadTarget", err)
	}
}

// TestDetectJSONBearer: a GeoJSON document behind a Bearer token is found
// with ExpectJSON, the 401 challenge naming the scheme; a JSON error
// object answered with 200 is a refusal, not a success.
func TestDetectJSONBearer(t *testing.T) {
	geo := vaulttest.Body(http.StatusOK, "application/geo+json", []byte(`{"type":"FeatureCollection","features":[]}`))
	reject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="features"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
	})
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Header: "Authorization", Key: testKey}, geo, reject)
	d := newDetector(t, 1)
	target := Target{URL: srv.URL + "/data/countries.geojson", Expect: ExpectJSON}
	res, err := d.Detect(context.Background(), target, Credential{Key: testKey}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeFound || res.Method != MethodHeader || res.Param != "Authorization" {
		t.Fatalf("Detect = %v %s %q (%s), want found header Authorization", res.Outcome, res.Method, res.Param, res.Reason)
	}

	errDoc := vaulttest.Body(http.StatusOK, "application/json", []byte(`{"error":"invalid api key"}`))
	srv2 := vaulttest.NewServer(t, errDoc)
	res, err = newDetector(t, 1).Detect(context.Background(), Target{URL: srv2.URL + "/a.geojson", Expect: ExpectJSON}, Credential{Key: testKey}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome == OutcomeFound {
		t.Errorf("Detect on a JSON error answer = found %s %q, want no success", res.Method, res.Param)
	}
}

package vault_test

// Integration tests against the real MapServer 8 behind nginx of
// .ci/mapserver. Run them with
//
//	bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"
//	go test -count=1 -run MapServer -v ./vault/
//
// Without MAPVAULT_MAPSERVER_URL they skip (they fail under CI=true).
// Every request a test sends carries its own marker parameter, so the
// request counts read from nginx's access log are the test's own even while
// other packages use the server.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// probeQuery is the tiny GetMap detection sends: 16x16 PNG of land.
const probeQuery = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=land&STYLES=&CRS=EPSG:4326&BBOX=40,0,41,1&WIDTH=16&HEIGHT=16&FORMAT=image/png"

// msTarget is the probe target on location path, tagged with marker.
func msTarget(m *vaulttest.MapServer, path, marker string) vault.Target {
	return vault.Target{URL: m.Location(path) + "?" + probeQuery + "&" + marker, Expect: vault.ExpectImage}
}

func msSource(t *testing.T, m *vaulttest.MapServer, path string) vault.Source {
	t.Helper()
	src, err := vault.SourceOf(m.Location(path))
	if err != nil {
		t.Fatalf("SourceOf(%s): %v", path, err)
	}
	return src
}

func msContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// msDetector is a detector with a plain client of bounded timeout.
func msDetector(parallel int, kv *vault.KeyVault, st *vault.Store) *vault.Detector {
	return &vault.Detector{
		Client:   &http.Client{Timeout: 10 * time.Second},
		Parallel: parallel,
		KeyVault: kv,
		Store:    st,
	}
}

// checkDetect runs one detection and checks its outcome, method and request
// count, and that nginx saw exactly Result.Requests requests of it.
// wantRequests < 0 skips the count check. It returns the result.
func checkDetect(t *testing.T, m *vaulttest.MapServer, d *vault.Detector, path string, c vault.Credential,
	wantOutcome vault.Outcome, wantMethod vault.Method, wantParam string, wantRequests int) vault.Result {
	t.Helper()
	marker := vaulttest.NewMarker(t)
	res, err := d.Detect(msContext(t), msTarget(m, path, marker), c, "")
	if err != nil {
		t.Fatalf("Detect(%s) error: %v", path, err)
	}
	if res.Outcome != wantOutcome {
		t.Errorf("Detect(%s) outcome = %v (%s), want %v", path, res.Outcome, res.Reason, wantOutcome)
	}
	if res.Method != wantMethod || res.Param != wantParam {
		t.Errorf("Detect(%s) method = %q %q, want %q %q", path, res.Method, res.Param, wantMethod, wantParam)
	}
	if wantRequests >= 0 && res.Requests != wantRequests {
		t.Errorf("Detect(%s) requests = %d, want %d", path, res.Requests, wantRequests)
	}
	logged := m.WaitAccessLog(t, marker, res.Requests)
	if len(logged) != res.Requests {
		t.Errorf("Detect(%s): nginx logged %d requests, Result.Requests = %d", path, len(logged), res.Requests)
	}
	for _, e := range logged {
		if e.Path != path {
			t.Errorf("Detect(%s) sent a request to %s, want only %s", path, e.Path, path)
		}
	}
	checkNoSecret(t, res, c)
	return res
}

// checkNoSecret fails when a secret of c shows in a Result.
func checkNoSecret(t *testing.T, res vault.Result, c vault.Credential) {
	t.Helper()
	text := fmt.Sprintf("%+v %v %s", res, res, res.Reason)
	for _, s := range msSecrets(c) {
		if strings.Contains(text, s) {
			t.Errorf("Result shows a secret: %s", strings.ReplaceAll(text, s, "SECRET"))
		}
	}
}

// msSecrets are the forms a credential's secret takes on the wire.
func msSecrets(c vault.Credential) []string {
	var out []string
	if c.Key != "" {
		out = append(out, c.Key)
	}
	if c.Password != "" {
		out = append(out, c.Password, base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)))
	}
	return out
}

func TestMapServerDetectPublic(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	for _, c := range []vault.Credential{{}, {Key: m.Key}, {Username: m.BasicUser, Password: m.BasicPassword}} {
		kv := vault.NewKeyVault()
		checkDetect(t, m, msDetector(0, kv, nil), "/public/wms", c, vault.OutcomeNoAuthNeeded, vault.MethodNone, "", 1)
		e, ok := kv.Get(msSource(t, m, "/public/wms"))
		if !ok || e.AuthRequired || e.Method != vault.MethodNone {
			t.Errorf("KeyVault after public detection = %+v, %v; want AuthRequired false, method none", e, ok)
		}
	}
}

func TestMapServerDetectBasic(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	src := msSource(t, m, "/basic/wms")
	right := vault.Credential{Username: m.BasicUser, Password: m.BasicPassword}
	wrong := vault.Credential{Username: m.BasicUser, Password: m.BasicPassword + "-wrong"}

	t.Run("right", func(t *testing.T) {
		kv, st := vault.NewKeyVault(), vault.NewStore()
		checkDetect(t, m, msDetector(0, kv, st), "/basic/wms", right, vault.OutcomeFound, vault.MethodBasic, "", 2)
		if got := st.Status(src); got != vault.StatusVerified {
			t.Errorf("store status = %v, want verified", got)
		}
		if e, _ := kv.Get(src); !e.AuthRequired || e.Method != vault.MethodBasic {
			t.Errorf("KeyVault entry = %+v, want AuthRequired basic", e)
		}
	})
	t.Run("wrong", func(t *testing.T) {
		// Lockout safety: the bare probe plus exactly one credentialed request.
		st := vault.NewStore()
		st.Set(src, wrong)
		res := checkDetect(t, m, msDetector(0, nil, st), "/basic/wms", wrong, vault.OutcomeRejected, "", "", 2)
		if res.Requests-1 != 1 {
			t.Errorf("credentialed requests = %d, want 1", res.Requests-1)
		}
		if got := st.Status(src); got != vault.StatusRejected {
			t.Errorf("store status = %v, want rejected", got)
		}
	})
	t.Run("wrong, recorded basic", func(t *testing.T) {
		// A project detected before: one request in total, no bare probe.
		kv := vault.NewKeyVault()
		kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodBasic})
		checkDetect(t, m, msDetector(0, kv, nil), "/basic/wms", wrong, vault.OutcomeRejected, "", "", 1)
	})
	t.Run("none", func(t *testing.T) {
		checkDetect(t, m, msDetector(0, nil, nil), "/basic/wms", vault.Credential{}, vault.OutcomeRejected, "", "", 1)
	})
}

func TestMapServerDetectKey(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	// authkey is the 4th query name tried: bare + code, key, token, authkey.
	const wantFound = 5
	// Every way of sending a key: bare + 12 query names + 2 headers.
	const wantAll = 15
	tests := []struct {
		path       string
		wrongWant  vault.Outcome // docs/auth-detection.md: 404 says nothing, so undecided
		badAnswers string
	}{
		{"/key/wms", vault.OutcomeRejected, "401"},
		{"/key403/wms", vault.OutcomeRejected, "403"},
		{"/key404/wms", vault.OutcomeUndecided, "404"},
		{"/key498/wms", vault.OutcomeRejected, "498"},
		{"/keyexc/wms", vault.OutcomeRejected, "200 + ServiceException"},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-13s %-24s %-14s %-14s %-22s\n", "location", "bad key answer", "found (par 1)", "found (par 4)", "wrong key")
	for _, tt := range tests {
		t.Run(strings.Trim(tt.path, "/"), func(t *testing.T) {
			var counts []string
			for _, par := range []int{1, 4} {
				kv, st := vault.NewKeyVault(), vault.NewStore()
				res := checkDetect(t, m, msDetector(par, kv, st), tt.path, vault.Credential{Key: m.Key},
					vault.OutcomeFound, vault.MethodQuery, "authkey", wantFound)
				counts = append(counts, fmt.Sprintf("%d", res.Requests))
				src := msSource(t, m, tt.path)
				if e, _ := kv.Get(src); e.Method != vault.MethodQuery || e.Param != "authkey" || !e.AuthRequired {
					t.Errorf("KeyVault entry = %+v, want AuthRequired query authkey", e)
				}
				if got := st.Status(src); got != vault.StatusVerified {
					t.Errorf("store status = %v, want verified", got)
				}
			}
			res := checkDetect(t, m, msDetector(0, nil, nil), tt.path, vault.Credential{Key: m.Key + "-wrong"},
				tt.wrongWant, "", "", wantAll)
			counts = append(counts, fmt.Sprintf("%d %s", res.Requests, res.Outcome))
			fmt.Fprintf(&table, "%-13s %-24s %-14s %-14s %-22s\n", tt.path, tt.badAnswers, counts[0], counts[1], counts[2])
		})
	}
	t.Logf("detection requests per location (bare probe included; nginx access log agrees):%s", table.String())
}

func TestMapServerDetectHeader(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	tests := []struct {
		path         string
		param        string
		wantRequests int
		wrongKey     int // requests for a wrong key
	}{
		// A Bearer challenge picks the Authorization header without
		// guessing: the bare probe and one credentialed request.
		{"/bearer/wms", "Authorization", 2, 2},
		// No challenge: headers come after the 12 query names, X-API-Key 15th.
		{"/header/wms", "X-API-Key", 15, 15},
	}
	for _, tt := range tests {
		t.Run(strings.Trim(tt.path, "/"), func(t *testing.T) {
			// Parallel 1: exactly the candidate's place in the order.
			res := checkDetect(t, m, msDetector(1, nil, nil), tt.path, vault.Credential{Key: m.Key},
				vault.OutcomeFound, vault.MethodHeader, tt.param, tt.wantRequests)
			// Parallel 4: the whole last batch (both headers) may go out.
			res4 := checkDetect(t, m, msDetector(4, nil, nil), tt.path, vault.Credential{Key: m.Key},
				vault.OutcomeFound, vault.MethodHeader, tt.param, -1)
			if res4.Requests < tt.wantRequests || res4.Requests > tt.wrongKey {
				t.Errorf("Detect(%s) with Parallel 4: requests = %d, want %d..%d", tt.path, res4.Requests, tt.wantRequests, tt.wrongKey)
			}
			t.Logf("%s: found header %s with %d requests (Parallel 1), %d (Parallel 4)", tt.path, tt.param, res.Requests, res4.Requests)
			checkDetect(t, m, msDetector(0, nil, nil), tt.path, vault.Credential{Key: m.Key + "-wrong"},
				vault.OutcomeRejected, "", "", tt.wrongKey)
		})
	}
}

// TestMapServerDetectRedirect: detection never follows /redirect/wms's 302
// to the other origin, so nothing of it reaches that origin.
func TestMapServerDetectRedirect(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	for _, c := range []vault.Credential{{Key: m.Key}, {Username: m.BasicUser, Password: m.BasicPassword}} {
		marker := vaulttest.NewMarker(t)
		res, err := msDetector(0, nil, nil).Detect(msContext(t), msTarget(m, "/redirect/wms", marker), c, "")
		if err != nil {
			t.Fatalf("Detect(/redirect/wms) error: %v", err)
		}
		if res.Outcome != vault.OutcomeUndecided {
			t.Errorf("Detect(/redirect/wms) = %v (%s), want undecided", res.Outcome, res.Reason)
		}
		if got := m.WaitOtherLog(t, marker, 0); len(got) != 0 {
			t.Errorf("the other origin saw %d detection requests, want 0", len(got))
		}
		if got := m.WaitAccessLog(t, marker, res.Requests); len(got) != res.Requests {
			t.Errorf("nginx logged %d requests, Result.Requests = %d", len(got), res.Requests)
		}
		checkNoSecret(t, res, c)
	}
}

// msClient is the authenticating client with one credential for path,
// sent the way entry says.
func msClient(t *testing.T, m *vaulttest.MapServer, path string, c vault.Credential, entry vault.Entry) (*http.Client, *vault.Store, vault.Source) {
	t.Helper()
	src := msSource(t, m, path)
	st, kv := vault.NewStore(), vault.NewKeyVault()
	st.Set(src, c)
	kv.Set(src, entry)
	return vault.NewClient(st, kv, vault.TransportOptions{RequestTimeout: 10 * time.Second}), st, src
}

func msGet(ctx context.Context, client *http.Client, rawURL string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// TestMapServerTransportRedirect: the credential for /redirect/wms never
// crosses to the other origin the 302 points at (which logs every
// Authorization and X-API-Key header and every query).
func TestMapServerTransportRedirect(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	tests := []struct {
		name  string
		cred  vault.Credential
		entry vault.Entry
		// nginx copies the query into the Location, so a query key comes
		// back in it: the transport refuses that redirect instead of
		// following it bare.
		wantErr error
	}{
		{"query", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"}, vault.ErrCrossOriginRedirect},
		{"header X-API-Key", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodHeader, Param: "X-API-Key"}, nil},
		{"header bearer", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodHeader, Param: "Authorization"}, nil},
		{"basic", vault.Credential{Username: m.BasicUser, Password: m.BasicPassword}, vault.Entry{AuthRequired: true, Method: vault.MethodBasic}, nil},
	}
	before := m.OtherLogLen(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _, _ := msClient(t, m, "/redirect/wms", tt.cred, tt.entry)
			marker := vaulttest.NewMarker(t)
			status, body, err := msGet(msContext(t), client, m.Location("/redirect/wms")+"?"+probeQuery+"&"+marker)
			want := 0
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("GET /redirect/wms error = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("GET /redirect/wms: %v", err)
			default:
				want = 1
				if status != http.StatusOK || string(body) != "caught\n" {
					t.Errorf("GET /redirect/wms = %d %q, want 200 from the other origin", status, body)
				}
			}
			if err != nil {
				for _, s := range msSecrets(tt.cred) {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error text holds the secret")
					}
				}
			}
			lines := m.WaitOtherLog(t, marker, want)
			if len(lines) != want {
				t.Fatalf("the other origin logged %d requests, want %d", len(lines), want)
			}
			for _, l := range lines {
				// nginx logs an absent header as "-".
				if !strings.Contains(l, `authorization="-" x_api_key="-" cookie="-"`) {
					t.Errorf("the other origin got credential headers: %s", msScrub(l, tt.cred))
				}
			}
			if got := m.AccessLog(t, marker); len(got) != 1 || got[0].Status != http.StatusFound {
				t.Errorf("/redirect/wms requests = %d, want 1 answered 302", len(got))
			}
		})
	}
	// Canary: no form of any secret anywhere in what the other origin
	// logged during this test.
	since := m.OtherLogSince(t, before)
	for _, c := range []vault.Credential{{Key: m.Key}, {Username: m.BasicUser, Password: m.BasicPassword}} {
		for _, s := range msSecrets(c) {
			for _, l := range since {
				if strings.Contains(l, s) {
					t.Errorf("the other origin saw a secret: %s", msScrub(l, c))
				}
			}
		}
	}
}

func msScrub(s string, c vault.Credential) string {
	for _, sec := range msSecrets(c) {
		s = strings.ReplaceAll(s, sec, "SECRET")
	}
	return s
}

// TestMapServerTransportLockout: after one 401 to a wrong credential the
// authenticating client refuses locally; nginx sees nothing more.
func TestMapServerTransportLockout(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	tests := []struct {
		name  string
		path  string
		cred  vault.Credential
		entry vault.Entry
	}{
		{"query key", "/key/wms", vault.Credential{Key: m.Key + "-wrong"}, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"}},
		{"header key", "/header/wms", vault.Credential{Key: m.Key + "-wrong"}, vault.Entry{AuthRequired: true, Method: vault.MethodHeader, Param: "X-API-Key"}},
		{"basic", "/basic/wms", vault.Credential{Username: m.BasicUser, Password: m.BasicPassword + "-wrong"}, vault.Entry{AuthRequired: true, Method: vault.MethodBasic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, st, src := msClient(t, m, tt.path, tt.cred, tt.entry)
			ctx := msContext(t)
			marker := vaulttest.NewMarker(t)
			u := m.Location(tt.path) + "?" + probeQuery + "&" + marker
			status, _, err := msGet(ctx, client, u)
			if err != nil || status != http.StatusUnauthorized {
				t.Fatalf("first GET %s = %d, %v; want 401", tt.path, status, err)
			}
			if got := st.Status(src); got != vault.StatusRejected {
				t.Fatalf("store status after 401 = %v, want rejected", got)
			}
			for i := range 3 {
				if _, _, err := msGet(ctx, client, u); !errors.Is(err, vault.ErrRejected) {
					t.Errorf("GET %d after the 401: error = %v, want ErrRejected", i+2, err)
				}
			}
			if got := m.WaitAccessLog(t, marker, 1); len(got) != 1 {
				t.Errorf("nginx logged %d requests, want 1 (the rest refused locally)", len(got))
			}
		})
	}
}

// TestMapServerTransportSends: with the right credential and the recorded
// method every scheme gets an image, and the store marks it verified.
func TestMapServerTransportSends(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	tests := []struct {
		path  string
		cred  vault.Credential
		entry vault.Entry
	}{
		{"/key/wms", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"}},
		{"/keyexc/wms", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"}},
		{"/header/wms", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodHeader, Param: "X-API-Key"}},
		{"/bearer/wms", vault.Credential{Key: m.Key}, vault.Entry{AuthRequired: true, Method: vault.MethodHeader, Param: "Authorization"}},
		{"/basic/wms", vault.Credential{Username: m.BasicUser, Password: m.BasicPassword}, vault.Entry{AuthRequired: true, Method: vault.MethodBasic}},
	}
	for _, tt := range tests {
		t.Run(strings.Trim(tt.path, "/"), func(t *testing.T) {
			client, st, src := msClient(t, m, tt.path, tt.cred, tt.entry)
			marker := vaulttest.NewMarker(t)
			status, body, err := msGet(msContext(t), client, m.Location(tt.path)+"?"+probeQuery+"&"+marker)
			if err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			if got := http.DetectContentType(body); status != http.StatusOK || got != "image/png" {
				t.Errorf("GET %s = %d %s, want 200 image/png", tt.path, status, got)
			}
			if got := st.Status(src); got != vault.StatusVerified {
				t.Errorf("store status = %v, want verified", got)
			}
			if got := m.WaitAccessLog(t, marker, 1); len(got) != 1 || got[0].Status != http.StatusOK {
				t.Errorf("nginx logged %d requests, want 1 answered 200", len(got))
			}
		})
	}
}

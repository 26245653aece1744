package vault_test

// Integration tests against real HTTP Digest: Apache 2.4 mod_auth_digest
// (.ci/digest) in front of the test MapServer. Run them with
//
//	bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"
//	D=$(mktemp -d) && bash .ci/digest/server.sh up $D && eval "$(bash .ci/digest/server.sh env $D)"
//	go test -count=1 -run Digest -v ./vault/
//
// Without MAPVAULT_DIGEST_URL they skip (they fail under CI=true).

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

func requireDigest(t *testing.T) *vaulttest.Front {
	t.Helper()
	return vaulttest.RequireFront(t, "digest", "MAPVAULT_DIGEST_URL", "MAPVAULT_DIGEST_DIR", "DIGEST_USER", "DIGEST_PASSWORD")
}

func digestTarget(f *vaulttest.Front, path, marker string) vault.Target {
	return vault.Target{URL: f.URL + path + "?" + probeQuery + "&" + marker, Expect: vault.ExpectImage}
}

// TestDigestDetect: the 401 challenge picks Digest with no guessing; the
// bare probe's challenge is reused, so detection costs two requests, and a
// wrong password reaches Apache exactly once.
func TestDigestDetect(t *testing.T) {
	f := requireDigest(t)
	user, pass := f.Env["DIGEST_USER"], f.Env["DIGEST_PASSWORD"]

	marker := vaulttest.NewMarker(t)
	kv, st := vault.NewKeyVault(), vault.NewStore()
	res, err := msDetector(1, kv, st).Detect(msContext(t), digestTarget(f, "/digest/wms", marker), vault.Credential{Username: user, Password: pass}, "")
	if err != nil || res.Outcome != vault.OutcomeFound || res.Method != vault.MethodDigest {
		t.Fatalf("Detect = %v %v (%s) %v, want found digest", res.Outcome, res.Method, res.Reason, err)
	}
	if res.Requests != 2 {
		t.Errorf("Detect requests = %d, want 2 (bare challenge + one Digest answer)", res.Requests)
	}
	lines := f.LogLines(t, "access.log", marker, res.Requests)
	if len(lines) != res.Requests {
		t.Errorf("Apache logged %d requests, Result.Requests = %d:\n%s", len(lines), res.Requests, strings.Join(lines, "\n"))
	}
	src, _ := vault.SourceOf(f.URL + "/digest/wms")
	if e, _ := kv.Get(src); e.Method != vault.MethodDigest || !e.AuthRequired {
		t.Errorf("KeyVault entry = %+v, want digest", e)
	}

	// A wrong password: rejected after one credentialed request.
	mismatches := f.CountLog(t, "error.log", "password mismatch")
	marker = vaulttest.NewMarker(t)
	res, err = msDetector(1, nil, nil).Detect(msContext(t), digestTarget(f, "/digest/wms", marker), vault.Credential{Username: user, Password: "wrong-" + pass}, "")
	if err != nil || res.Outcome != vault.OutcomeRejected {
		t.Fatalf("Detect(wrong) = %v (%s) %v, want rejected", res.Outcome, res.Reason, err)
	}
	if res.Requests != 2 {
		t.Errorf("Detect(wrong) requests = %d, want 2", res.Requests)
	}
	f.LogLines(t, "access.log", marker, 2)
	if got := f.CountLog(t, "error.log", "password mismatch") - mismatches; got != 1 {
		t.Errorf("Apache saw %d wrong passwords, want 1", got)
	}
	// A recorded Digest method with a wrong password: one request with the
	// credential, then stop (lockout).
	marker = vaulttest.NewMarker(t)
	res, _ = msDetector(1, kv, vault.NewStore()).Detect(msContext(t), digestTarget(f, "/digest/wms", marker), vault.Credential{Username: user, Password: "wrong-" + pass}, "")
	if res.Outcome != vault.OutcomeRejected || res.Requests > 2 {
		t.Errorf("Detect(recorded, wrong) = %v after %d requests, want rejected after at most 2", res.Outcome, res.Requests)
	}
	checkNoSecret(t, res, vault.Credential{Username: user, Password: "wrong-" + pass})
}

// TestDigestTransport: tiles through the authenticating client with the
// recorded Digest method; a wrong password sent by 10 concurrent requests
// reaches Apache once.
func TestDigestTransport(t *testing.T) {
	f := requireDigest(t)
	user, pass := f.Env["DIGEST_USER"], f.Env["DIGEST_PASSWORD"]
	src, _ := vault.SourceOf(f.URL + "/digest/wms")
	kv := vault.NewKeyVault()
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodDigest})

	get := func(c *http.Client, marker string) (int, error) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, f.URL+"/digest/wms?"+probeQuery+"&"+marker, nil)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	run := func(c *http.Client, marker string, n int) (ok, failed int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				code, err := get(c, marker)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && code == http.StatusOK {
					ok++
				} else {
					failed++
				}
			})
		}
		wg.Wait()
		return ok, failed
	}

	st := vault.NewStore()
	st.Set(src, vault.Credential{Username: user, Password: pass})
	marker := vaulttest.NewMarker(t)
	if ok, failed := run(vault.NewClient(st, kv, vault.TransportOptions{}), marker, 10); ok != 10 {
		t.Fatalf("10 GetMaps with the right password: %d ok, %d failed", ok, failed)
	}
	if st.Status(src) != vault.StatusVerified {
		t.Errorf("status = %v, want verified", st.Status(src))
	}
	lines := f.LogLines(t, "access.log", marker, 11)
	challenges := 0
	for _, l := range lines {
		if strings.Contains(l, " 401 ") {
			challenges++
		}
	}
	if challenges > 1 {
		t.Errorf("%d challenges for 10 requests, want 1 (the nonce is reused with a growing count):\n%s", challenges, strings.Join(lines, "\n"))
	}

	mismatches := f.CountLog(t, "error.log", "password mismatch")
	st2 := vault.NewStore()
	st2.Set(src, vault.Credential{Username: user, Password: "wrong-" + pass})
	if ok, _ := run(vault.NewClient(st2, kv, vault.TransportOptions{}), vaulttest.NewMarker(t), 10); ok != 0 {
		t.Errorf("%d GetMaps succeeded with a wrong password", ok)
	}
	if st2.Status(src) != vault.StatusRejected {
		t.Errorf("status = %v, want rejected", st2.Status(src))
	}
	f.LogLines(t, "error.log", "password mismatch", mismatches+1)
	if got := f.CountLog(t, "error.log", "password mismatch") - mismatches; got != 1 {
		t.Errorf("10 concurrent requests sent a wrong password %d times, want 1 (lockout)", got)
	}
}

// TestDigestNegotiateUnsupported: a server that only offers Negotiate/NTLM
// gets a clear "not supported", and no password in any form.
func TestDigestNegotiateUnsupported(t *testing.T) {
	f := requireDigest(t)
	marker := vaulttest.NewMarker(t)
	res, err := msDetector(1, nil, nil).Detect(msContext(t), digestTarget(f, "/negotiate/wms", marker), vault.Credential{Username: "ann", Password: "pw-never-sent"}, "")
	if err != nil || res.Outcome != vault.OutcomeUndecided || !strings.Contains(res.Reason, "not support") {
		t.Errorf("Detect = %v (%s) %v, want undecided, not supported", res.Outcome, res.Reason, err)
	}
	lines := f.LogLines(t, "access.log", marker, res.Requests)
	if len(lines) != 1 {
		t.Errorf("%d requests reached /negotiate/wms, want the bare probe only", len(lines))
	}
	for _, l := range lines {
		if !strings.Contains(l, "auth=-") {
			t.Errorf("a request to /negotiate/wms carried an Authorization header: %s", l)
		}
	}
}

package vault_test

// Integration tests against the real nginx of .ci/mtls, which requires TLS
// client certificates in front of the CI MapServer. Run them with
//
//	bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"
//	bash .ci/mtls/server.sh up && eval "$(bash .ci/mtls/server.sh env)"
//	SSL_CERT_FILE=$MTLS_CA go test -count=1 -run ClientCert -v ./vault/
//
// Without MAPVAULT_MTLS_URL they skip. Every request carries its own marker
// parameter, so the counts read from nginx's access log are the test's own.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// mtlsEnv is what `.ci/mtls/server.sh env` exports.
type mtlsEnv struct {
	URL, OptionalURL, Dir, CA                   string
	Cert, Key, KeyEnc, KeyEncLegacy             string
	P12, P12Legacy, OtherCert, OtherKey, Passwd string
	log                                         *vaulttest.MapServer // reads Dir/logs/access.log
}

func requireMTLS(t *testing.T) *mtlsEnv {
	t.Helper()
	e := &mtlsEnv{
		URL:          strings.TrimRight(os.Getenv("MAPVAULT_MTLS_URL"), "/"),
		OptionalURL:  strings.TrimRight(os.Getenv("MAPVAULT_MTLS_OPTIONAL_URL"), "/"),
		Dir:          os.Getenv("MAPVAULT_MTLS_DIR"),
		CA:           os.Getenv("MTLS_CA"),
		Cert:         os.Getenv("MTLS_CLIENT_CERT"),
		Key:          os.Getenv("MTLS_CLIENT_KEY"),
		KeyEnc:       os.Getenv("MTLS_CLIENT_KEY_ENC"),
		KeyEncLegacy: os.Getenv("MTLS_CLIENT_KEY_ENC_LEGACY"),
		P12:          os.Getenv("MTLS_CLIENT_P12"),
		P12Legacy:    os.Getenv("MTLS_CLIENT_P12_LEGACY"),
		OtherCert:    os.Getenv("MTLS_OTHER_CERT"),
		OtherKey:     os.Getenv("MTLS_OTHER_KEY"),
		Passwd:       os.Getenv("MTLS_P12_PASSWORD"),
	}
	if e.URL == "" {
		t.Skip(`client-certificate integration test: MAPVAULT_MTLS_URL is unset; run .ci/mtls/server.sh up and eval "$(.ci/mtls/server.sh env)"`)
	}
	for name, v := range map[string]string{
		"MAPVAULT_MTLS_OPTIONAL_URL": e.OptionalURL, "MAPVAULT_MTLS_DIR": e.Dir, "MTLS_CA": e.CA,
		"MTLS_CLIENT_CERT": e.Cert, "MTLS_CLIENT_KEY": e.Key, "MTLS_CLIENT_KEY_ENC": e.KeyEnc,
		"MTLS_CLIENT_KEY_ENC_LEGACY": e.KeyEncLegacy, "MTLS_CLIENT_P12": e.P12, "MTLS_CLIENT_P12_LEGACY": e.P12Legacy,
		"MTLS_OTHER_CERT": e.OtherCert, "MTLS_OTHER_KEY": e.OtherKey, "MTLS_P12_PASSWORD": e.Passwd,
	} {
		if v == "" {
			t.Fatalf(`MAPVAULT_MTLS_URL is set but %s is not: eval "$(bash .ci/mtls/server.sh env)"`, name)
		}
	}
	if os.Getenv("SSL_CERT_FILE") != e.CA {
		t.Fatalf("run with SSL_CERT_FILE=$MTLS_CA (%s): mapvault trusts the system roots only", e.CA)
	}
	// The access log has the MapServer "timed" format's request line and
	// status, which vaulttest reads.
	e.log = &vaulttest.MapServer{Dir: e.Dir}
	return e
}

// target is the WMS of base (the "on" or the "optional" port), tagged
// with marker: a tiny GetMap, or GetCapabilities.
func (e *mtlsEnv) target(base, marker string, capabilities bool) vault.Target {
	if capabilities {
		return vault.Target{URL: base + "/mtls/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0&" + marker, Expect: vault.ExpectXML}
	}
	return vault.Target{URL: base + "/mtls/wms?" + probeQuery + "&" + marker, Expect: vault.ExpectImage}
}

func (e *mtlsEnv) load(t *testing.T, cert, key, password string) vault.Credential {
	t.Helper()
	c, err := vault.LoadClientCertificate(cert, key, []byte(password))
	if err != nil {
		t.Fatalf("LoadClientCertificate(%s, %q): %v", cert, key, err)
	}
	return vault.Credential{Certificate: c}
}

// logged waits for want access-log lines with marker and returns them with
// their verify= field ("SUCCESS", "NONE", "FAILED:...").
func (e *mtlsEnv) logged(t *testing.T, marker string, want int) ([]vaulttest.LogEntry, []string) {
	t.Helper()
	lines := e.log.WaitAccessLog(t, marker, want)
	verify := make([]string, len(lines))
	for i, l := range lines {
		if _, rest, ok := strings.Cut(l.Raw, `verify="`); ok {
			verify[i], _, _ = strings.Cut(rest, `"`)
		}
	}
	return lines, verify
}

// mtlsLogs collects every log line of the tests, for the canary check.
type mtlsLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *mtlsLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *mtlsLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *mtlsLogs) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// checkNoPassword fails when the PKCS#12 password shows in text.
func (e *mtlsEnv) checkNoPassword(t *testing.T, where, text string) {
	t.Helper()
	if strings.Contains(text, e.Passwd) {
		t.Errorf("%s contains the certificate password: %s", where, strings.ReplaceAll(text, e.Passwd, "PASSWORD"))
	}
}

func TestClientCertIntegrationDetect(t *testing.T) {
	e := requireMTLS(t)
	var logs mtlsLogs
	var texts []string
	detect := func(t *testing.T, base string, c vault.Credential, capabilities bool, wantOutcome vault.Outcome, wantMethod vault.Method, wantRequests int) ([]vaulttest.LogEntry, []string) {
		t.Helper()
		marker := vaulttest.NewMarker(t)
		d := msDetector(0, vault.NewKeyVault(), vault.NewStore())
		d.Logger = logs.logger()
		res, err := d.Detect(msContext(t), e.target(base, marker, capabilities), c, "")
		texts = append(texts, fmt.Sprintf("%+v %v", res, err))
		if err != nil {
			t.Fatalf("Detect: %v", err)
		}
		if res.Outcome != wantOutcome || res.Entry.Method != wantMethod {
			t.Errorf("Detect = %v with %q (%s), want %v with %q", res.Outcome, res.Entry.Method, res.Reason, wantOutcome, wantMethod)
		}
		if res.Requests != wantRequests {
			t.Errorf("Detect sent %d requests, want %d", res.Requests, wantRequests)
		}
		lines, verify := e.logged(t, marker, res.Requests)
		if len(lines) != res.Requests {
			t.Errorf("nginx logged %d requests, Result.Requests = %d", len(lines), res.Requests)
		}
		var statuses []int
		for _, l := range lines {
			statuses = append(statuses, l.Status)
		}
		t.Logf("%v after %d requests seen by nginx: status %v, verify %q (%s)", res.Outcome, len(lines), statuses, verify, res.Reason)
		return lines, verify
	}

	t.Run("no certificate", func(t *testing.T) {
		lines, verify := detect(t, e.URL, vault.Credential{}, true, vault.OutcomeRejected, vault.MethodClientCert, 1)
		if len(lines) == 1 && (lines[0].Status != http.StatusBadRequest || verify[0] != "NONE") {
			t.Errorf("nginx answered %d verify=%q, want 400 NONE", lines[0].Status, verify[0])
		}
	})
	good := []struct{ name, cert, key, password string }{
		{"PKCS#12 AES-256", e.P12, "", e.Passwd},
		{"PKCS#12 legacy 3DES", e.P12Legacy, "", e.Passwd},
		{"PEM, PKCS#8 key", e.Cert, e.Key, ""},
		{"PEM, legacy encrypted key", e.Cert, e.KeyEncLegacy, e.Passwd},
	}
	for _, g := range good {
		t.Run(g.name, func(t *testing.T) {
			c := e.load(t, g.cert, g.key, g.password)
			lines, verify := detect(t, e.URL, c, false, vault.OutcomeFound, vault.MethodClientCert, 2)
			if len(lines) == 2 && (lines[1].Status != http.StatusOK || verify[1] != "SUCCESS") {
				t.Errorf("nginx answered the certificate %d verify=%q, want 200 SUCCESS", lines[1].Status, verify[1])
			}
		})
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		c := e.load(t, e.OtherCert, e.OtherKey, "")
		lines, verify := detect(t, e.URL, c, false, vault.OutcomeRejected, vault.MethodClientCert, 2)
		if len(lines) == 2 && (lines[1].Status != http.StatusBadRequest || !strings.HasPrefix(verify[1], "FAILED")) {
			t.Errorf("nginx answered the untrusted certificate %d verify=%q, want 400 FAILED", lines[1].Status, verify[1])
		}
	})
	t.Run("optional port", func(t *testing.T) {
		// 403 without a certificate: nothing says which credential.
		detect(t, e.OptionalURL, vault.Credential{}, false, vault.OutcomeRejected, "", 1)
		c := e.load(t, e.P12, "", e.Passwd)
		lines, verify := detect(t, e.OptionalURL, c, false, vault.OutcomeFound, vault.MethodClientCert, 2)
		if len(lines) == 2 && (lines[0].Status != http.StatusForbidden || lines[1].Status != http.StatusOK || verify[1] != "SUCCESS") {
			t.Errorf("nginx answered %d then %d verify=%q, want 403 then 200 SUCCESS", lines[0].Status, lines[1].Status, verify[1])
		}
	})
	t.Run("loading errors", func(t *testing.T) {
		for _, tc := range []struct {
			name, cert, key, password string
			want                      error
		}{
			{"PKCS#12 wrong password", e.P12, "", e.Passwd + "-wrong", vault.ErrCertPassword},
			{"PKCS#12 legacy wrong password", e.P12Legacy, "", "wrong", vault.ErrCertPassword},
			{"legacy key wrong password", e.Cert, e.KeyEncLegacy, "wrong-" + e.Passwd, vault.ErrCertPassword},
			{"encrypted PKCS#8 key", e.Cert, e.KeyEnc, e.Passwd, vault.ErrBadCertificate},
			{"key of another certificate", e.Cert, e.OtherKey, "", vault.ErrBadCertificate},
		} {
			_, err := vault.LoadClientCertificate(tc.cert, tc.key, []byte(tc.password))
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
			}
			if err != nil {
				texts = append(texts, err.Error())
				t.Logf("%s: %v", tc.name, err)
			}
		}
	})
	e.checkNoPassword(t, "log", logs.String())
	for _, s := range texts {
		e.checkNoPassword(t, "result or error", s)
	}
}

func TestClientCertIntegrationTransport(t *testing.T) {
	e := requireMTLS(t)
	var logs mtlsLogs
	src, err := vault.SourceOf(e.URL + "/mtls/wms")
	if err != nil {
		t.Fatal(err)
	}
	get := func(ctx context.Context, client *http.Client, marker string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(vault.WithSource(ctx, src), http.MethodGet, e.URL+"/mtls/wms?"+probeQuery+"&"+marker, nil)
		if err != nil {
			return nil, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		var body bytes.Buffer
		_, err = body.ReadFrom(resp.Body)
		return resp, body.Bytes(), err
	}

	t.Run("fetches a GetMap", func(t *testing.T) {
		kv, store := vault.NewKeyVault(), vault.NewStore()
		d := msDetector(0, kv, store)
		d.Logger = logs.logger()
		c := e.load(t, e.P12, "", e.Passwd)
		res, err := d.Detect(msContext(t), e.target(e.URL, vaulttest.NewMarker(t), false), c, "")
		if err != nil || res.Outcome != vault.OutcomeFound {
			t.Fatalf("Detect = %v (%s), %v; want found", res.Outcome, res.Reason, err)
		}
		client := vault.NewClient(store, kv, vault.TransportOptions{Logger: logs.logger(), RequestTimeout: 15 * time.Second})
		marker := vaulttest.NewMarker(t)
		resp, body, err := get(msContext(t), client, marker)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("GET = %d %q, %d bytes; want 200 image/png", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		lines, verify := e.logged(t, marker, 1)
		if len(lines) != 1 || verify[0] != "SUCCESS" {
			t.Errorf("nginx logged %d requests, verify %q; want 1, SUCCESS", len(lines), verify)
		}
	})

	t.Run("refused certificate: lockout", func(t *testing.T) {
		kv, store := vault.NewKeyVault(), vault.NewStore()
		kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodClientCert})
		store.Set(src, e.load(t, e.OtherCert, e.OtherKey, ""))
		client := vault.NewClient(store, kv, vault.TransportOptions{Logger: logs.logger(), RequestTimeout: 15 * time.Second})
		marker := vaulttest.NewMarker(t)
		const n = 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		var rejected, answered int
		for range n {
			wg.Go(func() {
				resp, _, err := get(msContext(t), client, marker)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, vault.ErrRejected):
					rejected++
				case err == nil && resp.StatusCode == http.StatusBadRequest:
					answered++
				default:
					t.Errorf("GET = %v, %v; want nginx's 400 or ErrRejected", resp, err)
				}
				if err != nil {
					e.checkNoPassword(t, "transport error", err.Error())
				}
			})
		}
		wg.Wait()
		lines, verify := e.logged(t, marker, 1)
		t.Logf("%d concurrent requests with a refused certificate: nginx saw %d (verify %q); %d got its 400, %d ErrRejected",
			n, len(lines), verify, answered, rejected)
		if len(lines) < 1 || len(lines) > 3 {
			t.Errorf("nginx saw %d requests with the refused certificate, want 1 to 3", len(lines))
		}
		if got := store.Status(src); got != vault.StatusRejected {
			t.Errorf("status = %v, want rejected", got)
		}
	})
	e.checkNoPassword(t, "log", logs.String())
	if !strings.Contains(logs.String(), "credential rejected") {
		t.Errorf("no rejection logged: the log check cannot fail")
	}
}

package vault

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/vault/vaulttest"
)

const canary = "CANARY-7f3e9a1b-SECRET-d41d8cd9"

// syncBuffer is a bytes.Buffer safe for the concurrent writes of parallel
// probes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// canaryForms are the ways the canary could show up: raw, escaped, and
// inside a Basic header.
func canaryForms() []string {
	return append(CredentialSecrets(Credential{Username: "ann", Password: canary}),
		canary, url.QueryEscape(canary), "7f3e9a1b-SECRET")
}

// TestCanary runs detection and the transport through every scheme and
// failure with a secret canary, then searches every log line, every file
// written, every error string and every Result for it.
func TestCanary(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	kv := NewKeyVault()
	store := NewStore()
	var texts []string // error strings and printed results
	record := func(what string, v any, err error) {
		texts = append(texts, fmt.Sprintf("%s: %+v %#v", what, v, v))
		if err != nil {
			texts = append(texts, what+": "+err.Error(), fmt.Sprintf("%+v %#v", err, err))
		}
	}

	keyCred := Credential{Key: canary}
	basicCred := Credential{Username: "ann", Password: canary}
	other := vaulttest.NewServer(t, vaulttest.PNG())
	type scenario struct {
		name    string
		handler http.Handler
		cred    Credential
	}
	var scenarios []scenario
	for _, c := range CandidateOrder("sig") {
		g := vaulttest.Guard{Key: canary}
		if c.Method == MethodQuery {
			g.Query = c.Param
		} else {
			g.Header = c.Param
		}
		scenarios = append(scenarios, scenario{"accepts " + c.String(), vaulttest.Protect(g, vaulttest.PNG(), nil), keyCred})
	}
	scenarios = append(scenarios,
		scenario{"basic", vaulttest.Protect(vaulttest.Guard{Basic: true, User: "ann", Password: canary}, vaulttest.PNG(), nil), basicCred},
		scenario{"digest", canaryDigest(canary), basicCred},
		scenario{"digest rejected", canaryDigest("not-the-canary"), basicCred},
		scenario{"negotiate only", challengeStatus(401, "Negotiate", "NTLM"), basicCred},
		scenario{"bearer challenge", challengeStatus(401, `Bearer realm="x"`), keyCred},
		scenario{"basic rejected", vaulttest.Status(401), basicCred},
		scenario{"key rejected 403", vaulttest.Status(403), keyCred},
		scenario{"key rejected service exception", vaulttest.ServiceException("image/png"), keyCred},
		scenario{"key rejected login page", vaulttest.LoginPage(), keyCred},
		scenario{"undecided 500", vaulttest.Status(500), keyCred},
		scenario{"undecided slow", vaulttest.Sleep(2*time.Second, vaulttest.PNG()), basicCred},
		scenario{"undecided huge", vaulttest.Huge(2<<20, false), basicCred},
		scenario{"redirect echoing key", vaulttest.Redirect(other.URL+"/x", true), keyCred},
		scenario{"no auth", vaulttest.PNG(), keyCred},
	)

	for _, sc := range scenarios {
		srv := vaulttest.NewServer(t, sc.handler)
		d := &Detector{
			Client:        &http.Client{Timeout: 300 * time.Millisecond},
			KeyVault:      kv,
			Store:         store,
			Parallel:      4,
			Logger:        logger,
			MaxProbeBytes: 1 << 20,
		}
		target := Target{URL: srv.URL + "/wms?SERVICE=WMS&REQUEST=GetMap", Expect: ExpectImage}
		res, err := d.Detect(context.Background(), target, sc.cred, "sig")
		record(sc.name, res, err)

		// The same source through the authenticating transport.
		src := mustSource(t, srv.URL+"/wms")
		store.Set(src, sc.cred)
		if _, ok := kv.Get(src); !ok {
			kv.Set(src, Entry{AuthRequired: true, Method: MethodQuery, Param: "sig"})
		}
		client := NewClient(store, kv, TransportOptions{Logger: logger, RequestTimeout: 300 * time.Millisecond, MaxBodyBytes: 1 << 20})
		for range 2 { // the second one meets a rejected credential
			req, _ := http.NewRequestWithContext(WithSource(context.Background(), src), http.MethodGet, target.URL, nil)
			resp, err := client.Do(req)
			if resp != nil {
				_, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				record(sc.name+" transport body", resp.Request.URL.String(), rerr)
			}
			record(sc.name+" transport", nil, err)
		}
	}
	if other.Saw(canary) {
		t.Errorf("the other origin saw the canary")
	}
	if err := kv.Save(filepath.Join(dir, "project.keyvault.json")); err != nil {
		t.Fatalf("Save: %v", err)
	}

	var files int
	err := filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		checkCanary(t, "file "+filepath.Base(path), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no file written: the file check cannot fail")
	}
	if !strings.Contains(logs.String(), "vault: probe") {
		t.Fatal("no probe logged: the log check cannot fail")
	}
	checkCanary(t, "log", logs.String())
	for _, s := range texts {
		checkCanary(t, "result or error", s)
	}
}

func checkCanary(t *testing.T, where, text string) {
	t.Helper()
	for _, f := range canaryForms() {
		if i := strings.Index(text, f); i >= 0 {
			lo, hi := max(0, i-120), min(len(text), i+len(f)+40)
			t.Errorf("%s contains the canary (%q): ...%s...", where, f, text[lo:hi])
		}
	}
}

// canaryDigest is a Digest (SHA-256) server for user "ann" with password.
func canaryDigest(password string) http.Handler {
	s := &digestServer{algorithm: "SHA-256", user: "ann", pass: password, nonce: "n-c", retired: map[string]bool{}}
	return http.HandlerFunc(s.serve)
}

// challengeStatus answers code with the given WWW-Authenticate challenges.
func challengeStatus(code int, challenges ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
		w.WriteHeader(code)
	})
}

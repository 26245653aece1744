package main

// Integration tests of the CLI contract against the real authenticating
// fronts of .ci/ (Apache Digest, nginx client certificates); see
// .ci/test for how they are started. Without their variables the tests
// skip (they fail under CI=true).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/vault"
)

// front returns the value of each variable, skipping (failing under
// CI=true) when the first is unset.
func front(t *testing.T, name string, vars ...string) []string {
	t.Helper()
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = os.Getenv(v)
		if out[i] == "" {
			if i == 0 && os.Getenv("CI") != "true" {
				t.Skipf("%s front not running (%s unset): see .ci/%s/README.md", name, v, name)
			}
			t.Fatalf("%s is unset: start .ci/%s/server.sh and eval its env", v, name)
		}
	}
	return out
}

// noSecretIn fails when secret shows in the run's output or in any file
// under dir.
func noSecretIn(t *testing.T, r result, dir, secret string) {
	t.Helper()
	if strings.Contains(r.all(), secret) {
		t.Errorf("output shows the secret:\n%s", r.all())
	}
	for _, f := range dirFiles(t, dir) {
		if strings.Contains(string(readFile(t, filepath.Join(dir, f))), secret) {
			t.Errorf("%s holds the secret", f)
		}
	}
}

func TestFrontDigest(t *testing.T) {
	v := front(t, "digest", "MAPVAULT_DIGEST_URL", "DIGEST_USER", "DIGEST_PASSWORD")
	url, user, pass := v[0]+"/digest/wms", v[1], v[2]
	dir := t.TempDir()

	r := cli(t, call{args: []string{"probe", url, "--user", user, "--json"}, stdin: pass + "\n"})
	wantCode(t, r, exitOK, "probe digest")
	if rep := probeJSON(t, r.out); rep.Method != "digest" || rep.Outcome != "found" {
		t.Errorf("probe = %+v, want digest found", rep)
	}
	r = cli(t, call{args: []string{"probe", url, "--user", user, "--json"}, stdin: "wrong-" + pass + "\n"})
	wantCode(t, r, exitRejected, "probe digest, wrong password")

	path := filepath.Join(dir, "d.mapvault.json")
	r = cli(t, call{args: []string{"add", path, url, "--user", user, "--layers", "land"}, env: map[string]string{"MAPVAULT_SECRET": pass}})
	wantCode(t, r, exitOK, "add digest")
	kv, err := vault.LoadKeyVault(vault.SidecarPath(path))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := vault.SourceOf(url)
	if e, _ := kv.Get(src); e.Method != vault.MethodDigest {
		t.Errorf("KeyVault records %+v, want digest", e)
	}
	out := filepath.Join(dir, "d.png")
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "256x256", "--no-keychain", "--user", user}, stdin: pass + "\n"})
	wantCode(t, r, exitOK, "render digest")
	if opaquePixels(t, out, 256, 256) == 0 {
		t.Errorf("the Digest-protected render is empty")
	}
	noSecretIn(t, r, dir, pass)
}

func TestFrontClientCertificate(t *testing.T) {
	v := front(t, "mtls", "MAPVAULT_MTLS_URL", "MTLS_CLIENT_P12", "MTLS_P12_PASSWORD", "MTLS_CLIENT_CERT", "MTLS_CLIENT_KEY", "MTLS_OTHER_CERT", "MTLS_OTHER_KEY")
	url, p12, pass, pem, key, otherPEM, otherKey := v[0]+"/mtls/wms", v[1], v[2], v[3], v[4], v[5], v[6]
	dir := t.TempDir()

	// No certificate: the server says it wants one.
	r := runArgs(t, "probe", url, "--json")
	wantCode(t, r, exitRejected, "probe without a certificate")
	if rep := probeJSON(t, r.out); rep.Method != "client-cert" {
		t.Errorf("probe without a certificate = %+v, want method client-cert", rep)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"pkcs12", []string{"--cert", p12}, pass + "\n"},
		{"pem", []string{"--cert", pem, "--key", key}, ""},
	} {
		r := cli(t, call{args: append([]string{"probe", url, "--json"}, tc.args...), stdin: tc.stdin})
		wantCode(t, r, exitOK, "probe "+tc.name)
		if rep := probeJSON(t, r.out); rep.Method != "client-cert" || rep.Outcome != "found" {
			t.Errorf("probe %s = %+v, want client-cert found", tc.name, rep)
		}
	}
	r = runArgs(t, "probe", url, "--json", "--cert", otherPEM, "--key", otherKey)
	wantCode(t, r, exitRejected, "probe with an untrusted certificate")
	r = cli(t, call{args: []string{"probe", url, "--cert", p12}, stdin: "wrong-" + pass + "\n"})
	wantCode(t, r, exitUsage, "probe with a wrong PKCS#12 password")

	path := filepath.Join(dir, "c.mapvault.json")
	r = cli(t, call{args: []string{"add", path, url, "--cert", p12, "--layers", "land"}, stdin: pass + "\n"})
	wantCode(t, r, exitOK, "add with a certificate")
	kvData := string(readFile(t, vault.SidecarPath(path)))
	if !strings.Contains(kvData, `"client-cert"`) || strings.Contains(kvData, filepath.Base(p12)) {
		t.Errorf("KeyVault should record client-cert and not the file:\n%s", kvData)
	}
	out := filepath.Join(dir, "c.png")
	r = runArgs(t, "render", path, "-o", out, "--size", "256x256", "--no-keychain")
	wantCode(t, r, exitBlocked, "render without the certificate")
	if !strings.Contains(r.err, "client certificate") {
		t.Errorf("render without a certificate should say it needs one:\n%s", r.err)
	}
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "256x256", "--no-keychain", "--cert", p12}, stdin: pass + "\n"})
	wantCode(t, r, exitOK, "render with the certificate")
	if opaquePixels(t, out, 256, 256) == 0 {
		t.Errorf("the certificate-protected render is empty")
	}
	noSecretIn(t, r, dir, pass)
}

func TestFrontOAuth2(t *testing.T) {
	v := front(t, "oauth", "MAPVAULT_OAUTH_WMS", "MAPVAULT_OAUTH_ISSUER", "MAPVAULT_OAUTH_BROWSER", "OAUTH_CLIENT_SECRET", "MAPVAULT_OAUTH_DIR")
	url, issuer, browserCmd, clientSecret := v[0], v[1], v[2], v[3]
	dir := t.TempDir()
	withBrowser := map[string]string{"BROWSER": browserCmd}

	// No secret: the resource says where to sign in; exit 0.
	r := runArgs(t, "probe", url, "--json")
	wantCode(t, r, exitOK, "probe an OAuth2 resource without a secret")
	if rep := probeJSON(t, r.out); rep.Method != "oauth2" || rep.Issuer != issuer || rep.ClientID != "mapvault" {
		t.Errorf("probe = %+v, want oauth2 at %s for client mapvault", rep, issuer)
	}

	// add: the browser sign-in ($BROWSER), then the layer is added.
	path := filepath.Join(dir, "o.mapvault.json")
	r = cli(t, call{args: []string{"add", path, url, "--layers", "land"}, env: withBrowser})
	wantCode(t, r, exitOK, "add with a browser sign-in")
	kvData := string(readFile(t, vault.SidecarPath(path)))
	if !strings.Contains(kvData, `"oauth2"`) || !strings.Contains(kvData, issuer) {
		t.Errorf("KeyVault should record oauth2 and the issuer:\n%s", kvData)
	}

	// render: signs in again (tokens live only in the session).
	out := filepath.Join(dir, "o.png")
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "256x256", "--no-keychain"}, env: withBrowser})
	wantCode(t, r, exitOK, "render with a browser sign-in")
	if opaquePixels(t, out, 256, 256) == 0 {
		t.Errorf("the OAuth2-protected render is empty")
	}
	// Without a browser the layer stays blocked, and render says so.
	r = cli(t, call{args: []string{"render", path, "-o", out, "--size", "64x64", "--no-keychain"}, env: map[string]string{"BROWSER": "/bin/false"}})
	wantCode(t, r, exitBlocked, "render when the sign-in fails")
	if !strings.Contains(r.err, "sign") {
		t.Errorf("stderr should say the source needs a sign-in:\n%s", r.err)
	}

	// A script: the client-credentials grant with the secret on stdin.
	r = cli(t, call{args: []string{"probe", url, "--client-id", "mapvault-script", "--json"}, stdin: clientSecret + "\n"})
	wantCode(t, r, exitOK, "probe with a client secret")
	if rep := probeJSON(t, r.out); rep.Method != "oauth2" || rep.Outcome != "found" {
		t.Errorf("probe with a client secret = %+v, want oauth2 found", rep)
	}
	r = cli(t, call{args: []string{"probe", url, "--client-id", "mapvault-script", "--json"}, stdin: "wrong-" + clientSecret + "\n"})
	wantCode(t, r, exitRejected, "probe with a wrong client secret")
	noSecretIn(t, r, dir, clientSecret)
}

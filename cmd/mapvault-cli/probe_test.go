package main

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/vault/vaulttest"
)

// probeJSON decodes probe --json output, checking the documented field set:
// {"source","method","param","header","requests"} plus "outcome" (and
// "reason", "token_url", "issuer", "client_id" when they have a value).
func probeJSON(t *testing.T, out string) probeReport {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &fields); err != nil {
		t.Fatalf("probe --json output is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"source", "method", "param", "header", "requests", "outcome"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("probe --json lacks field %q: %s", k, out)
		}
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "source", "method", "param", "header", "requests", "outcome", "reason",
			"token_url", "issuer", "client_id": // token, oauth2 (omitted when empty)
		default:
			t.Errorf("probe --json has undocumented field %q: %s", k, out)
		}
	}
	var rep probeReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("probe --json: %v", err)
	}
	return rep
}

func TestProbeDemo(t *testing.T) {
	base := demoServer(t)
	cases := []struct {
		name     string
		path     string
		args     []string
		stdin    string
		env      map[string]string
		code     int
		method   string
		param    string
		outcome  string
		requests [2]int // inclusive range
	}{
		{name: "public", path: demo.PublicPath, code: exitOK, method: "none", outcome: "no authentication needed", requests: [2]int{1, 1}},
		{name: "public with a key", path: demo.PublicPath, stdin: "whatever-key\n", code: exitOK, method: "none", outcome: "no authentication needed", requests: [2]int{1, 1}},
		{name: "basic via env", path: demo.BasicPath, args: []string{"--user", demo.BasicUser},
			env: map[string]string{"MAPVAULT_SECRET": demo.BasicPassword}, code: exitOK, method: "basic", outcome: "found", requests: [2]int{2, 2}},
		{name: "basic via stdin", path: demo.BasicPath, args: []string{"--user", demo.BasicUser},
			stdin: demo.BasicPassword + "\r\nignored second line\n", code: exitOK, method: "basic", outcome: "found", requests: [2]int{2, 2}},
		{name: "basic wrong password", path: demo.BasicPath, args: []string{"--user", demo.BasicUser},
			stdin: "not-the-password\n", code: exitRejected, method: "none", outcome: "rejected", requests: [2]int{2, 2}},
		{name: "key via stdin", path: demo.KeyPath, stdin: demo.AccessKey + "\n", code: exitOK, method: "query", param: "authkey", outcome: "found", requests: [2]int{2, 15}},
		{name: "key via env", path: demo.KeyPath, env: map[string]string{"MAPVAULT_SECRET": demo.AccessKey}, code: exitOK, method: "query", param: "authkey", outcome: "found", requests: [2]int{2, 15}},
		{name: "key with custom param", path: demo.KeyPath, args: []string{"--param", "authkey"}, stdin: demo.AccessKey, code: exitOK, method: "query", param: "authkey", outcome: "found", requests: [2]int{2, 2}},
		{name: "wrong key", path: demo.KeyPath, stdin: "wrong-key-0000\n", code: exitRejected, method: "none", outcome: "rejected", requests: [2]int{15, 15}},
		{name: "protected, no secret", path: demo.KeyPath, code: exitRejected, method: "none", outcome: "rejected", requests: [2]int{1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"probe", base + tc.path, "--json"}, tc.args...)
			r := cli(t, call{args: args, stdin: tc.stdin, env: tc.env})
			wantCode(t, r, tc.code, "probe "+tc.name)
			rep := probeJSON(t, r.out)
			if !strings.HasSuffix(rep.Source, tc.path) || !strings.HasPrefix(rep.Source, "http://127.0.0.1:") {
				t.Errorf("source = %q, want the canonical source of %s", rep.Source, base+tc.path)
			}
			if rep.Method != tc.method || rep.Param != tc.param || rep.Header != "" {
				t.Errorf("method, param, header = %q, %q, %q; want %q, %q, \"\"", rep.Method, rep.Param, rep.Header, tc.method, tc.param)
			}
			if rep.Outcome != tc.outcome {
				t.Errorf("outcome = %q, want %q", rep.Outcome, tc.outcome)
			}
			if rep.Requests < tc.requests[0] || rep.Requests > tc.requests[1] {
				t.Errorf("requests = %d, want %d..%d", rep.Requests, tc.requests[0], tc.requests[1])
			}
		})
	}
}

func TestProbeText(t *testing.T) {
	base := demoServer(t)
	r := cli(t, call{args: []string{"probe", base + demo.KeyPath}, stdin: demo.AccessKey})
	wantCode(t, r, exitOK, "probe (text)")
	for _, want := range []string{"outcome:  found", "method:   query", "param:    authkey", "requests: "} {
		if !strings.Contains(r.out, want) {
			t.Errorf("probe output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.all(), demo.AccessKey) {
		t.Errorf("probe output contains the key:\n%s", r.all())
	}
}

// TestProbeHeader uses a header-protected double: Bearer and X-API-Key.
func TestProbeHeader(t *testing.T) {
	const key = "hdr-key-5e1a77c2b9"
	for _, header := range []string{"Authorization", "X-API-Key"} {
		t.Run(header, func(t *testing.T) {
			s := vaulttest.NewProtected(t, vaulttest.Guard{Header: header, Key: key}, wmsDouble(), nil)
			r := cli(t, call{args: []string{"probe", s.URL + "/wms", "--json"}, stdin: key})
			wantCode(t, r, exitOK, "probe header "+header)
			rep := probeJSON(t, r.out)
			if rep.Method != "header" || rep.Header != header || rep.Param != header {
				t.Errorf("method, header, param = %q, %q, %q; want header, %q, %q", rep.Method, rep.Header, rep.Param, header, header)
			}
		})
	}
}

// wmsDouble answers GetCapabilities with a tiny document and anything else
// with a PNG.
func wmsDouble() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range r.URL.Query() {
			if strings.EqualFold(k, "request") && len(v) > 0 && strings.EqualFold(v[0], "GetCapabilities") {
				vaulttest.Capabilities().ServeHTTP(w, r)
				return
			}
		}
		vaulttest.PNG().ServeHTTP(w, r)
	})
}

func TestProbeUndecided(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			base := statusServer(t, status)
			r := cli(t, call{args: []string{"probe", base + "/wms", "--json"}, stdin: "some-key-123456\n"})
			wantCode(t, r, exitUndecided, "probe of a failing server")
			if !strings.Contains(r.all(), "could not decide") {
				t.Errorf("output = %q, want it to say it could not decide", r.all())
			}
			if r.out != "" {
				if rep := probeJSON(t, r.out); rep.Outcome != "undecided" || rep.Method != "none" {
					t.Errorf("outcome, method = %q, %q; want undecided, none", rep.Outcome, rep.Method)
				}
			}
			if strings.Contains(r.all(), "some-key-123456") {
				t.Errorf("output contains the key:\n%s", r.all())
			}
		})
	}
	// Protected capabilities, but every candidate probe is undecided (404).
	t.Run("protected then 404", func(t *testing.T) {
		s := vaulttest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(strings.ToLower(r.URL.RawQuery), "getcapabilities") && r.URL.Query().Get("code") == "" && r.URL.Query().Get("key") == "" {
				vaulttest.Status(http.StatusUnauthorized).ServeHTTP(w, r)
				return
			}
			vaulttest.Status(http.StatusNotFound).ServeHTTP(w, r)
		}))
		r := cli(t, call{args: []string{"probe", s.URL + "/wms", "--json"}, stdin: "some-key-123456"})
		wantCode(t, r, exitUndecided, "probe with undecided candidates")
		rep := probeJSON(t, r.out)
		if rep.Outcome != "undecided" || rep.Method != "none" {
			t.Errorf("outcome, method = %q, %q; want undecided, none", rep.Outcome, rep.Method)
		}
	})
}

func TestProbeUsageErrors(t *testing.T) {
	base := demoServer(t)
	cases := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"not a URL", []string{"probe", "ftp://example.org/wms"}, ""},
		{"suspect parameter", []string{"probe", base + demo.PublicPath + "?sessid=Zx81kQ2mP0vN7tR4wY6uB3cD"}, ""},
		{"user without password", []string{"probe", base + demo.BasicPath, "--user", "demo"}, ""},
		{"unknown layer", []string{"probe", base + demo.PublicPath, "--layer", "atlantis"}, ""},
		{"URL secret and stdin secret", []string{"probe", base + demo.KeyPath + "?authkey=" + demo.AccessKey}, "another\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, call{args: tc.args, stdin: tc.stdin})
			wantCode(t, r, exitUsage, tc.name)
			if strings.Contains(r.all(), "Zx81kQ2mP0vN7tR4wY6uB3cD") || strings.Contains(r.all(), demo.AccessKey) {
				t.Errorf("output repeats a secret:\n%s", r.all())
			}
		})
	}
}

// TestProbeHiddenOrExceptionServers: a service that hides behind 404, or
// answers 200 with a ServiceException, a login page or 403/498 until the
// key comes, is still detected.
func TestProbeHiddenOrExceptionServers(t *testing.T) {
	const key = "hidden-key-8c2f41d0"
	rejects := map[string]http.Handler{
		"404":              vaulttest.Status(http.StatusNotFound),
		"403":              vaulttest.Status(http.StatusForbidden),
		"498":              vaulttest.Status(498),
		"ServiceException": vaulttest.ServiceException("application/vnd.ogc.se_xml"),
		"OWS exception":    vaulttest.OWSException("text/xml"),
		"login page":       vaulttest.LoginPage(),
	}
	for name, reject := range rejects {
		t.Run(name, func(t *testing.T) {
			s := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: key}, wmsDouble(), reject)
			r := cli(t, call{args: []string{"probe", s.URL + "/wms", "--json"}, stdin: key})
			wantCode(t, r, exitOK, "probe behind "+name)
			if rep := probeJSON(t, r.out); rep.Method != "query" || rep.Param != "authkey" {
				t.Errorf("method, param = %q, %q; want query, authkey", rep.Method, rep.Param)
			}
			r = cli(t, call{args: []string{"probe", s.URL + "/wms", "--json"}, stdin: "wrong-key-12345"})
			if r.code == exitOK {
				t.Errorf("probe with a wrong key behind %s: exit 0, want 3 or 4\n%s", name, r.all())
			}
		})
	}
}

package vaulttest

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Environment variables that `.ci/mapserver/server.sh env` exports.
const (
	EnvMapServerURL   = "MAPVAULT_MAPSERVER_URL"
	EnvMapServerOther = "MAPVAULT_MAPSERVER_OTHER"
	EnvMapServerDir   = "MAPVAULT_MAPSERVER_DIR"
	EnvBasicUser      = "MS_BASIC_USER"
	EnvBasicPassword  = "MS_BASIC_PASSWORD"
	EnvKey            = "MS_KEY"
)

// MarkerParam is the query parameter NewMarker's pairs use. MapServer ignores
// it; nginx logs it with the request line.
const MarkerParam = "mvit"

// MapServer is the real test WMS of .ci/mapserver (MapServer 8 behind nginx)
// as the environment describes it. Its logs are shared with every other
// test that uses the server at the same time, so tests count their own
// requests by a marker (NewMarker) carried in the query string.
type MapServer struct {
	URL           string // "http://127.0.0.1:PORT", no trailing slash
	Other         string // the other origin, which logs every request's credentials
	Dir           string // runtime dir; its logs/ holds access.log and other-access.log
	BasicUser     string
	BasicPassword string
	Key           string
}

// RequireMapServer returns the test WMS from the environment. Without
// MAPVAULT_MAPSERVER_URL the test is skipped, except when CI=true, where it
// fails: CI must not skip the integration tests silently. With the URL set,
// an incomplete environment or a server that does not answer
// GetCapabilities fails the test.
func RequireMapServer(t testing.TB) *MapServer {
	t.Helper()
	m := &MapServer{
		URL:           strings.TrimRight(os.Getenv(EnvMapServerURL), "/"),
		Other:         strings.TrimRight(os.Getenv(EnvMapServerOther), "/"),
		Dir:           os.Getenv(EnvMapServerDir),
		BasicUser:     os.Getenv(EnvBasicUser),
		BasicPassword: os.Getenv(EnvBasicPassword),
		Key:           os.Getenv(EnvKey),
	}
	if m.URL == "" {
		const how = `run: bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"`
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is unset: the MapServer integration tests must run in CI; %s", EnvMapServerURL, how)
		}
		t.Skipf("MapServer integration test: %s is unset; %s", EnvMapServerURL, how)
	}
	for name, v := range map[string]string{
		EnvMapServerOther: m.Other, EnvMapServerDir: m.Dir, EnvBasicUser: m.BasicUser,
		EnvBasicPassword: m.BasicPassword, EnvKey: m.Key,
	} {
		if v == "" {
			t.Fatalf("%s is set but %s is not: eval \"$(bash .ci/mapserver/server.sh env)\"", EnvMapServerURL, name)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(m.URL + "/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
	if err != nil {
		t.Fatalf("MapServer at %s does not answer (bash .ci/mapserver/server.sh up): %v", m.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("MapServer at %s: GetCapabilities answered %d, want 200", m.URL, resp.StatusCode)
	}
	return m
}

// Location returns the URL of a location on the server, e.g. "/key/wms".
func (m *MapServer) Location(path string) string { return m.URL + path }

// NewMarker returns a query pair "mvit=<name>-<random>" unique to this call,
// to append to the URLs a test requests so it can count its own requests in
// the shared logs. It uses only characters no encoder changes.
func NewMarker(t testing.TB) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("marker: %v", err)
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, t.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return MarkerParam + "=" + name + "-" + hex.EncodeToString(b[:])
}

// LogEntry is one request of the server's access log.
type LogEntry struct {
	Method string
	Path   string // without the query
	Query  string // raw query as logged; may hold a test key: do not print it
	Status int
	Raw    string // the whole line; may hold a test key: do not print it
}

// AccessLog returns the requests in logs/access.log that carry marker.
func (m *MapServer) AccessLog(t testing.TB, marker string) []LogEntry {
	t.Helper()
	var out []LogEntry
	for _, line := range m.lines(t, "access.log", marker) {
		out = append(out, parseAccessLine(line))
	}
	return out
}

// OtherLog returns the lines of logs/other-access.log (the other origin,
// which logs authorization, x_api_key and cookie headers) that carry marker.
func (m *MapServer) OtherLog(t testing.TB, marker string) []string {
	t.Helper()
	return m.lines(t, "other-access.log", marker)
}

// OtherLogSince returns every line of logs/other-access.log after the
// first skip lines, whatever their marker (for canary checks).
func (m *MapServer) OtherLogSince(t testing.TB, skip int) []string {
	t.Helper()
	all := m.lines(t, "other-access.log", "")
	if skip > len(all) {
		return nil
	}
	return all[skip:]
}

// OtherLogLen returns how many lines logs/other-access.log has now.
func (m *MapServer) OtherLogLen(t testing.TB) int {
	t.Helper()
	return len(m.lines(t, "other-access.log", ""))
}

// WaitAccessLog waits until access.log holds at least want requests with
// marker (nginx writes a line only after it has sent the answer), then a
// short while longer so that extra requests show too, and returns them.
// With want 0 it waits the short while only. It gives up after 3 s and
// returns what it found.
func (m *MapServer) WaitAccessLog(t testing.TB, marker string, want int) []LogEntry {
	t.Helper()
	return waitFor(func() []LogEntry { return m.AccessLog(t, marker) }, want)
}

// WaitOtherLog is WaitAccessLog for other-access.log.
func (m *MapServer) WaitOtherLog(t testing.TB, marker string, want int) []string {
	t.Helper()
	return waitFor(func() []string { return m.OtherLog(t, marker) }, want)
}

const (
	logWait   = 3 * time.Second
	logSettle = 150 * time.Millisecond
)

func waitFor[E any](read func() []E, want int) []E {
	deadline := time.Now().Add(logWait)
	for want > 0 && len(read()) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(logSettle)
	return read()
}

// lines returns the lines of logs/name that carry marker ("" for all).
func (m *MapServer) lines(t testing.TB, name, marker string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(m.Dir, "logs", name))
	if err != nil {
		t.Fatalf("MapServer log: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); marker == "" || hasMarker(line, marker) {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("MapServer log %s: %v", name, err)
	}
	return out
}

// hasMarker reports whether line holds marker as a whole query pair.
func hasMarker(line, marker string) bool {
	for rest := line; ; {
		i := strings.Index(rest, marker)
		if i < 0 {
			return false
		}
		before := byte('?')
		if i > 0 {
			before = rest[i-1]
		}
		after := byte(' ')
		if j := i + len(marker); j < len(rest) {
			after = rest[j]
		}
		if (before == '?' || before == '&') && (after == '&' || after == ' ') {
			return true
		}
		rest = rest[i+len(marker):]
	}
}

// parseAccessLine reads the "timed" format of .ci/mapserver/nginx.conf.in:
// `addr [time] "GET /path?query HTTP/1.1" status bytes rt=... cache=...`.
func parseAccessLine(line string) LogEntry {
	e := LogEntry{Raw: line}
	_, rest, ok := strings.Cut(line, `"`)
	if !ok {
		return e
	}
	req, rest, ok := strings.Cut(rest, `"`)
	if !ok {
		return e
	}
	if parts := strings.Fields(req); len(parts) >= 2 {
		e.Method = parts[0]
		e.Path, e.Query, _ = strings.Cut(parts[1], "?")
	}
	if f := strings.Fields(rest); len(f) > 0 {
		e.Status, _ = strconv.Atoi(f[0])
	}
	return e
}

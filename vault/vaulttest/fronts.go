package vaulttest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Front is one of the authenticating servers .ci/ puts in front of the test
// MapServer (Apache Digest, nginx client certificates, the OAuth2 resource
// server), as its `server.sh env` describes it.
type Front struct {
	URL  string            // base URL, no trailing slash
	Dir  string            // runtime dir; logs/ holds its logs
	Env  map[string]string // the other variables its env printed
	name string
}

// RequireFront returns the front whose URL is in urlVar, with the listed
// variables. Without urlVar the test is skipped, except under CI=true,
// where it fails: CI must not skip integration tests silently.
func RequireFront(t testing.TB, name, urlVar, dirVar string, vars ...string) *Front {
	t.Helper()
	f := &Front{URL: strings.TrimRight(os.Getenv(urlVar), "/"), Dir: os.Getenv(dirVar), Env: map[string]string{}, name: name}
	if f.URL == "" {
		how := "run: bash .ci/" + name + "/server.sh up DIR && eval \"$(bash .ci/" + name + "/server.sh env DIR)\" (after the MapServer one)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is unset: the %s integration tests must run in CI; %s", urlVar, name, how)
		}
		t.Skipf("%s integration test: %s is unset; %s", name, urlVar, how)
	}
	for _, v := range append(vars, dirVar) {
		val := os.Getenv(v)
		if val == "" {
			t.Fatalf("%s is set but %s is not: eval \"$(bash .ci/%s/server.sh env DIR)\"", urlVar, v, name)
		}
		f.Env[v] = val
	}
	return f
}

// LogLines returns the lines of the front's log file (under Dir/logs) that
// contain marker, waiting up to two seconds for at least want of them (the
// server writes its log after answering).
func (f *Front) LogLines(t testing.TB, file, marker string, want int) []string {
	t.Helper()
	var out []string
	deadline := time.Now().Add(2 * time.Second)
	for {
		out = f.lines(t, file, marker)
		if len(out) >= want || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *Front) lines(t testing.TB, file, marker string) []string {
	t.Helper()
	fh, err := os.Open(filepath.Join(f.Dir, "logs", file))
	if err != nil {
		t.Fatalf("%s log: %v", f.name, err)
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), marker) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// CountLog counts the lines of a log file that contain s.
func (f *Front) CountLog(t testing.TB, file, s string) int {
	t.Helper()
	return len(f.lines(t, file, s))
}

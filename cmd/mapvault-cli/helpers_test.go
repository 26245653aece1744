package main

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mapvault/assets/demo"
	"mapvault/project"
)

// update rewrites the golden files under testdata/ instead of comparing.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is what one in-process run of the CLI produced.
type result struct {
	code int
	out  string
	err  string
}

// all is stdout and stderr together, for searches.
func (r result) all() string { return r.out + "\n" + r.err }

// call describes one CLI invocation.
type call struct {
	args  []string
	stdin string
	env   map[string]string
}

// cli runs the command in-process with a bounded context.
func cli(t *testing.T, c call) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	env := func(k string) string { return c.env[k] }
	code := run(ctx, c.args, stdio{in: strings.NewReader(c.stdin), out: &out, err: &errb}, env)
	return result{code: code, out: out.String(), err: errb.String()}
}

// runArgs is cli with only arguments.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return cli(t, call{args: args})
}

// wantCode fails the test when r did not exit with want.
func wantCode(t *testing.T, r result, want int, what string) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, want, r.out, r.err)
	}
}

// demoServer serves the demo WMS (public, basic and key sources) on a
// loopback httptest server and returns its base URL.
func demoServer(t *testing.T) string {
	t.Helper()
	h, err := demo.NewHandler()
	if err != nil {
		t.Fatalf("demo.NewHandler() error: %v", err)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// statusServer answers every request with status.
func statusServer(t *testing.T, status int) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, http.StatusText(status), status)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// readFile returns path's content, failing the test when it cannot.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return b
}

// saveProject writes p to dir/name and returns the path.
func saveProject(t *testing.T, dir, name string, p *project.Project) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := project.Save(path, p); err != nil {
		t.Fatalf("project.Save(%s) error: %v", path, err)
	}
	return path
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dirFiles returns the names of the regular files in dir (recursively).
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// opaquePixels decodes the PNG at path, checks its size and returns how many
// of its pixels are not fully transparent.
func opaquePixels(t *testing.T, path string, w, h int) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	if got := img.Bounds().Size(); got != (image.Point{w, h}) {
		t.Fatalf("%s is %v, want %dx%d", path, got, w, h)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				n++
			}
		}
	}
	return n
}

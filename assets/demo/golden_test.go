package demo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestCapabilitiesGolden compares every capabilities and exception document
// with its golden file; run with -update after an intended change.
func TestCapabilitiesGolden(t *testing.T) {
	eps, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		for _, v := range []string{version130, version111} {
			name := strings.Split(strings.Trim(e.path, "/"), "/")[0] + "-" + v + ".xml"
			t.Run(name, func(t *testing.T) {
				got, err := capabilities(e, v, "http://demo.test:8080"+e.path)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "capabilities-"+name), got)
			})
		}
	}
	for _, v := range []string{version130, version111} {
		got, _ := exceptionReport(errorf("LayerNotDefined", `layer "a<b&c" is not served here`), v)
		golden(t, filepath.Join("testdata", "exception-"+v+".xml"), got)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, got)
	}
}

package wms

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// The -update flag rewrites golden files. It is registered in init, after
// every package-level flag.Bool of other test files, and only when no other
// file of the package registered it already.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestReportJSONGolden(t *testing.T) {
	src := filepath.Join("testdata", "caps", "report.xml")
	golden := filepath.Join("testdata", "caps", "report.golden.json")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	caps, err := ParseCapabilities(f)
	if err != nil {
		t.Fatalf("ParseCapabilities(%s) error: %v", src, err)
	}
	got, err := caps.ReportJSON()
	if err != nil {
		t.Fatalf("ReportJSON error: %v", err)
	}
	if updating() {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportJSONGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ReportJSON() =\n%s\nwant (%s)\n%s", got, golden, want)
	}
}

func TestReportJSONShape(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Title>no box</Title></Layer>`))
	out, err := caps.ReportJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Formats []string `json:"formats"`
		Layers  []map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("ReportJSON output is not JSON: %v", err)
	}
	if len(got.Layers) != 1 {
		t.Fatalf("len(layers) = %d, want 1", len(got.Layers))
	}
	l := got.Layers[0]
	tests := []struct{ key, want string }{
		{"bbox", "null"},
		{"bboxes", "{}"},
		{"crs", "[]"},
		{"styles", "[]"},
		{"dimensions", "{}"},
		{"name", `""`},
		{"queryable", "false"},
	}
	for _, tt := range tests {
		if g := string(l[tt.key]); g != tt.want {
			t.Errorf("layers[0].%s = %s, want %s", tt.key, g, tt.want)
		}
	}
	if len(l) != 9 {
		t.Errorf("layers[0] has %d keys, want 9", len(l))
	}
}

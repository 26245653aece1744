package wmts

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestReportGolden compares the report of each real-world-like document
// with testdata/<name>.report.json (go test -run TestReportGolden -update
// rewrites them).
func TestReportGolden(t *testing.T) {
	for _, name := range realDocs {
		t.Run(name, func(t *testing.T) {
			c := parseFile(t, name+".xml")
			got, err := c.ReportJSON()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".report.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestReportGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s (run go test -run TestReportGolden -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

func TestReportShape(t *testing.T) {
	// An empty service: lists and maps are [] and {}, never null.
	c := mustParse(t, capsDoc(`<Contents><Layer><ows:Identifier>l</ows:Identifier></Layer></Contents>`))
	b, err := c.ReportJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["kind"] != "wmts" || m["kvp"] != false {
		t.Errorf("kind, kvp = %v, %v", m["kind"], m["kvp"])
	}
	for _, k := range []string{"layers", "matrix_sets", "warnings"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s = %v, want a list", k, m[k])
		}
	}
	l := m["layers"].([]any)[0].(map[string]any)
	for _, k := range []string{"formats", "styles", "matrix_sets", "rest_formats"} {
		if _, ok := l[k].([]any); !ok {
			t.Errorf("layer %s = %v, want a list", k, l[k])
		}
	}
	for _, k := range []string{"bboxes", "dimensions"} {
		if _, ok := l[k].(map[string]any); !ok {
			t.Errorf("layer %s = %v, want an object", k, l[k])
		}
	}
	if l["bbox"] != nil {
		t.Errorf("bbox = %v, want null", l["bbox"])
	}
	if !bytes.HasSuffix(b, []byte("}\n")) {
		t.Error("no final newline")
	}
	// A BaseURL makes every layer with a format fetchable with KVP.
	c = mustParse(t, layerDoc(`<Layer><ows:Identifier>l</ows:Identifier><Format>image/png</Format></Layer>`))
	c.BaseURL = "https://h/wmts"
	r := c.Report()
	if !r.KVP || !r.Layers[0].KVP || r.Layers[0].REST {
		t.Errorf("report with BaseURL: kvp %v, layer kvp %v rest %v", r.KVP, r.Layers[0].KVP, r.Layers[0].REST)
	}
	if ms := r.MatrixSets[0]; !ms.WebMercator || *ms.MinZoom != 0 || *ms.MaxZoom != 2 || ms.EPSG != 3857 {
		t.Errorf("google set report = %+v", ms)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
)

// hostileCaps is a WMS 1.3.0 document of about size bytes whose layers each
// inherit long CRS, BoundingBox, style and dimension lists from the root and
// add one of each (see layers.capsHostileDoc).
func hostileCaps(size int) []byte {
	var root, kids bytes.Buffer
	for i := 0; root.Len() < size/2; i++ {
		fmt.Fprintf(&root, "<CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"1\" maxy=\"1\"/>", 100000+i, 100000+i)
		fmt.Fprintf(&root, "<Style><Name>s%d</Name></Style><Dimension name=\"d%d\" units=\"u\">1</Dimension>\n", i, i)
	}
	for i := 0; kids.Len() < size/2; i++ {
		fmt.Fprintf(&kids, "<Layer><Name>c%d</Name><CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"2\" maxy=\"2\"/>", i, 500000+i, 500000+i)
		fmt.Fprintf(&kids, "<Style><Name>t%d</Name></Style><Dimension name=\"e%d\" units=\"u\">1</Dimension><Layer><Name>g%d</Name></Layer></Layer>\n", i, i, i)
	}
	return []byte(`<?xml version="1.0"?><WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"><Service><Title>T</Title></Service><Capability><Layer><Title>root</Title>` +
		root.String() + kids.String() + `</Layer></Capability></WMS_Capabilities>`)
}

// peakWriter counts what is written and samples the live heap at each
// write: the CLI's memory while it prints.
type peakWriter struct {
	n, peak uint64
	sample  []metrics.Sample
}

func newPeakWriter() *peakWriter {
	return &peakWriter{sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (w *peakWriter) heap() uint64 { metrics.Read(w.sample); return w.sample[0].Value.Uint64() }

func (w *peakWriter) Write(b []byte) (int, error) {
	w.n += uint64(len(b))
	w.peak = max(w.peak, w.heap())
	return len(b), nil
}

// TestLayersJSONHostileMemory: `layers --json` on a 128 KiB document whose
// report is ~50 MB keeps its memory near the document's size. The old
// parser held ~70 MB for it and the old report was built whole in memory.
func TestLayersJSONHostileMemory(t *testing.T) {
	doc := hostileCaps(128 << 10)
	path := filepath.Join(t.TempDir(), "hostile.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	w := newPeakWriter()
	runtime.GC()
	base := w.heap()
	var errb bytes.Buffer
	code := run(context.Background(), []string{"layers", path, "--json"}, stdio{in: strings.NewReader(""), out: w, err: &errb}, func(string) string { return "" })
	if code != exitOK {
		t.Fatalf("layers --json: exit %d, want 0: %s", code, errb.String())
	}
	growth := uint64(0)
	if w.peak > base {
		growth = w.peak - base
	}
	t.Logf("%d-byte document: %d bytes of JSON, heap +%d while writing", len(doc), w.n, growth)
	if limit := 64 * uint64(len(doc)); growth > limit {
		t.Fatalf("layers --json grew the heap by %d bytes (%.0fx the %d-byte document), want at most %d", growth, float64(growth)/float64(len(doc)), len(doc), limit)
	}
}

package wms

import (
	"bytes"
	"fmt"
	"io"
	"mapvault/layers/internal/leaktest"
	"runtime"
	"testing"
)

// hostileDoc returns a WMS 1.3.0 document of about size bytes built to
// make a parser that copies inherited values quadratic: a root layer states
// k CRS, k BoundingBoxes, k styles and k dimensions (half the document),
// then children each add one of each (so no inherited list can be shared as
// is) and hold a grandchild that adds nothing. A 600 KB one cost the old
// parser 3.7 GB of allocations.
func hostileDoc(size int) []byte {
	var root, kids bytes.Buffer
	for i := 0; root.Len() < size/2; i++ {
		fmt.Fprintf(&root, "<CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"1\" maxy=\"1\"/>", 100000+i, 100000+i)
		fmt.Fprintf(&root, "<Style><Name>s%d</Name></Style><Dimension name=\"d%d\" units=\"u\">1</Dimension>\n", i, i)
	}
	for i := 0; kids.Len() < size/2; i++ {
		fmt.Fprintf(&kids, "<Layer><Name>c%d</Name><CRS>EPSG:%d</CRS><BoundingBox CRS=\"EPSG:%d\" minx=\"0\" miny=\"0\" maxx=\"2\" maxy=\"2\"/>", i, 500000+i, 500000+i)
		fmt.Fprintf(&kids, "<Style><Name>t%d</Name></Style><Dimension name=\"e%d\" units=\"u\">1</Dimension><Layer><Name>g%d</Name></Layer></Layer>\n", i, i, i)
	}
	return []byte(document130("<Layer><Title>root</Title>" + root.String() + kids.String() + "</Layer>"))
}

// parseCost parses doc and returns the bytes allocated while parsing,
// the peak heap growth, and what the parsed document holds.
func parseCost(t testing.TB, doc []byte) (allocated, peak, retained uint64) {
	t.Helper()
	var caps *Capabilities
	var err error
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak, retained = leaktest.HeapPeak(func() { caps, err = ParseCapabilities(bytes.NewReader(doc)) })
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("ParseCapabilities(hostile %d bytes) error: %v", len(doc), err)
	}
	runtime.KeepAlive(caps)
	return after.TotalAlloc - before.TotalAlloc, peak, retained
}

// TestParseCapabilitiesMemoryLinear: a document whose layers each inherit
// long CRS, BoundingBox, style and dimension lists costs memory linear in
// its size. A small document is tried first, so a quadratic parser fails
// there rather than exhausting the machine on the 16 MiB one (the old parser
// took 537x its size at 64 KiB and 6000x at 600 KB).
func TestParseCapabilitiesMemoryLinear(t *testing.T) {
	sizes := []int{64 << 10, MaxCapabilitiesSize - 4<<10}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		doc := hostileDoc(size)
		allocated, peak, retained := parseCost(t, doc)
		n := uint64(len(doc))
		t.Logf("%d-byte document: %d bytes allocated (%.1fx), peak heap +%d (%.1fx), retained %d (%.1fx)",
			n, allocated, float64(allocated)/float64(n), peak, float64(peak)/float64(n), retained, float64(retained)/float64(n))
		// encoding/xml allocates ~25 bytes per input byte, all short-lived.
		if allocated > 64*n {
			t.Fatalf("parsing a %d-byte document allocated %d bytes (%.0fx), want at most 64x", n, allocated, float64(allocated)/float64(n))
		}
		if retained > 8*n {
			t.Fatalf("a parsed %d-byte document holds %d bytes (%.0fx), want at most 8x", n, retained, float64(retained)/float64(n))
		}
		if peak > 16*n+8<<20 {
			t.Fatalf("parsing a %d-byte document grew the heap by %d bytes (%.0fx), want at most 16x", n, peak, float64(peak)/float64(n))
		}
	}
}

// TestWriteReportJSONStreams: the JSON report of a hostile document is far
// larger than the document (every layer lists its inherited values), but
// writing it needs memory bounded by the document, not by the output.
func TestWriteReportJSONStreams(t *testing.T) {
	doc := hostileDoc(128 << 10)
	caps, err := ParseCapabilities(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var w countingWriter
	peak, _ := leaktest.HeapPeak(func() { err = caps.WriteReportJSON(&w) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d-byte document: %d bytes of JSON, peak heap +%d", len(doc), w.n, peak)
	if w.n < 32*int64(len(doc)) {
		t.Fatalf("report is %d bytes, want a document whose report is large", w.n)
	}
	// The heap is the whole process's (other tests run alongside): a
	// quarter of the output still tells streaming from building the
	// report in memory (at least the output's size).
	if peak > uint64(w.n/4) {
		t.Fatalf("writing a %d-byte report grew the heap by %d bytes, want it streamed", w.n, peak)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

var _ io.Writer = (*countingWriter)(nil)

// TestReportJSONMatchesWrite: ReportJSON and WriteReportJSON agree, for
// documents with and without layers.
func TestReportJSONMatchesWrite(t *testing.T) {
	for _, doc := range []string{document130(""), document130(`<Layer><Name>a</Name><Layer><Name>b</Name></Layer></Layer>`)} {
		caps := mustParse(t, doc)
		b, err := caps.ReportJSON()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := caps.WriteReportJSON(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, buf.Bytes()) {
			t.Errorf("WriteReportJSON =\n%s\nwant\n%s", buf.Bytes(), b)
		}
	}
}

// BenchmarkParseCapabilitiesHostile reports the bytes allocated and the
// heap kept per input byte for a 600 KB hostile document (the old parser:
// 6000 and 3150).
func BenchmarkParseCapabilitiesHostile(b *testing.B) {
	doc := hostileDoc(600 << 10)
	b.SetBytes(int64(len(doc)))
	var allocated, retained uint64
	for b.Loop() {
		a, _, r := parseCost(b, doc)
		allocated, retained = allocated+a, retained+r
	}
	b.ReportMetric(float64(allocated)/float64(b.N)/float64(len(doc)), "alloc/docbyte")
	b.ReportMetric(float64(retained)/float64(b.N)/float64(len(doc)), "heap/docbyte")
}

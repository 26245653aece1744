package vault

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// urlText is plain text (not JSON) with a URL and some words on each of
// its lines.
func urlText(lines int) []byte {
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "see https://maps.example.org/wms?map=roads&layer=%d for the details of layer %d\n", i, i)
	}
	return []byte(b.String())
}

// scanTime is the fastest of five scans of data.
func scanTime(data []byte) time.Duration {
	// The fastest of five in CPU time, with the collector off while
	// timing: a GC cycle in one run, or other processes on the machine,
	// are not the algorithm's growth.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	best := time.Duration(1 << 62)
	for range 5 {
		runtime.GC()
		start, cpu := time.Now(), processCPU()
		scanData("t.txt", data)
		took := processCPU() - cpu
		if took <= 0 {
			took = time.Since(start)
		}
		best = min(best, took)
	}
	return best
}

// The scan of a non-JSON file is linear: four times the text takes about
// four times as long. (Checking every word against every URL before made
// it quadratic: 19 s for 4.5 MB of text with a URL on every line.)
func TestScanTextIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	small, large := urlText(3000), urlText(12000)
	if got := len(scanData("t.txt", small)); got != 0 {
		t.Fatalf("scan of clean text found %d leaks", got)
	}
	// Up to three tries: a loaded machine can slow one measurement, but a
	// quadratic scan (16x) never comes in under 9x.
	for try := 1; ; try++ {
		t1, t4 := scanTime(small), scanTime(large)
		ratio := float64(t4) / float64(t1)
		t.Logf("%d bytes: %v, %d bytes: %v, ratio %.1f", len(small), t1, len(large), t4, ratio)
		if ratio <= 9 {
			return
		}
		if try == 3 {
			t.Fatalf("scanning 4x the text took %.1fx as long (%v -> %v), want about 4x (linear)", ratio, t1, t4)
		}
	}
}

// stopAfter is a context whose Err becomes context.Canceled at its n-th
// call: a cancellation in the middle of a scan, without timing.
type stopAfter struct {
	context.Context
	n, calls int
}

func (c *stopAfter) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

func TestScanStopsWhenCancelled(t *testing.T) {
	text := urlText(60000) // 4.5 MB, not JSON
	json := []byte("[" + strings.Repeat(`"https://maps.example.org/wms?map=roads", `, 100000) + `""]`)
	for name, data := range map[string][]byte{"text": text, "json": json} {
		path := writeTemp(t, "big.txt", string(data))
		ctx := &stopAfter{Context: context.Background(), n: 3}
		leaks, err := ScanFileContext(ctx, path)
		if !errors.Is(err, context.Canceled) || leaks != nil {
			t.Errorf("%s: ScanFileContext(cancelled midway) = %d leaks, %v; want none, context.Canceled", name, len(leaks), err)
		}
		if ctx.calls != 3 {
			t.Errorf("%s: the scan looked at its context %d times, want it to stop at the 3rd look", name, ctx.calls)
		}
		// Not cancelled, it looks at the context about every 64 KiB.
		ctx = &stopAfter{Context: context.Background(), n: 1 << 30}
		if _, err := ScanFileContext(ctx, path); err != nil {
			t.Fatalf("%s: ScanFileContext: %v", name, err)
		}
		if want := len(data) / scanStep; ctx.calls < want {
			t.Errorf("%s: the scan of %d bytes looked at its context %d times, want at least %d", name, len(data), ctx.calls, want)
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	proj := writeTemp(t, "p.mapvault.json", cleanProject)
	if _, err := ScanProjectContext(cancelled, proj); !errors.Is(err, context.Canceled) {
		t.Errorf("ScanProjectContext(cancelled) error = %v, want context.Canceled", err)
	}
}

package leaktest

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// HeapPeak samples the live heap while f runs and returns the highest
// growth over the heap before it, and the growth that stays after f
// returned and a collection ran (what f's result holds; keep it alive).
func HeapPeak(f func()) (peak, retained uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	high := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			high = max(high, read())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	high = max(high, read())
	runtime.GC()
	if after := read(); after > base {
		retained = after - base
	}
	return high - base, retained
}

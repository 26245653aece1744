package vector

import (
	"fmt"
	"sync"
	"testing"
)

func TestCacheEvictsByBytes(t *testing.T) {
	small := NewLayer(europePolygons(10, 8))
	size := small.Bytes()
	if size <= 0 {
		t.Fatalf("Bytes() = %d, want > 0", size)
	}
	c := NewCache(Options{CacheBytes: 3*size + size/2})
	keys := make([]Key, 5)
	for i := range keys {
		keys[i] = Key{Layer: "wfs:roads", BBox: TileBounds(10, i, 0)}
	}
	for _, k := range keys[:3] {
		if !c.Put(k, small) {
			t.Fatalf("Put(%v) = false", k)
		}
	}
	if _, ok := c.Get(keys[0]); !ok { // keys[0] is now the most recent
		t.Fatal("Get(first) missed")
	}
	c.Put(keys[3], small) // evicts keys[1], the least recently used
	if _, ok := c.Get(keys[1]); ok {
		t.Error("least recently used entry survived")
	}
	for _, k := range []Key{keys[0], keys[2], keys[3]} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("Get(%v) missed", k.BBox)
		}
	}
	if c.Bytes() > 3*size+size/2 || c.Len() != 3 {
		t.Errorf("Bytes, Len = %d, %d, want <= budget and 3", c.Bytes(), c.Len())
	}
	// Replacing an entry does not count it twice.
	c.Put(keys[0], small)
	if c.Len() != 3 || c.Bytes() != 3*size {
		t.Errorf("after replacing: Len, Bytes = %d, %d, want 3, %d", c.Len(), c.Bytes(), 3*size)
	}
	// A layer larger than the budget is refused and drops the old entry.
	big := NewLayer(europePolygons(200, 20))
	if c.Put(keys[0], big) {
		t.Error("Put(layer over budget) = true")
	}
	if _, ok := c.Get(keys[0]); ok {
		t.Error("a refused Put left the stale entry")
	}
	if c.Put(keys[4], nil) {
		t.Error("Put(nil) = true")
	}
}

func TestCachePurge(t *testing.T) {
	c := NewCache(Options{})
	l := NewLayer(europePolygons(5, 8))
	for i := range 4 {
		c.Put(Key{Layer: "a", BBox: TileBounds(3, i, 1)}, l)
		c.Put(Key{Layer: "b", BBox: TileBounds(3, i, 1)}, l)
	}
	c.Put(Key{Layer: "a", BBox: Bounds{West: -1, East: 1}}, ZoomInLayer(1e6, Options{}))
	c.Purge("a")
	if c.Len() != 4 {
		t.Errorf("Len after Purge(a) = %d, want 4", c.Len())
	}
	if _, ok := c.Get(Key{Layer: "b", BBox: TileBounds(3, 2, 1)}); !ok {
		t.Error("Purge(a) removed b's entry")
	}
	if c.Bytes() != 4*l.Bytes() {
		t.Errorf("Bytes = %d, want %d", c.Bytes(), 4*l.Bytes())
	}
}

// TestCacheConcurrent exercises the lock (run with -race where cgo is
// available).
func TestCacheConcurrent(t *testing.T) {
	c := NewCache(Options{CacheBytes: 1 << 20})
	l := NewLayer(europePolygons(20, 8))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := Key{Layer: fmt.Sprint(g % 2), BBox: TileBounds(12, i%17, g)}
				if got, ok := c.Get(k); ok && got != l {
					t.Error("Get returned another layer")
				}
				c.Put(k, l)
				if i%50 == 0 {
					c.Purge(fmt.Sprint(g % 2))
				}
			}
		}()
	}
	wg.Wait()
	if c.Bytes() > 1<<20 {
		t.Errorf("Bytes = %d over the budget", c.Bytes())
	}
}

func TestLayerBytes(t *testing.T) {
	// The estimate grows with what the features hold.
	a := NewLayer(europePolygons(100, 8)).Bytes()
	b := NewLayer(europePolygons(100, 40)).Bytes()
	c := NewLayer(europePolygons(1000, 8)).Bytes()
	if !(a < b && a < c) {
		t.Errorf("Bytes: 100x8 = %d, 100x40 = %d, 1000x8 = %d; want growth with vertices and features", a, b, c)
	}
	// 100 polygons of 9 positions: at least the positions twice, float64.
	if a < 100*9*2*2*8 {
		t.Errorf("Bytes(100x8) = %d, below the positions alone", a)
	}
	fs := []Feature{{Properties: map[string]any{"name": string(make([]byte, 10000)), "nested": map[string]any{"a": []any{"x", 1.0}}}}}
	if n := NewLayer(fs).Bytes(); n < 10000 {
		t.Errorf("Bytes(10 kB attribute) = %d", n)
	}
}

package layers

import (
	"fmt"
	"image"
	"sync"
	"testing"

	"mapvault/vault"
)

func tileImage(px int) *image.RGBA { return image.NewRGBA(image.Rect(0, 0, px, px)) }

func TestCacheEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	const tileBytes = 4 * 16 * 16
	c := newTileCache(3 * tileBytes)
	src := vault.Source("https://a.example:443/wms")
	for _, k := range []string{"a", "b", "c"} {
		if !c.put(k, src, 0, tileImage(16)) {
			t.Fatalf("put(%s) refused", k)
		}
	}
	if c.get("a") == nil { // a is now the most recent
		t.Fatal("a missing")
	}
	c.put("d", src, 0, tileImage(16)) // evicts b
	tests := []struct {
		key  string
		want bool
	}{{"a", true}, {"b", false}, {"c", true}, {"d", true}}
	for _, tt := range tests {
		if got := c.get(tt.key) != nil; got != tt.want {
			t.Errorf("get(%s) present = %v, want %v", tt.key, got, tt.want)
		}
	}
	if n, b := c.stats(); n != 3 || b != 3*tileBytes {
		t.Errorf("stats = %d, %d, want 3, %d", n, b, 3*tileBytes)
	}
	// A bigger tile evicts as many as needed.
	c.put("big", src, 0, tileImage(32)) // 4 tiles' worth > bound: refused
	if c.get("big") != nil {
		t.Errorf("tile larger than the cache was stored")
	}
	c.put("e", src, 0, image.NewRGBA(image.Rect(0, 0, 16, 32))) // 2 tiles: evicts the 2 oldest
	if n, b := c.stats(); n != 2 || b != 3*tileBytes {
		t.Errorf("after a double tile: stats = %d, %d, want 2, %d", n, b, 3*tileBytes)
	}
	// Replacing a key does not double count.
	c.put("e", src, 0, tileImage(16))
	if _, b := c.stats(); b != 2*tileBytes {
		t.Errorf("after replacing: bytes = %d, want %d", b, 2*tileBytes)
	}
}

func TestCachePurgeAndGeneration(t *testing.T) {
	c := newTileCache(1 << 20)
	a, b := vault.Source("https://a.example:443/"), vault.Source("https://b.example:443/")
	genA := c.generation(a)
	c.put("a1", a, genA, tileImage(8))
	c.put("a2", a, genA, tileImage(8))
	c.put("b1", b, c.generation(b), tileImage(8))
	if got := c.purge(a); got != 2 {
		t.Errorf("purge(a) = %d, want 2", got)
	}
	if c.get("b1") == nil {
		t.Error("purge(a) dropped b's tile")
	}
	// A download that started before the purge is not stored.
	if c.put("a3", a, genA, tileImage(8)) {
		t.Error("stale generation stored")
	}
	if !c.put("a3", a, c.generation(a), tileImage(8)) {
		t.Error("fresh generation refused")
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := newTileCache(20 * 4 * 8 * 8)
	src := vault.Source("https://a.example:443/")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := fmt.Sprint(g, i%30)
				c.put(k, src, c.generation(src), tileImage(8))
				c.get(fmt.Sprint((g+1)%4, i%30))
				if i%50 == 0 {
					c.purge(src)
				}
			}
		}()
	}
	wg.Wait()
	if _, b := c.stats(); b > 20*4*8*8 {
		t.Errorf("bytes = %d over the bound", b)
	}
}

package layers

import (
	"container/list"
	"image"
	"sync"

	"mapvault/vault"
)

// tileCache is the in-memory tile cache: an LRU bounded by the decoded size
// of its images (4 bytes per pixel), keyed by request URL (or a vector
// tile's key). The URL holds no secret (the transport adds credentials),
// so it is a safe key. Tiles are never written to disk. Safe for
// concurrent use.
type tileCache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	lru   *list.List // front = most recently used; values are *cacheEntry
	items map[string]*list.Element
	// gen counts purges per source: a download that started before a purge
	// must not store its tile after it.
	gen map[vault.Source]uint64
}

type cacheEntry struct {
	key  string
	src  vault.Source
	img  *image.RGBA
	size int64
}

func newTileCache(maxBytes int64) *tileCache {
	return &tileCache{max: maxBytes, lru: list.New(), items: map[string]*list.Element{}, gen: map[vault.Source]uint64{}}
}

func imageBytes(img *image.RGBA) int64 {
	b := img.Bounds()
	return 4 * int64(b.Dx()) * int64(b.Dy())
}

// get returns the tile for key and marks it recently used; nil when absent.
func (c *tileCache) get(key string) *image.RGBA {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).img
}

// generation returns src's purge generation, to pass to put.
func (c *tileCache) generation(src vault.Source) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen[src]
}

// put stores img under key unless src was purged since gen was read or the
// image alone exceeds the cache. It evicts least recently used tiles until
// the cache fits its bound and reports whether img was stored.
func (c *tileCache) put(key string, src vault.Source, gen uint64, img *image.RGBA) bool {
	size := imageBytes(img)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[src] != gen || size > c.max {
		return false
	}
	if el, ok := c.items[key]; ok {
		c.removeLocked(el)
	}
	c.items[key] = c.lru.PushFront(&cacheEntry{key: key, src: src, img: img, size: size})
	c.bytes += size
	for c.bytes > c.max {
		c.removeLocked(c.lru.Back())
	}
	return true
}

func (c *tileCache) removeLocked(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.items, e.key)
	c.bytes -= e.size
}

// purge drops every tile of src and returns how many were dropped.
func (c *tileCache) purge(src vault.Source) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen[src]++
	n := 0
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*cacheEntry).src == src {
			c.removeLocked(el)
			n++
		}
		el = next
	}
	return n
}

func (c *tileCache) stats() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.bytes
}

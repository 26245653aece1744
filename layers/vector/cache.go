package vector

import (
	"container/list"
	"sync"
)

// Key names one cached fetch: a layer (the caller's stable id for a
// source and feature type or collection) and the box its features were
// fetched for. Tile-aligned boxes (TileBounds) let neighbouring views share
// entries; a view's own box works too. The key holds no secret.
type Key struct {
	Layer string
	BBox  Bounds
}

// Cache is an in-memory LRU of prepared Layers bounded by their estimated
// size (Layer.Bytes). A layer larger than the whole budget is not stored.
// Nothing is written to disk. Safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	lru   *list.List // front = most recently used; values are *cacheEntry
	items map[Key]*list.Element
}

type cacheEntry struct {
	key   Key
	layer *Layer
	size  int64
}

// NewCache returns a cache with opt.CacheBytes of budget (default 128 MiB).
func NewCache(opt Options) *Cache {
	opt = opt.withDefaults()
	return &Cache{max: opt.CacheBytes, lru: list.New(), items: map[Key]*list.Element{}}
}

// Get returns the layer cached under k and marks it recently used.
func (c *Cache) Get(k Key) (*Layer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).layer, true
}

// Put stores l under k, replacing an older entry, and evicts the least
// recently used layers until the cache fits its budget. It reports whether
// l was stored: a layer larger than the whole budget is not, and the older
// entry under k is dropped all the same (it is stale).
func (c *Cache) Put(k Key, l *Layer) bool {
	if l == nil {
		return false
	}
	size := l.Bytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.remove(el)
	}
	if size > c.max {
		return false
	}
	c.items[k] = c.lru.PushFront(&cacheEntry{key: k, layer: l, size: size})
	c.bytes += size
	for c.bytes > c.max {
		c.remove(c.lru.Back())
	}
	return true
}

// Purge drops every entry of a layer (its source was locked, its style's
// query changed, the user removed it).
func (c *Cache) Purge(layer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, el := range c.items {
		if k.Layer == layer {
			c.remove(el)
		}
	}
}

// Bytes returns the estimated bytes held.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.items, e.key)
	c.bytes -= e.size
}

package layers

import (
	"container/list"
	"context"
	"sync"
)

// byteBudget is a weighted semaphore over bytes: the engine's bound on the
// memory of tiles being decoded at once (Options.DecodeBytes). Waiters are
// served in arrival order, so a large tile is not starved by small ones. A
// request for more than the whole budget is granted the whole budget: it
// decodes alone rather than never. Safe for concurrent use.
type byteBudget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	peak    int64     // the most ever held at once (for tests and measurements)
	waiters list.List // of *budgetWaiter, oldest first
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when the bytes are granted
}

func newByteBudget(size int64) *byteBudget { return &byteBudget{size: size} }

// acquire takes n bytes (at least 1, at most the whole budget), waiting
// until they are free or ctx is done. It returns what it took, to pass to
// release.
func (b *byteBudget) acquire(ctx context.Context, n int64) (int64, error) {
	n = min(max(n, 1), b.size)
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.size-b.used >= n {
		b.takeLocked(n)
		b.mu.Unlock()
		return n, nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	el := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: hand it back
		b.used -= n
	default:
		b.waiters.Remove(el)
	}
	b.grantLocked() // the waiter behind this one may fit now
	return 0, ctx.Err()
}

// release returns n bytes taken by acquire.
func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.grantLocked()
}

func (b *byteBudget) takeLocked(n int64) {
	b.used += n
	b.peak = max(b.peak, b.used)
}

// grantLocked wakes waiters in order while the oldest one fits.
func (b *byteBudget) grantLocked() {
	for el := b.waiters.Front(); el != nil; el = b.waiters.Front() {
		w := el.Value.(*budgetWaiter)
		if b.size-b.used < w.n {
			return
		}
		b.takeLocked(w.n)
		b.waiters.Remove(el)
		close(w.ready)
	}
}

// maxHeld returns the most bytes ever held at once.
func (b *byteBudget) maxHeld() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

package layers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"mapvault/project"
	"mapvault/vault"
)

// Catalog resolves project layers into engine specs through the kind
// registry, and keeps the service documents the kinds read for that
// (capabilities) for the session, so a service is asked once. Concurrent
// requests for one document share one fetch. A failure is shared too, by
// the callers waiting for it and by those that come within
// CatalogFailureTTL (a render's other layers of the same source, say), so a
// failing server is asked once, not once per layer; Forget drops it at once
// (credentials arrived). A fetch its caller cancelled is not shared: the
// next caller tries again.
type Catalog struct {
	client       *http.Client
	kinds        *Registry
	credentialed func(vault.Source) bool
	now          func() time.Time // time.Now; tests set it
	mu           sync.Mutex
	docs         map[string]*catalogEntry
}

// CatalogFailureTTL is how long a failed document fetch is given to later
// callers before the service is asked again.
const CatalogFailureTTL = 30 * time.Second

type catalogEntry struct {
	done chan struct{}
	src  vault.Source
	// Set before done is closed:
	doc       any
	err       error
	at        time.Time // when the fetch ended
	abandoned bool      // its caller's context ended: not the server's answer
}

// NewCatalog returns a catalog that fetches through client (the
// authenticating client: it attaches credentials per source) and resolves
// layers with the kinds of kinds. credentialed, optional, tells Resolve
// whether a source sends a credential this session (Env.Credentialed).
func NewCatalog(client *http.Client, kinds *Registry, credentialed func(vault.Source) bool) *Catalog {
	if kinds == nil {
		kinds = NewRegistry()
	}
	return &Catalog{client: client, kinds: kinds, credentialed: credentialed, now: time.Now, docs: map[string]*catalogEntry{}}
}

// Client returns the authenticating client documents are read with.
func (c *Catalog) Client() *http.Client { return c.client }

// Kinds returns the kind registry.
func (c *Catalog) Kinds() *Registry { return c.kinds }

// Document returns the document stored under key (a kind's key for a
// service description, e.g. "wms " + the service URL), fetching it once
// with fetch. src is the source it belongs to, for Forget. A failure is
// returned to every caller until CatalogFailureTTL has passed or Forget is
// called for src; a fetch whose own caller gave up is not shared.
func (c *Catalog) Document(ctx context.Context, key string, src vault.Source, fetch func(ctx context.Context) (any, error)) (any, error) {
	for {
		c.mu.Lock()
		e, ok := c.docs[key]
		if ok && e.expiredLocked(c.now()) {
			delete(c.docs, key)
			ok = false
		}
		if !ok {
			e = &catalogEntry{done: make(chan struct{}), src: src}
			c.docs[key] = e
			c.mu.Unlock()
			doc, err := fetch(ctx)
			c.mu.Lock()
			e.doc, e.err, e.at = doc, err, c.now()
			e.abandoned = err != nil && ctx.Err() != nil
			if e.abandoned && c.docs[key] == e {
				delete(c.docs, key)
			}
			c.mu.Unlock()
			close(e.done)
			return doc, err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.doc, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !e.abandoned {
			return nil, e.err
		}
		// The caller of the shared fetch gave up: try again.
	}
}

// expiredLocked reports whether e is a finished failure older than
// CatalogFailureTTL; c.mu is held.
func (e *catalogEntry) expiredLocked(now time.Time) bool {
	select {
	case <-e.done:
		return e.err != nil && now.Sub(e.at) >= CatalogFailureTTL
	default:
		return false
	}
}

// Forget drops the cached documents of src's services, so they are read
// again (for example once credentials have been entered).
func (c *Catalog) Forget(src vault.Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.docs {
		if e.src == src {
			delete(c.docs, k)
		}
	}
}

// Spec resolves a project layer (its Source resolved against the project
// folder) into an engine spec through its kind: an *UnsupportedKindError
// for a kind no registered Kind draws, else what Kind.Resolve returns, with
// ID, Source, Opacity and Attribution from the layer.
func (c *Catalog) Spec(ctx context.Context, l project.Layer) (LayerSpec, error) {
	k, err := c.kinds.Lookup(l.Kind)
	if err != nil {
		return LayerSpec{}, err
	}
	src, err := k.Source(l)
	if err != nil {
		return LayerSpec{}, err
	}
	env := Env{Catalog: c, Credentialed: src != "" && c.credentialed != nil && c.credentialed(src)}
	spec, err := k.Resolve(ctx, env, l)
	if err != nil {
		return LayerSpec{}, err
	}
	spec.ID, spec.Source, spec.Opacity, spec.Attribution = l.ID, src, l.Opacity, l.Attribution
	return spec, nil
}

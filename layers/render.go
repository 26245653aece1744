package layers

import (
	"context"
	"image"

	"mapvault/vault"
)

// render draws one tile of a feature layer, its requests going through an
// engineFetcher. A nil tile is an empty one.
func (e *Engine) render(ctx context.Context, fs FeatureSource, req request, st *fetchStats) (*image.RGBA, error) {
	img, err := fs.RenderTile(ctx, &engineFetcher{e: e, src: req.src, st: st}, req.tile, req.tilePx)
	if err != nil {
		return nil, err
	}
	if img == nil {
		return emptyTile, nil
	}
	if b := img.Bounds(); b.Dx() != req.tilePx || b.Dy() != req.tilePx {
		return toRGBA(img, req.tilePx, req.tilePx), nil
	}
	return img, nil
}

// engineFetcher is the Fetcher a FeatureSource gets: the engine's GET with
// retries, per-host slots and de-duplication, for one layer's source.
type engineFetcher struct {
	e   *Engine
	src vault.Source
	st  *fetchStats
}

// bodyCall is one GET in flight for Fetchers; identical GETs wait on it.
type bodyCall struct {
	done        chan struct{}
	body        []byte
	contentType string
	err         error
}

func (f *engineFetcher) Get(ctx context.Context, rawURL, accept string) ([]byte, string, error) {
	key := string(f.src) + "\x00" + accept + "\x00" + rawURL
	for {
		f.e.mu.Lock()
		c, waiting := f.e.bodies[key]
		if !waiting {
			c = &bodyCall{done: make(chan struct{})}
			f.e.bodies[key] = c
		}
		f.e.mu.Unlock()
		if !waiting {
			c.body, c.contentType, c.err = f.get(ctx, rawURL, accept)
			f.e.mu.Lock()
			delete(f.e.bodies, key)
			f.e.mu.Unlock()
			close(c.done)
			return c.body, c.contentType, c.err
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
		if c.err == nil || !abandoned(c.err) {
			return c.body, c.contentType, c.err
		}
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		// The caller that sent it gave up; this one still wants it.
	}
}

// get takes a slot of the URL's host and sends the GET.
func (f *engineFetcher) get(ctx context.Context, rawURL, accept string) ([]byte, string, error) {
	sem := f.e.semaphore(hostKey(rawURL))
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
	defer func() { <-sem }()
	status, hdr, body, err := f.e.get(ctx, f.src, rawURL, accept, f.st)
	if err != nil {
		return nil, "", err
	}
	if status < 200 || status > 299 {
		return nil, "", answerError(status, body, rawURL, f.e.secrets()...)
	}
	if exc, ok := serviceException(body, f.e.secrets()...); ok {
		return nil, "", exc
	}
	return body, hdr.Get("Content-Type"), nil
}

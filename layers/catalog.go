package layers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/twpayne/go-geom"

	"mapvault/project"
	"mapvault/vault"
)

// Catalog caches each service's capabilities for the session, so the version
// a server speaks is negotiated once, and turns project layers into engine
// specs. Concurrent requests for one service share one fetch. A failure is
// shared too, by the callers waiting for it and by those that come within
// CatalogFailureTTL (a render's other layers of the same source, say), so a
// failing server is asked once, not once per layer; Forget drops it at once
// (credentials arrived). A fetch its caller cancelled is not shared: the
// next caller tries again.
type Catalog struct {
	client *http.Client
	now    func() time.Time // time.Now; tests set it
	mu     sync.Mutex
	byURL  map[string]*catalogEntry
}

// CatalogFailureTTL is how long a failed capabilities fetch is given to
// later callers before the service is asked again.
const CatalogFailureTTL = 30 * time.Second

type catalogEntry struct {
	done chan struct{}
	src  vault.Source
	// Set before done is closed:
	caps      *Capabilities
	err       error
	at        time.Time // when the fetch ended
	abandoned bool      // its caller's context ended: not the server's answer
}

// NewCatalog returns a catalog that fetches through client (the
// authenticating client: it attaches credentials per source).
func NewCatalog(client *http.Client) *Catalog {
	return &Catalog{client: client, now: time.Now, byURL: map[string]*catalogEntry{}}
}

// Capabilities returns the service's capabilities, fetching them once. A
// failure is returned to every caller until CatalogFailureTTL has passed
// or Forget is called for the service's source.
func (c *Catalog) Capabilities(ctx context.Context, serviceURL string) (*Capabilities, error) {
	src, err := vault.SourceOf(serviceURL)
	if err != nil {
		return nil, err
	}
	for {
		c.mu.Lock()
		e, ok := c.byURL[serviceURL]
		if ok && e.expiredLocked(c.now()) {
			delete(c.byURL, serviceURL)
			ok = false
		}
		if !ok {
			e = &catalogEntry{done: make(chan struct{}), src: src}
			c.byURL[serviceURL] = e
			c.mu.Unlock()
			caps, err := FetchCapabilities(vault.WithSource(ctx, src), c.client, serviceURL)
			c.mu.Lock()
			e.caps, e.err, e.at = caps, err, c.now()
			e.abandoned = err != nil && ctx.Err() != nil
			if e.abandoned && c.byURL[serviceURL] == e {
				delete(c.byURL, serviceURL)
			}
			c.mu.Unlock()
			close(e.done)
			return caps, err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.caps, nil
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

// Forget drops the cached capabilities of src's services, so they are read
// again (for example once credentials have been entered).
func (c *Catalog) Forget(src vault.Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for u, e := range c.byURL {
		if e.src == src {
			delete(c.byURL, u)
		}
	}
}

// Spec resolves a project layer into an engine spec: it checks the layer
// names against the capabilities, chooses a CRS every named layer offers and
// the GetMap URL. A GetMap URL that the capabilities document points at
// another origin is not used: requests stay on the origin the user entered
// (and credentials with them); the source URL itself is asked instead.
func (c *Catalog) Spec(ctx context.Context, l project.Layer) (LayerSpec, error) {
	if l.Kind != project.KindWMS {
		return LayerSpec{}, fmt.Errorf("layers: layer %s: kind %q is not supported", l.ID, l.Kind)
	}
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return LayerSpec{}, err
	}
	caps, err := c.Capabilities(ctx, l.Source)
	if err != nil {
		return LayerSpec{}, err
	}
	if len(l.WMS.Layers) == 0 {
		return LayerSpec{}, fmt.Errorf("layers: layer %s names no WMS layer", l.ID)
	}
	var crs string
	for i, name := range l.WMS.Layers {
		cl := caps.Find(name)
		if cl == nil {
			return LayerSpec{}, fmt.Errorf("layers: the service no longer offers layer %q", name)
		}
		if i == 0 {
			if crs, err = ChooseCRS(cl); err != nil {
				return LayerSpec{}, err
			}
		} else if !cl.HasCRS(crs) {
			return LayerSpec{}, fmt.Errorf("layers: layers %q and %q share no usable CRS", l.WMS.Layers[0], name)
		}
	}
	getMap := l.Source
	if caps.GetMapURL != "" {
		if u, err := url.Parse(caps.GetMapURL); err == nil && src.SameOrigin(u) {
			getMap = caps.GetMapURL
		}
	}
	format := l.WMS.Format
	if format == "" {
		format = "image/png"
	}
	return LayerSpec{
		ID:          l.ID,
		Source:      src,
		URL:         getMap,
		Version:     caps.Version,
		Names:       l.WMS.Layers,
		Styles:      l.WMS.Styles,
		Format:      format,
		CRS:         crs,
		Opacity:     l.Opacity,
		Transparent: !strings.EqualFold(format, "image/jpeg"),
	}, nil
}

// probeSize is the width and height of the probe GetMap: a real map request,
// as small as servers reliably answer.
const probeSize = 16

// ProbeTarget returns a tiny GetMap for the project layer around lon/lat in
// EPSG:4326 (offered by nearly every WMS), built from the project layer alone
// so that it works while the capabilities are still protected. Auth
// detection sends it to decide whether a credential works.
func ProbeTarget(l project.Layer, lon, lat float64) (vault.Target, error) {
	if _, err := vault.SourceOf(l.Source); err != nil {
		return vault.Target{}, err
	}
	if len(l.WMS.Layers) == 0 {
		return vault.Target{}, fmt.Errorf("layers: layer %s names no WMS layer", l.ID)
	}
	version := l.WMS.Version
	if version == "" {
		version = "1.3.0"
	}
	format := l.WMS.Format
	if format == "" {
		format = "image/png"
	}
	const d = 0.01
	box := geom.NewBounds(geom.XY).Set(lon-d, lat-d, lon+d, lat+d)
	spec := LayerSpec{URL: l.Source, Version: version, Names: l.WMS.Layers, Styles: l.WMS.Styles, Format: format, CRS: "EPSG:4326", Opacity: 1, Transparent: true}
	return vault.Target{URL: GetMapURL(spec, box, probeSize, probeSize), Expect: "image"}, nil
}

package layers

import (
	"context"
	"image"
	"net/http"
	"sync"
	"time"

	"mapvault/vault"
)

// View is what the map shows: a centre, a Web Mercator zoom and a size.
type View struct {
	CenterLon, CenterLat float64
	Zoom                 float64 // web-mercator zoom; fractional zooms scale the nearest integral zoom's tiles
	Width, Height        int     // logical pixels
	Scale                float64 // device pixel ratio (HiDPI); 1 when zero. Frames and requests are Width*Scale x Height*Scale device pixels
}

// Options tunes an Engine. Zero values get the defaults noted.
type Options struct {
	CacheBytes   int64 // tile cache bound, decoded bytes; default 256 MiB
	PerHost      int   // concurrent requests per host:port; default 6
	MaxBodyBytes int64 // per tile response; default 16 MiB
	// Retries for 5xx and 429 answers; default 2, negative for none.
	// Exponential backoff with jitter from 250 ms, or the Retry-After
	// (seconds or HTTP date) when it asks for at most 10 s. A longer
	// Retry-After is not retried: the tile fails with a *RetryAfterError
	// ("the server asks to retry after ...") and the engine sends the host
	// nothing more until then.
	Retries int
	// DecodeBytes bounds the memory of the tiles being decoded at once,
	// over all fetches of the engine; default 64 MiB. A tile's share is
	// estimated before decoding from the size and bit depth its header
	// declares (a 16-bit RGBA PNG takes 8 bytes a pixel) plus the RGBA tile
	// it becomes; a tile that alone exceeds the bound decodes alone.
	// Decoders wait for room, so a burst of heavy tiles from one or many
	// hosts costs at most this much beyond the cache.
	DecodeBytes int64
	Clock       func() time.Time                                 // default time.Now
	Sleep       func(ctx context.Context, d time.Duration) error // default: a timer that stops on ctx
	// NoMerge disables request merging (adjacent compatible layers fetched
	// as one request, see Merger). For measurements.
	NoMerge bool
	// NoMetatiles makes sources that ask for metatiles (Metatiler: WMS)
	// ask one image per tile. For tests and measurements.
	NoMetatiles bool
	// MaxMergedLayers caps how many layers one merged request draws;
	// default DefaultMaxMergedLayers. A server renders one request on one
	// worker: thirty layers in one GetMap are drawn one after another,
	// in groups of four they are drawn in parallel (docs/tile-pipeline.md).
	MaxMergedLayers int
	// RenderInPlace is for a process that draws one frame and exits
	// (mapvault-cli render): Render decodes its bottom layer group's
	// images straight into the frame and does not cache them (see
	// inPlace), so a second Render of the view asks for them again.
	RenderInPlace bool
}

// DefaultMaxMergedLayers is Options.MaxMergedLayers' default.
const DefaultMaxMergedLayers = 4

// Stats describes one Fetch or Render. Tiles counts the tiles the view
// needed over all layer groups, Requests the HTTP round trips made
// (retries included), CacheHits the tiles already cached, Bytes the
// response bytes read.
type Stats struct {
	Tiles, Requests, CacheHits, Bytes int64
	Elapsed                           time.Duration
}

// Engine fetches, caches and composes the tiles of every layer kind (see
// LayerSpec: raster tile sources and vector feature sources). It is safe
// for concurrent use; concurrent Fetch calls share the cache, the per-host
// limits and in-flight requests.
type Engine struct {
	client *http.Client
	opt    Options
	cache  *tileCache
	decode *byteBudget // Options.DecodeBytes

	mu       sync.Mutex
	inflight map[string]*call           // by request key (tile URL, feature tile)
	bodies   map[string]*bodyCall       // Fetcher GETs in flight
	hosts    map[string]chan struct{}   // per host:port semaphore
	backoff  map[string]RetryAfterError // host:port -> a long Retry-After it sent
}

// NewEngine returns an engine that makes its requests with client (whose
// transport adds credentials by the request context's vault source).
func NewEngine(client *http.Client, opt Options) *Engine {
	if client == nil {
		client = &http.Client{}
	}
	if opt.CacheBytes <= 0 {
		opt.CacheBytes = 256 << 20
	}
	if opt.PerHost <= 0 {
		opt.PerHost = 6
	}
	if opt.MaxMergedLayers <= 0 {
		opt.MaxMergedLayers = DefaultMaxMergedLayers
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 16 << 20
	}
	switch {
	case opt.Retries == 0:
		opt.Retries = 2
	case opt.Retries < 0:
		opt.Retries = 0
	}
	if opt.DecodeBytes <= 0 {
		opt.DecodeBytes = 64 << 20
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepContext
	}
	return &Engine{
		client:   client,
		opt:      opt,
		cache:    newTileCache(opt.CacheBytes),
		decode:   newByteBudget(opt.DecodeBytes),
		inflight: map[string]*call{},
		bodies:   map[string]*bodyCall{},
		hosts:    map[string]chan struct{}{},
		backoff:  map[string]RetryAfterError{},
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fetch fetches every tile of the view that is not cached, for all specs
// (specs[0] is the bottom layer), and blocks until done or ctx is
// cancelled. It returns each layer's final state by ID. p may be nil.
func (e *Engine) Fetch(ctx context.Context, v View, specs []LayerSpec, p Progress) map[string]State {
	states, _ := e.fetch(ctx, v, specs, p, false, nil)
	return states
}

// Render is Fetch followed by Compose for one frame (an export, the CLI's
// render): sources that ask for metatiles (Metatiler) fit their requests to
// the view instead (FitView): the block of tiles the frame needs in as few
// images as the server allows, not the grid-aligned metatiles around it.
// Those images are cached like metatiles (but see below); a later Fetch of
// another view rarely reuses them, which is why the interactive map (Fetch
// and Compose) keeps the grid.
//
// With Options.RenderInPlace the bottom layer group's images are decoded
// straight into the frame where they land unchanged, and not cached.
func (e *Engine) Render(ctx context.Context, v View, specs []LayerSpec, p Progress) (*image.RGBA, map[string]State, Stats) {
	var place *inPlace
	if e.opt.RenderInPlace {
		grid := newViewGrid(v)
		place = planInPlace(&grid, e.groups(specs, &grid, true))
	}
	states, st := e.fetch(ctx, v, specs, p, true, place)
	frame, _ := e.compose(v, specs, true, place)
	return frame, states, st
}

// groups is groupSpecs with the engine's options, fitted to grid when fit
// is set.
func (e *Engine) groups(specs []LayerSpec, grid *viewGrid, fit bool) []*layerGroup {
	if !fit {
		grid = nil
	}
	return groupSpecs(specs, e.opt.NoMerge, e.opt.NoMetatiles, e.opt.MaxMergedLayers, grid)
}

// CacheStats returns the number of cached tiles and their decoded size.
func (e *Engine) CacheStats() (entries int, bytes int64) { return e.cache.stats() }

// Purge drops every cached tile of src (its credentials changed or were
// rejected). Downloads of src in flight are not stored.
func (e *Engine) Purge(src vault.Source) { e.cache.purge(src) }

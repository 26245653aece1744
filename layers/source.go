package layers

import (
	"context"
	"image"
)

// The engine draws two shapes of layer source. A kind's Resolve (see Kind)
// returns one of them in LayerSpec.Tiles or LayerSpec.Features; the engine
// keeps one concurrency model for both: per-host limits, one request for
// identical requests in flight, cancellation, retries and Retry-After
// backoff, and the byte-bounded tile cache.

// TileSource is a raster layer's source: one GET per tile of the engine's
// grid (the Web Mercator XYZ grid, 256 logical pixels a tile; see Tile).
// WMS (a GetMap per tile) and XYZ (a template) implement it.
//
// Implementations are immutable values, safe for concurrent use, and
// deterministic: the same tile at the same size gives the same request,
// because its URL is the cache and de-duplication key.
type TileSource interface {
	// Key says what the source draws: sources with equal keys draw equal
	// tiles (the app compares keys to keep a layer's tiles across a new
	// resolve). It never holds a secret.
	Key() string
	// Tile returns the request for tile t drawn at px x px device pixels.
	// ok is false where the source has nothing to draw (outside its zoom
	// range): the tile is empty, not missing or failed.
	Tile(t Tile, px int) (req TileRequest, ok bool)
}

// TileRequest is the GET a TileSource asks for one tile.
type TileRequest struct {
	// URL is the request, never with a secret: the vault transport adds
	// the layer's credential (LayerSpec.Source). Equal URLs are one
	// request and one cache entry, whichever tiles and layers want them.
	URL string
	// Width and Height are the image size asked for. An answer larger
	// than that is refused with ErrTileTooLarge (a small body can declare
	// a huge image) unless MaxSide allows it; a smaller one is scaled up
	// to Width x Height.
	Width, Height int
	// MaxSide, when larger than Width and Height, is the largest side
	// accepted: a tile set whose tiles are larger than announced (512
	// pixels where 256 were expected) still draws, at its resolution.
	MaxSide int
	// Part is the rectangle of the Width x Height image that is the tile
	// (scaled when the answer was larger); empty for the whole image. An
	// over-zoomed XYZ tile is a part of a tile of a shallower level, and
	// the tiles sharing it share one request and one cache entry.
	Part image.Rectangle
	// LonLat says the image covers the tile's longitude/latitude box
	// (rows equally spaced in latitude, WMS in EPSG:4326); the engine
	// remaps its rows into the px x px Web Mercator tile, and Part applies
	// to that tile.
	LonLat bool
	// NotFoundEmpty says a 404 (or a 204, or an empty 200) answer is an
	// empty tile, not an error: XYZ servers answer 404 where they have no
	// data.
	NotFoundEmpty bool
}

// Merger is implemented by tile sources that can draw the layer above them
// in the same request (WMS: LAYERS=a,b in one GetMap). The engine asks it
// only for adjacent layers that are both fully opaque (opacity 1), and uses
// the merged source for both; Fetch and Compose merge the same way, so the
// merged tiles are one cache entry.
type Merger interface {
	// Merge returns the source drawing m with above on top of it in one
	// request, and false when they cannot share requests.
	Merge(above TileSource) (TileSource, bool)
}

// Metatiler is implemented by tile sources that ask for an image of
// several tiles and give each tile a Part of it (WMS metatiles): one
// request and one cache entry for a block of the grid. Options.NoMetatiles
// makes the engine draw such a layer with SingleTiles instead.
type Metatiler interface {
	// SingleTiles returns the source asking one image per tile.
	SingleTiles() TileSource
	// FitView returns the source asking, for the tiles of cover (columns
	// and rows of zoom z, Max exclusive, at px device pixels a tile), as
	// few images as the server's size cap allows but at least least, each
	// a block of cover, instead of grid-aligned metatiles; other tiles as
	// before. Render draws one frame, so pixels of a metatile outside it
	// would be fetched for nothing.
	FitView(z int, cover image.Rectangle, px, least int) TileSource
}

// FeatureSource is a vector layer's source (WFS, OGC API - Features,
// GeoJSON): it fetches features and rasterises them itself, tile by tile.
// The vector package implements it; the engine fetches its tiles like
// raster tiles (centre first, cached, cancelled on every move) and makes
// its HTTP requests through a Fetcher under the same per-host limits.
//
// Implementations must be safe for concurrent use: RenderTile runs on
// pipeline goroutines, several tiles at once.
type FeatureSource interface {
	// Key says what the source draws (features and style): equal keys draw
	// equal tiles. It never holds a secret. The engine caches rendered
	// tiles under the key, the tile and the size.
	Key() string
	// RenderTile draws the features in tile t (plus what reaches into it:
	// strokes, point symbols) into a new px x px premultiplied RGBA; nil
	// for an empty tile. It fetches through f (features for the tile's
	// bounding box, next pages, ...), keeps its own bounded feature cache
	// if it wants one, and returns ctx.Err() once ctx is done. Its errors
	// become the layer's state: vault.ErrNoCredentials, vault.ErrRejected
	// and *HTTPError 401/403/498 block the layer; a *ServiceException or
	// any other error fails the tile with its text as the Reason.
	RenderTile(ctx context.Context, f Fetcher, t Tile, px int) (*image.RGBA, error)
}

// Fetcher makes a FeatureSource's requests the way the engine makes tile
// requests: for the layer's credential source (the transport attaches its
// credential to URLs the source covers), at most Options.PerHost at a time
// per host (the same limit as tiles), identical GETs in flight sent once,
// 5xx and 429 retried with Retry-After honoured, the body bounded by
// Options.MaxBodyBytes, and cancelled with ctx.
type Fetcher interface {
	// Get sends a GET of url with the Accept header accept and returns the
	// body and its Content-Type of a 2xx answer. A non-2xx answer is a
	// *HTTPError, or a *ServiceException when its body is one; a 2xx whose
	// body is an OGC exception report is a *ServiceException too.
	Get(ctx context.Context, url, accept string) (body []byte, contentType string, err error)
}

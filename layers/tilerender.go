package layers

import (
	"context"
	"image"
)

// TileRenderer is a TileSource whose tiles are not one request each: a
// tile set on another grid (a WMTS set in EPSG:4326, or in EPSG:3857 with
// another origin or scale), resampled from the several source tiles an
// engine tile covers. The engine draws it the way it draws a
// FeatureSource: RenderTile per tile of the view, centre first, at most
// Options.PerHost tiles of the layer at once, the result cached under the
// source's Key, the tile and the size. The Fetcher it gets is also a
// TileFetcher, which fetches the source tiles as raster tiles. Tile is not
// used for drawing (a probe may use it).
type TileRenderer interface {
	TileSource
	// RenderTile draws tile t into a new px x px premultiplied RGBA; nil
	// for an empty tile. Errors are a FeatureSource's (see RenderTile
	// there).
	RenderTile(ctx context.Context, f Fetcher, t Tile, px int) (*image.RGBA, error)
}

// TileFetcher is implemented by the Fetcher a TileRenderer gets: GetTile
// fetches one raster tile the way the engine fetches a TileSource's tiles
// (the layer's credential source, a slot of the URL's host, one request
// for identical URLs in flight, retries, NotFoundEmpty, the size checks of
// Width, Height and MaxSide), decodes it and keeps it in the byte-bounded
// tile cache under its URL, so the engine tiles sharing a source tile
// fetch it once. A nil image is an empty tile. LonLat and Part are not
// looked at: the caller places the image.
type TileFetcher interface {
	GetTile(ctx context.Context, req TileRequest) (*image.RGBA, error)
}

// GetTile implements TileFetcher.
func (f *engineFetcher) GetTile(ctx context.Context, tr TileRequest) (*image.RGBA, error) {
	tr.LonLat, tr.Part = false, image.Rectangle{}
	if tr.Width <= 0 || tr.Height <= 0 {
		tr.Width, tr.Height = TileSize, TileSize
	}
	req := request{key: tr.URL, src: f.src, raster: tr, tilePx: tr.Width}
	for {
		c, owner, img := f.e.join(req.key)
		if img != nil {
			return nonEmpty(img), nil
		}
		if !owner {
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if c.err == nil {
				return nonEmpty(c.img), nil
			}
			if !abandoned(c.err) || ctx.Err() != nil {
				return nil, c.err
			}
			continue // its sender gave up; this one still wants it
		}
		gen := f.e.cache.generation(f.src)
		sem := f.e.semaphore(hostKey(tr.URL))
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			f.e.finish(req.key, c, nil, ctx.Err())
			return nil, ctx.Err()
		}
		img, err := f.e.download(ctx, req, f.st)
		<-sem
		if err == nil && ctx.Err() != nil {
			img, err = nil, ctx.Err()
		}
		if err == nil {
			f.e.cache.put(req.key, f.src, gen, img)
		}
		f.e.finish(req.key, c, img, err)
		if err != nil {
			return nil, err
		}
		return nonEmpty(img), nil
	}
}

func nonEmpty(img *image.RGBA) *image.RGBA {
	if img == emptyTile {
		return nil
	}
	return img
}

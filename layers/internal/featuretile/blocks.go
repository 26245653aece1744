package featuretile

import (
	"context"
	"image"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/layers/vector"
)

// Blocks is what the kinds that fetch features per block of tiles (WFS,
// OGC API - Features) share as a layers.FeatureSource, layers.Identifier
// and layers.Legender: tiles are drawn, and clicks identified, from the
// features of the fetch block that covers them (ViewCache), which Fetch
// gets from the service. A kind's Source embeds it and sets every field.
type Blocks struct {
	Cache    *ViewCache
	FetchKey string // names what Fetch gets: the cache key of its blocks
	Style    vector.Style
	Fetch    func(ctx context.Context, f layers.Fetcher, box vector.Bounds) (*vector.Layer, error)
}

// Key names the features and the style; never a secret.
func (b *Blocks) Key() string { return b.FetchKey + " " + StyleKey(b.Style) }

// RenderTile draws tile t from its fetch block's features (fetched once,
// cached by the session's feature cache).
func (b *Blocks) RenderTile(ctx context.Context, f layers.Fetcher, t layers.Tile, px int) (*image.RGBA, error) {
	return b.Cache.Render(ctx, b.FetchKey, b.Style, t, px, b.fetcher(f))
}

// Queryable is true: the layer answers from its own features.
func (b *Blocks) Queryable() bool { return true }

// Identify returns the features under q's point from the fetch block that
// draws it (fetched and cached as for drawing).
func (b *Blocks) Identify(ctx context.Context, f layers.Fetcher, q layers.IdentifyQuery) ([]layers.IdentifiedFeature, error) {
	return b.Cache.Identify(ctx, b.FetchKey, b.Style, q, b.fetcher(f))
}

// Legend is the style's legend.
func (b *Blocks) Legend(context.Context, layers.Fetcher, float64) ([]decor.LegendItem, error) {
	return Legend(b.Style, ""), nil
}

func (b *Blocks) fetcher(f layers.Fetcher) func(ctx context.Context, box vector.Bounds) (*vector.Layer, error) {
	return func(ctx context.Context, box vector.Bounds) (*vector.Layer, error) { return b.Fetch(ctx, f, box) }
}

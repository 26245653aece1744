// Package layers owns the map engine: the layer-kind registry (Kind,
// Registry) that turns project layers into engine specs, the sources the
// engine draws (TileSource for raster kinds, a TileRenderer when a tile
// takes several requests, FeatureSource for vector ones), the tile fetch
// pipeline with its in-memory cache, reprojection,
// and compositing of visible layers into an RGBA frame. The kinds live in
// sub-packages (layers/wms, layers/xyz) and are listed in
// layers/kinds.Default; nothing here switches on a kind.
//
// It must not import Fyne, must not follow its own HTTP client (it is handed
// one whose transport adds credentials) and must never cache a protected
// source's tiles on disk.
package layers

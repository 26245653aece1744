// Package geojson is the geojson layer kind: one GeoJSON document, from a
// URL (fetched once per session through the engine's Fetcher, with the
// layer's credential) or a local file (read once, size-bounded, no
// credential), drawn tile by tile with the layer's style by package
// vector. It is registered in layers/kinds.Default.
package geojson

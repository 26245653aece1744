// Package layers owns the map engine: WMS GetCapabilities parsing, GetMap
// request building, the tile fetch pipeline with its in-memory cache,
// reprojection, and compositing of visible layers into an RGBA frame.
//
// It must not import Fyne, must not follow its own HTTP client (it is handed
// one whose transport adds credentials) and must never cache a protected
// source's tiles on disk.
package layers

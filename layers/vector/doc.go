// Package vector owns vector features: the feature model, the parsers of
// the documents that carry them (GeoJSON, OGC API - Features items and
// collections, WFS GML and capabilities), the WFS GetFeature and OGC API
// items request URLs, a byte-bounded feature cache, and the one antialiased
// vector renderer that draws features into an RGBA frame.
//
// Every parser is bounded by Options: document size, feature count,
// coordinate count and nesting depth. Exceeding a bound is a *LimitError,
// never an out-of-memory. A view that holds more than
// Options.MaxFeaturesPerView features is not drawn: the renderer and
// Options.CheckView report a *ZoomInError ("zoom in to see features").
//
// Geometries are always held in WGS 84 longitude/latitude degrees, x = east
// (EPSG:4326 in "traditional GIS" order). Parsers convert EPSG:3857 input and
// undo the latitude-first axis order of GML srsNames; other CRSs are refused
// with a *CRSError, so ask the server for EPSG:4326 (the request builders do).
//
// It must not import Fyne or the layers package, must not do HTTP (callers
// fetch with the client that carries credentials and hand the bodies in),
// and keeps nothing on disk. It uses only the standard library, go-geom,
// golang.org/x/image/vector and golang.org/x/text.
package vector

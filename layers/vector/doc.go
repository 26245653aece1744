// Package vector owns vector features: the feature model, the parsers of
// the documents that carry them (GeoJSON, OGC API - Features items and
// collections, WFS GML and capabilities), the WFS GetFeature and OGC API
// items request URLs, a byte-bounded feature cache, and the one antialiased
// vector renderer that draws features into an RGBA frame.
//
// It must not import Fyne or any other mapvault package (layers uses it, not
// the other way round), must not do HTTP (callers fetch with the client
// that carries credentials and hand the bodies in), and keeps nothing on
// disk. It uses only the standard library, go-geom,
// golang.org/x/image/vector and golang.org/x/text.
//
// # Model
//
// Geometries are always WGS 84 longitude/latitude degrees, x = east, XY
// (Z and M are dropped). Parsers convert EPSG:3857 input and undo the
// latitude-first axis order of GML srsNames; other CRSs are refused with a
// *CRSError, so ask the server for EPSG:4326 (the request builders do).
// GeoJSON attribute numbers stay json.Number, never float64, so 64-bit ids
// survive; GML attributes are strings. Feature.Property gives the text a
// categorised style matches.
//
// # Axis order
//
// GeoJSON is always longitude first, whatever a legacy "crs" member says.
// In GML, urn:ogc:def:crs:EPSG::4326 (any version, also urn:x-ogc) and
// http://www.opengis.net/def/crs/EPSG/0/4326 are latitude first, as the
// EPSG database defines them; EPSG:4326, the GML 2 form
// http://www.opengis.net/gml/srs/epsg.xml#4326 and CRS84 are longitude
// first, which is what WFS 1.0 servers and MapServer/GeoServer write for
// those names. A geometry without srsName inherits it from enclosing
// geometries, then the feature's or collection's gml:boundedBy, then
// Options.DefaultCRS (EPSG:4326, longitude first). GetFeatureURL writes a
// 2.0/1.1 BBOX latitude first with the URN suffix, which every conforming
// server reads the same way, and a 1.0 BBOX longitude first.
//
// # Bounds
//
// Every parser is bounded by Options; a field left zero takes its default:
//
//	MaxBytes            64 MiB    bytes read from one document
//	MaxFeatures         100,000   features in one document
//	MaxCoordinates      5,000,000 positions in one document (~80 MB parsed)
//	MaxDepth            64        JSON/XML nesting, GeometryCollection depth
//	MaxFeaturesPerView  20,000    features one view may draw
//	CacheBytes          128 MiB   budget of a Cache
//
// Exceeding a document bound is a *LimitError (errors.Is ErrLimit) raised
// while streaming, before the memory is spent: the GeoJSON features array
// is decoded one feature at a time and coordinates go straight into
// go-geom's flat layout, GML is walked token by token. A view with more
// than MaxFeaturesPerView features is not drawn: Renderer.Render returns a
// *ZoomInError (errors.Is ErrZoomIn, "zoom in to see features"). A caller
// fetching pages checks numberMatched and the running total with
// Options.CheckView, stops at the first page that passes the bound, and
// caches ZoomInLayer for that view so it is not fetched again.
//
// # Rendering
//
// NewLayer prepares features once: positions are projected to the unit Web
// Mercator square (independent of zoom), rings are oriented so holes cancel
// under non-zero coverage whatever the data's winding, and every feature
// and ring keeps its bounds. A Renderer then draws a Layer for a
// WebMercator view with one multiply-add per vertex, skipping everything
// outside the frame with one box test per feature, clipping the rest to
// the frame plus a margin. Fills go through golang.org/x/image/vector into
// a reused coverage mask, composited with SWAR "over"; outlines and lines
// up to 2 px wide are hairlines drawn straight into the frame by area
// sampling, wider ones are rasterised as same-winding segment rectangles;
// point symbols are rasterised once per frame and subpixel offset, then
// stamped. Features are drawn in order, fill then outline, so overlapping
// translucent features darken as in QGIS. Any other Projector works too,
// at the cost of projecting every vertex per frame.
//
// # Identify
//
// Layer.Hit lists the features under a clicked point, topmost first, with
// the renderer's rules: polygons by non-zero winding of the oriented rings
// (holes excluded) or near their outline, lines and points within a
// tolerance in logical pixels at the view's zoom. It skips far features
// with one box test each and is safe from several goroutines.
// Feature.SortedProperties lists a feature's attributes by name for
// display.
//
// BenchmarkRender5000Polygons1080p draws 5,000 polygons of 20 vertices
// tiling Europe into a 1920x1080 frame; see its comment for figures.
package vector

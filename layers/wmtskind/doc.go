// Package wmtskind is the WMTS layer kind (project kind "wmts"): it plugs
// the network-free WMTS 1.0.0 package layers/wmts into the layers engine
// (layers.Kind, layers.TileSource, detection, the CLI's layers report).
//
// It is a package of its own because layers/wmts must not import the
// layers engine (its TestImports contract); everything that needs
// mapvault/layers lives here.
//
// Web-Mercator only: the engine draws Web Mercator z/x/y tiles, so a layer
// is drawn from a tile matrix set that is Web-Mercator aligned
// (wmts.TileMatrixSet.IsWebMercator: GoogleMapsCompatible and equivalents,
// whatever their matrix identifiers, "00".."19" in MapProxy, and whichever
// level comes first). Such a set is preferred when the project layer names
// none. A set that is not aligned (EPSG:4326, a national grid, 512-pixel
// tiles) is refused with a *NotWebMercatorError: resampling it would need a
// TileRequest that composes several source tiles into one engine tile,
// which the engine's model (one request per tile, optionally a Part of it
// or a lon/lat row remap) does not offer.
package wmtskind

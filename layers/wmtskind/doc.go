// Package wmtskind is the WMTS layer kind (project kind "wmts"): it plugs
// the network-free WMTS 1.0.0 package layers/wmts into the layers engine
// (layers.Kind, layers.TileSource, detection, the CLI's layers report).
//
// It is a package of its own because layers/wmts must not import the
// layers engine (its TestImports contract); everything that needs
// mapvault/layers lives here.
//
// The engine draws Web Mercator z/x/y tiles. A layer on a tile matrix set
// that is Web-Mercator aligned (wmts.TileMatrixSet.IsWebMercator:
// GoogleMapsCompatible and equivalents, whatever their matrix identifiers,
// "00".."19" in MapProxy, and whichever level comes first) is drawn as z/x/y
// (Tiles); such a set is preferred when the project layer names none. A set
// in EPSG:4326, CRS84 or Web Mercator with other levels (512-pixel tiles,
// another origin) is resampled (Resampled, a layers.TileRenderer: several
// source tiles per engine tile, fetched through layers.TileFetcher). A set
// in any other CRS is refused with a *NotWebMercatorError.
package wmtskind

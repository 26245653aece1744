// Package wmts owns the OGC WMTS 1.0.0 client side that does not touch the
// network: it parses GetCapabilities documents (Parse), does the tile
// matrix arithmetic an engine needs (which TileMatrix suits a resolution,
// which tiles cover a box, each tile's box, whether a set is the
// Web-Mercator "GoogleMapsCompatible" grid that can be drawn as z/x/y), builds
// GetTile requests in the KVP or RESTful encoding (TileURL, Source), and
// summarises a service for `mapvault-cli layers --json` (Report).
//
// Coordinates, CRS identifiers and axis order: every box and corner this
// package returns is in east/north order (x = easting or longitude), whatever
// order the document wrote it in; see NorthingFirst for the rules applied
// when reading a document.
//
// It must not do I/O (the caller fetches, with the client that adds
// credentials), must not import the layers engine or Fyne, and must never put
// a URL into an error or a warning: templates and endpoints may carry keys.
package wmts

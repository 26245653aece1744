// Package demo is mapvault's offline demo: a small loopback WMS server that
// draws the embedded Natural Earth data (package assets) behind three kinds of
// access — none, HTTP Basic and an access key in the query — and the demo
// project that points at it.
//
// The server answers WMS 1.3.0 and 1.1.1 GetCapabilities and GetMap (PNG,
// EPSG:3857, EPSG:4326 and CRS:84) and reports bad requests as OGC
// ServiceException XML. On the same server it also serves a public XYZ
// basemap (TilesTemplate, 256-pixel EPSG:3857 tiles, cached in memory), a
// WMTS 1.0.0 (WMTSPath, KVP and RESTful, one GoogleMapsCompatible layer)
// behind the access key WMTSKey, and an OGC API - Features service
// (FeaturesPath, the countries with name and iso_n3, paged by next links)
// behind HTTP Basic. The demo credentials are public constants; they
// protect nothing and exist so the vault can be tried without a real server.
//
// It must not import Fyne, and it never logs a request URL or credential.
package demo

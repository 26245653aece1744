// Package assets owns the files shipped inside the binaries: the application
// icon (icon.png, drawn by tools/genicon) and the offline demo data
// (public-domain Natural Earth data as GeoJSON under data/, see
// data/SOURCES.md). The loopback demo WMS server and the demo project live in
// the subpackage demo.
//
// It must not import Fyne and holds no secrets.
package assets

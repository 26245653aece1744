// Package xyz is the XYZ/TMS tile layer kind (project kind "xyz"): a URL
// template ("https://{s}.tiles.example.com/v3/{z}/{x}/{y}{r}.png") on the
// engine's own Web Mercator grid, with TMS rows ({-y}), subdomains ({s}),
// HiDPI tiles ({r}, "@2x"), a zoom range with over-zoom past the deepest
// level, 256- or 512-pixel tiles, and 404 as an empty tile.
//
// A template's credential source is the path prefix before its first
// placeholder on the (first subdomain's) origin, so a key pasted in its
// query is split off like any other and goes only to its tiles. It must
// not import Fyne and makes no request of its own: the engine fetches.
package xyz

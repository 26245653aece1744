// Package wms is the WMS layer kind: GetCapabilities (1.3.0 with fallback
// to 1.1.1) parsed with the specification's inheritance rules, GetMap
// requests built per tile, and the layers.Kind that resolves a project
// layer into a tile source (merging adjacent layers of one service into
// one GetMap), probes it, detects WMS URLs and documents and lists a
// service's layers.
//
// It must not import Fyne, fetches only with the client it is handed (the
// authenticating one, which attaches credentials per source), and never
// puts a secret into a URL, an error or a report.
package wms

package main

import (
	"math"

	"mapvault/layers"
	"mapvault/layers/wms"
)

// request is one GetMap round trip of the plan.
type request struct {
	URL  string
	Tile layers.Tile // the most central tile it draws
	W, H int         // image size asked for
}

// plan returns the GetMap requests the engine makes for view v when every
// layer of names comes from the same WMS at base (opacity 1, transparent
// PNG), with no capabilities (no extent or scale limits): see planWith.
func plan(base, version string, names []string, v layers.View, merge bool) []request {
	return planWith(nil, base, version, names, nil, v, merge, true, true, 0)
}

// planWith returns the engine's GetMap requests for view v, with the
// extent, scale ranges and MaxWidth of caps (nil for none): one request per
// metatile with LAYERS=a,b,c when merge is true (the engine's request
// merging, at most maxMerged layers a request; 0: the engine's default),
// one request per metatile and layer otherwise. The order is
// the engine's: tiles centre first (a metatile at its first tile), and
// with merging off the layers of a tile bottom first after one another.
// meta false is the engine's Options.NoMetatiles: one request per tile;
// else with fit the requests are fitted to the view, as Render's are
// (Metatiler.FitView), without it the grid's metatiles of Fetch (the map).
// styles holds the WMS style of each layer of names (missing entries: the
// default style), as the project's layers give them.
//
// There is no exported engine function that lists its requests, so the
// plan is built from the same exported parts the engine uses:
// layers.TilesForView for the tiles and their priority, and wms.Tiles
// (wms.NewTilesFor, what the WMS kind's Resolve builds) for each tile's
// request; equal URLs are one request, as in the engine. TestPlanMatchesEngine
// checks that an Engine.Render sends exactly these URLs.
func planWith(caps *wms.Capabilities, base, version string, names, styles []string, v layers.View, merge, meta, fit bool, maxMerged int) []request {
	px := tilePixels(v)
	padded := make([]string, len(names))
	copy(padded, styles)
	styles = padded
	type group struct{ names, styles []string }
	// Merged, the engine draws at most layers.DefaultMaxMergedLayers
	// adjacent layers in one request; unmerged, one each.
	per := maxMerged
	if per <= 0 {
		per = layers.DefaultMaxMergedLayers
	}
	if !merge {
		per = 1
	}
	var groups []group
	for i := 0; i < len(names); i += per {
		j := min(i+per, len(names))
		groups = append(groups, group{names[i:j], styles[i:j]})
	}
	z, cover, _, fits := layers.ViewCover(v)
	var srcs []layers.TileSource
	for _, g := range groups {
		t, err := wms.NewTilesFor(caps, wms.Params{
			URL:         base,
			Version:     version,
			Layers:      g.names,
			Styles:      g.styles,
			Format:      "image/png",
			CRS:         "EPSG:3857",
			Transparent: true,
			Metatile:    map[bool]int{true: 0, false: 1}[meta],
		})
		if err != nil {
			return nil
		}
		if fit && fits && meta {
			srcs = append(srcs, t.FitView(z, cover, px, map[bool]int{true: 2, false: 1}[len(groups) == 1])) // as Render: two parts for one group
			continue
		}
		srcs = append(srcs, t)
	}
	var out []request
	seen := map[string]bool{}
	for _, t := range layers.TilesForView(v) {
		for _, s := range srcs {
			r, ok := s.Tile(t, px)
			if !ok || seen[r.URL] {
				continue
			}
			seen[r.URL] = true
			out = append(out, request{URL: r.URL, Tile: t, W: r.Width, H: r.Height})
		}
	}
	return out
}

// tilePixels is the side of a requested tile in device pixels, as the
// engine computes it: 256 logical pixels times the device pixel ratio.
func tilePixels(v layers.View) int {
	scale := v.Scale
	if !(scale > 0) {
		scale = 1
	}
	return max(1, int(math.Round(layers.TileSize*scale)))
}

// viewBBox returns the view's extent in EPSG:3857 metres (minx, miny, maxx,
// maxy): the frame's device pixels around the centre at the view's Web
// Mercator resolution. GDAL is asked for exactly this box at the frame size.
func viewBBox(v layers.View) (minX, minY, maxX, maxY float64) {
	w, h := v.DeviceSize()
	scale := v.Scale
	if !(scale > 0) {
		scale = 1
	}
	// metres per device pixel at this zoom
	res := 2 * layers.MercatorExtent / (layers.TileSize * scale * math.Exp2(v.Zoom))
	cx, cy := layers.LonLatToMercator(v.CenterLon, v.CenterLat)
	halfW, halfH := float64(w)/2*res, float64(h)/2*res
	return cx - halfW, cy - halfH, cx + halfW, cy + halfH
}

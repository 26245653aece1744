package layers

import (
	"fmt"
	"strings"
	"testing"
)

// TestMergedRequestsHoldAtMostMaxMergedLayers: ten mergeable layers of one
// source are drawn in groups of at most Options.MaxMergedLayers (default
// 4), bottom first, so a server renders them on several workers at once;
// NoMerge still asks each alone.
func TestMergedRequestsHoldAtMostMaxMergedLayers(t *testing.T) {
	var specs []LayerSpec
	for i := range 10 {
		name := fmt.Sprintf("l%d", i)
		specs = append(specs, LayerSpec{ID: name, Source: "http://h/wms", Opacity: 1,
			Tiles: testTiles{base: "http://h/wms?", names: []string{name}, crs: "EPSG:3857", transparent: true}})
	}
	layersOf := func(groups []*layerGroup) []string {
		var out []string
		for _, g := range groups {
			out = append(out, strings.Join(g.ids, ","))
		}
		return out
	}
	e := NewEngine(nil, Options{})
	got := layersOf(groupSpecs(specs, e.opt.NoMerge, false, e.opt.MaxMergedLayers, nil))
	if want := "l0,l1,l2,l3 l4,l5,l6,l7 l8,l9"; strings.Join(got, " ") != want {
		t.Errorf("default groups = %q, want %q", got, want)
	}
	if got := layersOf(groupSpecs(specs, false, false, 0, nil)); len(got) != 1 {
		t.Errorf("no cap: %d groups, want 1", len(got))
	}
	if got := layersOf(groupSpecs(specs, true, false, 4, nil)); len(got) != 10 {
		t.Errorf("NoMerge: %d groups, want 10", len(got))
	}
	// The merged group's request names its layers.
	g := groupSpecs(specs, false, false, 4, nil)[1]
	if r, _ := g.tiles.Tile(Tile{Z: 3, X: 4, Y: 2}, 256); !strings.Contains(r.URL, "LAYERS=l4,l5,l6,l7&") {
		t.Errorf("second group's URL %q, want LAYERS=l4,l5,l6,l7", r.URL)
	}
}

package main

import (
	"path/filepath"
	"testing"

	"mapvault/assets/demo"
)

// TestRenderHiddenGroup: a layer whose group is hidden is not drawn, though
// its own eye is on.
func TestRenderHiddenGroup(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	p := demo.Project(base)
	p.Layers = p.Layers[:2] // the basemap and the public land layer
	p.Layers[1].Group = "Land"
	p.SetGroupVisible("Land", false)
	path := saveProject(t, dir, "p.mapvault.json", p)
	r := runArgs(t, "render", path, "-o", filepath.Join(dir, "out.png"), "--size", "64x64", "--no-keychain")
	wantCode(t, r, exitOK, "render with a hidden group")
	states := layerStates(r.err)
	if got, want := states["land"], `hidden (group "Land")`; got != want {
		t.Errorf("layer land: %q, want %q\nstderr:\n%s", got, want, r.err)
	}
	if got := states["basemap"]; len(got) < 2 || got[:2] != "ok" {
		t.Errorf("layer basemap: %q, want ok\nstderr:\n%s", got, r.err)
	}
}

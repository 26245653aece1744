package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHeadlessHasNoUI guards the design rule that the core packages and the
// headless CLI never pull in Fyne (and so build without cgo).
func TestHeadlessHasNoUI(t *testing.T) {
	if testing.Short() {
		t.Skip("lists dependencies with the go command")
	}
	pkgs := []string{
		"mapvault/project",
		"mapvault/vault",
		"mapvault/layers",
		"mapvault/layers/wms",
		"mapvault/layers/xyz",
		"mapvault/layers/geojson",
		"mapvault/layers/wfs",
		"mapvault/layers/features",
		"mapvault/layers/kinds",
		"mapvault/app/session",
		"mapvault/assets/demo",
		"mapvault/cmd/mapvault-cli",
	}
	for _, pkg := range pkgs {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "fyne.io/") || dep == "mapvault/app" {
				t.Errorf("%s depends on %s; the core and the CLI must not import the UI", pkg, dep)
			}
		}
	}
}

package vector

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSelfContained guards the package's promise: the standard library,
// go-geom, golang.org/x/image and golang.org/x/text only; no Fyne, no other
// mapvault package (layers imports this one, not the other way round).
func TestSelfContained(t *testing.T) {
	if testing.Short() {
		t.Skip("lists dependencies with the go command")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	allowed := []string{"mapvault/layers/vector", "mapvault/layers/internal/ogcxml", "github.com/twpayne/go-geom", "golang.org/x/image/", "golang.org/x/text/"}
	for _, dep := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			if dep == a || strings.HasPrefix(dep, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a)) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("layers/vector depends on %s", dep)
		}
	}
}

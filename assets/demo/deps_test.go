package demo

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoFyne guards the rule that the demo server is plain Go: it must not
// depend on Fyne (the CLI embeds it with CGO_ENABLED=0).
func TestNoFyne(t *testing.T) {
	if testing.Short() {
		t.Skip("go list is slow-ish; skipped in -short mode")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", "mapvault/assets/demo").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") {
			t.Errorf("mapvault/assets/demo depends on %s", dep)
		}
	}
}

package wmts

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports guards the package's contract: it is self-contained, so the
// layers engine can be redesigned around it. It may import the standard
// library, golang.org/x/text, go-geom and mapvault/vault (for RedactURL),
// nothing else: not mapvault/layers, never Fyne.
func TestImports(t *testing.T) {
	if testing.Short() {
		t.Skip("lists imports with the go command")
	}
	cmd := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(imp, "/")
		switch {
		case !strings.Contains(first, ".") && first != "mapvault": // standard library
		case strings.HasPrefix(imp, "golang.org/x/text/"):
		case imp == "github.com/twpayne/go-geom" || strings.HasPrefix(imp, "github.com/twpayne/go-geom/"):
		case imp == "mapvault/vault":
		default:
			t.Errorf("layers/wmts imports %s; it may only import the standard library, golang.org/x/text, go-geom and mapvault/vault", imp)
		}
	}
}

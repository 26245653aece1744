package decor

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSelfContained guards the package's promise: it imports the standard
// library and golang.org/x/image only; no Fyne, no other mapvault package.
// golang.org/x/text comes in only through golang.org/x/image/font/sfnt
// (font name tables in legacy encodings).
func TestSelfContained(t *testing.T) {
	if testing.Short() {
		t.Skip("lists dependencies with the go command")
	}
	list := func(format string) []string {
		cmd := exec.Command("go", "list", "-f", format, ".")
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	for _, imp := range list(`{{join .Imports " "}}`) {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !strings.HasPrefix(imp, "golang.org/x/image/") {
			t.Errorf("layers/decor imports %s", imp)
		}
		if strings.HasPrefix(imp, "mapvault") {
			t.Errorf("layers/decor imports %s", imp)
		}
	}
	allowed := []string{"mapvault/layers/decor", "golang.org/x/image/", "golang.org/x/text/"}
	for _, dep := range strings.Fields(strings.Join(list(`{{range .Deps}}{{.}} {{end}}`), " ")) {
		if !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") && !strings.HasPrefix(dep, "mapvault") {
			continue // standard library
		}
		ok := false
		for _, a := range allowed {
			if dep == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a)) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("layers/decor depends on %s", dep)
		}
	}
}

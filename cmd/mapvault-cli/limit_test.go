package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// sparseFile makes a file of the given size that takes no disk space.
func sparseFile(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Skipf("cannot make a sparse file of %d bytes: %v", size, err)
	}
}

// A 5 GB project or KeyVault is refused with one clear line naming it,
// before anything is read into memory.
func TestHugeFilesRefused(t *testing.T) {
	base := demoServer(t)
	for _, which := range []string{"project", "keyvault"} {
		dir := t.TempDir()
		proj := filepath.Join(dir, "huge.mapvault.json")
		huge := proj
		if which == "keyvault" {
			saveProject(t, dir, "huge.mapvault.json", project.New("h"))
			huge = vault.SidecarPath(proj)
		}
		sparseFile(t, huge, 5<<30)
		for _, args := range [][]string{
			{"check", proj},
			{"render", proj, "-o", filepath.Join(dir, "out.png")},
			{"add", proj, base + demo.PublicPath, "--layers", "land"},
		} {
			r := runArgs(t, args...)
			wantCode(t, r, exitFailure, which+": "+strings.Join(args[:1], " "))
			if !strings.Contains(r.err, huge+": file too large (5 GiB); mapvault reads at most") {
				t.Errorf("%s %s: stderr %q, want it to name %s as too large", which, args[0], r.err, huge)
			}
		}
	}
}

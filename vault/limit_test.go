package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/project"
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

// wantTooLarge fails unless err is a *project.TooLargeError for path.
func wantTooLarge(t *testing.T, err error, path string) {
	t.Helper()
	var tl *project.TooLargeError
	if !errors.Is(err, project.ErrTooLarge) || !errors.As(err, &tl) || tl.File != path {
		t.Fatalf("error = %v, want a *project.TooLargeError for %s", err, path)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestLoadKeyVaultRefusesTooLargeFile(t *testing.T) {
	for _, size := range []int64{MaxKeyVaultSize + 1, 5 << 30} {
		path := filepath.Join(t.TempDir(), "p.keyvault.json")
		sparseFile(t, path, size)
		kv, err := LoadKeyVault(path)
		if kv != nil {
			t.Errorf("LoadKeyVault(%d bytes) returned a vault", size)
		}
		wantTooLarge(t, err, path)
	}
}

func TestScanRefusesTooLargeFiles(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mapvault.json")
	sparseFile(t, proj, 5<<30)
	_, err := ScanProject(proj)
	wantTooLarge(t, err, proj)
	_, err = ScanFile(proj)
	wantTooLarge(t, err, proj)

	// A KeyVault has the smaller limit.
	if err := os.WriteFile(proj, []byte(`{"format": "mapvault-project", "version": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	side := SidecarPath(proj)
	sparseFile(t, side, MaxKeyVaultSize+1)
	_, err = ScanProject(proj)
	wantTooLarge(t, err, side)
}

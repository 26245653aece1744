package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// wantTooLarge fails unless err is a *TooLargeError for path.
func wantTooLarge(t *testing.T, err error, path string) {
	t.Helper()
	var tl *TooLargeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) {
		t.Fatalf("error = %v, want a *TooLargeError matching ErrTooLarge", err)
	}
	if tl.File != path || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q names %q, want %q", err, tl.File, path)
	}
}

func TestLoadRefusesTooLargeFile(t *testing.T) {
	for _, size := range []int64{MaxSize + 1, 5 << 30} {
		path := filepath.Join(t.TempDir(), "huge.mapvault.json")
		sparseFile(t, path, size)
		p, err := Load(path)
		if p != nil {
			t.Errorf("Load(%d bytes) returned a project", size)
		}
		wantTooLarge(t, err, path)

		// Save does not read it either, and refuses to replace it.
		err = Save(path, New("x"))
		if !errors.Is(err, ErrCorruptTarget) {
			t.Errorf("Save over a %d-byte file: error = %v, want ErrCorruptTarget", size, err)
		}
		wantTooLarge(t, err, path)
		if fi, err := os.Stat(path); err != nil || fi.Size() != size {
			t.Errorf("after the refused Save: %v, %v; want the file untouched", fi, err)
		}
	}
}

// A file without a size (a device, a pipe, a file that grows while it is
// read) is read through the limit.
func TestReadFileStopsAtTheLimit(t *testing.T) {
	const dev = "/dev/zero"
	if _, err := os.Stat(dev); err != nil {
		t.Skip(dev, "not available")
	}
	_, err := ReadFile(dev, 1<<20)
	wantTooLarge(t, err, dev)
	if !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Errorf("error %q, want it to say more than 1 MiB", err)
	}
}

func TestReadFileWithinTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(path, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{5, 100} {
		got, err := ReadFile(path, limit)
		if err != nil || string(got) != "12345" {
			t.Errorf("ReadFile(limit %d) = %q, %v; want 12345", limit, got, err)
		}
	}
	_, err := ReadFile(path, 4)
	wantTooLarge(t, err, path)
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing"), 4); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) error = %v, want fs.ErrNotExist", err)
	}
}

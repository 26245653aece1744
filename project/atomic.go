package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFileAtomic replaces the file at path with data so that a reader sees
// either the old or the new content, never a mix, and a crash leaves the old
// file in place. It writes a temporary file in the same folder, syncs it,
// renames it over path and syncs the folder. The temporary file is removed on
// any failure.
//
// An existing file keeps its permission bits; a new file gets perm. When path
// is a symbolic link, the file it points to is replaced and the link kept.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeFileAtomic(path, data, perm, osOps)
}

// fileOps are the steps of an atomic write that tests make fail.
type fileOps struct {
	write  func(f *os.File, data []byte) (int, error)
	rename func(oldpath, newpath string) error
}

var osOps = fileOps{
	write:  func(f *os.File, data []byte) (int, error) { return f.Write(data) },
	rename: os.Rename,
}

func writeFileAtomic(path string, data []byte, perm fs.FileMode, ops fileOps) (err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	mode := perm.Perm()
	switch fi, err := os.Stat(path); {
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("project: write %s: not a regular file", path)
	case err == nil:
		mode = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("project: write %s: %w", path, err)
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = ops.write(f, data); err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	if err = ops.rename(tmp, path); err != nil {
		return fmt.Errorf("project: write %s: %w", path, err)
	}
	// The new name is in place; a failing folder sync cannot undo that, so
	// it is reported but the temporary file is already gone.
	if serr := syncDir(dir); serr != nil {
		return fmt.Errorf("project: write %s: sync folder: %w", path, serr)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot sync a folder.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

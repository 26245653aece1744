package project

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Stamp identifies one version of a file: whether it exists, its size and
// the SHA-256 of its bytes. A front end keeps the stamp of what it read or
// wrote and, before saving over the file, checks under the project's Lock
// that the file still has it (CheckUnchanged, SaveIfUnchanged); otherwise
// someone else changed the file meanwhile and saving would lose that.
//
// The zero Stamp is a file that does not exist. The modification time is
// left out on purpose: a file rewritten with the same bytes loses nothing
// when it is overwritten, and a time can stay the same across a change
// (coarse clocks, copies that keep times).
type Stamp struct {
	exists bool
	size   int64
	sum    [sha256.Size]byte
}

// StampOf returns the stamp of a file holding data.
func StampOf(data []byte) Stamp {
	return Stamp{exists: true, size: int64(len(data)), sum: sha256.Sum256(data)}
}

// Exists reports whether the stamp is of an existing file.
func (s Stamp) Exists() bool { return s.exists }

// StampFile returns the stamp of the file at path now: the zero Stamp when
// there is none. It reads the whole file, of any size, without keeping it.
func StampFile(path string) (Stamp, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Stamp{}, nil
	}
	if err != nil {
		return Stamp{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Stamp{}, err
	}
	s := Stamp{exists: true, size: n}
	h.Sum(s.sum[:0])
	return s, nil
}

// CheckUnchanged returns a *ChangedError (matching ErrChangedOnDisk) when
// the file at path no longer has the stamp want: it was created, removed
// or rewritten with other bytes since want was taken. Call it with the
// project's Lock held, or another mapvault may change the file right after.
func CheckUnchanged(path string, want Stamp) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if want.exists {
			return &ChangedError{File: path}
		}
		return nil
	case err != nil:
		return fmt.Errorf("project: %w", err)
	case !want.exists || fi.Size() != want.size:
		return &ChangedError{File: path} // no need to read it
	}
	got, err := StampFile(path)
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	if got != want {
		return &ChangedError{File: path}
	}
	return nil
}

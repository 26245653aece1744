package project

import (
	"errors"
	"fmt"
	"io/fs"
)

// Save writes p to path atomically (see WriteFileAtomic); a new file gets
// mode 0644. It refuses, with an error matching ErrCorruptTarget and wrapping
// the parse error, to replace an existing file that does not parse as a
// mapvault project (corrupt, foreign, or from a newer mapvault), so a
// mistaken path never destroys the user's data; a file larger than MaxSize
// is refused unread. Save does not change p.Dir.
//
// Save does not lock: a front end that read the file and saves it back uses
// SaveIfUnchanged, or holds Lock from reading to saving.
func Save(path string, p *Project) error {
	data, err := p.Marshal()
	if err != nil {
		return err
	}
	return save(path, data)
}

// SaveIfUnchanged is Save for a project read or written earlier: it saves
// only when the file on disk still has the stamp want (from LoadStamped or
// an earlier SaveIfUnchanged; the zero Stamp for a file that did not
// exist). Otherwise it writes nothing and returns a *ChangedError matching
// ErrChangedOnDisk: someone else changed the file, and saving would lose
// that. It returns the stamp of what it wrote.
//
// The check and the write are one step only for mapvaults that hold the
// project's Lock: hold it around SaveIfUnchanged (and the KeyVault's save,
// which belongs to the same edit).
func SaveIfUnchanged(path string, p *Project, want Stamp) (Stamp, error) {
	data, err := p.Marshal()
	if err != nil {
		return Stamp{}, err
	}
	if err := CheckUnchanged(path, want); err != nil {
		return Stamp{}, err
	}
	if err := save(path, data); err != nil {
		return Stamp{}, err
	}
	return StampOf(data), nil
}

func save(path string, data []byte) error {
	old, err := ReadFile(path, MaxSize)
	switch {
	case err == nil:
		if _, perr := Parse(path, old); perr != nil {
			return fmt.Errorf("%w: %w", ErrCorruptTarget, perr)
		}
	case errors.Is(err, ErrTooLarge): // too large to be a project
		return fmt.Errorf("%w: %w", ErrCorruptTarget, err)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("project: save %s: %w", path, err)
	}
	return WriteFileAtomic(path, data, 0o644)
}

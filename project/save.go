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
func Save(path string, p *Project) error {
	data, err := p.Marshal()
	if err != nil {
		return err
	}
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

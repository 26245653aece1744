package project

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrNotProject: the data is JSON but not a mapvault project (no or a
	// different "format" marker, or not a JSON object).
	ErrNotProject = errors.New("project: not a mapvault project")
	// ErrNewerVersion: the file was written by a newer mapvault.
	ErrNewerVersion = errors.New("project: file written by a newer version")
	// ErrCorruptTarget: Save refused to replace a file that is not a readable
	// mapvault project.
	ErrCorruptTarget = errors.New("project: refusing to replace a file that is not a readable mapvault project")
	// ErrInvalid: Marshal or Save was handed a project that would not parse
	// back (duplicate or empty layer id, opacity out of range, ...).
	ErrInvalid = errors.New("project: invalid project")
	// ErrSecretInSource: a layer source carries a password in its user
	// information; secrets never go into a project file.
	ErrSecretInSource = errors.New("project: layer source contains a password")
	// ErrNoLayer: no layer has the given id.
	ErrNoLayer = errors.New("project: no such layer")
	// ErrTooLarge: a file is larger than mapvault reads (MaxSize for a
	// project); the error is a *TooLargeError naming the file.
	ErrTooLarge = errors.New("project: file too large")
	// ErrLocked: another mapvault held the project's lock for longer than
	// Lock waits (LockWait); the error is a *LockedError naming the file.
	ErrLocked = errors.New("project: locked by another mapvault")
	// ErrChangedOnDisk: the file changed on disk since it was read or
	// written, so saving over it would lose that change; the error is a
	// *ChangedError naming the file.
	ErrChangedOnDisk = errors.New("project: file changed on disk")
)

// SyntaxError reports a problem in a project file with its position. Line and
// Column are 1-based; Column counts characters (runes), not bytes.
type SyntaxError struct {
	File   string
	Line   int
	Column int
	Msg    string
	// Err, when set, is a sentinel the error also matches (ErrNotProject).
	Err error
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// VersionError reports a file whose version is newer than this package reads.
// It matches ErrNewerVersion.
type VersionError struct {
	File string
	Got  int64 // version in the file
	Want int64 // newest version this package reads (Version)
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("project: %s has format version %d, this mapvault reads up to version %d; update mapvault to open it",
		e.File, e.Got, e.Want)
}

func (e *VersionError) Unwrap() error { return ErrNewerVersion }

// TooLargeError reports a file larger than mapvault reads. It matches
// ErrTooLarge.
type TooLargeError struct {
	File  string
	Size  int64 // size of the file; -1 when it had no size and kept giving bytes
	Limit int64 // the largest size read
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s: file too large (more than %s); mapvault reads at most %s", e.File, byteSize(e.Limit), byteSize(e.Limit))
	}
	return fmt.Sprintf("%s: file too large (%s); mapvault reads at most %s", e.File, byteSize(e.Size), byteSize(e.Limit))
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// byteSize writes n for people: "812 bytes", "4 MiB", "5.2 GiB".
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	name := [...]string{"KiB", "MiB", "GiB", "TiB"}[i]
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), name)
	}
	return fmt.Sprintf("%.1f %s", v, name)
}

// LockedError reports a project another mapvault kept locked for longer
// than Lock waits. It matches ErrLocked.
type LockedError struct {
	File string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another mapvault is editing %s; try again", e.File)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// ChangedError reports a file that changed on disk since mapvault read or
// wrote it. It matches ErrChangedOnDisk.
type ChangedError struct {
	File string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s changed on disk since you opened it: use Save As, or reload it", e.File)
}

func (e *ChangedError) Unwrap() error { return ErrChangedOnDisk }

// Position returns the 1-based line and column (in characters) of byte
// offset off in data, as SyntaxError reports them. An offset past the end
// points just after the last character. The KeyVault parser uses it too.
func Position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}

package project

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// LockWait is how long Lock waits for another mapvault to finish editing a
// project before it gives up. Mapvault holds the lock only while it reads
// and writes the files (milliseconds), never while it waits for a server
// or the user, so a wait this long means something is wrong.
const LockWait = 10 * time.Second

// LockPath returns the lock file of the project at path: "NAME.mapvault.json"
// is locked through "NAME.mapvault.json.lock" beside it.
func LockPath(path string) string { return path + ".lock" }

// FileLock is the advisory lock of one project file, held from Lock to
// Unlock. It guards the project file and its KeyVault sidecar together.
type FileLock struct {
	path string
	held heldLock
}

// heldLock is a lock as the platform holds it.
type heldLock interface{ unlock() error }

// errBusy: another holder has the lock now; try again later.
var errBusy = errors.New("lock busy")

// Lock takes the advisory lock of the project file at path, so that a
// read-modify-write of the project and its KeyVault (load, change, save)
// does not interleave with another mapvault's: without it, two writers that
// both read the old file each save their own change and one is lost. When
// another mapvault holds the lock, Lock waits up to LockWait, or until ctx
// is done, and then returns a *LockedError (matching ErrLocked); a
// cancelled ctx gives ctx.Err(). Other errors are the lock file's (a folder
// mapvault may not write to).
//
// The lock is advisory: it only keeps out programs that take it too (every
// mapvault), and it is released when its process ends, however it ends. On
// Unix it is flock(2) on LockPath(path), which Unlock removes; on Windows
// LockFileEx on that file, which stays; elsewhere the lock file itself,
// created exclusively and removed by Unlock (one older than a minute is taken
// to be left by a mapvault that died). A symbolic link is followed, so two
// names of one file share a lock.
func Lock(ctx context.Context, path string) (*FileLock, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	lp := LockPath(path)
	deadline := time.Now().Add(LockWait)
	delay := time.Millisecond
	for {
		held, err := tryLock(lp)
		switch {
		case err == nil:
			return &FileLock{path: path, held: held}, nil
		case !errors.Is(err, errBusy):
			return nil, fmt.Errorf("project: lock %s: %w", path, err)
		case !time.Now().Before(deadline):
			return nil, &LockedError{File: path}
		}
		t := time.NewTimer(min(delay, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, &LockedError{File: path}
			}
			return nil, fmt.Errorf("project: lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// Unlock releases the lock. It may be called more than once.
func (l *FileLock) Unlock() error {
	if l == nil || l.held == nil {
		return nil
	}
	err := l.held.unlock()
	l.held = nil
	if err != nil {
		return fmt.Errorf("project: unlock %s: %w", l.path, err)
	}
	return nil
}

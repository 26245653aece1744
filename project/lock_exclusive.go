package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// staleLock is the age after which an exclusive lock file is taken to be
// left behind by a mapvault that died while holding it. Mapvault holds the
// lock for milliseconds.
const staleLock = time.Minute

// exclusiveLock is a lock file created with O_EXCL: it exists while the
// lock is held. It is the fallback for systems without flock or LockFileEx.
type exclusiveLock struct{ path string }

func tryLockExclusive(path string) (heldLock, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(path) // left by a mapvault that died; the next try takes it
		}
		return nil, errBusy
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "%d\n", os.Getpid()) // for whoever wonders who holds it
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, err
	}
	return exclusiveLock{path: path}, nil
}

func (l exclusiveLock) unlock() error { return os.Remove(l.path) }

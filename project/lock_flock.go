//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package project

import (
	"errors"
	"os"
	"syscall"
)

// flockLock is flock(2) held on an open lock file.
type flockLock struct {
	f    *os.File
	path string
}

// tryLock takes an exclusive flock on the lock file at path, creating it. A
// lock file is removed by its holder on unlock, so after taking the lock it
// checks that path still names the file it locked: if the previous holder
// removed it meanwhile, the lock protects nothing and is tried again.
func tryLock(path string) (heldLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, err
	}
	mine, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(mine, now) {
		f.Close()
		return nil, errBusy
	}
	return &flockLock{f: f, path: path}, nil
}

// unlock removes the lock file while still holding the lock (see tryLock),
// then releases it by closing the file.
func (l *flockLock) unlock() error {
	rerr := os.Remove(l.path)
	if err := l.f.Close(); err != nil {
		return err
	}
	if errors.Is(rerr, os.ErrNotExist) {
		rerr = nil
	}
	return rerr
}

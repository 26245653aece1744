//go:build windows

package project

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// fileLock is LockFileEx held on an open lock file. The lock file is left in
// place on unlock: another mapvault may have it open, waiting.
type fileLock struct{ f *os.File }

const allBytes = ^uint32(0)

func tryLock(path string) (heldLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, allBytes, allBytes, ol)
	if err != nil {
		f.Close()
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
			return nil, errBusy
		}
		return nil, err
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() error {
	ol := new(windows.Overlapped)
	err := windows.UnlockFileEx(windows.Handle(l.f.Fd()), 0, allBytes, allBytes, ol)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

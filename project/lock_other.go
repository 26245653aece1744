//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package project

// tryLock uses an exclusively created lock file where there is no flock.
func tryLock(path string) (heldLock, error) { return tryLockExclusive(path) }

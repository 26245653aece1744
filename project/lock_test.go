package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLockExcludes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	l, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if _, err := os.Stat(LockPath(path)); err != nil {
		t.Errorf("no lock file while the lock is held: %v", err)
	}

	// A second mapvault waits, then gives up with a clear error.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Lock(ctx, path)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.File != path {
		t.Fatalf("Lock while held = %v, want a *LockedError for %s", err, path)
	}
	if want := "another mapvault is editing " + path + "; try again"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if waited := time.Since(start); waited < 90*time.Millisecond || waited > 5*time.Second {
		t.Errorf("Lock gave up after %v, want the context's 100ms", waited)
	}

	// A cancelled wait is a cancellation, not "locked".
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := Lock(cancelled, path); !errors.Is(err, context.Canceled) || errors.Is(err, ErrLocked) {
		t.Errorf("Lock(cancelled) = %v, want context.Canceled", err)
	}

	// Once released it can be taken again, and the next holder gets it as
	// soon as it is free.
	got := make(chan error, 1)
	go func() {
		l2, err := Lock(context.Background(), path)
		if err == nil {
			err = l2.Unlock()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := l.Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Lock after Unlock: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting Lock did not get the released lock")
	}
	if runtime.GOOS != "windows" {
		if _, err := os.Stat(LockPath(path)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("lock file left behind after Unlock (stat: %v)", err)
		}
	}
}

// Two names of one file (a symbolic link) share the lock.
func TestLockFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	if err := Save(path, New("p")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.mapvault.json")
	if err := os.Symlink(path, link); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	l, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, link); !errors.Is(err, ErrLocked) {
		t.Errorf("Lock(link) while the target is locked = %v, want ErrLocked", err)
	}
}

// Read-modify-write under the lock loses nothing: eight writers that each
// load, add a layer and save leave eight layers.
func TestLockSerialisesEdits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.mapvault.json")
	if err := Save(path, New("p")); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = func() error {
				l, err := Lock(context.Background(), path)
				if err != nil {
					return err
				}
				defer l.Unlock()
				p, err := Load(path)
				if err != nil {
					return err
				}
				time.Sleep(time.Millisecond) // widen the window a lost update needs
				p.AddLayer(Layer{Name: fmt.Sprintf("L%d", i), Opacity: 1})
				return Save(path, p)
			}()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Layers) != n {
		t.Errorf("after %d locked edits the project has %d layers, want %d", n, len(p.Layers), n)
	}
}

// The fallback for systems without flock or LockFileEx: an exclusively
// created lock file, taken over when it is older than staleLock.
func TestLockExclusiveFallback(t *testing.T) {
	lp := LockPath(filepath.Join(t.TempDir(), "p.mapvault.json"))
	held, err := tryLockExclusive(lp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tryLockExclusive(lp); !errors.Is(err, errBusy) {
		t.Fatalf("second tryLockExclusive = %v, want errBusy", err)
	}
	if err := held.unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := tryLockExclusive(lp); err != nil {
		t.Fatalf("tryLockExclusive after unlock: %v", err)
	}
	// Its holder died: after staleLock the lock file is removed and taken.
	old := time.Now().Add(-staleLock - time.Minute)
	if err := os.Chtimes(lp, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := tryLockExclusive(lp); !errors.Is(err, errBusy) {
		t.Fatalf("tryLockExclusive on a stale lock = %v, want errBusy (it removes it)", err)
	}
	if _, err := tryLockExclusive(lp); err != nil {
		t.Fatalf("tryLockExclusive after the stale lock was removed: %v", err)
	}
}

func TestSaveIfUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	if err := Save(path, New("p")); err != nil {
		t.Fatal(err)
	}
	p, st, err := LoadStamped(path)
	if err != nil {
		t.Fatal(err)
	}
	if disk, _ := StampFile(path); disk != st || !st.Exists() {
		t.Fatalf("LoadStamped stamp %v, the file's %v", st, disk)
	}

	// Rewritten with the same bytes (and a new time): nothing to lose.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	p.Title = "mine"
	st2, err := SaveIfUnchanged(path, p, st)
	if err != nil {
		t.Fatalf("SaveIfUnchanged over the same bytes: %v", err)
	}
	if disk, _ := StampFile(path); disk != st2 || st2 == st {
		t.Errorf("SaveIfUnchanged returned %v, the file has %v (before %v)", st2, disk, st)
	}

	// Someone else saved meanwhile: refused, their file kept.
	other := New("theirs")
	other.AddLayer(Layer{Name: "Their layer", Opacity: 1})
	if err := Save(path, other); err != nil {
		t.Fatal(err)
	}
	theirs, _ := os.ReadFile(path)
	p.Title = "mine again"
	_, err = SaveIfUnchanged(path, p, st2)
	var ce *ChangedError
	if !errors.Is(err, ErrChangedOnDisk) || !errors.As(err, &ce) || ce.File != path {
		t.Fatalf("SaveIfUnchanged after another save = %v, want a *ChangedError for %s", err, path)
	}
	if !strings.Contains(err.Error(), path+" changed on disk since you opened it") {
		t.Errorf("error %q", err)
	}
	if now, _ := os.ReadFile(path); string(now) != string(theirs) {
		t.Errorf("the other save was overwritten")
	}

	// Same size, other bytes: still a change.
	same := []byte(strings.Replace(string(theirs), "theirs", "THEIRS", 1))
	if err := os.WriteFile(path, same, 0o644); err != nil {
		t.Fatal(err)
	}
	theirsStamp := StampOf(theirs)
	if err := CheckUnchanged(path, theirsStamp); !errors.Is(err, ErrChangedOnDisk) {
		t.Errorf("CheckUnchanged after a same-size change = %v, want ErrChangedOnDisk", err)
	}

	// Created or removed since: a change.
	fresh := filepath.Join(dir, "new.mapvault.json")
	if err := CheckUnchanged(fresh, Stamp{}); err != nil {
		t.Errorf("CheckUnchanged(missing, zero Stamp) = %v, want nil", err)
	}
	if err := Save(fresh, New("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveIfUnchanged(fresh, p, Stamp{}); !errors.Is(err, ErrChangedOnDisk) {
		t.Errorf("SaveIfUnchanged over a file created meanwhile = %v, want ErrChangedOnDisk", err)
	}
	st3, _ := StampFile(fresh)
	os.Remove(fresh)
	if _, err := SaveIfUnchanged(fresh, p, st3); !errors.Is(err, ErrChangedOnDisk) {
		t.Errorf("SaveIfUnchanged over a file removed meanwhile = %v, want ErrChangedOnDisk", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused save created the file")
	}
}

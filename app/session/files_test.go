package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mapvault/project"
	"mapvault/vault"
)

// testFiles saves a project with one layer and a KeyVault with one entry,
// and returns the project's path.
func testFiles(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flood.mapvault.json")
	p := project.New("flood")
	p.AddLayer(project.Layer{Name: "Roads", Source: "https://a.example/wms", Opacity: 1, Visible: true})
	kv := vault.NewKeyVault()
	kv.Set("https://a.example:443/wms", vault.Entry{AuthRequired: true, Method: vault.MethodBasic})
	if _, err := SaveFilesAs(context.Background(), path, p, kv); err != nil {
		t.Fatal(err)
	}
	return path
}

func readBoth(t *testing.T, path string) (proj, kv []byte) {
	t.Helper()
	proj, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kv, err = os.ReadFile(vault.SidecarPath(path))
	if err != nil {
		t.Fatal(err)
	}
	return proj, kv
}

func TestFilesSave(t *testing.T) {
	path := testFiles(t)
	p, kv, f, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path() != path {
		t.Errorf("Path() = %q, want %q", f.Path(), path)
	}
	// Saving twice in a row: the second save finds what the first wrote.
	for i := range 2 {
		p.Title = fmt.Sprintf("edit %d", i)
		kv.Set(vault.Source(fmt.Sprintf("https://b%d.example:443/wms", i)), vault.Entry{Method: vault.MethodNone})
		if err := f.Save(context.Background(), p, kv); err != nil {
			t.Fatalf("Save %d: %v", i, err)
		}
	}
	p2, kv2, _, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Title != "edit 1" || len(kv2.Sources()) != 3 {
		t.Errorf("reopened: title %q, %d KeyVault sources; want edit 1 and 3", p2.Title, len(kv2.Sources()))
	}
}

// Another mapvault changed one of the files since this one opened them:
// Save refuses, names the file, and writes neither.
func TestFilesSaveRefusesChangesOnDisk(t *testing.T) {
	for _, which := range []string{"project", "keyvault"} {
		t.Run(which, func(t *testing.T) {
			path := testFiles(t)
			p, kv, f, err := OpenFiles(path)
			if err != nil {
				t.Fatal(err)
			}
			// The other mapvault (mapvault-cli add) saves its change.
			changed := path
			err = EditFiles(context.Background(), path, nil, func(p *project.Project, kv *vault.KeyVault, _ bool) error {
				if which == "project" {
					p.AddLayer(project.Layer{Name: "Theirs", Opacity: 1})
				} else {
					// Only the KeyVault changes: the project is written
					// back with the same bytes.
					kv.Set("https://theirs.example:443/wms", vault.Entry{Method: vault.MethodNone})
					changed = vault.SidecarPath(path)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			theirsP, theirsKV := readBoth(t, path)

			p.Title = "mine"
			kv.Set("https://mine.example:443/wms", vault.Entry{Method: vault.MethodNone})
			err = f.Save(context.Background(), p, kv)
			var ce *project.ChangedError
			if !errors.Is(err, project.ErrChangedOnDisk) || !errors.As(err, &ce) || ce.File != changed {
				t.Fatalf("Save after another save = %v, want a *project.ChangedError for %s", err, changed)
			}
			if gotP, gotKV := readBoth(t, path); !bytes.Equal(gotP, theirsP) || !bytes.Equal(gotKV, theirsKV) {
				t.Errorf("the refused Save wrote:\n%s\n%s", gotP, gotKV)
			}
			// Saving under another name still works.
			other := filepath.Join(t.TempDir(), "copy.mapvault.json")
			f2, err := SaveFilesAs(context.Background(), other, p, kv)
			if err != nil || f2.Path() != other {
				t.Fatalf("SaveFilesAs(%s) = %q, %v", other, f2.Path(), err)
			}
			if err := f2.Save(context.Background(), p, kv); err != nil {
				t.Errorf("Save after SaveFilesAs: %v", err)
			}
		})
	}
}

// A project that did not exist when it was opened (it never does in the
// app, but a removed file does) and a removed project are changes too.
func TestFilesSaveRefusesRemovedFile(t *testing.T) {
	path := testFiles(t)
	p, kv, f, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(context.Background(), p, kv); !errors.Is(err, project.ErrChangedOnDisk) {
		t.Errorf("Save over a removed project = %v, want ErrChangedOnDisk", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused Save created the project again")
	}
}

func TestFilesSaveWaitsForTheLock(t *testing.T) {
	path := testFiles(t)
	p, kv, f, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := project.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := f.Save(ctx, p, kv); !errors.Is(err, project.ErrLocked) {
		t.Errorf("Save while another mapvault holds the lock = %v, want ErrLocked", err)
	}
	lock.Unlock()
	if err := f.Save(context.Background(), p, kv); err != nil {
		t.Errorf("Save after the lock was released: %v", err)
	}
}

// Eight read-modify-writes at once, on a project that does not exist yet,
// lose nothing in either file.
func TestEditFilesConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.mapvault.json")
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = EditFiles(context.Background(), path, project.New("new"), func(p *project.Project, kv *vault.KeyVault, c bool) error {
				if c {
					mu.Lock()
					created++
					mu.Unlock()
				}
				p.AddLayer(project.Layer{Name: fmt.Sprintf("L%d", i), Opacity: 1})
				kv.Set(vault.Source(fmt.Sprintf("https://s%d.example:443/wms", i)), vault.Entry{Method: vault.MethodNone})
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("edit %d: %v", i, err)
		}
	}
	p, kv, _, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Layers) != n || len(kv.Sources()) != n || created != 1 {
		t.Errorf("after %d edits: %d layers, %d KeyVault sources, created %d times; want %d, %d, once",
			n, len(p.Layers), len(kv.Sources()), created, n, n)
	}
}

// An edit that fails writes nothing.
func TestEditFilesError(t *testing.T) {
	path := testFiles(t)
	beforeP, beforeKV := readBoth(t, path)
	boom := errors.New("boom")
	err := EditFiles(context.Background(), path, nil, func(p *project.Project, kv *vault.KeyVault, _ bool) error {
		p.Title = "changed"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("EditFiles = %v, want the edit's error", err)
	}
	if p, kv := readBoth(t, path); !bytes.Equal(p, beforeP) || !bytes.Equal(kv, beforeKV) {
		t.Errorf("a failed edit wrote the files")
	}
}

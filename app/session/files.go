package session

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"mapvault/project"
	"mapvault/vault"
)

// Files is a project file and its KeyVault sidecar as a front end last read
// or wrote them. Both front ends edit the pair under the project's lock
// (project.Lock), and neither overwrites a change another mapvault made:
//
//   - the app keeps a project open for a long time, so it remembers what it
//     read (OpenFiles) and Files.Save refuses, with a *project.ChangedError
//     (project.ErrChangedOnDisk), to save over either file when it changed
//     on disk meanwhile;
//   - the CLI reads, changes and saves in one go: EditFiles reads both files
//     again under the lock, applies its change and saves.
//
// The lock is held only while the files are read and written, never while
// a server or the user is waited for.
type Files struct {
	path     string
	project  project.Stamp
	keyVault project.Stamp
}

// Path returns the project file ("" for Files never read or written).
func (f *Files) Path() string { return f.path }

// OpenFiles reads the project at path and its KeyVault (an empty one when
// there is none) and returns them with the Files that remember what was
// read. path is made absolute.
func OpenFiles(path string) (*project.Project, *vault.KeyVault, Files, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	p, pst, err := project.LoadStamped(path)
	if err != nil {
		return nil, nil, Files{}, err
	}
	kvPath := vault.SidecarPath(path)
	kv, kst, err := loadKeyVault(kvPath)
	if err != nil {
		return nil, nil, Files{}, fmt.Errorf("%s: %w", filepath.Base(kvPath), err)
	}
	return p, kv, Files{path: path, project: pst, keyVault: kst}, nil
}

// loadKeyVault reads the KeyVault at path with the stamp of what it read
// (the zero Stamp when there is no file).
func loadKeyVault(path string) (*vault.KeyVault, project.Stamp, error) {
	data, err := project.ReadFile(path, vault.MaxKeyVaultSize)
	if errors.Is(err, fs.ErrNotExist) {
		return vault.NewKeyVault(), project.Stamp{}, nil
	}
	if err != nil {
		return nil, project.Stamp{}, err
	}
	kv, err := vault.ParseKeyVault(path, data)
	if err != nil {
		return nil, project.Stamp{}, err
	}
	return kv, project.StampOf(data), nil
}

// Save writes p and kv back to f's files. Under the project's lock it first
// checks that neither file changed on disk since f read or wrote it; when
// one did it writes nothing and returns a *project.ChangedError naming it.
// When the project is written but the KeyVault cannot be, the error says
// so, and f remembers the project it wrote.
func (f *Files) Save(ctx context.Context, p *project.Project, kv *vault.KeyVault) error {
	if f.path == "" {
		return errors.New("session: the project has no file yet")
	}
	lock, err := project.Lock(ctx, f.path)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	kvPath := vault.SidecarPath(f.path)
	if err := project.CheckUnchanged(kvPath, f.keyVault); err != nil {
		return err
	}
	pst, err := project.SaveIfUnchanged(f.path, p, f.project)
	if err != nil {
		return err
	}
	f.project = pst
	kst, err := saveKeyVault(kvPath, kv)
	if err != nil {
		return err
	}
	f.keyVault = kst
	return nil
}

// SaveFilesAs writes p and kv to path and the KeyVault beside it, under the
// project's lock, replacing what is there (the user chose the name; Save
// still refuses to replace a file that is not a project), and returns the
// Files for them. path is made absolute.
func SaveFilesAs(ctx context.Context, path string, p *project.Project, kv *vault.KeyVault) (Files, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	lock, err := project.Lock(ctx, path)
	if err != nil {
		return Files{}, err
	}
	defer lock.Unlock()
	if err := project.Save(path, p); err != nil {
		return Files{}, err
	}
	f := Files{path: path}
	if f.project, err = project.StampFile(path); err != nil {
		return Files{}, err
	}
	if f.keyVault, err = saveKeyVault(vault.SidecarPath(path), kv); err != nil {
		return Files{}, err
	}
	return f, nil
}

// saveKeyVault saves kv at path (the lock is held) and returns the stamp
// of the file written.
func saveKeyVault(path string, kv *vault.KeyVault) (project.Stamp, error) {
	if err := kv.Save(path); err != nil {
		return project.Stamp{}, fmt.Errorf("project saved, but its KeyVault was not: %w", err)
	}
	st, err := project.StampFile(path)
	if err != nil {
		return project.Stamp{}, fmt.Errorf("project saved, but its KeyVault was not: %w", err)
	}
	return st, nil
}

// EditFiles is one read-modify-write of the project at path and its
// KeyVault: under the project's lock it reads both (fresh stands in for a
// project file that does not exist yet, and created tells edit so), calls
// edit, and saves both when edit returns nil. Do slow work (asking a
// server, the user) before: other mapvaults wait for the lock meanwhile.
// A changed KeyVault of an earlier read is carried over with
// vault.KeyVault.ApplyChanges.
func EditFiles(ctx context.Context, path string, fresh *project.Project, edit func(p *project.Project, kv *vault.KeyVault, created bool) error) error {
	lock, err := project.Lock(ctx, path)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	p, err := project.Load(path)
	created := errors.Is(err, fs.ErrNotExist)
	switch {
	case created:
		p = fresh
	case err != nil:
		return err
	}
	kvPath := vault.SidecarPath(path)
	kv, _, err := loadKeyVault(kvPath)
	if err != nil {
		return err
	}
	if err := edit(p, kv, created); err != nil {
		return err
	}
	if err := project.Save(path, p); err != nil {
		return err
	}
	if _, err := saveKeyVault(kvPath, kv); err != nil {
		return err
	}
	return nil
}

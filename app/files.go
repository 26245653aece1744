package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"mapvault/app/session"
	"mapvault/project"
	"mapvault/vault"
)

const (
	prefRecent = "recent.projects" // paths only, never secrets
	maxRecent  = 10
	projectExt = ".mapvault.json"
)

// NewProject replaces the document with an empty project (asking first
// when there are unsaved changes).
func (a *App) NewProject() {
	a.confirmDiscard(func() {
		a.setDocument(newDocument(a.svc, project.New("Untitled"), "", nil))
	})
}

// OpenDialog asks for a project file to open.
func (a *App) OpenDialog() {
	a.confirmDiscard(func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil {
				a.showError(err)
				return
			}
			if r == nil {
				return
			}
			path := r.URI().Path()
			_ = r.Close()
			if err := a.OpenFile(path); err != nil {
				a.showError(err)
			}
		}, a.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
		d.Show()
	})
}

// OpenFile opens a project file and its KeyVault sidecar. Layers of
// protected sources start blocked; the keychain is consulted, then the user.
//
// The document remembers what it read (session.Files), so that saving it
// later refuses to overwrite a change another mapvault made meanwhile.
func (a *App) OpenFile(path string) error {
	p, kv, files, err := session.OpenFiles(path)
	if err != nil {
		return err
	}
	p, kv = a.startDemoFor(p, kv)
	d := newDocument(a.svc, p, files.Path(), kv)
	d.files = files
	a.setDocument(d)
	a.addRecent(files.Path())
	return nil
}

// Save writes the project and its KeyVault; an unsaved project asks where.
func (a *App) Save() {
	if a.doc.path == "" {
		a.SaveAsDialog()
		return
	}
	if err := a.SaveTo(a.doc.path); err != nil {
		a.showError(err)
	}
}

// SaveAsDialog asks for a file name, then saves.
func (a *App) SaveAsDialog() { a.saveAsThen(nil) }

func (a *App) saveAsThen(after func()) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		// The dialog created an empty file; project.Save refuses to replace
		// a file that is not a project, so remove what the dialog made.
		if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
			_ = os.Remove(path)
		}
		if !strings.HasSuffix(strings.ToLower(path), ".json") {
			path += projectExt
		}
		if err := a.SaveTo(path); err != nil {
			a.showError(err)
			return
		}
		if after != nil {
			after()
		}
	}, a.win)
	d.SetFileName(fileSafe(a.displayName()) + projectExt)
	d.Show()
}

// SaveTo writes the project to path and the KeyVault beside it, under the
// project's lock. On error the document stays dirty and nothing on disk is
// lost (both writes are atomic and refuse to replace a file that is not
// theirs). Saving to the document's own file refuses, with a
// *project.ChangedError (project.ErrChangedOnDisk) the user is shown, when
// the project or its KeyVault changed on disk since the document read or
// wrote them: another mapvault (mapvault-cli add, a second window) saved
// there, and overwriting would lose that.
func (a *App) SaveTo(path string) error {
	d := a.doc
	saved, kv := a.forSaving()
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if path == d.files.Path() {
		if err := d.files.Save(d.ctx, saved, kv); err != nil {
			return err
		}
	} else {
		title := d.proj.Title
		a.retitle(path)
		saved, kv = a.forSaving()
		files, err := session.SaveFilesAs(d.ctx, path, saved, kv)
		if err != nil {
			d.proj.Title = title
			return err
		}
		d.files = files
	}
	d.proj.SetDir(filepath.Dir(path))
	d.path = path
	d.dirty = false
	a.addRecent(path)
	a.updateTitle()
	return nil
}

func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return "untitled"
	}
	return s
}

// Recent returns the recently used project paths, newest first.
func (a *App) Recent() []string {
	return a.fa.Preferences().StringList(prefRecent)
}

func (a *App) addRecent(path string) {
	list := []string{path}
	for _, p := range a.Recent() {
		if p != path && len(list) < maxRecent {
			list = append(list, p)
		}
	}
	a.fa.Preferences().SetStringList(prefRecent, list)
	a.win.SetMainMenu(a.mainMenu())
}

// openPath opens a file after the unsaved-changes question.
func (a *App) openPath(path string) {
	a.confirmDiscard(func() {
		if err := a.OpenFile(path); err != nil {
			a.showError(err)
		}
	})
}

// dropped opens the first project file dropped onto the window.
func (a *App) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		if u.Scheme() == "file" && strings.HasSuffix(strings.ToLower(u.Path()), ".json") {
			a.openPath(u.Path())
			return
		}
	}
	a.status.setNote("Drop a mapvault project file (.json) to open it")
}

// CheckSecrets scans the saved project and its KeyVault for secrets.
func (a *App) CheckSecrets() {
	if a.doc.path == "" {
		dialog.ShowInformation("Check for secrets", "Save the project first: the check reads the files as they would be shared.", a.win)
		return
	}
	leaks, err := vault.ScanProjectContext(a.doc.ctx, a.doc.path)
	if err != nil {
		a.showError(err)
		return
	}
	dialog.ShowInformation("Check for secrets", secretReport(a.doc.path, leaks, a.doc.dirty), a.win)
}

// secretReport is the text of the "Check for secrets" answer.
func secretReport(path string, leaks []vault.Leak, dirty bool) string {
	var b strings.Builder
	if len(leaks) == 0 {
		b.WriteString("No secrets found in " + filepath.Base(path) + " and its KeyVault.")
	} else {
		fmt.Fprintf(&b, "%d possible secret(s) found:\n", len(leaks))
		for _, l := range leaks {
			fmt.Fprintf(&b, "%s:%d:%d: %s\n", filepath.Base(l.File), l.Line, l.Column, l.What)
		}
	}
	if dirty {
		b.WriteString("\n(Checked the saved version; unsaved changes are not included.)")
	}
	return strings.TrimRight(b.String(), "\n")
}

// confirmDiscard runs next at once, or after asking when the document has
// unsaved changes: Save (then next), Discard (next), Cancel (nothing).
func (a *App) confirmDiscard(next func()) {
	if !a.doc.dirty {
		next()
		return
	}
	var dlg *dialog.CustomDialog
	hide := func() { dlg.Hide(); a.confirm = nil }
	save := widget.NewButton("Save", func() {
		hide()
		if a.doc.path == "" {
			a.saveAsThen(next)
			return
		}
		if err := a.SaveTo(a.doc.path); err != nil {
			a.showError(err) // nothing is discarded when the save failed
			return
		}
		next()
	})
	save.Importance = widget.HighImportance
	discard := widget.NewButton("Discard", func() { hide(); next() })
	cancel := widget.NewButton("Cancel", hide)
	msg := widget.NewLabel("“" + a.displayName() + "” has unsaved changes. Save them first?")
	dlg = dialog.NewCustomWithoutButtons("Unsaved changes", msg, a.win)
	dlg.SetButtons([]fyne.CanvasObject{cancel, discard, save})
	dlg.Show()
	a.dialogKeys(dlg, nil, save.OnTapped, hide) // Enter saves, Escape cancels
	a.confirm = &confirmDialog{dlg: dlg, msg: msg, save: save, discard: discard, cancel: cancel}
}

// Quit closes the window and the app, asking about unsaved changes.
func (a *App) Quit() {
	a.confirmDiscard(a.exit)
}

// exit stops background work and quits. A process that is still alive
// quitTimeout later (a driver or a server that does not let go) is ended
// by the watchdog Run set, so a quit is never ignored.
func (a *App) exit() {
	a.Close()
	if a.onExit != nil {
		a.onExit()
	}
	a.fa.Quit()
}

// confirmDialog is the unsaved-changes question showing.
type confirmDialog struct {
	dlg                   *dialog.CustomDialog
	msg                   *widget.Label
	save, discard, cancel *widget.Button
}

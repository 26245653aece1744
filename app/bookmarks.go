package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/project"
)

// bookmarkEditor holds the bookmark dialogs showing (for tests and to
// rebuild the manager after an edit).
type bookmarkEditor struct {
	add     *dialog.FormDialog
	name    *dialogEntry
	manager *dialog.CustomDialog
	rows    []*bookmarkRow
}

// bookmarkRow is one bookmark in the manager.
type bookmarkRow struct {
	name   *widget.Entry
	goTo   *widget.Button
	delete *widget.Button
}

// bookmarksMenu is View › Bookmarks: add, the project's bookmarks, manage.
func (a *App) bookmarksMenu() *fyne.MenuItem {
	items := []*fyne.MenuItem{fyne.NewMenuItem("Add bookmark…", a.AddBookmarkDialog)}
	var bs []project.Bookmark
	if a.doc != nil {
		bs = a.doc.proj.Bookmarks
	}
	if len(bs) > 0 {
		items = append(items, fyne.NewMenuItemSeparator())
		for i, b := range bs {
			items = append(items, fyne.NewMenuItem(bookmarkLabel(b, i), func() { a.GoToBookmark(i) }))
		}
	}
	items = append(items, fyne.NewMenuItemSeparator())
	manage := fyne.NewMenuItem("Manage bookmarks…", a.ManageBookmarksDialog)
	manage.Disabled = len(bs) == 0
	items = append(items, manage)
	m := fyne.NewMenuItem("Bookmarks", nil)
	m.ChildMenu = fyne.NewMenu("", items...)
	return m
}

// bookmarkLabel is how a bookmark is listed: its name, or its number.
func bookmarkLabel(b project.Bookmark, i int) string {
	if s := strings.TrimSpace(b.Name); s != "" {
		return s
	}
	return "Bookmark " + strconv.Itoa(i+1)
}

// AddBookmark saves the current view as a bookmark named name.
func (a *App) AddBookmark(name string) {
	lon, lat, zoom := a.mapView.Center()
	p := a.doc.proj
	p.Bookmarks = append(p.Bookmarks, project.Bookmark{Name: strings.TrimSpace(name), Lon: lon, Lat: lat, Zoom: zoom})
	a.bookmarksChanged()
}

// GoToBookmark moves the map to bookmark i.
func (a *App) GoToBookmark(i int) {
	bs := a.doc.proj.Bookmarks
	if i < 0 || i >= len(bs) {
		return
	}
	a.jump(bs[i].Lon, bs[i].Lat, bs[i].Zoom)
}

// RenameBookmark renames bookmark i.
func (a *App) RenameBookmark(i int, name string) {
	bs := a.doc.proj.Bookmarks
	name = strings.TrimSpace(name)
	if i < 0 || i >= len(bs) || bs[i].Name == name {
		return
	}
	bs[i].Name = name
	a.bookmarksChanged()
}

// DeleteBookmark removes bookmark i.
func (a *App) DeleteBookmark(i int) {
	p := a.doc.proj
	if i < 0 || i >= len(p.Bookmarks) {
		return
	}
	p.Bookmarks = append(p.Bookmarks[:i:i], p.Bookmarks[i+1:]...)
	if len(p.Bookmarks) == 0 {
		p.Bookmarks = nil
	}
	a.bookmarksChanged()
}

// bookmarksChanged: the bookmarks are part of the project.
func (a *App) bookmarksChanged() {
	a.markDirty()
	a.refreshMenu()
}

// AddBookmarkDialog asks for a name and bookmarks the current view.
func (a *App) AddBookmarkDialog() {
	ed := a.nav.editor()
	e := newDialogEntry()
	e.SetText("Bookmark " + strconv.Itoa(len(a.doc.proj.Bookmarks)+1))
	dlg := dialog.NewForm("Add bookmark", "Add", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Name", e)}, func(ok bool) {
			ed.add, ed.name = nil, nil
			if ok {
				a.AddBookmark(e.Text)
			}
		}, a.win)
	e.OnSubmitted = func(string) { dlg.Submit() }
	e.onEscape = dlg.Hide
	ed.add, ed.name = dlg, e
	dlg.Resize(fyne.NewSize(320, dlg.MinSize().Height))
	dlg.Show()
	a.win.Canvas().Focus(e)
}

// ManageBookmarksDialog lists the bookmarks to rename, go to or delete.
func (a *App) ManageBookmarksDialog() {
	ed := a.nav.editor()
	if ed.manager != nil {
		ed.manager.Hide()
	}
	bs := a.doc.proj.Bookmarks
	ed.rows = nil
	list := container.NewVBox()
	for i, b := range bs {
		r := &bookmarkRow{name: widget.NewEntry()}
		r.name.SetText(b.Name)
		r.name.SetPlaceHolder(bookmarkLabel(b, i))
		r.name.OnChanged = func(s string) { a.RenameBookmark(i, s) }
		r.goTo = widget.NewButtonWithIcon("", theme.SearchIcon(), func() { a.GoToBookmark(i) })
		r.delete = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			a.DeleteBookmark(i)
			a.ManageBookmarksDialog() // the indices moved: list again
		})
		ed.rows = append(ed.rows, r)
		list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(r.goTo, r.delete), r.name))
	}
	var content fyne.CanvasObject = container.NewVScroll(list)
	if len(bs) == 0 {
		content = widget.NewLabel("The project has no bookmarks.")
	}
	dlg := dialog.NewCustom("Bookmarks", "Close", content, a.win)
	dlg.SetOnClosed(func() {
		if ed.manager == dlg {
			ed.manager, ed.rows = nil, nil
		}
	})
	ed.manager = dlg
	dlg.Resize(fyne.NewSize(420, 320))
	dlg.Show()
}

func (n *navigator) editor() *bookmarkEditor {
	if n.bookmarks == nil {
		n.bookmarks = &bookmarkEditor{}
	}
	return n.bookmarks
}

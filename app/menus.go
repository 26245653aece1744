package app

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// mainMenu builds the menus; Open Recent lists paths from the preferences.
func (a *App) mainMenu() *fyne.MainMenu {
	recent := fyne.NewMenuItem("Open Recent", nil)
	var items []*fyne.MenuItem
	for _, p := range a.Recent() {
		items = append(items, fyne.NewMenuItem(filepath.Base(p)+"  —  "+filepath.Dir(p), func() { a.openPath(p) }))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("(none)", nil)
		none.Disabled = true
		items = append(items, none)
	}
	recent.ChildMenu = fyne.NewMenu("", items...)

	item := func(label string, key fyne.KeyName, mod fyne.KeyModifier, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	quit := item("Quit", fyne.KeyQ, fyne.KeyModifierShortcutDefault, a.Quit)
	quit.IsQuit = true
	file := fyne.NewMenu("File",
		item("New", fyne.KeyN, fyne.KeyModifierShortcutDefault, a.NewProject),
		item("Open…", fyne.KeyO, fyne.KeyModifierShortcutDefault, a.OpenDialog),
		recent,
		item("Open Demo", "", 0, func() { a.confirmDiscard(func() { a.report(a.OpenDemo("")) }) }),
		item("Open Public Services Example", "", 0, func() { a.confirmDiscard(func() { a.report(a.OpenPublicExample()) }) }),
		fyne.NewMenuItemSeparator(),
		item("Save", fyne.KeyS, fyne.KeyModifierShortcutDefault, a.Save),
		item("Save As…", fyne.KeyS, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift, a.SaveAsDialog),
		fyne.NewMenuItemSeparator(),
		item("Export map image…", fyne.KeyE, fyne.KeyModifierShortcutDefault, a.ExportDialog),
		item("Check for secrets", "", 0, a.CheckSecrets),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	layer := fyne.NewMenu("Layer",
		item("Add layer…", fyne.KeyL, fyne.KeyModifierShortcutDefault, a.AddLayerDialog),
		item("Add basemap…", fyne.KeyB, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift, a.AddBasemapDialog),
		item("Service browser…", fyne.KeyL, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift, a.ServiceBrowser),
	)
	view := fyne.NewMenu("View", append([]*fyne.MenuItem{item("Legend", "", 0, a.ToggleLegend), fyne.NewMenuItemSeparator()},
		a.navigationMenuItems()...)...)
	edit := fyne.NewMenu("Edit",
		item("Undo", fyne.KeyZ, fyne.KeyModifierShortcutDefault, a.Undo),
		item("Redo", fyne.KeyZ, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift, a.Redo),
	)
	return fyne.NewMainMenu(file, edit, layer, view)
}

// addShortcuts registers the menu shortcuts on the window canvas.
func (a *App) addShortcuts() {
	add := func(key fyne.KeyName, mod fyne.KeyModifier, f func()) {
		a.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: mod}, func(fyne.Shortcut) { f() })
	}
	def := fyne.KeyModifierShortcutDefault
	add(fyne.KeyN, def, a.NewProject)
	add(fyne.KeyO, def, a.OpenDialog)
	add(fyne.KeyS, def, a.Save)
	add(fyne.KeyS, def|fyne.KeyModifierShift, a.SaveAsDialog)
	add(fyne.KeyL, def, a.AddLayerDialog)
	add(fyne.KeyB, def|fyne.KeyModifierShift, a.AddBasemapDialog)
	add(fyne.KeyL, def|fyne.KeyModifierShift, a.ServiceBrowser)
	add(fyne.KeyE, def, a.ExportDialog)
	add(fyne.KeyQ, def, a.Quit)
	a.addNavigationShortcuts()
	// The desktop driver types Ctrl+Z and Ctrl+Y as ShortcutUndo and
	// ShortcutRedo, which a focused entry takes for its own text first.
	a.win.Canvas().AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { a.Undo() })
	a.win.Canvas().AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { a.Redo() })
	add(fyne.KeyZ, def|fyne.KeyModifierShift, a.Redo)
}

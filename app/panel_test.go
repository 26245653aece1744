package app

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

func TestOpacitySliderEditsProjectAndMap(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	land := h.layerID("Land (public)")
	h.row("Land (public)").opacity.SetValue(0.5)
	l, _ := h.a.Project().Layer(land)
	if l.Opacity != 0.5 {
		t.Errorf("project opacity = %v, want 0.5", l.Opacity)
	}
	if !h.a.Dirty() {
		t.Error("document clean after an opacity change, want dirty")
	}
	h.q.waitFor(t, "the map spec to follow the slider", func() bool {
		for _, s := range h.a.mapView.specs {
			if s.ID == land {
				return s.Opacity == 0.5
			}
		}
		return false
	})
}

func TestDropAndRecentOpenProjects(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	path := filepath.Join(t.TempDir(), "dropped.mapvault.json")
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	h.a.NewProject()
	if h.a.Path() != "" {
		t.Fatalf("New left path %q", h.a.Path())
	}

	// A file that is not a project is refused with a note, nothing opens.
	h.a.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(filepath.Join(t.TempDir(), "photo.png"))})
	if h.a.Path() != "" || !strings.Contains(h.a.status.note.Text, "Drop a mapvault project") {
		t.Errorf("dropping a PNG: path %q, note %q", h.a.Path(), h.a.status.note.Text)
	}
	h.a.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(path)})
	if h.a.Path() != path {
		t.Fatalf("after the drop, path = %q, want %q", h.a.Path(), path)
	}

	// Open Recent lists the file, and its item opens it.
	h.a.NewProject()
	var item *fyne.MenuItem
	for _, m := range h.a.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Open Recent" && it.ChildMenu != nil {
				for _, c := range it.ChildMenu.Items {
					if strings.HasPrefix(c.Label, filepath.Base(path)) {
						item = c
					}
				}
			}
		}
	}
	if item == nil {
		t.Fatalf("Open Recent has no item for %s (recent: %v)", path, h.a.Recent())
	}
	item.Action()
	if h.a.Path() != path {
		t.Errorf("after Open Recent, path = %q, want %q", h.a.Path(), path)
	}
}

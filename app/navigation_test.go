package app

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/project"
)

// menuItem finds a main menu item by its path of labels.
func menuItem(t *testing.T, a *App, path ...string) *fyne.MenuItem {
	t.Helper()
	mm := a.win.MainMenu()
	if mm == nil {
		t.Fatal("no main menu")
	}
	var items []*fyne.MenuItem
	for _, m := range mm.Items {
		if m.Label == path[0] {
			items = m.Items
		}
	}
	var found *fyne.MenuItem
	for _, label := range path[1:] {
		found = nil
		for _, it := range items {
			if it.Label == label {
				found = it
			}
		}
		if found == nil {
			t.Fatalf("no menu item %q in %v", label, path)
		}
		if found.ChildMenu != nil {
			items = found.ChildMenu.Items
		}
	}
	return found
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestFullExtentCentresOnGeoJSONLayer(t *testing.T) {
	h := newHarness(t)
	if err := h.a.OpenFile(parcelsProject(t)); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	m := h.a.mapView
	m.SetCenter(-60, -20, 3) // far away
	menuItem(t, h.a, "View", "Full extent").Action()
	h.q.waitFor(t, "the map on the parcels", func() bool {
		lon, _, _ := m.Center()
		return near(lon, 5.5, 0.01)
	})
	lon, lat, zoom := m.Center()
	// The centre of the box in Web Mercator.
	_, y0 := layers.WorldPixel(5, 53, 0)
	_, y1 := layers.WorldPixel(6, 52, 0)
	_, wantLat := layers.LonLatAtWorldPixel(0, (y0+y1)/2, 0)
	if !near(lon, 5.5, 1e-6) || !near(lat, wantLat, 1e-6) {
		t.Errorf("full extent centre = %v, %v, want 5.5, %v", lon, lat, wantLat)
	}
	// The whole parcel is in view, and not much more.
	v := m.View()
	x0, y0 := v.PixelAt(5, 53)
	x1, y1 := v.PixelAt(6, 52)
	if x0 < 0 || y0 < 0 || x1 > float64(v.Width) || y1 > float64(v.Height) {
		t.Errorf("parcel at (%v,%v)-(%v,%v) not inside the %dx%d view (zoom %v)", x0, y0, x1, y1, v.Width, v.Height, zoom)
	}
	if x1-x0 < float64(v.Width)/4 && y1-y0 < float64(v.Height)/4 {
		t.Errorf("parcel only %vx%v px in a %dx%d view: not fitted", x1-x0, y1-y0, v.Width, v.Height)
	}
}

func TestPreviousNextExtent(t *testing.T) {
	h := newHarness(t)
	a, m := h.a, h.a.mapView
	a.jump(4, 50, 6)
	a.zoomStep(1)
	a.zoomStep(1)
	if _, _, z := m.Center(); z != 8 {
		t.Fatalf("zoom after two zoom-ins = %v, want 8", z)
	}
	a.PreviousExtent()
	if _, _, z := m.Center(); z != 7 {
		t.Errorf("after Previous: zoom %v, want 7", z)
	}
	menuItem(t, a, "View", "Previous extent").Action()
	if lon, lat, z := m.Center(); z != 6 || !near(lon, 4, 1e-9) || !near(lat, 50, 1e-9) {
		t.Errorf("after Previous twice: %v, %v, z%v, want 4, 50, z6", lon, lat, z)
	}
	// Next is Alt+Right.
	next := menuItem(t, a, "View", "Next extent")
	if sc, ok := next.Shortcut.(*desktop.CustomShortcut); !ok || sc.KeyName != fyne.KeyRight || sc.Modifier != fyne.KeyModifierAlt {
		t.Errorf("Next extent shortcut = %#v, want Alt+Right", next.Shortcut)
	}
	next.Action()
	if _, _, z := m.Center(); z != 7 {
		t.Errorf("after Alt+Right: zoom %v, want 7", z)
	}
	a.NextExtent()
	a.NextExtent() // at the end: nothing happens
	if _, _, z := m.Center(); z != 8 {
		t.Errorf("after Next twice: zoom %v, want 8", z)
	}

	// A new view drops the views ahead of it.
	a.PreviousExtent()
	a.zoomStep(-3) // z4
	a.NextExtent()
	if _, _, z := m.Center(); z != 4 {
		t.Errorf("Next after a new view moved to zoom %v, want to stay at 4", z)
	}

	// A pan enters the history once the map stays still.
	n := len(a.nav.history)
	m.Pan(100, 0)
	m.Pan(100, 0)
	h.q.waitFor(t, "the pan to settle", func() bool { return len(a.nav.history) == n+1 })
	panned, _, _ := m.Center()
	a.PreviousExtent()
	if lon, _, z := m.Center(); z != 4 || near(lon, panned, 1e-9) {
		t.Errorf("Previous after a pan: lon %v z%v, want the view before the pan", lon, z)
	}

	// At most historyEntries views are kept.
	for i := range 2 * historyEntries {
		a.jump(float64(i), 0, 5)
	}
	if len(a.nav.history) != historyEntries {
		t.Errorf("history holds %d views, want %d", len(a.nav.history), historyEntries)
	}
}

func TestZoomToScale(t *testing.T) {
	h := newHarness(t)
	a, m := h.a, h.a.mapView
	a.jump(5, 52, 8)
	menuItem(t, a, "View", "Zoom to scale…").Action()
	e := a.nav.scaleEntry
	if e == nil || a.nav.scaleDlg == nil {
		t.Fatal("no Zoom to scale dialog")
	}
	// Nonsense is refused: the form will not submit.
	e.SetText("1:lots")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if a.nav.scaleDlg == nil {
		t.Fatal("the dialog closed on nonsense")
	}
	if e.Validate() == nil {
		t.Error("no error for 1:lots")
	}
	e.SetText("1:5") // beyond the deepest zoom
	if e.Validate() == nil {
		t.Error("no error for 1:5")
	}
	e.SetText("1:25000")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if a.nav.scaleDlg != nil {
		t.Fatal("Enter did not submit")
	}
	_, lat, zoom := m.Center()
	if got := layers.ScaleDenominator(lat, zoom); math.Abs(got-25000)/25000 > 0.01 {
		t.Errorf("scale after zoom to 1:25000 = 1:%.0f", got)
	}

	// Escape cancels.
	a.ZoomToScaleDialog()
	a.nav.scaleEntry.SetText("1000000")
	a.nav.scaleEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if a.nav.scaleDlg != nil {
		t.Fatal("Escape did not close the dialog")
	}
	if _, _, z := m.Center(); z != zoom {
		t.Errorf("zoom after Escape = %v, want %v", z, zoom)
	}
}

func TestBookmarksRoundTripAndJump(t *testing.T) {
	h := newHarness(t)
	a, m := h.a, h.a.mapView
	dir := t.TempDir()
	path := filepath.Join(dir, "b.mapvault.json")
	if err := a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	if a.Dirty() {
		t.Fatal("dirty after save")
	}
	if it := menuItem(t, a, "View", "Bookmarks", "Manage bookmarks…"); !it.Disabled {
		t.Error("Manage bookmarks is enabled without bookmarks")
	}

	a.jump(3.9, 51.5, 14)
	menuItem(t, a, "View", "Bookmarks", "Add bookmark…").Action()
	ed := a.nav.bookmarks
	ed.name.SetText("Dike")
	ed.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if ed.add != nil {
		t.Fatal("Enter did not add the bookmark")
	}
	a.jump(-70, -33.5, 9)
	a.AddBookmarkDialog()
	ed.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // cancelled
	a.AddBookmark("Santiago")
	a.AddBookmark("Spare")
	if !a.Dirty() {
		t.Error("adding bookmarks left the project clean")
	}
	if got := len(a.Project().Bookmarks); got != 3 {
		t.Fatalf("%d bookmarks, want 3", got)
	}

	// Manage: rename the second, delete the third.
	menuItem(t, a, "View", "Bookmarks", "Manage bookmarks…").Action()
	if len(ed.rows) != 3 {
		t.Fatalf("manager lists %d bookmarks, want 3", len(ed.rows))
	}
	ed.rows[1].name.SetText("Santiago de Chile")
	test.Tap(ed.rows[2].delete)
	if len(ed.rows) != 2 {
		t.Fatalf("manager lists %d bookmarks after a delete, want 2", len(ed.rows))
	}
	ed.manager.Hide()

	if err := a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name           string
		lon, lat, zoom float64
	}{{"Dike", 3.9, 51.5, 14}, {"Santiago de Chile", -70, -33.5, 9}}
	if len(p.Bookmarks) != len(want) {
		t.Fatalf("saved bookmarks = %+v", p.Bookmarks)
	}
	for i, w := range want {
		b := p.Bookmarks[i]
		if b.Name != w.name || !near(b.Lon, w.lon, 1e-9) || !near(b.Lat, w.lat, 1e-9) || b.Zoom != w.zoom {
			t.Errorf("bookmark %d = %+v, want %+v", i, b, w)
		}
	}

	// Open it again: the menu lists them and jumps.
	a.NewProject()
	if err := a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	menuItem(t, a, "View", "Bookmarks", "Dike").Action()
	if lon, lat, z := m.Center(); !near(lon, 3.9, 1e-9) || !near(lat, 51.5, 1e-9) || z != 14 {
		t.Errorf("after jumping to Dike: %v, %v, z%v", lon, lat, z)
	}
	menuItem(t, a, "View", "Bookmarks", "Santiago de Chile").Action()
	if lon, _, _ := m.Center(); !near(lon, -70, 1e-9) {
		t.Errorf("after jumping to Santiago: lon %v", lon)
	}
	a.PreviousExtent() // a jump is a view of the history
	if lon, _, _ := m.Center(); !near(lon, 3.9, 1e-9) {
		t.Errorf("Previous after two jumps: lon %v, want 3.9", lon)
	}
}

func TestCoordinateFormatSwitchAndCopy(t *testing.T) {
	h := newHarness(t)
	a, m, s := h.a, h.a.mapView, h.a.status
	a.jump(4.5, 50.6, 10)
	size := m.Size()
	centre := fyne.NewPos(size.Width/2, size.Height/2)
	m.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: centre}})
	lon, lat := m.PosToLonLat(centre)
	if got, want := s.cursor.Text, formatCoord(coordDD, lon, lat); got != want {
		t.Errorf("cursor = %q, want %q", got, want)
	}
	s.format.SetSelected(coordFormatLabel(coordDMS))
	if got, want := s.cursor.Text, formatCoord(coordDMS, lon, lat); got != want {
		t.Errorf("cursor in DMS = %q, want %q", got, want)
	}
	if got := a.fa.Preferences().String(prefCoordFormat); got != string(coordDMS) {
		t.Errorf("preference = %q, want %q", got, coordDMS)
	}
	// A click on the position switches to the next format.
	test.Tap(s.cursor)
	if s.coords != coordMercator || s.format.Selected != coordFormatLabel(coordMercator) {
		t.Errorf("after a click: format %q (select %q), want EPSG:3857", s.coords, s.format.Selected)
	}

	// The position stays when the pointer leaves the map, to be clicked.
	m.MouseOut()
	if got, want := s.cursor.Text, formatCoord(coordMercator, lon, lat); got != want {
		t.Errorf("cursor after the pointer left = %q, want %q", got, want)
	}

	// Copy copies the last clicked position in the chosen format.
	at := fyne.NewPos(10, 20)
	test.TapAt(m, at)
	clon, clat := m.PosToLonLat(at)
	test.Tap(s.copyBtn)
	if got, want := a.fa.Clipboard().Content(), formatCoord(coordMercator, clon, clat); got != want {
		t.Errorf("clipboard = %q, want %q", got, want)
	}
	if it := s.coordMenu().Items[0]; it.Label != "Copy coordinates" || it.Disabled {
		t.Errorf("context menu starts with %q (disabled %v)", it.Label, it.Disabled)
	}

	// The choice is remembered by the next window.
	s2 := newStatusBar(a.fa)
	if s2.coords != coordMercator {
		t.Errorf("a new status bar uses %q, want the remembered %q", s2.coords, coordMercator)
	}
}

func TestScaleBarFollowsZoom(t *testing.T) {
	h := newHarness(t)
	a := h.a
	a.jump(5, 52, 5)
	at5 := a.nav.scaleBar.Text()
	a.jump(5, 52, 12)
	at12 := a.nav.scaleBar.Text()
	if at5 == "" || at12 == "" || at5 == at12 {
		t.Errorf("scale bar label at zoom 5 = %q, at zoom 12 = %q: want two different lengths", at5, at12)
	}
	if want := formatScale(layers.ScaleDenominator(52, 12)); !strings.HasSuffix(a.status.view.Text, want) {
		t.Errorf("status view = %q, want the scale %s", a.status.view.Text, want)
	}
	if _, _, label := decor.NiceScaleBar(decor.MetersPerPixel(12, 52), scaleBarMax); at12 != label {
		t.Errorf("scale bar at zoom 12 = %q, want %q", at12, label)
	}
}

func TestExtentUnion(t *testing.T) {
	tests := []struct {
		boxes      [][4]float64
		w, s, e, n float64
		ok         bool
	}{
		{nil, 0, 0, 0, 0, false},
		{[][4]float64{{5, 52, 6, 53}}, 5, 52, 6, 53, true},
		{[][4]float64{{5, 52, 6, 53}, {-10, 40, 0, 50}}, -10, 40, 6, 53, true},
		{[][4]float64{{170, -20, -170, -10}}, 170, -20, -170, -10, true}, // crosses the antimeridian
		{[][4]float64{{170, -20, -170, -10}, {-175, 0, -160, 5}}, 170, -20, -160, 5, true},
		{[][4]float64{{-175, 0, -160, 5}, {170, -20, -170, -10}}, 170, -20, -160, 5, true},
		{[][4]float64{{-180, -85, 180, 85}, {10, 0, 20, 5}}, -180, -85, 180, 85, true},
		{[][4]float64{{math.NaN(), 0, 1, 1}}, 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		var u extentUnion
		for _, b := range tt.boxes {
			u.add(b[0], b[1], b[2], b[3])
		}
		b, ok := u.bounds()
		if ok != tt.ok {
			t.Errorf("union of %v: ok = %v, want %v", tt.boxes, ok, tt.ok)
			continue
		}
		if ok && (b.Min(0) != tt.w || b.Min(1) != tt.s || b.Max(0) != tt.e || b.Max(1) != tt.n) {
			t.Errorf("union of %v = %v,%v,%v,%v, want %v,%v,%v,%v", tt.boxes, b.Min(0), b.Min(1), b.Max(0), b.Max(1), tt.w, tt.s, tt.e, tt.n)
		}
	}
}

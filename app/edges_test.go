package app

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// pressKey sends a key as the desktop driver does: to the focused widget,
// else to the window's key handler.
func pressKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// typeText types into the focused widget.
func typeText(t *testing.T, c fyne.Canvas, s string) {
	t.Helper()
	f := c.Focused()
	if f == nil {
		t.Fatalf("typing %q with nothing focused", s)
	}
	test.Type(f, s)
}

// writePublicProject writes a project with one public demo layer.
func writePublicProject(t *testing.T, base string) string {
	t.Helper()
	p := project.New("public only")
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	p.AddLayer(project.Layer{Name: "Land", Kind: project.KindWMS, Source: base + demo.PublicPath,
		WMS: project.WMS{Layers: []string{"land"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	path := filepath.Join(t.TempDir(), "public.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

// Moving the map is no edit: the document stays clean and Quit does not
// ask; the view is still saved with the next save. A real edit asks.
func TestViewChangeIsNoEditButIsSaved(t *testing.T) {
	h := newHarness(t)
	path := writePublicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	m := h.a.mapView
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(m).Add(fyne.NewPos(200, 200))
	test.Drag(h.a.win.Canvas(), pos, 120, -40)
	m.ZoomBy(1)
	lon, lat, zoom := m.Center()
	if zoom != 4 || lon == 10 || lat == 50 {
		t.Fatalf("view after pan and zoom = (%v, %v, z%v), want it moved to z4", lon, lat, zoom)
	}
	if h.a.Dirty() || strings.HasPrefix(h.a.win.Title(), "*") {
		t.Errorf("after pan and zoom: dirty %v, title %q; want a clean document", h.a.Dirty(), h.a.win.Title())
	}

	// Saved with the project all the same.
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	saved, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := saved.View; v.Lon != lon || v.Lat != lat || v.Zoom != zoom {
		t.Errorf("saved view = %+v, want (%v, %v, z%v)", v, lon, lat, zoom)
	}

	// Quit after a pan alone exits without a question.
	test.Drag(h.a.win.Canvas(), pos, -50, 0)
	exited := false
	h.a.onExit = func() { exited = true }
	h.a.Quit()
	if h.a.confirm != nil || !exited {
		t.Errorf("Quit after a pan: question %v, exited %v; want no question and an exit", h.a.confirm != nil, exited)
	}

	// A real edit still asks.
	h2 := newHarness(t)
	if err := h2.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	test.Tap(h2.row("Land").eye)
	exited = false
	h2.a.onExit = func() { exited = true }
	h2.a.Quit()
	if h2.a.confirm == nil || exited {
		t.Fatalf("Quit after an edit: question %v, exited %v; want the question", h2.a.confirm != nil, exited)
	}
	test.Tap(h2.a.confirm.cancel)
	if exited {
		t.Error("Cancel quit the app")
	}
}

// After Save As the window and the unsaved-changes question name the new
// file; a placeholder title follows it into the saved file, a real title
// is kept.
func TestSaveAsRenamesEverywhere(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	if got, want := h.a.win.Title(), demoTitle+" — mapvault"; got != want {
		t.Errorf("demo window title = %q, want %q", got, want)
	}
	dir := t.TempDir()
	trip := filepath.Join(dir, "trip.mapvault.json")
	if err := h.a.SaveTo(trip); err != nil {
		t.Fatal(err)
	}
	if got, want := h.a.win.Title(), "trip — mapvault"; got != want {
		t.Errorf("title after Save As = %q, want %q", got, want)
	}
	if p, err := project.Load(trip); err != nil || p.Title != "trip" {
		t.Errorf("saved title = %q (%v), want %q", p.Title, err, "trip")
	}
	other := filepath.Join(dir, "other.mapvault.json")
	if err := h.a.SaveTo(other); err != nil {
		t.Fatal(err)
	}
	if got, want := h.a.win.Title(), "other — mapvault"; got != want {
		t.Errorf("title after a second Save As = %q, want %q", got, want)
	}
	if h.a.Project().Title != "other" {
		t.Errorf("project title = %q, want it to follow the file it was named after", h.a.Project().Title)
	}

	// A project with a title of its own: the window names the file, the
	// title stays.
	h2 := newHarness(t)
	path := writePublicProject(t, h2.startDemo())
	if err := h2.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "mine.mapvault.json")
	if err := h2.a.SaveTo(mine); err != nil {
		t.Fatal(err)
	}
	test.Tap(h2.row("Land").eye)
	if got, want := h2.a.win.Title(), "*mine — mapvault"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if h2.a.Project().Title != "public only" {
		t.Errorf("project title = %q, want the title it had", h2.a.Project().Title)
	}
	h2.a.NewProject()
	if h2.a.confirm == nil || !strings.Contains(h2.a.confirm.msg.Text, "“mine”") {
		t.Fatalf("unsaved-changes question does not name “mine”")
	}
	test.Tap(h2.a.confirm.cancel)
}

func TestCredentialPromptKeyboard(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	p := h.a.prompts.Current()
	c := h.a.win.Canvas()
	if c.Focused() != p.user {
		t.Fatalf("focus = %v, want the user name field", c.Focused())
	}
	// Escape cancels: the layers stay blocked.
	pressKey(c, fyne.KeyEscape)
	if h.a.prompts.Current() != nil {
		t.Fatal("Escape left the prompt open")
	}
	if !h.a.layerStatus(h.layerID("A")).blocked {
		t.Error("layer unblocked after Escape")
	}

	// Unlock… asks again: name, Enter, password, Enter.
	h.a.askFor(p.src, false)
	p = h.a.prompts.Current()
	if p == nil || c.Focused() != p.user {
		t.Fatalf("second prompt %v, focus %v; want the user name focused", p != nil, c.Focused())
	}
	typeText(t, c, demo.BasicUser)
	pressKey(c, fyne.KeyReturn)
	if c.Focused() != p.password {
		t.Fatalf("Enter in the user name moved focus to %v, want the password", c.Focused())
	}
	typeText(t, c, demo.BasicPassword)
	pressKey(c, fyne.KeyReturn)
	h.q.waitFor(t, "the prompt to unlock", func() bool { return h.a.prompts.Current() != p })
	if p.Message() != "" || h.a.layerStatus(h.layerID("A")).blocked {
		t.Errorf("after Enter: message %q, blocked %v; want unlocked", p.Message(), h.a.layerStatus(h.layerID("A")).blocked)
	}
	if c.OnTypedKey() != nil {
		t.Error("the window's key handler was not restored when the prompt closed")
	}
}

func TestAddLayerAndBasemapDialogKeyboard(t *testing.T) {
	h, _ := newOfflineHarness(t)
	c := h.a.win.Canvas()
	h.a.AddLayerDialog()
	if h.a.addDialog == nil || c.Focused() != h.a.addDialog.entry {
		t.Fatalf("add-layer dialog %v, focus %v; want the address focused", h.a.addDialog != nil, c.Focused())
	}
	typeText(t, c, "https://example.org/wms")
	pressKey(c, fyne.KeyEscape)
	if h.a.addDialog != nil || h.a.suspects != nil || h.a.picker != nil {
		t.Fatal("Escape did not cancel the add-layer dialog")
	}

	h.a.AddBasemapDialog()
	if h.a.basemaps == nil {
		t.Fatal("no basemap picker")
	}
	pressKey(c, fyne.KeyEscape)
	if h.a.basemaps != nil || len(h.a.Project().Layers) != 0 {
		t.Fatal("Escape did not cancel the basemap picker")
	}
	h.a.AddBasemapDialog()
	pressKey(c, fyne.KeyReturn)
	if h.a.basemaps != nil || len(h.a.Project().Layers) != 1 {
		t.Fatalf("Enter: picker open %v, %d layers; want the first preset added", h.a.basemaps != nil, len(h.a.Project().Layers))
	}
	// Custom template: the template field gets the focus, Escape in it
	// cancels, Enter in it adds.
	h.a.AddBasemapDialog()
	h.a.basemaps.list.SetSelected(customBasemap)
	if c.Focused() != h.a.basemaps.template {
		t.Fatalf("focus = %v, want the template field", c.Focused())
	}
	typeText(t, c, "http://127.0.0.1:1/{z}/{x}/{y}.png")
	pressKey(c, fyne.KeyReturn)
	if h.a.basemaps != nil || len(h.a.Project().Layers) != 2 {
		t.Fatalf("Enter in the template: picker open %v, %d layers; want the custom basemap added", h.a.basemaps != nil, len(h.a.Project().Layers))
	}
}

func TestUnsavedQuestionKeyboard(t *testing.T) {
	h := newHarness(t)
	path := writePublicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	c := h.a.win.Canvas()
	test.Tap(h.row("Land").eye)
	h.a.NewProject()
	if h.a.confirm == nil {
		t.Fatal("no unsaved-changes question")
	}
	pressKey(c, fyne.KeyEscape)
	if h.a.confirm != nil || h.a.Path() != path || !h.a.Dirty() {
		t.Fatalf("Escape: question %v, path %q, dirty %v; want it cancelled", h.a.confirm != nil, h.a.Path(), h.a.Dirty())
	}
	h.a.NewProject()
	pressKey(c, fyne.KeyReturn) // Save, the default
	if h.a.confirm != nil || h.a.Path() != "" {
		t.Fatalf("Enter: question %v, path %q; want saved and a new project", h.a.confirm != nil, h.a.Path())
	}
	saved, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Layers[0].Visible {
		t.Error("Enter did not save the edit")
	}
}

func TestInitialWindowSizeFitsTheScreen(t *testing.T) {
	for _, tt := range []struct {
		scale        float32
		screenW, scH float32
	}{{1, 1366, 768}, {1.25, 1366, 768}, {2, 1920, 1080}, {1.5, 1920, 1080}} {
		s := initialWindowSize(tt.scale)
		if s.Width*tt.scale > tt.screenW || s.Height*tt.scale > tt.scH {
			t.Errorf("initialWindowSize(%v) = %v: %vx%v pixels, larger than a %vx%v screen",
				tt.scale, s, s.Width*tt.scale, s.Height*tt.scale, tt.screenW, tt.scH)
		}
		if s.Width < minFirstWidth || s.Height < minFirstHeight {
			t.Errorf("initialWindowSize(%v) = %v, below the %vx%v minimum", tt.scale, s, minFirstWidth, minFirstHeight)
		}
	}
	if s := initialWindowSize(1); s.Width != preferredWidth {
		t.Errorf("initialWindowSize(1) width = %v, want the preferred %v", s.Width, preferredWidth)
	}
	t.Setenv("FYNE_SCALE", "2")
	fa := test.NewTempApp(t)
	if got := userScale(fa); got != 2 {
		t.Errorf("userScale with FYNE_SCALE=2 = %v, want 2", got)
	}
}

// A long layer name ends in an ellipsis in a narrow panel rather than
// being cut off silently.
func TestLongLayerNameEllipsis(t *testing.T) {
	h := newHarness(t)
	long := "A very long layer name that cannot fit in the layer panel of a small window at all"
	h.a.doc.proj.AddLayer(project.Layer{Name: long, Kind: project.KindXYZ, Source: "http://127.0.0.1:1/{z}/{x}/{y}.png", Opacity: 1})
	h.a.refresh()
	h.a.win.Resize(fyne.NewSize(640, 400))
	r := h.row(long)
	markup := test.RenderObjectToMarkup(r.name)
	if strings.Contains(markup, long) || !strings.Contains(markup, "…") {
		t.Errorf("name label renders as\n%s\nwant the name shortened with an ellipsis", markup)
	}
}

// The demo project is saved with the demo's own address, never the free
// port a session fell back to; opened while that address is busy, its
// layers move to this session's demo server.
func TestDemoSavedWithItsOwnAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	other, err := demo.Start(ctx, "127.0.0.1:0") // another mapvault's demo
	if err != nil {
		t.Fatal(err)
	}
	home := strings.TrimPrefix(other.URL(), "http://")

	h := newHarness(t)
	h.a.demo.home = home
	if err := h.a.OpenDemo(""); err != nil {
		t.Fatal(err)
	}
	fallback := h.a.doc.proj.Layers[0].Source
	if strings.Contains(fallback, home) {
		t.Fatalf("demo layer %q on the busy address %s, want a free port", fallback, home)
	}
	fallbackHost := strings.SplitN(strings.TrimPrefix(fallback, "http://"), "/", 2)[0]
	h.unlockAll() // the KeyVault learns how the demo sources authenticate
	path := filepath.Join(t.TempDir(), "demo.mapvault.json")
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, vault.SidecarPath(path)} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), fallbackHost) || !strings.Contains(string(b), "http://"+home+"/") {
			t.Errorf("%s names %s or not %s:\n%s", filepath.Base(f), fallbackHost, home, b)
		}
	}
	if !strings.Contains(h.a.doc.proj.Layers[0].Source, fallbackHost) {
		t.Errorf("the session's layers left the demo server serving them: %s", h.a.doc.proj.Layers[0].Source)
	}

	// The other mapvault quits; something else takes its port. The saved
	// project still draws, from a demo server of the session opening it.
	_ = other.Close()
	ln, err := net.Listen("tcp", home)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", home, err)
	}
	defer ln.Close()
	h2 := newHarness(t)
	h2.a.demo.home = home
	if err := h2.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	for _, l := range h2.a.doc.proj.Layers {
		if strings.Contains(l.Source, home) {
			t.Errorf("layer %s still on the busy %s", l.Name, home)
		}
	}
	for _, src := range h2.a.KeyVault().Sources() {
		if strings.Contains(string(src), home) {
			t.Errorf("KeyVault entry %s still on the busy %s", src, home)
		}
	}
	if h2.a.Dirty() {
		t.Error("moving the demo layers made the document dirty")
	}
	h2.unlockAll()
	land := h2.layerID("Land (public)")
	h2.q.waitFor(t, "the land drawn", func() bool {
		for _, id := range h2.drawn() {
			if id == land {
				return h2.settled()
			}
		}
		return false
	})
	if err := h2.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "http://"+home+"/") {
		t.Errorf("saved again without the demo's own address:\n%s", b)
	}
}

package app

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// shortcut types a shortcut on the window's canvas, as the desktop driver
// does when no focused widget takes it: through the handlers the app
// registered (addShortcuts).
func (h *harness) shortcut(sc fyne.Shortcut) {
	h.t.Helper()
	c := any(h.a.win.Canvas())
	type shortcutter interface{ TypedShortcut(fyne.Shortcut) }
	if _, ok := c.(shortcutter); !ok {
		// The test driver wraps its canvas; the wrapped one dispatches.
		v := reflect.ValueOf(c).Elem().FieldByName("WindowlessCanvas")
		if !v.IsValid() {
			h.t.Fatalf("cannot type shortcuts on %T", c)
		}
		c = v.Interface()
	}
	s, ok := c.(shortcutter)
	if !ok {
		h.t.Fatalf("cannot type shortcuts on %T", c)
	}
	s.TypedShortcut(sc)
}

// key types a key into the focused object.
func (h *harness) key(name fyne.KeyName) {
	h.t.Helper()
	f := h.a.win.Canvas().Focused()
	if f == nil {
		h.t.Fatalf("nothing focused to type %s into", name)
	}
	f.TypedKey(&fyne.KeyEvent{Name: name})
}

// The shortcuts as the desktop driver types them: Ctrl+Z and Ctrl+Y are
// fyne.ShortcutUndo and fyne.ShortcutRedo, Ctrl+Shift+Z a custom one.
var (
	ctrlZ      = &fyne.ShortcutUndo{}
	ctrlY      = &fyne.ShortcutRedo{}
	ctrlShiftZ = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
)

func TestRemoveAsksThenUndoRedo(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	id := h.layerID("Land (public)")
	l, _ := h.a.Project().Layer(id)
	l.Opacity, l.Visible = 0.35, false
	h.a.refresh()
	at := h.a.layerIndex(id)
	n := len(h.a.Project().Layers)

	test.Tap(h.row("Land (public)").remove)
	rd := h.a.panel.removing
	if rd == nil {
		t.Fatal("no confirmation after tapping remove")
	}
	if want := "Remove layer “Land (public)”? You can undo this with Ctrl+Z."; rd.msg.Text != want {
		t.Errorf("question = %q, want %q", rd.msg.Text, want)
	}
	if rd.remove.Text != "Remove" || rd.cancel.Text != "Cancel" {
		t.Errorf("buttons = %q, %q, want Remove, Cancel", rd.remove.Text, rd.cancel.Text)
	}
	if _, ok := h.a.Project().Layer(id); !ok {
		t.Fatal("layer removed before the answer")
	}
	h.key(fyne.KeyEscape)
	if h.a.panel.removing != nil {
		t.Error("Esc left the question showing")
	}
	if _, ok := h.a.Project().Layer(id); !ok {
		t.Fatal("Esc removed the layer")
	}

	h.a.doc.dirty = false
	test.Tap(h.row("Land (public)").remove)
	h.key(fyne.KeyReturn)
	if _, ok := h.a.Project().Layer(id); ok || len(h.a.Project().Layers) != n-1 {
		t.Fatalf("Enter did not remove the layer (%d layers)", len(h.a.Project().Layers))
	}
	if _, ok := h.a.panel.rows[id]; ok {
		t.Error("the removed layer still has a panel row")
	}
	if !h.a.Dirty() {
		t.Error("document clean after a remove")
	}
	kvBefore, _ := h.a.KeyVault().Marshal()

	h.a.doc.dirty = false
	h.shortcut(ctrlZ)
	got, ok := h.a.Project().Layer(id)
	if !ok {
		t.Fatal("Ctrl+Z did not restore the layer")
	}
	if h.a.layerIndex(id) != at || got.Opacity != 0.35 || got.Visible {
		t.Errorf("restored at %d, opacity %v, visible %v; want %d, 0.35, false", h.a.layerIndex(id), got.Opacity, got.Visible, at)
	}
	if _, ok := h.a.panel.rows[id]; !ok {
		t.Error("the restored layer has no panel row")
	}
	if !h.a.Dirty() {
		t.Error("document clean after an undo")
	}
	if kvAfter, _ := h.a.KeyVault().Marshal(); string(kvAfter) != string(kvBefore) {
		t.Error("undoing a remove changed the KeyVault")
	}

	h.shortcut(ctrlShiftZ)
	if _, ok := h.a.Project().Layer(id); ok {
		t.Error("Ctrl+Shift+Z did not remove the layer again")
	}
	h.shortcut(ctrlZ)
	h.shortcut(ctrlZ) // nothing left to undo: harmless
	if _, ok := h.a.Project().Layer(id); !ok || h.a.layerIndex(id) != at {
		t.Fatal("the second undo lost the layer")
	}
	h.shortcut(ctrlY)
	if _, ok := h.a.Project().Layer(id); ok {
		t.Error("Ctrl+Y did not redo the remove")
	}
}

func TestOpacityDragIsOneUndoStep(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	id := h.layerID("Land (public)")
	s := h.row("Land (public)").opacity
	if s.Size().Width < 100 {
		t.Fatalf("slider is %v wide; the test drags across it", s.Size())
	}
	at := func(frac float32) *fyne.DragEvent {
		return &fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(s.Size().Width*frac, s.Size().Height/2)}}
	}
	for _, f := range []float32{0.8, 0.6, 0.3, 0.2} {
		s.Dragged(at(f))
	}
	s.DragEnd()
	l, _ := h.a.Project().Layer(id)
	dragged := l.Opacity
	if dragged >= 0.5 {
		t.Fatalf("opacity after the drag = %v, want below 0.5", dragged)
	}
	if n := len(h.a.doc.undo.done); n != 1 {
		t.Fatalf("the drag made %d undo steps, want 1", n)
	}
	h.a.Undo()
	if l, _ := h.a.Project().Layer(id); l.Opacity != 1 {
		t.Errorf("opacity after undo = %v, want 1 (the value before the drag)", l.Opacity)
	}
	if s.Value != 1 {
		t.Errorf("slider after undo = %v, want 1", s.Value)
	}
	h.q.waitFor(t, "the map spec to follow the undo", func() bool {
		for _, sp := range h.a.mapView.specs {
			if sp.ID == id {
				return sp.Opacity == 1
			}
		}
		return false
	})
	h.a.Redo()
	if l, _ := h.a.Project().Layer(id); l.Opacity != dragged {
		t.Errorf("opacity after redo = %v, want %v", l.Opacity, dragged)
	}
}

func TestMoveAndVisibilityUndo(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	id := h.layerID("Land (public)")
	at := h.a.layerIndex(id)
	test.Tap(h.row("Land (public)").up)
	if h.a.layerIndex(id) != at+1 {
		t.Fatalf("after up, index = %d, want %d", h.a.layerIndex(id), at+1)
	}
	test.Tap(h.row("Land (public)").eye)
	if h.visible("Land (public)") {
		t.Fatal("eye tap left the layer visible")
	}
	h.a.Undo()
	if !h.visible("Land (public)") {
		t.Error("undo did not show the layer again")
	}
	h.a.Undo()
	if h.a.layerIndex(id) != at {
		t.Errorf("after undoing the move, index = %d, want %d", h.a.layerIndex(id), at)
	}
	if h.a.panel.order[len(h.a.panel.order)-1-at] != id {
		t.Errorf("panel order %v does not follow the undo", h.a.panel.order)
	}
	h.a.Redo()
	h.a.Redo()
	if h.a.layerIndex(id) != at+1 || h.visible("Land (public)") {
		t.Errorf("after two redos: index %d visible %v, want %d false", h.a.layerIndex(id), h.visible("Land (public)"), at+1)
	}
}

func TestUndoHistoryIsTheDocuments(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	test.Tap(h.row("Land (public)").eye)
	if len(h.a.doc.undo.done) != 1 {
		t.Fatal("the eye tap made no undo step")
	}
	h.a.NewProject() // asks first: the demo has unsaved changes
	if h.a.confirm != nil {
		test.Tap(h.a.confirm.discard)
	}
	if len(h.a.doc.undo.done) != 0 {
		t.Errorf("new project has %d undo steps, want 0", len(h.a.doc.undo.done))
	}
	h.a.Undo() // nothing to undo, no panic
	if h.a.Dirty() {
		t.Error("an empty undo made the new project dirty")
	}
}

// recordingWMS is a WMS 1.3.0 server answering GetCapabilities with
// caps(its own URL) and every GetMap with a blank 256-pixel PNG; it
// records record(the GetMap's parameters, keys upper-cased) per GetMap.
func recordingWMS(t *testing.T, caps func(base string) string, record func(q url.Values) string) (*httptest.Server, func() []string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 256, 256))); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[strings.ToUpper(k)] = v
		}
		switch strings.ToLower(q.Get("REQUEST")) {
		case "getcapabilities":
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, caps(srv.URL))
		case "getmap":
			mu.Lock()
			got = append(got, record(q))
			mu.Unlock()
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(buf.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// styledWMS is a WMS 1.3.0 server with one layer, "relief", in two styles
// (and a title and abstract that quote the session's secret, which the
// dialog must not show); it records the STYLES of every GetMap.
func styledWMS(t *testing.T, secret string) (*httptest.Server, func() []string) {
	t.Helper()
	crs := ""
	for i := range 25 {
		crs += fmt.Sprintf("<CRS>EPSG:%d</CRS>", 32601+i)
	}
	return recordingWMS(t, func(base string) string {
		return fmt.Sprintf(`<?xml version="1.0"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Relief service</Title><OnlineResource xlink:href="%[1]s/wms"/></Service>
<Capability>
<Request>
<GetCapabilities><Format>text/xml</Format><DCPType><HTTP><Get><OnlineResource xlink:href="%[1]s/wms?"/></Get></HTTP></DCPType></GetCapabilities>
<GetMap><Format>image/png</Format><DCPType><HTTP><Get><OnlineResource xlink:href="%[1]s/wms?"/></Get></HTTP></DCPType></GetMap>
</Request>
<Exception><Format>XML</Format></Exception>
<Layer><Title>Root</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>%[2]s
<Attribution><Title>Relief Survey</Title><OnlineResource xlink:href="https://relief.example/"/></Attribution>
<Layer queryable="0"><Name>relief</Name><Title>Shaded relief</Title><Abstract>Hillshade; ask %[3]s for access</Abstract>
<EX_GeographicBoundingBox><westBoundLongitude>3</westBoundLongitude><eastBoundLongitude>8</eastBoundLongitude><southBoundLatitude>50</southBoundLatitude><northBoundLatitude>54</northBoundLatitude></EX_GeographicBoundingBox>
<Style><Name>default</Name><Title>Grey</Title></Style>
<Style><Name>contour</Name><Title>Contours</Title></Style>
</Layer></Layer>
</Capability></WMS_Capabilities>`, base, crs, secret)
	}, func(q url.Values) string { return q.Get("STYLES") })
}

// openProject saves p and opens it in the app.
func (h *harness) openProject(p *project.Project) {
	h.t.Helper()
	path := filepath.Join(h.t.TempDir(), "p.mapvault.json")
	if err := project.Save(path, p); err != nil {
		h.t.Fatal(err)
	}
	if err := h.a.OpenFile(path); err != nil {
		h.t.Fatal(err)
	}
}

// markupText is every text the object shows, one per line.
func markupText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Entry:
			b.WriteString(w.Text + "\n")
		case *widget.Select:
			b.WriteString(strings.Join(w.Options, "|") + "\n")
		case *widget.Form:
			for _, it := range w.Items {
				b.WriteString(it.Text + "\n")
				walk(it.Widget)
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		}
	}
	walk(o)
	return b.String()
}

func TestLayerPropertiesRenameAndStyle(t *testing.T) {
	const secret = "hunter2-relief"
	h, _ := newOfflineHarness(t)
	srv, styles := styledWMS(t, secret)
	p := project.New("styled")
	p.View = project.View{Lon: 5, Lat: 52, Zoom: 5}
	p.AddLayer(project.Layer{ID: "relief", Name: "Relief", Kind: project.KindWMS, Source: srv.URL + "/wms",
		WMS: project.WMS{Layers: []string{"relief"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	h.openProject(p)
	h.waitSettled()
	// The session holds a secret the server quotes: the dialog shows it scrubbed.
	src, _ := vault.SourceOf(srv.URL + "/wms")
	h.store.Set(src, vault.Credential{Username: "ann", Password: secret})

	test.Tap(h.row("Relief").props)
	pd := h.a.panel.props
	if pd == nil {
		t.Fatal("no properties dialog")
	}
	h.q.waitFor(t, "the capabilities in the dialog", func() bool { return pd.styles != nil })
	text := markupText(pd.caps)
	for _, want := range []string{"Shaded relief", "Hillshade", "W 3.0000, S 50.0000, E 8.0000, N 54.0000", "EPSG:3857, EPSG:4326, EPSG:32601", "… (27 in all)", "Contours — contour"} {
		if !strings.Contains(text, want) {
			t.Errorf("dialog does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "EPSG:32619") {
		t.Errorf("dialog shows more than %d CRS:\n%s", maxCRSShown, text)
	}
	if strings.Contains(text, secret) {
		t.Errorf("dialog shows the session's secret:\n%s", text)
	}
	if got := pd.styles[0].Selected; got != defaultStyle {
		t.Errorf("style selected = %q, want %q", got, defaultStyle)
	}

	pd.name.SetText("Hillshade")
	pd.attrib.SetText("© Relief Agency")
	pd.styles[0].SetSelected("Contours — contour")
	h.a.doc.dirty = false
	pd.dlg.Confirm()
	l, _ := h.a.Project().Layer("relief")
	if l.Name != "Hillshade" || l.Attribution != "© Relief Agency" || !slices.Equal(l.WMS.Styles, []string{"contour"}) {
		t.Fatalf("layer after OK = name %q, attribution %q, styles %q; want Hillshade, © Relief Agency, [contour]", l.Name, l.Attribution, l.WMS.Styles)
	}
	if h.row("Hillshade").name.Text != "Hillshade" || !h.a.Dirty() {
		t.Errorf("row shows %q, dirty %v; want the new name, dirty", h.row("Hillshade").name.Text, h.a.Dirty())
	}
	if got := h.a.attrib.Text; got != "© Relief Agency" {
		t.Errorf("map attribution = %q, want the layer's new one", got)
	}
	h.q.waitFor(t, "a GetMap in the new style", func() bool { return slices.Contains(styles(), "contour") })
	if n := len(h.a.doc.undo.done); n != 1 {
		t.Errorf("OK made %d undo steps, want 1", n)
	}

	h.a.Undo()
	l, _ = h.a.Project().Layer("relief")
	if l.Name != "Relief" || l.Attribution != "" || len(l.WMS.Styles) != 0 {
		t.Errorf("after undo: name %q, attribution %q, styles %q; want Relief, \"\", none", l.Name, l.Attribution, l.WMS.Styles)
	}
	if _, ok := h.a.doc.specs["relief"]; ok && h.a.doc.specs["relief"].ID == "" {
		t.Error("spec left empty")
	}
}

func TestGroupEyeKeepsLayerEyes(t *testing.T) {
	h := newHarness(t)
	base := h.startDemo()
	p := project.New("groups")
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	for _, l := range []struct {
		name, group string
		visible     bool
	}{{"Other", "", true}, {"Depth", "Hazard", true}, {"Zones", "Hazard", false}, {"Wind", "Hazard", true}} {
		p.AddLayer(project.Layer{Name: l.name, Group: l.group, Kind: project.KindWMS, Source: base + demo.PublicPath,
			WMS: project.WMS{Layers: []string{"land"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: l.visible})
	}
	h.openProject(p)
	h.waitSettled()
	ids := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, h.layerID(n))
		}
		slices.Sort(out)
		return out
	}
	drawn := func() []string { d := h.drawn(); slices.Sort(d); return d }
	if len(h.a.panel.headers) != 1 || h.a.panel.headers[0].name != "Hazard" {
		t.Fatalf("headers = %v, want one for Hazard", h.a.panel.headers)
	}
	g := h.a.panel.headers[0]
	if !g.eye.Partial {
		t.Errorf("group eye with 2 of 3 layers on: checked %v partial %v, want partial", g.eye.Checked, g.eye.Partial)
	}
	if got, want := drawn(), ids("Other", "Depth", "Wind"); !slices.Equal(got, want) {
		t.Fatalf("drawn = %v, want %v", got, want)
	}

	test.Tap(g.eye)
	if got, want := drawn(), ids("Other"); !slices.Equal(got, want) {
		t.Errorf("group hidden: drawn = %v, want %v", got, want)
	}
	if l, _ := h.a.Project().Layer(h.layerID("Depth")); attributionOf(*l) == "" {
		l.Attribution = "© Depth survey"
		h.a.refresh()
		if strings.Contains(h.a.attrib.Text, "Depth survey") {
			t.Errorf("attribution %q shown for a layer of a hidden group", h.a.attrib.Text)
		}
		l.Attribution = ""
	}
	if !h.visible("Depth") || h.visible("Zones") || !h.visible("Wind") {
		t.Errorf("hiding the group changed the layers' eyes: Depth %v Zones %v Wind %v", h.visible("Depth"), h.visible("Zones"), h.visible("Wind"))
	}
	if g.eye.Checked || g.eye.Partial || h.a.Project().GroupVisible("Hazard") {
		t.Errorf("group eye after hiding: checked %v partial %v, project says visible %v", g.eye.Checked, g.eye.Partial, h.a.Project().GroupVisible("Hazard"))
	}

	// Saved with the project.
	path := filepath.Join(t.TempDir(), "saved.mapvault.json")
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	saved, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.GroupVisible("Hazard") {
		t.Error("the saved project shows the hidden group")
	}

	test.Tap(g.eye)
	h.waitSettled()
	if got, want := drawn(), ids("Other", "Depth", "Wind"); !slices.Equal(got, want) {
		t.Errorf("group shown again: drawn = %v, want %v (exactly the layers that were visible)", got, want)
	}
	if h.visible("Zones") {
		t.Error("showing the group turned on a layer whose eye was off")
	}

	h.a.Undo()
	if got, want := drawn(), ids("Other"); !slices.Equal(got, want) {
		t.Errorf("undo of show: drawn = %v, want %v", got, want)
	}
	h.a.Undo()
	if !h.a.Project().GroupVisible("Hazard") {
		t.Error("undo of hide left the group hidden")
	}

	// A group whose layers are all off: its eye turns them all on.
	for _, n := range []string{"Depth", "Wind"} {
		test.Tap(h.row(n).eye)
	}
	if g.eye.Checked || g.eye.Partial {
		t.Errorf("group eye with no layer on: checked %v partial %v, want clear", g.eye.Checked, g.eye.Partial)
	}
	test.Tap(g.eye)
	if !h.visible("Depth") || !h.visible("Zones") || !h.visible("Wind") || !g.eye.Checked || g.eye.Partial {
		t.Errorf("group eye on an all-off group: Depth %v Zones %v Wind %v, eye checked %v partial %v; want all on, checked",
			h.visible("Depth"), h.visible("Zones"), h.visible("Wind"), g.eye.Checked, g.eye.Partial)
	}
	h.a.Undo()
	if h.visible("Depth") || h.visible("Zones") || h.visible("Wind") {
		t.Error("one undo did not turn the group's layers off again")
	}

	// Folding hides the group's rows from the list, not from the map.
	rows := len(h.a.panel.list.Objects)
	test.Tap(g.fold)
	if got := len(h.a.panel.list.Objects); got != rows-6 {
		t.Errorf("folded list has %d objects, want %d", got, rows-6)
	}
	test.Tap(h.a.panel.headers[0].fold)
	if got := len(h.a.panel.list.Objects); got != rows {
		t.Errorf("unfolded list has %d objects, want %d", got, rows)
	}
}

func TestEditMenu(t *testing.T) {
	h := newHarness(t)
	var edit *fyne.Menu
	for _, m := range h.a.win.MainMenu().Items {
		if m.Label == "Edit" {
			edit = m
		}
	}
	if edit == nil || len(edit.Items) != 2 {
		t.Fatalf("Edit menu = %+v, want Undo and Redo", edit)
	}
	for i, want := range []struct {
		label string
		mod   fyne.KeyModifier
	}{{"Undo", fyne.KeyModifierShortcutDefault}, {"Redo", fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}} {
		it := edit.Items[i]
		sc, ok := it.Shortcut.(*desktop.CustomShortcut)
		if it.Label != want.label || !ok || sc.KeyName != fyne.KeyZ || sc.Modifier != want.mod {
			t.Errorf("Edit item %d = %q %+v, want %q on Z with %v", i, it.Label, it.Shortcut, want.label, want.mod)
		}
	}
	h.openDemo()
	test.Tap(h.row("Land (public)").eye)
	edit.Items[0].Action()
	if !h.visible("Land (public)") {
		t.Error("Edit > Undo did not undo the eye tap")
	}
	edit.Items[1].Action()
	if h.visible("Land (public)") {
		t.Error("Edit > Redo did not redo the eye tap")
	}
}

func TestLayerPropertiesVectorStyle(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	var vec *project.Layer
	for i := range h.a.Project().Layers {
		if l := &h.a.Project().Layers[i]; l.Kind.Vector() {
			vec = l
		}
	}
	if vec == nil {
		t.Fatal("the demo has no vector layer")
	}
	name := vec.Name
	test.Tap(h.row(name).props)
	pd := h.a.panel.props
	if pd == nil {
		t.Fatal("no properties dialog")
	}
	if pd.caps != nil {
		t.Error("a vector layer's dialog waits for WMS capabilities")
	}
	text := markupText(pd.body)
	for _, want := range []string{"Fill", string(vec.Style.Fill), "Stroke", string(vec.Style.Stroke), "Stroke width", fmt.Sprintf("%g px", vec.Style.Width), vec.Source} {
		if !strings.Contains(text, want) {
			t.Errorf("dialog does not show %q:\n%s", want, text)
		}
	}
	// Cancel changes nothing and makes no undo step.
	pd.name.SetText("changed")
	pd.dlg.Dismiss()
	if vec, _ := h.a.Project().Layer(h.layerID(name)); vec.Name != name || len(h.a.doc.undo.done) != 0 {
		t.Errorf("after Cancel: name %q, %d undo steps; want %q, 0", vec.Name, len(h.a.doc.undo.done), name)
	}
}

// TestUndoRemoveWhenIDTaken: a layer added after a remove may take the
// removed layer's id; undo puts the removed one back under a new id and
// redo removes that one, never the newcomer.
func TestUndoRemoveWhenIDTaken(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	id := h.layerID("Land (public)")
	h.a.removeLayer(id)
	newcomer := h.a.Project().AddLayer(project.Layer{ID: id, Name: "Newcomer", Kind: project.KindXYZ,
		Source: "http://127.0.0.1:1/{z}/{x}/{y}.png", Opacity: 1})
	if newcomer.ID != id {
		t.Fatalf("newcomer id = %q, want %q", newcomer.ID, id)
	}
	h.a.refresh()
	h.a.Undo()
	back := h.layerID("Land (public)")
	if back == id {
		t.Fatalf("restored layer has the newcomer's id %q", id)
	}
	h.a.Redo()
	if _, ok := h.a.Project().Layer(id); !ok {
		t.Error("redo removed the newcomer")
	}
	if _, ok := h.a.Project().Layer(back); ok {
		t.Error("redo left the restored layer")
	}
}

// TestMapShowsTheServicesAttribution: a WMS layer's Attribution from the
// capabilities is credited on the map, and the layer's own attribution
// replaces it.
func TestMapShowsTheServicesAttribution(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv, _ := styledWMS(t, "unused-secret")
	p := project.New("credited")
	p.View = project.View{Lon: 5, Lat: 52, Zoom: 5}
	p.AddLayer(project.Layer{ID: "relief", Name: "Relief", Kind: project.KindWMS, Source: srv.URL + "/wms",
		WMS: project.WMS{Layers: []string{"relief"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	h.openProject(p)
	h.waitSettled()
	if !h.a.attrib.Visible() || h.a.attrib.Text != "Relief Survey" {
		t.Errorf("map attribution = %q (visible %v), want the service's", h.a.attrib.Text, h.a.attrib.Visible())
	}
	h.a.doc.proj.Layers[0].Attribution = "© Our own survey"
	h.a.refresh()
	if h.a.attrib.Text != "© Our own survey" {
		t.Errorf("map attribution = %q, want the layer's own", h.a.attrib.Text)
	}
}

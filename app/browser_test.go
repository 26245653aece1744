package app

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"mapvault/assets/demo"
	"mapvault/project"
)

// visible returns the titles of the nodes the browser's tree shows, in
// document order, indented by depth.
func (b *serviceBrowser) visible() []string {
	var out []string
	var walk func(id, indent string)
	walk = func(id, indent string) {
		for _, k := range b.visibleKids(id) {
			out = append(out, indent+b.offers[k].Title)
			walk(k, indent+"  ")
		}
	}
	walk("", "")
	return out
}

// saveConnection fills the browser's New connection form and saves it.
func saveConnection(t *testing.T, b *serviceBrowser, name, raw, kind string) {
	t.Helper()
	b.showForm(-1)
	if b.form == nil {
		t.Fatal("no connection form")
	}
	b.form.name.SetText(name)
	b.form.url.SetText(raw)
	if kind != "" {
		b.form.kind.SetSelected(kind)
	}
	b.form.dlg.Confirm()
}

// connectTo selects the connection named name and connects, waiting for
// its offers.
func connectTo(t *testing.T, h *harness, name string) *serviceBrowser {
	t.Helper()
	b := h.a.browser
	i := slices.IndexFunc(b.conns, func(c connection) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no connection %q in %+v", name, b.conns)
	}
	b.list.Select(i)
	b.svc = nil
	b.connect.OnTapped()
	h.q.waitFor(t, "the service's offers", func() bool { return b.svc != nil })
	return b
}

// overlayTexts returns the texts of the labels on the top overlay.
func overlayTexts(c fyne.Canvas) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *fyne.Container:
			for _, k := range w.Objects {
				walk(k)
			}
		case fyne.Widget:
			r := o.(fyne.Widget).CreateRenderer()
			for _, k := range r.Objects() {
				walk(k)
			}
		}
	}
	if top := c.Overlays().Top(); top != nil {
		walk(top)
	}
	return out
}

func TestBrowserSavesConnectionWithoutTheKey(t *testing.T) {
	h, _ := newOfflineHarness(t)
	base := h.startDemo()
	const canary = "canary-Zq81xW0pLk3v"
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "Borders", base+demo.KeyPath+"?"+demo.KeyParam+"="+canary, "")
	prefs := h.a.fa.Preferences().String(prefConnections)
	if strings.Contains(prefs, canary) {
		t.Fatalf("preferences hold the key: %s", prefs)
	}
	want := connection{Name: "Borders", URL: base + demo.KeyPath, Kind: ""}
	if got := loadConnections(h.a.fa.Preferences()); len(got) != 1 || got[0] != want {
		t.Errorf("saved connections = %+v, want [%+v]", got, want)
	}
	// Edited with the real key, it connects without a prompt this session,
	// and the preferences still hold the clean URL alone.
	b.list.Select(0)
	b.showForm(0)
	b.form.url.SetText(base + demo.KeyPath + "?" + demo.KeyParam + "=" + demo.AccessKey)
	b.form.dlg.Confirm()
	if prefs := h.a.fa.Preferences().String(prefConnections); strings.Contains(prefs, demo.AccessKey) || strings.Contains(prefs, canary) {
		t.Fatalf("preferences hold a key: %s", prefs)
	}
	connectTo(t, h, "Borders")
	if h.a.addPrompt != nil {
		t.Error("asked for a credential the session has")
	}
	if got, want := b.visible(), []string{"mapvault demo: access key", "  Country borders"}; !slices.Equal(got, want) {
		t.Errorf("tree = %q, want %q", got, want)
	}
	// Another browser (the next app run) reads the connections back.
	h.a.browser.close()
	h.a.browser = nil
	h.a.ServiceBrowser()
	if got := h.a.browser.conns; len(got) != 1 || got[0].URL != base+demo.KeyPath {
		t.Errorf("connections read back = %+v", got)
	}
}

func TestBrowserConnectSearchAndAddNamelessGroup(t *testing.T) {
	h, _ := newOfflineHarness(t)
	base := h.startDemo()
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "Public", base+demo.PublicPath, "wms")
	connectTo(t, h, "Public")
	all := []string{"mapvault demo: public", "  Land", "  Countries (fill)"}
	if got := b.visible(); !slices.Equal(got, all) {
		t.Fatalf("tree = %q, want %q", got, all)
	}
	for _, c := range []struct {
		search string
		want   []string
	}{
		{"COLOURED", []string{"mapvault demo: public", "  Countries (fill)"}}, // abstract
		{"land", []string{"mapvault demo: public", "  Land"}},                 // title and name
		{"countries", []string{"mapvault demo: public", "  Countries (fill)"}},
		{"open demo", []string{"mapvault demo: public"}}, // the group's abstract
		{"nothing like it", nil},
		{"", all},
	} {
		b.search.SetText(c.search)
		if got := b.visible(); !slices.Equal(got, c.want) {
			t.Errorf("search %q: tree = %q, want %q", c.search, got, c.want)
		}
	}
	if !b.pick("mapvault demo: public") {
		t.Fatal("no group to pick")
	}
	b.add.OnTapped()
	ls := h.a.doc.proj.Layers
	if len(ls) != 2 {
		t.Fatalf("project has %d layers, want the group's 2", len(ls))
	}
	for i, want := range []string{"land", "countries"} {
		l := ls[i]
		if l.Kind != project.KindWMS || !slices.Equal(l.WMS.Layers, []string{want}) || l.Group != "mapvault demo: public" || l.Source != base+demo.PublicPath {
			t.Errorf("layer %d = %+v, want WMS layer %s in group %q", i, l, want, "mapvault demo: public")
		}
	}
	if !h.a.doc.dirty {
		t.Error("adding layers left the project clean")
	}
}

// groupCaps is a WMS 1.3.0 document with a named group and a nameless one.
const groupCaps = `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Groups</Title></Service>
<Capability><Request><GetMap><Format>image/png</Format>
<DCPType><HTTP><Get><OnlineResource xlink:href="SELF?"/></Get></HTTP></DCPType></GetMap></Request>
<Layer><Title>Root</Title><CRS>EPSG:3857</CRS>
 <Layer><Name>roads</Name><Title>Roads</Title>
  <Layer><Name>highways</Name><Title>Highways</Title></Layer>
  <Layer><Name>streets</Name><Title>Streets</Title><Abstract>Small ROADS in towns</Abstract></Layer>
 </Layer>
 <Layer><Title>Water</Title>
  <Layer><Name>rivers</Name><Title>Rivers</Title></Layer>
  <Layer><Title>Still</Title><Layer><Name>lakes</Name><Title>Lakes</Title></Layer></Layer>
 </Layer>
</Layer></Capability></WMS_Capabilities>`

func groupServer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.URL.Query().Get("REQUEST"), "GetCapabilities") {
			w.Header().Set("Content-Type", "text/xml")
			_, _ = w.Write([]byte(strings.ReplaceAll(groupCaps, "SELF", srv.URL+"/wms")))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserAddsGroups(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := groupServer(t)
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "Groups", srv.URL+"/wms", "wms")
	connectTo(t, h, "Groups")
	b.search.SetText("roads")
	if got, want := b.visible(), []string{"Root", "  Roads", "    Streets"}; !slices.Equal(got, want) {
		t.Errorf("search roads: tree = %q, want %q", got, want)
	}
	b.search.SetText("")
	// The named group is one layer; the nameless one gives its named
	// layers, nested ones included, in document order, in its group.
	for _, p := range []string{"Roads", "Water", "Lakes"} {
		if !b.pick(p) {
			t.Fatalf("no node %q", p)
		}
	}
	b.add.OnTapped()
	type got struct {
		name  string
		group string
	}
	var ls []got
	for _, l := range h.a.doc.proj.Layers {
		ls = append(ls, got{strings.Join(l.WMS.Layers, ","), l.Group})
	}
	want := []got{{"roads", ""}, {"rivers", "Water"}, {"lakes", "Water"}}
	if !slices.Equal(ls, want) {
		t.Errorf("layers added = %+v, want %+v", ls, want)
	}
}

func TestBrowserRemoveAsksFirst(t *testing.T) {
	h, _ := newOfflineHarness(t)
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "One", "http://127.0.0.1:1/wms", "wms")
	saveConnection(t, b, "Two", "http://127.0.0.1:2/wms", "wms")
	b.list.Select(0)
	b.remove.OnTapped()
	if b.confirm == nil {
		t.Fatal("Remove did not ask")
	}
	if len(loadConnections(h.a.fa.Preferences())) != 2 {
		t.Fatal("removed before the answer")
	}
	b.confirm.Dismiss() // "No"
	if got := loadConnections(h.a.fa.Preferences()); len(got) != 2 {
		t.Fatalf("connections after No = %+v", got)
	}
	b.list.Select(0)
	b.remove.OnTapped()
	b.confirm.Confirm()
	if got := loadConnections(h.a.fa.Preferences()); len(got) != 1 || got[0].Name != "Two" {
		t.Errorf("connections after removing One = %+v, want Two alone", got)
	}
}

func TestBrowserProtectedConnectionPrompts(t *testing.T) {
	h, _ := newOfflineHarness(t)
	base := h.startDemo()
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "Basic", base+demo.BasicPath, "")
	b.list.Select(0)
	b.connect.OnTapped()
	h.q.waitFor(t, "the credential prompt", func() bool { return h.a.addPrompt != nil })
	fillPrompt(t, h.a.addPrompt, true)
	h.a.addPrompt.Submit()
	h.q.waitFor(t, "the service's offers", func() bool { return b.svc != nil })
	if got, want := b.visible(), []string{"mapvault demo: HTTP Basic", "  Countries"}; !slices.Equal(got, want) {
		t.Errorf("tree = %q, want %q", got, want)
	}
}

func TestBrowserConnectErrorShownWhole(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "the whole reason", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	h.a.ServiceBrowser()
	b := h.a.browser
	saveConnection(t, b, "Broken", srv.URL+"/wms", "wms")
	b.list.Select(0)
	b.connect.OnTapped()
	h.q.waitFor(t, "the error", func() bool { return b.errDlg != nil })
	if h.a.addDialog != nil {
		t.Error("a browser error opened the Add layer dialog")
	}
	texts := strings.Join(overlayTexts(h.a.win.Canvas()), "\n")
	if !strings.Contains(texts, "500") {
		t.Errorf("error shown = %q, want the status", texts)
	}
	// The next Add layer goes to the picker again, not to the browser.
	if h.a.lastAdd.browse != nil {
		t.Error("the browser still waits for a service")
	}
}

func TestAddLayerErrorShownWhole(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	raw := srv.URL + "/broken/wms"
	h.a.AddLayerDialog()
	h.a.addDialog.entry.SetText(raw)
	h.a.addDialog.kind.SetSelected("wms")
	h.a.addDialog.dlg.Confirm()
	h.q.waitFor(t, "the error", func() bool { return h.a.addError != nil })
	if got := h.a.addDialog.entry.Text; got != raw {
		t.Errorf("dialog URL = %q, want what was typed %q", got, raw)
	}
	texts := overlayTexts(h.a.win.Canvas())
	found := false
	for _, s := range texts {
		if strings.HasPrefix(s, "Could not read the service: ") && strings.Contains(s, "500") {
			found = true
		}
	}
	if !found {
		t.Errorf("error dialog texts = %q, want the whole error", texts)
	}
}

func TestBrowserFromTheLayerMenu(t *testing.T) {
	h, _ := newOfflineHarness(t)
	var item *fyne.MenuItem
	for _, m := range h.a.mainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Service browser…" {
				item = it
			}
		}
	}
	if item == nil {
		t.Fatal("no Service browser… menu item")
	}
	if sc, ok := item.Shortcut.(fyne.KeyboardShortcut); !ok || sc.Key() != fyne.KeyL || sc.Mod() != fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift {
		t.Errorf("shortcut = %#v, want Ctrl+Shift+L", item.Shortcut)
	}
	item.Action()
	if h.a.browser == nil || h.a.browser.dlg == nil {
		t.Fatal("the menu item did not open the browser")
	}
}

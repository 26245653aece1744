package app

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"

	"mapvault/project"
)

// loopbackOnly fails every request that is not to 127.0.0.1, so that no
// test contacts a public host (the basemap presets'); it counts them.
type loopbackOnly struct {
	base    http.RoundTripper
	refused atomic.Int32
}

func (l *loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(r.URL.Hostname()); ip == nil || !ip.IsLoopback() {
		l.refused.Add(1)
		return nil, errors.New("test: no request leaves this machine: " + r.URL.Host)
	}
	return l.base.RoundTrip(r)
}

func newOfflineHarness(t *testing.T) (*harness, *loopbackOnly) {
	t.Helper()
	lo := &loopbackOnly{base: &http.Transport{}}
	h := newHarnessWith(t, func(s *Services) { s.Transport.Base = lo })
	return h, lo
}

// tileServer answers every request with a 256×256 PNG.
func tileServer(t *testing.T) *httptest.Server {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 256, 256))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAddXYZTemplateDetectedEnterSubmits(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := tileServer(t)
	tmpl := srv.URL + "/tiles/{z}/{x}/{y}.png"
	h.a.AddLayerDialog()
	if h.a.addDialog == nil {
		t.Fatal("no Add layer dialog")
	}
	if got := h.a.addDialog.kind.Selected; got != detectKind {
		t.Errorf("kind choice = %q, want %q", got, detectKind)
	}
	h.a.addDialog.entry.SetText(tmpl)
	h.a.addDialog.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.q.waitFor(t, "the xyz layer added", func() bool { return len(h.a.doc.proj.Layers) == 1 })
	l := h.a.doc.proj.Layers[0]
	if l.Kind != project.KindXYZ || l.Source != tmpl || !l.Visible {
		t.Errorf("layer = %+v, want a visible xyz layer of %s", l, tmpl)
	}
}

func TestAddBasemapPresetAtBottom(t *testing.T) {
	h, lo := newOfflineHarness(t)
	h.a.doc.proj.AddLayer(project.Layer{Name: "Mine", Kind: project.KindXYZ, Source: "http://127.0.0.1:1/{z}/{x}/{y}.png", Opacity: 1})
	h.a.AddBasemapDialog()
	if h.a.basemaps == nil {
		t.Fatal("no basemap picker")
	}
	if n := len(h.a.basemaps.list.Options); n != len(basemapPresets)+1 {
		t.Fatalf("picker lists %d entries, want %d presets and the custom one", n, len(basemapPresets)+1)
	}
	for _, o := range h.a.basemaps.list.Options[:len(basemapPresets)] {
		if !strings.Contains(o, "©") {
			t.Errorf("entry %q shows no attribution", o)
		}
	}
	h.a.basemaps.list.SetSelected(h.a.basemaps.list.Options[0])
	h.a.basemaps.dlg.Confirm()
	ls := h.a.doc.proj.Layers
	if len(ls) != 2 {
		t.Fatalf("project has %d layers, want 2", len(ls))
	}
	b := ls[0]
	if b.Kind != project.KindXYZ || b.Source != "https://tile.openstreetmap.org/{z}/{x}/{y}.png" || b.XYZ.MaxZoom != 19 {
		t.Errorf("bottom layer = %+v, want the OpenStreetMap preset", b)
	}
	if b.Name != "OpenStreetMap (© OpenStreetMap contributors)" {
		t.Errorf("basemap name = %q, want the attribution in it", b.Name)
	}
	if ls[1].Name != "Mine" {
		t.Errorf("top layer = %q, want the one that was there", ls[1].Name)
	}
	if got := h.a.attrib.Text; got != "© OpenStreetMap contributors" || !h.a.attrib.Visible() {
		t.Errorf("attribution on the map = %q (visible %v)", got, h.a.attrib.Visible())
	}
	h.q.drain()
	t.Logf("requests to public hosts refused: %d", lo.refused.Load())
	// Hidden, the basemap's attribution goes.
	h.a.doc.proj.Layers[0].Visible = false
	h.a.refresh()
	if h.a.attrib.Visible() {
		t.Errorf("attribution %q shown for a hidden basemap", h.a.attrib.Text)
	}
}

func TestAddCustomBasemap(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := tileServer(t)
	h.a.AddBasemapDialog()
	p := h.a.basemaps
	p.list.SetSelected(customBasemap)
	if !p.custom.Visible() {
		t.Fatal("custom template fields hidden")
	}
	p.template.SetText(srv.URL + "/t/{z}/{x}/{y}.png")
	p.name.SetText("Local tiles")
	p.attribution.SetText("© Local mappers")
	p.maxZoom.SetText("12")
	p.dlg.Confirm()
	ls := h.a.doc.proj.Layers
	if len(ls) != 1 {
		t.Fatalf("project has %d layers, want 1", len(ls))
	}
	if l := ls[0]; l.Kind != project.KindXYZ || l.Source != srv.URL+"/t/{z}/{x}/{y}.png" || l.XYZ.MaxZoom != 12 || l.Name != "Local tiles (© Local mappers)" {
		t.Errorf("layer = %+v", l)
	}
	if got := h.a.attrib.Text; got != "© Local mappers" {
		t.Errorf("attribution = %q", got)
	}
	if err := h.a.AddCustomBasemap(srv.URL+"/t/{z}.png", "x", "", 10); err == nil {
		t.Errorf("a template without {x} and {y} was accepted")
	}
}

func TestAddWMTSFromCapabilities(t *testing.T) {
	h, _ := newOfflineHarness(t)
	doc, err := os.ReadFile("../layers/wmts/testdata/geoserver.xml")
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.URL.Query().Get("REQUEST"), "GetCapabilities") {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write(bytes.ReplaceAll(doc, []byte("http://gs.example.net"), []byte(srv.URL)))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	h.a.AddLayerURLAs(srv.URL+"/geoserver/gwc/service/wmts", "wmts")
	h.q.waitFor(t, "the layer picker", func() bool { return h.a.picker != nil })
	if !h.a.picker.Pick("topp:states") {
		t.Fatal("picker has no layer topp:states")
	}
	h.a.picker.add.OnTapped()
	ls := h.a.doc.proj.Layers
	if len(ls) != 1 || ls[0].Kind != project.KindWMTS {
		t.Fatalf("layers = %+v, want one wmts layer", ls)
	}
}

func TestAddLayerErrorKeepsTypedURL(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	raw := srv.URL + "/broken/wmts"
	h.a.AddLayerDialog()
	h.a.addDialog.entry.SetText(raw)
	h.a.addDialog.kind.SetSelected("wmts")
	h.a.addDialog.dlg.Confirm()
	h.q.waitFor(t, "the error", func() bool { return h.a.addError != nil })
	if h.a.addDialog == nil {
		t.Fatal("the Add layer dialog did not come back after the error")
	}
	if got := h.a.addDialog.entry.Text; got != raw {
		t.Errorf("dialog URL = %q, want what was typed %q", got, raw)
	}
	if got := h.a.addDialog.kind.Selected; got != "wmts" {
		t.Errorf("dialog kind = %q, want wmts", got)
	}
}

package app

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"mapvault/project"
)

// TestScreenshots writes a picture of each viewer feature, drawn by Fyne's
// software painter, to the folder MAPVAULT_SCREENSHOTS names (the note's
// docs/screenshots); without it the test is skipped. It checks only that
// each picture is drawn.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("MAPVAULT_SCREENSHOTS")
	if dir == "" {
		t.Skip("MAPVAULT_SCREENSHOTS not set")
	}
	shot := func(h *harness, name string) {
		t.Helper()
		h.q.drain()
		img := h.a.win.Canvas().Capture()
		if img.Bounds().Dx() < 100 {
			t.Fatalf("%s: capture is %v", name, img.Bounds())
		}
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}

	h, _ := newOfflineHarness(t)
	h.a.win.Resize(fyne.NewSize(1100, 640))
	srv, _ := styledWMS(t, "unused-secret")
	p := project.New("Viewer")
	p.View = project.View{Lon: 5.5, Lat: 52, Zoom: 6}
	p.AddLayer(project.Layer{ID: "relief", Name: "Relief", Kind: project.KindWMS, Source: srv.URL + "/wms", Group: "Terrain",
		WMS: project.WMS{Layers: []string{"relief"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
	path := parcelsProject(t)
	pp, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	l := pp.Layers[0]
	l.Source = filepath.Join(filepath.Dir(path), "parcels.geojson")
	p.AddLayer(l)
	h.openProject(p)
	h.waitSettled()

	size := h.a.mapView.Size()
	test.TapAt(h.a.mapView, fyne.NewPos(size.Width/2, size.Height/2))
	h.q.waitFor(t, "identify", func() bool { return h.a.identify.box.Visible() && len(h.a.identify.results) > 0 })
	h.a.ToggleLegend()
	h.q.waitFor(t, "legend", func() bool { return h.a.legend.img.Image != nil })
	shot(h, "app-identify-legend")
	h.a.identify.close()

	test.Tap(h.row("Relief").props)
	h.q.waitFor(t, "the properties", func() bool { return h.a.panel.props != nil && h.a.panel.props.styles != nil })
	shot(h, "app-properties")
	h.a.panel.props.dlg.Hide()

	saveConnections(h.a.fa.Preferences(), []connection{{Name: "Relief service", URL: srv.URL + "/wms", Kind: "wms"}})
	h.a.ServiceBrowser()
	h.a.browser.list.Select(0)
	test.Tap(h.a.browser.connect)
	h.q.waitFor(t, "the service tree", func() bool { return len(h.a.browser.offers) > 0 })
	shot(h, "app-service-browser")
	h.a.browser.dlg.Hide()

	h.a.ExportDialog()
	shot(h, "app-export-dialog")
}

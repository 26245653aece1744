package app

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"mapvault/app/session"
	"mapvault/project"
)

// export runs ExportTo and waits for it.
func (h *harness) export(path string, o ExportOptions) error {
	h.t.Helper()
	var done bool
	var got error
	h.a.ExportTo(path, o, func(err error) { done, got = true, err })
	h.q.waitFor(h.t, "the export", func() bool { return done })
	return got
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// diffIn counts the pixels of r where a and b differ.
func diffIn(a, b image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}

func openParcels(h *harness) {
	h.t.Helper()
	if err := h.a.OpenFile(parcelsProject(h.t)); err != nil {
		h.t.Fatal(err)
	}
	h.waitSettled()
}

func TestExportScaleBarOnlyInItsCorner(t *testing.T) {
	h := newHarness(t)
	openParcels(h)
	dir := t.TempDir()
	plain, decorated := filepath.Join(dir, "plain.png"), filepath.Join(dir, "scalebar.png")
	o := ExportOptions{Width: 600, Height: 400, DPI: 96}
	if err := h.export(plain, o); err != nil {
		t.Fatal(err)
	}
	o.Decorations.ScaleBar = true
	if err := h.export(decorated, o); err != nil {
		t.Fatal(err)
	}
	if note := h.a.status.note.Text; note != "Exported "+decorated {
		t.Errorf("status = %q, want %q", note, "Exported "+decorated)
	}
	a, b := readPNG(t, plain), readPNG(t, decorated)
	if a.Bounds() != image.Rect(0, 0, 600, 400) || b.Bounds() != a.Bounds() {
		t.Fatalf("sizes %v and %v, want 600x400", a.Bounds(), b.Bounds())
	}
	// The parcel is drawn: the image is not blank.
	if diffIn(a, image.NewUniform(a.At(0, 0)), a.Bounds()) == 0 {
		t.Error("the export is one colour; the parcel is missing")
	}
	bar := image.Rect(0, 340, 300, 400)
	if n := diffIn(a, b, bar); n < 50 {
		t.Errorf("the scale bar changed %d pixels of the bottom-left", n)
	}
	outside := 0
	for _, r := range []image.Rectangle{image.Rect(0, 0, 600, 340), image.Rect(300, 340, 600, 400)} {
		outside += diffIn(a, b, r)
	}
	if outside != 0 {
		t.Errorf("%d pixels changed outside the scale bar's corner", outside)
	}
}

// TestExportDPI: the image has exactly the pixels asked for at any DPI,
// and a higher DPI draws the same view larger.
func TestExportDPI(t *testing.T) {
	h := newHarness(t)
	openParcels(h)
	dir := t.TempDir()
	for _, c := range []struct {
		w, h int
		dpi  float64
	}{{601, 401, 96}, {601, 401, 144}, {333, 201, 192}, {100, 77, 48}} {
		path := filepath.Join(dir, "x.png")
		if err := h.export(path, ExportOptions{Width: c.w, Height: c.h, DPI: c.dpi}); err != nil {
			t.Fatal(err)
		}
		if b := readPNG(t, path).Bounds(); b != image.Rect(0, 0, c.w, c.h) {
			t.Errorf("export %dx%d at %g DPI is %v", c.w, c.h, c.dpi, b)
		}
	}
	// The parcel (1° square at zoom 8, about 180 × 300 px) at 192 DPI is
	// twice as wide and high: four times the pixels.
	count := func(img image.Image) int {
		bg := img.At(0, 0)
		return diffIn(img, image.NewUniform(bg), img.Bounds())
	}
	a, b := filepath.Join(dir, "96.png"), filepath.Join(dir, "192.png")
	if err := h.export(a, ExportOptions{Width: 800, Height: 800, DPI: 96}); err != nil {
		t.Fatal(err)
	}
	if err := h.export(b, ExportOptions{Width: 800, Height: 800, DPI: 192}); err != nil {
		t.Fatal(err)
	}
	if na, nb := count(readPNG(t, a)), count(readPNG(t, b)); nb < na*7/2 || nb > na*9/2 {
		t.Errorf("the parcel covers %d pixels at 96 DPI and %d at 192 DPI, want about four times as many", na, nb)
	}
}

func TestExportLeavesOutBlockedLayers(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	h.waitSettled()
	if len(h.a.doc.proj.Layers) == len(h.a.doc.drawSpecs()) {
		t.Skip("the demo has no blocked layer")
	}
	path := filepath.Join(t.TempDir(), "demo.png")
	if err := h.export(path, ExportOptions{Width: 300, Height: 200, DPI: 96}); err != nil {
		t.Fatal(err)
	}
	if note := h.a.status.note.Text; !strings.Contains(note, "blocked layer(s) left out") {
		t.Errorf("status = %q, want it to say blocked layers were left out", note)
	}
}

// TestExportCancel: closing the progress dialog (its Cancel button) stops
// an export waiting for tiles; nothing is written.
func TestExportCancel(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "gone", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	h.a.doc.proj.AddLayer(project.Layer{ID: "slow", Name: "Slow", Kind: project.KindXYZ, Source: srv.URL + "/{z}/{x}/{y}.png", Opacity: 1, Visible: true})
	h.a.refresh()
	h.q.waitFor(t, "the slow layer to resolve", func() bool { return len(h.a.doc.drawSpecs()) == 1 })
	path := filepath.Join(t.TempDir(), "cancelled.png")
	var done bool
	var got error
	h.a.ExportTo(path, ExportOptions{Width: 200, Height: 100, DPI: 96}, func(err error) { done, got = true, err })
	if h.a.status.note.Text != "Exporting…" || h.a.export.progress == nil {
		t.Fatalf("status %q, progress %v: want “Exporting…” and a progress dialog", h.a.status.note.Text, h.a.export.progress)
	}
	h.a.export.progress.Hide() // what its Cancel button does
	h.q.waitFor(t, "the cancelled export", func() bool { return done })
	if got == nil || !strings.Contains(got.Error(), "cancelled") {
		t.Errorf("export error = %v, want it cancelled", got)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a cancelled export wrote %s (%v)", path, err)
	}
	if h.a.export.progress != nil || h.a.export.cancel != nil {
		t.Error("the export state was not cleared")
	}
}

func TestExportDialogDefaultsAndValidation(t *testing.T) {
	h := newHarness(t)
	openParcels(h)
	h.a.ExportDialog()
	e := h.a.export.dlg
	if e == nil {
		t.Fatal("no export dialog")
	}
	size := h.a.mapView.Size()
	o, err := e.options()
	if err != nil {
		t.Fatalf("default options: %v", err)
	}
	want := ExportOptions{Width: int(size.Width + 0.5), Height: int(size.Height + 0.5), DPI: 96,
		Decorations: session.Decorations{ScaleBar: true, Attribution: true}}
	if o != want {
		t.Errorf("defaults = %+v, want %+v", o, want)
	}
	var saved []ExportOptions
	out := filepath.Join(t.TempDir(), "map.png")
	e.save = func(o ExportOptions) {
		saved = append(saved, o)
		h.a.ExportTo(out, o, nil)
	}
	for _, c := range []struct{ w, h, dpi, want string }{
		{"abc", "300", "96", "width"},
		{"0", "300", "96", "width"},
		{"300", "-5", "96", "height"},
		{"300", "20000", "96", "height"},
		{"300.5", "300", "96", "whole"},
		{"300", "300", "500", "DPI"},
		{"300", "300", "", "DPI"},
	} {
		e.width.SetText(c.w)
		e.height.SetText(c.h)
		e.dpi.SetText(c.dpi)
		test.Tap(e.exportBtn)
		if !strings.Contains(e.errLabel.Text, c.want) {
			t.Errorf("%s x %s at %s DPI: error shown = %q, want one about %s", c.w, c.h, c.dpi, e.errLabel.Text, c.want)
		}
	}
	h.q.drain()
	if len(saved) != 0 {
		t.Fatalf("bad options reached the save: %+v", saved)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a file was written for bad options (%v)", err)
	}
	e.width.SetText("320")
	e.height.SetText("200")
	e.dpi.SetText("192")
	e.legend.SetChecked(true)
	e.attribution.SetChecked(false)
	test.Tap(e.exportBtn)
	want = ExportOptions{Width: 320, Height: 200, DPI: 192, Decorations: session.Decorations{ScaleBar: true, Legend: true}}
	if len(saved) != 1 || saved[0] != want || e.errLabel.Text != "" {
		t.Fatalf("saved %+v (error %q), want %+v", saved, e.errLabel.Text, want)
	}
	h.q.waitFor(t, "the export", func() bool { return strings.HasPrefix(h.a.status.note.Text, "Exported ") })
	if b := readPNG(t, out).Bounds(); b != image.Rect(0, 0, 320, 200) {
		t.Errorf("exported %v, want 320x200", b)
	}
}

// TestGoldenExportDecorated compares an export with every decoration of a
// local GeoJSON layer with testdata/export_decorated.png (-update rewrites
// it).
func TestGoldenExportDecorated(t *testing.T) {
	h := newHarness(t)
	file := parcelsProject(t)
	p, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	p.Layers[0].Attribution = "© Parcel office"
	if err := project.Save(file, p); err != nil {
		t.Fatal(err)
	}
	if err := h.a.OpenFile(file); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	path := filepath.Join(t.TempDir(), "golden.png")
	all := session.Decorations{ScaleBar: true, Attribution: true, Legend: true, NorthArrow: true, Title: true}
	if err := h.export(path, ExportOptions{Width: 480, Height: 320, DPI: 120, Decorations: all}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "export_decorated.png")
	if *update {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, want := readPNG(t, path), readPNG(t, golden)
	if got.Bounds() != want.Bounds() || diffIn(got, want, got.Bounds()) != 0 {
		failed := filepath.Join("testdata", "failed", "export_decorated.png")
		_ = os.MkdirAll(filepath.Dir(failed), 0o755)
		b, _ := os.ReadFile(path)
		_ = os.WriteFile(failed, b, 0o644)
		t.Errorf("the export differs from %s; got written to %s", golden, failed)
	}
}

// twoLayerProject is parcelsProject with a second GeoJSON layer on top.
func twoLayerProject(t *testing.T) string {
	t.Helper()
	path := parcelsProject(t)
	doc := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
 "geometry":{"type":"LineString","coordinates":[[5.2,52.2],[5.8,52.8]]}}]}`
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "roads.geojson"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p.AddLayer(project.Layer{ID: "roads", Name: "Roads", Kind: project.KindGeoJSON, Source: "roads.geojson", Opacity: 1, Visible: true})
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLegendPanelFollowsLayers(t *testing.T) {
	h := newHarness(t)
	lp := h.a.legend
	if lp.box.Visible() {
		t.Fatal("the legend panel shows before View › Legend")
	}
	h.a.ToggleLegend()
	if !lp.box.Visible() {
		t.Fatal("View › Legend did not show the panel")
	}
	if err := h.a.OpenFile(twoLayerProject(t)); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	h.q.waitFor(t, "the legend of two layers", func() bool {
		return lp.img.Visible() && lp.img.Image != nil && lp.key == legendKey(h.a.doc.proj, h.a.doc.drawSpecs(), 1) && lp.cancel == nil
	})
	both := lp.img.Image
	if lp.empty.Visible() {
		t.Error("“No legend” shows beside the legend")
	}
	if s := lp.img.MinSize(); int(s.Width) != both.Bounds().Dx() || int(s.Height) != both.Bounds().Dy() {
		t.Errorf("legend min size %v for a %v image at scale 1", s, both.Bounds())
	}
	// Laid out below the layer panel, at its size.
	if s, want := lp.img.Size(), lp.img.MinSize(); s != want {
		t.Errorf("legend image laid out at %v, want %v", s, want)
	}
	if lp.box.Position().Y < 100 || lp.box.Size().Height < legendHeight {
		t.Errorf("legend panel at %v size %v, want it below the layers", lp.box.Position(), lp.box.Size())
	}

	test.Tap(h.row("Roads").eye)
	h.q.waitFor(t, "the legend without Roads", func() bool { return lp.img.Image != both && lp.cancel == nil })
	one := lp.img.Image
	if one == nil || one.Bounds().Dy() >= both.Bounds().Dy() {
		t.Fatalf("legend after hiding Roads = %v, want a shorter image than %v", one, both.Bounds())
	}

	test.Tap(h.row("Parcels").eye)
	h.q.waitFor(t, "an empty legend", func() bool { return lp.img.Image == nil && lp.cancel == nil })
	if !lp.empty.Visible() || lp.img.Visible() {
		t.Error("with no visible layer the panel does not say “No legend”")
	}

	h.a.ToggleLegend()
	if lp.box.Visible() {
		t.Error("View › Legend did not hide the panel")
	}
}

package app

import (
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"mapvault/project"
)

// parcelsProject writes a project with one local GeoJSON layer: a square
// parcel over 5..6 E, 52..53 N with attributes, viewed at zoom 8 on it.
func parcelsProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	doc := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"p1","properties":{"code":"NL-1768","name":"Parcel one","area":12.5},
 "geometry":{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]]]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "parcels.geojson"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p := project.New("Parcels")
	p.View = project.View{Lon: 5.5, Lat: 52.5, Zoom: 8}
	p.AddLayer(project.Layer{ID: "parcels", Name: "Parcels", Kind: project.KindGeoJSON, Source: "parcels.geojson", Opacity: 1, Visible: true})
	path := filepath.Join(dir, "parcels.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIdentifyClickShowsAttributesAndHighlights(t *testing.T) {
	h := newHarness(t)
	if err := h.a.OpenFile(parcelsProject(t)); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	before := h.a.mapView.Frame()
	size := h.a.mapView.Size()
	centre := fyne.NewPos(size.Width/2, size.Height/2)

	test.TapAt(h.a.mapView, centre)
	p := h.a.identify
	h.q.waitFor(t, "the identify results", func() bool { return strings.HasPrefix(p.title.Text, "Identify results:") })
	if !p.box.Visible() {
		t.Fatal("the results panel is hidden")
	}
	if len(p.results) != 1 || p.results[0].id != "parcels" || len(p.results[0].features) != 1 {
		t.Fatalf("results = %+v, want one feature of parcels", p.results)
	}
	if got := p.nodes["l0/f0"].text; got != "Parcel one" {
		t.Errorf("feature row = %q, want its name", got)
	}
	var rows []string
	for _, id := range p.nodes["l0/f0"].children {
		rows = append(rows, p.nodes[id].text)
	}
	if want := "area: 12.5|code: NL-1768|name: Parcel one"; strings.Join(rows, "|") != want {
		t.Errorf("attribute rows = %q, want %q", strings.Join(rows, "|"), want)
	}
	// The feature is highlighted: the frame changed under the click.
	after := h.a.mapView.Frame()
	if framesEqual(before, after) {
		t.Error("the identified feature is not highlighted on the map")
	}

	// Copy puts the attributes on the clipboard.
	p.tree.Select("l0/f0")
	if p.copyBtn.Disabled() {
		t.Fatal("Copy is disabled with a feature selected")
	}
	test.Tap(p.copyBtn)
	if got := h.a.fa.Clipboard().Content(); got != "area\t12.5\ncode\tNL-1768\nname\tParcel one\n" {
		t.Errorf("clipboard = %q", got)
	}

	// A click beside the parcel finds nothing; closing clears the highlight.
	test.TapAt(h.a.mapView, fyne.NewPos(2, 2))
	h.q.waitFor(t, "the second identify", func() bool { return p.title.Text == "Identify results: 0 feature(s)" })
	if got := p.nodes["l0"].text; got != "Parcels — nothing here" {
		t.Errorf("layer row = %q", got)
	}
	p.close()
	if p.box.Visible() || h.a.mapView.highlight != nil {
		t.Error("closing the results leaves the panel or the highlight")
	}
}

// framesEqual compares two frames pixel by pixel.
func framesEqual(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// TestRowLegendFolds: a layer row's legend button unfolds the layer's own
// legend (the style's swatch for a GeoJSON layer) and folds it again.
func TestRowLegendFolds(t *testing.T) {
	h := newHarness(t)
	if err := h.a.OpenFile(parcelsProject(t)); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	r := h.row("Parcels")
	if r.legend.img.Visible() {
		t.Fatal("the row legend is open before it was asked for")
	}
	test.Tap(r.legend.btn)
	h.q.waitFor(t, "the row legend", func() bool { return r.legend.img.Visible() })
	img, ok := r.legend.img.Image.(*image.RGBA)
	if !ok || img.Bounds().Dx() < 10 || img.Bounds().Dy() < 10 {
		t.Fatalf("row legend image = %v", r.legend.img.Image)
	}
	test.Tap(r.legend.btn)
	if r.legend.img.Visible() || r.legend.note.Visible() {
		t.Error("the row legend stays open after folding")
	}
}

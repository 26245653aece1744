package session

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// geojsonProject writes a project with two local GeoJSON layers (a parcel
// square and a point) and returns it with its resolved specs, bottom first.
func geojsonProject(t *testing.T, ws *Workspace) (*project.Project, []layers.LayerSpec) {
	t.Helper()
	dir := t.TempDir()
	poly := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
 "geometry":{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]]]}}]}`
	pt := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
 "geometry":{"type":"Point","coordinates":[5.5,52.5]}}]}`
	for name, doc := range map[string]string{"parcels.geojson": poly, "wells.geojson": pt} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := project.New("Parcels & wells")
	p.View = project.View{Lon: 5.5, Lat: 52.5, Zoom: 8}
	p.AddLayer(project.Layer{ID: "parcels", Name: "Parcels", Kind: project.KindGeoJSON, Source: "parcels.geojson", Opacity: 1, Visible: true, Attribution: "© Parcel office"})
	p.AddLayer(project.Layer{ID: "wells", Kind: project.KindGeoJSON, Source: "wells.geojson", Opacity: 1, Visible: true, Attribution: "© Parcel office"})
	path := filepath.Join(dir, "p.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var specs []layers.LayerSpec
	for _, l := range p.Layers {
		s, err := ws.Spec(context.Background(), p, l)
		if err != nil {
			t.Fatalf("Spec(%s): %v", l.ID, err)
		}
		specs = append(specs, s)
	}
	return p, specs
}

func TestParseDecorations(t *testing.T) {
	all := Decorations{true, true, true, true, true}
	for _, c := range []struct {
		in   string
		want Decorations
		bad  bool
	}{
		{"", Decorations{}, false},
		{"  ", Decorations{}, false},
		{"scalebar", Decorations{ScaleBar: true}, false},
		{"Scale, attribution", Decorations{ScaleBar: true, Attribution: true}, false},
		{"legend,north,title", Decorations{Legend: true, NorthArrow: true, Title: true}, false},
		{"northarrow", Decorations{NorthArrow: true}, false},
		{"all", all, false},
		{"ALL,legend", all, false},
		{"compass", Decorations{}, true},
		{"scalebar,", Decorations{}, true},
	} {
		got, err := ParseDecorations(c.in)
		if c.bad {
			if !errors.Is(err, ErrUnknownDecoration) {
				t.Errorf("ParseDecorations(%q) error = %v, want ErrUnknownDecoration", c.in, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseDecorations(%q) = %+v, %v, want %+v", c.in, got, err, c.want)
		}
		if got.Any() != (c.want != Decorations{}) {
			t.Errorf("ParseDecorations(%q).Any() = %v", c.in, got.Any())
		}
	}
}

func TestLegendLayersTopFirstWithNames(t *testing.T) {
	ws := New(nil, Options{})
	defer ws.Close()
	p, specs := geojsonProject(t, ws)
	ls, failed := ws.LegendLayers(context.Background(), p, specs, 1)
	if len(failed) != 0 {
		t.Fatalf("failed = %v", failed)
	}
	if len(ls) != 2 || ls[0].Title != "wells" || ls[1].Title != "Parcels" {
		t.Fatalf("legend titles = %+v, want wells (no name: its ID) above Parcels", ls)
	}
	for _, l := range ls {
		if len(l.Items) == 0 || l.Items[0].Symbol == nil {
			t.Errorf("layer %s has no swatch: %+v", l.Title, l.Items)
		}
	}

	// A name holding a secret of the session is scrubbed.
	ws.SetCredential("https://example.test/wms", vault.Credential{Username: testUser, Password: testPassword})
	p.Layers[0].Name = "Parcels " + testPassword
	ls, _ = ws.LegendLayers(context.Background(), p, specs, 2)
	if len(ls) != 2 || strings.Contains(ls[1].Title, testPassword) {
		t.Errorf("legend title = %q, want the password scrubbed", ls[1].Title)
	}
}

func TestAttributionsOnceTopFirst(t *testing.T) {
	ws := New(nil, Options{})
	defer ws.Close()
	_, specs := geojsonProject(t, ws)
	specs[1].Attribution = "Wells © Water board"
	got := ws.Attributions(specs)
	if len(got) != 2 || got[0] != "Wells © Water board" || got[1] != "© Parcel office" {
		t.Errorf("Attributions = %q", got)
	}
	specs[1].Attribution = specs[0].Attribution
	if got := ws.Attributions(specs); len(got) != 1 {
		t.Errorf("Attributions of two equal credits = %q, want one line", got)
	}
}

// TestDecorateDrawsWhereChosen draws each decoration onto a blank frame
// and checks its corner changed and the centre did not.
func TestDecorateDrawsWhereChosen(t *testing.T) {
	ws := New(nil, Options{})
	defer ws.Close()
	p, specs := geojsonProject(t, ws)
	v := layers.View{CenterLon: 5.5, CenterLat: 52.5, Zoom: 8, Width: 600, Height: 400, Scale: 1}
	blank := func() *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 600, 400))
		for i := range img.Pix {
			img.Pix[i] = 0x80
		}
		return img
	}
	changed := func(img *image.RGBA, r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if img.RGBAAt(x, y) != (color.RGBA{0x80, 0x80, 0x80, 0x80}) {
					n++
				}
			}
		}
		return n
	}
	corners := map[string]image.Rectangle{
		"scale bar":   image.Rect(0, 340, 200, 400),
		"attribution": image.Rect(400, 370, 600, 400),
		"legend":      image.Rect(450, 0, 600, 120),
		"north arrow": image.Rect(0, 0, 40, 60),
		"title":       image.Rect(200, 0, 400, 40),
	}
	for _, c := range []struct {
		d    Decorations
		want string
	}{
		{Decorations{ScaleBar: true}, "scale bar"},
		{Decorations{Attribution: true}, "attribution"},
		{Decorations{Legend: true}, "legend"},
		{Decorations{NorthArrow: true}, "north arrow"},
		{Decorations{Title: true}, "title"},
	} {
		img := blank()
		failed, err := ws.Decorate(context.Background(), p, v, img, specs, c.d)
		if err != nil || len(failed) != 0 {
			t.Fatalf("Decorate(%+v) = %v, %v", c.d, failed, err)
		}
		for name, r := range corners {
			n := changed(img, r)
			if name == c.want && n < 20 {
				t.Errorf("%s: %d pixels changed where it goes", c.want, n)
			}
			if name != c.want && n != 0 {
				t.Errorf("%s: %d pixels changed where the %s goes", c.want, n, name)
			}
		}
		if n := changed(img, image.Rect(210, 140, 390, 260)); n != 0 {
			t.Errorf("%s: the centre changed %d pixels", c.want, n)
		}
	}
	img := blank()
	if _, err := ws.Decorate(context.Background(), p, v, img, specs, Decorations{}); err != nil || changed(img, img.Bounds()) != 0 {
		t.Errorf("no decorations changed the frame (err %v)", err)
	}
}

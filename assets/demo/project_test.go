package demo

import (
	"net/url"
	"slices"
	"testing"

	"mapvault/project"
)

func TestProject(t *testing.T) {
	base := "http://127.0.0.1:47815"
	for _, in := range []string{base, base + "/"} {
		p := Project(in)
		if p.Title != "mapvault demo" {
			t.Errorf("Title = %q, want %q", p.Title, "mapvault demo")
		}
		if p.View.Lon != 10 || p.View.Lat != 50 || p.View.Zoom != 3 {
			t.Errorf("View = %+v, want lon 10 lat 50 zoom 3", p.View)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("Validate() = %v", err)
		}
		want := []struct {
			name, source, wmsLayer string
			opacity                float64
		}{
			{"Land (public)", base + PublicPath, "land", 1},
			{"Countries (HTTP Basic)", base + BasicPath, "countries", 0.8},
			{"Borders (access key)", base + KeyPath, "borders", 1},
		}
		// Bottom to top: the basemap, the three WMS layers, the WMTS and
		// the features layer.
		ids := []string{"basemap", "land", "countries", "borders", "countries-wmts", "countries-features"}
		if len(p.Layers) != len(ids) {
			t.Fatalf("%d layers, want %d", len(p.Layers), len(ids))
		}
		for i, id := range ids {
			if p.Layers[i].ID != id || !p.Layers[i].Visible {
				t.Errorf("layer %d = %q visible %v, want %q visible", i, p.Layers[i].ID, p.Layers[i].Visible, id)
			}
		}
		if l := p.Layers[0]; l.Kind != project.KindXYZ || l.Source != base+TilesTemplate {
			t.Errorf("basemap = %q %q, want xyz %q", l.Kind, l.Source, base+TilesTemplate)
		}
		if l := p.Layers[4]; l.Kind != project.KindWMTS || l.Source != base+WMTSPath || l.WMTS.Layer != WMTSLayer || l.WMTS.MatrixSet != WMTSMatrixSet {
			t.Errorf("WMTS layer = %q %q %+v", l.Kind, l.Source, l.WMTS)
		}
		if l := p.Layers[5]; l.Kind != project.KindFeatures || l.Source != base+FeaturesPath || l.Features.Collection != FeaturesCollection || len(l.Style.Categories) == 0 {
			t.Errorf("features layer = %q %q %+v %+v", l.Kind, l.Source, l.Features, l.Style)
		}
		for i, w := range want {
			l := p.Layers[i+1]
			if l.Name != w.name || l.Source != w.source || !slices.Equal(l.WMS.Layers, []string{w.wmsLayer}) || l.Opacity != w.opacity {
				t.Errorf("layer %d = %q %q %v %v, want %q %q [%s] %v", i, l.Name, l.Source, l.WMS.Layers, l.Opacity, w.name, w.source, w.wmsLayer, w.opacity)
			}
			if l.Kind != project.KindWMS || l.WMS.Format != "image/png" || l.WMS.Version != "1.3.0" || !l.Visible || l.ID == "" {
				t.Errorf("layer %d = kind %q format %q version %q visible %v id %q", i, l.Kind, l.WMS.Format, l.WMS.Version, l.Visible, l.ID)
			}
			u, err := url.Parse(l.Source)
			if err != nil || u.User != nil || u.RawQuery != "" {
				t.Errorf("layer %d source %q must be a plain URL without credentials", i, l.Source)
			}
		}
	}
}

// TestProjectRoundTrip writes the demo project in the project file format
// and reads it back.
func TestProjectRoundTrip(t *testing.T) {
	p := Project("http://127.0.0.1:47815")
	data, err := p.Marshal()
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	q, err := project.Parse("demo.mapvault", data)
	if err != nil {
		t.Fatalf("Parse(Marshal()) error = %v", err)
	}
	if q.Title != p.Title || len(q.Layers) != len(p.Layers) {
		t.Fatalf("round trip = %q with %d layers, want %q with %d", q.Title, len(q.Layers), p.Title, len(p.Layers))
	}
	for i := range p.Layers {
		if q.Layers[i].Source != p.Layers[i].Source || q.Layers[i].Opacity != p.Layers[i].Opacity {
			t.Errorf("layer %d round trip = %+v, want %+v", i, q.Layers[i], p.Layers[i])
		}
	}
}

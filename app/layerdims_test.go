package app

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"mapvault/project"
)

// timeWMS serves a WMS whose layer "sst" has a TIME dimension of four
// months and a continuous ELEVATION, keywords and a scale range; it
// records each GetMap's TIME and ELEVATION ("-" when absent).
func timeWMS(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	return recordingWMS(t, func(base string) string {
		return fmt.Sprintf(`<?xml version="1.0"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Ocean</Title></Service>
<Capability><Request>
<GetMap><Format>image/png</Format><DCPType><HTTP><Get><OnlineResource xlink:href="%[1]s/wms?"/></Get></HTTP></DCPType></GetMap>
</Request><Exception><Format>XML</Format></Exception>
<Layer><Title>Root</Title><CRS>EPSG:3857</CRS>
<Dimension name="time" units="ISO8601" default="2020-03-01">2020-01-01/2020-04-01/P1M</Dimension>
<Layer queryable="0"><Name>sst</Name><Title>Sea surface temperature</Title>
<KeywordList><Keyword>ocean</Keyword><Keyword>temperature</Keyword></KeywordList>
<MinScaleDenominator>5000</MinScaleDenominator><MaxScaleDenominator>50000000</MaxScaleDenominator>
<Dimension name="elevation" units="EPSG:5030" default="0">0/5000</Dimension>
</Layer></Layer></Capability></WMS_Capabilities>`, base)
	}, func(q url.Values) string {
		one := func(k string) string {
			if v := q.Get(k); v != "" {
				return v
			}
			return "-"
		}
		return one("TIME") + " " + one("ELEVATION")
	})
}

func TestLayerPropertiesDimensions(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv, getMaps := timeWMS(t)
	p := project.New("ocean")
	p.View = project.View{Lon: 5, Lat: 52, Zoom: 5}
	p.AddLayer(project.Layer{ID: "sst", Name: "SST", Kind: project.KindWMS, Source: srv.URL + "/wms",
		WMS: project.WMS{Layers: []string{"sst"}, Version: "1.3.0"}, Opacity: 1, Visible: true})
	h.openProject(p)
	h.waitSettled()
	if got := getMaps(); len(got) == 0 || got[0] != "- -" {
		t.Fatalf("GetMaps before any dimension is set = %q, want no TIME or ELEVATION", got)
	}

	h.a.LayerProperties("sst")
	pd := h.a.panel.props
	h.q.waitFor(t, "the capabilities in the dialog", func() bool { return pd.styles != nil })
	text := markupText(pd.caps)
	for _, want := range []string{"ocean, temperature", "1:5\u202f000 to 1:50\u202f000\u202f000", "time (ISO8601)", "2020-03-01", "elevation (EPSG:5030)"} {
		if !strings.Contains(text, want) {
			t.Errorf("dialog does not show %q:\n%s", want, text)
		}
	}
	if len(pd.dims) != 2 || pd.dims[0].name != "elevation" || pd.dims[1].name != "time" {
		t.Fatalf("dimension controls = %+v, want elevation then time", pd.dims)
	}
	elev, tm := pd.dims[0], pd.dims[1]
	if elev.entry == nil || tm.slider == nil {
		t.Fatalf("elevation entry %v, time slider %v; want a text entry for the continuous range and a slider for the months", elev.entry, tm.slider)
	}
	if want := []string{"2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"}; !slices.Equal(tm.values, want) || tm.slider.Value != 2 {
		t.Fatalf("time slider values %q at %v, want %q at the default (2)", tm.values, tm.slider.Value, want)
	}

	// Dragging the slider to January: one undo step, a GetMap with TIME.
	h.a.doc.dirty = false
	tm.slider.SetValue(0)
	if tm.value.Text != "2020-01-01" {
		t.Errorf("slider label = %q, want 2020-01-01", tm.value.Text)
	}
	tm.slider.OnChangeEnded(0)
	l, _ := h.a.Project().Layer("sst")
	if got := l.WMS.Dimensions["time"]; got != "2020-01-01" || !h.a.Dirty() {
		t.Fatalf("project time = %q, dirty %v; want 2020-01-01, dirty", got, h.a.Dirty())
	}
	h.q.waitFor(t, "a GetMap at TIME=2020-01-01", func() bool { return slices.Contains(getMaps(), "2020-01-01 -") })
	if n := len(h.a.doc.undo.done); n != 1 {
		t.Errorf("the slider made %d undo steps, want 1", n)
	}

	// The continuous elevation: a value typed and submitted.
	elev.entry.SetText("250")
	elev.entry.OnSubmitted("250")
	h.q.waitFor(t, "a GetMap at ELEVATION=250", func() bool { return slices.Contains(getMaps(), "2020-01-01 250") })

	h.a.Undo()
	h.a.Undo()
	l, _ = h.a.Project().Layer("sst")
	if l.WMS.Dimensions != nil {
		t.Errorf("after two undos dimensions = %v, want none", l.WMS.Dimensions)
	}
	h.a.Redo()
	l, _ = h.a.Project().Layer("sst")
	if got := l.WMS.Dimensions; len(got) != 1 || got["time"] != "2020-01-01" {
		t.Errorf("after redo dimensions = %v, want time 2020-01-01", got)
	}
	pd.dlg.Hide()
}

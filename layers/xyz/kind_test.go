package xyz

import (
	"context"
	"errors"
	"testing"

	"mapvault/layers"
	"mapvault/layers/wms"
	"mapvault/project"
	"mapvault/vault"
)

func projectLayer(template string) project.Layer {
	return project.Layer{ID: "t", Kind: project.KindXYZ, Source: template, Opacity: 1, Visible: true}
}

func TestSource(t *testing.T) {
	tests := []struct {
		template string
		subs     []string
		want     vault.Source
	}{
		{"https://tiles.example.com/v3/{z}/{x}/{y}.png?key=abc", nil, "https://tiles.example.com:443/v3/"},
		{"https://tiles.example.com/{z}/{x}/{y}.png", nil, "https://tiles.example.com:443/"},
		{"https://{s}.tile.example.org/cycle/{z}/{x}/{y}.png", nil, "https://a.tile.example.org:443/cycle/"},
		{"https://{s}.tile.example.org/cycle/{z}/{x}/{y}.png", []string{"t0", "t1"}, "https://t0.tile.example.org:443/cycle/"},
		{"http://Tiles.Example.com:8080/a/b-{z}/{x}/{y}.png", nil, "http://tiles.example.com:8080/a/"},
	}
	for _, tt := range tests {
		l := projectLayer(tt.template)
		l.XYZ.Subdomains = tt.subs
		got, err := Kind{}.Source(l)
		if err != nil || got != tt.want {
			t.Errorf("Source(%q, %v) = %q, %v; want %q", tt.template, tt.subs, got, err, tt.want)
		}
	}
	if _, err := (Kind{}).Source(projectLayer("https://h/wms")); !errors.Is(err, ErrNotTemplate) {
		t.Errorf("Source(not a template) error = %v, want ErrNotTemplate", err)
	}
}

// TestSplitURL: a key in a template's query is split off like any other
// secret, the placeholders stay as written (also {s} in the host), and the
// source is the layer's.
func TestSplitURL(t *testing.T) {
	tests := []struct {
		in, clean string
		src       vault.Source
		key       string
		param     string
	}{
		{"https://api.maptiler.com/maps/streets/{z}/{x}/{y}.png?key=aBcD1234eFgH5678iJkL",
			"https://api.maptiler.com/maps/streets/{z}/{x}/{y}.png", "https://api.maptiler.com:443/maps/streets/", "aBcD1234eFgH5678iJkL", "key"},
		{"https://{s}.tile.thunderforest.com/cycle/{z}/{x}/{y}{r}.png?apikey=0a1b2c3d4e5f60718293a4b5c6d7e8f9",
			"https://{s}.tile.thunderforest.com/cycle/{z}/{x}/{y}{r}.png", "https://a.tile.thunderforest.com:443/cycle/", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "apikey"},
		{"http://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=0123abcd4567ef890123abcd4567ef89",
			"http://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}", "http://ta.tianditu.gov.cn:80/DataServer", "0123abcd4567ef890123abcd4567ef89", "tk"},
		{"https://tiles.stadiamaps.com/tiles/osm_bright/{z}/{x}/{-y}.png",
			"https://tiles.stadiamaps.com/tiles/osm_bright/{z}/{x}/{-y}.png", "https://tiles.stadiamaps.com:443/tiles/osm_bright/", "", ""},
	}
	for _, tt := range tests {
		sp, err := layers.SplitURL(Kind{}, tt.in, nil)
		if err != nil {
			t.Errorf("SplitURL(%q) error = %v", tt.in, err)
			continue
		}
		if sp.CleanURL != tt.clean || sp.Source != tt.src || sp.Credential.Key != tt.key || sp.Param != tt.param {
			t.Errorf("SplitURL(%q) = clean %q source %q key %q param %q; want %q %q %q %q",
				tt.in, sp.CleanURL, sp.Source, sp.Credential.Key, sp.Param, tt.clean, tt.src, tt.key, tt.param)
		}
		if _, err := ParseTemplate(sp.CleanURL); err != nil {
			t.Errorf("the clean URL %q is no template any more: %v", sp.CleanURL, err)
		}
	}
}

func TestProbe(t *testing.T) {
	l := projectLayer("https://{s}.t.example/v3/{z}/{x}/{-y}.png")
	l.XYZ = project.XYZ{MinZoom: 3, Subdomains: []string{"k1", "k2"}}
	got, err := Kind{}.Probe(l, 10, 50)
	want := vault.Target{URL: "https://k1.t.example/v3/3/4/5.png", Expect: vault.ExpectImage, Source: "https://k1.t.example:443/v3/"}
	if err != nil || got != want {
		t.Errorf("Probe = %+v, %v; want %+v", got, err, want)
	}
	e, data, err := Kind{}.EntryTarget("https://t.example/{z}/{x}/{y}.png")
	if err != nil || !data || e.URL != "https://t.example/0/0/0.png" || e.Expect != vault.ExpectImage {
		t.Errorf("EntryTarget = %+v, %v, %v; want the zoom 0 tile as data", e, data, err)
	}
}

// TestDetect: the default registry takes a template for xyz, even with
// "wms" in its path, and a WMS URL for wms, from the URL alone.
func TestDetect(t *testing.T) {
	reg := layers.NewRegistry(wms.Kind{}, Kind{})
	tests := []struct {
		url  string
		want project.Kind
	}{
		{"https://t.example/wms/{z}/{x}/{y}.png", project.KindXYZ},
		{"https://t.example/{z}/{x}/{-y}.jpg?key=1", project.KindXYZ},
		{"https://maps.example.org/geoserver/wms", project.KindWMS},
		{"https://maps.example.org/ows?SERVICE=WMS&REQUEST=GetCapabilities", project.KindWMS},
		{"https://maps.example.org/cgi-bin/mapserv?map=x&request=GetMap&layers=a", project.KindWMS},
	}
	for _, tt := range tests {
		k, ok := reg.DetectURL(tt.url)
		if !ok || k.Name() != tt.want {
			t.Errorf("DetectURL(%q) = %v, %v; want %s", tt.url, k, ok, tt.want)
		}
	}
	for _, u := range []string{"https://maps.example.org/ows?SERVICE=WFS", "https://data.example.org/parcels.geojson"} {
		if k, ok := reg.DetectURL(u); ok {
			t.Errorf("DetectURL(%q) = %s, want none", u, k.Name())
		}
	}
	// Not recognised from the URL, no answer to read: wms, the format's
	// default kind.
	k, err := reg.Detect(context.Background(), nil, "https://maps.example.org/ows")
	if err != nil || k.Name() != project.KindWMS {
		t.Errorf("Detect(bare URL) = %v, %v; want wms", k, err)
	}
	var uk *layers.UnsupportedKindError
	if _, err := reg.Lookup(project.KindWFS); !errors.As(err, &uk) || !uk.Known || err.Error() != "kind wfs is not supported yet" {
		t.Errorf("Lookup(wfs) error = %v, want \"kind wfs is not supported yet\"", err)
	}
	if _, err := reg.Lookup("mbtiles"); !errors.As(err, &uk) || uk.Known {
		t.Errorf("Lookup(mbtiles) error = %v, want an unknown kind", err)
	}
}

func TestService(t *testing.T) {
	svc, err := Kind{}.Open(context.Background(), nil, "https://{s}.tile.example.org/{z}/{x}/{y}.png")
	if err != nil {
		t.Fatal(err)
	}
	if svc.NeedsChoice() || len(svc.Offers()) != 1 {
		t.Errorf("a template offers %d layers (choice %v), want one and no choice", len(svc.Offers()), svc.NeedsChoice())
	}
	l, _, ok := svc.Layer("")
	if !ok || l.Kind != project.KindXYZ || l.Source != "https://{s}.tile.example.org/{z}/{x}/{y}.png" || l.Name != "tile.example.org" || !l.Visible || l.Opacity != 1 {
		t.Errorf("Layer(\"\") = %+v, %v", l, ok)
	}
	if _, _, ok := svc.Layer("roads"); ok {
		t.Error("Layer(roads) of a template: ok")
	}
	if _, err := (Kind{}).Open(context.Background(), nil, "https://h/wms"); err == nil {
		t.Error("Open(not a template) = nil error")
	}
}

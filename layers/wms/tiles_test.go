package wms

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"mapvault/layers"
)

func TestChooseCRS(t *testing.T) {
	tests := []struct {
		crs     []string
		want    string
		wantErr bool
	}{
		{[]string{"EPSG:4326", "EPSG:3857"}, "EPSG:3857", false},
		{[]string{"epsg:3857"}, "EPSG:3857", false},
		{[]string{"EPSG:4326", "EPSG:900913"}, "EPSG:900913", false},
		{[]string{"EPSG:102100"}, "EPSG:102100", false},
		{[]string{"EPSG:102113", "CRS:84"}, "EPSG:102113", false},
		{[]string{"EPSG:25832", "EPSG:4326", "CRS:84"}, "EPSG:4326", false},
		{[]string{"CRS:84"}, "CRS:84", false},
		{[]string{"EPSG:25832", "EPSG:31467"}, "", true},
		{nil, "", true},
	}
	for _, tt := range tests {
		got, err := ChooseCRS(&Layer{Name: "l", addedCRS: tt.crs})
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ChooseCRS(%v) = %q, %v, want %q, error %v", tt.crs, got, err, tt.want, tt.wantErr)
		}
		if err != nil {
			if !errors.Is(err, ErrNoUsableCRS) {
				t.Errorf("ChooseCRS(%v) error %v does not wrap ErrNoUsableCRS", tt.crs, err)
			}
			for _, c := range tt.crs {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("ChooseCRS(%v) error %q does not list %s", tt.crs, err, c)
				}
			}
		}
	}
	if _, err := ChooseCRS(nil); !errors.Is(err, ErrNoUsableCRS) {
		t.Errorf("ChooseCRS(nil) = %v, want ErrNoUsableCRS", err)
	}
}

// TestMerge: adjacent WMS layers share a GetMap when they have the same
// service, version, CRS and format and the upper one is transparent; the
// merged source requests LAYERS and STYLES of both, one style per layer.
func TestMerge(t *testing.T) {
	base := Params{URL: "https://h.example/wms", Version: "1.3.0", CRS: "EPSG:3857", Transparent: true}
	with := func(id string, f func(*Params)) *Tiles {
		p := base
		p.Layers = []string{id}
		if f != nil {
			f(&p)
		}
		tl, err := NewTiles(p)
		if err != nil {
			t.Fatal(err)
		}
		return tl
	}
	tests := []struct {
		name   string
		srcs   []*Tiles
		merged bool
		layers []string // LAYERS of the merged source
		styles []string
	}{
		{"three mergeable", []*Tiles{with("a", nil), with("b", func(p *Params) { p.Styles = []string{"x"} }), with("c", nil)},
			true, []string{"a", "b", "c"}, []string{"", "x", ""}},
		{"opaque bottom layer merges", []*Tiles{with("a", func(p *Params) { p.Transparent = false }), with("b", nil)},
			true, []string{"a", "b"}, []string{"", ""}},
		{"opaque upper layer does not", []*Tiles{with("a", nil), with("b", func(p *Params) { p.Transparent = false })}, false, nil, nil},
		{"other format", []*Tiles{with("a", nil), with("b", func(p *Params) { p.Format = "image/jpeg" })}, false, nil, nil},
		{"defaults compare equal", []*Tiles{with("a", func(p *Params) { p.Format = "image/png" }), with("b", func(p *Params) { p.Format = "" })},
			true, []string{"a", "b"}, []string{"", ""}},
		{"other service", []*Tiles{with("a", nil), with("x", func(p *Params) { p.URL = "https://other.example/wms" })}, false, nil, nil},
		{"other CRS", []*Tiles{with("a", nil), with("x", func(p *Params) { p.CRS = "EPSG:4326" })}, false, nil, nil},
		{"multi-name members", []*Tiles{with("a", func(p *Params) { p.Layers = []string{"a1", "a2"}; p.Styles = []string{"s1", "s2", "s3"} }), with("b", nil)},
			true, []string{"a1", "a2", "b"}, []string{"s1", "s2", ""}},
	}
	for _, tt := range tests {
		var acc layers.TileSource = tt.srcs[0]
		merged := true
		for _, s := range tt.srcs[1:] {
			m, ok := acc.(layers.Merger).Merge(s)
			if !ok {
				merged = false
				break
			}
			acc = m
		}
		if merged != tt.merged {
			t.Errorf("%s: merged = %v, want %v", tt.name, merged, tt.merged)
			continue
		}
		if !merged {
			continue
		}
		p := acc.(*Tiles).Params()
		if !slices.Equal(p.Layers, tt.layers) || !slices.Equal(p.Styles, tt.styles) {
			t.Errorf("%s: merged LAYERS %v STYLES %q, want %v %q", tt.name, p.Layers, p.Styles, tt.layers, tt.styles)
		}
	}
	// Merging does not alias the sources' slices.
	a, b := with("a", nil), with("b", nil)
	a.Merge(b)
	if p := a.Params(); !slices.Equal(p.Layers, []string{"a"}) {
		t.Errorf("the lower source's layers changed: %v", p.Layers)
	}
	// A WMS source does not merge with another kind's.
	if _, ok := a.Merge(otherTiles{}); ok {
		t.Error("merged with a non-WMS source")
	}
}

type otherTiles struct{}

func (otherTiles) Key() string { return "other" }
func (otherTiles) Tile(layers.Tile, int) (layers.TileRequest, bool) {
	return layers.TileRequest{}, false
}

func TestNewTilesRefuses(t *testing.T) {
	for _, p := range []Params{
		{URL: "https://example.org/wms", Layers: []string{"a"}, CRS: "EPSG:25832"},
		{URL: "ftp://example.org/wms", Layers: []string{"a"}},
		{URL: "https://example.org/wms"},
	} {
		if _, err := NewTiles(p); err == nil {
			t.Errorf("NewTiles(%+v) = nil error", p)
		}
	}
	if _, err := NewTiles(Params{URL: "https://example.org/wms", Layers: []string{"a"}, CRS: "EPSG:25832"}); !errors.Is(err, ErrNoUsableCRS) {
		t.Errorf("unsupported CRS: error %v does not wrap ErrNoUsableCRS", err)
	}
}

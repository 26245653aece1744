package layers

import (
	"errors"
	"slices"
	"strings"
	"testing"
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

func TestGroupSpecs(t *testing.T) {
	base := LayerSpec{URL: "https://h.example/wms", Source: "https://h.example:443/wms", Version: "1.3.0", CRS: "EPSG:3857", Opacity: 1, Transparent: true}
	with := func(id string, f func(*LayerSpec)) LayerSpec {
		s := base
		s.ID, s.Names = id, []string{id}
		if f != nil {
			f(&s)
		}
		return s
	}
	tests := []struct {
		name   string
		specs  []LayerSpec
		want   [][]string // member IDs per group
		layers []string   // LAYERS of the first group
		styles []string   // STYLES of the first group
	}{
		{"three mergeable", []LayerSpec{with("a", nil), with("b", func(s *LayerSpec) { s.Styles = []string{"x"} }), with("c", nil)},
			[][]string{{"a", "b", "c"}}, []string{"a", "b", "c"}, []string{"", "x", ""}},
		{"opaque bottom layer merges", []LayerSpec{with("a", func(s *LayerSpec) { s.Transparent = false }), with("b", nil)},
			[][]string{{"a", "b"}}, []string{"a", "b"}, []string{"", ""}},
		{"opaque upper layer does not", []LayerSpec{with("a", nil), with("b", func(s *LayerSpec) { s.Transparent = false })},
			[][]string{{"a"}, {"b"}}, []string{"a"}, []string{""}},
		{"opacity breaks", []LayerSpec{with("a", nil), with("b", func(s *LayerSpec) { s.Opacity = 0.5 }), with("c", nil)},
			[][]string{{"a"}, {"b"}, {"c"}}, []string{"a"}, []string{""}},
		{"other format", []LayerSpec{with("a", nil), with("b", func(s *LayerSpec) { s.Format = "image/jpeg" })},
			[][]string{{"a"}, {"b"}}, []string{"a"}, []string{""}},
		{"defaults compare equal", []LayerSpec{with("a", func(s *LayerSpec) { s.Format = "image/png" }), with("b", func(s *LayerSpec) { s.Format = "" })},
			[][]string{{"a", "b"}}, []string{"a", "b"}, []string{"", ""}},
		{"not adjacent", []LayerSpec{with("a", nil), with("x", func(s *LayerSpec) { s.URL = "https://other.example/wms" }), with("c", nil)},
			[][]string{{"a"}, {"x"}, {"c"}}, []string{"a"}, []string{""}},
		{"multi-name members", []LayerSpec{with("a", func(s *LayerSpec) { s.Names = []string{"a1", "a2"}; s.Styles = []string{"s1", "s2", "s3"} }), with("b", nil)},
			[][]string{{"a", "b"}}, []string{"a1", "a2", "b"}, []string{"s1", "s2", ""}},
	}
	for _, tt := range tests {
		groups := groupSpecs(tt.specs, false)
		var got [][]string
		for _, g := range groups {
			got = append(got, g.ids)
		}
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%s: groups = %v, want %v", tt.name, got, tt.want)
			continue
		}
		if g := groups[0]; !slices.Equal(g.spec.Names, tt.layers) || !slices.Equal(g.spec.Styles, tt.styles) {
			t.Errorf("%s: first group LAYERS %v STYLES %q, want %v %q", tt.name, g.spec.Names, g.spec.Styles, tt.layers, tt.styles)
		}
		if n := len(groupSpecs(tt.specs, true)); n != len(tt.specs) {
			t.Errorf("%s: with NoMerge %d groups, want %d", tt.name, n, len(tt.specs))
		}
	}
	// Merging does not alias the caller's slices.
	specs := []LayerSpec{with("a", nil), with("b", nil)}
	groupSpecs(specs, false)
	if !slices.Equal(specs[0].Names, []string{"a"}) {
		t.Errorf("caller's Names changed: %v", specs[0].Names)
	}
}

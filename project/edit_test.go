package project

import (
	"errors"
	"strings"
	"testing"
)

func ids(p *Project) string {
	var s []string
	for _, l := range p.Layers {
		s = append(s, l.ID)
	}
	return strings.Join(s, ",")
}

func TestAddLayerIDs(t *testing.T) {
	p := New("t")
	adds := []struct {
		l    Layer
		want string
	}{
		{Layer{Name: "Roads"}, "roads"},
		{Layer{Name: "Roads"}, "roads-2"},
		{Layer{ID: "roads"}, "roads-3"},
		{Layer{ID: "mine", Name: "Roads"}, "mine"},
		{Layer{Name: "  Überflutung 2024 (m) "}, "überflutung-2024-m"},
		{Layer{Name: "§§"}, "layer"},
		{Layer{}, "layer-2"},
		{Layer{Name: strings.Repeat("ab ", 30)}, "ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-a"}, // 40 characters at most,
	}
	for _, a := range adds {
		got := p.AddLayer(a.l)
		if got.ID != a.want {
			t.Errorf("AddLayer(%+v).ID = %q, want %q", a.l, got.ID, a.want)
		}
		if got.Kind != KindWMS {
			t.Errorf("AddLayer(%+v).Kind = %q, want %q", a.l, got.Kind, KindWMS)
		}
	}
	if _, err := p.Marshal(); err != nil {
		t.Errorf("Marshal() after AddLayer error = %v, want nil", err)
	}
	if l, ok := p.Layer("mine"); !ok || l.Name != "Roads" {
		t.Errorf("Layer(mine) = %+v, %v; want the layer named Roads", l, ok)
	}
	if l, ok := p.Layer("nope"); ok {
		t.Errorf("Layer(nope) = %+v, true; want false", l)
	}
}

func TestAddLayerCopies(t *testing.T) {
	p := New("t")
	names := []string{"a"}
	p.AddLayer(Layer{Name: "x", WMS: WMS{Layers: names}})
	names[0] = "changed"
	if got := p.Layers[0].WMS.Layers[0]; got != "a" {
		t.Errorf("stored WMS.Layers[0] = %q after the caller changed its slice, want %q", got, "a")
	}
}

func TestRemoveLayer(t *testing.T) {
	p := New("t")
	for _, n := range []string{"a", "b", "c"} {
		p.AddLayer(Layer{Name: n})
	}
	if !p.RemoveLayer("b") {
		t.Errorf("RemoveLayer(b) = false, want true")
	}
	if p.RemoveLayer("b") {
		t.Errorf("second RemoveLayer(b) = true, want false")
	}
	if got := ids(p); got != "a,c" {
		t.Errorf("layers = %s, want a,c", got)
	}
}

func TestMoveLayer(t *testing.T) {
	tests := []struct {
		id   string
		to   int
		want string
		err  bool
	}{
		{"a", 2, "b,c,a,d", false},
		{"a", 3, "b,c,d,a", false},
		{"d", 0, "d,a,b,c", false},
		{"c", 1, "a,c,b,d", false},
		{"b", 1, "a,b,c,d", false},
		{"b", 4, "a,b,c,d", true},
		{"b", -1, "a,b,c,d", true},
		{"x", 0, "a,b,c,d", true},
	}
	for _, tt := range tests {
		p := New("t")
		for _, n := range []string{"a", "b", "c", "d"} {
			p.AddLayer(Layer{Name: n})
		}
		err := p.MoveLayer(tt.id, tt.to)
		if (err != nil) != tt.err {
			t.Errorf("MoveLayer(%s, %d) error = %v, want error %v", tt.id, tt.to, err, tt.err)
		}
		if got := ids(p); got != tt.want {
			t.Errorf("MoveLayer(%s, %d) gives %s, want %s", tt.id, tt.to, got, tt.want)
		}
	}
	p := New("t")
	if err := p.MoveLayer("x", 0); !errors.Is(err, ErrNoLayer) {
		t.Errorf("MoveLayer(unknown) error = %v, want ErrNoLayer", err)
	}
}

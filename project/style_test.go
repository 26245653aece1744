package project

import (
	"image/color"
	"testing"
)

func TestColorRGBA(t *testing.T) {
	tests := []struct {
		in   Color
		want color.NRGBA
		ok   bool
	}{
		{"#3388ff", color.NRGBA{0x33, 0x88, 0xff, 0xff}, true},
		{"#3388FF80", color.NRGBA{0x33, 0x88, 0xff, 0x80}, true},
		{"#abc", color.NRGBA{0xaa, 0xbb, 0xcc, 0xff}, true},
		{"", color.NRGBA{}, false},
		{"none", color.NRGBA{}, false},
		{"red", color.NRGBA{}, false},
		{"#12", color.NRGBA{}, false},
		{"#12345", color.NRGBA{}, false},
		{"#gggggg", color.NRGBA{}, false},
		{"#+12345", color.NRGBA{}, false},
		{"#0x1234", color.NRGBA{}, false},
	}
	for _, tt := range tests {
		got, ok := tt.in.RGBA()
		if got != tt.want || ok != tt.ok {
			t.Errorf("Color(%q).RGBA() = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAddLayerCopiesKindFields(t *testing.T) {
	p := New("t")
	subs := []string{"a"}
	cats := []Category{{Value: "x"}}
	p.AddLayer(Layer{Name: "x", Kind: KindXYZ, XYZ: XYZ{Subdomains: subs}, Style: Style{Attribute: "k", Categories: cats}})
	subs[0], cats[0].Value = "changed", "changed"
	if l := p.Layers[0]; l.XYZ.Subdomains[0] != "a" || l.Style.Categories[0].Value != "x" {
		t.Errorf("stored layer %+v changed with the caller's slices", l)
	}
}

package assets

import (
	"testing"

	"mapvault/project"
)

func TestPublicServicesExample(t *testing.T) {
	p, err := project.Parse(PublicServicesName, PublicServices())
	if err != nil {
		t.Fatalf("Parse(%s) = %v", PublicServicesName, err)
	}
	if len(p.Layers) != 3 {
		t.Fatalf("layers = %d, want 3", len(p.Layers))
	}
	for _, l := range p.Layers {
		if l.Kind != project.KindWMS || len(l.WMS.Layers) == 0 {
			t.Errorf("layer %s = kind %q names %q, want a WMS layer", l.ID, l.Kind, l.WMS.Layers)
		}
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(PublicServices()) {
		t.Errorf("the example is not in the canonical format that Save writes:\n%s", out)
	}
}

package wms

import (
	"testing"
)

func TestServiceOffersCarryAbstracts(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Title>Root</Title><Abstract>All of it</Abstract>
<Layer><Name>a</Name><Title>A</Title><Abstract>The A layer</Abstract></Layer>
<Layer><Name>b</Name><Title>B</Title></Layer></Layer>`))
	offers := NewService(caps, "http://h/wms").Offers()
	want := []string{"All of it", "The A layer", ""}
	if len(offers) != len(want) {
		t.Fatalf("Offers() = %+v, want %d offers", offers, len(want))
	}
	for i, o := range offers {
		if o.Abstract != want[i] {
			t.Errorf("Offers()[%d].Abstract = %q, want %q", i, o.Abstract, want[i])
		}
	}
	if _, o, ok := NewService(caps, "http://h/wms").Layer("a"); !ok || o.Abstract != "The A layer" {
		t.Errorf("Layer(a) offer = %+v, %v, want the abstract", o, ok)
	}
}

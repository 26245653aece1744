package app

import (
	"math"
	"testing"
)

// At canvas scale 2 the legend is drawn with twice the pixels, and shown
// at the same logical size as at scale 1.
func TestLegendPanelHiDPI(t *testing.T) {
	h := newHarness(t)
	lp := h.a.legend
	h.a.ToggleLegend()
	if err := h.a.OpenFile(twoLayerProject(t)); err != nil {
		t.Fatal(err)
	}
	h.waitSettled()
	legendAt := func(scale float64) {
		t.Helper()
		h.q.waitFor(t, "the legend", func() bool {
			return lp.img.Visible() && lp.img.Image != nil && lp.key == legendKey(h.a.doc.proj, h.a.doc.drawSpecs(), scale) && lp.cancel == nil
		})
	}
	legendAt(1)
	one, oneSize := lp.img.Image.Bounds(), lp.img.MinSize()

	c, ok := h.a.win.Canvas().(interface{ SetScale(float32) })
	if !ok {
		t.Fatalf("cannot set the scale of %T", h.a.win.Canvas())
	}
	c.SetScale(2)
	h.a.legend.update()
	legendAt(2)
	two, twoSize := lp.img.Image.Bounds(), lp.img.MinSize()

	if two.Dx() != 2*one.Dx() || two.Dy() != 2*one.Dy() {
		t.Errorf("legend at scale 2 is %dx%d pixels, want twice the %dx%d of scale 1", two.Dx(), two.Dy(), one.Dx(), one.Dy())
	}
	if math.Abs(float64(twoSize.Width-oneSize.Width)) > 0.5 || math.Abs(float64(twoSize.Height-oneSize.Height)) > 0.5 {
		t.Errorf("legend shown at %v at scale 2, want the %v of scale 1", twoSize, oneSize)
	}
	if s := lp.img.Size(); math.Abs(float64(s.Width-oneSize.Width)) > 0.5 || math.Abs(float64(s.Height-oneSize.Height)) > 0.5 {
		t.Errorf("legend image laid out at %v at scale 2, want %v", s, oneSize)
	}
}

package app

import (
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"mapvault/layers"
)

func TestMapInteraction(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	h.q.waitFor(t, "the public layer drawn", func() bool { return len(h.drawn()) >= 1 && h.settled() })
	// The prompts are modal overlays: dismiss them to reach the map.
	for h.a.prompts.Current() != nil {
		test.Tap(h.a.prompts.Current().cancel)
	}
	m := h.a.mapView
	c := h.a.win.Canvas()
	lon0, lat0, z0 := m.Center()

	// Drag right by 100 px: the map follows, the centre moves west.
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(m).Add(fyne.NewPos(200, 200))
	test.Drag(c, pos, 100, 0)
	lon1, lat1, z1 := m.Center()
	wantLon := lon0 - 100*360/layers.WorldSize(z0)
	if math.Abs(lon1-wantLon) > 1e-6 || math.Abs(lat1-lat0) > 1e-6 || z1 != z0 {
		t.Errorf("after drag: centre (%v, %v, z%v), want (%v, %v, z%v)", lon1, lat1, z1, wantLon, lat0, z0)
	}

	// Scroll zooms at the cursor: the point under it stays put.
	at := fyne.NewPos(150, 120)
	before1, before2 := m.PosToLonLat(at)
	m.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: at}, Scrolled: fyne.Delta{DY: 20}})
	if _, _, z := m.Center(); z != z0+1 {
		t.Errorf("zoom after one scroll step = %v, want %v", z, z0+1)
	}
	after1, after2 := m.PosToLonLat(at)
	if math.Abs(after1-before1) > 1e-6 || math.Abs(after2-before2) > 1e-6 {
		t.Errorf("point under cursor moved from (%v, %v) to (%v, %v)", before1, before2, after1, after2)
	}

	// Keyboard: - zooms out, arrows pan. A desktop driver reports one
	// press as a key event and a rune; together they zoom one level.
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyMinus})
	m.TypedRune('-')
	if _, _, z := m.Center(); z != z0 {
		t.Errorf("zoom after one '-' press = %v, want %v", z, z0)
	}
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEqual})
	m.TypedRune('=')
	if _, _, z := m.Center(); z != z0+1 {
		t.Errorf("zoom after one '=' press = %v, want %v", z, z0+1)
	}
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyMinus})
	m.TypedRune('-')
	la, _, _ := m.Center()
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if lb, _, _ := m.Center(); !(lb > la) {
		t.Errorf("right arrow: lon %v -> %v, want east", la, lb)
	}

	// Status bar: cursor position and scale.
	m.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}})
	lon, lat := m.PosToLonLat(at)
	if got, want := h.a.status.cursor.Text, formatCoord(coordDD, lon, lat); got != want {
		t.Errorf("status cursor = %q, want %q", got, want)
	}
	_, latc, zc := m.Center()
	if got, want := h.a.status.view.Text, "zoom 3.00   "+formatScale(layers.ScaleDenominator(latc, zc)); got != want {
		t.Errorf("status view = %q, want %q", got, want)
	}
	// The project's view follows the map (saved with the next save).
	if v := h.a.doc.proj.View; v.Zoom != zc || v.Lat != latc {
		t.Errorf("project view = %+v, want the map's centre and zoom", v)
	}
	h.waitSettled()
}

// TestPanRecomposeTiming measures what a pan costs on the UI goroutine:
// one Compose from cached tiles (the fetch runs elsewhere).
func TestPanRecomposeTiming(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	h.unlockAll()
	n0 := len(h.a.doc.proj.Layers)
	h.q.waitFor(t, "every demo layer drawn", func() bool { return len(h.drawn()) == n0 && h.settled() })
	m := h.a.mapView
	const n = 20
	var total, worst time.Duration
	for range n {
		start := time.Now()
		m.Pan(3, 0) // small pans stay within cached tiles
		d := time.Since(start)
		total += d
		worst = max(worst, d)
	}
	v := m.View()
	t.Logf("pan -> recomposed frame (%dx%d, 3 layers): mean %v, worst %v; compose alone %v",
		v.Width, v.Height, (total / n).Round(time.Microsecond), worst.Round(time.Microsecond), m.LastCompose().Round(time.Microsecond))
	if worst > 2*time.Second {
		t.Errorf("a pan took %v on the UI goroutine", worst)
	}
	h.waitSettled()
}

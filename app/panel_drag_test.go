package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"mapvault/project"
)

// dragRowTo drags the handle of the layer row from onto the middle of the
// row onto, as the driver delivers it: Dragged events, then DragEnd.
func (h *harness) dragRowTo(from, onto string) {
	h.t.Helper()
	drv := fyne.CurrentApp().Driver()
	src, dst := h.a.panel.rows[from], h.a.panel.rows[onto]
	start := drv.AbsolutePositionForObject(src.handle)
	end := drv.AbsolutePositionForObject(dst.box).Add(fyne.NewPos(10, dst.box.Size().Height/2))
	mid := fyne.NewPos(start.X, (start.Y+end.Y)/2)
	for _, p := range []fyne.Position{mid, end} {
		src.handle.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: p}, Dragged: fyne.NewDelta(0, p.Y-start.Y)})
	}
	src.handle.DragEnd()
}

func TestDragRowMovesLayer(t *testing.T) {
	h, _ := newOfflineHarness(t)
	srv, _ := timeWMS(t)
	p := project.New("drag")
	for _, name := range []string{"A", "B", "C", "D"} {
		p.AddLayer(project.Layer{Name: name, Kind: project.KindWMS, Source: srv.URL + "/wms",
			WMS: project.WMS{Layers: []string{"sst"}}, Opacity: 1, Visible: true})
	}
	h.openProject(p)
	h.waitSettled()
	if top := h.a.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("an overlay %T covers the window", top)
	}
	order := slices.Clone(h.a.panel.order) // top first
	if len(order) < 3 {
		t.Fatalf("project has %d layers, want at least 3", len(order))
	}
	top, bottom := order[0], order[len(order)-1]
	h.a.doc.dirty = false

	// The top row dragged onto the bottom row takes its place: the bottom.
	h.dragRowTo(top, bottom)
	if got := h.a.layerIndex(top); got != 0 {
		t.Fatalf("after dragging the top layer onto the bottom row its index = %d, want 0 (order %v)", got, h.a.panel.order)
	}
	if h.a.panel.order[len(order)-1] != top || !h.a.Dirty() {
		t.Errorf("panel order %v, dirty %v; want %s last, dirty", h.a.panel.order, h.a.Dirty(), top)
	}
	if n := len(h.a.doc.undo.done); n != 1 {
		t.Errorf("the drag made %d undo steps, want 1", n)
	}
	h.a.Undo()
	if !slices.Equal(h.a.panel.order, order) {
		t.Errorf("after undo order = %v, want %v", h.a.panel.order, order)
	}

	// A drag with test.Drag (the pointer goes through the canvas): the
	// second row's handle dragged far up lands on the top row's place.
	second := order[1]
	src := h.a.panel.rows[second].handle
	test.Drag(h.a.win.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(src).Add(fyne.NewPos(2, 2)), 0, -2000)
	if got, want := h.a.layerIndex(second), len(order)-1; got != want {
		t.Errorf("after dragging the second layer above the list its index = %d, want %d", got, want)
	}

	// Dropping a row on itself changes nothing.
	n := len(h.a.doc.undo.done)
	h.dragRowTo(order[1], order[1])
	if len(h.a.doc.undo.done) != n {
		t.Errorf("a drop on the row itself made an undo step")
	}
}

package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dragHandle is the grip at the left of a layer row: dragging it onto
// another row moves the layer to that row's place (one undo step). Fyne's
// lists have no drag and drop, so the handle tracks the pointer itself
// and decides the target row when the drag ends.
type dragHandle struct {
	widget.BaseWidget
	p      *layerPanel
	id     string
	at     fyne.Position // the pointer's last absolute position
	moved  fyne.Delta    // the drag's deltas so far
	active bool
}

var (
	_ fyne.Draggable     = (*dragHandle)(nil)
	_ desktop.Cursorable = (*dragHandle)(nil)
)

func newDragHandle(p *layerPanel, id string) *dragHandle {
	h := &dragHandle{p: p, id: id}
	h.ExtendBaseWidget(h)
	return h
}

func (h *dragHandle) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(widget.NewIcon(theme.MenuIcon()))
}

// MinSize is an icon's.
func (h *dragHandle) MinSize() fyne.Size {
	s := theme.IconInlineSize()
	return fyne.NewSize(s, s)
}

// Cursor shows that the row can be moved up and down.
func (h *dragHandle) Cursor() desktop.Cursor { return desktop.VResizeCursor }

// Dragged follows the pointer: its absolute position when the driver
// gives it, else (the test driver's test.Drag) the handle's centre moved
// by the drag's deltas.
func (h *dragHandle) Dragged(e *fyne.DragEvent) {
	if !h.active {
		h.moved = fyne.Delta{}
	}
	h.active = true
	h.moved = fyne.NewDelta(h.moved.DX+e.Dragged.DX, h.moved.DY+e.Dragged.DY)
	if !e.AbsolutePosition.IsZero() {
		h.at = e.AbsolutePosition
		return
	}
	centre := fyne.CurrentApp().Driver().AbsolutePositionForObject(h).Add(fyne.NewPos(h.Size().Width/2, h.Size().Height/2))
	h.at = centre.Add(h.moved)
}

// DragEnd moves the layer to the row under the pointer.
func (h *dragHandle) DragEnd() {
	if !h.active {
		return
	}
	h.active = false
	if target, ok := h.p.rowAt(h.at.Y); ok && target != h.id {
		h.p.a.MoveLayerTo(h.id, h.p.a.layerIndex(target))
	}
}

// rowAt returns the id of the shown layer row at absolute height y: the
// row it falls in, the top row above the list, the bottom row below it.
func (p *layerPanel) rowAt(y float32) (string, bool) {
	drv := fyne.CurrentApp().Driver()
	var shown []string
	for _, id := range p.order {
		l, ok := p.a.doc.proj.Layer(id)
		if !ok || (l.Group != "" && p.folded[l.Group]) {
			continue
		}
		shown = append(shown, id)
	}
	if len(shown) == 0 {
		return "", false
	}
	for i, id := range shown {
		box := p.rows[id].box
		top := drv.AbsolutePositionForObject(box).Y
		if i == 0 && y < top {
			return id, true
		}
		if y < top+box.Size().Height {
			return id, true
		}
	}
	return shown[len(shown)-1], true
}

// MoveLayerTo moves a layer to index to of the project (0 the bottom) as
// one undo step.
func (a *App) MoveLayerTo(id string, to int) {
	from := a.layerIndex(id)
	if from < 0 || to < 0 || to >= len(a.doc.proj.Layers) || to == from {
		return
	}
	if err := a.doc.proj.MoveLayer(id, to); err != nil {
		a.showError(err)
		return
	}
	a.doc.undo.push(panelEdit{what: "Move layer",
		undo: func() { a.applyMove(id, from) },
		redo: func() { a.applyMove(id, to) }})
	a.markDirty()
	a.refresh()
}

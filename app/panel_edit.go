package app

import (
	"slices"

	"mapvault/project"
)

// The layer panel's edits. Each one changes the project, records how to
// revert it on the document's undo stack, marks the project dirty and
// refreshes. The apply* helpers below are what the edits, their undo and
// their redo share.

// ToggleVisible flips a layer's eye. Allowed on blocked layers too: the
// choice is the project's and is saved; blocking never changes it.
func (a *App) ToggleVisible(id string) {
	if _, ok := a.doc.proj.Layer(id); !ok {
		return
	}
	flip := func() {
		if l, ok := a.doc.proj.Layer(id); ok {
			l.Visible = !l.Visible
		}
	}
	flip()
	a.doc.undo.push(panelEdit{what: "Visibility", undo: flip, redo: flip})
	a.markDirty()
	a.refresh()
}

// SetOpacity sets a layer's opacity; final marks the end of a slider drag
// (an edit to save and one undo step from the value before the drag).
func (a *App) SetOpacity(id string, v float64, final bool) {
	l, ok := a.doc.proj.Layer(id)
	if !ok {
		return
	}
	u := &a.doc.undo
	v = clamp(v, 0, 1)
	from, dragging := u.dragFrom[id]
	if !dragging {
		from = l.Opacity
	}
	if !final && !dragging && l.Opacity != v {
		if u.dragFrom == nil {
			u.dragFrom = map[string]float64{}
		}
		u.dragFrom[id] = from
	}
	if final {
		delete(u.dragFrom, id)
		if from != v {
			u.push(panelEdit{what: "Opacity",
				undo: func() { a.applyOpacity(id, from) },
				redo: func() { a.applyOpacity(id, v) }})
		}
	}
	if l.Opacity != v {
		l.Opacity = v
		a.markDirty()
	} else if !final {
		return
	}
	a.refresh()
}

func (a *App) applyOpacity(id string, v float64) {
	if l, ok := a.doc.proj.Layer(id); ok {
		l.Opacity = v
	}
}

// MoveLayer moves a layer up (towards the top of the map, +1) or down (-1).
func (a *App) MoveLayer(id string, dir int) {
	if from := a.layerIndex(id); from >= 0 {
		a.MoveLayerTo(id, from+dir)
	}
}

// layerIndex is the layer's index in the project (0 the bottom), -1 when
// there is none.
func (a *App) layerIndex(id string) int {
	return slices.IndexFunc(a.doc.proj.Layers, func(l project.Layer) bool { return l.ID == id })
}

func (a *App) applyMove(id string, to int) {
	p := a.doc.proj
	if a.layerIndex(id) < 0 || len(p.Layers) == 0 {
		return
	}
	_ = p.MoveLayer(id, clampInt(to, 0, len(p.Layers)-1))
}

// RemoveLayer asks whether to remove the layer, then removes it (removeLayer).
func (a *App) RemoveLayer(id string) {
	l, ok := a.doc.proj.Layer(id)
	if !ok {
		return
	}
	a.panel.confirmRemove(id, layerTitle(l))
}

// removeLayer removes a layer as one undoable step. Undo puts it back at
// its index with all its settings; the session's credentials for its
// source are not touched either way.
func (a *App) removeLayer(id string) {
	at := a.layerIndex(id)
	if at < 0 {
		return
	}
	saved := a.doc.proj.Layers[at]
	a.applyRemove(id)
	cur := id // the layer's id once put back (another may have taken it)
	a.doc.undo.push(panelEdit{what: "Remove layer",
		undo: func() { cur = a.applyInsert(saved, at) },
		redo: func() { a.applyRemove(cur) }})
	a.markDirty()
	a.refresh()
}

func (a *App) applyRemove(id string) {
	if a.doc.proj.RemoveLayer(id) {
		a.forgetLayer(id)
	}
}

// applyInsert puts l back at index at (clamped to the layers there are)
// and returns its id: l.ID, or a new one when a layer added meanwhile took
// it.
func (a *App) applyInsert(l project.Layer, at int) string {
	p := a.doc.proj
	id := p.AddLayer(l).ID
	_ = p.MoveLayer(id, clampInt(at, 0, len(p.Layers)-1))
	return id
}

// forgetLayer drops what the document derived from a layer, so that it is
// resolved again (or, removed, forgotten).
func (a *App) forgetLayer(id string) {
	delete(a.doc.specs, id)
	delete(a.doc.specErr, id)
	delete(a.doc.states, id)
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

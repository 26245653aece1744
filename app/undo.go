package app

// undoStack is the document's history of layer-panel edits (remove, move,
// opacity, visibility, group visibility, layer properties). It belongs to
// the document, so opening another project starts a fresh one. Each step
// is a pair of functions that find their layers by id and do nothing when
// a layer is gone.
type undoStack struct {
	done, undone []panelEdit
	// dragFrom holds a layer's opacity before the slider drag in progress,
	// so that the whole drag is one step, recorded on its final value.
	dragFrom map[string]float64
}

// panelEdit is one undoable step.
type panelEdit struct {
	what       string // "Remove layer", ...: for the status note
	undo, redo func()
}

// push records an edit that was just made; it ends the redo history.
func (s *undoStack) push(e panelEdit) {
	s.done = append(s.done, e)
	s.undone = nil
}

// Undo reverts the last panel edit of the document.
func (a *App) Undo() {
	s := &a.doc.undo
	if len(s.done) == 0 {
		a.status.setNote("Nothing to undo")
		return
	}
	e := s.done[len(s.done)-1]
	s.done = s.done[:len(s.done)-1]
	e.undo()
	s.undone = append(s.undone, e)
	a.status.setNote("Undone: " + e.what)
	a.markDirty()
	a.refresh()
}

// Redo makes the last undone edit again.
func (a *App) Redo() {
	s := &a.doc.undo
	if len(s.undone) == 0 {
		a.status.setNote("Nothing to redo")
		return
	}
	e := s.undone[len(s.undone)-1]
	s.undone = s.undone[:len(s.undone)-1]
	e.redo()
	s.done = append(s.done, e)
	a.status.setNote("Redone: " + e.what)
	a.markDirty()
	a.refresh()
}

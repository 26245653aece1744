package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// removeDialog is the "Remove layer?" question showing.
type removeDialog struct {
	dlg            *dialog.CustomDialog
	msg            *widget.Label
	remove, cancel *widget.Button
	keys           *keyCatcher
}

// confirmRemove asks before removing a layer: Remove (also Enter) or
// Cancel (also Esc).
func (p *layerPanel) confirmRemove(id, title string) {
	a := p.a
	if p.removing != nil {
		p.removing.dlg.Hide()
	}
	rd := &removeDialog{}
	d := a.doc
	done := func(remove bool) {
		rd.dlg.Hide()
		if p.removing == rd {
			p.removing = nil
		}
		if remove && a.doc == d {
			a.removeLayer(id)
		}
	}
	rd.msg = widget.NewLabel("Remove layer “" + title + "”? You can undo this with Ctrl+Z.")
	rd.msg.Wrapping = fyne.TextWrapWord
	rd.remove = widget.NewButton("Remove", func() { done(true) })
	rd.remove.Importance = widget.DangerImportance
	rd.cancel = widget.NewButton("Cancel", func() { done(false) })
	rd.keys = newKeyCatcher(func() { done(true) }, func() { done(false) })
	rd.dlg = dialog.NewCustomWithoutButtons("Remove layer", container.NewStack(rd.keys, rd.msg), a.win)
	rd.dlg.SetButtons([]fyne.CanvasObject{rd.cancel, rd.remove})
	rd.dlg.Resize(fyne.NewSize(420, 0))
	rd.dlg.Show()
	a.win.Canvas().Focus(rd.keys)
	p.removing = rd
}

// keyCatcher is an invisible focusable widget that gives a dialog without
// entries its keys: Enter confirms, Esc cancels.
type keyCatcher struct {
	widget.BaseWidget
	enter, esc func()
}

func newKeyCatcher(enter, esc func()) *keyCatcher {
	k := &keyCatcher{enter: enter, esc: esc}
	k.ExtendBaseWidget(k)
	return k
}

func (k *keyCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (k *keyCatcher) FocusGained()   {}
func (k *keyCatcher) FocusLost()     {}
func (k *keyCatcher) TypedRune(rune) {}

func (k *keyCatcher) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		k.enter()
	case fyne.KeyEscape:
		k.esc()
	}
}

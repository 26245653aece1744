package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is an Entry of a dialog: Escape in it cancels the dialog. (A
// focused Entry takes every key, and Fyne's dialogs know no Escape.)
type keyEntry struct {
	widget.Entry
	onEscape func()
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// newKeyPasswordEntry is a masked keyEntry with the show/hide action, as
// widget.NewPasswordEntry.
func newKeyPasswordEntry() *keyEntry {
	e := &keyEntry{}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey cancels on Escape and leaves other keys to the Entry.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// dialogKeys makes a showing dialog answer the keyboard: Escape runs
// cancel and Enter runs submit, from each of entries (Enter only where the
// entry has no OnSubmitted of its own) and from the window when nothing
// in the dialog has focus; the window's key handler is restored when the
// dialog closes. focus, if any, gets the focus.
func (a *App) dialogKeys(d dialog.Dialog, focus fyne.Focusable, submit, cancel func(), entries ...*keyEntry) {
	for _, e := range entries {
		e.onEscape = cancel
		if e.OnSubmitted == nil {
			e.OnSubmitted = func(string) { submit() }
		}
	}
	c := a.win.Canvas()
	prev := c.OnTypedKey()
	closed := false
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch {
		case closed:
		case k.Name == fyne.KeyEscape:
			cancel()
			return
		case k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter:
			submit()
			return
		}
		if prev != nil {
			prev(k)
		}
	})
	d.SetOnClosed(func() {
		if !closed {
			closed = true
			c.SetOnTypedKey(prev)
		}
	})
	if focus != nil {
		c.Focus(focus)
	}
}

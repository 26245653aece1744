package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestGoldenBlockedAndUnlocked checks the rendered markup of the main
// states: a protected project just opened (badges, reasons, the prompt over
// the window) and the same project unlocked.
func TestGoldenBlockedAndUnlocked(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	h.waitSettled()
	assertMarkup(t, "window_blocked.xml", test.RenderToMarkup(h.a.win.Canvas()))

	h.unlockAll()
	h.q.waitFor(t, "A and C drawn", func() bool { return len(h.drawn()) == 2 && h.settled() })
	h.a.status.setCursor(0, 0, false)
	assertMarkup(t, "panel_unlocked.xml", test.RenderObjectToMarkup(h.a.panel.object()))
}

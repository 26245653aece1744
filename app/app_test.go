package app

import (
	"bytes"
	"image"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"mapvault/assets/demo"
	"mapvault/vault"
)

// layerID returns the id of the layer named name.
func (h *harness) layerID(name string) string {
	h.t.Helper()
	for _, l := range h.a.doc.proj.Layers {
		if l.Name == name {
			return l.ID
		}
	}
	h.t.Fatalf("no layer %q", name)
	return ""
}

// unlockAll answers every prompt with the right demo credential and returns
// the sources prompted for, in order.
func (h *harness) unlockAll() []vault.Source {
	h.t.Helper()
	var asked []vault.Source
	for {
		h.q.waitFor(h.t, "a prompt or a settled map", func() bool {
			return h.a.prompts.Current() != nil || (h.settled() && len(h.a.prompts.queue) == 0)
		})
		p := h.a.prompts.Current()
		if p == nil {
			return asked
		}
		asked = append(asked, p.src)
		fillPrompt(h.t, p, true)
		test.Tap(p.submit)
		h.q.waitFor(h.t, "the prompt to close", func() bool { return h.a.prompts.Current() != p })
		if p.Message() != "" {
			h.t.Fatalf("prompt for %s says %q, want it accepted", p.src, p.Message())
		}
	}
}

func TestDemoStartsBlockedAndUnlocksOncePerSource(t *testing.T) {
	h := newHarness(t)
	h.openDemo()
	h.q.waitFor(t, "the first prompt", func() bool { return h.a.prompts.Current() != nil })
	h.q.waitFor(t, "both protected sources blocked", func() bool {
		return h.a.layerStatus(h.layerID("Countries (HTTP Basic)")).blocked &&
			h.a.layerStatus(h.layerID("Borders (access key)")).blocked && h.settled()
	})
	for _, name := range []string{"Countries (HTTP Basic)", "Borders (access key)"} {
		r := h.row(name)
		if got, want := r.reason.Text, string(vault.ReasonNeedsCredentials); got != want {
			t.Errorf("%s: reason = %q, want %q", name, got, want)
		}
		if !r.badge.Visible() || !r.unlock.Visible() {
			t.Errorf("%s: badge visible %v, unlock visible %v; want both", name, r.badge.Visible(), r.unlock.Visible())
		}
	}
	if r := h.row("Land (public)"); r.badge.Visible() || r.unlock.Visible() {
		t.Errorf("public layer shows a badge or Unlock")
	}
	// Only the public layers are drawn: the basemap and the land.
	land := h.layerID("Land (public)")
	if got, want := h.drawn(), []string{h.a.doc.proj.Layers[0].ID, land}; !slices.Equal(got, want) {
		t.Fatalf("drawn layers = %v, want only the public %v", got, want)
	}
	// Nothing of the blocked layers is drawn: the frame is the public
	// layers' frame, pixel for pixel.
	v := h.a.mapView.View()
	want, _ := h.a.doc.ws.Engine().Compose(v, h.a.mapView.specs)
	if got := h.a.mapView.Frame(); !bytes.Equal(pix(got), want.Pix) {
		t.Errorf("frame differs from a frame of the public layer alone")
	}
	// Visibility is the project's: blocking changed none.
	for _, l := range h.a.doc.proj.Layers {
		if !l.Visible {
			t.Errorf("layer %s visible = false after blocking, want true", l.Name)
		}
	}

	asked := h.unlockAll()
	if len(asked) != 4 || len(slices.Compact(slices.Sorted(slices.Values(asked)))) != 4 {
		t.Fatalf("prompted for %v, want each of the 4 protected sources once", asked)
	}
	n := len(h.a.doc.proj.Layers)
	h.q.waitFor(t, "every layer drawn", func() bool { return len(h.drawn()) == n && h.settled() })
	for _, name := range []string{"Land (public)", "Countries (HTTP Basic)", "Borders (access key)"} {
		if r := h.row(name); r.badge.Visible() || r.unlock.Visible() {
			t.Errorf("%s still shows a badge after unlock (%q)", name, r.reason.Text)
		}
	}
	// The KeyVault learnt both methods; the store holds verified credentials.
	basic, _ := vault.SourceOf(h.base + demo.BasicPath)
	key, _ := vault.SourceOf(h.base + demo.KeyPath)
	if e, _ := h.a.doc.kv().Get(basic); e.Method != vault.MethodBasic || !e.AuthRequired {
		t.Errorf("KeyVault[%s] = %+v, want basic, auth required", basic, e)
	}
	if e, _ := h.a.doc.kv().Get(key); e.Method != vault.MethodQuery || e.Param != demo.KeyParam {
		t.Errorf("KeyVault[%s] = %+v, want query %s", key, e, demo.KeyParam)
	}
	if st := h.store.Status(basic); st != vault.StatusVerified {
		t.Errorf("store status of %s = %v, want verified", basic, st)
	}
}

func pix(img image.Image) []byte {
	if r, ok := img.(*image.RGBA); ok {
		return r.Pix
	}
	return nil
}

func TestOpenPublicExample(t *testing.T) {
	h := newHarness(t)
	if err := h.a.OpenPublicExample(); err != nil {
		t.Fatal(err)
	}
	p := h.a.Project()
	if h.a.Path() != "" || h.a.Dirty() {
		t.Errorf("path %q dirty %v, want an unsaved, unchanged document", h.a.Path(), h.a.Dirty())
	}
	if len(p.Layers) != 3 {
		t.Fatalf("layers = %d, want 3", len(p.Layers))
	}
	for _, l := range p.Layers {
		if st := h.a.layerStatus(l.ID); st.blocked {
			t.Errorf("%s is blocked; the public services need no credentials", l.Name)
		}
	}
	if r := h.row("terrestris: OpenStreetMap"); r == nil {
		t.Fatal("no panel row for the hidden OpenStreetMap layer")
	}
	if l, _ := p.Layer("terrestris-osm"); l.Visible {
		t.Error("terrestris-osm is visible, want it hidden as the example saves it")
	}
	if h.a.prompts.Current() != nil {
		t.Error("a credential prompt opened for public services")
	}
}

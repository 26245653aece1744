package app

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"

	"mapvault/app/session"
	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// writeBasicProject writes a project with three layers on the demo's Basic
// source — "A" visible, "B" hidden, "C" visible — and a KeyVault that marks
// the source as protected, as a saved session would have left it.
func writeBasicProject(t *testing.T, base string) string {
	t.Helper()
	p := project.New("two on one")
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3}
	for _, l := range []struct {
		name    string
		visible bool
	}{{"A", true}, {"B", false}, {"C", true}} {
		p.AddLayer(project.Layer{Name: l.name, Kind: project.KindWMS, Source: base + demo.BasicPath,
			WMS: project.WMS{Layers: []string{"countries"}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: l.visible})
	}
	path := filepath.Join(t.TempDir(), "basic.mapvault.json")
	if err := project.Save(path, p); err != nil {
		t.Fatal(err)
	}
	kv := vault.NewKeyVault()
	src, _ := vault.SourceOf(base + demo.BasicPath)
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodBasic})
	if err := kv.Save(vault.SidecarPath(path)); err != nil {
		t.Fatal(err)
	}
	return path
}

func (h *harness) visible(name string) bool {
	l, _ := h.a.doc.proj.Layer(h.layerID(name))
	return l.Visible
}

func TestOnePromptPerSourceHiddenStaysHiddenEyeRemembered(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	// Blocked at once from the KeyVault: no request needed to know.
	for _, name := range []string{"A", "B", "C"} {
		if st := h.a.layerStatus(h.layerID(name)); !st.blocked || st.reason != string(vault.ReasonNeedsCredentials) {
			t.Errorf("%s status = %+v, want blocked %q", name, st, vault.ReasonNeedsCredentials)
		}
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	p := h.a.prompts.Current()
	if len(h.a.prompts.queue) != 0 {
		t.Fatalf("%d more prompts queued for one source, want none", len(h.a.prompts.queue))
	}
	if !strings.Contains(p.hint.Text, demo.BasicPassword) {
		t.Errorf("hint = %q, want the demo credentials", p.hint.Text)
	}
	if p.remember.Checked {
		t.Errorf("Remember in keychain is checked by default, want unchecked")
	}
	if !p.password.Password {
		t.Errorf("password entry is not masked")
	}

	// The eye works on a blocked layer and is remembered.
	test.Tap(h.row("C").eye)
	if h.visible("C") || !h.a.Dirty() {
		t.Fatalf("after toggling C: visible %v, dirty %v; want false, true", h.visible("C"), h.a.Dirty())
	}

	// Wrong password: a clear message, the prompt stays, layers stay blocked.
	fillPrompt(t, p, false)
	test.Tap(p.submit)
	h.q.waitFor(t, "the rejection", func() bool { return p.Message() != "" })
	if got, want := p.Message(), msgRejected; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if h.a.prompts.Current() != p {
		t.Fatalf("prompt closed after a rejection, want it open")
	}
	if len(h.drawn()) != 0 {
		t.Errorf("drawn %v after a rejection, want nothing", h.drawn())
	}

	fillPrompt(t, p, true)
	test.Tap(p.submit)
	h.q.waitFor(t, "A drawn", func() bool { return h.a.prompts.Current() == nil && len(h.drawn()) == 1 && h.settled() })
	if got, want := h.drawn(), []string{h.layerID("A")}; !slices.Equal(got, want) {
		t.Errorf("drawn = %v, want %v (B hidden at save, C hidden while blocked)", got, want)
	}
	if h.visible("B") || h.visible("C") {
		t.Errorf("visible B %v, C %v after unlock, want both false", h.visible("B"), h.visible("C"))
	}
	for _, name := range []string{"A", "B", "C"} {
		if st := h.a.layerStatus(h.layerID(name)); st.blocked {
			t.Errorf("%s still blocked after unlock: %+v", name, st)
		}
	}
	test.Tap(h.row("C").eye)
	h.q.waitFor(t, "C drawn", func() bool { return len(h.drawn()) == 2 && h.settled() })

	// Save, then a new session asks again; nothing secret was written.
	if err := h.a.SaveTo(path); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, vault.SidecarPath(path)} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(demo.BasicPassword)) || bytes.Contains(data, []byte("verified")) {
			t.Errorf("%s contains the password or an auth status", filepath.Base(f))
		}
	}
	h2 := newHarness(t)
	if err := h2.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	if st := h2.a.layerStatus(h2.layerID("A")); !st.blocked {
		t.Errorf("reopened in a new session: A status %+v, want blocked", st)
	}
	h2.q.waitFor(t, "the prompt in the new session", func() bool { return h2.a.prompts.Current() != nil })
	if !h2.visible("C") || h2.visible("B") {
		t.Errorf("reopened: visible B %v, C %v; want false, true", h2.visible("B"), h2.visible("C"))
	}
}

func TestRejectedMidSessionBlocksAndAsksOnce(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	if asked := h.unlockAll(); len(asked) != 1 {
		t.Fatalf("asked for %v, want one source", asked)
	}
	h.q.waitFor(t, "A and C drawn", func() bool { return len(h.drawn()) == 2 && h.settled() })
	entries, _ := h.a.doc.ws.Engine().CacheStats()
	if entries == 0 {
		t.Fatal("no tiles cached after drawing A and C")
	}
	src, _ := vault.SourceOf(h.base + demo.BasicPath)
	// What the transport does on a 401 to a credentialed request.
	h.store.MarkRejected(src)
	h.store.MarkRejected(src)
	h.q.waitFor(t, "the prompt after rejection", func() bool { return h.a.prompts.Current() != nil })
	if n := len(h.a.prompts.queue); n != 0 {
		t.Errorf("%d extra prompts queued, want one prompt", n)
	}
	if st := h.a.layerStatus(h.layerID("A")); !st.blocked || st.reason != string(vault.ReasonRejected) {
		t.Errorf("A status = %+v, want blocked %q", st, vault.ReasonRejected)
	}
	if len(h.drawn()) != 0 {
		t.Errorf("drawn %v after rejection, want nothing", h.drawn())
	}
	if entries, _ := h.a.doc.ws.Engine().CacheStats(); entries != 0 {
		t.Errorf("cache holds %d tiles of the rejected source, want purged", entries)
	}
	// Cancel: stays blocked, and is not asked again automatically.
	test.Tap(h.a.prompts.Current().cancel)
	h.store.MarkVerified(src)
	h.store.MarkRejected(src)
	h.q.drain()
	if h.a.prompts.Current() != nil {
		t.Errorf("asked again after the user cancelled, want Unlock… to be the way back")
	}
	test.Tap(h.row("A").unlock)
	if h.a.prompts.Current() == nil {
		t.Errorf("Unlock… opened no prompt")
	}
}

func TestAddLayerURLWithKey(t *testing.T) {
	h := newHarness(t)
	base := h.startDemo()
	h.a.AddLayerURL(base + demo.KeyPath + "?SERVICE=WMS&authkey=" + demo.AccessKey)
	h.q.waitFor(t, "the layer picker", func() bool { return h.a.picker != nil })
	if !h.a.picker.Pick("borders") {
		t.Fatal("picker has no layer named borders")
	}
	test.Tap(h.a.picker.add)
	if n := len(h.a.doc.proj.Layers); n != 1 {
		t.Fatalf("project has %d layers, want 1", n)
	}
	l := h.a.doc.proj.Layers[0]
	if got, want := l.Source, base+demo.KeyPath+"?SERVICE=WMS"; got != want {
		t.Errorf("layer source = %q, want %q", got, want)
	}
	src, _ := vault.SourceOf(base + demo.KeyPath)
	if e, _ := h.a.doc.kv().Get(src); e.Method != vault.MethodQuery || e.Param != "authkey" || !e.AuthRequired {
		t.Errorf("KeyVault entry = %+v, want query authkey", e)
	}
	if c, _ := h.store.Get(src); c.Key != demo.AccessKey {
		t.Errorf("store has no key for %s", src)
	}
	data, err := h.a.doc.proj.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(demo.AccessKey)) {
		t.Errorf("project JSON contains the key")
	}
	h.q.waitFor(t, "the new layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
}

// TestAddProtectedLayerPromptsFirst: the prompt comes first; once its
// detection has the capabilities with the credential, the picker and the
// new layer read them from there: one authenticated GetCapabilities.
func TestAddProtectedLayerPromptsFirst(t *testing.T) {
	count := &capsCounter{base: http.DefaultTransport}
	h := newHarnessWith(t, func(s *Services) { s.Transport.Base = count })
	base := h.startDemo()
	h.a.AddLayerURL(base + demo.BasicPath)
	h.q.waitFor(t, "the credential prompt", func() bool { return h.a.addPrompt != nil })
	p := h.a.addPrompt
	fillPrompt(t, p, true)
	test.Tap(p.submit)
	h.q.waitFor(t, "the layer picker", func() bool { return h.a.picker != nil })
	if !h.a.picker.Pick("countries") {
		t.Fatal("picker has no layer named countries")
	}
	test.Tap(h.a.picker.add)
	h.q.waitFor(t, "the new layer drawn", func() bool { return len(h.drawn()) == 1 && h.settled() })
	if n := count.n.Load(); n != 1 {
		t.Errorf("%d GetCapabilities sent with the credential, want 1 (detection's)", n)
	}
}

// capsCounter counts the GetCapabilities requests sent with an
// Authorization header.
type capsCounter struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *capsCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.EqualFold(r.URL.Query().Get("REQUEST"), "GetCapabilities") && r.Header.Get("Authorization") != "" {
		c.n.Add(1)
	}
	return c.base.RoundTrip(r)
}

func TestAddLayerSuspectKeptOutByDefault(t *testing.T) {
	h := newHarness(t)
	base := h.startDemo()
	secretish := "Zq8x3LmP0vR7tY2wK9sD4fG6hJ1nB5cE"
	h.a.AddLayerURL(base + demo.PublicPath + "?map=demo&sessiontag=" + secretish)
	if h.a.suspects == nil {
		t.Fatal("no question about the secret-looking parameter")
	}
	h.a.suspects.dlg.Confirm()
	h.q.waitFor(t, "the layer picker", func() bool { return h.a.picker != nil })
	if strings.Contains(h.a.picker.clean, secretish) {
		t.Errorf("clean URL %q keeps the suspect, want it out by default", h.a.picker.clean)
	}
	if !strings.Contains(h.a.picker.clean, "map=demo") {
		t.Errorf("clean URL %q lost an ordinary parameter", h.a.picker.clean)
	}
}

func TestSaveErrorKeepsEverything(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.row("A").eye)
	// Somebody replaced the file with something that is not a project.
	foreign := []byte("not a project\n")
	if err := os.WriteFile(path, foreign, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.a.SaveTo(path); err == nil {
		t.Fatal("SaveTo over a foreign file succeeded, want an error")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, foreign) {
		t.Errorf("foreign file changed to %q", got)
	}
	if !h.a.Dirty() {
		t.Errorf("document clean after a failed save, want dirty")
	}
	other := filepath.Join(t.TempDir(), "copy.mapvault.json")
	if err := h.a.SaveTo(other); err != nil {
		t.Fatalf("SaveTo(%s): %v", other, err)
	}
	if h.a.Dirty() || h.a.Path() != other {
		t.Errorf("after saving elsewhere: dirty %v, path %q", h.a.Dirty(), h.a.Path())
	}
	if got := h.a.Recent(); len(got) == 0 || got[0] != other {
		t.Errorf("recent = %v, want %s first", got, other)
	}
	leaks, err := vault.ScanProject(other)
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) != 0 {
		t.Errorf("saved project has leaks: %v", leaks)
	}
}

// Another mapvault (here what mapvault-cli add does) saved the project
// while it was open: Save refuses to overwrite that, says so, and keeps
// the document dirty; Save As still works.
func TestSaveRefusesFileChangedOnDisk(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.row("A").eye)
	err := session.EditFiles(context.Background(), path, nil, func(p *project.Project, _ *vault.KeyVault, _ bool) error {
		p.AddLayer(project.Layer{Name: "Theirs", Opacity: 1, Visible: true})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	theirs := readTestFile(t, path)

	err = h.a.SaveTo(path)
	if !errors.Is(err, project.ErrChangedOnDisk) {
		t.Fatalf("SaveTo over a project changed on disk = %v, want ErrChangedOnDisk", err)
	}
	if want := path + " changed on disk since you opened it"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to say %q", err, want)
	}
	if got := readTestFile(t, path); !bytes.Equal(got, theirs) {
		t.Errorf("the other save was overwritten:\n%s", got)
	}
	if !h.a.Dirty() {
		t.Errorf("document clean after a refused save, want dirty")
	}

	other := filepath.Join(t.TempDir(), "mine.mapvault.json")
	if err := h.a.SaveTo(other); err != nil {
		t.Fatalf("SaveTo(%s): %v", other, err)
	}
	// Its own saves are no change on disk.
	test.Tap(h.row("A").eye)
	if err := h.a.SaveTo(other); err != nil || h.a.Dirty() || h.a.Path() != other {
		t.Errorf("saving again: %v, dirty %v, path %q", err, h.a.Dirty(), h.a.Path())
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCloseWithUnsavedChangesAsks(t *testing.T) {
	h := newHarness(t)
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.row("A").eye)
	h.a.NewProject()
	if h.a.confirm == nil {
		t.Fatal("no unsaved-changes question")
	}
	test.Tap(h.a.confirm.cancel)
	if h.a.Path() != path {
		t.Fatalf("Cancel replaced the document")
	}
	h.a.NewProject()
	test.Tap(h.a.confirm.save)
	if h.a.Path() != "" || len(h.a.Project().Layers) != 0 {
		t.Errorf("after Save: path %q with %d layers, want a new empty project", h.a.Path(), len(h.a.Project().Layers))
	}
	reopened, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := reopened.Layer(reopened.Layers[0].ID); l.Visible {
		t.Errorf("saved A visible = true, want the toggled false")
	}
}

func TestAddLayerSuspectKeptWhenUserSaysNotSecret(t *testing.T) {
	h := newHarness(t)
	base := h.startDemo()
	tag := "Zq8x3LmP0vR7tY2wK9sD4fG6hJ1nB5cE"
	h.a.AddLayerURL(base + demo.PublicPath + "?map=demo&sessiontag=" + tag)
	if h.a.suspects == nil {
		t.Fatal("no question about the secret-looking parameter")
	}
	h.a.suspects.checks[0].SetChecked(false)
	h.a.suspects.dlg.Confirm()
	h.q.waitFor(t, "the layer picker", func() bool { return h.a.picker != nil })
	if !strings.Contains(h.a.picker.clean, "sessiontag="+tag) {
		t.Errorf("clean URL %q dropped a parameter the user said is not secret", h.a.picker.clean)
	}
}

func TestAddLayerURLWarnsOfSecretInPath(t *testing.T) {
	h := newHarness(t)
	base := h.startDemo()
	h.a.AddLayerURL(base + "/Zx8Qp2Lr7Tn4Vb6Wc9Yd3Kf/wms")
	if got := h.a.status.note.Text; got != pathSuspectNote {
		t.Errorf("status note = %q, want the warning about a secret in the path", got)
	}
	h.a.status.setNote("")
	h.a.AddLayerURL(base + demo.PublicPath)
	if got := h.a.status.note.Text; got == pathSuspectNote {
		t.Errorf("an ordinary path raised the path warning")
	}
}

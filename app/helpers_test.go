package app

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"mapvault/assets/demo"
	"mapvault/layers"
	"mapvault/vault"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// uiQueue stands in for fyne.Do: background work hands its UI updates to
// the queue and the test goroutine runs them, so all UI code runs on one
// goroutine (as in the app) and -race sees the real hand-offs.
type uiQueue struct {
	dump   func() string // state to report on a timeout
	mu     sync.Mutex
	fns    []func()
	signal chan struct{}
}

func newUIQueue() *uiQueue { return &uiQueue{signal: make(chan struct{}, 1)} }

func (q *uiQueue) Do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

const waitTimeout = 60 * time.Second

// waitFor runs queued UI work until cond holds.
func (q *uiQueue) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		q.drain()
		if cond() {
			return
		}
		select {
		case <-q.signal:
		case <-deadline.C:
			state := ""
			if q.dump != nil {
				state = q.dump()
			}
			t.Fatalf("timed out after %v waiting for %s; %s", waitTimeout, what, state)
		}
	}
}

// harness is an App on the fyne test driver with a real engine, a real
// authenticating client and a real demo server on 127.0.0.1:0.
type harness struct {
	t     *testing.T
	a     *App
	q     *uiQueue
	store *vault.Store
	base  string // demo server URL (set by openDemo)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the services adjusted by adjust.
func newHarnessWith(t *testing.T, adjust func(*Services)) *harness {
	t.Helper()
	fa := test.NewTempApp(t)
	q := newUIQueue()
	store := vault.NewStore()
	svc := Services{
		Store: store,
		// Generous: under the race detector on a loaded 2-CPU machine the
		// demo server renders a 1024-px metatile in seconds.
		Transport: vault.TransportOptions{RequestTimeout: 30 * time.Second},
		Engine:    layers.Options{CacheBytes: 64 << 20},
		Do:        q.Do,
	}
	if adjust != nil {
		adjust(&svc)
	}
	a := New(fa, svc)
	a.win.Resize(fyne.NewSize(900, 560))
	h := &harness{t: t, a: a, q: q, store: store}
	q.dump = func() string {
		return fmt.Sprintf("resolving %v, fetching %v, missing %d, drawn %v, states %v, specErr %v, blocked %v, prompt %v, queued %v",
			a.doc.resolving, a.mapView.Fetching(), a.mapView.Missing(), h.drawn(), a.doc.states, a.doc.specErr, a.doc.blocked,
			a.prompts.Current() != nil, a.prompts.queue)
	}
	t.Cleanup(func() {
		a.Close()
		q.drain()
	})
	return h
}

// openDemo opens the demo project on a fresh demo server.
func (h *harness) openDemo() {
	h.t.Helper()
	if err := h.a.OpenDemo("127.0.0.1:0"); err != nil {
		h.t.Fatalf("OpenDemo: %v", err)
	}
	for _, s := range h.a.demo.running {
		h.base = s.URL()
	}
}

// startDemo starts a demo server owned by the harness (for projects written
// by the test).
func (h *harness) startDemo() string {
	h.t.Helper()
	base, err := h.a.demo.start(h.a.ctx, "127.0.0.1:0", false)
	if err != nil {
		h.t.Fatalf("demo.Start: %v", err)
	}
	h.base = base
	return base
}

// settled: nothing resolving, no fetch running, every tile of the view drawn.
func (h *harness) settled() bool {
	a := h.a
	return len(a.doc.resolving) == 0 && !a.mapView.Fetching() && a.mapView.Missing() == 0
}

func (h *harness) waitSettled() {
	h.t.Helper()
	h.q.waitFor(h.t, "the map to settle", h.settled)
}

// row returns the panel row of the layer with that name.
func (h *harness) row(name string) *layerRow {
	h.t.Helper()
	for _, l := range h.a.doc.proj.Layers {
		if l.Name == name {
			if r, ok := h.a.panel.rows[l.ID]; ok {
				return r
			}
		}
	}
	h.t.Fatalf("no panel row for layer %q", name)
	return nil
}

// drawn returns the ids of the layers the map draws.
func (h *harness) drawn() []string {
	var ids []string
	for _, s := range h.a.mapView.specs {
		ids = append(ids, s.ID)
	}
	return ids
}

// fillPrompt enters the demo credential for the prompt's source.
func fillPrompt(t *testing.T, p *credPrompt, good bool) {
	t.Helper()
	switch {
	case strings.HasSuffix(string(p.src), demo.BasicPath):
		p.kind.SetSelected(choiceBasic)
		p.user.SetText(demo.BasicUser)
		pw := demo.BasicPassword
		if !good {
			pw = "wrong-password"
		}
		p.password.SetText(pw)
	case strings.HasSuffix(string(p.src), demo.KeyPath):
		p.kind.SetSelected(choiceKey)
		k := demo.AccessKey
		if !good {
			k = "wrong-key-0000"
		}
		p.key.SetText(k)
	case strings.Contains(string(p.src), demo.WMTSPath):
		p.kind.SetSelected(choiceKey)
		k := demo.WMTSKey
		if !good {
			k = "wrong-key-0000"
		}
		p.key.SetText(k)
		p.param.SetText(demo.WMTSKeyParam)
	case strings.Contains(string(p.src), demo.FeaturesPath):
		p.kind.SetSelected(choiceBasic)
		p.user.SetText(demo.BasicUser)
		pw := demo.BasicPassword
		if !good {
			pw = "wrong-password"
		}
		p.password.SetText(pw)
	default:
		t.Fatalf("prompt for unexpected source %s", p.src)
	}
}

var portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// assertMarkup compares the object's markup (with the demo port replaced by
// PORT) with testdata/name; -update rewrites it.
func assertMarkup(t *testing.T, name string, markup string) {
	t.Helper()
	got := portRE.ReplaceAllString(markup, "127.0.0.1:PORT")
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update)", path, err)
	}
	if got != string(want) {
		failed := filepath.Join("testdata", "failed", name)
		_ = os.MkdirAll(filepath.Dir(failed), 0o755)
		_ = os.WriteFile(failed, []byte(got), 0o644)
		t.Errorf("markup of %s differs from %s; got written to %s", name, path, failed)
	}
}

package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// document is one open project with its access core (the workspace: the
// project's KeyVault, the authenticating client, catalog and engine, whose
// tile cache dies with the document) and what the UI derived from it. All
// fields are touched on the UI goroutine only.
type document struct {
	proj  *project.Project
	path  string // "" until saved
	dirty bool
	// files are the project file and its KeyVault as the document last
	// read or wrote them; Save refuses to overwrite a change made since.
	files session.Files

	ws *session.Workspace

	ctx    context.Context // cancelled when the document is closed
	cancel context.CancelFunc

	specs     map[string]layers.LayerSpec // resolved per layer id
	specErr   map[string]string           // why a layer could not be resolved
	resolving map[string]bool
	states    map[string]layers.State // engine's per-layer state

	// blocked remembers which sources were blocked at the last look, so
	// that a source that becomes unblocked is resolved again.
	blocked map[vault.Source]bool
	// asked marks sources the app already prompted for on its own; the
	// user can always ask again with "Unlock…".
	asked map[vault.Source]bool
	// keychain: lookups started (one per source per document).
	keychain map[vault.Source]bool

	undo undoStack // the layer panel's edits
}

func newDocument(svc Services, p *project.Project, path string, kv *vault.KeyVault) *document {
	ws := session.New(kv, session.Options{
		Store:     svc.Store,
		Keychain:  svc.Keychain,
		Transport: svc.Transport,
		Engine:    svc.Engine,
		Kinds:     svc.kinds(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	return &document{
		proj: p, path: path,
		ws:        ws,
		ctx:       ctx,
		cancel:    cancel,
		specs:     map[string]layers.LayerSpec{},
		specErr:   map[string]string{},
		resolving: map[string]bool{},
		states:    map[string]layers.State{},
		blocked:   map[vault.Source]bool{},
		asked:     map[vault.Source]bool{},
		keychain:  map[vault.Source]bool{},
	}
}

func (d *document) close() {
	d.cancel()
	d.ws.Close()
}

// kv is the project's KeyVault.
func (d *document) kv() *vault.KeyVault { return d.ws.KeyVault() }

// sourceOf returns the layer's credential source; ok is false for a layer
// whose source is not an http(s) URL.
func (d *document) sourceOf(l *project.Layer) (vault.Source, bool) {
	src, err := d.ws.LayerSource(d.proj, *l)
	return src, err == nil
}

// access says whether src's layers may be drawn now.
func (d *document) access(src vault.Source) session.Access { return d.ws.Access(src) }

// layersOf returns the layers of src, in project order.
func (d *document) layersOf(src vault.Source) []*project.Layer {
	var out []*project.Layer
	for i := range d.proj.Layers {
		if s, ok := d.sourceOf(&d.proj.Layers[i]); ok && s == src {
			out = append(out, &d.proj.Layers[i])
		}
	}
	return out
}

// panelIndex is where src's first layer stands in the panel (top first);
// sources without a layer come last.
func (d *document) panelIndex(src vault.Source) int {
	n := len(d.proj.Layers)
	for i := n - 1; i >= 0; i-- {
		if s, ok := d.sourceOf(&d.proj.Layers[i]); ok && s == src {
			return n - 1 - i
		}
	}
	return n
}

// sources returns the distinct sources of the project's layers in order.
func (d *document) sources() []vault.Source { return d.ws.Sources(d.proj) }

// forgetSource drops what the document derived from src's access so that
// it is resolved again (after credentials changed).
func (d *document) forgetSource(src vault.Source) {
	d.ws.Catalog().Forget(src)
	for _, l := range d.layersOf(src) {
		delete(d.specs, l.ID)
		delete(d.specErr, l.ID)
		delete(d.states, l.ID)
	}
}

// drawSpecs returns the specs to draw, bottom first: visible, unblocked,
// resolved layers with their current opacity.
func (d *document) drawSpecs() []layers.LayerSpec {
	var out []layers.LayerSpec
	for i := range d.proj.Layers {
		l := &d.proj.Layers[i]
		if !d.proj.Shown(l) { // its eye and its group's
			continue
		}
		src, ok := d.sourceOf(l)
		if !ok || d.access(src).Blocked() {
			continue
		}
		s, ok := d.specs[l.ID]
		if !ok {
			continue
		}
		s.Opacity = l.Opacity
		out = append(out, s)
	}
	return out
}

// reason is errorReason scrubbed of every secret the session holds and of
// control characters (session.Workspace.Scrub): the one way an error's
// text, which may quote a server, reaches the screen.
func (d *document) reason(err error) string { return d.ws.Scrub(errorReason(err)) }

// serverText makes text a server sent (a layer's Reason, a title) fit to
// show (session.Workspace.Scrub).
func (d *document) serverText(s string) string { return d.ws.Scrub(s) }

// errorReason turns an error of the core that is not an access failure (the
// workspace owns those) into a one-line reason to show; callers pass it
// through document.reason, which scrubs it of secrets.
func errorReason(err error) string {
	var he *layers.HTTPError
	var se *layers.ServiceException
	var ue *url.Error
	var ne net.Error
	var ae *vault.AuthError
	switch {
	case errors.As(err, &ae):
		return string(ae.Reason)
	case errors.Is(err, vault.ErrBadURL):
		return "not an http(s) address"
	case errors.As(err, &he):
		return "server error: HTTP " + strconv.Itoa(he.Status)
	case errors.As(err, &se):
		return "server says: " + oneLine(se.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne), errors.As(err, &ue):
		return "server unreachable"
	default:
		msg := err.Error()
		for _, prefix := range []string{"layers: ", "wms: ", "xyz: "} {
			msg = strings.TrimPrefix(msg, prefix)
		}
		return oneLine(msg)
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}

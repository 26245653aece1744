package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// document is one open project with everything that belongs to it: its
// KeyVault, the authenticating client built for that KeyVault, the catalog
// and the engine (whose tile cache dies with the document). All fields are
// touched on the UI goroutine only.
type document struct {
	proj  *project.Project
	path  string // "" until saved
	kv    *vault.KeyVault
	dirty bool

	client  *http.Client
	catalog *layers.Catalog
	engine  *layers.Engine

	ctx    context.Context // cancelled when the document is closed
	cancel context.CancelFunc

	specs     map[string]layers.LayerSpec // resolved per layer id
	specErr   map[string]string           // why a layer could not be resolved
	resolving map[string]bool
	states    map[string]layers.State // engine's per-layer state

	// blocked holds sources blocked by what happened in this session (a
	// 401 on capabilities, a rejection reported by the engine) on top of
	// what vault.AccessFor decides from the KeyVault and the store.
	blocked map[vault.Source]string
	// asked marks sources the app already prompted for on its own; the
	// user can always ask again with "Unlock…".
	asked map[vault.Source]bool
	// keychain: lookups started (one per source per document).
	keychain map[vault.Source]bool
	// detecting: a prompt is checking a credential for the source.
	detecting map[vault.Source]bool
}

func newDocument(svc Services, p *project.Project, path string, kv *vault.KeyVault) *document {
	if kv == nil {
		kv = vault.NewKeyVault()
	}
	client := svc.NewClient(kv)
	ctx, cancel := context.WithCancel(context.Background())
	return &document{
		proj: p, path: path, kv: kv,
		client:    client,
		catalog:   layers.NewCatalog(client),
		engine:    layers.NewEngine(client, svc.Engine),
		ctx:       ctx,
		cancel:    cancel,
		specs:     map[string]layers.LayerSpec{},
		specErr:   map[string]string{},
		resolving: map[string]bool{},
		states:    map[string]layers.State{},
		blocked:   map[vault.Source]string{},
		asked:     map[vault.Source]bool{},
		keychain:  map[vault.Source]bool{},
		detecting: map[vault.Source]bool{},
	}
}

func (d *document) close() { d.cancel() }

// sourceOf returns the layer's credential source; ok is false for a layer
// whose source is not an http(s) URL.
func sourceOf(l *project.Layer) (vault.Source, bool) {
	src, err := vault.SourceOf(l.Source)
	return src, err == nil
}

// access says whether src's layers may be drawn now.
func (d *document) access(st *vault.Store, src vault.Source) vault.Access {
	if a := vault.AccessFor(d.kv, st, src); a.Blocked {
		return a
	}
	if r, ok := d.blocked[src]; ok {
		return vault.Access{Blocked: true, Reason: vault.AuthReason(r)}
	}
	return vault.Access{}
}

// layersOf returns the layers of src, in project order.
func (d *document) layersOf(src vault.Source) []*project.Layer {
	var out []*project.Layer
	for i := range d.proj.Layers {
		if s, ok := sourceOf(&d.proj.Layers[i]); ok && s == src {
			out = append(out, &d.proj.Layers[i])
		}
	}
	return out
}

// sources returns the distinct sources of the project's layers in order.
func (d *document) sources() []vault.Source {
	var out []vault.Source
	seen := map[vault.Source]bool{}
	for i := range d.proj.Layers {
		if s, ok := sourceOf(&d.proj.Layers[i]); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// forgetSource drops what the document derived from src's access so that
// it is resolved again (after credentials changed).
func (d *document) forgetSource(src vault.Source) {
	delete(d.blocked, src)
	d.catalog.Forget(src)
	for _, l := range d.layersOf(src) {
		delete(d.specs, l.ID)
		delete(d.specErr, l.ID)
		delete(d.states, l.ID)
	}
}

// drawSpecs returns the specs to draw, bottom first: visible, unblocked,
// resolved layers with their current opacity.
func (d *document) drawSpecs(st *vault.Store) []layers.LayerSpec {
	var out []layers.LayerSpec
	for i := range d.proj.Layers {
		l := &d.proj.Layers[i]
		if !l.Visible {
			continue
		}
		src, ok := sourceOf(l)
		if !ok || d.access(st, src).Blocked {
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

// errorKind sorts a capabilities/spec error into what the UI does with it.
type errorKind int

const (
	errOther       errorKind = iota
	errNeedsCreds            // blocked: ask for credentials
	errRejected              // blocked: the credential was rejected
	errUnreachable           // network failure
)

// classifyError turns an error of the core into a kind and a one-line,
// secret-free reason to show.
func classifyError(err error, haveCredential bool) (errorKind, string) {
	var he *layers.HTTPError
	var se *layers.ServiceException
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.Is(err, vault.ErrNoCredentials):
		return errNeedsCreds, string(vault.ReasonNeedsCredentials)
	case errors.Is(err, vault.ErrRejected):
		return errRejected, string(vault.ReasonRejected)
	case errors.As(err, &he) && (he.Status == 401 || he.Status == 403 || he.Status == 498):
		if haveCredential {
			return errRejected, string(vault.ReasonRejected)
		}
		return errNeedsCreds, string(vault.ReasonNeedsCredentials)
	case errors.As(err, &he):
		return errOther, "server error: HTTP " + strconv.Itoa(he.Status)
	case errors.As(err, &se):
		return errOther, "server says: " + oneLine(se.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne), errors.As(err, &ue):
		return errUnreachable, "server unreachable"
	default:
		return errOther, oneLine(strings.TrimPrefix(err.Error(), "layers: "))
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}

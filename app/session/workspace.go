package session

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"mapvault/layers"
	"mapvault/layers/kinds"
	"mapvault/project"
	"mapvault/vault"
)

// Options configure a Workspace. The zero value works: a fresh store, no
// keychain, default transport and engine options.
type Options struct {
	// Store is the session credential store. The app shares one across the
	// projects it opens; the CLI has one per run.
	Store *vault.Store
	// Keychain, optional, keeps credentials the user chose to remember.
	Keychain vault.Keychain
	// Transport configures the authenticating client (and the plain one
	// detection uses). Its Logger also gets the detector's lines.
	Transport vault.TransportOptions
	// Engine configures the tile engine.
	Engine layers.Options
	// Kinds are the layer kinds the workspace draws; nil for
	// kinds.Default().
	Kinds *layers.Registry
	// Clock stamps KeyVault confirmations. Default time.Now.
	Clock func() time.Time
}

// Workspace is one open project's access core. Its methods are safe for
// concurrent use; the project itself is not touched by the workspace
// except through the methods that say so.
type Workspace struct {
	kv       *vault.KeyVault
	store    *vault.Store
	keychain vault.Keychain
	client   *http.Client
	kinds    *layers.Registry
	catalog  *layers.Catalog
	engine   *layers.Engine
	detector *vault.Detector

	mu      sync.Mutex
	sources map[vault.Source]*sourceInfo
	watch   []func(vault.Source)
	closed  bool
}

// sourceInfo is what this session learnt about a source beyond the
// KeyVault and the store.
type sourceInfo struct {
	detecting int    // checks running
	refused   bool   // a server refused an anonymous request this session
	undecided string // the last check's reason, when it could not decide
	keychain  bool   // the keychain was asked
}

// New returns the workspace for a project's KeyVault (nil: an empty one).
func New(kv *vault.KeyVault, opt Options) *Workspace {
	if kv == nil {
		kv = vault.NewKeyVault()
	}
	if opt.Store == nil {
		opt.Store = vault.NewStore()
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Kinds == nil {
		opt.Kinds = kinds.Default()
	}
	plainOpt := opt.Transport
	plain := vault.NewClient(vault.NewStore(), vault.NewKeyVault(), plainOpt)
	client := vault.NewClient(opt.Store, kv, opt.Transport)
	w := &Workspace{
		kv:       kv,
		store:    opt.Store,
		keychain: opt.Keychain,
		client:   client,
		kinds:    opt.Kinds,
		engine:   layers.NewEngine(client, opt.Engine),
		detector: &vault.Detector{Client: plain, KeyVault: kv, Store: opt.Store, Clock: opt.Clock, Logger: opt.Transport.Logger},
		sources:  map[vault.Source]*sourceInfo{},
	}
	w.catalog = layers.NewCatalog(client, opt.Kinds, w.credentialed)
	opt.Store.Watch(func(src vault.Source, st vault.Status) {
		if st == vault.StatusRejected {
			w.engine.Purge(src)
		}
		w.notify(src)
	})
	return w
}

// KeyVault returns the project's KeyVault.
func (w *Workspace) KeyVault() *vault.KeyVault { return w.kv }

// Store returns the session credential store.
func (w *Workspace) Store() *vault.Store { return w.store }

// Client returns the authenticating HTTP client.
func (w *Workspace) Client() *http.Client { return w.client }

// Catalog returns the catalog: layers resolved into specs, service
// documents kept for the session.
func (w *Workspace) Catalog() *layers.Catalog { return w.catalog }

// Kinds returns the layer kinds the workspace draws.
func (w *Workspace) Kinds() *layers.Registry { return w.kinds }

// credentialed reports whether src's requests carry a credential this
// session, or its KeyVault entry says they need one (layers.Env).
func (w *Workspace) credentialed(src vault.Source) bool {
	if cred, _ := w.store.Get(src); !cred.IsZero() {
		return true
	}
	e, ok := w.kv.Get(src)
	return ok && e.AuthRequired
}

// Engine returns the tile engine.
func (w *Workspace) Engine() *layers.Engine { return w.engine }

// Secrets lists every secret the session holds for this workspace: each
// credential of the store in every form, and the tokens the authenticating
// client obtained (vault.ClientSecrets).
func (w *Workspace) Secrets() []string { return vault.ClientSecrets(w.client) }

// Scrub makes text that came from a server (an exception, a page title, a
// layer's Reason, an error's text) fit to show: no form of any secret the
// session holds, no secret-looking value, no control character
// (vault.Scrub). The app and the CLI pass everything they show of a
// server's words through it.
func (w *Workspace) Scrub(text string) string { return vault.Scrub(text, w.Secrets()) }

// HasKeychain reports whether "remember in the keychain" can be offered.
func (w *Workspace) HasKeychain() bool { return w.keychain != nil }

// Close stops notifications (the document was closed). In-flight work is
// cancelled by the caller's contexts.
func (w *Workspace) Close() {
	w.mu.Lock()
	w.closed = true
	w.watch = nil
	w.mu.Unlock()
}

// Watch registers f to be called whenever a source's Access may have
// changed. f runs on the goroutine that made the change, outside any lock:
// the app hands it to the UI goroutine.
func (w *Workspace) Watch(f func(vault.Source)) {
	w.mu.Lock()
	w.watch = append(w.watch, f)
	w.mu.Unlock()
}

func (w *Workspace) notify(src vault.Source) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	fs := slices.Clone(w.watch)
	w.mu.Unlock()
	for _, f := range fs {
		f(src)
	}
}

// info returns src's session info; w.mu must be held.
func (w *Workspace) info(src vault.Source) *sourceInfo {
	i, ok := w.sources[src]
	if !ok {
		i = &sourceInfo{}
		w.sources[src] = i
	}
	return i
}

// Access returns src's state. It is the one place that decides whether a
// source's layers are blocked, and why; a layer's own visibility is not
// part of it.
func (w *Workspace) Access(src vault.Source) Access {
	e, known := w.kv.Get(src)
	a := Access{Entry: e, Known: known && e.AuthRequired}
	sch, ok := vault.SchemeFor(e.Method)
	if ok && a.Known {
		a.Needs = sch.Needs()
	}
	w.mu.Lock()
	i := w.info(src)
	detecting, refused, undecided := i.detecting > 0, i.refused, i.undecided
	w.mu.Unlock()
	cred, st := w.store.Get(src)
	switch {
	case detecting:
		a.State, a.Reason = StateDetecting, "checking credentials…"
	case st == vault.StatusRejected:
		a.State, a.Reason = StateRejected, string(vault.ReasonRejected)
	case !cred.IsZero():
		a.State = StateOK
	case undecided != "" && (refused || a.Known):
		a.State, a.Reason = StateUndecided, "could not decide: "+undecided
	case a.Needs.SignIn && (refused || a.Known):
		a.State, a.Reason = StateNeedsSignIn, string(vault.ReasonNeedsSignIn)
	case a.Needs.Certificate && (refused || a.Known):
		a.State, a.Reason = StateNeedsCredentials, string(vault.ReasonNeedsCertificate)
	case refused || a.Known:
		a.State, a.Reason = StateNeedsCredentials, string(vault.ReasonNeedsCredentials)
	default:
		a.State = StateUnknown
	}
	return a
}

// LayerSource returns a project layer's credential source, through its
// kind (an XYZ template's is the path prefix before its first
// placeholder). A layer of a kind the workspace does not draw, or whose
// source is not an http(s) URL, gets an error.
func (w *Workspace) LayerSource(p *project.Project, l project.Layer) (vault.Source, error) {
	l.Source = p.Resolve(l.Source)
	return w.kinds.Source(l)
}

// LayerAccess is Access for a project layer's source. A layer whose source
// is not an http(s) URL gets an error.
func (w *Workspace) LayerAccess(p *project.Project, l project.Layer) (vault.Source, Access, error) {
	src, err := w.LayerSource(p, l)
	if err != nil {
		return "", Access{}, err
	}
	return src, w.Access(src), nil
}

// Refused records that a server refused src's requests (err is what the
// catalog or engine returned). It reports whether err is such a refusal;
// other errors (a server down, a broken document) are the caller's to
// show and change nothing here.
func (w *Workspace) Refused(src vault.Source, err error) bool {
	if !IsAuthFailure(err) {
		return false
	}
	w.mu.Lock()
	w.info(src).refused = true
	w.mu.Unlock()
	w.engine.Purge(src)
	w.catalog.Forget(src)
	w.notify(src)
	return true
}

// IsAuthFailure reports whether err means "the server wants credentials
// (or refused ours)": a *vault.AuthError from the transport, or a 401, 403,
// 498 or 499 answer.
func IsAuthFailure(err error) bool {
	var ae *vault.AuthError
	if errors.As(err, &ae) || errors.Is(err, vault.ErrNoCredentials) || errors.Is(err, vault.ErrRejected) {
		return true
	}
	var he *layers.HTTPError
	if errors.As(err, &he) {
		switch he.Status {
		case http.StatusUnauthorized, http.StatusForbidden, vault.StatusTokenInvalid, vault.StatusTokenRequired:
			return true
		}
	}
	return false
}

// Sources returns the distinct sources of the project's layers, in
// project order (bottom first). Layers with a bad URL or a kind the
// workspace does not draw are left out.
func (w *Workspace) Sources(p *project.Project) []vault.Source { return SourcesOf(w.kinds, p) }

// SourcesOf is Workspace.Sources for the kinds of a registry, without a
// workspace.
func SourcesOf(kinds *layers.Registry, p *project.Project) []vault.Source {
	var out []vault.Source
	seen := map[vault.Source]bool{}
	for _, l := range p.Layers {
		l.Source = p.Resolve(l.Source)
		if src, err := kinds.Source(l); err == nil && src != "" && !seen[src] {
			seen[src] = true
			out = append(out, src)
		}
	}
	return out
}

// SetCredential puts a credential the user gave for src into the session
// (a --credentials line, a URL's user information). The next request
// tries it; nothing is detected.
func (w *Workspace) SetCredential(src vault.Source, c vault.Credential) {
	w.mu.Lock()
	i := w.info(src)
	i.undecided = ""
	w.mu.Unlock()
	w.catalog.Forget(src)
	w.store.Set(src, c) // notifies through the store watcher
}

// Forget drops src's credential and what the session learnt about it.
func (w *Workspace) Forget(src vault.Source) {
	w.mu.Lock()
	delete(w.sources, src)
	w.mu.Unlock()
	w.catalog.Forget(src)
	w.engine.Purge(src)
	w.store.Forget(src)
	w.notify(src)
}

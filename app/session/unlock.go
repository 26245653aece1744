package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// Unlocked is what Unlock did besides detection: whether the credential
// was remembered in the keychain, and why not when that failed.
type Unlocked struct {
	Result     vault.Result
	Remembered bool
	// KeychainErr is set when the user asked to remember the credential
	// and the keychain refused; the credential is kept for the session.
	KeychainErr error
}

// Unlock checks cred for src against the server with the workspace's one
// Detector (concurrent calls for the same source and credential share one
// probe sequence) and t as the probe. On success the credential is in the
// session store, the KeyVault records how the source authenticates, and,
// when remember is set, the keychain keeps the credential. A rejected
// credential is never stored as usable. Errors are returned only for a bad
// target and a cancelled ctx.
func (w *Workspace) Unlock(ctx context.Context, src vault.Source, t vault.Target, cred vault.Credential, hint vault.Hint, remember bool) (Unlocked, error) {
	w.mu.Lock()
	w.info(src).detecting++
	w.mu.Unlock()
	w.notify(src)
	res, err := w.detector.DetectWith(ctx, t, cred, hint)
	w.mu.Lock()
	i := w.info(src)
	i.detecting--
	switch {
	case err != nil:
	case res.Outcome == vault.OutcomeUndecided:
		i.undecided = strings.TrimPrefix(res.Reason, "could not decide: ")
	default:
		i.undecided = ""
	}
	if res.Outcome == vault.OutcomeFound || res.Outcome == vault.OutcomeNoAuthNeeded {
		i.refused = false
	}
	w.mu.Unlock()
	out := Unlocked{Result: res}
	if err == nil && (res.Outcome == vault.OutcomeFound || res.Outcome == vault.OutcomeNoAuthNeeded) {
		w.catalog.Forget(src)
		w.engine.Purge(src)
		// A client certificate stays in its file: the keychain keeps
		// passwords, keys and tokens, not certificates.
		if remember && res.Outcome == vault.OutcomeFound && w.keychain != nil && cred.Certificate == nil {
			if kerr := w.keychain.Set(src, cred); kerr != nil {
				out.KeychainErr = kerr
			} else {
				out.Remembered = true
			}
		}
	}
	w.notify(src)
	return out, err
}

// FromKeychain loads src's credential from the OS keychain into the
// session when the KeyVault says src is protected and the session has
// none. It asks the keychain once per source and workspace. It returns
// vault.ErrKeychainUnavailable when the keychain cannot be asked (the
// caller says so once and asks the user), vault.ErrNotInKeychain when it
// holds nothing, and nil when it loaded a credential or had nothing to do.
func (w *Workspace) FromKeychain(src vault.Source) error {
	if w.keychain == nil {
		return vault.ErrNotInKeychain
	}
	if a := w.Access(src); a.State != StateNeedsCredentials && a.State != StateNeedsSignIn {
		return nil
	}
	w.mu.Lock()
	i := w.info(src)
	asked := i.keychain
	i.keychain = true
	w.mu.Unlock()
	if asked {
		return vault.ErrNotInKeychain
	}
	c, err := w.keychain.Get(src)
	if err != nil {
		return err
	}
	if c.IsZero() {
		return vault.ErrNotInKeychain
	}
	w.SetCredential(src, c)
	return nil
}

// ForgetKeychain removes src's credential from the keychain.
func (w *Workspace) ForgetKeychain(src vault.Source) error {
	if w.keychain == nil {
		return nil
	}
	return w.keychain.Delete(src)
}

// Spec resolves a project layer into an engine spec through the catalog
// and the layer's kind. A kind the workspace does not draw gives a
// *layers.UnsupportedKindError. A blocked source gives a *vault.AuthError
// without a request; a refusal from the server is recorded (the source
// becomes blocked) and returned as a *vault.AuthError too.
func (w *Workspace) Spec(ctx context.Context, p *project.Project, l project.Layer) (layers.LayerSpec, error) {
	l.Source = p.Resolve(l.Source)
	src, err := w.kinds.Source(l)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if src == "" { // a local file: no credential, nothing to block
		return w.catalog.Spec(ctx, l)
	}
	if a := w.Access(src); a.Blocked() {
		return layers.LayerSpec{}, &vault.AuthError{Source: src, Reason: vault.AuthReason(a.Reason)}
	}
	if err := w.ensureMethod(ctx, p, l, src); err != nil {
		return layers.LayerSpec{}, err
	}
	spec, err := w.catalog.Spec(ctx, l)
	if err != nil && w.Refused(src, err) {
		a := w.Access(src)
		return layers.LayerSpec{}, &vault.AuthError{Source: src, Reason: vault.AuthReason(a.Reason)}
	}
	return spec, err
}

// ensureMethod runs detection for a source that has an access key in the
// session but no recorded way to send it (a --credentials line for a source
// the KeyVault does not know): the transport sends a key only the way the
// KeyVault records. The KeyVault is updated in memory.
func (w *Workspace) ensureMethod(ctx context.Context, p *project.Project, l project.Layer, src vault.Source) error {
	cred, status := w.store.Get(src)
	if status != vault.StatusUnknown || cred.Key == "" {
		return nil
	}
	if e, ok := w.kv.Get(src); ok && e.AuthRequired && e.Method != vault.MethodNone {
		if sch, ok := vault.SchemeFor(e.Method); ok && sch.Usable(cred) {
			return nil
		}
	}
	t, err := w.kinds.ProbeTarget(l, p.View.Lon, p.View.Lat)
	if err != nil {
		return nil
	}
	res, err := w.Unlock(ctx, src, t, cred, vault.Hint{}, false)
	if err != nil {
		return err
	}
	if res.Result.Outcome == vault.OutcomeRejected {
		return &vault.AuthError{Source: src, Reason: vault.ReasonRejected}
	}
	return nil
}

// ProbeTarget returns the detection request for a project layer (its
// source resolved against the project folder) around the project's view
// centre, through the layer's kind.
func (w *Workspace) ProbeTarget(p *project.Project, l project.Layer) (vault.Target, error) {
	l.Source = p.Resolve(l.Source)
	return w.kinds.ProbeTarget(l, p.View.Lon, p.View.Lat)
}

// DetectKind finds the kind of layer a URL the user gives (clean: no
// secret) is, from the URL or, when that does not say, from its answer to
// one anonymous GET (layers.Registry.Detect).
func (w *Workspace) DetectKind(ctx context.Context, clean string) (layers.Kind, error) {
	return w.kinds.Detect(ctx, w.detector.Client, clean)
}

// ProbeFor chooses the small real request that decides whether a
// credential works for a URL the user gives (clean: no secret) of kind k:
// the URL itself when it already fetches map data (a GetMap, an XYZ tile),
// else the kind's probe for a layer of the service when what it offers is
// public (layer names one; "" means the first), else the protected request
// for the service's description itself (GetCapabilities). What the
// service offers, when it was read anonymously, comes back too. A service
// that offers no layer of the given name gives a *NoLayerError.
func (w *Workspace) ProbeFor(ctx context.Context, k layers.Kind, clean, layer string) (vault.Target, layers.Service, error) {
	entry, data, err := k.EntryTarget(clean)
	if err != nil {
		return vault.Target{}, nil, err
	}
	if data {
		return entry, nil, nil
	}
	svc, err := k.Open(ctx, w.detector.LookClient(), clean)
	if err != nil {
		if mayBeProtected(err) {
			return entry, nil, nil
		}
		return vault.Target{}, nil, err
	}
	l, offer, ok := svc.Layer(layer)
	if !ok {
		return vault.Target{}, svc, &NoLayerError{Name: layer}
	}
	lon, lat := 0.0, 0.0
	if b := offer.Box; b != nil {
		lon, lat = (b.Min(0)+b.Max(0))/2, (b.Min(1)+b.Max(1))/2
	}
	t, err := k.Probe(l, lon, lat)
	return t, svc, err
}

// ServiceAfter returns what clean offers once detection (res) confirmed
// access: read from the document detection already received when that was
// the service's description and the kind can read it (one request for one
// question), else read again with the authenticating client.
func (w *Workspace) ServiceAfter(ctx context.Context, k layers.Kind, clean string, res vault.Result) (layers.Service, error) {
	if do, ok := k.(layers.DocumentOpener); ok && len(res.Document) > 0 {
		if svc, err := do.OpenDocument(res.Document, clean); err == nil {
			return svc, nil
		}
	}
	return k.Open(ctx, w.Client(), clean)
}

// mayBeProtected reports whether a failed anonymous GetCapabilities may be
// a protected service answering the way real ones do: 401, 403, 498, 499,
// a 404 that hides the service, a 400 from a client-certificate front, a
// ServiceException, a login page or a TLS handshake refused for want of a
// client certificate. Detection then decides with the credential, using
// the service's description (GetCapabilities) as the target.
func mayBeProtected(err error) bool {
	if IsAuthFailure(err) || errors.Is(err, vault.ErrNeedsClientCert) {
		return true
	}
	var he *layers.HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusNotFound || he.Status == http.StatusBadRequest
	}
	var se *layers.ServiceException
	return errors.As(err, &se) || errors.Is(err, layers.ErrHTMLResponse)
}

// NoLayerError: the service offers no layer of the name the user gave (a
// usage error, not an authentication question).
type NoLayerError struct{ Name string }

func (e *NoLayerError) Error() string {
	return fmt.Sprintf("the service offers no layer named %q", e.Name)
}

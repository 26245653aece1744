package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// access is what one command invocation knows about credentials: the
// session store, the KeyVault in use, and the two HTTP clients (the
// authenticating one for ordinary requests, a plain one for detection, which
// attaches candidate credentials itself).
type access struct {
	store  *vault.Store
	kv     *vault.KeyVault
	client *http.Client
	plain  *http.Client
	log    *slog.Logger
}

func newAccess(kv *vault.KeyVault, logw io.Writer) *access {
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store := vault.NewStore()
	opt := vault.TransportOptions{Logger: log}
	return &access{
		store:  store,
		kv:     kv,
		client: vault.NewClient(store, kv, opt),
		plain:  vault.NewClient(vault.NewStore(), vault.NewKeyVault(), opt),
		log:    log,
	}
}

// credentialFor builds the credential the user gave: from the URL itself
// (hygiene split it out) or from stdin/env, with --user meaning the secret is
// a password.
func credentialFor(split vault.Split, user, secret string) (vault.Credential, error) {
	if !split.Credential.IsZero() {
		if secret != "" {
			return vault.Credential{}, errors.New("the URL carries a secret and another was given on stdin/MAPVAULT_SECRET; give only one")
		}
		return split.Credential, nil
	}
	switch {
	case user != "" && secret == "":
		return vault.Credential{}, errors.New("--user needs the password on standard input or in MAPVAULT_SECRET")
	case user != "":
		return vault.Credential{Username: user, Password: secret}, nil
	case secret != "":
		return vault.Credential{Key: secret}, nil
	}
	return vault.Credential{}, nil
}

// suspectError refuses to go on when a URL holds a value that looks like a
// secret under a parameter name mapvault does not know: ask, never save.
func suspectError(split vault.Split) error {
	if len(split.Suspects) == 0 {
		return nil
	}
	return fmt.Errorf("query parameter %q has a value that looks like a secret; remove it from the URL and give it on stdin with --param %s, or pass --keep-param %s if it is not secret",
		split.Suspects[0], split.Suspects[0], split.Suspects[0])
}

// target chooses the small real request that decides whether a credential
// works: the GetMap in the URL if it is one, else a tiny GetMap for a layer
// of the service when the capabilities are public, else the (protected)
// GetCapabilities request itself.
func (a *access) target(ctx context.Context, clean, layer string) (vault.Target, *layers.Capabilities, error) {
	u, err := url.Parse(clean)
	if err != nil {
		return vault.Target{}, nil, err
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "request") && len(v) > 0 && strings.EqualFold(v[0], "GetMap") {
			return vault.Target{URL: clean, Expect: "image"}, nil, nil
		}
	}
	caps, err := layers.FetchCapabilities(ctx, a.plain, clean)
	if err != nil {
		if mayBeProtected(err) {
			capsURL, err := layers.CapabilitiesURL(clean, "1.3.0")
			return vault.Target{URL: capsURL, Expect: "xml"}, nil, err
		}
		return vault.Target{}, nil, err
	}
	l := pickLayer(caps, layer)
	if l == nil {
		return vault.Target{}, caps, &noLayerError{name: layer}
	}
	pl := project.Layer{Kind: project.KindWMS, Source: clean, WMSLayers: []string{l.Name}, WMSVersion: caps.Version, Format: pickFormat(caps.GetMapFormats)}
	lon, lat := 0.0, 0.0
	if b := l.GeographicBBox; b != nil {
		lon, lat = (b.Min(0)+b.Max(0))/2, (b.Min(1)+b.Max(1))/2
	}
	t, err := layers.ProbeTarget(pl, lon, lat)
	return t, caps, err
}

// mayBeProtected reports whether a failed anonymous GetCapabilities may be
// a protected service answering the way real ones do: 401, 403, 498, a 404
// that hides the service, a ServiceException or a login page. Detection
// then decides with the credential, using GetCapabilities as the target.
func mayBeProtected(err error) bool {
	var he *layers.HTTPError
	if errors.As(err, &he) {
		switch he.Status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, 498:
			return true
		}
		return false
	}
	var se *layers.ServiceException
	return errors.As(err, &se) || errors.Is(err, layers.ErrHTMLResponse)
}

// noLayerError is returned when the service offers no layer of the name the
// user gave: a usage error, not an authentication question.
type noLayerError struct{ name string }

func (e *noLayerError) Error() string {
	return fmt.Sprintf("the service offers no layer named %q", e.name)
}

// pickLayer returns the named layer, or the first named layer when name is "".
func pickLayer(caps *layers.Capabilities, name string) *layers.Layer {
	if name != "" {
		return caps.Find(name)
	}
	for _, l := range caps.Layers() {
		if l.Name != "" {
			return l
		}
	}
	return nil
}

// pickFormat prefers PNG (transparency), then whatever image format comes first.
func pickFormat(formats []string) string {
	for _, f := range formats {
		if strings.EqualFold(f, "image/png") {
			return f
		}
	}
	for _, f := range formats {
		if strings.HasPrefix(strings.ToLower(f), "image/png") {
			return f
		}
	}
	for _, f := range formats {
		if strings.HasPrefix(strings.ToLower(f), "image/") {
			return f
		}
	}
	return "image/png"
}

// detect runs auth detection for clean's source with cred (which may be
// zero: then it only finds out whether the source needs authentication).
func (a *access) detect(ctx context.Context, t vault.Target, cred vault.Credential, param string) (vault.Result, error) {
	d := &vault.Detector{Client: a.plain, KeyVault: a.kv, Store: a.store, Clock: time.Now}
	return d.Detect(ctx, t, cred, param)
}

// probe chooses the probe target for clean and runs detection with cred.
// On failure it prints one line (with suffix, such as "; nothing was
// written") and returns the exit code; otherwise the code is -1.
func (a *access) probe(ctx context.Context, io stdio, clean, layer string, cred vault.Credential, param, suffix string) (vault.Result, *layers.Capabilities, int) {
	t, caps, err := a.target(ctx, clean, layer)
	if nl := (*noLayerError)(nil); errors.As(err, &nl) {
		return vault.Result{}, nil, fail(io, exitUsage, "%v%s", err, suffix)
	}
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	res, err := a.detect(ctx, t, cred, param)
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	return res, caps, -1
}

// exitFor maps a detection outcome to the documented exit code.
func exitFor(r vault.Result) int {
	switch r.Outcome {
	case vault.OutcomeFound, vault.OutcomeNoAuthNeeded:
		return exitOK
	case vault.OutcomeRejected:
		return exitRejected
	default:
		return exitUndecided
	}
}

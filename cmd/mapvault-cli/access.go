package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/vault"
)

// newWorkspace returns the access core for one command invocation: a
// fresh session store, the KeyVault in use, and warnings (never secrets)
// logged to standard error. Its secrets join what the run's output is
// scrubbed of.
func newWorkspace(kv *vault.KeyVault, io stdio, keychain vault.Keychain, engine layers.Options) *session.Workspace {
	log := slog.New(slog.NewTextHandler(io.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ws := session.New(kv, session.Options{
		Keychain:  keychain,
		Transport: vault.TransportOptions{Logger: log},
		Engine:    engine,
	})
	io.scrub.watch(ws.Secrets)
	return ws
}

// suspectError refuses to go on when a URL holds a value that looks like a
// secret under a parameter name mapvault does not know: ask, never save.
// kept are the names the user asked to keep: a suspect among them is a
// secret by its name or form, which is never kept.
func suspectError(split vault.Split, kept []string) error {
	if len(split.Suspects) == 0 {
		return nil
	}
	name := split.Suspects[0]
	switch {
	case name == vault.UnnamedSuspect:
		return fmt.Errorf("the URL's query holds an item without a name that looks like a secret; remove it from the URL (a key goes on standard input or in MAPVAULT_SECRET, with --param NAME), or pass --keep-param %q if it is not secret", name)
	case slices.ContainsFunc(kept, func(k string) bool { return strings.EqualFold(k, name) }):
		return fmt.Errorf("query parameter %q carries a secret (by its name or its value) and is never kept; remove it from the URL and give it on standard input or in MAPVAULT_SECRET with --param %s", name, name)
	}
	return fmt.Errorf("query parameter %q has a value that looks like a secret; remove it from the URL and give it on stdin with --param %s, or pass --keep-param %s if it is not secret",
		name, name, name)
}

// probe chooses the probe target for the entry's clean URL and runs
// detection with cred through the workspace. When the server turns out to
// want an OAuth2 sign-in and no secret was given, signIn (nil: don't)
// opens the browser for it. What the URL offers comes back when it was
// read anonymously. On failure it prints one line (with suffix, such as
// "; nothing was written") and returns the exit code; otherwise the code
// is -1.
func probe(ctx context.Context, ws *session.Workspace, io stdio, e entry, layer string, cred vault.Credential, hint vault.Hint, signIn func(string) error, suffix string) (vault.Result, layers.Service, int) {
	t, svc, err := ws.ProbeFor(ctx, e.kind, e.split.CleanURL, layer)
	if nl := (*session.NoLayerError)(nil); errors.As(err, &nl) {
		return vault.Result{}, nil, fail(io, exitUsage, "%v%s", err, suffix)
	}
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	res, err := unlock(ctx, ws, io, e.src, t, cred, hint, signIn)
	var se *signInError
	switch {
	case errors.As(err, &se):
		return vault.Result{}, nil, fail(io, exitRejected, "%v%s", err, suffix)
	case err != nil:
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	return res, svc, -1
}

// unlock runs detection for src with cred and, when the server turns out
// to want an OAuth2 sign-in and no secret was given, the browser sign-in
// through signIn (nil: report only).
func unlock(ctx context.Context, ws *session.Workspace, io stdio, src vault.Source, t vault.Target, cred vault.Credential, hint vault.Hint, signIn func(string) error) (vault.Result, error) {
	u, err := ws.Unlock(ctx, src, t, cred, hint, false)
	if err != nil || signIn == nil || !cred.IsZero() || u.Result.Outcome != vault.OutcomeRejected || u.Result.Entry.Method != vault.MethodOAuth2 {
		return u.Result, err
	}
	requests := u.Result.Requests
	errLine(io, "mapvault-cli: %s signs in at %s: opening the browser", src, u.Result.Entry.Issuer)
	u, err = ws.SignIn(ctx, src, t, signIn, false)
	if err != nil {
		return vault.Result{}, &signInError{src: src, err: err}
	}
	u.Result.Requests += requests
	return u.Result, nil
}

// signInError: the browser sign-in failed (no browser, refused, timed out).
type signInError struct {
	src vault.Source
	err error
}

func (e *signInError) Error() string { return fmt.Sprintf("signing in to %s: %v", e.src, e.err) }
func (e *signInError) Unwrap() error { return e.err }

// browser opens an authorization URL the way the user's environment says
// ($BROWSER, else the desktop's opener). The URL holds no secret.
func browser(env func(string) string) func(string) error {
	return func(u string) error { return vault.OpenBrowser(u, env) }
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

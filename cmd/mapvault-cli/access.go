package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/vault"
)

// newWorkspace returns the access core for one command invocation: a
// fresh session store, the KeyVault in use, and warnings (never secrets)
// logged to logw.
func newWorkspace(kv *vault.KeyVault, logw io.Writer, keychain vault.Keychain, engine layers.Options) *session.Workspace {
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return session.New(kv, session.Options{
		Keychain:  keychain,
		Transport: vault.TransportOptions{Logger: log},
		Engine:    engine,
	})
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

// probe chooses the probe target for clean and runs detection with cred
// through the workspace. On failure it prints one line (with suffix, such
// as "; nothing was written") and returns the exit code; otherwise the code
// is -1.
func probe(ctx context.Context, ws *session.Workspace, io stdio, clean, layer string, cred vault.Credential, hint vault.Hint, suffix string) (vault.Result, *layers.Capabilities, int) {
	t, caps, err := ws.ProbeFor(ctx, clean, layer)
	if nl := (*session.NoLayerError)(nil); errors.As(err, &nl) {
		return vault.Result{}, nil, fail(io, exitUsage, "%v%s", err, suffix)
	}
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	src, err := vault.SourceOf(clean)
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUsage, "%v%s", err, suffix)
	}
	u, err := ws.Unlock(ctx, src, t, cred, hint, false)
	if err != nil {
		return vault.Result{}, nil, fail(io, exitUndecided, "could not decide: %v%s", err, suffix)
	}
	return u.Result, caps, -1
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

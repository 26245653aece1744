package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"mapvault/layers"
	"mapvault/vault"
)

const layersUsage = `URL|FILE|- [--url-file FILE] [--json] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID]

Prints the layer tree of a WMS service (GetCapabilities, version 1.3.0 with
fallback to 1.1.1) or of a capabilities document on disk. For a protected
service, the secret comes from standard input or MAPVAULT_SECRET. A URL
that carries a secret is given as - (the first line of standard input; a
separate secret then comes only from MAPVAULT_SECRET) or with --url-file.`

func runLayers(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("layers", layersUsage, io)
	asJSON := fs.Bool("json", false, "print the tree as JSON (effective, inherited values)")
	af := addAuthFlags(fs)
	urlFile := fs.String("url-file", "", urlFileUsage)
	pos, code := parseFlagsRange(fs, args, 0, 1)
	if code >= 0 {
		return code
	}
	arg, ok := urlPositional(fs, pos, 0, *urlFile)
	if !ok {
		return exitUsage
	}
	if err := af.check(); err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	u, err := resolveURLArg(io, arg, *urlFile)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	caps, code := loadCapabilities(ctx, u, af, io, env)
	if caps == nil {
		return code
	}
	if *asJSON {
		// Streamed: the report of a document whose layers inherit long
		// lists is much larger than the document.
		if err := caps.WriteReportJSON(io.out, io.scrub.list()...); err != nil {
			return fail(io, exitFailure, "%v", err)
		}
		return exitOK
	}
	fmt.Fprintf(io.out, "%s (WMS %s)\nGetMap: %s\n", io.scrub.text(caps.Title), io.scrub.name(caps.Version), io.scrub.text(vault.RedactURL(caps.GetMapURL)))
	for _, l := range caps.Layers() {
		name := io.scrub.name(l.Name)
		if name == "" {
			name = "(group)"
		}
		fmt.Fprintf(io.out, "%s%s  %s\n", strings.Repeat("  ", l.Depth), name, io.scrub.text(l.Title))
	}
	return exitOK
}

// loadCapabilities reads a capabilities document from a file (an argument
// without "://"), or from a service, unlocking it with the user's secret
// when it is protected. On failure it prints the error and returns nil and
// the exit code.
func loadCapabilities(ctx context.Context, u urlArg, af *authFlags, io stdio, env func(string) string) (*layers.Capabilities, int) {
	arg := u.url
	if u.inArgv && !strings.Contains(arg, "://") {
		f, err := os.Open(arg)
		if err != nil {
			return nil, fail(io, exitFailure, "%v", err)
		}
		defer f.Close()
		caps, err := layers.ParseCapabilities(f)
		if err != nil {
			return nil, fail(io, exitFailure, "%s: %v", arg, err)
		}
		return caps, exitOK
	}
	split, err := vault.SplitURL(arg)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	u.warnIfInArgv(io, split)
	if err := suspectError(split, nil); err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	ws := newWorkspace(vault.NewKeyVault(), io, nil, layers.Options{})
	t, caps, err := ws.ProbeFor(ctx, split.CleanURL, "")
	if caps != nil {
		return caps, exitOK // public capabilities
	}
	if err != nil {
		return nil, fail(io, exitUndecided, "could not decide: %v", err)
	}
	secret, err := readSecret(u.secretInput(io.in), env)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	io.scrub.add(secret)
	io.scrub.add(vault.CredentialSecrets(split.Credential)...)
	cred, err := af.credential(split, secret)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	res, err := unlock(ctx, ws, io, split.Source, t, cred, af.hint(), browser(env))
	var se *signInError
	switch {
	case errors.As(err, &se):
		return nil, fail(io, exitRejected, "%v", err)
	case err != nil:
		return nil, fail(io, exitUndecided, "could not decide: %v", err)
	}
	if res.Outcome != vault.OutcomeFound && res.Outcome != vault.OutcomeNoAuthNeeded {
		return nil, fail(io, exitFor(res), "%s: %s", res.Source, res.Reason)
	}
	caps, err = ws.Catalog().Capabilities(ctx, split.CleanURL)
	if err != nil {
		return nil, fail(io, exitFailure, "%v", err)
	}
	return caps, exitOK
}

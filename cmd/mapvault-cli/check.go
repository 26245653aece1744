package main

import (
	"context"
	"errors"
	"fmt"

	"mapvault/vault"
)

const checkUsage = `PROJECT

Scans PROJECT and its KeyVault for anything that looks like a secret: URLs
with user information, key parameters and fields named like secrets with
values, URLs nested in values, Authorization values, labelled keys in text,
long random-looking values where nothing says they are identifiers (the
rules: docs/secret-detection.md). Prints each finding's location (never the
value). Exit 1 when something was found or the scan was interrupted
(Ctrl-C), 0 when the project is safe to share.`

func runCheck(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("check", checkUsage, io)
	pos, code := parseFlags(fs, args, 1)
	if code >= 0 {
		return code
	}
	leaks, err := vault.ScanProjectContext(ctx, pos[0])
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return fail(io, exitFailure, "interrupted")
		}
		return fail(io, exitFailure, "%v", err)
	}
	for _, l := range leaks {
		fmt.Fprintf(io.out, "%s:%d:%d: %s\n", l.File, l.Line, l.Column, l.What)
	}
	if len(leaks) > 0 {
		fmt.Fprintf(io.err, "mapvault-cli: %d possible secret(s) found; do not share this project until they are removed\n", len(leaks))
		return exitFailure
	}
	fmt.Fprintf(io.out, "no secrets found in %s and its KeyVault\n", pos[0])
	return exitOK
}

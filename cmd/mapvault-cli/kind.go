package main

import (
	"context"
	"errors"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// kindFlagUsage is the --kind flag's help, shared by add, probe and layers.
const kindFlagUsage = "layer `KIND`: wms, wmts, xyz, wfs, features or geojson (default: detected from the URL, else wms)"

// entry is a URL the user gave for a kind of layer, taken apart: the kind,
// and the URL split into what may be saved and the secret.
type entry struct {
	kind  layers.Kind
	split vault.Split
	src   vault.Source // the credential source of a layer made from it
}

// resolveEntry finds the kind of raw (the --kind flag, else what the URL
// says, else what its answer says: one anonymous GET of the clean URL,
// else wms) and splits its secret off the kind's way. It refuses a
// parameter that only looks secret (ask, never save). On failure it
// prints one line and returns the exit code; otherwise the code is -1.
// A URL given as an argument that carries a secret gets the warning that
// any local user can read it (urlArg.warnIfInArgv).
func resolveEntry(ctx context.Context, ws *session.Workspace, io stdio, u urlArg, kind string, keep []string) (entry, int) {
	raw := u.url
	var k layers.Kind
	if kind != "" {
		var err error
		if k, err = ws.Kinds().Lookup(project.Kind(kind)); err != nil {
			return entry{}, fail(io, exitUsage, "%v", err)
		}
	} else if found, ok := ws.Kinds().DetectURL(raw); ok {
		k = found
	}
	split, err := layers.SplitURL(k, raw, keep)
	if err != nil {
		return entry{}, fail(io, exitUsage, "%v", err)
	}
	u.warnIfInArgv(io, split)
	if err := suspectError(split, keep); err != nil {
		return entry{}, fail(io, exitUsage, "%v", err)
	}
	if k == nil {
		if k, err = ws.DetectKind(ctx, split.CleanURL); err != nil {
			return entry{}, fail(io, exitUndecided, "%v", err)
		}
		// A kind found by its answer may split differently.
		if split, err = layers.SplitURL(k, raw, keep); err != nil {
			return entry{}, fail(io, exitUsage, "%v", err)
		}
	}
	src, err := layers.EntrySource(k, split.CleanURL)
	var uk *layers.UnsupportedKindError
	switch {
	case errors.As(err, &uk):
		return entry{}, fail(io, exitUsage, "%v", err)
	case err != nil:
		return entry{}, fail(io, exitUsage, "%v", err)
	}
	return entry{kind: k, split: split, src: src}, -1
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

const addUsage = `PROJECT URL [--layers a,b] [--name N] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--keep-param NAME]

Adds WMS layers from URL to PROJECT (created when absent). A secret in the
URL (user:password@host, or a key parameter such as token= or authkey=) is
split off: only the clean URL is written to the project, the detected method
to the KeyVault beside it, and the secret nowhere. A secret may also come
from standard input or MAPVAULT_SECRET. Each WMS layer becomes one project
layer, so each keeps its own visibility.`

func runAdd(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fset := newFlags("add", addUsage, io)
	names := fset.String("layers", "", "comma-separated WMS layer `NAMES` (default: list them and stop)")
	title := fset.String("name", "", "display `NAME` for the layer (one layer only)")
	af := addAuthFlags(fset)
	keep := fset.String("keep-param", "", "comma-separated query parameter `NAMES` that only look secret and may be kept")
	pos, code := parseFlags(fset, args, 2)
	if code >= 0 {
		return code
	}
	path, raw := pos[0], pos[1]
	if err := af.check(); err != nil {
		return fail(io, exitUsage, "%v", err)
	}

	p, err := project.Load(path)
	created := false
	switch {
	case errors.Is(err, fs.ErrNotExist):
		created = true
		p = project.New(strings.TrimSuffix(strings.TrimSuffix(baseName(path), ".json"), ".mapvault"))
	case err != nil:
		return fail(io, exitFailure, "%v", err)
	}
	kvPath := vault.SidecarPath(path)
	kv, err := vault.LoadKeyVault(kvPath)
	if err != nil {
		return fail(io, exitFailure, "%v", err)
	}

	split, err := vault.SplitURLKeeping(raw, splitList(*keep))
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	if err := suspectError(split); err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	if split.PathSuspect {
		fmt.Fprintf(io.err, "mapvault-cli: warning: a segment of the URL path looks like a secret; it stays in the project (the service may need it there). If it is one, do not share the project: mapvault-cli check reports it.\n")
	}
	if split.Param != "" && *af.param == "" {
		*af.param = split.Param
	}
	secret, err := readSecret(io.in, env)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	cred, err := af.credential(split, secret)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}

	ws := newWorkspace(kv, io.err, nil, layers.Options{})
	wanted := splitList(*names)
	first := ""
	if len(wanted) > 0 {
		first = wanted[0]
	}
	res, caps, code := probe(ctx, ws, io, split.CleanURL, first, cred, af.hint(), browser(env), "; nothing was written")
	if code >= 0 {
		return code
	}
	switch res.Outcome {
	case vault.OutcomeFound, vault.OutcomeNoAuthNeeded:
	case vault.OutcomeRejected:
		if cred.IsZero() {
			return fail(io, exitRejected, "%s needs credentials: give the secret on standard input or in MAPVAULT_SECRET", res.Source)
		}
		return fail(io, exitRejected, "%s rejected the credentials (%s); nothing was written", res.Source, res.Reason)
	default:
		return fail(io, exitUndecided, "could not decide how %s authenticates: %s; nothing was written", res.Source, res.Reason)
	}
	if caps == nil { // the capabilities were protected: read them now with the credential
		if caps, err = ws.Catalog().Capabilities(ctx, split.CleanURL); err != nil {
			return fail(io, exitFailure, "reading the layer list: %v", err)
		}
	}
	if len(wanted) == 0 {
		fmt.Fprintf(io.err, "mapvault-cli: choose layers with --layers; %s offers:\n", res.Source)
		for _, l := range caps.Layers() {
			if l.Name != "" {
				fmt.Fprintf(io.err, "  %s%s  (%s)\n", strings.Repeat("  ", l.Depth), l.Name, l.Title)
			}
		}
		return exitUsage
	}
	if *title != "" && len(wanted) > 1 {
		return fail(io, exitUsage, "--name applies to one layer; %d were given", len(wanted))
	}
	format := session.PickFormat(caps.GetMapFormats)
	for _, name := range wanted {
		l := caps.Find(name)
		if l == nil {
			return fail(io, exitUsage, "the service offers no layer named %q; nothing was written", name)
		}
		display := l.Title
		if *title != "" {
			display = *title
		}
		if display == "" {
			display = name
		}
		added := p.AddLayer(project.Layer{
			Name: display, Kind: project.KindWMS, Source: split.CleanURL,
			WMS:     project.WMS{Layers: []string{name}, Styles: []string{""}, Format: format, Version: caps.Version},
			Opacity: 1, Visible: true,
		})
		fmt.Fprintf(io.out, "added layer %s (%s) from %s\n", added.ID, name, res.Source)
	}
	if created {
		// A new project opens on its first layer, as QGIS zooms to the
		// first layer added to an empty project.
		if l := caps.Find(wanted[0]); l != nil && l.GeographicBBox != nil {
			p.View.Lon, p.View.Lat, p.View.Zoom = layers.FitBounds(l.GeographicBBox, newProjectWidth, newProjectHeight, 18)
		}
	}
	if err := project.Save(path, p); err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	if err := kv.Save(kvPath); err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	method := string(res.Method)
	if res.Outcome == vault.OutcomeNoAuthNeeded {
		method = "none"
	}
	fmt.Fprintf(io.out, "saved %s and %s (auth: %s%s; requests: %d)\n", path, kvPath, method, paramNote(res), res.Requests)
	return exitOK
}

// The window size a new project's view is fitted to.
const newProjectWidth, newProjectHeight = 1280, 800

func paramNote(r vault.Result) string {
	if r.Param == "" || r.Outcome != vault.OutcomeFound {
		return ""
	}
	return " " + r.Param
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

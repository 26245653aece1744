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

const addUsage = `PROJECT URL|- [--url-file FILE] [--kind wms|wmts|xyz|wfs|features|geojson] [--layers a,b] [--name N] [--dimension NAME=VALUE] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--keep-param NAME]

Adds layers from URL to PROJECT (created when absent): WMS layers of a
service, WFS feature types or OGC API - Features collections (--layers), a
GeoJSON document (a URL, or a local file: no credential, kept relative to
the project's folder when under it), or an XYZ/TMS tile template ("https://{s}.tiles.example.com/{z}/{x}/{y}.png",
with {-y} for TMS rows, {r} for HiDPI tiles). The kind comes from --kind,
else from the URL (a {z}/{x}/{y} template is xyz), else from what the URL
answers, else wms. A secret in the URL (user:password@host, or a key
parameter such as token=, key= or access_token=, also in a template) is
split off: only the clean URL is written to the project, the detected
method to the KeyVault beside it, and the secret nowhere. Give such a URL
as - (read from the first line of standard input) or with --url-file FILE,
not as an argument, which any local user can read from the process list. A
secret may also come from standard input or MAPVAULT_SECRET; with -, only
from MAPVAULT_SECRET. Each WMS layer becomes one project layer, so each
keeps its own visibility; a template is one layer. The project and its
KeyVault are changed under a lock: concurrent adds lose nothing.
--dimension (repeatable) sets a WMTS layer's dimension, e.g. --dimension
Time=2024-01-01; the others keep the service's defaults.`

func runAdd(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fset := newFlags("add", addUsage, io)
	names := fset.String("layers", "", "comma-separated WMS layer `NAMES` (default: list them and stop)")
	title := fset.String("name", "", "display `NAME` for the layer (one layer only)")
	kind := fset.String("kind", "", kindFlagUsage)
	af := addAuthFlags(fset)
	keep := fset.String("keep-param", "", "comma-separated query parameter `NAMES` that only look secret and may be kept")
	urlFile := fset.String("url-file", "", urlFileUsage)
	dims := dimensionFlag(fset)
	pos, code := parseFlagsRange(fset, args, 1, 2)
	if code >= 0 {
		return code
	}
	arg, ok := urlPositional(fset, pos, 1, *urlFile)
	if !ok {
		return exitUsage
	}
	path := pos[0]
	if *urlFile == "" && localGeoJSON(arg, *kind) {
		return addLocalGeoJSON(ctx, io, path, arg, *title)
	}
	if err := af.check(); err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	u, err := resolveURLArg(io, arg, *urlFile)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}

	// Read the files now, unlocked, to refuse a broken project before
	// asking the server anything and to know what the KeyVault says about
	// the source. They are read again, under the project's lock, for the
	// save (session.EditFiles): the probe can take long (a browser
	// sign-in), and another mapvault may save them meanwhile.
	if _, err := project.Load(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(io, exitFailure, "%v", err)
	}
	kvPath := vault.SidecarPath(path)
	kv, err := vault.LoadKeyVault(kvPath)
	if err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	kvRead := kv.Clone()

	ws := newWorkspace(kv, io, nil, layers.Options{})
	e, code := resolveEntry(ctx, ws, io, u, *kind, splitList(*keep))
	if code >= 0 {
		return code
	}
	if len(dims) > 0 && e.kind.Name() != project.KindWMTS {
		return fail(io, exitUsage, "--dimension applies to WMTS layers only; nothing was written")
	}
	split := e.split
	if split.PathSuspect {
		fmt.Fprintf(io.err, "mapvault-cli: warning: a segment of the URL path looks like a secret; it stays in the project (the service may need it there). If it is one, do not share the project: mapvault-cli check reports it.\n")
	}
	if split.Param != "" && *af.param == "" {
		*af.param = split.Param
	}
	secret, err := readSecret(u.secretInput(io.in), env)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	io.scrub.add(secret)
	io.scrub.add(vault.CredentialSecrets(split.Credential)...)
	cred, err := af.credential(split, secret)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}

	wanted := splitList(*names)
	first := ""
	if len(wanted) > 0 {
		first = wanted[0]
	}
	res, svc, code := probe(ctx, ws, io, e, first, cred, af.hint(), browser(env), "; nothing was written")
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
	if svc == nil { // what the URL offers was protected (or not read): read it now with the credential
		if svc, err = ws.ServiceAfter(ctx, e.kind, split.CleanURL, res); err != nil {
			return fail(io, exitFailure, "reading the layer list: %v", err)
		}
	}
	if !svc.NeedsChoice() {
		if len(wanted) > 0 {
			return fail(io, exitUsage, "--layers does not apply to a %s layer (the URL is the layer); nothing was written", e.kind.Name())
		}
		wanted = []string{""}
	}
	if len(wanted) == 0 {
		fmt.Fprintf(io.err, "mapvault-cli: nothing was written: choose the layers to add with --layers NAME[,NAME]; %s offers:\n", res.Source)
		for _, o := range svc.Offers() {
			if o.Name != "" {
				fmt.Fprintf(io.err, "  %s%s  (%s)\n", strings.Repeat("  ", o.Depth), io.scrub.name(o.Name), io.scrub.text(o.Title))
			}
		}
		return exitUsage
	}
	if *title != "" && len(wanted) > 1 {
		return fail(io, exitUsage, "--name applies to one layer; %d were given", len(wanted))
	}
	var picked []project.Layer
	var firstOffer layers.Offer
	for i, name := range wanted {
		l, offer, ok := svc.Layer(name)
		if !ok {
			return fail(io, exitUsage, "the service offers no layer named %q; nothing was written", name)
		}
		if i == 0 {
			firstOffer = offer
		}
		l.Name = io.scrub.text(l.Name) // saved: never with a secret a server echoed
		if *title != "" {
			l.Name = *title
		}
		if len(dims) > 0 {
			if err := setDimensions(&l, svc, dims); err != nil {
				return fail(io, exitUsage, "%v; nothing was written", err)
			}
		}
		picked = append(picked, l)
	}
	var added []string
	fresh := project.New(strings.TrimSuffix(strings.TrimSuffix(baseName(path), ".json"), ".mapvault"))
	err = session.EditFiles(ctx, path, fresh, func(p *project.Project, disk *vault.KeyVault, created bool) error {
		added = added[:0]
		for i, l := range picked {
			a := p.AddLayer(l)
			what := wanted[i]
			if what == "" {
				what = string(e.kind.Name())
			}
			added = append(added, fmt.Sprintf("added layer %s (%s) from %s", a.ID, what, res.Source))
		}
		if created {
			// A new project opens on its first layer, as QGIS zooms to the
			// first layer added to an empty project.
			if b := firstOffer.Box; b != nil {
				p.View.Lon, p.View.Lat, p.View.Zoom = layers.FitBounds(b, newProjectWidth, newProjectHeight, 18)
			}
		}
		// What the probe recorded, over what another mapvault may have
		// saved since the KeyVault was read.
		disk.ApplyChanges(kvRead, kv)
		return nil
	})
	if err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	for _, line := range added {
		fmt.Fprintln(io.out, line)
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

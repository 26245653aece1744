package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	goio "io"
	"os"
	"strings"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

const layersUsage = `URL|FILE|- [--url-file FILE] [--kind KIND] [--json [--own]] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID]

Prints the layers a service offers (a WMS service's layer tree from
GetCapabilities, version 1.3.0 with fallback to 1.1.1; an XYZ template is
one layer) or those of a capabilities document on disk. For a protected
service, the secret comes from standard input or MAPVAULT_SECRET. A URL
that carries a secret is given as - (the first line of standard input; a
separate secret then comes only from MAPVAULT_SECRET) or with --url-file.
--json gives each layer its effective values (the WMS inheritance rules
applied); with --own, only what the layer adds to its ancestors', so a
list every layer inherits is given once.`

func runLayers(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("layers", layersUsage, io)
	asJSON := fs.Bool("json", false, "print the tree as JSON (effective, inherited values)")
	own := fs.Bool("own", false, "with --json: each layer's own values only (what it adds to its ancestors'), so inherited values are given once")
	kind := fs.String("kind", "", kindFlagUsage)
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
	if *own && !*asJSON {
		return fail(io, exitUsage, "--own goes with --json")
	}
	u, err := resolveURLArg(io, arg, *urlFile)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	svc, code := loadService(ctx, u, *kind, af, io, env)
	if svc == nil {
		return code
	}
	rep, isReporter := svc.(layers.Reporter)
	if *asJSON {
		// Streamed: the report of a document whose layers inherit long
		// lists is much larger than the document.
		var err error
		if or, ok := svc.(layers.OwnReporter); ok && *own {
			err = or.WriteOwnReportJSON(io.out, io.scrub.list()...)
		} else if isReporter {
			err = rep.WriteReportJSON(io.out, io.scrub.list()...)
		} else {
			err = writeOffersJSON(io.out, svc, io.scrub)
		}
		if err != nil {
			return fail(io, exitFailure, "%v", err)
		}
		return exitOK
	}
	if isReporter {
		for _, line := range rep.Summary() {
			fmt.Fprintln(io.out, io.scrub.text(line))
		}
	} else {
		fmt.Fprintln(io.out, io.scrub.text(svc.Title()))
	}
	for _, o := range svc.Offers() {
		name := io.scrub.name(o.Name)
		if name == "" {
			name = "(group)"
			if !svc.NeedsChoice() {
				name = "(layer)"
			}
		}
		fmt.Fprintf(io.out, "%s%s  %s\n", strings.Repeat("  ", o.Depth), name, io.scrub.text(o.Title))
	}
	return exitOK
}

// offersReport is the --json listing of a service without a report of its
// own.
type offersReport struct {
	Title  string        `json:"title"`
	Layers []offerReport `json:"layers"`
}

type offerReport struct {
	Name  string      `json:"name"`
	Title string      `json:"title"`
	Depth int         `json:"depth"`
	BBox  *[4]float64 `json:"bbox,omitempty"` // west, south, east, north
}

func writeOffersJSON(w goio.Writer, svc layers.Service, sc *scrubber) error {
	r := offersReport{Title: sc.text(svc.Title()), Layers: []offerReport{}}
	for _, o := range svc.Offers() {
		or := offerReport{Name: sc.name(o.Name), Title: sc.text(o.Title), Depth: o.Depth}
		if b := o.Box; b != nil {
			or.BBox = &[4]float64{b.Min(0), b.Min(1), b.Max(0), b.Max(1)}
		}
		r.Layers = append(r.Layers, or)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// loadService reads what a service offers, from a file (a capabilities
// document: the kinds that read documents are asked in turn) or from a
// URL, unlocking it with the user's secret when it is protected. On
// failure it prints the error and returns nil and the exit code.
func loadService(ctx context.Context, u urlArg, kind string, af *authFlags, io stdio, env func(string) string) (layers.Service, int) {
	ws := newWorkspace(vault.NewKeyVault(), io, nil, layers.Options{})
	if u.inArgv && !strings.Contains(u.url, "://") {
		return readServiceFile(ws, u.url, kind, io)
	}
	e, code := resolveEntry(ctx, ws, io, u, kind, nil)
	if code >= 0 {
		return nil, code
	}
	t, svc, err := ws.ProbeFor(ctx, e.kind, e.split.CleanURL, "")
	if svc != nil {
		return svc, exitOK // public
	}
	if err != nil {
		// Not an answer a protected service gives (that would be an
		// authentication question, exit 3 or 4): the service could not be
		// read.
		return nil, fail(io, exitFailure, "%v", err)
	}
	secret, err := readSecret(u.secretInput(io.in), env)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	io.scrub.add(secret)
	io.scrub.add(vault.CredentialSecrets(e.split.Credential)...)
	cred, err := af.credential(e.split, secret)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	res, err := unlock(ctx, ws, io, e.src, t, cred, af.hint(), browser(env))
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
	svc, err = ws.ServiceAfter(ctx, e.kind, e.split.CleanURL, res)
	if err != nil {
		return nil, fail(io, exitFailure, "%v", err)
	}
	return svc, exitOK
}

// readServiceFile parses a service document on disk with the kind named,
// or the first kind that recognises it (wms when none does).
func readServiceFile(ws *session.Workspace, path, kind string, io stdio) (layers.Service, int) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(io, exitFailure, "%v", err)
	}
	defer f.Close()
	// The head says which kind it is; the kind's reader streams the rest
	// (and bounds it).
	head := make([]byte, 256<<10)
	n, err := readHead(f, head)
	if err != nil {
		return nil, fail(io, exitFailure, "%s: %v", path, err)
	}
	head = head[:n]
	var k layers.Kind
	switch {
	case kind != "":
		k, err = ws.Kinds().Lookup(project.Kind(kind))
	default:
		var ok bool
		if k, ok = ws.Kinds().DetectDocument("", head); !ok {
			k, err = ws.Kinds().Lookup(project.KindWMS)
		}
	}
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	r, ok := k.(layers.DocumentReader)
	if !ok {
		return nil, fail(io, exitUsage, "%s: a %s layer list cannot be read from a file", path, k.Name())
	}
	svc, err := r.ReadDocument(goio.MultiReader(bytes.NewReader(head), f))
	if err != nil {
		return nil, fail(io, exitFailure, "%s: %v", path, err)
	}
	return svc, exitOK
}

// readHead reads into b until it is full or the reader ends.
func readHead(r goio.Reader, b []byte) (int, error) {
	n, err := goio.ReadFull(r, b)
	if errors.Is(err, goio.EOF) || errors.Is(err, goio.ErrUnexpectedEOF) {
		err = nil
	}
	return n, err
}

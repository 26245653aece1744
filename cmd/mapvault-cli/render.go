package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

const renderUsage = `PROJECT -o OUT.png [--size 1920x1080] [--center LON,LAT] [--zoom Z] [--scale S] [--decorations scalebar,attribution,legend] [--timeout 2m] [--credentials FILE|-] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--no-keychain]

Renders the project's visible layers (WMS, WMTS, XYZ, WFS, OGC API - Features, GeoJSON) into a PNG. When exactly one source of
the project needs a credential, a plain secret on the first line of standard
input or in MAPVAULT_SECRET is that source's (the password with --user, the
certificate's password with --cert, an access key or secret key otherwise).
For several sources, credentials come from a JSON lines file (or - for
standard input), one object per source:
  {"source": "https://host/wms", "username": "ann", "password": "..."}
  {"source": "https://host/wms", "key": "..."}
and from the OS keychain for sources the user chose to remember there.
Per-layer state and tiles/bytes/seconds go to standard error. A layer
without working credentials is reported and skipped: exit 5. A layer that
failed (server error) or is incomplete leaves the image without it (or
without its missing tiles): exit 1. --timeout bounds the whole render
(capabilities and tiles, not a browser sign-in): when it passes, the
image is written with what arrived, the layers still loading are reported
as timed out, and the exit is 1. A server that asks to be retried later
than 10 s from now (Retry-After) fails its layer with that time.`

func runRender(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("render", renderUsage, io)
	out := fs.String("o", "", "output `PNG` file")
	size := fs.String("size", "1920x1080", "frame size `WxH` in logical pixels")
	center := fs.String("center", "", "view centre `LON,LAT` (default: the project's)")
	zoom := fs.Float64("zoom", -1, "web-mercator `ZOOM` level (default: the project's)")
	scale := fs.Float64("scale", 1, "device pixel `RATIO` (2 for HiDPI)")
	decorations := fs.String("decorations", "", "draw `LIST` onto the map, comma-separated: scalebar, attribution, legend, north, title")
	noMerge := fs.Bool("no-merge", false, "fetch every layer separately (measures request merging)")
	pf := addProjectFlags(fs)
	pos, code := parseFlags(fs, args, 1)
	if code >= 0 {
		return code
	}
	if *out == "" {
		fs.Usage()
		return exitUsage
	}
	deco, err := parseDecorations(*decorations)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	d, code := pf.open(ctx, pos[0], io, env, layers.Options{NoMerge: *noMerge, RenderInPlace: true}, func(pv project.View) (layers.View, error) {
		return renderView(pv, *size, *center, *zoom, *scale)
	})
	if code >= 0 {
		return code
	}
	defer d.cancel()
	img, states, st := d.ws.Engine().Render(d.rctx, d.view, d.specs, nil)
	drawn := 0
	var drawnSpecs []layers.LayerSpec
	for _, s := range d.specs {
		state := states[s.ID]
		switch state.Kind {
		case layers.StateBlocked:
			d.blocked++
		case layers.StateOK:
			drawn++
			drawnSpecs = append(drawnSpecs, s)
		default: // an error, or incomplete
			d.failed++
			if state.Done > 0 {
				drawn++ // part of it is in the image
				drawnSpecs = append(drawnSpecs, s)
			}
		}
		errLine(io, "layer %s: %s", s.ID, describe(state))
	}
	// An image is written unless there was something to draw and none of
	// it could be (a server down, everything blocked): a blank PNG would
	// pass for a map.
	write := drawn > 0 || d.blocked+d.failed == 0
	if write && deco.Any() {
		if err := decorate(d, img, drawnSpecs, deco, io); err != nil {
			return fail(io, exitFailure, "%v", err)
		}
	}
	if write {
		if err := session.WritePNG(*out, img); err != nil {
			return fail(io, exitFailure, "%v", err)
		}
	}
	fmt.Fprintf(io.err, "rendered %dx%d: %d tiles, %d requests, %d cache hits, %d bytes, %.3f s\n",
		img.Bounds().Dx(), img.Bounds().Dy(), st.Tiles, st.Requests, st.CacheHits, st.Bytes, st.Elapsed.Seconds())
	if !write {
		fmt.Fprintf(io.err, "mapvault-cli: no layer could be drawn; %s was not written\n", *out)
	}
	return d.exit(ctx, io, "render", "the image")
}

// projectFlags are the options of every command that opens a project and
// draws or queries its layers (render, identify, legend): credentials,
// the keychain and the time limit.
type projectFlags struct {
	credPath   *string
	noKeychain *bool
	timeout    *time.Duration
	auth       *authFlags
}

func addProjectFlags(fs *flag.FlagSet) projectFlags {
	return projectFlags{
		credPath:   fs.String("credentials", "", "credentials `FILE` (JSON lines), or - for standard input"),
		noKeychain: fs.Bool("no-keychain", false, "do not look in the OS keychain"),
		timeout:    fs.Duration("timeout", defaultRenderTimeout, "give up after `DURATION` (capabilities, tiles and queries)"),
		auth:       addAuthFlags(fs),
	}
}

// drawing is an open project with its layers resolved for one view.
type drawing struct {
	p               *project.Project
	ws              *session.Workspace
	view            layers.View
	specs           []layers.LayerSpec // the visible layers that resolved, bottom first
	blocked, failed int
	rctx            context.Context // bounded by --timeout
	cancel          context.CancelFunc
	timeout         time.Duration
}

// open loads the project and its KeyVault, gathers the credentials (the
// file, a plain secret, the keychain, a browser sign-in) and resolves the
// visible layers for the view view builds from the project's. code is -1
// when it succeeded, else the exit code (the error is printed).
func (pf projectFlags) open(ctx context.Context, path string, io stdio, env func(string) string, opt layers.Options, view func(project.View) (layers.View, error)) (d *drawing, code int) {
	if err := pf.auth.check(); err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	if *pf.timeout <= 0 {
		return nil, fail(io, exitUsage, "--timeout %v: want a positive duration such as 90s or 2m", *pf.timeout)
	}
	p, err := project.Load(path)
	if err != nil {
		return nil, fail(io, exitFailure, "%v", err)
	}
	kv, err := vault.LoadKeyVault(vault.SidecarPath(path))
	if err != nil {
		return nil, fail(io, exitFailure, "%v", err)
	}
	v, err := view(p.View)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	var keychain vault.Keychain
	if !*pf.noKeychain {
		keychain = vault.OSKeychainOrNone("mapvault")
	}
	ws := newWorkspace(kv, io, keychain, opt)
	if *pf.credPath != "" {
		r := io.in
		if *pf.credPath != "-" {
			f, err := os.Open(*pf.credPath)
			if err != nil {
				return nil, fail(io, exitUsage, "%v", err)
			}
			defer f.Close()
			r = f
		}
		if err := loadCredentials(r, ws); err != nil {
			return nil, fail(io, exitUsage, "%s: %v", *pf.credPath, err)
		}
	}
	in := io.in
	if *pf.credPath == "-" {
		in = nil // standard input held the credentials file
	}
	secret, err := readSecret(in, env)
	if err != nil {
		return nil, fail(io, exitUsage, "%v", err)
	}
	io.scrub.add(secret)
	if secret != "" || *pf.auth.cert != "" {
		src, err := theSourceNeedingACredential(ws, p)
		if err != nil {
			return nil, fail(io, exitUsage, "%v", err)
		}
		cred, err := pf.auth.credentialFromSecret(secret)
		if err != nil {
			return nil, fail(io, exitUsage, "%v", err)
		}
		ws.SetCredential(src, cred)
	}
	signIn(ctx, ws, p, browser(env), io)
	d = &drawing{p: p, ws: ws, view: v, timeout: *pf.timeout}
	d.rctx, d.cancel = context.WithTimeout(ctx, *pf.timeout)
	d.specs, d.blocked, d.failed = resolveLayers(d.rctx, ws, p, keychain != nil, io)
	return d, -1
}

// exit is the exit code of a command that drew or queried the layers: a
// failure (a server down, an error, missing tiles) outranks a blocked
// layer, because trying again later may help without new credentials.
func (d *drawing) exit(ctx context.Context, io stdio, what, lacks string) int {
	if ctx.Err() != nil {
		return fail(io, exitFailure, "interrupted")
	}
	if d.rctx.Err() != nil {
		fmt.Fprintf(io.err, "mapvault-cli: the %s timed out after %v (--timeout)\n", what, d.timeout)
	}
	if d.failed > 0 {
		if d.blocked > 0 {
			fmt.Fprintf(io.err, "mapvault-cli: %d layer(s) blocked: no working credentials\n", d.blocked)
		}
		return fail(io, exitFailure, "%d layer(s) failed or incomplete; %s lacks them", d.failed, lacks)
	}
	if d.blocked > 0 {
		fmt.Fprintf(io.err, "mapvault-cli: %d layer(s) blocked: no working credentials\n", d.blocked)
		return exitBlocked
	}
	return exitOK
}

// defaultRenderTimeout is render's --timeout: long enough for a large frame
// from a slow server, short enough that a server dripping its answers
// cannot hold a script for minutes.
const defaultRenderTimeout = 2 * time.Minute

// resolveLayers resolves the project's visible layers, bottom first, into
// engine specs through the workspace. Layers whose source has no usable
// credentials are reported as blocked and skipped, as are layers that
// cannot be shown (with the reason).
func resolveLayers(ctx context.Context, ws *session.Workspace, p *project.Project, keychain bool, io stdio) (specs []layers.LayerSpec, blocked, failed int) {
	if keychain {
		for _, src := range ws.Sources(p) {
			if err := ws.FromKeychain(src); errors.Is(err, vault.ErrKeychainUnavailable) {
				fmt.Fprintf(io.err, "note: the OS keychain is unavailable; %s needs --credentials\n", src)
			}
		}
	}
	for _, l := range p.Layers {
		if !l.Visible {
			fmt.Fprintf(io.err, "layer %s: hidden\n", l.ID)
			continue
		}
		if !p.GroupVisible(l.Group) {
			fmt.Fprintf(io.err, "layer %s: hidden (group %q)\n", l.ID, l.Group)
			continue
		}
		if _, err := ws.Kinds().Lookup(l.Kind); err != nil {
			fmt.Fprintf(io.err, "layer %s: skipped: kind %q is not supported yet\n", l.ID, l.Kind)
			continue
		}
		s, err := ws.Spec(ctx, p, l)
		var ae *vault.AuthError
		switch {
		case errors.As(err, &ae):
			blocked++
			errLine(io, "layer %s: blocked: %s", l.ID, ae.Reason)
		case err != nil:
			failed++
			errLine(io, "layer %s: error: %v", l.ID, err)
		default:
			specs = append(specs, s)
		}
	}
	return specs, blocked, failed
}

// signIn runs the browser sign-in for each source that needs one and has
// no tokens in the session (nor the keychain), probing with its first
// visible layer. A failed sign-in leaves the source's layers blocked.
func signIn(ctx context.Context, ws *session.Workspace, p *project.Project, open func(string) error, io stdio) {
	for _, src := range ws.Sources(p) {
		if ws.Access(src).State != session.StateNeedsSignIn {
			continue
		}
		for _, l := range p.Layers {
			if s, err := ws.LayerSource(p, l); err != nil || s != src || !l.Visible {
				continue
			}
			t, err := ws.ProbeTarget(p, l)
			if err != nil {
				break
			}
			e, _ := ws.KeyVault().Get(src)
			errLine(io, "mapvault-cli: %s signs in at %s: opening the browser", src, e.Issuer)
			if _, err := ws.SignIn(ctx, src, t, open, false); err != nil {
				errLine(io, "note: signing in to %s: %v", src, err)
			}
			break
		}
	}
}

// theSourceNeedingACredential returns the one source a plain secret is
// for: the only source the KeyVault records as protected and the session
// has no credential for yet or, when the KeyVault records none, the
// project's only source. Several candidates are a usage error.
func theSourceNeedingACredential(ws *session.Workspace, p *project.Project) (vault.Source, error) {
	srcs := ws.Sources(p)
	var need []vault.Source
	for _, src := range srcs {
		if a := ws.Access(src); a.State == session.StateNeedsCredentials || a.State == session.StateNeedsSignIn {
			need = append(need, src)
		}
	}
	switch {
	case len(need) == 1:
		return need[0], nil
	case len(need) > 1:
		return "", fmt.Errorf("%d sources of the project need credentials; a plain secret is for one: use --credentials", len(need))
	case len(srcs) == 1:
		return srcs[0], nil
	}
	return "", errors.New("a secret was given but no source of the project is known to need one; use --credentials to say which")
}

// describe is a layer's line on standard error. Queued is every tile the
// view needs for the layer, so "N of M tiles" never has N > M.
func describe(s layers.State) string {
	switch s.Kind {
	case layers.StateOK:
		return fmt.Sprintf("ok (%d tiles)", s.Done)
	case layers.StateBlocked:
		return "blocked: " + s.Reason
	case layers.StateError:
		return fmt.Sprintf("error: %s (%d of %d tiles failed)", s.Reason, s.Failed, s.Queued)
	default:
		return fmt.Sprintf("incomplete (%d of %d tiles)", s.Done, s.Queued)
	}
}

// renderView builds the engine view from the project's view and the flags.
func renderView(pv project.View, size, center string, zoom, scale float64) (layers.View, error) {
	w, h, ok := strings.Cut(size, "x")
	width, err1 := strconv.Atoi(w)
	height, err2 := strconv.Atoi(h)
	if !ok || err1 != nil || err2 != nil || width < 1 || height < 1 || width > 16384 || height > 16384 {
		return layers.View{}, fmt.Errorf("--size %q: want WxH, each 1..16384", size)
	}
	v := layers.View{CenterLon: pv.Lon, CenterLat: pv.Lat, Zoom: pv.Zoom, Width: width, Height: height, Scale: scale}
	if center != "" {
		lo, la, ok := strings.Cut(center, ",")
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		if !ok || err1 != nil || err2 != nil || !(lon >= -180 && lon <= 180 && lat >= -85.06 && lat <= 85.06) { // NaN fails too
			return layers.View{}, fmt.Errorf("--center %q: want LON,LAT in degrees", center)
		}
		v.CenterLon, v.CenterLat = lon, lat
	}
	if zoom >= 0 {
		v.Zoom = zoom
	}
	if !(v.Zoom >= 0 && v.Zoom <= 24) {
		return layers.View{}, fmt.Errorf("zoom %g: want 0..24", v.Zoom)
	}
	if !(scale >= 0.5 && scale <= 4) { // NaN fails too
		return layers.View{}, fmt.Errorf("--scale %g: want 0.5..4", scale)
	}
	return v, nil
}

// credentialLine is one line of a --credentials file.
type credentialLine struct {
	Source   string `json:"source"`
	Username string `json:"username"`
	Password string `json:"password"`
	Key      string `json:"key"`
}

// loadCredentials reads JSON lines into the workspace's session store.
// Errors name the line, never its content.
func loadCredentials(r io.Reader, ws *session.Workspace) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c credentialLine
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("line %d: not a credentials object", n)
		}
		src, err := vault.SourceOf(c.Source)
		if err != nil {
			return fmt.Errorf("line %d: source is not an http(s) URL", n)
		}
		cred := vault.Credential{Username: c.Username, Password: c.Password, Key: c.Key}
		if cred.IsZero() || (c.Key != "" && (c.Username != "" || c.Password != "")) {
			return fmt.Errorf("line %d: give either username and password, or key", n)
		}
		ws.SetCredential(src, cred)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading credentials: %w", err)
	}
	return nil
}

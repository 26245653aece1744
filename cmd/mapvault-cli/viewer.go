package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"slices"
	"strconv"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/project"
)

// The analyst's questions beyond the picture: identify (what is here),
// legend (what the symbols mean) and render's decorations.

const identifyUsage = `PROJECT --at LON,LAT [--zoom Z] [--json] [--timeout 2m] [--credentials FILE|-] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--no-keychain]

Asks every visible queryable layer of the project what is at LON,LAT, as a
click on the map at zoom Z (default: the project's) would: WMS layers with
GetFeatureInfo (the information format chosen from the capabilities),
vector layers from their own features. Prints per layer the features and
their attributes, as the server gave them; with --json one object:
  {"layers":[{"id":"parcels","name":"Parcels","features":[{"id":"...","attributes":{"code":"NL-1768"}}]}]}
Credentials and exit codes as for render: a layer without working
credentials is reported and skipped (exit 5); a layer whose query failed
is reported with its error (exit 1).`

const legendUsage = `PROJECT -o LEGEND.png [--scale S] [--timeout 2m] [--credentials FILE|-] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--no-keychain]

Draws the legend of the project's visible layers, top layer first, into a
PNG: WMS legend graphics (the style's LegendURL, else GetLegendGraphic),
vector layers from their style. A legend graphic on another origin than
the layer's source is fetched without the layer's credential.
Credentials and exit codes as for render.`

// identifyAnswer is identify's JSON output.
type identifyAnswer struct {
	Lon    float64         `json:"lon"`
	Lat    float64         `json:"lat"`
	Zoom   float64         `json:"zoom"`
	Layers []identifyLayer `json:"layers"`
}

type identifyLayer struct {
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	Features []identifyFeature `json:"features"`
	Error    string            `json:"error,omitempty"`
}

type identifyFeature struct {
	ID         string            `json:"id,omitempty"`
	Attributes layers.Attributes `json:"attributes"`
}

func runIdentify(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("identify", identifyUsage, io)
	at := fs.String("at", "", "the point `LON,LAT` to identify, in degrees")
	zoom := fs.Float64("zoom", -1, "web-mercator `ZOOM` level of the click (default: the project's)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pf := addProjectFlags(fs)
	pos, code := parseFlags(fs, args, 1)
	if code >= 0 {
		return code
	}
	if *at == "" {
		return fail(io, exitUsage, "identify needs --at LON,LAT")
	}
	d, code := pf.open(ctx, pos[0], io, env, layers.Options{}, func(pv project.View) (layers.View, error) {
		return renderView(pv, "1920x1080", *at, *zoom, 1)
	})
	if code >= 0 {
		return code
	}
	defer d.cancel()
	x, y := float64(d.view.Width)/2, float64(d.view.Height)/2
	answers := d.ws.Engine().Identify(d.rctx, d.view, d.specs, x, y)
	out := identifyAnswer{Lon: d.view.CenterLon, Lat: d.view.CenterLat, Zoom: d.view.Zoom, Layers: []identifyLayer{}}
	// Top layer first, as a results panel lists them.
	slices.Reverse(answers)
	for _, a := range answers {
		il := identifyLayer{ID: a.ID, Name: io.scrub.text(layerName(d.p, a.ID)), Features: []identifyFeature{}}
		if a.Err != nil {
			d.failed++
			il.Error = io.scrub.text(a.Err.Error())
			errLine(io, "layer %s: error: %v", a.ID, a.Err)
		}
		for _, f := range a.Features {
			il.Features = append(il.Features, identifyFeature{ID: io.scrub.text(f.ID), Attributes: scrubAttributes(f.Attributes, io)})
		}
		out.Layers = append(out.Layers, il)
	}
	if *asJSON {
		b, err := json.Marshal(out)
		if err != nil {
			return fail(io, exitFailure, "%v", err)
		}
		fmt.Fprintf(io.out, "%s\n", b)
	} else {
		printIdentify(io, out)
	}
	return d.exit(ctx, io, "query", "the answer")
}

// scrubAttributes makes what a server sent fit to print: names and text
// values through the scrubber (a server echoing a key back shows it
// redacted); numbers, booleans and nulls as they are.
func scrubAttributes(as layers.Attributes, io stdio) layers.Attributes {
	out := make(layers.Attributes, 0, len(as))
	for _, a := range as {
		v := a.Value
		switch t := v.(type) {
		case string:
			v = io.scrub.text(t)
		case json.RawMessage:
			v = json.RawMessage(io.scrub.text(string(t)))
			if !json.Valid(v.(json.RawMessage)) {
				v = io.scrub.text(string(t))
			}
		}
		out = append(out, layers.Attribute{Name: io.scrub.name(a.Name), Value: v})
	}
	return out
}

func printIdentify(io stdio, a identifyAnswer) {
	fmt.Fprintf(io.out, "at %s,%s zoom %g\n", strconv.FormatFloat(a.Lon, 'f', 6, 64), strconv.FormatFloat(a.Lat, 'f', 6, 64), a.Zoom)
	if len(a.Layers) == 0 {
		fmt.Fprintln(io.out, "no visible queryable layer")
	}
	for _, l := range a.Layers {
		title := l.ID
		if l.Name != "" && l.Name != l.ID {
			title += " (" + l.Name + ")"
		}
		switch {
		case l.Error != "":
			fmt.Fprintf(io.out, "layer %s: error: %s\n", title, l.Error)
			continue
		case len(l.Features) == 0:
			fmt.Fprintf(io.out, "layer %s: nothing here\n", title)
			continue
		}
		fmt.Fprintf(io.out, "layer %s: %d feature(s)\n", title, len(l.Features))
		for i, f := range l.Features {
			if f.ID != "" {
				fmt.Fprintf(io.out, "  feature %d (id %s)\n", i+1, f.ID)
			} else {
				fmt.Fprintf(io.out, "  feature %d\n", i+1)
			}
			for _, at := range f.Attributes {
				fmt.Fprintf(io.out, "    %s = %s\n", at.Name, at.Text())
			}
		}
	}
}

// layerName is the project layer's name, its ID when it has none.
func layerName(p *project.Project, id string) string { return session.LayerName(p, id) }

func runLegend(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("legend", legendUsage, io)
	out := fs.String("o", "", "output `PNG` file")
	scale := fs.Float64("scale", 1, "device pixel `RATIO` (2 for HiDPI)")
	pf := addProjectFlags(fs)
	pos, code := parseFlags(fs, args, 1)
	if code >= 0 {
		return code
	}
	if *out == "" {
		fs.Usage()
		return exitUsage
	}
	d, code := pf.open(ctx, pos[0], io, env, layers.Options{}, func(pv project.View) (layers.View, error) {
		return renderView(pv, "256x256", "", -1, *scale)
	})
	if code >= 0 {
		return code
	}
	defer d.cancel()
	painter, err := decor.NewPainter()
	if err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	ls := legendLayers(d, d.specs, io)
	img := painter.LegendImage(ls, d.view.Scale)
	if img == nil {
		if code := d.exit(ctx, io, "legend", "the legend"); code != exitOK {
			return code
		}
		return fail(io, exitFailure, "no visible layer has a legend; %s was not written", *out)
	}
	if err := session.WritePNG(*out, img); err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	errLine(io, "legend of %d layer(s): %dx%d", len(ls), img.Bounds().Dx(), img.Bounds().Dy())
	return d.exit(ctx, io, "legend", "the legend")
}

// legendLayers asks specs (bottom first) for their legends and returns
// them top first (session.Workspace.LegendLayers), reporting each layer
// whose legend cannot be had; those count as failed.
func legendLayers(d *drawing, specs []layers.LayerSpec, io stdio) []decor.LegendLayer {
	ls, failed := d.ws.LegendLayers(d.rctx, d.p, specs, d.view.Scale)
	reportLegendFailures(d, failed, io)
	return ls
}

func reportLegendFailures(d *drawing, failed []session.LayerError, io stdio) {
	for _, f := range failed {
		d.failed++
		errLine(io, "layer %s: legend: %v", f.ID, f.Err)
	}
}

// parseDecorations reads render's --decorations.
func parseDecorations(list string) (session.Decorations, error) {
	s, err := session.ParseDecorations(list)
	if err != nil {
		return s, fmt.Errorf("--decorations: %w", err)
	}
	return s, nil
}

// decorate draws the chosen decorations onto the rendered frame
// (session.Workspace.Decorate).
func decorate(d *drawing, img *image.RGBA, drawn []layers.LayerSpec, s session.Decorations, io stdio) error {
	failed, err := d.ws.Decorate(d.rctx, d.p, d.view, img, drawn, s)
	reportLegendFailures(d, failed, io)
	return err
}

package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"strings"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/project"
)

// Decorations chooses what Decorate draws onto a rendered frame.
type Decorations struct {
	ScaleBar, Attribution, Legend, NorthArrow, Title bool
}

// Any reports whether any decoration is chosen.
func (d Decorations) Any() bool {
	return d.ScaleBar || d.Attribution || d.Legend || d.NorthArrow || d.Title
}

// ErrUnknownDecoration: a name ParseDecorations does not know.
var ErrUnknownDecoration = errors.New("unknown decoration")

// ParseDecorations reads a comma-separated list of decorations: scalebar
// (or scale), attribution, legend, north (or northarrow), title, or all.
// Case and spaces do not matter; an empty list chooses none. An unknown
// name is an error wrapping ErrUnknownDecoration.
func ParseDecorations(list string) (Decorations, error) {
	var d Decorations
	if strings.TrimSpace(list) == "" {
		return d, nil
	}
	for _, name := range strings.Split(list, ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "scalebar", "scale":
			d.ScaleBar = true
		case "attribution":
			d.Attribution = true
		case "legend":
			d.Legend = true
		case "north", "northarrow":
			d.NorthArrow = true
		case "title":
			d.Title = true
		case "all":
			d = Decorations{true, true, true, true, true}
		default:
			return d, fmt.Errorf("%w %q (want scalebar, attribution, legend, north, title)", ErrUnknownDecoration, strings.TrimSpace(name))
		}
	}
	return d, nil
}

// LayerError is a layer whose part of a legend could not be had.
type LayerError struct {
	ID  string
	Err error
}

// LegendLayers asks specs (bottom first, as drawn) for their legends at
// scale device pixels per logical pixel and returns them top layer first,
// titled with the project layers' names; titles and labels, which may come
// from a server, are scrubbed (Scrub). A layer whose legend cannot be had
// keeps its title with the note "legend unavailable" and is listed in
// failed, top first.
func (w *Workspace) LegendLayers(ctx context.Context, p *project.Project, specs []layers.LayerSpec, scale float64) (ls []decor.LegendLayer, failed []LayerError) {
	answers := w.engine.Legend(ctx, specs, scale)
	ls = make([]decor.LegendLayer, 0, len(answers))
	for i := len(answers) - 1; i >= 0; i-- {
		a := answers[i]
		ll := decor.LegendLayer{Title: w.Scrub(LayerName(p, a.ID))}
		for _, it := range a.Items {
			it.Label = w.Scrub(it.Label)
			ll.Items = append(ll.Items, it)
		}
		if a.Err != nil {
			failed = append(failed, LayerError{ID: a.ID, Err: a.Err})
			ll.Note = "legend unavailable"
		}
		ls = append(ls, ll)
	}
	return ls, failed
}

// LayerName is the project layer's name, its ID when it has none (or id
// itself when the project has no such layer).
func LayerName(p *project.Project, id string) string {
	if p == nil {
		return id
	}
	for _, l := range p.Layers {
		if l.ID == id {
			if l.Name != "" {
				return l.Name
			}
			return l.ID
		}
	}
	return id
}

// Attributions are the credit lines of drawn (bottom first), top layer
// first, each once, scrubbed: the project layer's own attribution, else
// its source's.
func (w *Workspace) Attributions(drawn []layers.LayerSpec) []string {
	var out []string
	seen := map[string]bool{}
	for i := len(drawn) - 1; i >= 0; i-- {
		if a := strings.TrimSpace(drawn[i].AttributionText()); a != "" && !seen[a] {
			seen[a] = true
			out = append(out, w.Scrub(a))
		}
	}
	return out
}

// Decorate draws the chosen decorations onto img, a frame rendered for v
// from drawn (the specs that are in the image, bottom first): the scale
// bar for the view's centre, the attributions of the layers drawn, their
// legend (fetched now; its failures are returned), a north arrow and the
// project's title, all at v's scale. err is set only when the painter
// cannot be made.
func (w *Workspace) Decorate(ctx context.Context, p *project.Project, v layers.View, img *image.RGBA, drawn []layers.LayerSpec, d Decorations) (failed []LayerError, err error) {
	painter, err := decor.NewPainter()
	if err != nil {
		return nil, err
	}
	f := decor.Frame{MetersPerPixel: decor.MetersPerPixel(v.Zoom, v.CenterLat)}
	if d.Attribution {
		f.Attributions = w.Attributions(drawn)
	}
	if d.Legend {
		f.Legend, failed = w.LegendLayers(ctx, p, drawn, v.Scale)
	}
	o := decor.Options{ScaleBar: d.ScaleBar, Attribution: d.Attribution, Legend: d.Legend, NorthArrow: d.NorthArrow, Scale: v.Scale}
	if d.Title && p != nil {
		o.Title = w.Scrub(p.Title)
	}
	painter.Decorate(img, f, o)
	return failed, nil
}

// WritePNG writes img as a PNG file at path, atomically (the CLI's render
// and legend, the app's export).
func WritePNG(path string, img *image.RGBA) error {
	var buf bytes.Buffer
	if err := layers.EncodePNG(&buf, img); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return project.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"slices"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/project"
)

// ExportOptions says what File › Export map image… writes.
type ExportOptions struct {
	// Width and Height are the image's size in pixels.
	Width, Height int
	// DPI sets how large symbols and text are: DPI/96 times their size on
	// a 1× screen. The map shows Width/(DPI/96) × Height/(DPI/96) logical
	// pixels of the view, so the image is exactly Width × Height.
	DPI         float64
	Decorations session.Decorations
}

// Export limits.
const (
	exportMaxSide = 10000
	exportMinDPI  = 48
	exportMaxDPI  = 384
	baseDPI       = 96
)

// ErrExportOptions: export options out of range.
var ErrExportOptions = errors.New("export")

// Validate checks the sizes and the DPI.
func (o ExportOptions) Validate() error {
	switch {
	case o.Width < 1 || o.Width > exportMaxSide:
		return fmt.Errorf("%w: width %d: want 1 to %d pixels", ErrExportOptions, o.Width, exportMaxSide)
	case o.Height < 1 || o.Height > exportMaxSide:
		return fmt.Errorf("%w: height %d: want 1 to %d pixels", ErrExportOptions, o.Height, exportMaxSide)
	case !(o.DPI >= exportMinDPI && o.DPI <= exportMaxDPI):
		return fmt.Errorf("%w: DPI %g: want %d to %d", ErrExportOptions, o.DPI, exportMinDPI, exportMaxDPI)
	}
	return nil
}

// scale is the device pixel ratio the image is drawn at.
func (o ExportOptions) scale() float64 { return o.DPI / baseDPI }

// exportState is the export in flight, if any.
type exportState struct {
	cancel   context.CancelFunc
	progress *dialog.CustomDialog
	dlg      *exportDialog // the options dialog showing
}

// exportResult is what an export drew and left out.
type exportResult struct {
	blocked, missing, failed int
}

// note is the result's one line for path.
func (r exportResult) note(path string) string {
	s := "Exported " + path
	if r.blocked > 0 {
		s += fmt.Sprintf("; %d blocked layer(s) left out", r.blocked)
	}
	if r.missing > 0 {
		s += fmt.Sprintf("; %d layer(s) not loaded, left out", r.missing)
	}
	if r.failed > 0 {
		s += fmt.Sprintf("; %d layer(s) failed or incomplete", r.failed)
	}
	return s
}

// ExportTo renders the map's current view with the visible, unblocked
// layers into a PNG at path, in a goroutine, and calls done on the UI
// goroutine when it is written (or why not). The status bar says
// "Exporting…" and then the result; a progress dialog offers Cancel.
func (a *App) ExportTo(path string, o ExportOptions, done func(error)) {
	if err := o.Validate(); err != nil {
		a.finishExport(err, done)
		return
	}
	if a.export.cancel != nil {
		a.export.cancel()
	}
	d := a.doc
	var res exportResult
	for i := range d.proj.Layers {
		l := &d.proj.Layers[i]
		if !l.Visible {
			continue
		}
		src, ok := d.sourceOf(l)
		switch _, resolved := d.specs[l.ID]; {
		case ok && d.access(src).Blocked():
			res.blocked++
		case !resolved:
			res.missing++
		}
	}
	specs := d.drawSpecs()
	lon, lat, zoom := a.mapView.Center()
	s := o.scale()
	v := layers.View{CenterLon: lon, CenterLat: lat, Zoom: zoom,
		Width: int(math.Ceil(float64(o.Width) / s)), Height: int(math.Ceil(float64(o.Height) / s)), Scale: s}
	// Decorate reads the title and the layer names off the UI goroutine.
	p := &project.Project{Title: d.proj.Title, Layers: slices.Clone(d.proj.Layers)}
	ctx, cancel := context.WithCancel(d.ctx)
	a.export.cancel = cancel
	a.status.setNote("Exporting…")
	bar := widget.NewProgressBarInfinite()
	a.export.progress = dialog.NewCustom("Exporting…", "Cancel", container.NewPadded(bar), a.win)
	progress := a.export.progress
	progress.SetOnClosed(cancel) // Cancel; after the export it cancels nothing
	progress.Show()
	go func() {
		err := exportImage(ctx, d.ws, p, v, specs, o, path, &res)
		a.do(func() {
			bar.Stop()
			progress.Hide()
			cancel()
			if a.export.progress == progress {
				a.export.progress, a.export.cancel = nil, nil
			}
			if err == nil {
				a.status.setNote(res.note(path))
			}
			a.finishExport(err, done)
		})
	}()
}

func (a *App) finishExport(err error, done func(error)) {
	if err != nil {
		a.status.setNote("Export failed")
		a.showError(err)
	}
	if done != nil {
		done(err)
	}
}

// exportImage renders v, cuts it to exactly o's size, decorates and
// writes it; res counts the layers that failed.
func exportImage(ctx context.Context, ws *session.Workspace, p *project.Project, v layers.View, specs []layers.LayerSpec, o ExportOptions, path string, res *exportResult) error {
	frame, states, _ := ws.Engine().Render(ctx, v, specs, nil)
	if ctx.Err() != nil {
		return fmt.Errorf("export cancelled; %s was not written", path)
	}
	var drawn []layers.LayerSpec
	for _, s := range specs {
		switch st := states[s.ID]; st.Kind {
		case layers.StateOK:
			drawn = append(drawn, s)
		case layers.StateBlocked:
			res.blocked++
		default:
			res.failed++
			if st.Done > 0 {
				drawn = append(drawn, s)
			}
		}
	}
	if len(drawn) == 0 && res.failed+res.blocked > 0 && len(specs) > 0 {
		return fmt.Errorf("no layer could be drawn; %s was not written", path)
	}
	img := cropCentre(frame, o.Width, o.Height)
	failed, err := ws.Decorate(ctx, p, v, img, drawn, o.Decorations)
	if err != nil {
		return err
	}
	res.failed += len(failed)
	return session.WritePNG(path, img)
}

// cropCentre returns the w × h middle of img (which is at least that
// large: the view is rounded up to whole logical pixels).
func cropCentre(img *image.RGBA, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if img == nil {
		return out
	}
	b := img.Bounds()
	off := image.Pt(b.Min.X+max(0, b.Dx()-w)/2, b.Min.Y+max(0, b.Dy()-h)/2)
	draw.Draw(out, out.Bounds(), img, off, draw.Src)
	return out
}

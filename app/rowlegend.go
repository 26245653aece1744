package app

import (
	"context"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/project"
)

// rowLegend is a layer row's own legend, folded away until its button
// opens it: the layer's legend graphic or style swatches, fetched through
// the engine (the same credential rules as its tiles) when opened, and
// again when the layer's source changes.
type rowLegend struct {
	btn    *widget.Button
	img    *canvas.Image
	note   *widget.Label
	open   bool
	key    string // the spec key the image shows
	gen    uint64
	cancel context.CancelFunc
}

func newRowLegend(a *App, id string) *rowLegend {
	l := &rowLegend{img: canvas.NewImageFromImage(nil), note: widget.NewLabel("")}
	l.img.FillMode = canvas.ImageFillContain
	l.img.Hide()
	l.note.Importance = widget.LowImportance
	l.note.Hide()
	l.btn = widget.NewButtonWithIcon("", theme.ListIcon(), func() { a.toggleRowLegend(id) })
	l.btn.Importance = widget.LowImportance
	return l
}

// toggleRowLegend opens or folds a layer row's legend.
func (a *App) toggleRowLegend(id string) {
	r, ok := a.panel.rows[id]
	if !ok {
		return
	}
	l := r.legend
	l.open = !l.open
	if !l.open {
		l.stop()
		l.img.Hide()
		l.note.Hide()
		l.key = ""
		r.box.Refresh()
		return
	}
	a.updateRowLegend(r)
}

func (l *rowLegend) stop() {
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	l.gen++
}

// updateRowLegend fetches an open row legend whose layer changed.
func (a *App) updateRowLegend(r *layerRow) {
	l := r.legend
	if !l.open {
		return
	}
	d := a.doc
	spec, ok := d.specs[r.id]
	if !ok {
		l.img.Hide()
		l.note.SetText("No legend: the layer is not drawn")
		l.note.Show()
		l.key = ""
		r.box.Refresh()
		return
	}
	if spec.Key() == l.key {
		return
	}
	l.key = spec.Key()
	l.stop()
	gen := l.gen
	ctx, cancel := context.WithCancel(d.ctx)
	l.cancel = cancel
	scale := float64(a.win.Canvas().Scale())
	if scale <= 0 {
		scale = 1
	}
	l.note.SetText("Loading the legend…")
	l.note.Show()
	r.box.Refresh()
	proj := &project.Project{Layers: []project.Layer{{ID: r.id}}}
	painter := a.legend.painter
	go func() {
		var img *image.RGBA
		ls, failed := d.ws.LegendLayers(ctx, proj, []layers.LayerSpec{spec}, scale)
		for i := range ls {
			ls[i].Title = "" // the row names the layer
		}
		if painter != nil {
			img = painter.LegendImage(ls, scale)
		}
		a.do(func() {
			if l.gen != gen || a.doc != d {
				return
			}
			l.cancel = nil
			cancel()
			switch {
			case img != nil:
				b := img.Bounds()
				l.img.Image = img
				l.img.SetMinSize(fyne.NewSize(float32(float64(b.Dx())/scale), float32(float64(b.Dy())/scale)))
				l.img.Show()
				l.note.Hide()
			case len(failed) > 0:
				l.img.Hide()
				l.note.SetText("Legend unavailable: " + d.reason(failed[0].Err))
				l.note.Show()
			default:
				l.img.Hide()
				l.note.SetText("No legend")
				l.note.Show()
			}
			r.box.Refresh()
		})
	}()
}

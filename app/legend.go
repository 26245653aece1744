package app

import (
	"context"
	"image"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/project"
)

// legendDebounce: layer changes in quick succession (a resolve per layer
// after opening a project) fetch the legend once.
const legendDebounce = 150 * time.Millisecond

// legendHeight is the legend panel's height below the layer panel.
const legendHeight = 220

// legendPanel shows, below the layer panel, the legend of the layers the
// map draws (View › Legend), top layer first, drawn by the same painter as
// exported images' legends at the screen's scale. It follows the layers:
// visibility, order, names, unlocking, adding and removing.
type legendPanel struct {
	a       *App
	box     *fyne.Container
	img     *canvas.Image
	empty   *widget.Label
	content *fyne.Container // the image or "No legend"
	painter *decor.Painter

	around *fyne.Container // the layer panel with the legend below

	key    string             // what the legend shown (or being fetched) is of
	gen    uint64             // the fetch whose answer is wanted
	cancel context.CancelFunc // the fetch in flight
}

func newLegendPanel(a *App) *legendPanel {
	p := &legendPanel{a: a}
	p.painter, _ = decor.NewPainter() // nil: the panel says so
	p.img = canvas.NewImageFromImage(nil)
	p.img.FillMode = canvas.ImageFillContain
	p.img.ScaleMode = canvas.ImageScaleSmooth
	p.img.Hide()
	p.empty = widget.NewLabel("No legend")
	p.empty.Importance = widget.LowImportance
	title := widget.NewLabelWithStyle("Legend", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.content = container.NewVBox(container.NewHBox(p.img), p.empty)
	scroll := container.NewScroll(p.content)
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, legendHeight))
	p.box = container.NewStack(room, container.NewBorder(title, nil, nil, nil, scroll))
	p.box.Hide()
	return p
}

// withPanel returns the layer panel with the legend below it.
func (p *legendPanel) withPanel(panel fyne.CanvasObject) fyne.CanvasObject {
	p.around = container.NewBorder(nil, p.box, nil, nil, panel)
	return p.around
}

// ToggleLegend shows or hides the legend panel (View › Legend).
func (a *App) ToggleLegend() {
	p := a.legend
	if p.box.Visible() {
		p.box.Hide()
		p.around.Refresh()
		p.stop()
		p.key = ""
		return
	}
	p.box.Show()
	p.around.Refresh()
	p.update()
}

func (p *legendPanel) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.gen++
}

// update fetches the legend again when the layers it shows changed. It is
// called from App.refresh after every document change; the fetch runs in
// a goroutine after legendDebounce and hands the image back through a.do.
func (p *legendPanel) update() {
	a := p.a
	if !p.box.Visible() || a.doc == nil {
		return
	}
	d := a.doc
	specs := d.drawSpecs()
	scale := float64(a.win.Canvas().Scale())
	if scale <= 0 {
		scale = 1
	}
	key := legendKey(d.proj, specs, scale)
	if key == p.key {
		return
	}
	p.key = key
	p.stop()
	gen := p.gen
	ctx, cancel := context.WithCancel(d.ctx)
	p.cancel = cancel
	// The legend's titles are the layer names, read off the UI goroutine.
	proj := &project.Project{Title: d.proj.Title, Layers: slices.Clone(d.proj.Layers)}
	painter := p.painter
	go func() {
		t := time.NewTimer(legendDebounce)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var img *image.RGBA
		if painter != nil {
			ls, _ := d.ws.LegendLayers(ctx, proj, specs, scale)
			img = painter.LegendImage(ls, scale)
		}
		if ctx.Err() != nil {
			return
		}
		a.do(func() {
			if p.gen == gen {
				p.cancel = nil
				cancel()
				p.show(img, scale)
			}
		})
	}()
}

// show puts img, drawn at scale device pixels per logical pixel, in the
// panel at its logical size; nil says there is no legend.
func (p *legendPanel) show(img *image.RGBA, scale float64) {
	if img == nil {
		p.img.Image = nil
		p.img.Hide()
		p.empty.Show()
		p.content.Refresh()
		return
	}
	b := img.Bounds()
	p.img.Image = img
	p.img.SetMinSize(fyne.NewSize(float32(float64(b.Dx())/scale), float32(float64(b.Dy())/scale)))
	p.empty.Hide()
	p.img.Show()
	p.content.Refresh()
}

// legendKey says what a legend shows: the layers drawn (top first) with
// their names and sources, and the scale.
func legendKey(proj *project.Project, specs []layers.LayerSpec, scale float64) string {
	var sb strings.Builder
	sb.WriteString(strconv.FormatFloat(scale, 'g', -1, 64))
	for _, s := range slices.Backward(specs) {
		name := s.ID
		if l, ok := proj.Layer(s.ID); ok {
			name = layerTitle(l)
		}
		sb.WriteString("\x00" + s.ID + "\x00" + name + "\x00" + s.Key())
	}
	return sb.String()
}

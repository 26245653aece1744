package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers/decor"
)

// Scale bar overlay layout, logical pixels.
const (
	scaleBarMax    = 120 // longest bar
	scaleBarThick  = 4
	scaleBarTick   = 8
	scaleBarMargin = 8
)

// scaleBar is the map's scale bar, drawn over the map's bottom-left
// corner: a bar of a nice ground length (layers/decor's NiceScaleBar, as
// the CLI's decorations) with its label above.
type scaleBar struct {
	widget.BaseWidget

	meters, px float64
	label      *canvas.Text
	back       *canvas.Rectangle // a light backing so the bar reads on any map
	bar        *canvas.Rectangle
	left       *canvas.Rectangle
	right      *canvas.Rectangle
}

func newScaleBar() *scaleBar {
	ink := color.NRGBA{A: 230}
	s := &scaleBar{
		label: canvas.NewText("", ink),
		back:  canvas.NewRectangle(color.NRGBA{R: 255, G: 255, B: 255, A: 170}),
		bar:   canvas.NewRectangle(ink),
		left:  canvas.NewRectangle(ink),
		right: canvas.NewRectangle(ink),
	}
	s.label.TextSize = theme.CaptionTextSize()
	s.back.CornerRadius = 3
	s.ExtendBaseWidget(s)
	return s
}

// update sets the bar for the view at lat and zoom.
func (s *scaleBar) update(lat, zoom float64) {
	m, px, label := decor.NiceScaleBar(decor.MetersPerPixel(zoom, lat), scaleBarMax)
	if m == s.meters && px == s.px && label == s.label.Text {
		return
	}
	s.meters, s.px = m, px
	s.label.Text = label
	s.Refresh()
}

// Text is the bar's label ("20 km"), "" when no bar fits.
func (s *scaleBar) Text() string { return s.label.Text }

func (s *scaleBar) CreateRenderer() fyne.WidgetRenderer { return &scaleBarRenderer{s: s} }

type scaleBarRenderer struct{ s *scaleBar }

func (r *scaleBarRenderer) MinSize() fyne.Size {
	ts := r.s.label.MinSize()
	return fyne.NewSize(scaleBarMax+2*scaleBarMargin, ts.Height+scaleBarTick+2*scaleBarMargin)
}

func (r *scaleBarRenderer) Layout(size fyne.Size) {
	s := r.s
	w := float32(s.px)
	show := w > 0
	for _, o := range r.Objects() {
		if show {
			o.Show()
		} else {
			o.Hide()
		}
	}
	if !show {
		return
	}
	ts := s.label.MinSize()
	bottom := size.Height - scaleBarMargin
	x := float32(scaleBarMargin)
	s.back.Move(fyne.NewPos(x-4, bottom-scaleBarTick-ts.Height-4))
	s.back.Resize(fyne.NewSize(max(w, ts.Width)+8, ts.Height+scaleBarTick+6))
	s.bar.Move(fyne.NewPos(x, bottom-scaleBarThick))
	s.bar.Resize(fyne.NewSize(w, scaleBarThick))
	s.left.Move(fyne.NewPos(x, bottom-scaleBarTick))
	s.left.Resize(fyne.NewSize(1.5, scaleBarTick))
	s.right.Move(fyne.NewPos(x+w-1.5, bottom-scaleBarTick))
	s.right.Resize(fyne.NewSize(1.5, scaleBarTick))
	s.label.Move(fyne.NewPos(max(x, x+(w-ts.Width)/2), bottom-scaleBarTick-ts.Height))
	s.label.Resize(ts)
}

func (r *scaleBarRenderer) Refresh() {
	r.Layout(r.s.Size())
	for _, o := range r.Objects() {
		canvas.Refresh(o)
	}
}

func (r *scaleBarRenderer) Objects() []fyne.CanvasObject {
	s := r.s
	return []fyne.CanvasObject{s.back, s.bar, s.left, s.right, s.label}
}

func (r *scaleBarRenderer) Destroy() {}

package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
)

// statusBar shows the cursor position, zoom and scale, tile loading and
// one-line notes (such as an unavailable keychain).
type statusBar struct {
	fa      fyne.App // preferences (coordinate format) and clipboard
	cursor  *coordLabel
	format  *widget.Select
	copyBtn *widget.Button
	coords  coordFormat
	// last is the position last hovered or clicked: what Copy copies.
	last    [2]float64
	hasLast bool
	view    *widget.Label
	loading *widget.Label
	spinner *widget.ProgressBarInfinite
	note    *widget.Label
	box     *fyne.Container
}

func newStatusBar(fa fyne.App) *statusBar {
	s := &statusBar{
		fa:      fa,
		coords:  parseCoordFormat(fa.Preferences().String(prefCoordFormat)),
		view:    widget.NewLabel(""),
		loading: widget.NewLabel(""),
		spinner: widget.NewProgressBarInfinite(),
		note:    widget.NewLabel(""),
	}
	s.cursor = newCoordLabel(s)
	s.newCoordControls()
	s.note.Truncation = fyne.TextTruncateEllipsis
	s.spinner.Hide()
	s.spinner.Stop()
	s.loading.Hide()
	spin := container.NewGridWrap(fyne.NewSize(80, s.loading.MinSize().Height), s.spinner)
	s.box = container.NewBorder(nil, nil,
		container.NewHBox(s.format, s.copyBtn, s.cursor, s.view),
		container.NewHBox(s.loading, spin),
		s.note)
	return s
}

func (s *statusBar) object() fyne.CanvasObject { return s.box }

// setCursor shows the position under the pointer. When the pointer leaves
// the map the last position stays (as in QGIS), so that it can be clicked
// to switch the format or copied.
func (s *statusBar) setCursor(lon, lat float64, inside bool) {
	if !inside {
		return
	}
	s.last, s.hasLast = [2]float64{lon, lat}, true
	s.cursor.SetText(formatCoord(s.coords, lon, lat))
}

func (s *statusBar) setView(lat, zoom float64) {
	s.view.SetText("zoom " + strconv.FormatFloat(zoom, 'f', 2, 64) + "   " + formatScale(layers.ScaleDenominator(lat, zoom)))
}

// setLoading shows the indicator while tiles are pending.
func (s *statusBar) setLoading(fetching bool, pending int) {
	if !fetching || pending == 0 {
		if s.spinner.Visible() {
			s.spinner.Stop()
			s.spinner.Hide()
		}
		s.loading.Hide()
		return
	}
	s.loading.SetText("Loading " + strconv.Itoa(pending) + " tiles…")
	s.loading.Show()
	if !s.spinner.Visible() {
		s.spinner.Show()
		s.spinner.Start()
	}
}

func (s *statusBar) setNote(text string) { s.note.SetText(text) }

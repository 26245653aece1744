package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newCoordControls builds the status bar's coordinate format switch and
// its Copy button.
func (s *statusBar) newCoordControls() {
	labels := make([]string, len(coordFormats))
	for i, c := range coordFormats {
		labels[i] = c.label
	}
	s.format = widget.NewSelect(labels, func(label string) {
		for _, c := range coordFormats {
			if c.label == label {
				s.setCoordFormat(c.f)
			}
		}
	})
	s.format.SetSelected(coordFormatLabel(s.coords))
	s.copyBtn = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), s.copyCoords)
	s.copyBtn.Importance = widget.LowImportance
}

func coordFormatLabel(f coordFormat) string {
	for _, c := range coordFormats {
		if c.f == f {
			return c.label
		}
	}
	return coordFormats[0].label
}

// setCoordFormat switches the format, remembers it in the preferences and
// rewrites the position shown.
func (s *statusBar) setCoordFormat(f coordFormat) {
	if f == s.coords {
		return
	}
	s.coords = f
	s.fa.Preferences().SetString(prefCoordFormat, string(f))
	if s.format.Selected != coordFormatLabel(f) {
		s.format.SetSelected(coordFormatLabel(f))
	}
	if s.cursor.Text != "" && s.hasLast {
		s.cursor.SetText(formatCoord(f, s.last[0], s.last[1]))
	}
}

// nextCoordFormat cycles through the formats (a click on the position).
func (s *statusBar) nextCoordFormat() {
	for i, c := range coordFormats {
		if c.f == s.coords {
			s.setCoordFormat(coordFormats[(i+1)%len(coordFormats)].f)
			return
		}
	}
}

// clicked records a position clicked on the map: Copy copies it.
func (s *statusBar) clicked(lon, lat float64) {
	s.last, s.hasLast = [2]float64{lon, lat}, true
}

// coordText is the last hovered or clicked position in the chosen format.
func (s *statusBar) coordText() (string, bool) {
	if !s.hasLast {
		return "", false
	}
	return formatCoord(s.coords, s.last[0], s.last[1]), true
}

// copyCoords puts the last position on the clipboard.
func (s *statusBar) copyCoords() {
	if t, ok := s.coordText(); ok {
		s.fa.Clipboard().SetContent(t)
	}
}

// coordLabel is the status bar's position: a click switches the format, a
// right-click offers "Copy coordinates" and the formats.
type coordLabel struct {
	widget.Label
	s *statusBar
}

func newCoordLabel(s *statusBar) *coordLabel {
	l := &coordLabel{s: s}
	l.ExtendBaseWidget(l)
	return l
}

// Tapped implements fyne.Tappable.
func (l *coordLabel) Tapped(*fyne.PointEvent) { l.s.nextCoordFormat() }

// TappedSecondary implements fyne.SecondaryTappable.
func (l *coordLabel) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(l)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(l.s.coordMenu(), c, ev.AbsolutePosition)
}

// coordMenu is the position's context menu.
func (s *statusBar) coordMenu() *fyne.Menu {
	cp := fyne.NewMenuItem("Copy coordinates", s.copyCoords)
	cp.Disabled = !s.hasLast
	items := []*fyne.MenuItem{cp, fyne.NewMenuItemSeparator()}
	for _, c := range coordFormats {
		it := fyne.NewMenuItem(c.label, func() { s.setCoordFormat(c.f) })
		it.Checked = c.f == s.coords
		items = append(items, it)
	}
	return fyne.NewMenu("", items...)
}

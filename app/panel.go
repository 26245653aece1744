package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/layers/wms"
)

// layerPanel is the ordered layer list: the top of the list is the top of
// the map (the last project layer).
type layerPanel struct {
	a      *App
	list   *fyne.Container
	rows   map[string]*layerRow
	order  []string // layer ids as shown, top first
	key    string   // layoutKey of the rows shown
	empty  *widget.Label
	addBtn *widget.Button
	box    fyne.CanvasObject

	headers  []*groupHeader  // group header rows shown
	folded   map[string]bool // groups folded (this session only)
	removing *removeDialog   // the "Remove layer?" question showing
	props    *propsDialog    // the layer properties showing
}

// layerRow is one layer's controls.
type layerRow struct {
	id      string
	handle  *dragHandle // drag to move the layer (panel_drag.go)
	eye     *widget.Button
	name    *widget.Label
	opacity *widget.Slider
	up      *widget.Button
	down    *widget.Button
	zoom    *widget.Button
	remove  *widget.Button
	props   *widget.Button
	badge   *widget.Icon
	reason  *widget.Label
	unlock  *widget.Button
	state   *fyne.Container
	legend  *rowLegend // the layer's own legend, folded (rowlegend.go)
	box     *fyne.Container
}

func newLayerPanel(a *App) *layerPanel {
	p := &layerPanel{a: a, rows: map[string]*layerRow{}}
	p.list = container.NewVBox()
	p.empty = widget.NewLabel("No layers yet. Use “Add layer…”.")
	p.empty.Wrapping = fyne.TextWrapWord
	p.addBtn = widget.NewButtonWithIcon("Add layer…", theme.ContentAddIcon(), a.AddLayerDialog)
	title := widget.NewLabelWithStyle("Layers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.box = container.NewBorder(container.NewBorder(nil, nil, nil, p.addBtn, title), nil, nil, nil,
		container.NewVScroll(p.list))
	return p
}

func (p *layerPanel) object() fyne.CanvasObject { return p.box }

// update rebuilds the rows when the layer list changed and refreshes every
// row's state in place.
func (p *layerPanel) update() {
	d := p.a.doc
	order := make([]string, 0, len(d.proj.Layers))
	for i := len(d.proj.Layers) - 1; i >= 0; i-- {
		order = append(order, d.proj.Layers[i].ID)
	}
	if key := p.layoutKey(order); key != p.key {
		p.key, p.order = key, order
		rows := map[string]*layerRow{}
		for _, id := range order {
			r, ok := p.rows[id]
			if !ok {
				r = p.newRow(id)
			}
			rows[id] = r
		}
		p.rows = rows
		objs, headers := p.layout(order)
		p.headers = headers
		if len(objs) == 0 {
			objs = append(objs, p.empty)
		}
		p.list.Objects = objs
		p.list.Refresh()
	}
	for i, id := range order {
		p.updateRow(p.rows[id], i == 0, i == len(order)-1)
	}
	for _, g := range p.headers {
		p.updateHeader(g)
	}
}

func (p *layerPanel) newRow(id string) *layerRow {
	a := p.a
	r := &layerRow{id: id}
	r.eye = widget.NewButtonWithIcon("", theme.VisibilityIcon(), func() { a.ToggleVisible(id) })
	r.eye.Importance = widget.LowImportance
	r.handle = newDragHandle(p, id)
	r.name = widget.NewLabel("")
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.opacity = widget.NewSlider(0, 1)
	r.opacity.Step = 0.05
	r.opacity.OnChanged = func(v float64) { a.SetOpacity(id, v, false) }
	r.opacity.OnChangeEnded = func(v float64) { a.SetOpacity(id, v, true) }
	r.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { a.MoveLayer(id, +1) })
	r.down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { a.MoveLayer(id, -1) })
	r.zoom = widget.NewButtonWithIcon("", theme.ZoomFitIcon(), func() { a.ZoomToLayer(id) })
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.RemoveLayer(id) })
	r.props = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { a.LayerProperties(id) })
	for _, b := range []*widget.Button{r.up, r.down, r.zoom, r.props, r.remove} {
		b.Importance = widget.LowImportance
	}
	r.badge = widget.NewIcon(theme.WarningIcon())
	r.reason = widget.NewLabel("")
	r.reason.Truncation = fyne.TextTruncateEllipsis
	r.unlock = widget.NewButtonWithIcon("Unlock…", theme.LoginIcon(), func() { a.Unlock(id) })
	r.state = container.NewBorder(nil, nil, r.badge, r.unlock, r.reason)
	r.legend = newRowLegend(a, id)
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(r.handle, r.eye), container.NewHBox(r.up, r.down, r.zoom, r.remove), r.name),
		container.NewBorder(nil, nil, widget.NewLabel("Opacity"), container.NewHBox(r.legend.btn, r.props), r.opacity),
		r.state,
		container.NewHBox(r.legend.img, r.legend.note),
	)
	return r
}

// rowStatus is what a row says about its layer.
type rowStatus struct {
	warn    bool   // show the warning badge
	reason  string // one line
	blocked bool   // offer "Unlock…"
	// unlockable: not blocked, but the server's answer may be what it shows
	// anonymous users (a layer it hides until sign-in): offer "Unlock…" too.
	unlockable bool
}

// layerStatus decides the row's badge and reason.
func (a *App) layerStatus(id string) rowStatus {
	d := a.doc
	l, ok := d.proj.Layer(id)
	if !ok {
		return rowStatus{}
	}
	src, err := d.ws.LayerSource(d.proj, *l)
	if err != nil {
		return rowStatus{warn: true, reason: errorReason(err)}
	}
	if acc := d.access(src); acc.Blocked() {
		return rowStatus{warn: true, reason: acc.Reason, blocked: true}
	}
	if r, ok := d.specErr[id]; ok {
		return rowStatus{warn: true, reason: r, unlockable: true}
	}
	s, ok := d.states[id]
	switch {
	case !ok:
		if d.resolving[id] {
			return rowStatus{reason: "loading…"}
		}
	case s.Kind == layers.StateError:
		r := d.serverText(s.Reason) // the engine's Reason may quote a server
		if r == "" {
			r = "server unreachable"
		}
		return rowStatus{warn: true, reason: r}
	case s.Kind == layers.StateBlocked:
		return rowStatus{warn: true, reason: d.serverText(s.Reason), blocked: true}
	case s.Kind == layers.StateLoading:
		return rowStatus{reason: "loading…"}
	}
	return rowStatus{}
}

func (p *layerPanel) updateRow(r *layerRow, top, bottom bool) {
	a := p.a
	l, ok := a.doc.proj.Layer(r.id)
	if !ok {
		return
	}
	a.updateRowLegend(r)
	icon := theme.VisibilityIcon()
	if !l.Visible {
		icon = theme.VisibilityOffIcon()
	}
	if r.eye.Icon != icon {
		r.eye.SetIcon(icon)
	}
	if t := layerTitle(l); r.name.Text != t {
		r.name.SetText(t)
	}
	if r.opacity.Value != l.Opacity {
		r.opacity.Value = l.Opacity
		r.opacity.Refresh()
	}
	setEnabled(r.up, !top)
	setEnabled(r.down, !bottom)
	st := a.layerStatus(r.id)
	if r.reason.Text != st.reason {
		r.reason.SetText(st.reason)
	}
	showIf(r.badge, st.warn)
	showIf(r.unlock, st.blocked || st.unlockable)
	showIf(r.state, st.reason != "")
}

func setEnabled(b *widget.Button, on bool) {
	if on && b.Disabled() {
		b.Enable()
	} else if !on && !b.Disabled() {
		b.Disable()
	}
}

func showIf(o fyne.CanvasObject, on bool) {
	if on && !o.Visible() {
		o.Show()
	} else if !on && o.Visible() {
		o.Hide()
	}
}

// Unlock opens the credential prompt for the layer's source.
func (a *App) Unlock(id string) {
	l, ok := a.doc.proj.Layer(id)
	if !ok {
		return
	}
	if src, ok := a.doc.sourceOf(l); ok {
		a.askFor(src, false)
	}
}

// ZoomToLayer fits the view to the layer's geographic bounding box from the
// capabilities (fetched in a goroutine).
func (a *App) ZoomToLayer(id string) {
	d := a.doc
	l, ok := d.proj.Layer(id)
	if !ok || len(l.WMS.Layers) == 0 {
		return
	}
	srcURL, name := l.Source, l.WMS.Layers[0]
	if src, ok := d.sourceOf(l); ok {
		if acc := d.access(src); acc.Blocked() {
			a.status.setNote("Zoom to layer: " + layerTitle(l) + " " + acc.Reason)
			return
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		caps, err := wms.CapabilitiesFrom(ctx, d.ws.Catalog(), d.proj.Resolve(srcURL))
		a.do(func() {
			if a.doc != d {
				return
			}
			if err != nil {
				a.status.setNote("Zoom to layer: " + d.reason(err))
				return
			}
			cl := caps.Find(name)
			if cl == nil || cl.GeographicBBox == nil {
				a.status.setNote("Zoom to layer: the service states no extent for " + name)
				return
			}
			b := cl.GeographicBBox
			s := a.mapView.Size()
			lon, lat, z := layers.FitBounds(b, float64(s.Width), float64(s.Height), maxZoom)
			a.mapView.SetCenter(lon, lat, z)
		})
	}()
}

package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers/wms"
	"mapvault/project"
)

// propsDialog is the "Layer properties" dialog showing: the editable name,
// attribution and (for WMS, once the capabilities are in) styles; what the
// project and the service say about the layer read-only. OK applies the
// changes as one undo step.
type propsDialog struct {
	id     string
	dlg    *dialog.ConfirmDialog
	body   fyne.CanvasObject
	name   *widget.Entry
	attrib *widget.Entry
	caps   *fyne.Container // "Loading…", then what the service says
	// styles has one Select per WMS layer name once the capabilities are
	// in; styleNames maps each one's options to style names.
	styles     []*widget.Select
	styleNames []map[string]string
	dims       []*dimControl // the WMS dimensions' controls (layerdims.go)
	closed     bool
}

// defaultStyle is the style Select's option for the server's default.
const defaultStyle = "(default)"

// maxCRSShown bounds the CRS list in the dialog.
const maxCRSShown = 20

// layerProps is what the dialog edits.
type layerProps struct {
	name, attribution string
	styles            []string
}

func propsOf(l *project.Layer) layerProps {
	return layerProps{name: l.Name, attribution: l.Attribution, styles: slices.Clone(l.WMS.Styles)}
}

// LayerProperties opens the properties dialog of a layer.
func (a *App) LayerProperties(id string) {
	d := a.doc
	l, ok := d.proj.Layer(id)
	if !ok {
		return
	}
	p := a.panel
	if p.props != nil {
		p.props.closed = true
		p.props.dlg.Hide()
	}
	pd := &propsDialog{id: id}
	pd.name = widget.NewEntry()
	pd.name.SetText(l.Name)
	pd.attrib = widget.NewEntry()
	pd.attrib.SetText(l.Attribution)
	pd.attrib.SetPlaceHolder("the service's own")

	ro := func(s string) *widget.Label {
		lb := widget.NewLabel(s)
		lb.Wrapping = fyne.TextWrapWord
		return lb
	}
	form := widget.NewForm(
		widget.NewFormItem("Name", pd.name),
		widget.NewFormItem("Kind", ro(string(l.Kind))),
		widget.NewFormItem("Source", ro(d.serverText(l.Source))),
	)
	for _, it := range kindItems(l) {
		form.AppendItem(widget.NewFormItem(it[0], ro(it[1])))
	}
	form.AppendItem(widget.NewFormItem("Attribution", pd.attrib))
	content := container.NewVBox(form)
	if l.Kind == project.KindWMS && len(l.WMS.Layers) > 0 {
		pd.caps = container.NewVBox(widget.NewLabel("Loading…"))
		content.Add(widget.NewLabelWithStyle("What the service says", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		content.Add(pd.caps)
		a.loadPropsCapabilities(pd, *l)
	}
	pd.body = container.NewVScroll(content)
	pd.dlg = dialog.NewCustomConfirm("Layer properties — "+layerTitle(l), "OK", "Cancel",
		pd.body, func(ok bool) {
			pd.closed = true
			if p.props == pd {
				p.props = nil
			}
			if ok && a.doc == d {
				a.applyProps(pd)
			}
		}, a.win)
	pd.dlg.Resize(fyne.NewSize(640, 560))
	pd.dlg.Show()
	p.props = pd
}

// kindItems are the read-only fields of the layer's kind, as label/value.
func kindItems(l *project.Layer) [][2]string {
	orDefault := func(s string) string {
		if s == "" {
			return "default"
		}
		return s
	}
	var out [][2]string
	switch {
	case l.Kind == project.KindWMS:
		styles := make([]string, len(l.WMS.Layers))
		for i := range styles {
			if i < len(l.WMS.Styles) {
				styles[i] = orDefault(l.WMS.Styles[i])
			} else {
				styles[i] = "default"
			}
		}
		out = append(out, [2]string{"WMS layers", strings.Join(l.WMS.Layers, ", ")},
			[2]string{"Styles", strings.Join(styles, ", ")},
			[2]string{"Format", orDefault(l.WMS.Format)})
	case l.Kind == project.KindWMTS:
		out = append(out, [2]string{"WMTS layer", l.WMTS.Layer}, [2]string{"Style", orDefault(l.WMTS.Style)},
			[2]string{"Matrix set", l.WMTS.MatrixSet}, [2]string{"Format", orDefault(l.WMTS.Format)})
	case l.Kind.Vector():
		s := l.Style
		out = append(out, [2]string{"Fill", orDefault(string(s.Fill))}, [2]string{"Stroke", orDefault(string(s.Stroke))})
		width := "default"
		if s.Width > 0 {
			width = fmt.Sprintf("%g px", s.Width)
		}
		out = append(out, [2]string{"Stroke width", width})
		if s.Attribute != "" {
			out = append(out, [2]string{"Categories", fmt.Sprintf("%d by “%s”", len(s.Categories), s.Attribute)})
		}
	}
	return out
}

// loadPropsCapabilities fetches the layer's WMS capabilities from the
// session catalog in a goroutine and fills the dialog's service section.
func (a *App) loadPropsCapabilities(pd *propsDialog, l project.Layer) {
	d := a.doc
	if src, ok := d.sourceOf(&l); ok {
		if acc := d.access(src); acc.Blocked() {
			pd.caps.Objects = []fyne.CanvasObject{widget.NewLabel("Not available: " + acc.Reason)}
			return
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		caps, err := wms.CapabilitiesFrom(ctx, d.ws.Catalog(), d.proj.Resolve(l.Source))
		a.do(func() {
			if a.doc != d || pd.closed {
				return
			}
			if err != nil {
				pd.caps.Objects = []fyne.CanvasObject{widget.NewLabel("Not available: " + d.reason(err))}
				pd.caps.Refresh()
				return
			}
			a.showPropsCapabilities(pd, &l, caps)
		})
	}()
}

// showPropsCapabilities fills the service section: per WMS layer name its
// title, abstract, extent, CRS list and a Select of its styles. All text
// the server sent is scrubbed; a style whose name does not survive the
// scrub intact is not offered.
func (a *App) showPropsCapabilities(pd *propsDialog, l *project.Layer, caps *wms.Capabilities) {
	scrub := a.doc.serverText
	ro := func(s string) *widget.Label {
		lb := widget.NewLabel(s)
		lb.Wrapping = fyne.TextWrapWord
		return lb
	}
	form := widget.NewForm()
	if t := scrub(caps.Title); t != "" {
		form.AppendItem(widget.NewFormItem("Service", ro(t)))
	}
	pd.styles = make([]*widget.Select, len(l.WMS.Layers))
	pd.styleNames = make([]map[string]string, len(l.WMS.Layers))
	for i, name := range l.WMS.Layers {
		label := func(s string) string {
			if len(l.WMS.Layers) > 1 {
				return s + " (" + name + ")"
			}
			return s
		}
		current := ""
		if i < len(l.WMS.Styles) {
			current = l.WMS.Styles[i]
		}
		names := map[string]string{defaultStyle: ""}
		options := []string{defaultStyle}
		selected := defaultStyle
		addOption := func(opt, style string) {
			if _, dup := names[opt]; dup {
				return
			}
			names[opt] = style
			options = append(options, opt)
			if style == current {
				selected = opt
			}
		}
		cl := caps.Find(name)
		if cl == nil {
			form.AppendItem(widget.NewFormItem(label("Layer"), ro("not in the service's capabilities")))
		} else {
			if t := scrub(cl.Title); t != "" {
				form.AppendItem(widget.NewFormItem(label("Title"), ro(t)))
			}
			if ab := scrub(cl.Abstract); ab != "" {
				form.AppendItem(widget.NewFormItem(label("Abstract"), ro(ab)))
			}
			if b := cl.GeographicBBox; b != nil {
				form.AppendItem(widget.NewFormItem(label("Extent"), ro(fmt.Sprintf("W %.4f, S %.4f, E %.4f, N %.4f (lon/lat)",
					b.Min(0), b.Min(1), b.Max(0), b.Max(1)))))
			}
			if crs := cl.CRS(); len(crs) > 0 {
				form.AppendItem(widget.NewFormItem(label("CRS"), ro(crsList(crs, scrub))))
			}
			if at := cl.Attribution; at.Title != "" {
				form.AppendItem(widget.NewFormItem(label("Service attribution"), ro(scrub(at.Title))))
			}
			for _, it := range layerFacts(cl, label, scrub, ro) {
				form.AppendItem(it)
			}
			for _, s := range cl.Styles() {
				if s.Name == "" || scrub(s.Name) != s.Name {
					continue
				}
				opt := s.Name
				if t := scrub(s.Title); t != "" && t != s.Name {
					opt = t + " — " + s.Name
				}
				addOption(opt, s.Name)
			}
		}
		if current != "" && selected == defaultStyle {
			addOption(current, current) // kept though the service no longer lists it
		}
		sel := widget.NewSelect(options, nil)
		sel.SetSelected(selected)
		pd.styles[i], pd.styleNames[i] = sel, names
		form.AppendItem(widget.NewFormItem(label("Style"), sel))
	}
	for _, it := range a.dimensionItems(pd, l, propsDimensions(caps, l.WMS.Layers, scrub)) {
		form.AppendItem(it)
	}
	pd.caps.Objects = []fyne.CanvasObject{form}
	pd.caps.Refresh()
}

// crsList is the first maxCRSShown CRS, then "…".
func crsList(crs []string, scrub func(string) string) string {
	n := min(len(crs), maxCRSShown)
	out := make([]string, 0, n+1)
	for _, c := range crs[:n] {
		out = append(out, scrub(c))
	}
	if len(crs) > n {
		out = append(out, fmt.Sprintf("… (%d in all)", len(crs)))
	}
	return strings.Join(out, ", ")
}

// applyProps applies what the dialog changed as one undo step.
func (a *App) applyProps(pd *propsDialog) {
	l, ok := a.doc.proj.Layer(pd.id)
	if !ok {
		return
	}
	before := propsOf(l)
	after := before
	after.name = strings.TrimSpace(pd.name.Text)
	after.attribution = strings.TrimSpace(pd.attrib.Text)
	if pd.styles != nil {
		styles := make([]string, len(l.WMS.Layers))
		chosen := false
		for i, sel := range pd.styles {
			styles[i] = pd.styleNames[i][sel.Selected]
			chosen = chosen || styles[i] != ""
		}
		if chosen || len(before.styles) > 0 {
			after.styles = styles
		}
	}
	if after.name == before.name && after.attribution == before.attribution && slices.Equal(after.styles, before.styles) {
		return
	}
	id := pd.id
	a.setProps(id, after)
	a.doc.undo.push(panelEdit{what: "Layer properties",
		undo: func() { a.setProps(id, before) },
		redo: func() { a.setProps(id, after) }})
	a.markDirty()
	a.refresh()
}

// setProps writes the dialog's fields into the layer; a style change
// resolves the layer again.
func (a *App) setProps(id string, p layerProps) {
	l, ok := a.doc.proj.Layer(id)
	if !ok {
		return
	}
	l.Name, l.Attribution = p.name, p.attribution
	if !slices.Equal(l.WMS.Styles, p.styles) {
		l.WMS.Styles = slices.Clone(p.styles)
		a.forgetLayer(id)
	}
}

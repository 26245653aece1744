package app

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers/wms"
	"mapvault/project"
)

// The properties dialog's WMS dimensions (TIME, ELEVATION, ...): a slider
// over the values the capabilities enumerate, or a text entry for a
// continuous range. A change is written to the project at once, as one
// undo step, and the layer is resolved again.

// maxDimensionValues caps the values a slider offers; a longer extent gets
// a text entry.
const maxDimensionValues = 1000

// dimControl is one dimension's control in the properties dialog.
type dimControl struct {
	name   string   // the project's key: the dimension name, lower case
	values []string // the slider's values; nil for a text entry
	slider *widget.Slider
	entry  *widget.Entry
	value  *widget.Label // the slider's current value
}

// propsDimensions returns the dimensions the layer's WMS layers declare,
// the first declaration per name (lower case) winning, sorted by name.
// Dimensions whose name the project cannot store or whose extent does not
// survive the scrub intact are left out.
func propsDimensions(caps *wms.Capabilities, names []string, scrub func(string) string) []wms.Dimension {
	seen := map[string]wms.Dimension{}
	for _, n := range names {
		cl := caps.Find(n)
		if cl == nil {
			continue
		}
		for key, d := range cl.Dimensions() {
			if _, dup := seen[key]; dup || project.CheckDimensionName(key) != nil {
				continue
			}
			if scrub(d.Values) != d.Values || scrub(d.Default) != d.Default {
				continue
			}
			seen[key] = d
		}
	}
	out := make([]wms.Dimension, 0, len(seen))
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		out = append(out, seen[k])
	}
	return out
}

// dimensionItems builds the form items of the layer's dimensions and keeps
// their controls in pd.dims.
func (a *App) dimensionItems(pd *propsDialog, l *project.Layer, dims []wms.Dimension) []*widget.FormItem {
	var items []*widget.FormItem
	for _, d := range dims {
		key := strings.ToLower(d.Name)
		current, set := l.WMS.Dimensions[key]
		label := d.Name
		if d.Units != "" {
			label += " (" + d.Units + ")"
		}
		dc := &dimControl{name: key}
		values, continuous, err := wms.DimensionValues(d.Values, maxDimensionValues)
		if err == nil && !continuous && len(values) > 0 {
			dc.values = values
			at := slices.Index(values, current)
			if !set || at < 0 {
				at = slices.Index(values, strings.TrimSpace(d.Default))
			}
			if at < 0 {
				at = len(values) - 1
			}
			dc.value = widget.NewLabel(values[at])
			dc.slider = widget.NewSlider(0, float64(len(values)-1))
			dc.slider.Step = 1
			dc.slider.Value = float64(at)
			if len(values) == 1 {
				dc.slider.Disable()
			}
			id := pd.id
			dc.slider.OnChanged = func(v float64) { dc.value.SetText(dc.at(v)) }
			dc.slider.OnChangeEnded = func(v float64) { a.SetDimension(id, key, dc.at(v)) }
			items = append(items, widget.NewFormItem(label, container.NewBorder(nil, nil, nil, dc.value, dc.slider)))
		} else {
			dc.entry = widget.NewEntry()
			dc.entry.SetText(current)
			ph := "the server's default"
			if d.Default != "" {
				ph += ": " + d.Default
			}
			dc.entry.SetPlaceHolder(ph)
			id := pd.id
			dc.entry.OnSubmitted = func(s string) { a.SetDimension(id, key, strings.TrimSpace(s)) }
			items = append(items, widget.NewFormItem(label, dc.entry))
			if d.Values != "" {
				items = append(items, widget.NewFormItem("", widget.NewLabel("Valid: "+d.Values)))
			}
		}
		pd.dims = append(pd.dims, dc)
	}
	return items
}

// at returns the slider value v's dimension value.
func (dc *dimControl) at(v float64) string {
	return dc.values[clampInt(int(v+0.5), 0, len(dc.values)-1)]
}

// SetDimension sets the layer's WMS dimension name to value ("" removes
// it: the server's default) as one undo step, and resolves the layer again.
func (a *App) SetDimension(id, name, value string) {
	l, ok := a.doc.proj.Layer(id)
	if !ok {
		return
	}
	before, had := l.WMS.Dimensions[name]
	if before == value && (had || value == "") {
		return
	}
	set := func(v string, present bool) {
		l, ok := a.doc.proj.Layer(id)
		if !ok {
			return
		}
		dims := maps.Clone(l.WMS.Dimensions)
		if present {
			if dims == nil {
				dims = map[string]string{}
			}
			dims[name] = v
		} else {
			delete(dims, name)
		}
		if len(dims) == 0 {
			dims = nil
		}
		l.WMS.Dimensions = dims
		a.forgetLayer(id)
	}
	set(value, value != "")
	a.doc.undo.push(panelEdit{what: "Dimension " + name,
		undo: func() { set(before, had) },
		redo: func() { set(value, value != "") }})
	a.markDirty()
	a.refresh()
}

// scaleRange describes a layer's scale denominators for the dialog; ""
// when unbounded.
func scaleRange(minDen, maxDen float64) string {
	switch {
	case minDen > 0 && maxDen > 0:
		return fmt.Sprintf("1:%s to 1:%s", groupThousands(minDen), groupThousands(maxDen))
	case minDen > 0:
		return "from 1:" + groupThousands(minDen) + " (not closer in)"
	case maxDen > 0:
		return "up to 1:" + groupThousands(maxDen) + " (not further out)"
	}
	return ""
}

// groupThousands writes a scale denominator rounded, with thin spaces
// between thousands.
func groupThousands(f float64) string {
	s := strconv.FormatFloat(f, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}

// layerFacts are the keyword and scale range items of one WMS layer.
func layerFacts(cl *wms.Layer, label func(string) string, scrub func(string) string, ro func(string) *widget.Label) []*widget.FormItem {
	var items []*widget.FormItem
	if len(cl.Keywords) > 0 {
		kw := make([]string, 0, len(cl.Keywords))
		for _, k := range cl.Keywords {
			kw = append(kw, scrub(k))
		}
		items = append(items, widget.NewFormItem(label("Keywords"), ro(strings.Join(kw, ", "))))
	}
	if s := scaleRange(cl.MinScaleDenominator, cl.MaxScaleDenominator); s != "" {
		items = append(items, widget.NewFormItem(label("Scale range"), ro(s)))
	}
	return items
}

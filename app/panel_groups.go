package app

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// groupHeader is the row above adjacent layers of one group: a tri-state
// eye (all shown, some, none), a fold button and the group's name.
type groupHeader struct {
	name  string
	eye   *widget.Check
	fold  *widget.Button
	label *widget.Label
	box   fyne.CanvasObject
}

// groupIndent is how far a group's layer rows are indented.
const groupIndent = 18

func (p *layerPanel) newGroupHeader(name string) *groupHeader {
	a := p.a
	g := &groupHeader{name: name}
	g.eye = widget.NewCheck("", func(bool) { a.ToggleGroup(name) })
	g.fold = widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), func() { p.toggleFold(name) })
	g.fold.Importance = widget.LowImportance
	g.label = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	g.label.Truncation = fyne.TextTruncateEllipsis
	g.box = container.NewBorder(nil, nil, container.NewHBox(g.fold, g.eye), nil, g.label)
	return g
}

// indented wraps a grouped layer's row.
func indented(o fyne.CanvasObject) fyne.CanvasObject {
	pad := canvas.NewRectangle(color.Transparent)
	pad.SetMinSize(fyne.NewSize(groupIndent, 0))
	return container.NewBorder(nil, nil, pad, nil, o)
}

// layout lays the rows out (order is top first): a header before each run
// of adjacent layers of one group, the run's rows indented and left out
// when the group is folded. It returns the objects and the headers.
func (p *layerPanel) layout(order []string) ([]fyne.CanvasObject, []*groupHeader) {
	var objs []fyne.CanvasObject
	var headers []*groupHeader
	prev := ""
	for _, id := range order {
		l, _ := p.a.doc.proj.Layer(id)
		group := l.Group
		if group != "" && group != prev {
			h := p.newGroupHeader(group)
			headers = append(headers, h)
			objs = append(objs, h.box, widget.NewSeparator())
		}
		prev = group
		switch {
		case group == "":
			objs = append(objs, p.rows[id].box, widget.NewSeparator())
		case !p.folded[group]:
			objs = append(objs, indented(p.rows[id].box), widget.NewSeparator())
		}
	}
	return objs, headers
}

// layoutKey changes whenever layout would lay the rows out differently.
func (p *layerPanel) layoutKey(order []string) string {
	var b strings.Builder
	for _, id := range order {
		l, _ := p.a.doc.proj.Layer(id)
		b.WriteString(id + "\x00" + l.Group + "\x00")
		if p.folded[l.Group] {
			b.WriteString("f")
		}
		b.WriteString("\x01")
	}
	return b.String()
}

func (p *layerPanel) toggleFold(name string) {
	if p.folded == nil {
		p.folded = map[string]bool{}
	}
	p.folded[name] = !p.folded[name]
	p.update()
}

// updateHeader shows the group's state: checked when every layer of the
// group is drawn, partial when some are, clear when none is (the group is
// hidden or all its layers' eyes are off).
func (p *layerPanel) updateHeader(g *groupHeader) {
	st := p.a.groupState(g.name)
	checked, partial := st.all(), st.some() && !st.all()
	if g.eye.Checked != checked || g.eye.Partial != partial {
		g.eye.Checked, g.eye.Partial = checked, partial
		g.eye.Refresh()
	}
	icon := theme.MenuDropDownIcon()
	if p.folded[g.name] {
		icon = theme.MenuExpandIcon()
	}
	if g.fold.Icon != icon {
		g.fold.SetIcon(icon)
	}
}

// groupState is a group's eye and its layers' eyes.
type groupState struct {
	visible    bool // the group's own eye
	layers, on int  // layers in the group, of them with their eye on
}

func (s groupState) some() bool { return s.visible && s.on > 0 }
func (s groupState) all() bool  { return s.visible && s.layers > 0 && s.on == s.layers }

func (a *App) groupState(name string) groupState {
	p := a.doc.proj
	s := groupState{visible: p.GroupVisible(name)}
	for i := range p.Layers {
		if p.Layers[i].Group == name {
			s.layers++
			if p.Layers[i].Visible {
				s.on++
			}
		}
	}
	return s
}

// groupSnapshot is a group's eye and its layers' eyes, for undo.
type groupSnapshot struct {
	visible bool
	eyes    map[string]bool
}

func (a *App) snapshotGroup(name string) groupSnapshot {
	p := a.doc.proj
	s := groupSnapshot{visible: p.GroupVisible(name), eyes: map[string]bool{}}
	for _, l := range p.Layers {
		if l.Group == name {
			s.eyes[l.ID] = l.Visible
		}
	}
	return s
}

func (a *App) restoreGroup(name string, s groupSnapshot) {
	p := a.doc.proj
	p.SetGroupVisible(name, s.visible)
	for id, v := range s.eyes {
		if l, ok := p.Layer(id); ok {
			l.Visible = v
		}
	}
}

// ToggleGroup flips a group's eye. When any of its layers is drawn, the
// group is hidden; otherwise it is shown, and when none of its layers has
// its eye on, they all get it on. Hiding and showing the group keeps each
// layer's own eye, so showing it brings back exactly the layers that were
// drawn. One undo step.
func (a *App) ToggleGroup(name string) {
	p := a.doc.proj
	st := a.groupState(name)
	if st.layers == 0 {
		return
	}
	before := a.snapshotGroup(name)
	if st.some() {
		p.SetGroupVisible(name, false)
	} else {
		p.SetGroupVisible(name, true)
		if st.on == 0 {
			for i := range p.Layers {
				if p.Layers[i].Group == name {
					p.Layers[i].Visible = true
				}
			}
		}
	}
	after := a.snapshotGroup(name)
	a.doc.undo.push(panelEdit{what: "Group visibility",
		undo: func() { a.restoreGroup(name, before) },
		redo: func() { a.restoreGroup(name, after) }})
	a.markDirty()
	a.refresh()
}

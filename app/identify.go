package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
)

// identifyPanel shows what a click on the map found: per layer (top
// first) its features, per feature its attributes, in a tree beside the
// map. Selecting a feature highlights it on the map; Copy puts its
// attributes on the clipboard as "name<TAB>value" lines.
type identifyPanel struct {
	a       *App
	box     *fyne.Container
	title   *widget.Label
	tree    *widget.Tree
	copyBtn *widget.Button
	split   *container.Split // the map and this panel: laid out again when the panel shows or hides

	results []identifiedLayer
	nodes   map[string]identifyNode // tree node ID -> what it shows
	sel     string                  // the selected node
	cancel  context.CancelFunc      // the identify in flight
	gen     uint64
}

type identifiedLayer struct {
	id, name string
	err      string
	features []layers.IdentifiedFeature
}

// identifyNode is one row of the tree: a layer, a feature or an attribute.
type identifyNode struct {
	text     string
	children []string
	layer    int // index into results
	feature  int // -1 for a layer row
}

func newIdentifyPanel(a *App) *identifyPanel {
	p := &identifyPanel{a: a, nodes: map[string]identifyNode{}}
	p.title = widget.NewLabel("Identify results")
	p.title.TextStyle.Bold = true
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			if id == "" {
				return p.nodes[""].children
			}
			return p.nodes[id].children
		},
		func(id widget.TreeNodeID) bool { return len(p.nodes[id].children) > 0 || id == "" },
		func(bool) fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(p.nodes[id].text)
		},
	)
	p.tree.OnSelected = p.selected
	p.copyBtn = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), p.copySelected)
	p.copyBtn.Disable()
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), p.close)
	p.box = container.NewBorder(
		container.NewBorder(nil, nil, nil, container.NewHBox(p.copyBtn, closeBtn), p.title),
		nil, nil, nil, p.tree)
	p.box.Hide()
	return p
}

func (p *identifyPanel) object() fyne.CanvasObject { return p.box }

// identifyAt asks the visible, unblocked layers what is at pos of the
// map, in the background, and shows the answer when it comes (a newer
// click cancels an older one).
func (a *App) identifyAt(pos fyne.Position) {
	p := a.identify
	if p.cancel != nil {
		p.cancel()
	}
	specs := a.doc.drawSpecs()
	v := a.mapView.View()
	p.gen++
	gen := p.gen
	ctx, cancel := context.WithCancel(a.ctx)
	p.cancel = cancel
	queryable := 0
	for _, s := range specs {
		if s.Queryable() {
			queryable++
		}
	}
	if queryable == 0 {
		// Nothing to ask: a click stays a click (focus, coordinates), and
		// an open results panel says why it is empty.
		if p.box.Visible() {
			p.title.SetText("No visible queryable layer")
			p.show(nil)
		}
		return
	}
	p.title.SetText("Identifying…")
	p.show(nil)
	engine := a.doc.ws.Engine()
	d := a.doc
	go func() {
		res := engine.Identify(ctx, v, specs, float64(pos.X), float64(pos.Y))
		a.do(func() {
			if gen != p.gen || a.doc != d {
				return
			}
			p.cancel = nil
			out := make([]identifiedLayer, 0, len(res))
			for i := len(res) - 1; i >= 0; i-- { // top layer first
				r := res[i]
				il := identifiedLayer{id: r.ID, name: a.layerName(r.ID), features: r.Features}
				if r.Err != nil {
					il.err = d.reason(r.Err)
				}
				out = append(out, il)
			}
			n := 0
			for _, l := range out {
				n += len(l.features)
			}
			p.title.SetText(fmt.Sprintf("Identify results: %d feature(s)", n))
			p.show(out)
			if a.trace != nil {
				lon, lat := v.LonLatAt(float64(pos.X), float64(pos.Y))
				a.trace(fmt.Sprintf("identify at %.5f,%.5f: %d feature(s) in %d layer(s)", lon, lat, n, len(out)))
			}
		})
	}()
}

// layerName is the panel's name of a layer.
func (a *App) layerName(id string) string {
	for _, l := range a.doc.proj.Layers {
		if l.ID == id {
			if l.Name != "" {
				return l.Name
			}
			return l.ID
		}
	}
	return id
}

// show replaces the results (nil: empty, waiting) and opens the panel.
func (p *identifyPanel) show(results []identifiedLayer) {
	p.results = results
	p.nodes = map[string]identifyNode{}
	root := identifyNode{feature: -1}
	scrub := p.a.doc.ws.Scrub
	for li, l := range results {
		lid := fmt.Sprintf("l%d", li)
		ln := identifyNode{layer: li, feature: -1}
		switch {
		case l.err != "":
			ln.text = l.name + " — error: " + l.err
		case len(l.features) == 0:
			ln.text = l.name + " — nothing here"
		default:
			ln.text = fmt.Sprintf("%s — %d feature(s)", l.name, len(l.features))
		}
		for fi, f := range l.features {
			fid := fmt.Sprintf("%s/f%d", lid, fi)
			fn := identifyNode{layer: li, feature: fi, text: featureTitle(f, fi, scrub)}
			for ai, at := range f.Attributes {
				aid := fmt.Sprintf("%s/a%d", fid, ai)
				p.nodes[aid] = identifyNode{layer: li, feature: fi, text: scrub(at.Name) + ": " + scrub(at.Text())}
				fn.children = append(fn.children, aid)
			}
			p.nodes[fid] = fn
			ln.children = append(ln.children, fid)
		}
		p.nodes[lid] = ln
		root.children = append(root.children, lid)
	}
	p.nodes[""] = root
	p.sel = ""
	p.copyBtn.Disable()
	p.tree.UnselectAll()
	p.tree.Refresh()
	for _, id := range root.children {
		p.tree.OpenBranch(id)
	}
	// The first feature is the one clicked on top: open and highlight it.
	for li, l := range results {
		if len(l.features) > 0 {
			p.tree.OpenBranch(fmt.Sprintf("l%d/f0", li))
			p.a.mapView.SetHighlight(l.features[0].Geometry)
			p.setShown(true)
			return
		}
	}
	p.a.mapView.SetHighlight(nil)
	p.setShown(true)
}

// setShown shows or hides the panel and lays the map beside it out again.
func (p *identifyPanel) setShown(on bool) {
	if on == p.box.Visible() {
		return
	}
	if on {
		p.box.Show()
	} else {
		p.box.Hide()
	}
	if p.split != nil {
		p.split.Refresh()
	}
}

// featureTitle names a feature by a name-like attribute, else its ID.
func featureTitle(f layers.IdentifiedFeature, i int, scrub func(string) string) string {
	for _, key := range []string{"name", "title", "label", "NAME", "Name"} {
		for _, at := range f.Attributes {
			if at.Name == key {
				if s := at.Text(); s != "" && s != "NULL" {
					return scrub(s)
				}
			}
		}
	}
	if f.ID != "" {
		return scrub(f.ID)
	}
	return fmt.Sprintf("Feature %d", i+1)
}

func (p *identifyPanel) selected(id widget.TreeNodeID) {
	p.sel = id
	n, ok := p.nodes[id]
	if !ok || n.feature < 0 {
		p.copyBtn.Disable()
		return
	}
	p.copyBtn.Enable()
	p.a.mapView.SetHighlight(p.results[n.layer].features[n.feature].Geometry)
}

// copySelected copies the selected feature's attributes.
func (p *identifyPanel) copySelected() {
	n, ok := p.nodes[p.sel]
	if !ok || n.feature < 0 {
		return
	}
	p.a.fa.Clipboard().SetContent(p.featureText(n.layer, n.feature))
}

// featureText is a feature's attributes as "name<TAB>value" lines.
func (p *identifyPanel) featureText(layer, feature int) string {
	scrub := p.a.doc.ws.Scrub
	var b strings.Builder
	for _, at := range p.results[layer].features[feature].Attributes {
		b.WriteString(scrub(at.Name))
		b.WriteByte('\t')
		b.WriteString(scrub(at.Text()))
		b.WriteByte('\n')
	}
	return b.String()
}

func (p *identifyPanel) close() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.gen++
	p.setShown(false)
	p.a.mapView.SetHighlight(nil)
}

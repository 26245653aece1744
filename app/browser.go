package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/vault"
)

// serviceBrowser is the "Service browser" dialog: the saved connections on
// the left, the capabilities of the connected one as a tree on the right,
// filtered by a search, from which layers are added to the project.
//
// It lives as long as the app: what the user typed for a connection (with
// a key or password in it) is kept in typed for this session only, so that
// connecting again does not ask; the preferences hold the clean URL alone.
type serviceBrowser struct {
	a     *App
	typed map[string]string // clean URL → address as typed (session only)

	// The dialog showing (nil fields when it is closed).
	dlg      *dialog.CustomDialog
	conns    []connection
	list     *widget.List
	selected int // index in conns, -1 for none
	edit     *widget.Button
	remove   *widget.Button
	connect  *widget.Button
	form     *connectionForm
	confirm  *dialog.ConfirmDialog // the "remove?" question showing
	errDlg   *dialog.CustomDialog  // the last error shown

	header *widget.Label
	search *widget.Entry
	tree   *widget.Tree
	add    *widget.Button

	svc    layers.Service // the connected service, nil before
	offers map[string]layers.Offer
	kids   map[string][]string // all children, document order
	shown  map[string]bool     // nodes the search keeps
	picked map[string]bool
}

// connectionForm is the New / Edit connection dialog showing.
type connectionForm struct {
	name, url *widget.Entry
	kind      *widget.Select
	dlg       *dialog.ConfirmDialog
}

// ServiceBrowser shows the service browser.
func (a *App) ServiceBrowser() {
	if a.browser == nil {
		a.browser = &serviceBrowser{a: a, typed: map[string]string{}}
	}
	a.browser.open()
}

func (b *serviceBrowser) open() {
	if b.dlg != nil {
		b.dlg.Show()
		return
	}
	a := b.a
	b.conns = loadConnections(a.fa.Preferences())
	b.selected = -1
	b.list = widget.NewList(func() int { return len(b.conns) },
		func() fyne.CanvasObject {
			url := widget.NewLabel("url")
			url.Importance = widget.LowImportance
			url.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(widget.NewLabel("name"), url)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := b.conns[i]
			kind := c.Kind
			if kind == "" {
				kind = "detect"
			}
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(c.Name + "  (" + kind + ")")
			box.Objects[1].(*widget.Label).SetText(c.URL)
		})
	b.list.OnSelected = func(i widget.ListItemID) { b.selected = i; b.updateButtons() }
	b.list.OnUnselected = func(widget.ListItemID) { b.selected = -1; b.updateButtons() }
	newBtn := widget.NewButton("New…", func() { b.showForm(-1) })
	b.edit = widget.NewButton("Edit…", func() { b.showForm(b.selected) })
	b.remove = widget.NewButton("Remove", b.askRemove)
	b.connect = widget.NewButton("Connect", b.connectSelected)
	b.connect.Importance = widget.HighImportance
	b.updateButtons()
	left := container.NewBorder(widget.NewLabel("Saved connections"),
		container.NewVBox(container.NewGridWithColumns(3, newBtn, b.edit, b.remove), b.connect), nil, nil, b.list)

	b.header = widget.NewLabel("Select a connection and connect to see what it offers.")
	b.header.Wrapping = fyne.TextWrapWord
	b.search = widget.NewEntry()
	b.search.SetPlaceHolder("Search titles, names and abstracts")
	b.search.OnChanged = func(string) { b.filter() }
	b.offers, b.kids, b.shown, b.picked, b.svc = map[string]layers.Offer{}, map[string][]string{}, map[string]bool{}, map[string]bool{}, nil
	b.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID { return b.visibleKids(id) },
		func(id widget.TreeNodeID) bool { return len(b.visibleKids(id)) > 0 },
		func(bool) fyne.CanvasObject {
			return container.NewHBox(widget.NewCheck("", nil), widget.NewLabel("title"), widget.NewLabel("name"))
		},
		b.updateNode)
	b.add = widget.NewButton("Add", b.addPicked)
	b.add.Importance = widget.HighImportance
	b.add.Disable()
	right := container.NewBorder(container.NewVBox(b.header, b.search),
		container.NewHBox(layout.NewSpacer(), b.add), nil, nil, b.tree)

	split := container.NewHSplit(left, right)
	split.Offset = 0.35
	closeBtn := widget.NewButton("Close", b.close)
	b.dlg = dialog.NewCustomWithoutButtons("Service browser", split, a.win)
	b.dlg.SetButtons([]fyne.CanvasObject{closeBtn})
	b.dlg.Resize(fyne.NewSize(860, 520))
	b.dlg.Show()
}

func (b *serviceBrowser) close() {
	if b.dlg != nil {
		b.dlg.Hide()
	}
	b.dlg = nil
	if b.a.lastAdd.browse == b {
		b.a.lastAdd.browse = nil // a connection still reading ends in nothing
	}
}

func (b *serviceBrowser) updateButtons() {
	if b.selected >= 0 && b.selected < len(b.conns) {
		b.edit.Enable()
		b.remove.Enable()
		b.connect.Enable()
		return
	}
	b.edit.Disable()
	b.remove.Disable()
	b.connect.Disable()
}

// showForm shows the New (i < 0) or Edit connection form.
func (b *serviceBrowser) showForm(i int) {
	var c connection
	if i >= 0 && i < len(b.conns) {
		c = b.conns[i] // the clean URL: a key typed before stays unseen
	}
	b.showFormWith(i, c)
}

func (b *serviceBrowser) showFormWith(i int, c connection) {
	a := b.a
	f := &connectionForm{name: widget.NewEntry(), url: widget.NewEntry()}
	f.name.SetText(c.Name)
	f.name.SetPlaceHolder("Name (the address's host when empty)")
	f.url.SetText(c.URL)
	f.url.SetPlaceHolder("https://maps.example.org/wms")
	opts := []string{detectKind}
	for _, k := range a.doc.ws.Kinds().Kinds() {
		opts = append(opts, string(k.Name()))
	}
	f.kind = widget.NewSelect(opts, nil)
	f.kind.SetSelected(detectKind)
	if c.Kind != "" {
		f.kind.SetSelected(c.Kind)
	}
	note := widget.NewLabel("A key or password in the address is used for this session only; the saved connection never holds it.")
	note.Wrapping = fyne.TextWrapWord
	title := "New connection"
	if i >= 0 {
		title = "Edit connection"
	}
	form := widget.NewForm(widget.NewFormItem("Name", f.name), widget.NewFormItem("Address", f.url), widget.NewFormItem("Kind", f.kind))
	f.dlg = dialog.NewCustomConfirm(title, "Save", "Cancel", container.NewVBox(form, note), func(ok bool) {
		b.form = nil
		if ok {
			b.saveForm(i, f)
		}
	}, a.win)
	f.dlg.Resize(fyne.NewSize(560, 0))
	b.form = f
	f.dlg.Show()
}

// saveForm saves what the form holds, cleaned; on error the form comes
// back with what was typed, and the whole error.
func (b *serviceBrowser) saveForm(i int, f *connectionForm) {
	kind := f.kind.Selected
	if kind == detectKind {
		kind = ""
	}
	typed := connection{Name: f.name.Text, URL: strings.TrimSpace(f.url.Text), Kind: kind}
	c, err := cleanConnection(b.a.doc.ws.Kinds(), typed.Name, typed.URL, kind)
	if err != nil {
		b.showFormWith(i, typed)
		b.showError("Could not save the connection", err.Error())
		return
	}
	if i >= 0 && i < len(b.conns) && b.conns[i].URL != c.URL {
		delete(b.typed, b.conns[i].URL) // another address: the old key goes
	}
	if c.URL != typed.URL {
		b.typed[c.URL] = typed.URL
	}
	if i >= 0 && i < len(b.conns) {
		b.conns[i] = c
	} else {
		b.conns = append(b.conns, c)
		i = len(b.conns) - 1
	}
	saveConnections(b.a.fa.Preferences(), b.conns)
	b.list.Refresh()
	b.list.Select(i)
}

func (b *serviceBrowser) askRemove() {
	if b.selected < 0 || b.selected >= len(b.conns) {
		return
	}
	i := b.selected
	b.confirm = dialog.NewConfirm("Remove connection", "Remove the connection “"+b.conns[i].Name+"”?", func(ok bool) {
		b.confirm = nil
		if !ok || i >= len(b.conns) {
			return
		}
		b.conns = append(b.conns[:i], b.conns[i+1:]...)
		saveConnections(b.a.fa.Preferences(), b.conns)
		b.list.UnselectAll()
		b.selected = -1
		b.updateButtons()
		b.list.Refresh()
	}, b.a.win)
	b.confirm.Show()
}

// connectSelected reads the selected connection through the add-layer flow
// (detection, the suspects question, the credential prompt); the service
// comes back to show.
func (b *serviceBrowser) connectSelected() {
	if b.selected < 0 || b.selected >= len(b.conns) {
		return
	}
	c := b.conns[b.selected]
	raw := c.URL
	if t, ok := b.typed[c.URL]; ok {
		raw = t
	}
	b.header.SetText("Connecting to " + c.Name + "…")
	b.a.startAdd(addRequest{raw: raw, kind: c.Kind, browse: b})
}

// failed shows the whole error of a connection.
func (b *serviceBrowser) failed(err error) {
	b.a.lastAdd.browse = nil
	if b.dlg == nil {
		return
	}
	b.header.SetText("Could not connect.")
	b.showError("Could not connect", err.Error())
}

func (b *serviceBrowser) showError(title, msg string) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	b.errDlg = dialog.NewCustom(title, "OK", container.NewVScroll(l), b.a.win)
	b.errDlg.Resize(fyne.NewSize(520, 220))
	b.errDlg.Show()
}

// show lists what a connected service offers.
func (b *serviceBrowser) show(k layers.Kind, svc layers.Service) {
	b.a.lastAdd.browse = nil
	if b.dlg == nil {
		return
	}
	b.svc = svc
	b.offers, b.kids = offerTree(svc.Offers())
	b.picked = map[string]bool{}
	b.add.Disable()
	title := b.a.doc.serverText(svc.Title())
	if title == "" {
		title = strings.ToUpper(string(k.Name()))
	}
	b.header.SetText(title + " — " + strings.ToUpper(string(k.Name())) + ". Check layers or groups to add.")
	b.filter()
}

// filter keeps the nodes whose title, name or abstract holds the search
// (case-insensitive), and the groups above them.
func (b *serviceBrowser) filter() {
	q := strings.ToLower(strings.TrimSpace(b.search.Text))
	b.shown = map[string]bool{}
	var walk func(id string) bool
	walk = func(id string) bool {
		keep := false
		if id != "" {
			o := b.offers[id]
			keep = q == "" || strings.Contains(strings.ToLower(o.Title), q) ||
				strings.Contains(strings.ToLower(o.Name), q) || strings.Contains(strings.ToLower(o.Abstract), q)
		}
		for _, k := range b.kids[id] {
			if walk(k) {
				keep = true
			}
		}
		if keep {
			b.shown[id] = true
		}
		return keep
	}
	walk("")
	b.tree.Refresh()
	b.tree.OpenAllBranches()
}

func (b *serviceBrowser) visibleKids(id string) []string {
	var out []string
	for _, k := range b.kids[id] {
		if b.shown[k] {
			out = append(out, k)
		}
	}
	return out
}

func (b *serviceBrowser) updateNode(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	d := b.a.doc
	off := b.offers[id]
	box := o.(*fyne.Container)
	check := box.Objects[0].(*widget.Check)
	check.OnChanged = nil
	check.SetChecked(b.picked[id])
	check.OnChanged = func(on bool) { b.setPicked(id, on) }
	title := d.serverText(off.Title)
	if title == "" {
		title = vault.ScrubIdentifier(off.Name, d.ws.Secrets())
	}
	box.Objects[1].(*widget.Label).SetText(title)
	name := box.Objects[2].(*widget.Label)
	name.Importance = widget.LowImportance
	switch {
	case off.Name != "":
		name.SetText("(" + vault.ScrubIdentifier(off.Name, d.ws.Secrets()) + ")")
	case len(b.kids[id]) > 0:
		name.SetText("(group: adds its layers)")
	default:
		name.SetText("")
	}
}

func (b *serviceBrowser) setPicked(id string, on bool) {
	if on {
		b.picked[id] = true
	} else {
		delete(b.picked, id)
	}
	if len(b.picked) > 0 {
		b.add.Enable()
	} else {
		b.add.Disable()
	}
}

// pick checks the first node titled or named s (for tests).
func (b *serviceBrowser) pick(s string) bool {
	for _, id := range b.order("") {
		if o := b.offers[id]; o.Title == s || o.Name == s {
			b.setPicked(id, true)
			b.tree.RefreshItem(id)
			return true
		}
	}
	return false
}

// order returns the nodes under id in document order.
func (b *serviceBrowser) order(id string) []string {
	var out []string
	for _, k := range b.kids[id] {
		out = append(out, k)
		out = append(out, b.order(k)...)
	}
	return out
}

// plannedLayer is one layer Add makes: the offer's name and the project
// group it goes in.
type plannedLayer struct {
	name  string
	group string
}

// plan lists the layers the checked nodes make, in document order: a
// named node is one layer (a named group draws its children on the
// server); a group without a name gives its named descendants, each one
// layer, in a project group titled as the group. A node is added once.
func (b *serviceBrowser) plan() []plannedLayer {
	var out []plannedLayer
	done := map[string]bool{}
	var expand func(id, group string)
	expand = func(id, group string) {
		for _, k := range b.kids[id] {
			if done[k] {
				continue
			}
			if b.offers[k].Name != "" {
				done[k] = true
				out = append(out, plannedLayer{name: b.offers[k].Name, group: group})
				continue
			}
			expand(k, group)
		}
	}
	for _, id := range b.order("") {
		if !b.picked[id] || done[id] {
			continue
		}
		o := b.offers[id]
		if o.Name != "" {
			done[id] = true
			out = append(out, plannedLayer{name: o.Name})
			continue
		}
		expand(id, b.a.doc.serverText(o.Title))
	}
	return out
}

// addPicked adds the planned layers on top of the map.
func (b *serviceBrowser) addPicked() {
	a := b.a
	if b.svc == nil {
		return
	}
	n := 0
	for _, p := range b.plan() {
		l, _, ok := b.svc.Layer(p.name)
		if !ok {
			continue
		}
		l.Group = p.group
		a.addServiceLayer(l)
		n++
	}
	if n == 0 {
		return
	}
	a.markDirty()
	a.refresh()
	a.status.setNote("Added " + strconv.Itoa(n) + " layer(s)")
	b.picked = map[string]bool{}
	b.add.Disable()
	b.tree.Refresh()
}

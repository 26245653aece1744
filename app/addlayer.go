package app

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/layers/wms"
	"mapvault/project"
	"mapvault/vault"
)

// detectKind is the kind choice that lets the URL (or its answer) say.
const detectKind = "Detect automatically"

// addLayerDialog is the "Add layer" dialog showing: the URL and the kind.
type addLayerDialog struct {
	entry *keyEntry
	kind  *widget.Select
	dlg   *dialog.ConfirmDialog
}

// AddLayerDialog asks for a layer's address and its kind.
func (a *App) AddLayerDialog() { a.showAddLayerDialog(a.lastAdd.raw, a.lastAdd.kind) }

// showAddLayerDialog shows the dialog with raw and kind ("" detects)
// filled in: after an error the user corrects what they typed.
func (a *App) showAddLayerDialog(raw, kind string) {
	p := &addLayerDialog{entry: newKeyEntry()}
	p.entry.SetPlaceHolder("https://maps.example.org/wms?…  or  https://tiles.example.org/{z}/{x}/{y}.png")
	p.entry.SetText(raw)
	opts := []string{detectKind}
	for _, k := range a.doc.ws.Kinds().Kinds() {
		opts = append(opts, string(k.Name()))
	}
	p.kind = widget.NewSelect(opts, nil)
	p.kind.SetSelected(detectKind)
	if kind != "" {
		p.kind.SetSelected(kind)
	}
	note := widget.NewLabel("A key or password in the address is moved to this session (and the KeyVault notes how it is sent); it is never saved in the project.")
	note.Wrapping = fyne.TextWrapWord
	form := container.NewBorder(nil, nil, widget.NewLabel("Kind"), nil, p.kind)
	p.dlg = dialog.NewCustomConfirm("Add layer", "Next", "Cancel",
		container.NewVBox(p.entry, form, note), func(ok bool) {
			a.addDialog = nil
			if ok {
				a.AddLayerURLAs(p.entry.Text, p.chosenKind())
			}
		}, a.win)
	p.entry.OnSubmitted = func(string) { p.dlg.Confirm() }
	p.dlg.Resize(fyne.NewSize(560, 0))
	a.addDialog = p
	p.dlg.Show()
	a.dialogKeys(p.dlg, p.entry, p.dlg.Confirm, p.dlg.Hide, p.entry)
}

// chosenKind is the kind chosen, "" for detection.
func (p *addLayerDialog) chosenKind() string {
	if k := p.kind.Selected; k != detectKind {
		return k
	}
	return ""
}

// addRequest is what the user last asked to add (kept for the dialog).
type addRequest struct {
	raw    string
	kind   string          // "" detects
	browse *serviceBrowser // the service browser connecting, else nil
}

// addFailed shows the whole error of the add-layer flow and opens the
// dialog again with what the user typed.
func (a *App) addFailed(err error) {
	if b := a.lastAdd.browse; b != nil {
		b.failed(err)
		return
	}
	a.showAddLayerDialog(a.lastAdd.raw, a.lastAdd.kind)
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	a.addError = dialog.NewCustom("Could not add the layer", "OK", container.NewVScroll(msg), a.win)
	a.addError.Resize(fyne.NewSize(520, 220))
	a.addError.Show()
}

// AddLayerURL starts the add-layer flow for a pasted URL, its kind
// detected.
func (a *App) AddLayerURL(raw string) { a.AddLayerURLAs(raw, "") }

// AddLayerURLAs starts the add-layer flow for a pasted URL of the kind
// named kind ("" detects it from the URL, else from its answer, else wms):
// URL hygiene first (the kind's way), the suspects question when needed,
// then what the URL offers.
func (a *App) AddLayerURLAs(raw, kind string) {
	a.startAdd(addRequest{raw: strings.TrimSpace(raw), kind: kind})
}

// startAdd runs the add-layer flow for req; the service read at its end
// goes to req.browse when set, else to the layer picker.
func (a *App) startAdd(req addRequest) {
	raw, kind := req.raw, req.kind
	a.lastAdd = req
	var k layers.Kind
	if kind != "" {
		var err error
		if k, err = a.doc.ws.Kinds().Lookup(project.Kind(kind)); err != nil {
			a.addFailed(err)
			return
		}
	} else if found, ok := a.doc.ws.Kinds().DetectURL(raw); ok {
		k = found
	}
	split, err := layers.SplitURL(k, raw, nil)
	if err != nil {
		a.addFailed(err)
		return
	}
	if split.PathSuspect {
		a.status.setNote(pathSuspectNote)
	}
	if len(split.Suspects) == 0 {
		a.withKind(k, raw, nil, split)
		return
	}
	a.askSuspects(raw, k, split)
}

// askSuspects asks, for each parameter that looks like a secret, whether it
// is one. Checked (the default) means secret: it stays out of the project.
func (a *App) askSuspects(raw string, k layers.Kind, split vault.Split) {
	checks := make([]*widget.Check, len(split.Suspects))
	box := container.NewVBox(widget.NewLabel("These parameters look like secrets. Checked ones are kept out of the project:"))
	for i, name := range split.Suspects {
		checks[i] = widget.NewCheck("“"+name+"” is a secret", nil)
		checks[i].SetChecked(true)
		box.Add(checks[i])
	}
	d := dialog.NewCustomConfirm("Possible secrets in the address", "Continue", "Cancel", box, func(ok bool) {
		a.suspects = nil
		if !ok {
			return
		}
		var keep []string
		for i, c := range checks {
			if !c.Checked {
				keep = append(keep, split.Suspects[i])
			}
		}
		kept, err := layers.SplitURL(k, raw, keep)
		if err != nil {
			a.addFailed(err)
			return
		}
		a.withKind(k, raw, keep, kept)
	}, a.win)
	a.suspects = &suspectsDialog{dlg: d, checks: checks}
	d.Show()
}

// withKind goes on once the kind is known: when neither the choice nor the
// URL said it, one anonymous request of the clean URL (in a goroutine)
// decides, and the URL is split again the kind's way.
func (a *App) withKind(k layers.Kind, raw string, keep []string, split vault.Split) {
	if k != nil {
		a.addFromSplit(k, split)
		return
	}
	d := a.doc
	wait := dialog.NewCustomWithoutButtons("Add layer",
		container.NewVBox(widget.NewLabel("Finding out what kind of layer this is…"), widget.NewProgressBarInfinite()), a.win)
	wait.Show()
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		found, err := d.ws.DetectKind(ctx, split.CleanURL)
		a.do(func() {
			wait.Hide()
			if a.doc != d {
				return
			}
			if err != nil {
				a.addFailed(errors.New("Could not tell the kind of layer: " + d.reason(err)))
				return
			}
			again, err := layers.SplitURL(found, raw, keep)
			if err != nil {
				a.addFailed(err)
				return
			}
			a.addFromSplit(found, again)
		})
	}()
}

// pathSuspectNote warns about a path segment that looks like a secret: it
// stays in the project, since the service may need it there.
const pathSuspectNote = "Warning: part of this address's path looks like a secret. It is kept in the project; if it is a secret, do not share the project (File > Check for secrets)."

// suspectsDialog is the "is this a secret?" question showing.
type suspectsDialog struct {
	dlg    *dialog.ConfirmDialog
	checks []*widget.Check
}

// addFromSplit stores a secret from the URL in the session, records the
// method in the KeyVault, and reads what the URL offers: a WMS service's
// capabilities (the WMS tree), else the kind's Service.
func (a *App) addFromSplit(k layers.Kind, split vault.Split) {
	d := a.doc
	clean := split.CleanURL
	src := split.Source
	if k.Name() != project.KindWMS {
		s, err := layers.EntrySource(k, clean)
		if err != nil {
			a.addFailed(err)
			return
		}
		if s != "" {
			src = s
		}
	}
	if split.Method == vault.MethodBasic || split.Method == vault.MethodQuery {
		e := vault.Entry{AuthRequired: true, Method: split.Method, Param: split.Param}
		if old, ok := d.kv().Get(src); !ok || old.Method != e.Method || old.Param != e.Param || !old.AuthRequired {
			d.kv().Set(src, e)
			a.markDirty()
		}
	}
	if !split.Credential.IsZero() {
		d.ws.SetCredential(src, split.Credential)
	}
	if k.Name() == project.KindWMS {
		a.readCapabilities(clean, src, true)
		return
	}
	a.openService(k, clean, src, true)
}

// openService reads what a URL of kind k offers in a goroutine, then adds
// its one layer or shows the picker; a protected service gets the
// credential prompt first (once per call chain: mayAsk).
func (a *App) openService(k layers.Kind, clean string, src vault.Source, mayAsk bool) {
	a.openServiceWith(k, clean, src, mayAsk, func(ctx context.Context) (layers.Service, error) {
		return k.Open(ctx, a.doc.ws.Client(), clean)
	})
}

// openServiceWith is openService reading the service with open.
func (a *App) openServiceWith(k layers.Kind, clean string, src vault.Source, mayAsk bool, open func(context.Context) (layers.Service, error)) {
	d := a.doc
	wait := dialog.NewCustomWithoutButtons("Add layer",
		container.NewVBox(widget.NewLabel("Reading what the address offers…"), widget.NewProgressBarInfinite()), a.win)
	wait.Show()
	d.ws.Catalog().Forget(src)
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		if src != "" {
			ctx = vault.WithSource(ctx, src)
		}
		svc, err := open(ctx)
		a.do(func() {
			wait.Hide()
			if a.doc != d {
				return
			}
			if err != nil {
				if session.IsAuthFailure(err) && mayAsk && src != "" {
					a.askForService(k, clean, src)
					return
				}
				a.addFailed(errors.New("Could not read the service: " + d.reason(err)))
				return
			}
			if b := a.lastAdd.browse; b != nil {
				b.show(k, svc)
				return
			}
			if !svc.NeedsChoice() {
				l, _, ok := svc.Layer("")
				if !ok {
					a.addFailed(errors.New("the address offers no layer to draw"))
					return
				}
				a.addServiceLayer(l)
				a.markDirty()
				a.refresh()
				a.status.setNote("Added 1 layer")
				return
			}
			a.showServicePicker(k, svc, clean)
		})
	}()
}

// askForService runs the credential prompt with the kind's entry probe,
// then reads the service again.
func (a *App) askForService(k layers.Kind, clean string, src vault.Source) {
	t, _, err := k.EntryTarget(clean)
	if err != nil {
		a.addFailed(err)
		return
	}
	p := a.newCredPrompt(src, &t, func(found bool, res vault.Result) {
		a.addPrompt = nil
		if found {
			// Detection's answer to the target is the service's
			// description: read it from there (one request, one question).
			a.openServiceWith(k, clean, src, false, func(ctx context.Context) (layers.Service, error) {
				return a.doc.ws.ServiceAfter(ctx, k, clean, res)
			})
		}
	})
	a.addPrompt = p
	p.show()
}

// addServiceLayer adds a layer a Service made, on top; its name, which a
// server may have written, never keeps a secret.
func (a *App) addServiceLayer(l project.Layer) {
	l.Name = a.doc.serverText(l.Name)
	a.doc.proj.AddLayer(l)
}

// readCapabilities fetches the service's capabilities in a goroutine and
// shows the layer picker; a protected service gets the credential prompt
// first (once per call chain: mayAsk).
func (a *App) readCapabilities(clean string, src vault.Source, mayAsk bool) {
	a.readCapabilitiesFrom(clean, src, mayAsk, nil)
}

// readCapabilitiesFrom is readCapabilities from doc, the capabilities
// document detection received, when it has one: parsed and kept in the
// catalog for the layers drawn from it, no request; else fetched.
func (a *App) readCapabilitiesFrom(clean string, src vault.Source, mayAsk bool, doc []byte) {
	d := a.doc
	wait := dialog.NewCustomWithoutButtons("Add WMS layer",
		container.NewVBox(widget.NewLabel("Reading the service’s capabilities…"), widget.NewProgressBarInfinite()), a.win)
	wait.Show()
	d.ws.Catalog().Forget(src)
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		caps, err := wms.CapabilitiesFromDocument(d.ws.Catalog(), clean, doc)
		if err != nil {
			caps, err = wms.CapabilitiesFrom(ctx, d.ws.Catalog(), clean)
		}
		a.do(func() {
			wait.Hide()
			if a.doc != d {
				return
			}
			if err != nil {
				if session.IsAuthFailure(err) && mayAsk {
					a.askForCapabilities(clean, src)
					return
				}
				a.addFailed(errors.New("Could not read the service: " + d.reason(err)))
				return
			}
			a.showPicker(caps, clean)
		})
	}()
}

// askForCapabilities runs the credential prompt with a GetCapabilities
// probe, then reads the capabilities again.
func (a *App) askForCapabilities(clean string, src vault.Source) {
	t := vault.Target{URL: capabilitiesURL(clean), Expect: "xml"}
	// Shown directly (not queued): the user is waiting for this one.
	p := a.newCredPrompt(src, &t, func(found bool, res vault.Result) {
		a.addPrompt = nil
		if found {
			a.readCapabilitiesFrom(clean, src, false, res.Document)
		}
	})
	a.addPrompt = p
	p.show()
}

// capabilitiesURL builds a GetCapabilities request for the service URL,
// keeping vendor parameters.
func capabilitiesURL(service string) string {
	u, err := url.Parse(service)
	if err != nil {
		return service
	}
	q := u.Query()
	for k := range q {
		switch strings.ToUpper(k) {
		case "SERVICE", "REQUEST", "VERSION":
			q.Del(k)
		}
	}
	q.Set("SERVICE", "WMS")
	q.Set("REQUEST", "GetCapabilities")
	u.RawQuery = q.Encode()
	return u.String()
}

// layerPicker is the tree of what a service offers (a WMS service's
// capabilities, or any kind's Service offers); the user checks layers to
// add.
type layerPicker struct {
	caps   *wms.Capabilities // a WMS service's, else nil
	svc    layers.Service    // another kind's, else nil
	clean  string
	nodes  map[string]*wms.Layer   // WMS
	offers map[string]layers.Offer // other kinds
	kids   map[string][]string
	picked map[string]bool // node ids
	tree   *widget.Tree
	add    *widget.Button
	dlg    *dialog.CustomDialog
}

func newLayerPicker(clean string) *layerPicker {
	return &layerPicker{clean: clean, nodes: map[string]*wms.Layer{}, offers: map[string]layers.Offer{},
		kids: map[string][]string{}, picked: map[string]bool{}}
}

// name is the layer name of node id ("" for a group).
func (p *layerPicker) name(id string) string {
	if l, ok := p.nodes[id]; ok {
		return l.Name
	}
	return p.offers[id].Name
}

// title is the server's title of node id.
func (p *layerPicker) title(id string) string {
	if l, ok := p.nodes[id]; ok {
		return l.Title
	}
	return p.offers[id].Title
}

func (a *App) showPicker(caps *wms.Capabilities, clean string) {
	if b := a.lastAdd.browse; b != nil {
		if k, err := a.doc.ws.Kinds().Lookup(project.KindWMS); err == nil {
			b.show(k, wms.NewService(caps, clean))
			return
		}
	}
	p := newLayerPicker(clean)
	p.caps = caps
	var walk func(parent string, ls []*wms.Layer)
	walk = func(parent string, ls []*wms.Layer) {
		for i, l := range ls {
			id := parent + "/" + strconv.Itoa(i)
			p.nodes[id] = l
			p.kids[parent] = append(p.kids[parent], id)
			walk(id, l.Children)
		}
	}
	walk("", caps.Roots)
	title := a.doc.serverText(caps.Title)
	if title == "" {
		title = "WMS"
	}
	a.showPickerDialog(p, "Add WMS layer", title+" — WMS "+a.doc.serverText(caps.Version)+". Check the layers to add.")
}

// showServicePicker shows the offers of a service of kind k as a tree
// (nested by Offer.Depth).
func (a *App) showServicePicker(k layers.Kind, svc layers.Service, clean string) {
	p := newLayerPicker(clean)
	p.svc = svc
	p.offers, p.kids = offerTree(svc.Offers())
	title := a.doc.serverText(svc.Title())
	if title == "" {
		title = strings.ToUpper(string(k.Name()))
	}
	a.showPickerDialog(p, "Add "+strings.ToUpper(string(k.Name()))+" layer", title+". Check the layers to add.")
}

func (a *App) showPickerDialog(p *layerPicker, dlgTitle, headerText string) {
	d := a.doc
	p.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID { return p.kids[id] },
		func(id widget.TreeNodeID) bool { return len(p.kids[id]) > 0 },
		func(bool) fyne.CanvasObject {
			return container.NewHBox(widget.NewCheck("", nil), widget.NewLabel("title"), widget.NewLabel("name"))
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			lname := p.name(id)
			box := o.(*fyne.Container)
			check := box.Objects[0].(*widget.Check)
			check.OnChanged = nil
			check.SetChecked(p.picked[id])
			if lname == "" {
				check.Disable()
			} else {
				check.Enable()
			}
			check.OnChanged = func(on bool) { p.setPicked(id, on) }
			title := d.serverText(p.title(id))
			if title == "" {
				title = vault.ScrubIdentifier(lname, d.ws.Secrets())
			}
			box.Objects[1].(*widget.Label).SetText(title)
			name := box.Objects[2].(*widget.Label)
			name.Importance = widget.LowImportance
			if lname != "" {
				name.SetText("(" + vault.ScrubIdentifier(lname, d.ws.Secrets()) + ")")
			} else {
				name.SetText("")
			}
		})
	p.tree.OpenAllBranches()
	p.add = widget.NewButton("Add", func() {
		n := a.addPicked(p)
		p.dlg.Hide()
		a.picker = nil
		if n > 0 {
			a.status.setNote("Added " + strconv.Itoa(n) + " layer(s)")
		}
	})
	p.add.Importance = widget.HighImportance
	p.add.Disable()
	cancel := widget.NewButton("Cancel", func() { p.dlg.Hide(); a.picker = nil })
	header := widget.NewLabel(headerText)
	header.Wrapping = fyne.TextWrapWord
	p.dlg = dialog.NewCustomWithoutButtons(dlgTitle, container.NewBorder(header, nil, nil, nil, p.tree), a.win)
	p.dlg.SetButtons([]fyne.CanvasObject{cancel, p.add})
	p.dlg.Resize(fyne.NewSize(560, 480))
	a.picker = p
	p.dlg.Show()
}

func (p *layerPicker) setPicked(id string, on bool) {
	if on {
		p.picked[id] = true
	} else {
		delete(p.picked, id)
	}
	if len(p.picked) > 0 {
		p.add.Enable()
	} else {
		p.add.Disable()
	}
}

// Pick checks the first layer named name (for keyboard-free flows and tests).
func (p *layerPicker) Pick(name string) bool {
	for _, id := range p.order() {
		if p.name(id) == name {
			p.setPicked(id, true)
			p.tree.RefreshItem(id)
			return true
		}
	}
	return false
}

// order returns node ids in document order.
func (p *layerPicker) order() []string {
	var out []string
	var walk func(string)
	walk = func(id string) {
		for _, k := range p.kids[id] {
			out = append(out, k)
			walk(k)
		}
	}
	walk("")
	return out
}

// addPicked adds the checked layers on top of the map, in document order
// (the first checked ends up lowest of them).
func (a *App) addPicked(p *layerPicker) int {
	n := 0
	for _, id := range p.order() {
		if !p.picked[id] {
			continue
		}
		if p.svc != nil {
			l, _, ok := p.svc.Layer(p.name(id))
			if !ok {
				continue
			}
			a.addServiceLayer(l)
			n++
			continue
		}
		l := p.nodes[id]
		// The display name is saved: never with a secret a server echoed.
		title := a.doc.serverText(l.Title)
		if title == "" {
			title = l.Name
		}
		a.doc.proj.AddLayer(project.Layer{
			Name: title, Kind: project.KindWMS, Source: p.clean,
			WMS: project.WMS{Layers: []string{l.Name}, Styles: []string{""},
				Format: wms.PickFormat(p.caps.GetMapFormats), Version: p.caps.Version},
			Opacity: 1, Visible: true,
		})
		n++
	}
	if n > 0 {
		a.markDirty()
		a.refresh()
	}
	return n
}

// offerTree nests offers by Depth: node ids "/0", "/1"… (the offer's
// index), kids[""] the top ones, in document order.
func offerTree(offers []layers.Offer) (nodes map[string]layers.Offer, kids map[string][]string) {
	nodes, kids = map[string]layers.Offer{}, map[string][]string{}
	var stack []string // stack[d] is the last node at depth d
	for i, o := range offers {
		id := "/" + strconv.Itoa(i)
		depth := min(max(o.Depth, 0), len(stack))
		parent := ""
		if depth > 0 {
			parent = stack[depth-1]
		}
		stack = append(stack[:depth], id)
		nodes[id] = o
		kids[parent] = append(kids[parent], id)
	}
	return nodes, kids
}

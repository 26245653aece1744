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
	"mapvault/layers/wms"
	"mapvault/project"
	"mapvault/vault"
)

// AddLayerDialog asks for a WMS address.
func (a *App) AddLayerDialog() {
	entry := widget.NewEntry()
	entry.SetPlaceHolder("https://maps.example.org/wms?…")
	note := widget.NewLabel("A key or password in the address is moved to this session (and the KeyVault notes how it is sent); it is never saved in the project.")
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Add WMS layer", "Next", "Cancel",
		container.NewVBox(entry, note), func(ok bool) {
			if ok {
				a.AddLayerURL(entry.Text)
			}
		}, a.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	a.win.Canvas().Focus(entry)
}

// AddLayerURL starts the add-layer flow for a pasted URL: URL hygiene
// first, the suspects question when needed, then the capabilities.
func (a *App) AddLayerURL(raw string) {
	split, err := vault.SplitURL(strings.TrimSpace(raw))
	if err != nil {
		a.showError(err)
		return
	}
	if len(split.Suspects) == 0 {
		a.addFromSplit(split, split.CleanURL)
		return
	}
	a.askSuspects(raw, split)
}

// askSuspects asks, for each parameter that looks like a secret, whether it
// is one. Checked (the default) means secret: it stays out of the project.
func (a *App) askSuspects(raw string, split vault.Split) {
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
		kept, err := vault.SplitURLKeeping(raw, keep)
		if err != nil {
			a.showError(err)
			return
		}
		a.addFromSplit(kept, kept.CleanURL)
	}, a.win)
	a.suspects = &suspectsDialog{dlg: d, checks: checks}
	d.Show()
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
// method in the KeyVault, and reads the capabilities.
func (a *App) addFromSplit(split vault.Split, clean string) {
	d := a.doc
	src := split.Source
	if split.PathSuspect {
		a.status.setNote(pathSuspectNote)
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
	a.readCapabilities(clean, src, true)
}

// readCapabilities fetches the service's capabilities in a goroutine and
// shows the layer picker; a protected service gets the credential prompt
// first (once per call chain: mayAsk).
func (a *App) readCapabilities(clean string, src vault.Source, mayAsk bool) {
	d := a.doc
	wait := dialog.NewCustomWithoutButtons("Add WMS layer",
		container.NewVBox(widget.NewLabel("Reading the service’s capabilities…"), widget.NewProgressBarInfinite()), a.win)
	wait.Show()
	d.ws.Catalog().Forget(src)
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		caps, err := wms.CapabilitiesFrom(ctx, d.ws.Catalog(), clean)
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
				a.showError(errors.New("Could not read the service: " + d.reason(err)))
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
	p := a.newCredPrompt(src, &t, func(found bool) {
		a.addPrompt = nil
		if found {
			a.readCapabilities(clean, src, false)
		}
	})
	a.addPrompt = p
	p.dlg.Show()
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

// layerPicker is the capabilities tree; the user checks layers to add.
type layerPicker struct {
	caps   *wms.Capabilities
	clean  string
	nodes  map[string]*wms.Layer
	kids   map[string][]string
	picked map[string]bool // node ids
	tree   *widget.Tree
	add    *widget.Button
	dlg    *dialog.CustomDialog
}

func (a *App) showPicker(caps *wms.Capabilities, clean string) {
	d := a.doc
	p := &layerPicker{caps: caps, clean: clean, nodes: map[string]*wms.Layer{}, kids: map[string][]string{}, picked: map[string]bool{}}
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
	p.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID { return p.kids[id] },
		func(id widget.TreeNodeID) bool { return len(p.kids[id]) > 0 },
		func(bool) fyne.CanvasObject {
			return container.NewHBox(widget.NewCheck("", nil), widget.NewLabel("title"), widget.NewLabel("name"))
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			l := p.nodes[id]
			box := o.(*fyne.Container)
			check := box.Objects[0].(*widget.Check)
			check.OnChanged = nil
			check.SetChecked(p.picked[id])
			if l.Name == "" {
				check.Disable()
			} else {
				check.Enable()
			}
			check.OnChanged = func(on bool) { p.setPicked(id, on) }
			title := d.serverText(l.Title)
			if title == "" {
				title = vault.ScrubIdentifier(l.Name, d.ws.Secrets())
			}
			box.Objects[1].(*widget.Label).SetText(title)
			name := box.Objects[2].(*widget.Label)
			name.Importance = widget.LowImportance
			if l.Name != "" {
				name.SetText("(" + vault.ScrubIdentifier(l.Name, d.ws.Secrets()) + ")")
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
	title := d.serverText(caps.Title)
	if title == "" {
		title = "WMS"
	}
	header := widget.NewLabel(title + " — WMS " + d.serverText(caps.Version) + ". Check the layers to add.")
	header.Wrapping = fyne.TextWrapWord
	p.dlg = dialog.NewCustomWithoutButtons("Add WMS layer", container.NewBorder(header, nil, nil, nil, p.tree), a.win)
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
		if p.nodes[id].Name == name {
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

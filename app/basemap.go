package app

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// basemapPreset is a public XYZ tile service offered as a basemap.
type basemapPreset struct {
	Name        string
	Template    string
	Attribution string // what the tiles' licence asks to show
	MaxZoom     int
	Subdomains  []string
}

// basemapPresets are the public basemaps offered. They are only listed
// until the user adds one.
var basemapPresets = []basemapPreset{
	{Name: "OpenStreetMap", Template: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		Attribution: "© OpenStreetMap contributors", MaxZoom: 19},
	{Name: "OpenTopoMap", Template: "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
		Attribution: "© OpenStreetMap contributors, SRTM; map style © OpenTopoMap (CC-BY-SA)", MaxZoom: 17,
		Subdomains: []string{"a", "b", "c"}},
	{Name: "CARTO Positron", Template: "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
		Attribution: "© OpenStreetMap contributors © CARTO", MaxZoom: 20,
		Subdomains: []string{"a", "b", "c", "d"}},
	{Name: "CARTO Dark Matter", Template: "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
		Attribution: "© OpenStreetMap contributors © CARTO", MaxZoom: 20,
		Subdomains: []string{"a", "b", "c", "d"}},
	{Name: "Esri World Imagery", Template: "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
		Attribution: "Tiles © Esri — Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community", MaxZoom: 19},
}

// customBasemap is the list entry for a template of the user's.
const customBasemap = "Custom template…"

// basemapDialog is the basemap picker: the presets and a custom template.
type basemapDialog struct {
	list        *widget.RadioGroup
	template    *keyEntry
	name        *keyEntry
	attribution *keyEntry
	maxZoom     *keyEntry
	custom      *fyne.Container
	dlg         *dialog.ConfirmDialog
}

// AddBasemapDialog shows the basemap picker.
func (a *App) AddBasemapDialog() {
	p := &basemapDialog{template: newKeyEntry(), name: newKeyEntry(), attribution: newKeyEntry(), maxZoom: newKeyEntry()}
	var opts []string
	for _, b := range basemapPresets {
		opts = append(opts, b.Name+" — "+b.Attribution)
	}
	opts = append(opts, customBasemap)
	p.template.SetPlaceHolder("https://tiles.example.org/{z}/{x}/{y}.png")
	p.name.SetPlaceHolder("Name")
	p.attribution.SetPlaceHolder("Attribution, e.g. © OpenStreetMap contributors")
	p.maxZoom.SetText(strconv.Itoa(project.DefaultXYZMaxZoom))
	p.custom = container.NewVBox(widget.NewLabel("Template (with {z}, {x} and {y})"), p.template, p.name, p.attribution,
		container.NewBorder(nil, nil, widget.NewLabel("Max zoom"), nil, p.maxZoom))
	p.custom.Hide()
	p.list = widget.NewRadioGroup(opts, func(s string) {
		if s == customBasemap {
			p.custom.Show()
			if p.dlg != nil { // chosen in the showing dialog: type the template
				a.win.Canvas().Focus(p.template)
			}
		} else {
			p.custom.Hide()
		}
	})
	p.list.SetSelected(opts[0])
	note := widget.NewLabel("A basemap is added at the bottom of the map. Its attribution is shown on the map, as its licence asks.")
	note.Wrapping = fyne.TextWrapWord
	p.dlg = dialog.NewCustomConfirm("Add basemap", "Add", "Cancel", container.NewVBox(p.list, p.custom, note), func(ok bool) {
		a.basemaps = nil
		if ok {
			a.report(a.addChosenBasemap(p))
		}
	}, a.win)
	p.dlg.Resize(fyne.NewSize(620, 0))
	a.basemaps = p
	p.dlg.Show()
	// The presets come first: nothing to type, so no focus; Enter adds the
	// chosen one.
	a.dialogKeys(p.dlg, nil, p.dlg.Confirm, p.dlg.Hide, p.template, p.name, p.attribution, p.maxZoom)
}

// addChosenBasemap adds what the picker has selected.
func (a *App) addChosenBasemap(p *basemapDialog) error {
	sel := p.list.Selected
	if sel == customBasemap {
		zoom, err := strconv.Atoi(strings.TrimSpace(p.maxZoom.Text))
		if err != nil || zoom < 1 || zoom > project.MaxXYZZoom {
			return errors.New("max zoom must be a whole number from 1 to " + strconv.Itoa(project.MaxXYZZoom))
		}
		return a.AddCustomBasemap(p.template.Text, p.name.Text, p.attribution.Text, zoom)
	}
	for _, b := range basemapPresets {
		if strings.HasPrefix(sel, b.Name+" — ") {
			a.AddBasemap(b)
			return nil
		}
	}
	return errors.New("choose a basemap")
}

// AddBasemap adds a preset at the bottom of the project.
func (a *App) AddBasemap(b basemapPreset) {
	a.addBasemapLayer(project.Layer{
		Name: basemapName(b.Name, b.Attribution), Kind: project.KindXYZ, Source: b.Template,
		XYZ:     project.XYZ{MaxZoom: b.MaxZoom, Subdomains: append([]string(nil), b.Subdomains...)},
		Opacity: 1, Visible: true,
	})
}

// AddCustomBasemap adds the user's XYZ template at the bottom of the
// project. A key in the template goes to the session, as in Add layer.
func (a *App) AddCustomBasemap(template, name, attribution string, maxZoom int) error {
	template = strings.TrimSpace(template)
	for _, ph := range []string{"{z}", "{x}"} {
		if !strings.Contains(template, ph) {
			return errors.New("the template needs {z}, {x} and {y} (or {-y}): " + vault.RedactURL(template))
		}
	}
	if !strings.Contains(template, "{y}") && !strings.Contains(template, "{-y}") {
		return errors.New("the template needs {z}, {x} and {y} (or {-y}): " + vault.RedactURL(template))
	}
	k, err := a.doc.ws.Kinds().Lookup(project.KindXYZ)
	if err != nil {
		return err
	}
	split, err := layers.SplitURL(k, template, nil)
	if err != nil {
		return err
	}
	if len(split.Suspects) > 0 {
		return errors.New("parameters of the template look like secrets (" + strings.Join(split.Suspects, ", ") + "): add it with Layer › Add layer…, which asks about them")
	}
	src, err := layers.EntrySource(k, split.CleanURL)
	if err != nil {
		return err
	}
	if split.Method == vault.MethodBasic || split.Method == vault.MethodQuery {
		a.doc.kv().Set(src, vault.Entry{AuthRequired: true, Method: split.Method, Param: split.Param})
	}
	if !split.Credential.IsZero() {
		a.doc.ws.SetCredential(src, split.Credential)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Basemap"
	}
	a.addBasemapLayer(project.Layer{
		Name: basemapName(name, strings.TrimSpace(attribution)), Kind: project.KindXYZ, Source: split.CleanURL,
		XYZ: project.XYZ{MaxZoom: maxZoom}, Opacity: 1, Visible: true,
	})
	return nil
}

// basemapName is a basemap layer's name: the project format has no
// attribution field, so the attribution is kept in the name, in
// parentheses ("OpenStreetMap (© OpenStreetMap contributors)").
func basemapName(name, attribution string) string {
	if attribution == "" {
		return name
	}
	return name + " (" + attribution + ")"
}

// addBasemapLayer adds l at the bottom of the project.
func (a *App) addBasemapLayer(l project.Layer) {
	added := a.doc.proj.AddLayer(l)
	id := added.ID
	_ = a.doc.proj.MoveLayer(id, 0)
	a.markDirty()
	a.refresh()
	a.status.setNote("Added basemap " + l.Name)
}

// attributionOf returns the attribution a visible layer shows: the
// project's Attribution; for an XYZ layer without one, the preset's for a
// preset template, else what its name keeps in parentheses; "" when none.
func attributionOf(l project.Layer) string {
	if l.Visible && l.Attribution != "" {
		return l.Attribution // the project's own, for any kind
	}
	if l.Kind != project.KindXYZ || !l.Visible {
		return ""
	}
	for _, b := range basemapPresets {
		if l.Source == b.Template {
			return b.Attribution
		}
	}
	name := strings.TrimSpace(l.Name)
	if !strings.HasSuffix(name, ")") {
		return ""
	}
	i := strings.LastIndex(name, " (")
	if i < 0 {
		return ""
	}
	return name[i+2 : len(name)-1]
}

// updateAttribution shows the attributions of the visible XYZ layers at
// the bottom right of the map.
func (a *App) updateAttribution() {
	if a.attrib == nil || a.doc == nil {
		return
	}
	var parts []string
	seen := map[string]bool{}
	for i := len(a.doc.proj.Layers) - 1; i >= 0; i-- {
		l := a.doc.proj.Layers[i]
		if !a.doc.proj.GroupVisible(l.Group) {
			continue
		}
		s := attributionOf(l)
		if sp, ok := a.doc.specs[l.ID]; s == "" && ok && l.Visible {
			// What the service credits (a WMS layer's Attribution).
			s = strings.TrimSpace(a.doc.ws.Scrub(sp.AttributionText()))
		}
		if s != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	a.attrib.SetText(strings.Join(parts, " | "))
	if len(parts) == 0 {
		a.attrib.Hide()
	} else {
		a.attrib.Show()
	}
}

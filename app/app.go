package app

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// App is the mapvault main window and the document open in it.
type App struct {
	fa  fyne.App
	win fyne.Window
	svc Services
	do  func(func())

	doc      *document
	mapView  *MapView
	panel    *layerPanel
	identify *identifyPanel
	legend   *legendPanel
	export   exportState
	status   *statusBar
	nav      *navigator
	prompts  *promptQueue
	demo     *demoServers

	ctx    context.Context // app lifetime
	cancel context.CancelFunc

	confirm   *confirmDialog       // the unsaved-changes question showing, if any
	suspects  *suspectsDialog      // the "is this a secret?" question showing
	picker    *layerPicker         // the capabilities tree showing
	addPrompt *credPrompt          // the add-layer flow's credential prompt
	addDialog *addLayerDialog      // the "Add layer" dialog showing
	addError  *dialog.CustomDialog // the add-layer flow's last error
	lastAdd   addRequest           // what the user last asked to add
	basemaps  *basemapDialog       // the basemap picker showing
	browser   *serviceBrowser      // the service browser (made on first use)
	attrib    *widget.Label        // attribution of the visible basemaps
	onSettled func()               // screenshot: called once a frame has every tile
	onExit    func()               // called when the app quits (Run's watchdog)
	trace     func(line string)    // Options.Trace: what actions found, on stderr
}

// New builds the main window around an empty document.
func New(fa fyne.App, svc Services) *App {
	if svc.Store == nil {
		svc.Store = vault.NewStore()
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{fa: fa, svc: svc, do: svc.do(), ctx: ctx, cancel: cancel}
	a.demo = newDemoServers()
	a.win = fa.NewWindow("mapvault")
	a.status = newStatusBar(fa)
	a.nav = newNavigator(a)
	a.mapView = NewMapView(a.do, 0, 0, 2)
	a.mapView.OnViewChanged = a.viewChanged
	a.mapView.OnCursor = a.status.setCursor
	a.mapView.OnStates = a.engineStates
	a.mapView.OnFrame = a.frameDrawn
	a.mapView.OnTapped = func(p fyne.Position) { a.status.clicked(a.mapView.PosToLonLat(p)); a.identifyAt(p) }
	a.panel = newLayerPanel(a)
	a.identify = newIdentifyPanel(a)
	a.legend = newLegendPanel(a)
	a.prompts = newPromptQueue(a)

	zoomIn := widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { a.zoomStep(1) })
	zoomOut := widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { a.zoomStep(-1) })
	a.attrib = widget.NewLabel("")
	a.attrib.Importance = widget.LowImportance
	a.attrib.Hide()
	mapArea := container.NewStack(a.mapView,
		container.NewBorder(nil, nil, nil, container.NewPadded(container.NewVBox(zoomIn, zoomOut))),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), a.attrib), nil, nil),
		container.NewBorder(nil, container.NewHBox(a.nav.scaleBar), nil, nil))
	results := container.NewHSplit(mapArea, a.identify.object())
	results.Offset = 0.7
	a.identify.split = results
	split := container.NewHSplit(a.legend.withPanel(a.panel.object()), results)
	split.Offset = 0.34
	a.win.SetContent(container.NewBorder(nil, a.status.object(), nil, nil, split))
	a.win.Resize(initialWindowSize(userScale(fa)))
	a.win.SetMainMenu(a.mainMenu())
	a.addShortcuts()
	a.win.SetCloseIntercept(a.Quit)
	a.win.SetOnDropped(a.dropped)

	a.setDocument(newDocument(a.svc, project.New("Untitled"), "", nil))
	return a
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.win }

// Map returns the map widget.
func (a *App) Map() *MapView { return a.mapView }

// Project returns the open project (UI goroutine only).
func (a *App) Project() *project.Project { return a.doc.proj }

// KeyVault returns the open project's KeyVault.
func (a *App) KeyVault() *vault.KeyVault { return a.doc.kv() }

// Path returns where the open project is saved ("" when never saved).
func (a *App) Path() string { return a.doc.path }

// Dirty reports unsaved changes.
func (a *App) Dirty() bool { return a.doc.dirty }

// Close stops background work and the demo servers this app started.
func (a *App) Close() {
	a.mapView.Stop()
	a.doc.close()
	a.cancel()
	a.demo.closeAll()
}

// setDocument replaces the open document.
func (a *App) setDocument(d *document) {
	if a.doc != nil {
		a.mapView.Stop()
		a.doc.close()
	}
	a.prompts.reset()
	v := d.proj.View
	a.doc = d
	d.ws.Watch(func(src vault.Source) {
		a.do(func() { a.sourceChanged(d, src) })
	})
	a.mapView.SetEngine(d.ws.Engine())
	a.mapView.SetCenter(v.Lon, v.Lat, v.Zoom)
	a.nav.reset()
	a.refresh()
	a.lookupCredentials()
}

// markDirty records an unsaved change.
func (a *App) markDirty() {
	a.doc.dirty = true
	a.updateTitle()
}

func (a *App) updateTitle() {
	t := a.displayName()
	if a.doc.dirty {
		t = "*" + t
	}
	a.win.SetTitle(t + " — mapvault")
}

// refresh brings the map and panel in line with the document.
func (a *App) refresh() {
	a.resolveSpecs()
	a.mapView.SetLayers(a.doc.drawSpecs())
	a.panel.update()
	a.updateAttribution()
	a.legend.update()
	a.status.setLoading(a.mapView.Fetching(), pendingTiles(a.doc.states))
	a.updateTitle()
}

func (a *App) viewChanged() {
	if a.doc == nil {
		return
	}
	lon, lat, zoom := a.mapView.Center()
	a.status.setView(lat, zoom)
	a.viewMoved()
	// The view is part of the project but moving the map is not an edit
	// worth a "save changes?" question: it is saved with the next save.
	v := &a.doc.proj.View
	v.Lon, v.Lat, v.Zoom = lon, lat, zoom
}

// resolveSpecs resolves (in goroutines) every visible, unblocked layer that
// has no spec yet.
func (a *App) resolveSpecs() {
	d := a.doc
	for i := range d.proj.Layers {
		l := d.proj.Layers[i] // a copy for the goroutine
		if !l.Visible || d.resolving[l.ID] {
			continue
		}
		if _, ok := d.specs[l.ID]; ok {
			continue
		}
		if _, ok := d.specErr[l.ID]; ok {
			continue
		}
		src, err := d.ws.LayerSource(d.proj, l)
		if err != nil {
			// A kind not drawn yet, or a source that is no address.
			d.specErr[l.ID] = errorReason(err)
			continue
		}
		if d.access(src).Blocked() {
			continue
		}
		d.resolving[l.ID] = true
		go func() {
			spec, err := d.ws.Spec(d.ctx, d.proj, l)
			a.do(func() { a.specResolved(d, l.ID, src, spec, err) })
		}()
	}
}

func (a *App) specResolved(d *document, id string, src vault.Source, spec layers.LayerSpec, err error) {
	if a.doc != d {
		return
	}
	delete(d.resolving, id)
	defer a.prompts.next() // prompts wait for the resolves in flight
	if _, ok := d.proj.Layer(id); !ok {
		return
	}
	var ae *vault.AuthError
	switch {
	case err != nil && d.ctx.Err() != nil:
		return
	case errors.As(err, &ae):
		// The workspace blocked the source; sourceChanged asks.
	case err != nil:
		d.specErr[id] = d.reason(err)
	default:
		d.specs[id] = spec
	}
	a.refresh()
}

// engineStates receives the engine's per-layer states. A layer the engine
// reports blocked was refused with a credential: the store marked it
// rejected and the workspace tells sourceChanged.
func (a *App) engineStates(states map[string]layers.State) {
	d := a.doc
	for id, s := range states {
		if _, ok := d.proj.Layer(id); ok {
			d.states[id] = s
		}
	}
	a.refresh()
}

// sourceChanged reacts to the workspace: a source that became blocked is
// asked for once (the prompt says what its scheme needs); one that became
// unblocked is resolved again.
func (a *App) sourceChanged(d *document, src vault.Source) {
	if a.doc != d || len(d.layersOf(src)) == 0 {
		return
	}
	acc := d.access(src)
	was := d.blocked[src]
	d.blocked[src] = acc.Blocked()
	switch {
	case acc.AskUser():
		a.askFor(src, true)
	case !acc.Blocked() && was:
		d.forgetSource(src)
	}
	a.refresh()
}

// askFor queues a credential prompt for src. Automatic prompts happen once
// per source; "Unlock…" (auto false) always asks.
func (a *App) askFor(src vault.Source, auto bool) {
	if auto && a.doc.asked[src] {
		return
	}
	a.doc.asked[src] = true
	a.prompts.enqueue(src)
}

// unlocked is called when a credential for src was accepted.
func (a *App) unlocked(src vault.Source) {
	d := a.doc
	d.forgetSource(src)
	d.asked[src] = false
	a.refresh()
}

// lookupCredentials asks the keychain, once per protected source of the
// document, for its credential; sources it cannot unlock are prompted for.
// The lookups run one after the other in one goroutine and are answered
// together, so the prompts come in a stable order (the panel's, top first)
// whatever the keychain's timing.
func (a *App) lookupCredentials() {
	d := a.doc
	var need []vault.Source
	srcs := d.sources()
	for i := len(srcs) - 1; i >= 0; i-- { // the panel shows the top layer first
		src := srcs[i]
		acc := d.access(src)
		d.blocked[src] = acc.Blocked()
		if !acc.AskUser() || d.keychain[src] {
			continue
		}
		d.keychain[src] = true
		need = append(need, src)
	}
	if len(need) == 0 {
		return
	}
	if !d.ws.HasKeychain() {
		for _, src := range need {
			a.askFor(src, true)
		}
		return
	}
	go func() {
		errs := make([]error, len(need))
		for i, src := range need {
			errs[i] = d.ws.FromKeychain(src)
		}
		a.do(func() {
			for i, src := range need {
				a.keychainAnswered(d, src, errs[i])
			}
		})
	}()
}

func (a *App) keychainAnswered(d *document, src vault.Source, err error) {
	if a.doc != d {
		return
	}
	switch {
	case err == nil && !d.access(src).Blocked():
		a.refresh() // the workspace unblocked the layers
	case !d.access(src).AskUser():
		// Unlocked meanwhile (a prompt, or the server said it is open).
	case errors.Is(err, vault.ErrKeychainUnavailable):
		a.status.setNote("System keychain unavailable: credentials are asked for this session only")
		a.askFor(src, true)
	default:
		a.askFor(src, true)
	}
}

// showError shows an error; core errors carry no secrets.
func (a *App) showError(err error) {
	dialog.ShowError(err, a.win)
}

// report shows err, if any.
func (a *App) report(err error) {
	if err != nil {
		a.showError(err)
	}
}

func pendingTiles(states map[string]layers.State) int {
	n := 0
	for _, s := range states {
		if s.Kind == layers.StateLoading {
			n += max(0, s.Queued-s.Done-s.Failed)
		}
	}
	return n
}

// layerTitle is how a layer is named in the UI.
func layerTitle(l *project.Layer) string {
	if strings.TrimSpace(l.Name) != "" {
		return l.Name
	}
	if len(l.WMS.Layers) > 0 {
		return strings.Join(l.WMS.Layers, ", ")
	}
	return l.ID
}

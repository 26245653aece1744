package app

import (
	"context"
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/layers/wms"
	"mapvault/project"
)

const (
	settleDelay    = 500 * time.Millisecond // a view the map keeps this long enters the history
	historyEntries = 50                     // views kept for Previous/Next extent
)

// viewState is one entry of the view history.
type viewState struct{ lon, lat, zoom float64 }

// navigator owns the map navigation of the View menu: the history of
// settled views (Previous/Next extent), Full extent, Zoom to scale and the
// scale bar overlay. UI goroutine only.
type navigator struct {
	a *App

	history  []viewState
	pos      int         // index of the current view in history, -1 when empty
	timer    *time.Timer // settles the view once the map stays still
	pending  bool        // the view moved since the last entry
	applying bool        // Previous/Next is moving the map: not a new entry

	scaleBar *scaleBar

	scaleDlg   *dialog.FormDialog // "Zoom to scale" showing
	scaleEntry *dialogEntry
	bookmarks  *bookmarkEditor // the bookmark dialogs
}

func newNavigator(a *App) *navigator {
	return &navigator{a: a, pos: -1, scaleBar: newScaleBar()}
}

// viewMoved is called after every change of the map's centre or zoom: it
// updates the scale bar and (re)starts the settle timer.
func (a *App) viewMoved() {
	n := a.nav
	_, lat, zoom := a.mapView.Center()
	n.scaleBar.update(lat, zoom)
	if n.applying {
		return
	}
	n.pending = true
	// One timer, pushed back by every move: it fires once the map has
	// been still for settleDelay.
	if n.timer == nil {
		n.timer = time.AfterFunc(settleDelay, func() {
			a.do(func() {
				if n.pending {
					n.settle()
				}
			})
		})
	} else {
		n.timer.Reset(settleDelay)
	}
}

// settle enters the current view into the history (a discrete action, or
// a view the map kept for settleDelay).
func (n *navigator) settle() {
	n.pending = false // a settle timer still running has nothing left to do
	lon, lat, zoom := n.a.mapView.Center()
	v := viewState{lon, lat, zoom}
	if n.pos >= 0 && n.history[n.pos] == v {
		return
	}
	n.history = append(n.history[:n.pos+1], v)
	if len(n.history) > historyEntries {
		n.history = n.history[len(n.history)-historyEntries:]
	}
	n.pos = len(n.history) - 1
}

// reset starts the history of a newly opened document at its view.
func (n *navigator) reset() {
	n.history, n.pos = nil, -1
	n.settle()
	n.a.refreshMenu()
}

// jump moves the map as a discrete action: the new view enters the
// history at once.
func (a *App) jump(lon, lat, zoom float64) {
	a.mapView.SetCenter(lon, lat, zoom)
	a.nav.settle()
}

// zoomStep zooms by dz around the centre (the zoom buttons).
func (a *App) zoomStep(dz float64) {
	a.mapView.ZoomBy(dz)
	a.nav.settle()
}

// PreviousExtent returns to the view before the current one.
func (a *App) PreviousExtent() { a.nav.step(-1) }

// NextExtent goes forward again after PreviousExtent.
func (a *App) NextExtent() { a.nav.step(1) }

func (n *navigator) step(d int) {
	if n.pending {
		n.settle() // the view the user is leaving counts
	}
	i := n.pos + d
	if i < 0 || i >= len(n.history) {
		return
	}
	n.pos = i
	v := n.history[i]
	n.applying = true
	n.a.mapView.SetCenter(v.lon, v.lat, v.zoom)
	n.applying = false
	n.pending = false
}

// layerLoader is a vector layer source that can hand its whole document
// (GeoJSON): its features' bounds are the layer's extent.
type layerLoader interface {
	Layer(ctx context.Context, f layers.Fetcher) (*vector.Layer, error)
}

// FullExtent fits the view to the union of the visible layers' extents: a
// WMS layer's from the capabilities (GeographicBBox, as Zoom to layer), a
// vector layer's from its features once loaded. Layers that state no
// extent (tiles covering the world, blocked sources) are left out.
func (a *App) FullExtent() {
	d := a.doc
	type job struct {
		l      project.Layer
		loader layerLoader
	}
	var jobs []job
	for _, l := range d.proj.Layers {
		if !l.Visible {
			continue
		}
		if src, ok := d.sourceOf(&l); ok && d.access(src).Blocked() {
			continue
		}
		j := job{l: l}
		if spec, ok := d.specs[l.ID]; ok && spec.Features != nil {
			j.loader, _ = spec.Features.(layerLoader)
		}
		if j.loader != nil || (l.Kind == project.KindWMS && len(l.WMS.Layers) > 0) {
			jobs = append(jobs, j)
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, capabilitiesTimeout)
		defer cancel()
		var u extentUnion
		for _, j := range jobs {
			if j.loader != nil {
				// No fetcher: a local document is read, a remote one
				// counts only when drawing loaded it already.
				if vl, err := j.loader.Layer(ctx, nil); err == nil {
					if b, ok := vl.Bounds(); ok {
						u.add(b.West, b.South, b.East, b.North)
					}
				}
				continue
			}
			caps, err := wms.CapabilitiesFrom(ctx, d.ws.Catalog(), d.proj.Resolve(j.l.Source))
			if err != nil {
				continue
			}
			for _, name := range j.l.WMS.Layers {
				if cl := caps.Find(name); cl != nil && cl.GeographicBBox != nil {
					b := cl.GeographicBBox
					u.add(b.Min(0), b.Min(1), b.Max(0), b.Max(1))
				}
			}
		}
		a.do(func() {
			if a.doc != d {
				return
			}
			b, ok := u.bounds()
			if !ok {
				a.status.setNote("Full extent: no visible layer states its extent")
				return
			}
			s := a.mapView.Size()
			lon, lat, z := layers.FitBounds(b, float64(s.Width), float64(s.Height), maxZoom)
			a.jump(lon, lat, z)
		})
	}()
}

// extentUnion collects lon/lat boxes; a box whose east edge is west of its
// west edge crosses the antimeridian.
type extentUnion struct {
	west, south, east, north float64
	n                        int
}

func (u *extentUnion) add(w, s, e, n float64) {
	for _, v := range []float64{w, s, e, n} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
	}
	if e < w {
		e += 360
	}
	if u.n == 0 {
		u.west, u.south, u.east, u.north = w, s, e, n
		u.n++
		return
	}
	// Longitudes go round: take the box as it is, or a turn east or west,
	// whichever makes the union narrowest.
	best := math.Inf(1)
	var bw, be float64
	for _, shift := range []float64{0, -360, 360} {
		lo, hi := math.Min(u.west, w+shift), math.Max(u.east, e+shift)
		if hi-lo < best {
			best, bw, be = hi-lo, lo, hi
		}
	}
	u.west, u.east = bw, be
	u.south, u.north = math.Min(u.south, s), math.Max(u.north, n)
	u.n++
}

func (u *extentUnion) bounds() (*geom.Bounds, bool) {
	if u.n == 0 {
		return nil, false
	}
	w, e := u.west, u.east
	if e-w >= 360 {
		return geom.NewBounds(geom.XY).Set(-180, u.south, 180, u.north), true
	}
	for w < -180 {
		w, e = w+360, e+360
	}
	for w >= 180 {
		w, e = w-360, e-360
	}
	if e > 180 {
		e -= 360 // FitBounds reads east < west as crossing the antimeridian
	}
	return geom.NewBounds(geom.XY).Set(w, u.south, e, u.north), true
}

// ZoomToScaleDialog asks for a map scale ("1:25000" or "25000") and zooms
// so that the scale at the view's latitude is that.
func (a *App) ZoomToScaleDialog() {
	n := a.nav
	_, lat, zoom := a.mapView.Center()
	e := newDialogEntry()
	e.SetText(formatScale(layers.ScaleDenominator(lat, zoom)))
	e.Validator = func(s string) error {
		sc, err := parseScale(s)
		if err != nil {
			return err
		}
		_, lat, _ := a.mapView.Center()
		if z := zoomForScale(sc, lat); z < minZoom || z > maxZoom {
			return fmt.Errorf("at this latitude the map shows %s to %s",
				formatScale(layers.ScaleDenominator(lat, minZoom)), formatScale(layers.ScaleDenominator(lat, maxZoom)))
		}
		return nil
	}
	dlg := dialog.NewForm("Zoom to scale", "Zoom", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Scale", e)}, func(ok bool) {
			n.scaleDlg, n.scaleEntry = nil, nil
			if !ok {
				return
			}
			if err := e.Validate(); err != nil {
				a.showError(err)
				return
			}
			sc, _ := parseScale(e.Text)
			lon, lat, _ := a.mapView.Center()
			a.jump(lon, lat, zoomForScale(sc, lat))
		}, a.win)
	e.OnSubmitted = func(string) {
		if e.Validate() == nil { // nonsense keeps the dialog open with its error
			dlg.Submit()
		}
	}
	e.onEscape = dlg.Hide
	n.scaleDlg, n.scaleEntry = dlg, e
	dlg.Resize(fyne.NewSize(320, dlg.MinSize().Height))
	dlg.Show()
	a.win.Canvas().Focus(e)
}

// navigationMenuItems are the View menu's navigation entries.
func (a *App) navigationMenuItems() []*fyne.MenuItem {
	item := func(label string, key fyne.KeyName, mod fyne.KeyModifier, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	return []*fyne.MenuItem{
		item("Full extent", "", 0, a.FullExtent),
		item("Previous extent", fyne.KeyLeft, fyne.KeyModifierAlt, a.PreviousExtent),
		item("Next extent", fyne.KeyRight, fyne.KeyModifierAlt, a.NextExtent),
		item("Zoom to scale…", "", 0, a.ZoomToScaleDialog),
		fyne.NewMenuItemSeparator(),
		a.bookmarksMenu(),
	}
}

// addNavigationShortcuts registers Alt+Left / Alt+Right on the window.
func (a *App) addNavigationShortcuts() {
	c := a.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}, func(fyne.Shortcut) { a.PreviousExtent() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}, func(fyne.Shortcut) { a.NextExtent() })
}

// refreshMenu rebuilds the main menu (the bookmarks changed).
func (a *App) refreshMenu() {
	if a.win != nil && a.doc != nil {
		a.win.SetMainMenu(a.mainMenu())
	}
}

// dialogEntry is a one-line entry for dialogs: Enter submits (OnSubmitted)
// and Escape cancels.
type dialogEntry struct {
	widget.Entry
	onEscape func()
}

func newDialogEntry() *dialogEntry {
	e := &dialogEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey implements fyne.Focusable: Escape cancels the dialog.
func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

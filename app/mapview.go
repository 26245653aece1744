package app

import (
	"context"
	"image"
	"image/color"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/vector"
)

const (
	redrawInterval = 33 * time.Millisecond // coalesced redraws: at most ~30 fps
	fetchDebounce  = 60 * time.Millisecond // a pan in progress does not start a fetch per event
	panStep        = 64                    // keyboard pan, logical pixels
	scrollPerZoom  = 20                    // scroll delta for one zoom level (glfw: 10 per notch)
)

// MapView is the map widget: it draws the visible layers through the engine
// (Compose reads the tile cache only), fetches missing tiles in a goroutine
// whose context is cancelled whenever the view moves on, and redraws at most
// ~30 times a second while tiles land.
//
// All methods run on the UI goroutine; results of background work come back
// through the do function (fyne.Do in the application).
type MapView struct {
	widget.BaseWidget

	do     func(func())
	engine *layers.Engine
	specs  []layers.LayerSpec

	lon, lat, zoom float64
	img            *canvas.Image

	cancel   context.CancelFunc
	gen      uint64
	fetching bool
	missing  int

	highlight *vector.Layer // the identified feature, drawn over the layers

	redrawPending atomic.Bool
	live          liveStates

	lastCompose time.Duration
	lastFrame   time.Time

	// Callbacks (UI goroutine).
	OnViewChanged func()                                        // centre or zoom changed
	OnCursor      func(lon, lat float64, inside bool)           // pointer over the map
	OnStates      func(states map[string]layers.State)          // per-layer load state
	OnFrame       func(missing int, fetching bool)              // after each redraw
	OnTapped      func(pos fyne.Position)                       // the map was clicked at pos
	onFetchStart  func(v layers.View, specs []layers.LayerSpec) // tests/metrics
}

// liveStates collects LayerState reports from pipeline goroutines.
type liveStates struct {
	mu     sync.Mutex
	gen    uint64
	states map[string]layers.State
}

// NewMapView returns a map centred on lon/lat at zoom. do runs a function on
// the UI goroutine.
func NewMapView(do func(func()), lon, lat, zoom float64) *MapView {
	m := &MapView{do: do, lon: lon, lat: lat, zoom: clamp(zoom, minZoom, maxZoom)}
	m.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
	m.img.FillMode = canvas.ImageFillStretch
	m.img.ScaleMode = canvas.ImageScaleFastest
	m.ExtendBaseWidget(m)
	return m
}

// CreateRenderer implements fyne.Widget.
func (m *MapView) CreateRenderer() fyne.WidgetRenderer {
	return &mapRenderer{m: m}
}

type mapRenderer struct{ m *MapView }

func (r *mapRenderer) Layout(s fyne.Size)           { r.m.img.Resize(s) }
func (r *mapRenderer) MinSize() fyne.Size           { return fyne.NewSize(64, 64) }
func (r *mapRenderer) Refresh()                     { r.m.img.Refresh() }
func (r *mapRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.m.img} }
func (r *mapRenderer) Destroy()                     {}

// Resize implements fyne.CanvasObject: a new size is a new view.
func (m *MapView) Resize(s fyne.Size) {
	if s == m.Size() {
		return
	}
	m.BaseWidget.Resize(s)
	m.viewChanged()
}

// Center returns the view centre and zoom.
func (m *MapView) Center() (lon, lat, zoom float64) { return m.lon, m.lat, m.zoom }

// SetCenter moves the view.
func (m *MapView) SetCenter(lon, lat, zoom float64) {
	m.lon, m.lat, m.zoom = layers.WrapLon(lon), clamp(lat, -layers.MaxLat, layers.MaxLat), clamp(zoom, minZoom, maxZoom)
	m.viewChanged()
}

// SetEngine swaps the engine (one per open document) and the layers drawn.
func (m *MapView) SetEngine(e *layers.Engine) {
	m.engine = e
	m.specs = nil
	m.viewChanged()
}

// SetLayers sets the layers to draw, bottom first (only visible, unblocked
// layers with a resolved spec).
func (m *MapView) SetLayers(specs []layers.LayerSpec) {
	if slices.EqualFunc(specs, m.specs, specEqual) {
		return
	}
	m.specs = slices.Clone(specs)
	m.viewChanged()
}

func specEqual(a, b layers.LayerSpec) bool {
	return a.ID == b.ID && a.Key() == b.Key() && a.Opacity == b.Opacity && a.Source == b.Source
}

// View returns the engine view for the widget's current size.
func (m *MapView) View() layers.View {
	s := m.Size()
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(m); c != nil && c.Scale() > 0 {
		scale = c.Scale()
	}
	return layers.View{
		CenterLon: m.lon, CenterLat: m.lat, Zoom: m.zoom,
		Width: int(math.Round(float64(s.Width))), Height: int(math.Round(float64(s.Height))),
		Scale: float64(scale),
	}
}

// Fetching reports whether tiles are being loaded.
func (m *MapView) Fetching() bool { return m.fetching }

// Missing is the number of tiles the last frame lacked.
func (m *MapView) Missing() int { return m.missing }

// LastCompose is the duration of the last Compose call.
func (m *MapView) LastCompose() time.Duration { return m.lastCompose }

// Frame returns the image currently shown.
func (m *MapView) Frame() image.Image { return m.img.Image }

// PosToLonLat converts a position in the widget to lon/lat.
func (m *MapView) PosToLonLat(p fyne.Position) (lon, lat float64) {
	cx, cy := layers.WorldPixel(m.lon, m.lat, m.zoom)
	s := m.Size()
	return layers.LonLatAtWorldPixel(cx+float64(p.X-s.Width/2), cy+float64(p.Y-s.Height/2), m.zoom)
}

// Pan moves the view by dx, dy logical pixels (content follows the pointer:
// a positive dx moves the map right, the centre left).
func (m *MapView) Pan(dx, dy float32) {
	cx, cy := layers.WorldPixel(m.lon, m.lat, m.zoom)
	ws := layers.WorldSize(m.zoom)
	cy = clamp(cy-float64(dy), 0, ws)
	m.lon, m.lat = layers.LonLatAtWorldPixel(cx-float64(dx), cy, m.zoom)
	m.viewChanged()
}

// ZoomAt changes the zoom by dz keeping the point under p fixed.
func (m *MapView) ZoomAt(p fyne.Position, dz float64) {
	nz := clamp(m.zoom+dz, minZoom, maxZoom)
	if nz == m.zoom {
		return
	}
	s := m.Size()
	ox, oy := float64(p.X-s.Width/2), float64(p.Y-s.Height/2)
	plon, plat := m.PosToLonLat(p)
	px, py := layers.WorldPixel(plon, plat, nz)
	m.zoom = nz
	m.lon, m.lat = layers.LonLatAtWorldPixel(px-ox, clamp(py-oy, 0, layers.WorldSize(nz)), nz)
	m.viewChanged()
}

// ZoomBy zooms around the view centre.
func (m *MapView) ZoomBy(dz float64) {
	s := m.Size()
	m.ZoomAt(fyne.NewPos(s.Width/2, s.Height/2), dz)
}

// Dragged implements fyne.Draggable: pan.
func (m *MapView) Dragged(ev *fyne.DragEvent) { m.Pan(ev.Dragged.DX, ev.Dragged.DY) }

// DragEnd implements fyne.Draggable.
func (m *MapView) DragEnd() {}

// Scrolled implements fyne.Scrollable: zoom at the cursor.
func (m *MapView) Scrolled(ev *fyne.ScrollEvent) {
	m.ZoomAt(ev.Position, float64(ev.Scrolled.DY)/scrollPerZoom)
}

// Tapped implements fyne.Tappable: take keyboard focus and report the
// click (identify).
func (m *MapView) Tapped(ev *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(m); c != nil {
		c.Focus(m)
	}
	if m.OnTapped != nil {
		m.OnTapped(ev.Position)
	}
}

// SetHighlight outlines g (lon/lat) on the map, nil for nothing: the
// feature an identify found.
func (m *MapView) SetHighlight(g geom.T) {
	m.highlight = nil
	if g != nil {
		m.highlight = vector.NewLayer([]vector.Feature{{Geometry: g}})
	}
	m.redraw()
}

// highlightStyle draws the identified feature over the map, as QGIS does:
// a bright outline and a light fill.
var highlightStyle = vector.Style{
	Fill:        color.NRGBA{R: 255, G: 0, B: 0, A: 48},
	Stroke:      color.NRGBA{R: 255, G: 0, B: 0, A: 230},
	StrokeWidth: 2.5,
	PointRadius: 7,
	Opacity:     1,
}

// drawHighlight outlines the highlighted feature on frame (view v).
func (m *MapView) drawHighlight(frame *image.RGBA, v layers.View) {
	if m.highlight == nil {
		return
	}
	s := v.Scale
	if s <= 0 {
		s = 1
	}
	cx, cy := layers.WorldPixel(v.CenterLon, v.CenterLat, v.Zoom)
	proj := vector.WebMercator{
		Scale:   layers.WorldSize(v.Zoom) * s,
		OriginX: (cx - float64(v.Width)/2) * s,
		OriginY: (cy - float64(v.Height)/2) * s,
	}
	st := highlightStyle
	st.StrokeWidth *= s
	st.PointRadius *= s
	_, _ = vector.NewRenderer(vector.Options{}).Render(frame, m.highlight, st, proj)
}

// MouseIn implements desktop.Hoverable.
func (m *MapView) MouseIn(ev *desktop.MouseEvent) { m.MouseMoved(ev) }

// MouseMoved implements desktop.Hoverable: report the cursor position.
func (m *MapView) MouseMoved(ev *desktop.MouseEvent) {
	if m.OnCursor != nil {
		lon, lat := m.PosToLonLat(ev.Position)
		m.OnCursor(lon, lat, true)
	}
}

// MouseOut implements desktop.Hoverable.
func (m *MapView) MouseOut() {
	if m.OnCursor != nil {
		m.OnCursor(0, 0, false)
	}
}

// FocusGained implements fyne.Focusable.
func (m *MapView) FocusGained() {}

// FocusLost implements fyne.Focusable.
func (m *MapView) FocusLost() {}

// TypedRune implements fyne.Focusable: + and - zoom.
func (m *MapView) TypedRune(r rune) {
	switch r {
	case '+', '=':
		m.ZoomBy(1)
	case '-', '_':
		m.ZoomBy(-1)
	}
}

// TypedKey implements fyne.Focusable: arrows pan. Zoom keys are handled as
// runes only: a desktop driver reports "+" as a key and as a rune, and
// handling both zoomed two levels per press.
func (m *MapView) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyLeft:
		m.Pan(panStep, 0)
	case fyne.KeyRight:
		m.Pan(-panStep, 0)
	case fyne.KeyUp:
		m.Pan(0, panStep)
	case fyne.KeyDown:
		m.Pan(0, -panStep)
	}
}

// viewChanged redraws from the cache at once and schedules a fetch.
func (m *MapView) viewChanged() {
	m.redraw()
	m.scheduleFetch()
	if m.OnViewChanged != nil {
		m.OnViewChanged()
	}
}

// Redraw composes a new frame from the cache (UI goroutine).
func (m *MapView) Redraw() { m.redraw() }

func (m *MapView) redraw() {
	v := m.View()
	if m.engine == nil || v.Width <= 0 || v.Height <= 0 {
		return
	}
	start := time.Now()
	frame, missing := m.engine.Compose(v, m.specs)
	m.lastCompose = time.Since(start)
	m.drawHighlight(frame, v)
	m.lastFrame = time.Now()
	m.missing = missing
	m.img.Image = frame
	m.img.Refresh()
	if m.OnFrame != nil {
		m.OnFrame(missing, m.fetching)
	}
}

// requestRedraw coalesces redraw requests from pipeline goroutines into at
// most one per redrawInterval.
func (m *MapView) requestRedraw(gen uint64) {
	if !m.redrawPending.CompareAndSwap(false, true) {
		return
	}
	time.AfterFunc(redrawInterval, func() {
		m.do(func() {
			m.redrawPending.Store(false)
			if gen != m.gen {
				return
			}
			m.redraw()
			if st := m.live.snapshot(gen); st != nil && m.OnStates != nil {
				m.OnStates(st)
			}
		})
	})
}

// Stop cancels any fetch in flight.
func (m *MapView) Stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.gen++
	m.fetching = false
}

func (m *MapView) scheduleFetch() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.gen++
	gen := m.gen
	v := m.View()
	if m.engine == nil || len(m.specs) == 0 || v.Width <= 0 || v.Height <= 0 {
		m.fetching = false
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.fetching = true
	eng, specs := m.engine, slices.Clone(m.specs)
	m.live.reset(gen)
	if m.onFetchStart != nil {
		m.onFetchStart(v, specs)
	}
	p := &viewProgress{m: m, gen: gen}
	go func() {
		t := time.NewTimer(fetchDebounce)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		states := eng.Fetch(ctx, v, specs, p)
		if ctx.Err() != nil {
			return
		}
		m.do(func() { m.fetchDone(gen, states) })
	}()
}

func (m *MapView) fetchDone(gen uint64, states map[string]layers.State) {
	if gen != m.gen {
		return
	}
	m.fetching = false
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.redraw()
	if m.OnStates != nil {
		m.OnStates(states)
	}
}

// viewProgress is the engine's Progress for one fetch generation.
type viewProgress struct {
	m   *MapView
	gen uint64
}

func (p *viewProgress) LayerState(id string, s layers.State) {
	p.m.live.set(p.gen, id, s)
	p.m.requestRedraw(p.gen)
}

func (p *viewProgress) TileDone(string) { p.m.requestRedraw(p.gen) }

func (l *liveStates) reset(gen uint64) {
	l.mu.Lock()
	l.gen, l.states = gen, nil
	l.mu.Unlock()
}

func (l *liveStates) set(gen uint64, id string, s layers.State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen != l.gen {
		return
	}
	if l.states == nil {
		l.states = map[string]layers.State{}
	}
	l.states[id] = s
}

func (l *liveStates) snapshot(gen uint64) map[string]layers.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen != l.gen || l.states == nil {
		return nil
	}
	out := make(map[string]layers.State, len(l.states))
	for k, v := range l.states {
		out[k] = v
	}
	return out
}

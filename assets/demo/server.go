package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultAddr is where the demo server listens unless told otherwise.
const DefaultAddr = "127.0.0.1:47815"

// The paths of the three demo services.
const (
	PublicPath = "/public/wms"
	BasicPath  = "/basic/wms"
	KeyPath    = "/key/wms"
)

// ErrNotLoopback is returned by Start for an address that is empty or not on
// a loopback interface: the demo credentials are public, so the demo server
// never listens where other machines can reach it.
var ErrNotLoopback = errors.New("demo: address is not a loopback host:port")

// Server is a running demo WMS server on a loopback address.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	url  string
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
	stop      func() bool // stops the context watcher
}

// Start loads the demo data, listens on addr (e.g. DefaultAddr, or
// "127.0.0.1:0" for any free port) and serves until Close is called or ctx is
// done. An empty or non-loopback address is refused with ErrNotLoopback and a
// busy one returned as the listen error; falling back to "127.0.0.1:0" is the
// caller's choice.
func Start(ctx context.Context, addr string) (*Server, error) {
	if !loopback(addr) {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	h, err := NewHandler()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       60 * time.Second,
		},
		ln:   ln,
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// loopback reports whether addr is host:port with a loopback host.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL returns the server's base URL, "http://127.0.0.1:PORT", without a
// trailing slash; the services are at URL()+PublicPath etc.
func (s *Server) URL() string { return s.url }

// Close stops the server, dropping open connections, and waits for it.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		err := s.srv.Close()
		<-s.done
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// handler serves the three WMS endpoints, the XYZ basemap, the WMTS and
// the OGC API - Features service.
type handler struct {
	endpoints map[string]*endpoint
	png       png.Encoder // with a buffer pool shared by all requests

	tiles     *tileCache // rendered PNG tiles of basemap and wmtsLayer
	basemap   *tileLayer // the XYZ basemap
	wmtsLayer *tileLayer // the WMTS layer
	features  []itemFeature
	itemsBox  bounds // lon/lat extent of features
}

// pngBuffers lets concurrent requests reuse the PNG encoder's zlib state.
type pngBuffers struct{ pool sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if eb, ok := b.pool.Get().(*png.EncoderBuffer); ok {
		return eb
	}
	return nil
}

func (b *pngBuffers) Put(eb *png.EncoderBuffer) { b.pool.Put(eb) }

// NewHandler returns the demo WMS as an http.Handler (for httptest or for
// mounting elsewhere). It loads and projects the embedded data once.
func NewHandler() (http.Handler, error) {
	eps, err := catalogue()
	if err != nil {
		return nil, err
	}
	h := &handler{
		endpoints: make(map[string]*endpoint, len(eps)),
		png:       png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}},
	}
	for _, e := range eps {
		h.endpoints[e.path] = e
	}
	land := h.endpoints[PublicPath].layer("land")
	countries := h.endpoints[BasicPath].layer("countries")
	borders := h.endpoints[KeyPath].layer("borders")
	h.basemap = &tileLayer{
		background: color.NRGBA{0xb5, 0xd0, 0xe0, 0xff}, // sea
		layers: []*layer{land, {
			data: borders.data, style: style{stroke: color.NRGBA{0xa0, 0x90, 0x80, 0xff}, strokeWidth: 0.8},
		}},
	}
	h.wmtsLayer = &tileLayer{layers: []*layer{countries}}
	h.tiles = newTileCache(tileCacheSize)
	if h.features, h.itemsBox, err = loadItems(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		h.index(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && servedPrefix(r.URL.Path) {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, TilesPath+"/"):
		h.serveXYZ(w, r)
		return
	case p == WMTSPath || strings.HasPrefix(p, WMTSPath+"/"):
		h.serveWMTS(w, r)
		return
	case p == FeaturesPath || strings.HasPrefix(p, FeaturesPath+"/"):
		h.serveFeatures(w, r)
		return
	}
	e := h.endpoints[r.URL.Path]
	if e == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !allowed(w, r, e.auth) {
		return
	}
	p := paramsOf(r.URL.Query())
	version := p["VERSION"]
	if version != version111 {
		version = version130
	}
	if svc, ok := p["SERVICE"]; ok && !strings.EqualFold(svc, "WMS") {
		writeException(w, errorf("InvalidParameterValue", "SERVICE %q is not WMS", svc), version)
		return
	}
	switch req := p["REQUEST"]; {
	case strings.EqualFold(req, "GetCapabilities"):
		h.getCapabilities(w, r, e, p)
	case strings.EqualFold(req, "GetMap"):
		h.getMap(w, e, p)
	case req == "":
		writeException(w, errorf("MissingParameterValue", "REQUEST is missing"), version)
	default:
		writeException(w, errorf("OperationNotSupported", "REQUEST %q is not supported", req), version)
	}
}

// servedPrefix reports whether p is under one of the tile or features
// services.
func servedPrefix(p string) bool {
	for _, s := range []string{TilesPath, WMTSPath, FeaturesPath} {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// index lists the services for a person who opens the base URL.
func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var b strings.Builder
	b.WriteString("mapvault demo WMS (Natural Earth data, public domain)\n\n")
	for _, path := range []string{PublicPath, BasicPath, KeyPath} {
		e := h.endpoints[path]
		b.WriteString(path + "  " + e.title + "\n")
	}
	b.WriteString(TilesTemplate + "  mapvault demo: XYZ basemap (public)\n")
	b.WriteString(WMTSPath + "  mapvault demo: WMTS (access key in " + WMTSKeyParam + ")\n")
	b.WriteString(FeaturesPath + "  mapvault demo: OGC API - Features (HTTP Basic)\n")
	w.Write([]byte(b.String()))
}

func (h *handler) getCapabilities(w http.ResponseWriter, r *http.Request, e *endpoint, p params) {
	v := p["VERSION"]
	if v == "" {
		v = p["WMTVER"] // pre-1.1 name of the parameter
	}
	version := negotiate(v)
	body, err := capabilities(e, version, "http://"+r.Host+e.path)
	if err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	mediaType := "text/xml; charset=utf-8"
	if version == version111 {
		mediaType = "application/vnd.ogc.wms_xml"
	}
	w.Header().Set("Content-Type", mediaType)
	w.Write(body)
}

func (h *handler) getMap(w http.ResponseWriter, e *endpoint, p params) {
	req, serr := parseGetMap(e, p)
	if serr != nil {
		version := p["VERSION"]
		if version != version111 {
			version = version130
		}
		writeException(w, serr, version)
		return
	}
	img := renderMap(req)
	var buf bytes.Buffer
	if err := h.png.Encode(&buf, img); err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(buf.Bytes())
}

// renderMap draws the request's layers, bottom first, into a new image.
func renderMap(req *mapRequest) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, req.width, req.height))
	if !req.transparent {
		draw.Draw(img, img.Bounds(), image.NewUniform(req.bgcolor), image.Point{}, draw.Src)
	}
	v := newView(req.box, req.crs == crsMercator, req.width, req.height)
	for _, l := range req.layers {
		v.draw(img, l.data, l.style)
	}
	return img
}

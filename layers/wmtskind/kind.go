package wmtskind

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/internal/ogcxml"
	"mapvault/layers/wmts"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the WMTS layer kind. It implements layers.Kind,
// layers.URLMatcher, layers.DocumentMatcher and layers.DocumentReader.
//
// Use New: its Kind remembers the capabilities it reads (Open, Resolve) by
// URL, so that Probe, which gets the project layer alone, can ask for a
// real tile. The zero Kind remembers nothing and probes with the
// capabilities document.
type Kind struct{ memo *memo }

// New returns a Kind with its memory of capabilities (bounded: the last
// memoSize documents).
func New() Kind { return Kind{memo: &memo{docs: map[string]*wmts.Capabilities{}}} }

const memoSize = 16

type memo struct {
	mu    sync.Mutex
	docs  map[string]*wmts.Capabilities
	order []string
}

func (m *memo) put(raw string, c *wmts.Capabilities) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.docs[raw]; !ok {
		m.order = append(m.order, raw)
		if len(m.order) > memoSize {
			delete(m.docs, m.order[0])
			m.order = m.order[1:]
		}
	}
	m.docs[raw] = c
}

func (m *memo) get(raw string) *wmts.Capabilities {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.docs[raw]
}

var (
	_ layers.Kind            = Kind{}
	_ layers.URLMatcher      = Kind{}
	_ layers.DocumentMatcher = Kind{}
	_ layers.DocumentReader  = Kind{}
)

// Namespace is the WMTS 1.0.0 XML namespace.
const Namespace = "http://www.opengis.net/wmts/1.0"

// NotWebMercatorError: the layer's tile matrix set is neither Web-Mercator
// aligned nor in a CRS the engine can resample from (EPSG:4326, CRS84, Web
// Mercator; see Resamplable): a national grid, an unknown CRS.
type NotWebMercatorError struct {
	MatrixSet string
	Layer     string
	CRS       string // the set's SupportedCRS, as written
}

func (e *NotWebMercatorError) Error() string {
	return fmt.Sprintf("wmts: matrix set %q of layer %q is in CRS %q, which mapvault cannot draw; choose GoogleMapsCompatible or a set in EPSG:4326", e.MatrixSet, e.Layer, e.CRS)
}

// tileSet is what Resolve and Probe use of a layer's tile source: Tiles on
// a Web-Mercator-aligned set, Resampled on another usable one.
type tileSet interface {
	layers.TileSource
	first() (string, bool)
	probeTile(box *wmts.BBox, lon, lat float64) (string, bool)
}

// newTileSet is NewTiles, or NewResampled for a set that is not
// Web-Mercator aligned.
func newTileSet(caps *wmts.Capabilities, f project.WMTS) (tileSet, error) {
	t, err := NewTiles(caps, f)
	var nw *NotWebMercatorError
	switch {
	case errors.As(err, &nw):
		return NewResampled(caps, f)
	case err != nil:
		return nil, err
	}
	return t, nil
}

// ErrOutsideSource: the capabilities send tile requests outside the
// layer's credential source while the layer sends a credential.
var ErrOutsideSource = errors.New("wmts: the capabilities name tile URLs outside the layer's source; its credential would not go there")

// Name is "wmts".
func (Kind) Name() project.Kind { return project.KindWMTS }

// Source is the capabilities URL's source (vault.SourceOf): its origin and
// path, covering the origin, so that RESTful tiles and a KVP endpoint
// elsewhere on it get the credential. A RESTful template given as the
// source ({TileMatrix} in it) is a path prefix, as an XYZ template.
func (Kind) Source(l project.Layer) (vault.Source, error) { return vault.SourceOf(l.Source) }

// CapabilitiesURL returns the GetCapabilities URL of what the user gave: a
// RESTful WMTSCapabilities.xml (or any URL asking for GetCapabilities) as
// it is; a KVP endpoint gets SERVICE=WMTS&REQUEST=GetCapabilities (its
// other parameters kept).
func CapabilitiesURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %s", vault.ErrBadURL, vault.RedactURL(raw))
	}
	if strings.HasSuffix(strings.ToLower(u.Path), ".xml") {
		return u.String(), nil
	}
	var kept []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); err == nil {
			switch strings.ToUpper(k) {
			case "SERVICE", "REQUEST", "VERSION":
				continue
			}
		}
		kept = append(kept, pair)
	}
	kept = append(kept, "SERVICE=WMTS", "REQUEST=GetCapabilities", "VERSION=1.0.0")
	u.RawQuery = strings.Join(kept, "&")
	u.ForceQuery = false
	return u.String(), nil
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

// FetchCapabilities reads and parses a service's capabilities with client.
// Errors hold redacted URLs only.
func FetchCapabilities(ctx context.Context, client *http.Client, raw string) (*wmts.Capabilities, error) {
	capsURL, err := CapabilitiesURL(raw)
	if err != nil {
		return nil, err
	}
	redacted := vault.RedactURL(capsURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, capsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("wmts: GetCapabilities %s: bad request", redacted)
	}
	req.Header.Set("Accept", "application/xml, text/xml;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would print the unredacted URL
		}
		return nil, fmt.Errorf("wmts: GetCapabilities %s: %w", redacted, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil, &layers.HTTPError{Status: resp.StatusCode, URL: redacted}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, wmts.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("wmts: GetCapabilities %s: %w", redacted, err)
	}
	if looksHTML(body, resp.Header.Get("Content-Type")) {
		return nil, fmt.Errorf("%w from %s", layers.ErrHTMLResponse, redacted)
	}
	caps, err := wmts.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("wmts: GetCapabilities %s: %w", redacted, err)
	}
	if caps.BaseURL == "" {
		caps.BaseURL = capsURL
	}
	return caps, nil
}

func looksHTML(body []byte, contentType string) bool {
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n"))
	head = head[:min(len(head), 512)]
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
		return true
	}
	return strings.Contains(strings.ToLower(contentType), "text/html") && !bytes.HasPrefix(head, []byte("<?xml"))
}

// CapabilitiesFrom returns the capabilities through the catalog: read once
// per session with its (authenticating) client.
func CapabilitiesFrom(ctx context.Context, c *layers.Catalog, raw string) (*wmts.Capabilities, error) {
	src, err := vault.SourceOf(raw)
	if err != nil {
		return nil, err
	}
	doc, err := c.Document(ctx, "wmts "+raw, src, func(ctx context.Context) (any, error) {
		return FetchCapabilities(ctx, c.Client(), raw)
	})
	if err != nil {
		return nil, err
	}
	return doc.(*wmts.Capabilities), nil
}

// Resolve reads the capabilities (once per session, env.Catalog), picks
// the layer's style, matrix set and format (PickMatrixSet, PickFormat;
// the project layer's values when it names them) and returns the tile
// source: Tiles on a Web-Mercator-aligned set, Resampled on a set in
// EPSG:4326, CRS84 or Web Mercator with other levels; any other set is a
// *NotWebMercatorError.
func (k Kind) Resolve(ctx context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if env.Catalog == nil {
		return layers.LayerSpec{}, errors.New("wmts: no catalog to read the capabilities with")
	}
	caps, err := CapabilitiesFrom(ctx, env.Catalog, l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	k.memo.put(strings.TrimSpace(l.Source), caps)
	tiles, err := newTileSet(caps, l.WMTS)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if env.Credentialed {
		probe, ok := tiles.first()
		if u, err := url.Parse(probe); !ok || err != nil || !src.Covers(u) {
			return layers.LayerSpec{}, ErrOutsideSource
		}
	}
	return layers.LayerSpec{Tiles: tiles}, nil
}

// Probe is a GetTile of the layer (Expect image) at the middle of its
// levels, of the tile holding lon/lat (or the layer's WGS84 box centre),
// when this Kind has read the service's capabilities (Open, Resolve): a
// tile URL (RESTful template, matrix identifiers) is only known from them.
// Otherwise it is the capabilities document itself (Expect xml; see
// docs/layer-kinds.md: vault's classifier accepts only WMS roots today).
func (k Kind) Probe(l project.Layer, lon, lat float64) (vault.Target, error) {
	capsURL, err := CapabilitiesURL(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	if caps := k.memo.get(strings.TrimSpace(l.Source)); caps != nil {
		if tiles, err := newTileSet(caps, l.WMTS); err == nil {
			if u, ok := tiles.probeTile(caps.Layer(l.WMTS.Layer).WGS84BBox, lon, lat); ok {
				if pu, err := url.Parse(u); err == nil && src.Covers(pu) {
					return vault.Target{URL: u, Expect: vault.ExpectImage, Source: src}, nil
				}
			}
		}
	}
	return vault.Target{URL: capsURL, Expect: vault.ExpectXML}, nil
}

// EntryTarget: the capabilities document (not map data).
func (k Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	t, err := k.Probe(project.Layer{Kind: project.KindWMTS, Source: rawURL}, 0, 0)
	return t, false, err
}

// Open reads the capabilities with client.
func (k Kind) Open(ctx context.Context, client *http.Client, rawURL string) (layers.Service, error) {
	caps, err := FetchCapabilities(ctx, client, rawURL)
	if err != nil {
		return nil, err
	}
	k.memo.put(strings.TrimSpace(rawURL), caps)
	return NewService(caps, strings.TrimSpace(rawURL)), nil
}

// ReadDocument parses a capabilities document (a file).
func (Kind) ReadDocument(r io.Reader) (layers.Service, error) {
	caps, err := wmts.Parse(r)
	if err != nil {
		return nil, err
	}
	return NewService(caps, ""), nil
}

// MatchURL: SERVICE=WMTS or a path ending in WMTSCapabilities.xml is
// surely WMTS (95); another SERVICE is not; a path with a "wmts" segment
// is a hint (30).
func (Kind) MatchURL(rawURL string) int {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return 0
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "service") && len(v) > 0 {
			if strings.EqualFold(v[0], "WMTS") {
				return 95
			}
			return 0
		}
	}
	p := strings.ToLower(u.Path)
	switch {
	case strings.HasSuffix(p, "/wmtscapabilities.xml"):
		return 95
	case strings.Contains(rawURL, "{"):
		return 0 // a template: XYZ's
	case strings.Contains(p, "/wmts/") || strings.HasSuffix(p, "/wmts"):
		return 30
	}
	return 0
}

// MatchDocument recognises a Capabilities root in the WMTS namespace.
func (Kind) MatchDocument(_ string, body []byte) bool {
	d := ogcxml.NewDecoder(bytes.NewReader(body))
	for i := 0; i < 64; i++ {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "Capabilities" && se.Name.Space == Namespace
		}
	}
	return false
}

// PickMatrixSet chooses the set to draw a layer from: one it links to that
// is Web-Mercator aligned, "GoogleMapsCompatible" (by identifier or
// WellKnownScaleSet) first, else the first aligned one, else the first one
// the engine can resample (Resamplable: EPSG:4326, CRS84, Web Mercator),
// else the layer's first link (which Resolve then refuses). "" when it
// links to none.
func PickMatrixSet(c *wmts.Capabilities, l *wmts.Layer) string {
	first, aligned, usable := "", "", ""
	for _, k := range l.MatrixSetLinks {
		s := c.MatrixSet(k.MatrixSet)
		if s == nil {
			continue
		}
		if first == "" {
			first = s.Identifier
		}
		if usable == "" && Resamplable(s) {
			usable = s.Identifier
		}
		if !s.IsWebMercator() {
			continue
		}
		if strings.EqualFold(s.Identifier, "GoogleMapsCompatible") || strings.Contains(strings.ToLower(s.WellKnownScaleSet), "googlemapscompatible") {
			return s.Identifier
		}
		if aligned == "" {
			aligned = s.Identifier
		}
	}
	switch {
	case aligned != "":
		return aligned
	case usable != "":
		return usable
	}
	return first
}

// PickFormat prefers PNG, then any image format, then the first.
func PickFormat(formats []string) string {
	for _, pref := range []func(string) bool{
		func(f string) bool { return strings.EqualFold(f, "image/png") },
		func(f string) bool { return strings.HasPrefix(strings.ToLower(f), "image/png") },
		func(f string) bool { return strings.HasPrefix(strings.ToLower(f), "image/") },
	} {
		for _, f := range formats {
			if pref(f) {
				return f
			}
		}
	}
	if len(formats) > 0 {
		return formats[0]
	}
	return ""
}

// layerFormats lists the formats a layer has tiles in: its Formats, then
// its tile ResourceURL formats.
func layerFormats(l *wmts.Layer) []string {
	out := append([]string{}, l.Formats...)
	for _, r := range l.ResourceURLs {
		if strings.EqualFold(r.ResourceType, "tile") {
			out = append(out, r.Format)
		}
	}
	return out
}

// Service is a WMTS service's capabilities as a layers.Service.
type Service struct {
	caps *wmts.Capabilities
	url  string
}

var _ layers.Reporter = (*Service)(nil)

// NewService returns the service of caps read from rawURL ("" for a file).
func NewService(caps *wmts.Capabilities, rawURL string) *Service {
	return &Service{caps: caps, url: rawURL}
}

// Capabilities returns the parsed document.
func (s *Service) Capabilities() *wmts.Capabilities { return s.caps }

// Title is the service title.
func (s *Service) Title() string { return s.caps.Title }

// Dimensions lists the identifiers of a layer's dimensions (TIME,
// ELEVATION, ...), as the capabilities write them; nil for an unknown
// layer.
func (s *Service) Dimensions(layer string) []string {
	l := s.caps.Layer(layer)
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l.Dimensions))
	for _, d := range l.Dimensions {
		out = append(out, d.Identifier)
	}
	return out
}

// NeedsChoice is true: a WMTS service offers layers to choose from.
func (s *Service) NeedsChoice() bool { return true }

// Offers lists the layers.
func (s *Service) Offers() []layers.Offer {
	out := make([]layers.Offer, 0, len(s.caps.Layers))
	for _, l := range s.caps.Layers {
		out = append(out, offerOf(l))
	}
	return out
}

func offerOf(l *wmts.Layer) layers.Offer {
	o := layers.Offer{Name: l.Identifier, Title: l.Title, Abstract: l.Abstract}
	if b := l.WGS84BBox; b != nil && b.MinX <= b.MaxX && b.MinY <= b.MaxY {
		o.Box = geom.NewBounds(geom.XY).Set(b.MinX, b.MinY, b.MaxX, b.MaxY)
	}
	return o
}

// Layer returns the project layer drawing the named layer ("" the first):
// its default style, the preferred matrix set (PickMatrixSet) and format
// (PickFormat).
func (s *Service) Layer(name string) (project.Layer, layers.Offer, bool) {
	var l *wmts.Layer
	if name == "" {
		if len(s.caps.Layers) > 0 {
			l = s.caps.Layers[0]
		}
	} else {
		l = s.caps.Layer(name)
	}
	if l == nil {
		return project.Layer{}, layers.Offer{}, false
	}
	title := l.Title
	if title == "" {
		title = l.Identifier
	}
	return project.Layer{
		Name: title, Kind: project.KindWMTS, Source: s.url,
		WMTS: project.WMTS{
			Layer:     l.Identifier,
			Style:     l.DefaultStyle(),
			MatrixSet: PickMatrixSet(s.caps, l),
			Format:    PickFormat(layerFormats(l)),
		},
		Opacity: 1, Visible: true,
	}, offerOf(l), true
}

// Summary is the listing's header: title and version, how tiles are
// asked for.
func (s *Service) Summary() []string {
	out := []string{fmt.Sprintf("%s (WMTS %s)", s.caps.Title, s.caps.Version)}
	if ep := s.caps.KVPEndpoint(); len(s.caps.GetTileKVP) > 0 && ep != "" {
		out = append(out, "GetTile (KVP): "+vault.RedactURL(ep))
	}
	rest := false
	for _, l := range s.caps.Layers {
		rest = rest || l.HasREST()
	}
	if rest {
		out = append(out, "GetTile (RESTful): ResourceURL templates")
	}
	return out
}

// WriteReportJSON writes the capabilities report (wmts.Capabilities.Report)
// as indented JSON, what the server wrote scrubbed: titles and warnings
// with vault.Scrub, identifiers, formats and CRSs with
// vault.ScrubIdentifier.
func (s *Service) WriteReportJSON(w io.Writer, secrets ...string) error {
	r := s.caps.Report()
	text := func(v string) string { return vault.Scrub(v, secrets) }
	id := func(v string) string { return vault.ScrubIdentifier(v, secrets) }
	ids := func(vs []string) []string {
		for i, v := range vs {
			vs[i] = id(v)
		}
		return vs
	}
	r.Title = text(r.Title)
	r.Version = id(r.Version)
	for i, v := range r.Warnings {
		r.Warnings[i] = text(v)
	}
	for i := range r.Layers {
		l := &r.Layers[i]
		l.Identifier, l.Title, l.DefaultStyle = id(l.Identifier), text(l.Title), id(l.DefaultStyle)
		ids(l.Formats)
		ids(l.Styles)
		ids(l.MatrixSets)
		ids(l.RESTFormats)
		bb := make(map[string][4]float64, len(l.BBoxes))
		for k, v := range l.BBoxes {
			bb[id(k)] = v
		}
		l.BBoxes = bb
		dims := make(map[string]wmts.DimensionReport, len(l.Dimensions))
		for k, d := range l.Dimensions {
			d.Identifier, d.Units, d.Default = id(d.Identifier), id(d.Units), id(d.Default)
			ids(d.Values)
			dims[id(k)] = d
		}
		l.Dimensions = dims
	}
	for i := range r.MatrixSets {
		m := &r.MatrixSets[i]
		m.Identifier, m.CRS = id(m.Identifier), id(m.CRS)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

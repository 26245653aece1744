// Package wfs is the wfs layer kind (OGC WFS 2.0, 1.1 and 1.0): the
// capabilities read once per session through the Catalog, one layer per
// feature type, and a GetFeature per fetch tile (GeoJSON output when the
// server offers it, else GML), paged with STARTINDEX up to the view bound
// (vector.Options.MaxFeaturesPerView; past it the layer says "zoom in to
// see features"). It is registered in layers/kinds.Default.
package wfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/internal/featuretile"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the WFS layer kind. It implements layers.Kind, layers.URLMatcher
// and layers.DocumentMatcher. Options bound parsing, pages and drawing
// (zero: vector's defaults); PageSize is the COUNT of one GetFeature
// (0: 1000).
type Kind struct {
	Options  vector.Options
	PageSize int
}

var (
	_ layers.Kind            = Kind{}
	_ layers.URLMatcher      = Kind{}
	_ layers.DocumentMatcher = Kind{}
)

// DefaultPageSize is the COUNT of one GetFeature request.
const DefaultPageSize = 1000

const (
	capsAccept    = "application/xml, text/xml;q=0.9, */*;q=0.1"
	featureAccept = "application/geo+json, application/json;q=0.9, application/gml+xml;q=0.8, text/xml;q=0.7, */*;q=0.1"
)

// Name is "wfs".
func (Kind) Name() project.Kind { return project.KindWFS }

// Source is the service URL's source (origin and path, covering the
// origin, as a WMS endpoint's).
func (Kind) Source(l project.Layer) (vault.Source, error) { return vault.SourceOf(l.Source) }

// CapabilitiesURL is the GetCapabilities request of a service URL: its
// vendor parameters kept, SERVICE, REQUEST and VERSION replaced (no
// VERSION: the server answers its highest).
func CapabilitiesURL(serviceURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(serviceURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("wfs: %w: %s", vault.ErrBadURL, vault.RedactURL(serviceURL))
	}
	var kept []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		switch strings.ToUpper(name) {
		case "SERVICE", "REQUEST", "VERSION", "ACCEPTVERSIONS", "TYPENAME", "TYPENAMES":
			continue
		}
		kept = append(kept, pair)
	}
	sort.Strings(kept)
	kept = append(kept, "SERVICE=WFS", "REQUEST=GetCapabilities")
	u.RawQuery = strings.Join(kept, "&")
	u.User = nil
	u.Fragment = ""
	return u.String(), nil
}

// FetchCapabilities reads and parses a service's capabilities with client.
func FetchCapabilities(ctx context.Context, client *http.Client, serviceURL string, opt vector.Options) (*vector.WFSCapabilities, error) {
	capsURL, err := CapabilitiesURL(serviceURL)
	if err != nil {
		return nil, err
	}
	body, _, err := featuretile.GetDocument(ctx, client, capsURL, capsAccept, featuretile.MaxDocument)
	if err != nil {
		return nil, err
	}
	caps, err := vector.ParseWFSCapabilities(bytes.NewReader(body), opt)
	if err != nil {
		return nil, fmt.Errorf("wfs: capabilities of %s: %w", vault.RedactURL(capsURL), err)
	}
	return caps, nil
}

// CapabilitiesFrom returns the capabilities through the Catalog: one fetch
// per session.
func CapabilitiesFrom(ctx context.Context, c *layers.Catalog, serviceURL string, opt vector.Options) (*vector.WFSCapabilities, error) {
	src, err := vault.SourceOf(serviceURL)
	if err != nil {
		return nil, err
	}
	doc, err := c.Document(ctx, "wfs "+serviceURL, src, func(ctx context.Context) (any, error) {
		return FetchCapabilities(ctx, c.Client(), serviceURL, opt)
	})
	if err != nil {
		return nil, err
	}
	return doc.(*vector.WFSCapabilities), nil
}

// Resolve reads the capabilities (through env.Catalog), checks the feature
// type and picks the version, the output format (GeoJSON when offered) and
// the GetFeature endpoint (the advertised one only when the layer's source
// covers it: requests stay where the credential goes).
func (k Kind) Resolve(ctx context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if strings.TrimSpace(l.WFS.TypeName) == "" {
		return layers.LayerSpec{}, fmt.Errorf("wfs: layer %s names no feature type", l.ID)
	}
	if env.Catalog == nil {
		return layers.LayerSpec{}, errors.New("wfs: no catalog")
	}
	caps, err := CapabilitiesFrom(ctx, env.Catalog, l.Source, k.Options)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	var ft *vector.WFSFeatureType
	for i := range caps.FeatureTypes {
		if caps.FeatureTypes[i].Name == l.WFS.TypeName {
			ft = &caps.FeatureTypes[i]
			break
		}
	}
	if ft == nil {
		return layers.LayerSpec{}, fmt.Errorf("wfs: the service no longer offers feature type %q", l.WFS.TypeName)
	}
	version := l.WFS.Version
	if version == "" {
		version = caps.Version
	}
	base := l.Source
	if caps.GetFeatureURL != "" {
		if u, err := url.Parse(caps.GetFeatureURL); err == nil && src.Covers(u) {
			base = caps.GetFeatureURL
		}
	}
	// The feature type's own formats when it lists them, else the
	// service's.
	format := ft.GeoJSONFormat()
	if len(ft.Formats) == 0 {
		format = vector.GeoJSONFormat(caps.Formats)
	}
	page := k.PageSize
	if page <= 0 {
		page = DefaultPageSize
	}
	st := featuretile.Style(l.Style)
	s := &Source{base: base, typeName: ft.Name, version: version, format: format, page: page, opt: k.Options}
	probe, err := vector.GetFeatureURL(base, vector.GetFeatureRequest{Version: version, TypeName: ft.Name, OutputFormat: format})
	if err != nil {
		return layers.LayerSpec{}, err
	}
	s.Blocks = featuretile.Blocks{Cache: featuretile.SharedViewCache(env.Catalog, "wfs feature cache", k.Options), FetchKey: "wfs " + probe, Style: st, Fetch: s.Fetch}
	return layers.LayerSpec{Features: s}, nil
}

// Probe is the service's GetCapabilities, which must be a WFS capabilities
// document (a GetFeature needs the output formats, and protected servers
// guard both alike).
func (Kind) Probe(l project.Layer, _, _ float64) (vault.Target, error) {
	u, err := CapabilitiesURL(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	return vault.Target{URL: u, Expect: vault.ExpectXML, Source: src}, nil
}

// EntryTarget: the capabilities, read anonymously first (Open).
func (k Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	t, err := k.Probe(project.Layer{Kind: project.KindWFS, Source: rawURL}, 0, 0)
	return t, false, err
}

// Open reads the capabilities with client: one offer per feature type.
func (k Kind) Open(ctx context.Context, client *http.Client, rawURL string) (layers.Service, error) {
	caps, err := FetchCapabilities(ctx, client, rawURL, k.Options)
	if err != nil {
		return nil, err
	}
	return &service{url: strings.TrimSpace(rawURL), caps: caps}, nil
}

// MatchURL: SERVICE=WFS is certain enough (90); a path with "wfs" a hint
// (25, above WMS's 20 for "wms").
func (Kind) MatchURL(rawURL string) int {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return 0
	}
	for name, vs := range u.Query() {
		if strings.EqualFold(name, "SERVICE") {
			for _, v := range vs {
				if strings.EqualFold(v, "WFS") {
					return 90
				}
			}
		}
	}
	if strings.Contains(strings.ToLower(u.Path), "wfs") {
		return 25
	}
	return 0
}

// MatchDocument recognises a WFS_Capabilities document.
func (Kind) MatchDocument(_ string, body []byte) bool {
	head := body[:min(len(body), 4<<10)]
	return bytes.Contains(head, []byte("WFS_Capabilities"))
}

type service struct {
	url  string
	caps *vector.WFSCapabilities
}

func (s *service) Title() string { return s.caps.Title }

func (s *service) Offers() []layers.Offer {
	out := make([]layers.Offer, 0, len(s.caps.FeatureTypes))
	for _, ft := range s.caps.FeatureTypes {
		out = append(out, offer(ft))
	}
	return out
}

func offer(ft vector.WFSFeatureType) layers.Offer {
	o := layers.Offer{Name: ft.Name, Title: ft.Title, Abstract: ft.Abstract}
	if o.Title == "" {
		o.Title = ft.Name
	}
	if b := ft.BBox; b != nil && b.Valid() {
		o.Box = geom.NewBounds(geom.XY).Set(b.West, b.South, b.East, b.North)
	}
	return o
}

func (s *service) NeedsChoice() bool { return true }

func (s *service) Layer(name string) (project.Layer, layers.Offer, bool) {
	for _, ft := range s.caps.FeatureTypes {
		if ft.Name == name || (name == "" && ft.Name != "") {
			o := offer(ft)
			l := project.Layer{Name: o.Title, Kind: project.KindWFS, Source: s.url, Opacity: 1, Visible: true}
			l.WFS.TypeName = ft.Name
			return l, o, true
		}
	}
	return project.Layer{}, layers.Offer{}, false
}

// Source draws one feature type: a layers.FeatureSource (and Identifier,
// Legender) drawing the features its Fetch gets per block of tiles.
type Source struct {
	featuretile.Blocks
	base, typeName, version, format string
	page                            int
	opt                             vector.Options
}

// Fetch gets the features in box: GetFeature pages of s.page features
// (STARTINDEX) until a short page, numberMatched, or the view bound.
func (s *Source) Fetch(ctx context.Context, f layers.Fetcher, box vector.Bounds) (*vector.Layer, error) {
	pager := func(i int, prev *vector.FeatureCollection, total int) (string, bool) {
		if i > 0 {
			if prev == nil || len(prev.Features) < s.page || (prev.NumberMatched >= 0 && total >= prev.NumberMatched) {
				return "", false
			}
		}
		u, err := vector.GetFeatureURL(s.base, vector.GetFeatureRequest{
			Version: s.version, TypeName: s.typeName, Count: s.page, StartIndex: total,
			BBox: &box, OutputFormat: s.format,
		})
		return u, err == nil
	}
	return featuretile.FetchPages(ctx, f, featureAccept, pager, s.parse, s.opt)
}

// parse reads GeoJSON or GML, whichever the answer is.
func (s *Source) parse(body []byte, _ string) (*vector.FeatureCollection, error) {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if len(b) > 0 && b[0] == '{' {
		return vector.ParseGeoJSON(bytes.NewReader(b), s.opt)
	}
	return vector.ParseGML(bytes.NewReader(b), s.opt)
}

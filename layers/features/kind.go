// Package features is the features layer kind (OGC API - Features): the
// landing page and the collections read once per session through the
// Catalog, one layer per collection, and the items of a fetch tile asked
// with bbox and limit, following rel="next" links up to the view bound
// (vector.Options.MaxFeaturesPerView; past it the layer says "zoom in to
// see features").
//
// The credential source is a path prefix: the landing page's path with a
// trailing "/" ("https://h:443/ogcapi/"). The transport attaches the
// credential to every request under it, so a next link that carries no key
// (MapServer writes its links without the key it was asked with) gets it
// again, and a next link anywhere else goes without it. It is registered in
// layers/kinds.Default.
package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/internal/featuretile"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the OGC API - Features layer kind. It implements layers.Kind,
// layers.URLMatcher and layers.DocumentMatcher. Options bound parsing,
// pages and drawing; PageSize is the limit of one items request (0: 1000).
type Kind struct {
	Options  vector.Options
	PageSize int
}

var (
	_ layers.Kind            = Kind{}
	_ layers.URLMatcher      = Kind{}
	_ layers.DocumentMatcher = Kind{}
)

// DefaultPageSize is the limit of one items request.
const DefaultPageSize = 1000

const (
	docAccept   = "application/json, */*;q=0.1"
	itemsAccept = "application/geo+json, application/json;q=0.9, */*;q=0.1"
)

// Name is "features".
func (Kind) Name() project.Kind { return project.KindFeatures }

// landing returns the landing page URL of a source (as given, without a
// trailing "/" and fragment) and its prefix source.
func landing(raw string) (string, vault.Source, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("features: %w: %s", vault.ErrBadURL, vault.RedactURL(raw))
	}
	u.Fragment, u.User = "", nil
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	p := *u
	p.RawQuery = ""
	p.Path += "/"
	src, err := vault.SourceOf(p.String())
	return u.String(), src, err
}

// Source is the landing page's path as a prefix: "https://h:443/ogcapi/".
func (Kind) Source(l project.Layer) (vault.Source, error) {
	_, src, err := landing(l.Source)
	return src, err
}

// Service is what a landing page offers: its page and collections.
type Service struct {
	url         string
	Landing     *vector.LandingPage
	Collections []vector.Collection
}

// FetchService reads the landing page and the collections with client.
func FetchService(ctx context.Context, client *http.Client, raw string, opt vector.Options) (*Service, error) {
	land, src, err := landing(raw)
	if err != nil {
		return nil, err
	}
	// The source is a prefix: say so, or the transport would take the
	// landing page's own path as its source and attach no credential.
	ctx = vault.WithSource(ctx, src)
	base, _ := url.Parse(land)
	body, _, err := featuretile.GetDocument(ctx, client, land, docAccept, featuretile.MaxDocument)
	if err != nil {
		return nil, err
	}
	lp, err := vector.ParseLandingPage(bytes.NewReader(body), base, opt)
	if err != nil {
		return nil, fmt.Errorf("features: landing page %s: %w", vault.RedactURL(land), err)
	}
	collURL := lp.CollectionsURL
	if u, err := url.Parse(collURL); err != nil || !src.Covers(u) {
		collURL = strings.TrimRight(base.Path, "/") + "/collections"
		u := *base
		u.Path = collURL
		collURL = u.String()
	}
	cbase, _ := url.Parse(collURL)
	body, _, err = featuretile.GetDocument(ctx, client, collURL, docAccept, featuretile.MaxDocument)
	if err != nil {
		return nil, err
	}
	colls, err := vector.ParseCollections(bytes.NewReader(body), cbase, opt)
	if err != nil {
		return nil, fmt.Errorf("features: collections %s: %w", vault.RedactURL(collURL), err)
	}
	return &Service{url: strings.TrimSpace(raw), Landing: lp, Collections: colls}, nil
}

// Resolve reads the service through env.Catalog (once per session) and
// returns the collection's FeatureSource. An items link outside the
// layer's source is not used: {landing}/collections/{id}/items is asked
// instead, where the credential goes.
func (k Kind) Resolve(ctx context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	land, src, err := landing(l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if l.Features.Collection == "" {
		return layers.LayerSpec{}, fmt.Errorf("features: layer %s names no collection", l.ID)
	}
	if env.Catalog == nil {
		return layers.LayerSpec{}, errors.New("features: no catalog")
	}
	doc, err := env.Catalog.Document(ctx, "features "+land, src, func(ctx context.Context) (any, error) {
		return FetchService(ctx, env.Catalog.Client(), land, k.Options)
	})
	if err != nil {
		return layers.LayerSpec{}, err
	}
	svc := doc.(*Service)
	var coll *vector.Collection
	for i := range svc.Collections {
		if svc.Collections[i].ID == l.Features.Collection {
			coll = &svc.Collections[i]
			break
		}
	}
	if coll == nil {
		return layers.LayerSpec{}, fmt.Errorf("features: the service no longer offers collection %q", l.Features.Collection)
	}
	items := coll.ItemsURL
	if u, err := url.Parse(items); err != nil || !src.Covers(u) {
		b, _ := url.Parse(land)
		b.RawQuery = ""
		b.Path = strings.TrimRight(b.Path, "/") + "/collections/" + url.PathEscape(coll.ID) + "/items"
		items = b.String()
	}
	page := k.PageSize
	if page <= 0 {
		page = DefaultPageSize
	}
	st := featuretile.Style(l.Style)
	s := &Source{items: items, page: page, opt: k.Options}
	s.Blocks = featuretile.Blocks{Cache: featuretile.SharedViewCache(env.Catalog, "features feature cache", k.Options), FetchKey: "features " + items, Style: st, Fetch: s.Fetch}
	return layers.LayerSpec{Features: s}, nil
}

// Probe is a GET of the landing page as JSON (f=json: detection sends no
// Accept header, and servers answer HTML without one), which must answer
// JSON: built from the layer alone (the collection's items URL is known
// only from the protected documents), and guarded like the items on real
// servers.
func (Kind) Probe(l project.Layer, _, _ float64) (vault.Target, error) {
	land, src, err := landing(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	u, _ := url.Parse(land)
	q := u.Query()
	if q.Get("f") == "" {
		q.Set("f", "json")
	}
	u.RawQuery = q.Encode()
	return vault.Target{URL: u.String(), Expect: vault.ExpectJSON, Source: src}, nil
}

// EntryTarget: the landing page, read anonymously first (Open).
func (k Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	t, err := k.Probe(project.Layer{Kind: project.KindFeatures, Source: rawURL}, 0, 0)
	return t, false, err
}

// Open reads the landing page and the collections with client.
func (k Kind) Open(ctx context.Context, client *http.Client, rawURL string) (layers.Service, error) {
	svc, err := FetchService(ctx, client, rawURL, k.Options)
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// MatchURL: a path with "ogcapi" or ending in /collections (60). A path
// with "features" says nothing (GeoJSON files are often called that).
func (Kind) MatchURL(rawURL string) int {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return 0
	}
	p := strings.ToLower(u.Path)
	switch {
	case strings.Contains(p, "ogcapi"), strings.Contains(p, "ogc-api"), strings.HasSuffix(strings.TrimRight(p, "/"), "/collections"):
		return 60
	}
	return 0
}

// MatchDocument recognises an OGC API landing page: a JSON object with
// links, one of them rel="data" or a conformance link.
func (Kind) MatchDocument(_ string, body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return bytes.Contains(b, []byte(`"links"`)) &&
		(bytes.Contains(b, []byte(`"rel":"data"`)) || bytes.Contains(b, []byte(`"rel": "data"`)) || bytes.Contains(b, []byte(`"conformance"`)))
}

// Title is the landing page's title.
func (s *Service) Title() string { return s.Landing.Title }

// Offers lists the collections.
func (s *Service) Offers() []layers.Offer {
	out := make([]layers.Offer, 0, len(s.Collections))
	for _, c := range s.Collections {
		out = append(out, offer(c))
	}
	return out
}

func offer(c vector.Collection) layers.Offer {
	o := layers.Offer{Name: c.ID, Title: c.Title, Abstract: c.Description}
	if o.Title == "" {
		o.Title = c.ID
	}
	if b := c.BBox; b != nil && b.Valid() {
		o.Box = geom.NewBounds(geom.XY).Set(b.West, b.South, b.East, b.North)
	}
	return o
}

// NeedsChoice: the user names the collections.
func (s *Service) NeedsChoice() bool { return true }

// Layer returns the layer drawing collection name.
func (s *Service) Layer(name string) (project.Layer, layers.Offer, bool) {
	for _, c := range s.Collections {
		if c.ID == name || (name == "" && c.ID != "") {
			o := offer(c)
			l := project.Layer{Name: o.Title, Kind: project.KindFeatures, Source: s.url, Opacity: 1, Visible: true}
			l.Features.Collection = c.ID
			return l, o, true
		}
	}
	return project.Layer{}, layers.Offer{}, false
}

// Source draws one collection: a layers.FeatureSource (and Identifier,
// Legender) drawing the items its Fetch gets per block of tiles.
type Source struct {
	featuretile.Blocks
	items string
	page  int
	opt   vector.Options
}

// Fetch gets the items in box: the first page with bbox and limit, then
// the rel="next" links (http(s) only; the bbox added again when a server
// drops it) until there is none, a page is empty, or the view bound is
// passed.
func (s *Source) Fetch(ctx context.Context, f layers.Fetcher, box vector.Bounds) (*vector.Layer, error) {
	first, err := vector.ItemsURL(s.items, vector.ItemsRequest{BBox: &box, Limit: s.page})
	if err != nil {
		return nil, err
	}
	cur, _ := url.Parse(first)
	firstQuery := cur.Query()
	pager := func(i int, prev *vector.FeatureCollection, _ int) (string, bool) {
		if i == 0 {
			return first, true
		}
		next, err := prev.NextURL(cur)
		if err != nil || next == nil || (next.Scheme != "http" && next.Scheme != "https") {
			return "", false
		}
		// MapServer 8.0 drops the bbox from its next links, which would
		// page through the whole collection: ask for the box again.
		if q := next.Query(); q.Get("bbox") == "" {
			q.Set("bbox", firstQuery.Get("bbox"))
			next.RawQuery = q.Encode()
		}
		cur = next
		return next.String(), true
	}
	return featuretile.FetchPages(ctx, f, itemsAccept, pager, func(body []byte, _ string) (*vector.FeatureCollection, error) {
		return vector.ParseGeoJSON(bytes.NewReader(body), s.opt)
	}, s.opt)
}

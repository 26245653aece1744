package xyz

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the XYZ/TMS layer kind. It implements layers.Kind,
// layers.URLMatcher and layers.Splitter.
type Kind struct{}

var (
	_ layers.Kind       = Kind{}
	_ layers.URLMatcher = Kind{}
	_ layers.Splitter   = Kind{}
)

// Name is "xyz".
func (Kind) Name() project.Kind { return project.KindXYZ }

// Source is the template's path prefix before its first placeholder on the
// first subdomain's origin: "https://a.tiles.example.com:443/v3/" for
// "https://{s}.tiles.example.com/v3/{z}/{x}/{y}.png". Its credential goes
// to the tiles under it and nowhere else on the origin.
func (Kind) Source(l project.Layer) (vault.Source, error) {
	tmpl, err := ParseTemplate(l.Source)
	if err != nil {
		return "", err
	}
	return vault.SourceOf(tmpl.withSubdomain(l.XYZ.EffectiveSubdomains()[0]))
}

// Resolve builds the tile source; nothing is fetched. A credentialed
// layer keeps to its first subdomain (the credential's origin).
func (Kind) Resolve(_ context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	tiles, err := NewTiles(l.Source, l.XYZ, env.Credentialed)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	return layers.LayerSpec{Tiles: tiles}, nil
}

// Probe is the tile at the layer's minimum zoom that holds lon/lat (0/0/0
// for most tile sets, which every server has), from the first subdomain;
// success is an image.
func (k Kind) Probe(l project.Layer, lon, lat float64) (vault.Target, error) {
	tmpl, err := ParseTemplate(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	src, err := k.Source(l)
	if err != nil {
		return vault.Target{}, err
	}
	t := layers.TileAt(lon, lat, l.XYZ.MinZoom)
	u := tmpl.URL(t.Z, t.X, t.Y, l.XYZ.EffectiveSubdomains()[0], false)
	return vault.Target{URL: u, Expect: vault.ExpectImage, Source: src}, nil
}

// EntryTarget: a template is probed with its tile at zoom 0; it is map
// data, so no description is read first.
func (k Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	t, err := k.Probe(project.Layer{Kind: project.KindXYZ, Source: rawURL}, 0, 0)
	return t, true, err
}

// Open returns the template as a one-layer service; nothing is fetched.
func (Kind) Open(_ context.Context, _ *http.Client, rawURL string) (layers.Service, error) {
	if _, err := ParseTemplate(rawURL); err != nil {
		return nil, err
	}
	return service{template: rawURL}, nil
}

// MatchURL is certain of a URL with {z}, {x} and {y} or {-y}.
func (Kind) MatchURL(rawURL string) int {
	if strings.Contains(rawURL, "{z}") && strings.Contains(rawURL, "{x}") &&
		(strings.Contains(rawURL, "{y}") || strings.Contains(rawURL, "{-y}")) {
		return 100
	}
	return 0
}

// subdomainMark stands for {s} in a host while a template is split: a
// valid host label no real host uses.
const subdomainMark = "mapvault-subdomain-placeholder"

// SplitURL splits a secret out of a template like vault.SplitURLKeeping,
// with {s} allowed in the host; Source is the layer's source with the
// default subdomains.
func (k Kind) SplitURL(raw string, keep []string) (vault.Split, error) {
	raw = strings.TrimSpace(raw)
	sp, err := vault.SplitURLKeeping(strings.ReplaceAll(raw, "{s}", subdomainMark), keep)
	if err != nil {
		return sp, err
	}
	sp.CleanURL = strings.ReplaceAll(sp.CleanURL, subdomainMark, "{s}")
	if src, err := k.Source(project.Layer{Kind: project.KindXYZ, Source: sp.CleanURL}); err == nil {
		sp.Source = src
	}
	return sp, nil
}

// service is a template as a layers.Service: one layer, nothing to choose.
type service struct{ template string }

func (s service) Title() string { return title(s.template) }

func (s service) Offers() []layers.Offer {
	return []layers.Offer{{Title: title(s.template)}}
}

func (s service) NeedsChoice() bool { return false }

func (s service) Layer(name string) (project.Layer, layers.Offer, bool) {
	if name != "" {
		return project.Layer{}, layers.Offer{}, false
	}
	t := title(s.template)
	return project.Layer{Name: t, Kind: project.KindXYZ, Source: s.template, Opacity: 1, Visible: true},
		layers.Offer{Title: t}, true
}

// title names a template by its host, without a subdomain placeholder:
// "tile.openstreetmap.org".
func title(template string) string {
	h := template
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimPrefix(h, "{s}.")
	if u, err := url.Parse("http://" + strings.ReplaceAll(h, "{s}", "s")); err == nil {
		return u.Hostname()
	}
	return h
}

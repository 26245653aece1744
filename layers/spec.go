package layers

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"mapvault/vault"
)

// ErrNoUsableCRS is returned by ChooseCRS for a layer that offers neither Web
// Mercator nor geographic lon/lat. The wrapped message lists what it offers.
var ErrNoUsableCRS = errors.New("layers: layer offers no usable CRS")

// Defaults the engine applies to a LayerSpec's empty fields.
const (
	DefaultFormat  = "image/png"
	DefaultVersion = "1.3.0"
)

// LayerSpec is one layer as the engine sees it: everything needed to build
// its GetMap requests. It never carries a secret; Source selects the
// credential the authenticating transport adds.
type LayerSpec struct {
	ID          string
	Source      vault.Source // credentials key
	URL         string       // GetMap base URL, clean (no secret)
	Version     string       // "1.3.0" (default) or "1.1.1"
	Names       []string     // WMS LAYERS
	Styles      []string     // one per name; missing entries mean the default style
	Format      string       // "image/png" when empty
	CRS         string       // from ChooseCRS; "EPSG:3857" when empty
	Opacity     float64      // 0..1, taken literally: 0 draws nothing
	Transparent bool         // TRANSPARENT=TRUE; callers set it (true is the usual choice)
}

// mercatorCRS are the codes that name the spherical Web Mercator projection,
// in order of preference.
var mercatorCRS = []string{"EPSG:3857", "EPSG:900913", "EPSG:102100", "EPSG:102113"}

// geographicCRS are the lon/lat codes the engine reprojects from.
var geographicCRS = []string{"EPSG:4326", "CRS:84"}

// crsKind tells how the engine requests a CRS.
type crsKind int

const (
	crsUnsupported crsKind = iota
	crsMercator
	crsGeographic
)

func kindOfCRS(crs string) crsKind {
	for _, c := range mercatorCRS {
		if strings.EqualFold(c, crs) {
			return crsMercator
		}
	}
	for _, c := range geographicCRS {
		if strings.EqualFold(c, crs) {
			return crsGeographic
		}
	}
	return crsUnsupported
}

// ChooseCRS picks the CRS to request a layer in: EPSG:3857 (or one of its
// aliases EPSG:900913, EPSG:102100, EPSG:102113, returned as the layer spells
// it) when offered, else EPSG:4326 or CRS:84, which the engine reprojects.
// Otherwise it returns an error wrapping ErrNoUsableCRS that lists the
// layer's CRSs.
func ChooseCRS(l *Layer) (string, error) {
	if l == nil {
		return "", fmt.Errorf("%w: no layer", ErrNoUsableCRS)
	}
	offered := l.CRS()
	for _, pref := range [][]string{mercatorCRS, geographicCRS} {
		for _, want := range pref {
			for _, have := range offered {
				if strings.EqualFold(strings.TrimSpace(have), want) {
					return want, nil
				}
			}
		}
	}
	more := ""
	if len(offered) > 12 {
		offered, more = offered[:12], fmt.Sprintf(" and %d more", len(offered)-12)
	}
	list := strings.Join(offered, ", ")
	if list == "" {
		list = "none"
	}
	return "", fmt.Errorf("%w: layer %q offers %s%s", ErrNoUsableCRS, l.Name, list, more)
}

// normalized returns s with the engine's defaults applied.
func (s LayerSpec) normalized() LayerSpec {
	if s.Format == "" {
		s.Format = DefaultFormat
	}
	if s.Version == "" {
		s.Version = DefaultVersion
	}
	if s.CRS == "" {
		s.CRS = "EPSG:3857"
	}
	switch {
	case s.Opacity < 0 || s.Opacity != s.Opacity: // negative or NaN
		s.Opacity = 0
	case s.Opacity > 1:
		s.Opacity = 1
	}
	return s
}

// stylesFor returns exactly n styles: s's entries, padded with "" (default
// style) or cut.
func stylesFor(styles []string, n int) []string {
	out := make([]string, n)
	copy(out, styles)
	return out
}

// layerGroup is what the pipeline fetches and composes as one image: a
// single spec, or adjacent specs merged into one GetMap (LAYERS=a,b,c).
type layerGroup struct {
	spec LayerSpec // normalized; merged Names/Styles for a merged group
	ids  []string  // member IDs, bottom first
	req  getMapRequest
	kind crsKind
	host string // host:port, the pipeline's concurrency key
	err  error  // the spec cannot be requested; reported as the state's Reason
}

// mergeable reports whether b can be drawn by the same GetMap as the group
// ending in a: same service, version, CRS and format, both fully opaque
// (opacity 1), and b transparent (an opaque b would hide a when drawn on its
// own, not when the server draws both).
func mergeable(a, b LayerSpec) bool {
	return a.URL == b.URL && a.Source == b.Source && a.Version == b.Version &&
		strings.EqualFold(a.CRS, b.CRS) && a.Format == b.Format &&
		a.Opacity == 1 && b.Opacity == 1 && b.Transparent
}

// groupSpecs turns specs (bottom first) into the groups the engine fetches.
// Fetch and Compose both call it, so a merged group always shares its cache
// entries.
func groupSpecs(specs []LayerSpec, noMerge bool) []*layerGroup {
	var groups []*layerGroup
	var last LayerSpec
	for i, raw := range specs {
		s := raw.normalized()
		if i > 0 && !noMerge && mergeable(last, s) {
			g := groups[len(groups)-1]
			if g.err == nil {
				g.spec.Styles = append(g.spec.Styles, stylesFor(s.Styles, len(s.Names))...)
				g.spec.Names = append(g.spec.Names, s.Names...)
				g.ids = append(g.ids, s.ID)
				last = s
				continue
			}
		}
		last = s
		s.Names = append([]string(nil), s.Names...)
		s.Styles = stylesFor(s.Styles, len(s.Names))
		groups = append(groups, &layerGroup{spec: s, ids: []string{s.ID}})
	}
	for _, g := range groups {
		g.prepare()
	}
	return groups
}

func (g *layerGroup) prepare() {
	g.kind = kindOfCRS(g.spec.CRS)
	if g.kind == crsUnsupported {
		g.err = fmt.Errorf("%w: cannot draw %s", ErrNoUsableCRS, g.spec.CRS)
		return
	}
	if len(g.spec.Names) == 0 {
		g.err = errors.New("layers: no WMS layer names")
		return
	}
	req, err := newGetMapRequest(g.spec)
	if err != nil {
		g.err = err
		return
	}
	g.req = req
	g.host = hostKey(g.spec.URL)
}

// request returns the GetMap request for tile t at px device pixels.
func (g *layerGroup) request(t Tile, px int) tileRequest {
	r := tileRequest{src: g.spec.Source, tile: t, tilePx: px, w: px, h: px}
	if g.kind == crsGeographic {
		r.geo = true
		r.h = geographicHeight(t, px)
		r.url = g.req.url(t.LonLatBounds(), r.w, r.h)
	} else {
		r.url = g.req.url(t.MercatorBounds(), r.w, r.h)
	}
	return r
}

// hostKey is "host:port" of a URL, lower case, with the scheme's default
// port made explicit.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

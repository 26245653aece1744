package wms

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
	"mapvault/layers/internal/ogcxml"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the WMS layer kind (project kind "wms"): a GetMap per tile, the
// capabilities read once per session through the Catalog. It implements
// layers.Kind, layers.URLMatcher, layers.DocumentMatcher and
// layers.DocumentReader.
type Kind struct{}

var (
	_ layers.Kind            = Kind{}
	_ layers.URLMatcher      = Kind{}
	_ layers.DocumentMatcher = Kind{}
	_ layers.DocumentReader  = Kind{}
	_ layers.DocumentOpener  = Kind{}
)

// Name is "wms".
func (Kind) Name() project.Kind { return project.KindWMS }

// Source is the service URL's source: its origin and path, which covers the
// whole origin (a GetMap URL the capabilities name elsewhere on it too).
func (Kind) Source(l project.Layer) (vault.Source, error) { return vault.SourceOf(l.Source) }

// Resolve checks the layer names against the capabilities, chooses a CRS
// every named layer offers and the GetMap URL. A GetMap URL that the
// capabilities document points outside the layer's source is not used:
// requests stay where the user's credential goes; the source URL itself is
// asked instead.
func (Kind) Resolve(ctx context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	src, err := vault.SourceOf(l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	caps, err := CapabilitiesFrom(ctx, env.Catalog, l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	if len(l.WMS.Layers) == 0 {
		return layers.LayerSpec{}, fmt.Errorf("wms: layer %s names no WMS layer", l.ID)
	}
	var crs string
	for i, name := range l.WMS.Layers {
		cl := caps.Find(name)
		if cl == nil {
			return layers.LayerSpec{}, fmt.Errorf("wms: the service no longer offers layer %q", name)
		}
		if i == 0 {
			if crs, err = ChooseCRS(cl); err != nil {
				return layers.LayerSpec{}, err
			}
		} else if !cl.HasCRS(crs) {
			return layers.LayerSpec{}, fmt.Errorf("wms: layers %q and %q share no usable CRS", l.WMS.Layers[0], name)
		}
	}
	getMap := l.Source
	if caps.GetMapURL != "" {
		if u, err := url.Parse(caps.GetMapURL); err == nil && src.Covers(u) {
			getMap = caps.GetMapURL
		}
	}
	format := l.WMS.Format
	if format == "" {
		format = DefaultFormat
	}
	tiles, err := NewTilesFor(caps, Params{
		URL:         getMap,
		Version:     caps.Version,
		Layers:      l.WMS.Layers,
		Styles:      l.WMS.Styles,
		Format:      format,
		CRS:         crs,
		Transparent: !strings.EqualFold(format, "image/jpeg"),
		Dimensions:  l.WMS.Dimensions,
	})
	if err != nil {
		return layers.LayerSpec{}, err
	}
	tiles.info = newLayerInfo(caps, src, l.Source, l.WMS.Layers, l.WMS.Styles)
	return layers.LayerSpec{Tiles: tiles}, nil
}

// probeSize is the width and height of the probe GetMap: a real map request,
// as small as servers reliably answer.
const probeSize = 16

// Probe returns a tiny GetMap for the layer around lon/lat in EPSG:4326
// (offered by nearly every WMS), built from the project layer alone so that
// it works while the capabilities are still protected.
func (Kind) Probe(l project.Layer, lon, lat float64) (vault.Target, error) {
	if _, err := vault.SourceOf(l.Source); err != nil {
		return vault.Target{}, err
	}
	if len(l.WMS.Layers) == 0 {
		return vault.Target{}, fmt.Errorf("wms: layer %s names no WMS layer", l.ID)
	}
	const d = 0.01
	box := geom.NewBounds(geom.XY).Set(lon-d, lat-d, lon+d, lat+d)
	p := Params{URL: l.Source, Version: l.WMS.Version, Layers: l.WMS.Layers, Styles: l.WMS.Styles, Format: l.WMS.Format, CRS: "EPSG:4326", Transparent: true, Dimensions: l.WMS.Dimensions}
	return vault.Target{URL: GetMapURL(p, box, probeSize, probeSize), Expect: vault.ExpectImage}, nil
}

// EntryTarget: a GetMap URL is probed as is; a service URL by its
// GetCapabilities (1.3.0), used only when the capabilities are protected.
func (Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return vault.Target{}, false, fmt.Errorf("%w: %s", vault.ErrBadURL, vault.RedactURL(rawURL))
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "request") && len(v) > 0 && strings.EqualFold(v[0], "GetMap") {
			return vault.Target{URL: rawURL, Expect: vault.ExpectImage}, true, nil
		}
	}
	capsURL, err := CapabilitiesURL(rawURL, "1.3.0")
	return vault.Target{URL: capsURL, Expect: vault.ExpectXML}, false, err
}

// Open reads the service's capabilities with client (see
// FetchCapabilities).
func (Kind) Open(ctx context.Context, client *http.Client, rawURL string) (layers.Service, error) {
	caps, err := FetchCapabilities(ctx, client, rawURL)
	if err != nil {
		return nil, err
	}
	return NewService(caps, rawURL), nil
}

// ReadDocument parses a capabilities document (a file).
func (Kind) ReadDocument(r io.Reader) (layers.Service, error) {
	caps, err := ParseCapabilities(r)
	if err != nil {
		return nil, err
	}
	return NewService(caps, ""), nil
}

// OpenDocument reads the service from the body of its GetCapabilities
// 1.3.0 (EntryTarget's request), as detection received it: what Open
// returns, without asking again.
func (Kind) OpenDocument(body []byte, rawURL string) (layers.Service, error) {
	caps, err := ParseCapabilities(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return NewService(caps, rawURL), nil
}

// MatchURL scores WMS URLs: a SERVICE=WMS or a GetMap request surely, a
// GetCapabilities with no other service or a path naming wms as a hint.
func (Kind) MatchURL(rawURL string) int {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return 0
	}
	var service, request string
	for k, v := range u.Query() {
		switch {
		case strings.EqualFold(k, "service") && len(v) > 0:
			service = v[0]
		case strings.EqualFold(k, "request") && len(v) > 0:
			request = v[0]
		}
	}
	switch {
	case strings.EqualFold(service, "WMS"):
		return 90
	case service != "":
		return 0 // another OGC service
	case strings.EqualFold(request, "GetMap"):
		return 80
	case strings.Contains(strings.ToLower(u.Path), "wms"):
		return 20
	}
	return 0
}

// MatchDocument recognises a WMS capabilities document (1.3.0
// WMS_Capabilities, 1.1.x WMT_MS_Capabilities) by its root element.
func (Kind) MatchDocument(contentType string, body []byte) bool {
	d := ogcxml.NewDecoder(bytes.NewReader(body))
	for i := 0; i < 64; i++ {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "WMS_Capabilities" || se.Name.Local == "WMT_MS_Capabilities"
		}
	}
	return false
}

// CapabilitiesFromDocument parses body, a GetCapabilities answer of the
// service already received (detection's), and keeps it in the catalog as
// the service's capabilities, as CapabilitiesFrom would have fetched them:
// the layers drawn from the service then read them from there. An error
// for an empty or unreadable body (the catalog is left as it was).
func CapabilitiesFromDocument(c *layers.Catalog, serviceURL string, body []byte) (*Capabilities, error) {
	if len(body) == 0 {
		return nil, errors.New("wms: no capabilities document")
	}
	caps, err := ParseCapabilities(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	src, err := vault.SourceOf(serviceURL)
	if err != nil {
		return nil, err
	}
	c.Forget(src)
	doc, err := c.Document(context.Background(), "wms "+serviceURL, src, func(context.Context) (any, error) { return caps, nil })
	if err != nil {
		return nil, err
	}
	return doc.(*Capabilities), nil
}

// CapabilitiesFrom returns the service's capabilities through the catalog: read
// once per session with the catalog's (authenticating) client, a failure
// shared for layers.CatalogFailureTTL; Catalog.Forget drops them.
func CapabilitiesFrom(ctx context.Context, c *layers.Catalog, serviceURL string) (*Capabilities, error) {
	src, err := vault.SourceOf(serviceURL)
	if err != nil {
		return nil, err
	}
	doc, err := c.Document(ctx, "wms "+serviceURL, src, func(ctx context.Context) (any, error) {
		return FetchCapabilities(ctx, c.Client(), serviceURL)
	})
	if err != nil {
		return nil, err
	}
	return doc.(*Capabilities), nil
}

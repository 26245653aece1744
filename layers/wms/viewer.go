package wms

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/vault"
)

// What a WMS layer tells the analyst beyond its map: GetFeatureInfo
// (layers.Identifier), its legend graphics (layers.Legender) and its
// attribution (layers.Attributor). Resolve fills a layerInfo from the
// capabilities; requests go through the engine's Fetcher for the layer's
// source, so the credential goes only where the source covers (a
// LegendURL on another origin is fetched without it).

// layerInfo is what the capabilities say of a resolved layer's WMS layers.
type layerInfo struct {
	version     string
	infoURL     string   // GetFeatureInfo base URL, on the source's origin
	infoFormat  string   // the INFO_FORMAT asked for
	queryable   []string // the layer's WMS layers that answer GetFeatureInfo, in order
	legends     []legendRef
	attribution string
}

// legendRef is one WMS layer's legend graphic.
type legendRef struct {
	title string // the WMS layer's title, shown when a layer draws several
	url   string // the style's LegendURL, or a GetLegendGraphic
}

// maxLegendSide bounds a legend graphic's declared size.
const maxLegendSide = 2048

// newLayerInfo reads what Identify, Legend and Attribution need from the
// capabilities for the WMS layers names drawn with styles.
func newLayerInfo(caps *Capabilities, src vault.Source, source string, names, styles []string) *layerInfo {
	info := &layerInfo{version: caps.Version}
	onSource := func(raw string) string {
		if u, err := url.Parse(raw); raw != "" && err == nil && src.Covers(u) {
			return raw
		}
		return source
	}
	info.infoURL = onSource(caps.FeatureInfoURL)
	info.infoFormat = PickInfoFormat(caps.FeatureInfoFormats)
	if info.infoFormat == "" {
		info.infoFormat = "text/plain"
	}
	legendBase := onSource(caps.LegendGraphicURL)
	var attributions []string
	styles = stylesFor(styles, len(names))
	for i, name := range names {
		cl := caps.Find(name)
		if cl == nil {
			continue
		}
		if cl.Queryable {
			info.queryable = append(info.queryable, name)
		}
		if a := strings.TrimSpace(cl.Attribution.Title); a != "" && !contains(attributions, a) {
			attributions = append(attributions, a)
		}
		ref := legendRef{title: cl.Title}
		if ref.title == "" {
			ref.title = name
		}
		all := cl.Styles()
		for _, st := range all {
			if strings.EqualFold(st.Name, styles[i]) || (styles[i] == "" && (st.Name == all[0].Name)) {
				ref.url = st.LegendURL
				break
			}
		}
		if ref.url == "" {
			ref.url = legendGraphicURL(legendBase, caps.Version, name, styles[i])
		}
		info.legends = append(info.legends, ref)
	}
	info.attribution = strings.Join(attributions, ", ")
	return info
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// legendGraphicURL is the SLD GetLegendGraphic of a layer and style (""
// for the default) on base, keeping base's vendor parameters.
func legendGraphicURL(base, version, layer, style string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	q := url.Values{}
	for k, v := range u.Query() {
		if !wmsParams[strings.ToUpper(k)] && !strings.EqualFold(k, "layer") && !strings.EqualFold(k, "sld_version") {
			q[k] = v
		}
	}
	q.Set("SERVICE", "WMS")
	q.Set("REQUEST", "GetLegendGraphic")
	if version == "" {
		version = "1.3.0"
	}
	q.Set("VERSION", version)
	q.Set("SLD_VERSION", "1.1.0")
	q.Set("LAYER", layer)
	q.Set("FORMAT", "image/png")
	if style != "" {
		q.Set("STYLE", style)
	}
	u.User = nil
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String()
}

// Attribution is what the capabilities credit for the layer's WMS layers.
func (t *Tiles) Attribution() string {
	if t.info == nil {
		return ""
	}
	return t.info.attribution
}

// Queryable reports whether any of the layer's WMS layers answers
// GetFeatureInfo.
func (t *Tiles) Queryable() bool { return t.info != nil && len(t.info.queryable) > 0 }

// identifyPixels is the side of the window GetFeatureInfo is asked about:
// the clicked pixel is its centre, at the view's resolution.
const identifyPixels = 101

// Identify asks GetFeatureInfo of each queryable WMS layer the layer draws
// (one request per WMS layer, so a merged group's answer is split per
// layer as the panel shows it), on a small window around the point at the
// view's resolution, in the layer's CRS.
func (t *Tiles) Identify(ctx context.Context, f layers.Fetcher, q layers.IdentifyQuery) ([]layers.IdentifiedFeature, error) {
	if t.info == nil || len(t.info.queryable) == 0 {
		return nil, nil
	}
	half := float64(identifyPixels-1) / 2
	// The window's corners, as lon/lat, at the view's zoom.
	cx, cy := layers.WorldPixel(q.Lon, q.Lat, q.View.Zoom)
	west, north := layers.LonLatAtWorldPixel(cx-half, cy-half, q.View.Zoom)
	east, south := layers.LonLatAtWorldPixel(cx+half, cy+half, q.View.Zoom)
	if east < west { // the window crosses the antimeridian
		east += 360
	}
	var minX, minY, maxX, maxY float64
	if t.crs == crsGeographic {
		minX, minY, maxX, maxY = west, south, east, north
	} else {
		minX, maxY = layers.LonLatToMercator(west, north)
		maxX, minY = layers.LonLatToMercator(east, south)
	}
	if !(minX < maxX && minY < maxY) || math.IsNaN(minX+minY+maxX+maxY) {
		return nil, fmt.Errorf("wms: cannot identify at %g,%g", q.Lon, q.Lat)
	}
	var out []layers.IdentifiedFeature
	for _, name := range t.info.queryable {
		styles := stylesFor(nil, 1)
		for i, l := range t.p.Layers {
			if l == name {
				styles = []string{t.p.Styles[i]}
			}
		}
		raw, err := InfoRequest{
			URL: t.info.infoURL, Version: t.info.version,
			Layers: []string{name}, Styles: styles, QueryLayers: []string{name},
			CRS: t.p.CRS, MinX: minX, MinY: minY, MaxX: maxX, MaxY: maxY,
			Width: identifyPixels, Height: identifyPixels, I: int(half), J: int(half),
			InfoFormat: t.info.infoFormat, FeatureCount: q.MaxFeatures,
			Dimensions: t.p.Dimensions,
		}.RequestURL()
		if err != nil {
			return nil, err
		}
		body, ct, err := f.Get(ctx, raw, t.info.infoFormat+", */*;q=0.1")
		if err != nil {
			return nil, err
		}
		feats, err := ParseFeatureInfo(ct, body, []string{name})
		if err != nil {
			return nil, err
		}
		for _, fi := range feats {
			idf := layers.IdentifiedFeature{ID: fi.ID}
			for _, a := range fi.Attributes {
				idf.Attributes = append(idf.Attributes, layers.Attribute{Name: a.Name, Value: a.Value})
			}
			out = append(out, idf)
		}
	}
	return out, nil
}

// Legend fetches each WMS layer's legend graphic (the style's LegendURL,
// else GetLegendGraphic); a layer drawing several WMS layers labels each
// graphic with its WMS layer's title.
func (t *Tiles) Legend(ctx context.Context, f layers.Fetcher, _ float64) ([]decor.LegendItem, error) {
	if t.info == nil {
		return nil, nil
	}
	var out []decor.LegendItem
	for _, ref := range t.info.legends {
		if ref.url == "" {
			continue
		}
		body, _, err := f.Get(ctx, ref.url, "image/png, image/*;q=0.9")
		if err != nil {
			return out, err
		}
		img, err := layers.DecodeLegendGraphic(body, maxLegendSide)
		if err != nil {
			return out, err
		}
		item := decor.LegendItem{Image: img}
		if len(t.info.legends) > 1 {
			item.Label = ref.title
		}
		out = append(out, item)
	}
	return out, nil
}

package project

import (
	"encoding/json"
	"fmt"
)

// Kind says what kind of service or data a layer draws from. Package layers
// keeps a registry of the kinds it can draw; the project format knows the
// fields of every kind below. A kind this version does not know is kept as
// is and written back unchanged.
type Kind string

// Layer kinds. Each has its own object of fields in a layer (Layer.WMS,
// Layer.WMTS, ...); the vector kinds (wfs, features, geojson) share
// Layer.Style.
const (
	KindWMS      Kind = "wms"      // OGC WMS 1.1.1/1.3.0: Layer.WMS
	KindWMTS     Kind = "wmts"     // OGC WMTS 1.0.0: Layer.WMTS
	KindXYZ      Kind = "xyz"      // XYZ/TMS tile template in Source: Layer.XYZ
	KindWFS      Kind = "wfs"      // OGC WFS 1.1/2.0: Layer.WFS
	KindFeatures Kind = "features" // OGC API - Features: Layer.Features
	KindGeoJSON  Kind = "geojson"  // a GeoJSON document: Source is its URL or file
)

// Known reports whether this version of mapvault knows the kind's fields.
// Whether it can draw it is package layers' business.
func (k Kind) Known() bool {
	switch k {
	case KindWMS, KindWMTS, KindXYZ, KindWFS, KindFeatures, KindGeoJSON:
		return true
	}
	return false
}

// Vector reports whether the kind draws features (and uses Layer.Style).
func (k Kind) Vector() bool { return k == KindWFS || k == KindFeatures || k == KindGeoJSON }

// WMS holds a WMS layer's fields ("wms" in the file).
type WMS struct {
	Layers  []string // WMS LAYERS, drawn as one image
	Styles  []string // WMS STYLES: empty, or one per entry of Layers ("" is the default style)
	Format  string   // GetMap image format, e.g. "image/png"
	Version string   // "1.1.1" or "1.3.0"
	// Dimensions are the values of the layer's WMS dimensions by name as
	// the capabilities name them ("time", "elevation", ...), sent with
	// every GetMap and GetFeatureInfo; nil when none is set.
	Dimensions map[string]string

	extras map[string]json.RawMessage
}

// WMTS holds a WMTS layer's fields ("wmts" in the file). Source is the
// capabilities URL (KVP) or the RESTful WMTSCapabilities.xml.
type WMTS struct {
	Layer     string // the layer identifier
	Style     string // style identifier; "" is the default style
	MatrixSet string // TileMatrixSet identifier
	Format    string // tile format, e.g. "image/png"
	// Dimensions are values of the layer's dimensions (TIME, ELEVATION,
	// ...) by identifier; a dimension not given, or given "", takes the
	// service's default. nil when there are none.
	Dimensions map[string]string

	extras map[string]json.RawMessage
}

// XYZ tile size limits and defaults.
const (
	DefaultXYZTileSize = 256
	DefaultXYZMaxZoom  = 22
	MaxXYZZoom         = 30
)

// XYZ holds an XYZ/TMS layer's fields ("xyz" in the file). The tile URL
// template is the layer's Source: "https://tiles.example.com/v3/{z}/{x}/{y}.png"
// with {z}, {x}, {y} or {-y} (TMS rows, counted from the south), {s} for a
// subdomain and {r} for "@2x" on HiDPI screens. The zero value means the
// defaults: zoom 0 to DefaultXYZMaxZoom, 256-pixel tiles, subdomains a, b, c
// when the template has {s}.
type XYZ struct {
	MinZoom    int      // 0..MaxXYZZoom; no tiles are drawn below it
	MaxZoom    int      // 1..MaxXYZZoom, 0 for DefaultXYZMaxZoom; deeper views scale its tiles (over-zoom)
	TileSize   int      // 256 or 512 pixels; 0 for DefaultXYZTileSize
	Subdomains []string // values of {s}; none for a, b, c

	extras map[string]json.RawMessage
}

// EffectiveMaxZoom returns MaxZoom, or DefaultXYZMaxZoom when unset.
func (x XYZ) EffectiveMaxZoom() int {
	if x.MaxZoom == 0 {
		return DefaultXYZMaxZoom
	}
	return x.MaxZoom
}

// EffectiveTileSize returns TileSize, or DefaultXYZTileSize when unset.
func (x XYZ) EffectiveTileSize() int {
	if x.TileSize == 0 {
		return DefaultXYZTileSize
	}
	return x.TileSize
}

// EffectiveSubdomains returns Subdomains, or a, b, c when none are set.
func (x XYZ) EffectiveSubdomains() []string {
	if len(x.Subdomains) == 0 {
		return []string{"a", "b", "c"}
	}
	return append([]string(nil), x.Subdomains...)
}

// WFS holds a WFS layer's fields ("wfs" in the file). Source is the service
// URL.
type WFS struct {
	TypeName string // feature type, e.g. "ns:roads"
	Version  string // "2.0.0", "1.1.0"; "" lets the client negotiate

	extras map[string]json.RawMessage
}

// Features holds an OGC API - Features layer's fields ("features" in the
// file). Source is the API's landing page.
type Features struct {
	Collection string // collection id

	extras map[string]json.RawMessage
}

// validate reports what Parse would refuse in x.
func (x XYZ) validate() error {
	switch {
	case x.MinZoom < 0 || x.MinZoom > MaxXYZZoom:
		return fmt.Errorf("min_zoom %d is outside [0, %d]", x.MinZoom, MaxXYZZoom)
	case x.MaxZoom < 0 || x.MaxZoom > MaxXYZZoom:
		return fmt.Errorf("max_zoom %d is outside [1, %d]", x.MaxZoom, MaxXYZZoom)
	case x.MinZoom > x.EffectiveMaxZoom():
		return fmt.Errorf("min_zoom %d is above max_zoom %d", x.MinZoom, x.EffectiveMaxZoom())
	case x.TileSize != 0 && x.TileSize != 256 && x.TileSize != 512:
		return fmt.Errorf("tile_size %d: want 256 or 512", x.TileSize)
	}
	for _, s := range x.Subdomains {
		if err := checkSubdomain(s); err != nil {
			return err
		}
	}
	return nil
}

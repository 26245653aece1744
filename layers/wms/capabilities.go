package wms

import (
	"strings"

	"github.com/twpayne/go-geom"
)

// Capabilities is what mapvault keeps of a WMS GetCapabilities document.
// Every Layer answers with its *effective* values: the inheritance rules of
// the WMS specification (1.1.1 section 7.1.4.6, 1.3.0 table 7) are applied
// while parsing, so callers never walk up the tree.
type Capabilities struct {
	Version        string   // "1.3.0" or "1.1.1" (as the document states it)
	Title          string   // Service/Title
	Abstract       string   // Service/Abstract
	OnlineResource string   // Service/OnlineResource xlink:href
	GetMapURL      string   // GetMap DCPType HTTP Get OnlineResource, entity-decoded
	GetMapFormats  []string // GetMap Format values in document order
	// MaxWidth and MaxHeight are the largest GetMap image the service
	// draws (Service/MaxWidth, MaxHeight of 1.3.0); 0 when not stated.
	MaxWidth, MaxHeight int

	// GetFeatureInfo and GetLegendGraphic (the latter often written
	// sld:GetLegendGraphic) as GetMap: the Format values in document order
	// and the first DCPType HTTP Get OnlineResource, empty when absent.
	FeatureInfoFormats   []string
	FeatureInfoURL       string
	LegendGraphicFormats []string
	LegendGraphicURL     string

	Roots []*Layer // top-level <Layer> elements under <Capability>
}

// Attribution is a layer's <Attribution>: the provider's title and the
// OnlineResource link. Either may be empty; LogoURL is not kept.
type Attribution struct {
	Title string
	URL   string
}

// Layer is one <Layer> element with its effective (inherited) values.
//
// The list-valued effective values (CRS, BoundingBoxes, styles, dimensions)
// are not copied into every layer: a layer keeps what it adds to its
// parent's, and the methods CRS, HasCRS, BBox, BBoxes, Styles, Dimension and
// Dimensions combine that with its ancestors' (at most MaxLayerDepth of
// them). A document whose many layers each inherit thousands of entries
// therefore costs memory linear in its size, not layers x entries. The
// methods return fresh slices and maps that the caller owns; the
// *geom.Bounds in them are shared with the layer: treat them as read-only.
type Layer struct {
	Name      string // empty for a pure group
	Title     string
	Abstract  string
	Depth     int // 0 = directly under <Capability>
	Queryable bool
	Opaque    bool

	// Keywords are the layer's own <KeywordList> entries in document
	// order, duplicates dropped (keywords are not inherited).
	Keywords []string

	// GeographicBBox is the effective EX_GeographicBoundingBox (1.3.0) or
	// LatLonBoundingBox (1.1.1), in lon/lat. Nil when the document has none
	// for this layer or any ancestor. Layout XY: Min = (west, south),
	// Max = (east, north). An inherited box is the ancestor's own value:
	// read-only.
	GeographicBBox          *geom.Bounds
	GeographicBBoxInherited bool

	// MinScaleDenominator and MaxScaleDenominator are the effective scale
	// range the layer is drawn at (min <= scale < max), 0 when unbounded:
	// 1.3.0's elements, each inherited unless the layer states it, or
	// 1.1.1's ScaleHint (the diagonal of a pixel in ground metres,
	// converted with 0.28 mm pixels), inherited unless restated.
	MinScaleDenominator, MaxScaleDenominator float64

	// Attribution is the effective attribution: the layer's own, else
	// the nearest ancestor's (WMS 1.3.0 table 7: inherited, replaced by a
	// layer that states one). An <Attribution> with neither a Title nor an
	// OnlineResource counts as absent. Zero when none applies.
	Attribution Attribution

	Parent   *Layer
	Children []*Layer

	// What this layer itself adds to the effective values; see resolve.
	addedCRS    []string             // CRS no ancestor states, document order, no duplicates
	ownBBoxes   []bboxDecl           // the first box this layer states per CRS (case-insensitive)
	addedStyles []Style              // styles whose name no ancestor uses, document order
	ownDims     map[string]Dimension // dimensions this layer states, merged (1.1.1), keyed by lower-case name
}

// lineage returns the layer's ancestors and the layer, root first.
func (l *Layer) lineage() []*Layer {
	n := 0
	for a := l; a != nil; a = a.Parent {
		n++
	}
	out := make([]*Layer, n)
	for a := l; a != nil; a = a.Parent {
		n--
		out[n] = a
	}
	return out
}

// CRS returns the effective CRS/SRS list: ancestors' first, then the
// layer's own new entries, duplicates (case-insensitive) dropped. Entries
// are the authority codes as written ("EPSG:3857", "CRS:84"). The slice is
// new on each call; it is never nil.
func (l *Layer) CRS() []string {
	n := 0
	for a := l; a != nil; a = a.Parent {
		n += len(a.addedCRS)
	}
	out := make([]string, 0, n)
	for _, a := range l.lineage() {
		out = append(out, a.addedCRS...)
	}
	return out
}

// BBox returns the effective BoundingBox for crs (compared
// case-insensitively): the layer's own, else the nearest ancestor's. It is
// in east/north order (see BBoxes); nil when none is stated.
func (l *Layer) BBox(crs string) *geom.Bounds {
	crs = strings.TrimSpace(crs)
	for a := l; a != nil; a = a.Parent {
		for _, b := range a.ownBBoxes {
			if strings.EqualFold(b.crs, crs) {
				return b.bounds
			}
		}
	}
	return nil
}

// BBoxes returns the effective per-CRS BoundingBox elements, keyed by the
// CRS string as the nearest layer stating it wrote it, normalised to
// east/north axis order (x = easting or longitude, y = northing or
// latitude) whatever the version's axis rule. Inherited per CRS unless the
// layer states its own. Nil when there is none; a new map on each call.
func (l *Layer) BBoxes() map[string]*geom.Bounds {
	var out map[string]*geom.Bounds
	l.eachBBox(func(crs string, b *geom.Bounds) {
		if out == nil {
			out = map[string]*geom.Bounds{}
		}
		out[crs] = b
	})
	return out
}

// eachBBox calls f for every effective BoundingBox, nearest layer first.
func (l *Layer) eachBBox(f func(crs string, b *geom.Bounds)) {
	var seen map[string]struct{}
	for a := l; a != nil; a = a.Parent {
		for _, b := range a.ownBBoxes {
			key := strings.ToUpper(b.crs)
			if _, dup := seen[key]; dup {
				continue
			}
			if seen == nil {
				seen = map[string]struct{}{}
			}
			seen[key] = struct{}{}
			f(b.crs, b.bounds)
		}
	}
}

// Styles returns the effective styles: ancestors' first, then the layer's
// own, a name used by an ancestor dropped. A new slice on each call (nil
// when there is none).
func (l *Layer) Styles() []Style {
	var out []Style
	for _, a := range l.lineage() {
		out = append(out, a.addedStyles...)
	}
	return out
}

// Dimension returns the effective dimension named name (case-insensitive):
// the layer's own, else the nearest ancestor's with Inherited set.
func (l *Layer) Dimension(name string) (Dimension, bool) {
	key := strings.ToLower(name)
	for a := l; a != nil; a = a.Parent {
		if d, ok := a.ownDims[key]; ok {
			d.Inherited = a != l
			return d, true
		}
	}
	return Dimension{}, false
}

// Dimensions returns the effective dimensions keyed by lower-case name:
// inherited by name unless the layer redefines them. Nil when there is
// none; a new map on each call.
func (l *Layer) Dimensions() map[string]Dimension {
	var out map[string]Dimension
	for a := l; a != nil; a = a.Parent {
		for k, d := range a.ownDims {
			if _, ok := out[k]; ok {
				continue
			}
			if out == nil {
				out = map[string]Dimension{}
			}
			d.Inherited = a != l
			out[k] = d
		}
	}
	return out
}

// Style is a named WMS style with its optional legend.
type Style struct {
	Name      string
	Title     string
	LegendURL string // first LegendURL OnlineResource, may be empty
}

// Dimension is a WMS dimension such as TIME or ELEVATION. For 1.1.1 the
// <Dimension> declaration and the <Extent> values are merged by name.
type Dimension struct {
	Name           string
	Units          string
	UnitSymbol     string
	Default        string
	HasDefault     bool
	Values         string // the extent as written (list or start/end/period)
	MultipleValues bool
	NearestValue   bool
	Current        bool
	Inherited      bool // true when taken from an ancestor
}

// Layers returns every layer of the document, flattened in document order
// (each layer before its children).
func (c *Capabilities) Layers() []*Layer {
	var out []*Layer
	var walk func(ls []*Layer)
	walk = func(ls []*Layer) {
		for _, l := range ls {
			out = append(out, l)
			walk(l.Children)
		}
	}
	walk(c.Roots)
	return out
}

// Find returns the first layer in document order whose Name is name, or nil.
func (c *Capabilities) Find(name string) *Layer {
	if name == "" {
		return nil
	}
	for _, l := range c.Layers() {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// HasCRS reports whether crs is in the layer's effective CRS list, compared
// case-insensitively.
func (l *Layer) HasCRS(crs string) bool {
	crs = strings.TrimSpace(crs)
	for a := l; a != nil; a = a.Parent {
		for _, c := range a.addedCRS {
			if strings.EqualFold(c, crs) {
				return true
			}
		}
	}
	return false
}

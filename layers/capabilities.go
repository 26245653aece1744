package layers

import (
	"strings"

	"github.com/twpayne/go-geom"
)

// Capabilities is what mapvault keeps of a WMS GetCapabilities document.
// Every Layer carries its *effective* values: the inheritance rules of the
// WMS specification (1.1.1 section 7.1.4.6, 1.3.0 table 7) are applied while
// parsing, so callers never walk up the tree.
type Capabilities struct {
	Version        string   // "1.3.0" or "1.1.1" (as the document states it)
	Title          string   // Service/Title
	Abstract       string   // Service/Abstract
	OnlineResource string   // Service/OnlineResource xlink:href
	GetMapURL      string   // GetMap DCPType HTTP Get OnlineResource, entity-decoded
	GetMapFormats  []string // GetMap Format values in document order
	Roots          []*Layer // top-level <Layer> elements under <Capability>
}

// Layer is one <Layer> element with its effective (inherited) values.
// A layer's CRS and Styles slices may share their backing array with its
// parent's (the MassGIS document has 6773 CRS on each of 1018 layers):
// treat them as read-only.
type Layer struct {
	Name      string // empty for a pure group
	Title     string
	Abstract  string
	Depth     int // 0 = directly under <Capability>
	Queryable bool
	Opaque    bool

	// CRS is the effective CRS/SRS list: ancestors first, then the layer's
	// own new entries, duplicates dropped. Upper-cased authority codes as
	// written ("EPSG:3857", "CRS:84").
	CRS []string

	// GeographicBBox is the effective EX_GeographicBoundingBox (1.3.0) or
	// LatLonBoundingBox (1.1.1), in lon/lat. Nil when the document has none
	// for this layer or any ancestor. Layout XY: Min = (west, south),
	// Max = (east, north).
	GeographicBBox          *geom.Bounds
	GeographicBBoxInherited bool

	// BBoxes holds the effective per-CRS BoundingBox elements, keyed by the
	// CRS string as written, normalised to east/north axis order (x = easting
	// or longitude, y = northing or latitude) whatever the version's axis
	// rule. Inherited per CRS unless the layer states its own.
	BBoxes map[string]*geom.Bounds

	Styles     []Style              // effective: ancestors' styles then own
	Dimensions map[string]Dimension // effective, keyed by lower-case name

	Parent   *Layer
	Children []*Layer
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
	for _, c := range l.CRS {
		if strings.EqualFold(c, crs) {
			return true
		}
	}
	return false
}

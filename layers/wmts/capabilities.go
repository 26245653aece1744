package wmts

import "strings"

// Capabilities is a parsed WMTS 1.0.0 GetCapabilities document.
type Capabilities struct {
	Version  string // root version attribute, "1.0.0"
	Title    string // ServiceIdentification/Title (the first one)
	Abstract string // ServiceIdentification/Abstract (the first one)

	// GetTileKVP and GetTileREST are the GetTile endpoints of
	// OperationsMetadata, by the GetEncoding constraint of each DCP/HTTP/Get
	// (or of the Operation). A Get without a constraint counts as KVP.
	// URLs are as written, vendor query parameters included.
	GetTileKVP  []string
	GetTileREST []string

	// ServiceMetadataURL is the RESTful capabilities URL, when given.
	ServiceMetadataURL string

	// BaseURL is not read from the document: a caller may set it to the URL
	// the document was fetched from. TileURL then uses it as the KVP
	// endpoint when OperationsMetadata names none (MapProxy's RESTful
	// document has no OperationsMetadata) and resolves relative
	// ResourceURL templates against it.
	BaseURL string

	Layers         []*Layer         // Contents/Layer, in document order
	TileMatrixSets []*TileMatrixSet // Contents/TileMatrixSet, in document order

	// Warnings lists what Parse dropped or repaired, each with its line:
	// a layer without an identifier, a TileMatrix with an invalid value, a
	// link to an unknown tile matrix set, ... At most maxWarnings are kept;
	// the last one then says how many more there were.
	Warnings []string
}

// Layer is a Contents/Layer.
type Layer struct {
	Identifier string
	Title      string
	Abstract   string

	// WGS84BBox is the ows:WGS84BoundingBox (the first one), longitude
	// first; nil when absent. West may exceed East for a box across the
	// antimeridian.
	WGS84BBox *BBox
	// BBoxes are the ows:BoundingBox elements that name a CRS, in east/north
	// order.
	BBoxes []BBox

	Styles         []Style
	Formats        []string // Format, the tile media types
	InfoFormats    []string // InfoFormat, the GetFeatureInfo media types
	Dimensions     []Dimension
	MatrixSetLinks []TileMatrixSetLink // only links to sets the document defines
	ResourceURLs   []ResourceURL
}

// BBox is an axis-aligned box in east/north order (x = easting or longitude).
type BBox struct {
	CRS                    string // as written; "" for a WGS84BoundingBox
	MinX, MinY, MaxX, MaxY float64
}

// Style is a layer style. When no style says isDefault="true", Parse marks
// the first one as default.
type Style struct {
	Identifier string
	Title      string
	IsDefault  bool
	Legends    []LegendURL
}

// LegendURL is a style's legend image.
type LegendURL struct {
	Format string
	URL    string
}

// Dimension is a layer's extra dimension (time, elevation, ...). A GetTile
// request must give a value for each (TileURL uses Default, else the first
// Value).
type Dimension struct {
	Identifier string
	Title      string
	UOM        string
	UnitSymbol string
	Default    string
	Current    bool
	Values     []string
}

// TileMatrixSetLink ties a layer to a TileMatrixSet, optionally limited to
// ranges of tiles per TileMatrix.
type TileMatrixSetLink struct {
	MatrixSet string
	Limits    []TileMatrixLimits
}

// TileMatrixLimits restricts the tiles of one TileMatrix (inclusive).
type TileMatrixLimits struct {
	Matrix         string
	MinRow, MaxRow int
	MinCol, MaxCol int
}

// ResourceURL is a RESTful URL template of a layer.
type ResourceURL struct {
	Format       string
	ResourceType string // "tile" or "FeatureInfo" (as written)
	Template     string
}

// TileMatrixSet is a Contents/TileMatrixSet: a pyramid of tile grids in one
// CRS.
type TileMatrixSet struct {
	Identifier        string
	Title             string
	SupportedCRS      string // as written
	WellKnownScaleSet string
	BBox              *BBox // ows:BoundingBox, east/north; nil when absent
	Matrices          []TileMatrix

	// MetersPerUnit is the length of one CRS unit in metres, from
	// MetersPerUnit(SupportedCRS); a caller may correct it (a CRS in feet).
	MetersPerUnit float64
}

// TileMatrix is one level of a TileMatrixSet. TopLeftX/TopLeftY are the
// TopLeftCorner in east/north order (see NorthingFirst); rows grow
// southwards from it, columns eastwards.
type TileMatrix struct {
	Identifier                string
	ScaleDenominator          float64
	TopLeftX, TopLeftY        float64
	TileWidth, TileHeight     int
	MatrixWidth, MatrixHeight int
}

// Layer returns the layer with that identifier (case-sensitive), or nil.
func (c *Capabilities) Layer(identifier string) *Layer {
	for _, l := range c.Layers {
		if l.Identifier == identifier {
			return l
		}
	}
	return nil
}

// MatrixSet returns the tile matrix set with that identifier
// (case-sensitive), or nil.
func (c *Capabilities) MatrixSet(identifier string) *TileMatrixSet {
	for _, s := range c.TileMatrixSets {
		if s.Identifier == identifier {
			return s
		}
	}
	return nil
}

// KVPEndpoint returns the URL KVP GetTile requests go to: the first KVP
// GetTile endpoint (resolved against BaseURL when relative), else BaseURL,
// else "".
func (c *Capabilities) KVPEndpoint() string {
	if len(c.GetTileKVP) > 0 {
		return resolveRef(c.GetTileKVP[0], c.BaseURL)
	}
	return c.BaseURL
}

// DefaultStyle returns the identifier of the layer's default style, or ""
// when the layer lists none.
func (l *Layer) DefaultStyle() string {
	for _, s := range l.Styles {
		if s.IsDefault {
			return s.Identifier
		}
	}
	if len(l.Styles) > 0 {
		return l.Styles[0].Identifier
	}
	return ""
}

// Link returns the layer's link to the named tile matrix set, or nil.
func (l *Layer) Link(matrixSet string) *TileMatrixSetLink {
	for i := range l.MatrixSetLinks {
		if l.MatrixSetLinks[i].MatrixSet == matrixSet {
			return &l.MatrixSetLinks[i]
		}
	}
	return nil
}

// Dimension returns the layer's dimension with that identifier
// (case-insensitive), or nil.
func (l *Layer) Dimension(identifier string) *Dimension {
	for i := range l.Dimensions {
		if strings.EqualFold(l.Dimensions[i].Identifier, identifier) {
			return &l.Dimensions[i]
		}
	}
	return nil
}

// TileTemplate returns the layer's tile ResourceURL for a format
// (case-insensitive), or nil.
func (l *Layer) TileTemplate(format string) *ResourceURL {
	for i := range l.ResourceURLs {
		r := &l.ResourceURLs[i]
		if strings.EqualFold(r.ResourceType, "tile") && strings.EqualFold(r.Format, format) {
			return r
		}
	}
	return nil
}

// HasREST reports whether the layer has a tile ResourceURL.
func (l *Layer) HasREST() bool {
	for _, r := range l.ResourceURLs {
		if strings.EqualFold(r.ResourceType, "tile") {
			return true
		}
	}
	return false
}

// HasMatrix reports whether the layer has tiles in the named matrix: a link
// without limits has every matrix of its set; a link with limits only
// those it states limits for (TileMatrixSetLimits has one TileMatrixLimits
// per matrix of the layer, as GeoWebCache writes it and QGIS reads it).
func (k *TileMatrixSetLink) HasMatrix(matrix string) bool {
	return len(k.Limits) == 0 || k.LimitsFor(matrix) != nil
}

// LimitsFor returns the limits the link puts on a tile matrix, or nil when
// it puts none (or k is nil).
func (k *TileMatrixSetLink) LimitsFor(matrix string) *TileMatrixLimits {
	if k == nil {
		return nil
	}
	for i := range k.Limits {
		if k.Limits[i].Matrix == matrix {
			return &k.Limits[i]
		}
	}
	return nil
}

// Matrix returns the index of the tile matrix with that identifier, or -1.
func (s *TileMatrixSet) Matrix(identifier string) int {
	for i := range s.Matrices {
		if s.Matrices[i].Identifier == identifier {
			return i
		}
	}
	return -1
}

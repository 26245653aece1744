package project

// Format is the value of the "format" marker every project file carries.
const Format = "mapvault-project"

// Version is the newest format version this package reads and the version it
// writes. Files with a greater version are refused with ErrNewerVersion.
const Version = 1

// DefaultCRS is the view CRS assumed when View.CRS is empty.
const DefaultCRS = "EPSG:3857"

// Kind says what kind of service or data a layer draws from. Only KindWMS is
// drawn today; the other kinds are reserved. A kind this version does not know
// is kept as is and written back unchanged.
type Kind string

// Layer kinds.
const (
	KindWMS     Kind = "wms"
	KindXYZ     Kind = "xyz"     // reserved
	KindWFS     Kind = "wfs"     // reserved
	KindGeoJSON Kind = "geojson" // reserved
)

// Known reports whether this version of mapvault knows the kind.
func (k Kind) Known() bool {
	switch k {
	case KindWMS, KindXYZ, KindWFS, KindGeoJSON:
		return true
	}
	return false
}

package project

// Format is the value of the "format" marker every project file carries.
const Format = "mapvault-project"

// Version is the newest format version this package reads and the version it
// writes. Files with a greater version are refused with ErrNewerVersion.
// Version 1 files (WMS fields flat in the layer) are read and migrated; see
// docs/project-format.md.
const Version = 2

// DefaultCRS is the view CRS assumed when View.CRS is empty.
const DefaultCRS = "EPSG:3857"

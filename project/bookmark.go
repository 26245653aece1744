package project

import "encoding/json"

// Bookmark is a named view saved with the project: a centre in degrees
// (longitude, latitude) and a zoom level. The file keeps bookmarks in the
// order the user made them.
type Bookmark struct {
	Name     string
	Lon, Lat float64
	Zoom     float64

	extras map[string]json.RawMessage // unknown fields of the bookmark
}

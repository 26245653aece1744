package vector

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"

	"github.com/twpayne/go-geom"
)

// Feature is one vector feature.
//
// Geometry is in longitude/latitude degrees (x = east), XY layout: parsers
// drop Z and M. It is nil for a feature without a geometry and for one whose
// GML geometry kind this package does not read (see
// FeatureCollection.Unsupported).
//
// Properties hold the attribute values as the server gave them. From
// GeoJSON: string, json.Number (never float64, so large integer ids stay
// exact), bool, nil, []any and map[string]any. From GML: string, or nil for
// an xsi:nil property; complex (nested) properties are dropped.
type Feature struct {
	ID         string
	Geometry   geom.T
	Properties map[string]any
}

// Property returns the named attribute as text, the way a categorised
// style matches it: a string as is, a json.Number as written by the
// server, a float64 in its shortest form, an int as decimal, a bool as "true"/"false". The
// second result is false when the attribute is absent, null or not a
// scalar.
func (f *Feature) Property(name string) (string, bool) {
	return propertyText(f.Properties[name])
}

func propertyText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// FeatureCollection is one parsed document: a page of features and what
// the server said about the rest.
type FeatureCollection struct {
	Features []Feature
	// Next is the link to the next page as written in the document (an
	// OGC API rel="next" link or the WFS 2.0 next attribute); "" when this
	// is the last page. Resolve it with NextURL.
	Next string
	// NumberMatched is the number of features the query matched over all
	// pages; -1 when the server did not say (or said "unknown").
	NumberMatched int
	// NumberReturned is the number of features the server says this page
	// holds; -1 when it did not say.
	NumberReturned int
	// Unsupported counts GML features kept with a nil Geometry because
	// their geometry kind (arcs, solids, envelopes) is not read.
	Unsupported int
}

// NextURL resolves Next against the URL the page was fetched from; nil when
// there is no next page. Whether credentials go with it is the caller's
// decision (the access core attaches them only under the source's prefix).
func (fc *FeatureCollection) NextURL(base *url.URL) (*url.URL, error) {
	if fc.Next == "" {
		return nil, nil
	}
	u, err := url.Parse(fc.Next)
	if err != nil {
		return nil, malformed("next link: %v", err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u, nil
}

// Bounds is a longitude/latitude box in degrees.
type Bounds struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

// Valid reports whether b is a finite, non-inverted box within the
// longitude/latitude range (west > east is not supported: split a box that
// crosses the antimeridian).
func (b Bounds) Valid() bool {
	for _, v := range [4]float64{b.West, b.South, b.East, b.North} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return b.West <= b.East && b.South <= b.North &&
		b.West >= -180 && b.East <= 180 && b.South >= -90 && b.North <= 90
}

// Intersects reports whether b and o share a point.
func (b Bounds) Intersects(o Bounds) bool {
	return b.West <= o.East && o.West <= b.East && b.South <= o.North && o.South <= b.North
}

// TileBounds returns the longitude/latitude box of XYZ tile z/x/y of the
// Web Mercator grid (y grows southwards), for caches keyed by tile.
func TileBounds(z, x, y int) Bounds {
	n := math.Exp2(float64(z))
	return Bounds{
		West:  float64(x)/n*360 - 180,
		East:  float64(x+1)/n*360 - 180,
		North: latOfUnitY(float64(y) / n),
		South: latOfUnitY(float64(y+1) / n),
	}
}

// Link is a hypermedia link of an OGC API document.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel,omitempty"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

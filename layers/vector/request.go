package vector

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ErrBadRequest is returned by the request builders for a base URL that is
// not absolute http(s) or parameters that cannot make a request.
var ErrBadRequest = errors.New("vector: invalid feature request")

// GetFeatureRequest is one WFS GetFeature request.
type GetFeatureRequest struct {
	// Version is "2.0.0" (the default; any 2.x), "1.1.0" or "1.0.0".
	Version string
	// TypeName is the feature type, prefix included (ns:roads).
	TypeName string
	// Count is the page size (COUNT in 2.0, MAXFEATURES before); 0 lets
	// the server decide.
	Count int
	// StartIndex is the 0-based offset of the page (STARTINDEX; standard
	// in 2.0, a vendor extension MapServer and GeoServer honour in 1.x).
	StartIndex int
	// BBox filters features by a longitude/latitude box; nil for none.
	BBox *Bounds
	// BBoxCRS is the CRS the box is written in. "" means
	// urn:ogc:def:crs:EPSG::4326 in 2.0 and 1.1 (latitude first, as that
	// URN defines, which every conforming server reads the same way) and
	// plain longitude/latitude without a suffix in 1.0. "EPSG:3857" writes
	// the box in metres.
	BBoxCRS string
	// SRSName is the CRS to answer in; "" means EPSG:4326 (longitude
	// first in GeoJSON; GML answers say their own axis order). 1.0 sends
	// it only when set.
	SRSName string
	// OutputFormat is the output format (see GeoJSONFormat); "" for the
	// server's default GML.
	OutputFormat string
}

// wfsParams are the parameters GetFeatureURL writes; a base URL's own
// (from a capabilities URL, say) are dropped whatever their case.
var wfsParams = map[string]bool{
	"SERVICE": true, "VERSION": true, "REQUEST": true, "TYPENAME": true, "TYPENAMES": true,
	"COUNT": true, "MAXFEATURES": true, "STARTINDEX": true, "BBOX": true, "SRSNAME": true,
	"OUTPUTFORMAT": true, "RESULTTYPE": true, "FEATUREID": true, "RESOURCEID": true, "FILTER": true,
}

// GetFeatureURL returns the KVP GetFeature URL for base, keeping the base
// URL's vendor parameters (map=, a portal's key=) sorted by name, then
// SERVICE, VERSION, REQUEST and the request's parameters in a fixed order,
// so identical requests give identical strings (cache and dedup keys).
// User info in base is dropped.
func GetFeatureURL(base string, req GetFeatureRequest) (string, error) {
	b, err := kvpBase(base, wfsParams)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(req.TypeName) == "" || req.Count < 0 || req.StartIndex < 0 {
		return "", ErrBadRequest
	}
	v := strings.TrimSpace(req.Version)
	switch {
	case v == "":
		v = "2.0.0"
	case strings.HasPrefix(v, "2."), v == "1.1.0", v == "1.0.0":
	default:
		return "", ErrBadRequest
	}
	v2, v10 := strings.HasPrefix(v, "2."), v == "1.0.0"
	add := func(k, val string) {
		b.WriteByte('&')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escapeValue(val))
	}
	b.WriteString("SERVICE=WFS")
	add("VERSION", v)
	add("REQUEST", "GetFeature")
	if v2 {
		add("TYPENAMES", req.TypeName)
		if req.Count > 0 {
			add("COUNT", strconv.Itoa(req.Count))
		}
	} else {
		add("TYPENAME", req.TypeName)
		if req.Count > 0 {
			add("MAXFEATURES", strconv.Itoa(req.Count))
		}
	}
	if req.StartIndex > 0 {
		add("STARTINDEX", strconv.Itoa(req.StartIndex))
	}
	if req.BBox != nil {
		bb, err := bboxParam(*req.BBox, req.BBoxCRS, v10)
		if err != nil {
			return "", err
		}
		add("BBOX", bb)
	}
	switch {
	case req.SRSName != "":
		add("SRSNAME", req.SRSName)
	case !v10:
		add("SRSNAME", "EPSG:4326")
	}
	if req.OutputFormat != "" {
		add("OUTPUTFORMAT", req.OutputFormat)
	}
	return b.String(), nil
}

// bboxParam writes a lon/lat box as a WFS BBOX value.
func bboxParam(bb Bounds, crsName string, v10 bool) (string, error) {
	if !bb.Valid() {
		return "", ErrBadRequest
	}
	if v10 && crsName == "" {
		return numbers(bb.West, bb.South, bb.East, bb.North), nil
	}
	if crsName == "" {
		crsName = "urn:ogc:def:crs:EPSG::4326"
	}
	c, ok := parseCRS(crsName)
	if !ok {
		return "", &CRSError{CRS: crsName}
	}
	var s string
	switch {
	case c.mercator:
		x0, y0 := lonLatToMercator(bb.West, bb.South)
		x1, y1 := lonLatToMercator(bb.East, bb.North)
		s = numbers(x0, y0, x1, y1)
	case c.latFirst:
		s = numbers(bb.South, bb.West, bb.North, bb.East)
	default:
		s = numbers(bb.West, bb.South, bb.East, bb.North)
	}
	if v10 {
		return s, nil
	}
	return s + "," + crsName, nil
}

func numbers(v ...float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(s, ",")
}

// ItemsRequest is one OGC API - Features items request.
type ItemsRequest struct {
	BBox  *Bounds // longitude/latitude (CRS84); nil for none
	Limit int     // page size; 0 lets the server decide
	// Format is the f= parameter some servers need when the Accept
	// header is not enough ("json"); "" sends none.
	Format string
}

var itemsParams = map[string]bool{"BBOX": true, "LIMIT": true, "BBOX-CRS": true, "F": true}

// ItemsURL returns the items URL of a collection (Collection.ItemsURL)
// with bbox and limit, keeping its other parameters sorted by name.
func ItemsURL(items string, req ItemsRequest) (string, error) {
	b, err := kvpBase(items, itemsParams)
	if err != nil {
		return "", err
	}
	if req.Limit < 0 {
		return "", ErrBadRequest
	}
	first := true
	add := func(k, val string) {
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escapeValue(val))
	}
	if req.BBox != nil {
		if !req.BBox.Valid() {
			return "", ErrBadRequest
		}
		add("bbox", numbers(req.BBox.West, req.BBox.South, req.BBox.East, req.BBox.North))
	}
	if req.Limit > 0 {
		add("limit", strconv.Itoa(req.Limit))
	}
	if req.Format != "" {
		add("f", req.Format)
	}
	s := b.String()
	if first {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "&"), "?")
	}
	return s, nil
}

// kvpBase parses base and writes it with its query reduced to the
// parameters not in drop (compared upper-case), sorted by name, followed
// by '&' (or '?' when none remain).
func kvpBase(base string, drop map[string]bool) (*strings.Builder, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ErrBadRequest
	}
	type param struct{ key, value string }
	var keep []param
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			key, value = k, v
		}
		if key == "" || drop[strings.ToUpper(key)] {
			continue
		}
		keep = append(keep, param{key, value})
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].key < keep[j].key })
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.ForceQuery = false
	b := &strings.Builder{}
	b.WriteString(u.String())
	b.WriteByte('?')
	for _, p := range keep {
		b.WriteString(escapeValue(p.key))
		b.WriteByte('=')
		b.WriteString(escapeValue(p.value))
		b.WriteByte('&')
	}
	return b, nil
}

// escapeValue query-escapes s but keeps '/', ':' and ',' readable
// (application/json, EPSG:4326, bbox lists); all are allowed in a query.
func escapeValue(s string) string {
	e := url.QueryEscape(s)
	if strings.Contains(e, "%") {
		e = strings.NewReplacer("%2F", "/", "%3A", ":", "%2C", ",").Replace(e)
	}
	return e
}

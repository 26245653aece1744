package vector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

// ParseGeoJSON reads a GeoJSON document (RFC 7946): a FeatureCollection, a
// single Feature or a bare geometry (one feature without properties). It
// also reads an OGC API - Features items response: the rel="next" link,
// numberMatched and numberReturned (and GeoServer's totalFeatures).
//
// The features array is streamed: one feature is buffered at a time, and
// the document is refused with a *LimitError as soon as it passes
// MaxBytes, MaxFeatures, MaxCoordinates or MaxDepth. Coordinates are
// always longitude, latitude; a legacy "crs" member (on the document or on
// a geometry) naming EPSG:4326, CRS84 or EPSG:3857 is honoured (3857 is
// converted to degrees), any other CRS is a *CRSError. Numbers in
// properties stay json.Number.
func ParseGeoJSON(r io.Reader, opt Options) (*FeatureCollection, error) {
	opt = opt.withDefaults()
	lr := newLimitReader(r, opt.MaxBytes)
	p := &geojsonParser{b: budget{opt: opt}}
	fc, err := p.document(json.NewDecoder(lr))
	if err != nil {
		if le := lr.overLimit(err); le != nil {
			return nil, le
		}
		return nil, err
	}
	return fc, nil
}

// geojsonParser holds the state of one document.
type geojsonParser struct {
	b budget
	// ownCRS marks features whose geometry carried its own crs member and
	// is already converted; the document's crs does not apply to them.
	ownCRS map[int]bool
}

// geojsonFeature is a Feature object before its members are decoded.
type geojsonFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// jsonError maps an encoding/json error to ErrMalformed.
func jsonError(err error) error {
	if errors.Is(err, ErrLimit) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// document reads the top-level object member by member, streaming the
// "features" array.
func (p *geojsonParser) document(dec *json.Decoder) (*FeatureCollection, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%w: GeoJSON must be a JSON object", ErrNotFeatures)
	}
	fc := &FeatureCollection{NumberMatched: -1, NumberReturned: -1}
	members := map[string]json.RawMessage{}
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		key, _ := tok.(string)
		if key == "features" {
			if sawFeatures {
				return nil, malformed("two features members")
			}
			sawFeatures = true
			if fc.Features, err = p.features(dec); err != nil {
				return nil, err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err)
		}
		if jsonDepth(raw)+1 > p.b.opt.MaxDepth {
			return nil, p.b.depthError()
		}
		switch key {
		case "type", "crs", "links", "numberMatched", "numberReturned", "totalFeatures",
			"id", "geometry", "properties", "coordinates", "geometries":
			members[key] = raw
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, jsonError(err)
		}
		return nil, malformed("data after the GeoJSON object")
	}

	var typ string
	if raw, ok := members["type"]; ok {
		if err := json.Unmarshal(raw, &typ); err != nil {
			return nil, malformed("type must be a string")
		}
	}
	switch typ {
	case "FeatureCollection":
		if !sawFeatures {
			return nil, malformed("FeatureCollection without features")
		}
		p.collectionMeta(fc, members)
	case "Feature":
		if err := p.b.addFeature(); err != nil {
			return nil, err
		}
		f, err := p.feature(geojsonFeature{Type: typ, ID: members["id"], Geometry: members["geometry"], Properties: members["properties"]}, 0)
		if err != nil {
			return nil, err
		}
		fc.Features = []Feature{f}
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		if err := p.b.addFeature(); err != nil {
			return nil, err
		}
		g := geojson.Geometry{Type: typ}
		if raw, ok := members["coordinates"]; ok {
			g.Coordinates = &raw
		}
		if raw, ok := members["geometries"]; ok {
			g.Geometries = &raw
		}
		t, err := p.geometry(&g, 1)
		if err != nil {
			return nil, err
		}
		fc.Features = []Feature{{Geometry: t}}
	default:
		return nil, fmt.Errorf("%w: GeoJSON type %q", ErrNotFeatures, typ)
	}
	if raw, ok := members["crs"]; ok {
		c, err := documentCRS(raw)
		if err != nil {
			return nil, err
		}
		for i := range fc.Features {
			if !p.ownCRS[i] {
				convertGeometry(fc.Features[i].Geometry, c)
			}
		}
	}
	return fc, nil
}

// features streams the features array, one feature in memory at a time.
func (p *geojsonParser) features(dec *json.Decoder) ([]Feature, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, malformed("features must be an array")
	}
	var out []Feature
	for dec.More() {
		if err := p.b.addFeature(); err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err)
		}
		if jsonDepth(raw)+2 > p.b.opt.MaxDepth {
			return nil, p.b.depthError()
		}
		var gf geojsonFeature
		if err := json.Unmarshal(raw, &gf); err != nil {
			return nil, malformed("feature %d: %v", len(out), err)
		}
		if gf.Type != "Feature" && gf.Type != "" {
			return nil, malformed("feature %d: type %q, want \"Feature\"", len(out), gf.Type)
		}
		f, err := p.feature(gf, len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, jsonError(err)
	}
	if out == nil {
		out = []Feature{}
	}
	return out, nil
}

// feature decodes the members of feature number i.
func (p *geojsonParser) feature(gf geojsonFeature, i int) (Feature, error) {
	var f Feature
	switch id := bytes.TrimSpace(gf.ID); {
	case len(id) == 0 || string(id) == "null":
	case id[0] == '"':
		if err := json.Unmarshal(id, &f.ID); err != nil {
			return f, malformed("feature %d: id: %v", i, err)
		}
	case id[0] == '-' || id[0] >= '0' && id[0] <= '9':
		f.ID = string(id)
	default:
		return f, malformed("feature %d: id must be a string or a number", i)
	}
	switch props := bytes.TrimSpace(gf.Properties); {
	case len(props) == 0 || string(props) == "null":
	case props[0] == '{':
		d := json.NewDecoder(bytes.NewReader(props))
		d.UseNumber()
		if err := d.Decode(&f.Properties); err != nil {
			return f, malformed("feature %d: properties: %v", i, err)
		}
	default:
		return f, malformed("feature %d: properties must be an object or null", i)
	}
	if raw := bytes.TrimSpace(gf.Geometry); len(raw) > 0 && string(raw) != "null" {
		var g geojson.Geometry
		if err := json.Unmarshal(raw, &g); err != nil {
			return f, malformed("feature %d: geometry: %v", i, err)
		}
		t, err := p.geometry(&g, 1)
		if err != nil {
			return f, fmt.Errorf("feature %d: %w", i, err)
		}
		if g.CRS != nil {
			if p.ownCRS == nil {
				p.ownCRS = map[int]bool{}
			}
			p.ownCRS[i] = true
		}
		f.Geometry = t
	}
	return f, nil
}

// coordDepth is the array nesting of each geometry type's coordinates.
var coordDepth = map[string]int{
	"Point": 1, "MultiPoint": 2, "LineString": 2,
	"MultiLineString": 3, "Polygon": 3, "MultiPolygon": 4,
}

// geometry decodes one geometry object; depth counts GeometryCollection
// nesting.
func (p *geojsonParser) geometry(g *geojson.Geometry, depth int) (geom.T, error) {
	if depth > p.b.opt.MaxDepth {
		return nil, p.b.depthError()
	}
	var t geom.T
	if g.Type == "GeometryCollection" {
		gc := geom.NewGeometryCollection()
		var members []json.RawMessage
		if g.Geometries != nil {
			if err := json.Unmarshal(*g.Geometries, &members); err != nil {
				return nil, malformed("geometries must be an array of geometries")
			}
		}
		for _, raw := range members {
			var m geojson.Geometry
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, malformed("geometry: %v", err)
			}
			mt, err := p.geometry(&m, depth+1)
			if err != nil {
				return nil, err
			}
			if err := gc.Push(mt); err != nil {
				return nil, malformed("geometry: %v", err)
			}
		}
		t = gc
	} else {
		d, ok := coordDepth[g.Type]
		if !ok {
			return nil, malformed("unknown geometry type %q", g.Type)
		}
		var raw []byte
		if g.Coordinates != nil {
			raw = *g.Coordinates
		}
		var flat []float64
		var ends []int
		var endss [][]int
		if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
			var err error
			if flat, ends, endss, err = decodeCoords(raw, d, &p.b); err != nil {
				return nil, err
			}
		}
		t = newFlat(g.Type, flat, ends, endss)
	}
	if g.CRS != nil {
		c, err := legacyCRS(g.CRS)
		if err != nil {
			return nil, err
		}
		convertGeometry(t, c)
	}
	return t, nil
}

// newFlat builds the go-geom geometry of a GeoJSON type from flat XY
// coordinates.
func newFlat(typ string, flat []float64, ends []int, endss [][]int) geom.T {
	switch typ {
	case "Point":
		if len(flat) < 2 {
			return geom.NewPointEmpty(geom.XY)
		}
		return geom.NewPointFlat(geom.XY, flat)
	case "MultiPoint":
		return geom.NewMultiPointFlat(geom.XY, flat)
	case "LineString":
		return geom.NewLineStringFlat(geom.XY, flat)
	case "MultiLineString":
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	case "Polygon":
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	}
	return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
}

// documentCRS reads a document-level legacy crs member.
func documentCRS(raw json.RawMessage) (crs, error) {
	var c *geojson.CRS
	if err := json.Unmarshal(raw, &c); err != nil {
		return crs{}, malformed("crs: %v", err)
	}
	return legacyCRS(c)
}

// legacyCRS interprets a GeoJSON 2008 crs object. GeoJSON coordinates are
// always x = east, whatever axis order the named CRS defines, so only the
// choice between degrees and Web Mercator metres matters. A "link" crs
// cannot be followed and is taken as WGS 84.
func legacyCRS(c *geojson.CRS) (crs, error) {
	if c == nil {
		return crs{}, nil
	}
	var name string
	switch strings.ToLower(c.Type) {
	case "name":
		name, _ = c.Properties["name"].(string)
	case "epsg":
		switch v := c.Properties["code"].(type) {
		case float64:
			name = "EPSG:" + strconv.FormatFloat(v, 'f', -1, 64)
		case json.Number:
			name = "EPSG:" + string(v)
		case string:
			name = "EPSG:" + v
		}
	default:
		return crs{}, nil
	}
	cr, ok := parseCRS(name)
	if !ok {
		return crs{}, &CRSError{CRS: name}
	}
	cr.latFirst = false
	return cr, nil
}

// convertGeometry converts t's coordinates from c to lon/lat in place.
func convertGeometry(t geom.T, c crs) {
	switch t := t.(type) {
	case nil:
	case *geom.GeometryCollection:
		for _, g := range t.Geoms() {
			convertGeometry(g, c)
		}
	default:
		c.convert(t.FlatCoords())
	}
}

// collectionMeta reads the paging members of a FeatureCollection. Values
// of the wrong type are ignored (left unknown): they never hide features.
func (p *geojsonParser) collectionMeta(fc *FeatureCollection, members map[string]json.RawMessage) {
	count := func(key string) int {
		raw, ok := members[key]
		if !ok {
			return -1
		}
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return -1
		}
		v, err := strconv.Atoi(string(n))
		if err != nil || v < 0 {
			return -1
		}
		return v
	}
	fc.NumberMatched = count("numberMatched")
	if fc.NumberMatched < 0 {
		fc.NumberMatched = count("totalFeatures")
	}
	fc.NumberReturned = count("numberReturned")
	if raw, ok := members["links"]; ok {
		var links []Link
		if json.Unmarshal(raw, &links) == nil {
			fc.Next = nextLink(links)
		}
	}
}

// nextLink picks the rel="next" link, preferring a GeoJSON or JSON one over
// HTML and other types when a server offers several.
func nextLink(links []Link) string {
	best, bestRank := "", 0
	for _, l := range links {
		if !strings.EqualFold(l.Rel, "next") || l.Href == "" {
			continue
		}
		rank := 1
		switch t := strings.ToLower(l.Type); {
		case strings.Contains(t, "geo+json"):
			rank = 4
		case strings.Contains(t, "json"):
			rank = 3
		case t == "":
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = l.Href, rank
		}
	}
	return best
}

package wms

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"

	"mapvault/layers/internal/ogcxml"
)

// ParseFeatureInfo reads a GetFeatureInfo answer. contentType is the
// response's Content-Type header (or the INFO_FORMAT asked for);
// queryLayers are the QUERY_LAYERS sent, used to name the layer of features
// whose answer does not say it plainly.
//
// The body decides when it is plain: one starting with "<" is read as XML
// (or HTML), one starting with "{" or "[" as JSON, whatever the header
// says; a text/plain or vague header falls back to text when the body is
// not well-formed. It reads:
//
//   - GeoJSON: a FeatureCollection, a Feature or an array of Features. The
//     layer is the query layer a GeoServer-style id ("states.12") starts
//     with, else a "layer" or "layerName" member of the feature, else the
//     only query layer. Properties keep their order.
//   - MapServer GML (msGMLOutput), GML/WFS feature collections (GeoServer,
//     QGIS Server), ESRI FeatureInfoResponse (FIELDS attributes or
//     FeatureInfoCollection/FeatureInfo/Field), QGIS Server's
//     GetFeatureInfoResponse. Geometry and gml:* elements are not
//     attributes.
//   - MapServer and GeoServer text/plain; other text gives one feature with
//     one attribute "text".
//   - HTML, reduced to its readable text (one line per block or table row,
//     cells separated by " | "), as one feature with one attribute "text".
//
// An OGC exception report is returned as an *InfoError. A body larger than
// MaxInfoSize is refused (ErrInfoTooLarge), XML nested deeper than
// MaxInfoDepth too (ErrInfoTooDeep); at most MaxInfoFeatures features of
// at most MaxInfoAttributes attributes are returned. An answer without
// features gives none and no error.
func ParseFeatureInfo(contentType string, body []byte, queryLayers []string) ([]InfoFeature, error) {
	if len(body) > MaxInfoSize {
		return nil, ErrInfoTooLarge
	}
	mt, params := mediaType(contentType)
	c := &infoCollector{queryLayers: queryLayers}
	head := bytes.TrimLeft(bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	utf16 := bytes.HasPrefix(body, []byte{0xFE, 0xFF}) || bytes.HasPrefix(body, []byte{0xFF, 0xFE})
	if len(head) == 0 && !utf16 {
		return nil, nil
	}
	htmlType := mt == "text/html" || mt == "application/xhtml+xml"
	xmlType := strings.Contains(mt, "xml") || strings.Contains(mt, "gml")
	jsonType := strings.Contains(mt, "json")

	var err error
	switch {
	case utf16 || head[0] == '<':
		if ex, ok := ogcxml.Parse(body); ok {
			return nil, newInfoError(ex.Code, ex.Message)
		}
		if !utf16 && (looksLikeHTML(head) || (htmlType && !xmlLike(head))) {
			c.text(htmlText(decodeText(body, params)))
			break
		}
		err = c.parseXML(body)
		if errors.Is(err, errInfoHTML) || (errors.Is(err, ErrMalformedInfo) && !xmlType && !jsonType) {
			c.features = nil
			c.text(htmlText(decodeText(body, params)))
			err = nil
		}
	case head[0] == '{' || head[0] == '[' || jsonType:
		err = c.parseJSON(head)
		if errors.Is(err, ErrMalformedInfo) && !jsonType {
			c.features = nil
			err = nil
			if htmlType {
				c.text(htmlText(decodeText(body, params)))
			} else {
				c.parseText(decodeText(body, params))
			}
		}
	case htmlType:
		c.text(htmlText(decodeText(body, params)))
	default:
		c.parseText(decodeText(body, params))
	}
	if errors.Is(err, errInfoFull) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return c.features, nil
}

var (
	// errInfoFull stops a parse once MaxInfoFeatures features are read.
	errInfoFull = errors.New("wms: feature limit reached")

	// errInfoHTML says an XML answer is XHTML.
	errInfoHTML = errors.New("wms: XHTML answer")
)

// infoCollector gathers the features of one answer.
type infoCollector struct {
	queryLayers []string
	features    []InfoFeature
}

// add appends f; errInfoFull once the limit is reached.
func (c *infoCollector) add(f InfoFeature) error {
	if len(c.features) >= MaxInfoFeatures {
		return errInfoFull
	}
	c.features = append(c.features, f)
	if len(c.features) >= MaxInfoFeatures {
		return errInfoFull
	}
	return nil
}

// addAttr appends an attribute to f unless f has MaxInfoAttributes.
func addAttr(f *InfoFeature, name string, value any) {
	if len(f.Attributes) < MaxInfoAttributes {
		f.Attributes = append(f.Attributes, Attribute{Name: name, Value: value})
	}
}

// defaultLayer is the layer of a feature whose answer does not name it:
// the query layer when there is exactly one.
func (c *infoCollector) defaultLayer() string {
	if len(c.queryLayers) == 1 {
		return c.queryLayers[0]
	}
	return ""
}

// matchLayer returns the query layer named name, or whose name without a
// workspace prefix ("topp:states") is name's, or "".
func (c *infoCollector) matchLayer(name string) string {
	if name == "" {
		return ""
	}
	for _, q := range c.queryLayers {
		if q == name {
			return q
		}
	}
	local := name[strings.LastIndexAny(name, ":/")+1:]
	for _, q := range c.queryLayers {
		if q[strings.LastIndexByte(q, ':')+1:] == local {
			return q
		}
	}
	return ""
}

// idLayer returns the query layer a GeoServer-style feature id
// ("states.12", "topp:states.12") starts with, the longest when several do.
func (c *infoCollector) idLayer(id string) string {
	best := ""
	for _, q := range c.queryLayers {
		if q == "" {
			continue
		}
		if strings.HasPrefix(id, q+".") || strings.HasPrefix(id, q[strings.LastIndexByte(q, ':')+1:]+".") {
			if len(q) > len(best) {
				best = q
			}
		}
	}
	return best
}

// text adds s, if not empty, as one feature with one attribute "text".
func (c *infoCollector) text(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	f := InfoFeature{Layer: c.defaultLayer()}
	addAttr(&f, "text", s)
	c.add(f)
}

// decodeText returns body as UTF-8: decoded from a charset parameter other
// than UTF-8 when known, invalid sequences replaced.
func decodeText(body []byte, params map[string]string) string {
	body = bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF})
	if cs := params["charset"]; cs != "" && cs != "utf-8" && cs != "utf8" {
		if enc, err := htmlindex.Get(cs); err == nil {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				body = out
			}
		}
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// ---- JSON ----

// jsonObject calls f with each member of the JSON object raw, in document
// order; ok is false when raw is not an object. With whole set, anything
// after the object is an error.
func jsonObject(raw []byte, whole bool, f func(key string, value json.RawMessage) error) (ok bool, err error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return false, malformedInfo(err)
	}
	if tok != json.Delim('{') {
		return false, nil
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return true, malformedInfo(err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return true, malformedInfo(err)
		}
		if err := f(key, v); err != nil {
			return true, err
		}
	}
	if _, err := d.Token(); err != nil {
		return true, malformedInfo(err)
	}
	if whole {
		if _, err := d.Token(); err != io.EOF {
			return true, malformedInfo(errors.New("data after the JSON object"))
		}
	}
	return true, nil
}

func malformedInfo(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %w", ErrMalformedInfo, err)
}

// jsonValue converts a JSON value to an Attribute value.
func jsonValue(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			return json.RawMessage(b.Bytes())
		}
		return json.RawMessage(append([]byte(nil), raw...))
	}
	return json.Number(raw)
}

// jsonString returns a JSON string's or number's text, else "".
func jsonString(raw json.RawMessage) string {
	switch v := jsonValue(raw).(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	}
	return ""
}

// jsonArray calls f for each element of the JSON array raw.
func jsonArray(raw []byte, whole bool, f func(json.RawMessage) error) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return malformedInfo(err)
	}
	if tok == nil {
		return nil // null
	}
	if tok != json.Delim('[') {
		return malformedInfo(errors.New("features is not an array"))
	}
	for d.More() {
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return malformedInfo(err)
		}
		if err := f(v); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return malformedInfo(err)
	}
	if whole {
		if _, err := d.Token(); err != io.EOF {
			return malformedInfo(errors.New("data after the JSON array"))
		}
	}
	return nil
}

func (c *infoCollector) parseJSON(body []byte) error {
	if len(body) > 0 && body[0] == '[' {
		return jsonArray(body, true, c.jsonFeature)
	}
	// Any other object than a Feature or a FeatureCollection gives its
	// members as one feature's attributes.
	var typ string
	var features json.RawMessage
	other := InfoFeature{Layer: c.defaultLayer()}
	ok, err := jsonObject(body, true, func(key string, v json.RawMessage) error {
		switch key {
		case "type":
			typ = jsonString(v)
		case "features":
			features = v
			return nil
		}
		addAttr(&other, key, jsonValue(v))
		return nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return malformedInfo(errors.New("not a JSON object"))
	}
	switch {
	case features != nil:
		return jsonArray(features, false, c.jsonFeature)
	case typ == "Feature":
		return c.jsonFeature(body)
	case typ == "FeatureCollection" || len(other.Attributes) == 0:
		return nil
	}
	return c.add(other)
}

// jsonFeature reads one GeoJSON Feature; anything else is skipped.
func (c *infoCollector) jsonFeature(raw json.RawMessage) error {
	var f InfoFeature
	var foreign string
	ok, err := jsonObject(raw, false, func(key string, v json.RawMessage) error {
		switch key {
		case "id":
			f.ID = jsonString(v)
		case "layer", "layerName":
			if s, isString := jsonValue(v).(string); isString && foreign == "" {
				foreign = s
			}
		case "properties":
			_, err := jsonObject(v, false, func(key string, v json.RawMessage) error {
				addAttr(&f, key, jsonValue(v))
				return nil
			})
			return err
		}
		return nil
	})
	if err != nil || !ok {
		return err
	}
	f.Layer = c.idLayer(f.ID)
	if f.Layer == "" {
		f.Layer = foreign
	}
	if f.Layer == "" {
		f.Layer = c.defaultLayer()
	}
	return c.add(f)
}

// ---- XML ----

// infoXML walks an XML answer's tokens, bounding their nesting.
type infoXML struct {
	d     *xml.Decoder
	depth int
}

func (x *infoXML) token() (xml.Token, error) {
	tok, err := x.d.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		x.depth++
		if x.depth > MaxInfoDepth {
			return nil, ErrInfoTooDeep
		}
	case xml.EndElement:
		x.depth--
	}
	return tok, nil
}

// children calls f for every child element of the current element and
// returns at its end tag. f must consume the child.
func (x *infoXML) children(f func(se xml.StartElement) error) error {
	return ogcxml.Children(x.token, f)
}

// skip consumes the rest of the current element.
func (x *infoXML) skip() error {
	_, _, err := x.value()
	return err
}

// value consumes the current element and returns its trimmed character
// data (at any depth) and whether it has child elements.
func (x *infoXML) value() (string, bool, error) {
	var b strings.Builder
	nested := false
	for depth := 0; ; {
		tok, err := x.token()
		if err != nil {
			return "", false, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len() < MaxInfoSize {
				b.Write(t)
			}
		case xml.StartElement:
			nested = true
			depth++
		case xml.EndElement:
			if depth == 0 {
				return strings.TrimSpace(b.String()), nested, nil
			}
			depth--
		}
	}
}

// isGML reports whether n is in a GML namespace (or has an undeclared gml
// prefix).
func isGML(n xml.Name) bool {
	return strings.HasPrefix(n.Space, "http://www.opengis.net/gml") || n.Space == "gml"
}

// featureID returns a feature element's fid or gml:id attribute.
func featureID(se xml.StartElement) string {
	for _, a := range se.Attr {
		if a.Name.Local == "fid" || (a.Name.Local == "id" && isGML(a.Name)) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func (c *infoCollector) parseXML(body []byte) error {
	x := &infoXML{d: ogcxml.NewDecoder(bytes.NewReader(body))}
	err := c.xmlRoot(x)
	if err == nil || errors.Is(err, errInfoFull) || errors.Is(err, errInfoHTML) || errors.Is(err, ErrInfoTooDeep) {
		return err
	}
	var ie *InfoError
	if errors.As(err, &ie) {
		return err
	}
	return malformedInfo(err)
}

func (c *infoCollector) xmlRoot(x *infoXML) error {
	for {
		tok, err := x.token()
		if err == io.EOF {
			return nil // no root element: nothing to read
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case ogcxml.IsExceptionRoot(se.Name):
			ex, err := ogcxml.ReadException(x.token)
			if err != nil {
				return err
			}
			return newInfoError(ex.Code, ex.Message)
		case strings.EqualFold(se.Name.Local, "html"):
			return errInfoHTML
		case se.Name.Local == "msGMLOutput":
			return c.msGML(x)
		case se.Name.Local == "FeatureCollection":
			return c.gmlCollection(x)
		case se.Name.Local == "FeatureInfoResponse":
			return c.esri(x, "")
		case se.Name.Local == "GetFeatureInfoResponse":
			return c.qgis(x)
		}
		t, _, err := x.value()
		if err != nil {
			return err
		}
		c.text(strings.Join(strings.Fields(t), " "))
		return nil
	}
}

// simpleChildren adds the current element's simple child elements as
// attributes of f: gml:* elements and elements with child elements
// (geometries) are skipped.
func (x *infoXML) simpleChildren(f *InfoFeature) error {
	return x.children(func(se xml.StartElement) error {
		if isGML(se.Name) {
			return x.skip()
		}
		v, nested, err := x.value()
		if err == nil && !nested {
			addAttr(f, se.Name.Local, v)
		}
		return err
	})
}

// msGML reads MapServer's msGMLOutput: <NAME_layer> elements holding
// <NAME_feature> elements.
func (c *infoCollector) msGML(x *infoXML) error {
	return x.children(func(le xml.StartElement) error {
		if isGML(le.Name) {
			return x.skip()
		}
		layer := strings.TrimSuffix(le.Name.Local, "_layer")
		return x.children(func(fe xml.StartElement) error {
			if isGML(fe.Name) {
				return x.skip()
			}
			f := InfoFeature{Layer: layer, ID: featureID(fe)}
			if err := x.simpleChildren(&f); err != nil {
				return err
			}
			return c.add(f)
		})
	})
}

// gmlCollection reads a GML or WFS FeatureCollection: features in
// featureMember, featureMembers or member elements, named by their type.
func (c *infoCollector) gmlCollection(x *infoXML) error {
	return x.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "featureMember", "featureMembers", "member":
			return x.children(func(fe xml.StartElement) error {
				if fe.Name.Local == "FeatureCollection" {
					return c.gmlCollection(x)
				}
				if isGML(fe.Name) {
					return x.skip()
				}
				layer := c.matchLayer(fe.Name.Local)
				if layer == "" {
					layer = fe.Name.Local
				}
				f := InfoFeature{Layer: layer, ID: featureID(fe)}
				if err := x.simpleChildren(&f); err != nil {
					return err
				}
				return c.add(f)
			})
		}
		return x.skip()
	})
}

// esri reads an ArcGIS FeatureInfoResponse: FIELDS elements whose XML
// attributes are the feature's, or FeatureInfoCollection layername="..."
// wrappers of FeatureInfo elements holding Field (FieldName, FieldValue)
// or simple elements (ncWMS writes the same root).
func (c *infoCollector) esri(x *infoXML, layer string) error {
	if layer == "" {
		layer = c.defaultLayer()
	}
	return x.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "FIELDS":
			f := InfoFeature{Layer: layer}
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				addAttr(&f, a.Name.Local, a.Value)
			}
			if err := x.skip(); err != nil {
				return err
			}
			return c.add(f)
		case "FeatureInfoCollection":
			name, _ := attr(se, "layername")
			return c.esri(x, strings.TrimSpace(name))
		case "FeatureInfo":
			f := InfoFeature{Layer: layer}
			err := x.children(func(fe xml.StartElement) error {
				if fe.Name.Local != "Field" {
					v, nested, err := x.value()
					if err == nil && !nested {
						addAttr(&f, fe.Name.Local, v)
					}
					return err
				}
				var name, value string
				err := x.children(func(fv xml.StartElement) error {
					var err error
					switch fv.Name.Local {
					case "FieldName":
						name, _, err = x.value()
					case "FieldValue":
						value, _, err = x.value()
					default:
						err = x.skip()
					}
					return err
				})
				if err == nil && name != "" {
					addAttr(&f, name, value)
				}
				return err
			})
			if err != nil {
				return err
			}
			return c.add(f)
		}
		return x.skip()
	})
}

// qgis reads QGIS Server's text/xml GetFeatureInfoResponse: Layer
// name="..." elements holding Feature id="..." elements of Attribute
// name="..." value="..." elements (a raster layer's Attribute elements sit
// directly in its Layer).
func (c *infoCollector) qgis(x *infoXML) error {
	return x.children(func(le xml.StartElement) error {
		if le.Name.Local != "Layer" {
			return x.skip()
		}
		name, _ := attr(le, "name")
		layer := c.matchLayer(name)
		if layer == "" {
			layer = name
		}
		raster := InfoFeature{Layer: layer}
		err := x.children(func(se xml.StartElement) error {
			switch se.Name.Local {
			case "Attribute":
				n, _ := attr(se, "name")
				v, _ := attr(se, "value")
				addAttr(&raster, n, v)
			case "Feature":
				id, _ := attr(se, "id")
				f := InfoFeature{Layer: layer, ID: id}
				err := x.children(func(ae xml.StartElement) error {
					if ae.Name.Local == "Attribute" {
						n, _ := attr(ae, "name")
						v, _ := attr(ae, "value")
						addAttr(&f, n, v)
					}
					return x.skip()
				})
				if err != nil {
					return err
				}
				return c.add(f)
			}
			return x.skip()
		})
		if err != nil || len(raster.Attributes) == 0 {
			return err
		}
		return c.add(raster)
	})
}

// ---- text ----

// parseText reads MapServer's or GeoServer's text/plain answer, or keeps
// other text whole.
func (c *infoCollector) parseText(s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	trimmed := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(trimmed, "GetFeatureInfo results:") || hasLinePrefix(lines, "Layer '"):
		c.mapserverText(lines)
	case hasLinePrefix(lines, "Results for FeatureType '"):
		c.geoserverText(lines)
	case strings.EqualFold(trimmed, "no features were found") || strings.EqualFold(trimmed, "Search returned no results."):
	default:
		c.text(trimmed)
	}
}

func hasLinePrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return true
		}
	}
	return false
}

// textAttr splits an "name = value" line; ok is false for other lines.
func textAttr(line string) (name, value string, ok bool) {
	line = strings.TrimLeft(line, " \t")
	name, value, ok = strings.Cut(line, " = ")
	if !ok {
		if t := strings.TrimRight(line, " \t"); strings.HasSuffix(t, " =") {
			name, value, ok = strings.TrimSuffix(t, " ="), "", true
		}
	}
	name = strings.TrimSpace(name)
	return name, value, ok && name != ""
}

// mapserverText reads lines like
//
//	Layer 'countries'
//	  Feature 129:
//	    id = '056'
func (c *infoCollector) mapserverText(lines []string) {
	var layer string
	var cur *InfoFeature
	flush := func() bool {
		if cur == nil {
			return true
		}
		err := c.add(*cur)
		cur = nil
		return err == nil
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "Layer '"):
			if !flush() {
				return
			}
			layer = strings.TrimSuffix(strings.TrimPrefix(t, "Layer '"), "'")
		case strings.HasPrefix(t, "Feature ") && strings.HasSuffix(t, ":"):
			if !flush() {
				return
			}
			cur = &InfoFeature{Layer: layer, ID: strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, "Feature "), ":"))}
		default:
			name, value, ok := textAttr(line)
			if !ok || layer == "" {
				continue
			}
			if cur == nil {
				cur = &InfoFeature{Layer: layer}
			}
			v := strings.TrimRight(value, " \t")
			if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
				v = v[1 : len(v)-1]
			} else {
				v = strings.TrimSpace(v)
			}
			addAttr(cur, name, v)
		}
	}
	flush()
}

// geoserverText reads lines like
//
//	Results for FeatureType 'topp:states':
//	--------------------------------------------
//	STATE_NAME = Illinois
//	--------------------------------------------
func (c *infoCollector) geoserverText(lines []string) {
	var layer string
	var cur *InfoFeature
	flush := func() bool {
		if cur == nil || len(cur.Attributes) == 0 {
			cur = nil
			return true
		}
		err := c.add(*cur)
		cur = nil
		return err == nil
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "Results for FeatureType '"):
			if !flush() {
				return
			}
			name := strings.TrimPrefix(t, "Results for FeatureType '")
			if i := strings.LastIndexByte(name, '\''); i >= 0 {
				name = name[:i]
			}
			if layer = c.matchLayer(name); layer == "" {
				layer = name[strings.LastIndexByte(name, '/')+1:]
			}
		case len(t) >= 4 && strings.Trim(t, "-") == "":
			if !flush() {
				return
			}
		default:
			name, value, ok := textAttr(line)
			if !ok {
				continue
			}
			value = strings.TrimSpace(value)
			if strings.HasPrefix(value, "[GEOMETRY (") {
				continue
			}
			if cur == nil {
				cur = &InfoFeature{Layer: layer}
			}
			addAttr(cur, name, value)
		}
	}
	flush()
}

// ---- HTML ----

// looksLikeHTML reports whether a body starting with "<" is HTML.
func looksLikeHTML(head []byte) bool {
	n := min(len(head), 64)
	h := strings.ToLower(string(head[:n]))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<table", "<div", "<p>", "<meta", "<style", "<script", "<h1", "<h2", "<br", "<span"} {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}

// xmlLike reports whether a body starting with "<" opens with an XML
// declaration.
func xmlLike(head []byte) bool {
	return bytes.HasPrefix(head, []byte("<?xml"))
}

// htmlBlocks are the elements that start a new line of text.
var htmlBlocks = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true, "br": true,
	"caption": true, "dd": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "header": true, "hr": true, "html": true,
	"li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true, "section": true,
	"table": true, "tbody": true, "tfoot": true, "thead": true, "tr": true, "ul": true,
}

// htmlSkipped are the elements whose content is not readable text.
var htmlSkipped = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true, "noscript": true}

// htmlText reduces HTML to its readable text: tags, comments, scripts and
// styles removed, entities decoded, white space collapsed, one line per
// block element or table row, table cells separated by " | ".
func htmlText(s string) string {
	lower := asciiLower(s)
	var lines []string
	var line strings.Builder
	cells := 0
	var unclosed map[string]bool // skipped elements known to have no end tag further on
	flush := func() {
		if l := strings.Join(strings.Fields(line.String()), " "); l != "" {
			lines = append(lines, l)
		}
		line.Reset()
		cells = 0
	}
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			line.WriteString(html.UnescapeString(s[i : i+j]))
			line.WriteByte(' ')
			i += j
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				i = len(s)
			} else {
				i += 4 + end + 3
			}
			continue
		case len(rest) > 1 && (rest[1] == '!' || rest[1] == '?'):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				i = len(s)
			} else {
				i += end + 1
			}
			continue
		}
		j := i + 1
		closing := j < len(s) && s[j] == '/'
		if closing {
			j++
		}
		k := j
		for k < len(s) && isASCIIAlnum(s[k]) {
			k++
		}
		if k == j {
			line.WriteByte('<') // a lone "<" is text
			i++
			continue
		}
		name := lower[j:k]
		end := tagEnd(s, k)
		i = end
		switch {
		case !closing && htmlSkipped[name]:
			// Skip to the matching end tag; a head without one keeps its
			// content, scripts and styles without one run to the end.
			closeAt := -1
			if !unclosed[name] {
				closeAt = strings.Index(lower[i:], "</"+name)
			}
			if closeAt < 0 {
				if unclosed == nil {
					unclosed = map[string]bool{}
				}
				unclosed[name] = true
			}
			switch {
			case closeAt >= 0:
				i = tagEnd(s, i+closeAt+2+len(name))
			case name != "head":
				i = len(s)
			}
		case name == "td" || name == "th":
			if !closing {
				if cells > 0 {
					line.WriteString(" | ")
				}
				cells++
			}
		case htmlBlocks[name]:
			flush()
		}
	}
	flush()
	return strings.Join(lines, "\n")
}

// tagEnd returns the index after the ">" closing the tag whose name ends
// at k, quotes respected, or len(s).
func tagEnd(s string, k int) int {
	var quote byte
	for ; k < len(s); k++ {
		switch c := s[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1
		}
	}
	return len(s)
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// asciiLower lower-cases ASCII letters only, so that indexes into the
// result are indexes into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

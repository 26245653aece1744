package wms

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"mapvault/layers"
)

// GetFeatureInfo: choosing an INFO_FORMAT, building the request and reading
// the answer. Pure functions: callers fetch.

// Bounds of ParseFeatureInfo.
const (
	// MaxInfoSize is the largest GetFeatureInfo body ParseFeatureInfo reads.
	MaxInfoSize = 4 << 20

	// MaxInfoFeatures is the most features ParseFeatureInfo returns; the
	// rest of a longer answer is dropped.
	MaxInfoFeatures = 1000

	// MaxInfoAttributes is the most attributes kept per feature; the rest
	// are dropped.
	MaxInfoAttributes = 500

	// MaxInfoDepth is the deepest element nesting accepted in an XML
	// answer (the root is at depth 1).
	MaxInfoDepth = 64

	// DefaultFeatureCount is the FEATURE_COUNT sent when InfoRequest
	// leaves it zero.
	DefaultFeatureCount = 10

	// maxInfoErrorText bounds the server text an InfoError carries.
	maxInfoErrorText = 200
)

// Errors of GetFeatureInfo.
var (
	// ErrBadInfoRequest is returned by InfoRequest.RequestURL for a request
	// that cannot be sent; the wrapping error says why.
	ErrBadInfoRequest = errors.New("wms: bad GetFeatureInfo request")

	// ErrInfoTooLarge is returned for a body larger than MaxInfoSize.
	ErrInfoTooLarge = errors.New("wms: GetFeatureInfo answer larger than 4 MiB")

	// ErrInfoTooDeep is returned for XML nested deeper than MaxInfoDepth.
	ErrInfoTooDeep = errors.New("wms: GetFeatureInfo answer nested too deeply")

	// ErrMalformedInfo wraps the syntax error of an answer that claims to
	// be XML or JSON and is not well-formed.
	ErrMalformedInfo = errors.New("wms: malformed GetFeatureInfo answer")
)

// InfoError is an OGC exception report a server answered to GetFeatureInfo.
// Code and Message are the server's, cleaned: control characters replaced,
// white space collapsed, at most 200 characters together. It unwraps to a
// *layers.ServiceException with the same values.
type InfoError struct {
	Code    string
	Message string
}

func (e *InfoError) Error() string {
	s := "wms: GetFeatureInfo service exception"
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the exception as a *layers.ServiceException, so that
// callers handling every kind's exceptions alike find it with errors.As.
func (e *InfoError) Unwrap() error {
	return &layers.ServiceException{Code: e.Code, Message: e.Message}
}

// newInfoError cleans an exception report's code and message.
func newInfoError(code, msg string) *InfoError {
	code = cleanServerText(code, 64)
	msg = cleanServerText(msg, maxInfoErrorText-utf8.RuneCountInString(code))
	if msg == "" {
		msg = "service exception"
	}
	return &InfoError{Code: code, Message: msg}
}

// cleanServerText replaces control characters (and invalid UTF-8) by
// spaces, collapses white space and keeps at most limit characters.
func cleanServerText(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.In(r, unicode.Cf) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	s = strings.Join(strings.Fields(s), " ")
	if limit < 0 {
		limit = 0
	}
	if utf8.RuneCountInString(s) > limit {
		r := []rune(s)[:limit]
		s = strings.TrimSpace(string(r))
	}
	return s
}

// mediaType splits a Content-Type or format string into its lower-case
// media type and its parameters (lower-case names, trimmed values without
// quotes).
func mediaType(s string) (string, map[string]string) {
	parts := strings.Split(s, ";")
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	var params map[string]string
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if params == nil {
			params = map[string]string{}
		}
		params[strings.ToLower(strings.TrimSpace(k))] = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
	}
	return mt, params
}

// infoFamilies are the INFO_FORMAT families PickInfoFormat knows, best
// first. Each matches a media type (lower case, parameters parsed).
var infoFamilies = []func(mt string, params map[string]string) bool{
	exactType("application/json"),
	exactType("application/geo+json"),
	exactType("application/geojson"),
	exactType("application/vnd.geo+json"),
	exactType("application/vnd.ogc.gml/3.1.1"),
	exactType("application/vnd.ogc.gml"),
	func(mt string, params map[string]string) bool {
		return (mt == "text/xml" || mt == "application/xml") && strings.HasPrefix(params["subtype"], "gml/3")
	},
	func(mt string, params map[string]string) bool {
		return mt == "application/gml+xml" || strings.HasPrefix(mt, "application/vnd.ogc.gml/") ||
			((mt == "text/xml" || mt == "application/xml") && strings.HasPrefix(params["subtype"], "gml"))
	},
	func(mt string, params map[string]string) bool {
		return mt == "text/xml" && params["subtype"] == ""
	},
	func(mt string, params map[string]string) bool {
		return mt == "application/xml" && params["subtype"] == ""
	},
	exactType("application/vnd.esri.wms_featureinfo_xml"),
	exactType("text/plain"),
	exactType("text/html"),
}

func exactType(want string) func(string, map[string]string) bool {
	return func(mt string, _ map[string]string) bool { return mt == want }
}

// PickInfoFormat chooses the INFO_FORMAT to ask for among the formats a
// server offers (Capabilities.FeatureInfoFormats), by mapvault's
// preference: GeoJSON (application/json, application/geo+json,
// application/geojson, application/vnd.geo+json), then GML
// (application/vnd.ogc.gml/3.1.1, application/vnd.ogc.gml,
// text/xml; subtype=gml/3.1.1, application/gml+xml, ...), then text/xml,
// application/xml, application/vnd.esri.wms_featureinfo_xml, text/plain and
// text/html. Media types match case-insensitively, parameters ignored
// except a GML subtype; the server's exact string is returned. "" when none
// is usable: callers then ask for text/plain.
func PickInfoFormat(formats []string) string {
	type parsed struct {
		mt     string
		params map[string]string
	}
	ps := make([]parsed, len(formats))
	for i, f := range formats {
		ps[i].mt, ps[i].params = mediaType(f)
	}
	for _, family := range infoFamilies {
		for i, p := range ps {
			if family(p.mt, p.params) {
				return strings.TrimSpace(formats[i])
			}
		}
	}
	return ""
}

// InfoRequest is what a GetFeatureInfo request is made of. It never
// carries a secret.
type InfoRequest struct {
	// URL is the GetFeatureInfo (or GetMap) base URL; it may have a query,
	// whose vendor parameters (such as map=...) are kept as GetMapURL keeps
	// them.
	URL         string
	Version     string   // "1.3.0" (default when empty) or "1.1.1"
	Layers      []string // LAYERS; QueryLayers when empty
	Styles      []string // one per layer; missing entries mean the default style
	QueryLayers []string // QUERY_LAYERS, at least one
	CRS         string   // "EPSG:4326" or "EPSG:3857" (default when empty)

	// The extent of the map clicked, in CRS units, x = easting or
	// longitude: RequestURL applies the version's axis order.
	MinX, MinY, MaxX, MaxY float64

	Width, Height int // the map's size in pixels
	I, J          int // the pixel clicked, from the top left corner

	InfoFormat   string // INFO_FORMAT; "text/plain" when empty
	FeatureCount int    // FEATURE_COUNT; DefaultFeatureCount when zero

	// Dimensions as in Params: the map's TIME, ELEVATION and DIM_ values,
	// so that the features answered are those of the map shown.
	Dimensions map[string]string
}

// infoParams are the parameters RequestURL owns: a base URL's own values
// for them are dropped (case-insensitively) and replaced.
var infoParams = map[string]bool{
	"SERVICE": true, "REQUEST": true, "VERSION": true, "LAYERS": true, "STYLES": true,
	"FORMAT": true, "TRANSPARENT": true, "WIDTH": true, "HEIGHT": true,
	"CRS": true, "SRS": true, "BBOX": true, "EXCEPTIONS": true,
	"QUERY_LAYERS": true, "INFO_FORMAT": true, "FEATURE_COUNT": true,
	"I": true, "J": true, "X": true, "Y": true,
}

// RequestURL returns the GetFeatureInfo request. WMS 1.3.0 sends CRS, I and
// J, and the BBOX in lat/lon order for EPSG:4326 (as GetMapURL does);
// 1.1.1 sends SRS, X and Y and the BBOX in lon/lat order. Vendor parameters
// of r.URL are kept, sorted by name, and the WMS parameters follow in a
// fixed order. The error wraps ErrBadInfoRequest.
//
// (The method cannot be called URL: that is the base URL field's name.)
func (r InfoRequest) RequestURL() (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: %s", ErrBadInfoRequest, why)
	}
	version := strings.TrimSpace(r.Version)
	switch version {
	case "":
		version = DefaultVersion
	case "1.3.0", "1.1.1", "1.1.0":
	default:
		return bad("unsupported version " + strconv.Quote(version))
	}
	v13 := strings.HasPrefix(version, "1.3")
	crs := strings.TrimSpace(r.CRS)
	if crs == "" {
		crs = "EPSG:3857"
	}
	if len(r.QueryLayers) == 0 {
		return bad("no query layer")
	}
	layerNames := r.Layers
	if len(layerNames) == 0 {
		layerNames = r.QueryLayers
	}
	for _, v := range [4]float64{r.MinX, r.MinY, r.MaxX, r.MaxY} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("bounding box is not finite")
		}
	}
	if r.MinX >= r.MaxX || r.MinY >= r.MaxY {
		return bad("empty bounding box")
	}
	if r.Width <= 0 || r.Height <= 0 {
		return bad("map size is not positive")
	}
	if r.I < 0 || r.J < 0 || r.I >= r.Width || r.J >= r.Height {
		return bad("clicked pixel is outside the map")
	}
	format := strings.TrimSpace(r.InfoFormat)
	if format == "" {
		format = "text/plain"
	}
	count := r.FeatureCount
	if count <= 0 {
		count = DefaultFeatureCount
	}

	var b strings.Builder
	dims := dimensionParams(r.Dimensions)
	if err := writeRequestBase(&b, r.URL, ownedWithDimensions(infoParams, dims)); err != nil {
		return bad("URL is not an absolute http(s) URL")
	}
	list := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = escapeValue(n)
		}
		return strings.Join(out, ",")
	}
	b.WriteString("SERVICE=WMS&VERSION=" + escapeValue(version) + "&REQUEST=GetFeatureInfo")
	b.WriteString("&LAYERS=" + list(layerNames))
	b.WriteString("&STYLES=" + list(stylesFor(r.Styles, len(layerNames))))
	if v13 {
		b.WriteString("&CRS=")
	} else {
		b.WriteString("&SRS=")
	}
	b.WriteString(escapeValue(crs))
	b.WriteString("&BBOX=")
	b.Write(appendBBox(nil, bboxLatLon(version, crs), r.MinX, r.MinY, r.MaxX, r.MaxY))
	b.WriteString("&WIDTH=" + strconv.Itoa(r.Width) + "&HEIGHT=" + strconv.Itoa(r.Height))
	b.WriteString("&FORMAT=" + DefaultFormat)
	writeDimensions(&b, dims)
	b.WriteString("&QUERY_LAYERS=" + list(r.QueryLayers))
	b.WriteString("&INFO_FORMAT=" + escapeValue(format))
	b.WriteString("&FEATURE_COUNT=" + strconv.Itoa(count))
	if v13 {
		b.WriteString("&I=" + strconv.Itoa(r.I) + "&J=" + strconv.Itoa(r.J) + "&EXCEPTIONS=XML")
	} else {
		b.WriteString("&X=" + strconv.Itoa(r.I) + "&Y=" + strconv.Itoa(r.J) + "&EXCEPTIONS=application/vnd.ogc.se_xml")
	}
	return b.String(), nil
}

// InfoFeature is one feature of a GetFeatureInfo answer.
type InfoFeature struct {
	Layer      string // the layer it belongs to; "" when the answer does not say
	ID         string // the feature id, "" when the answer has none
	Attributes []Attribute
}

// Attribute is one attribute of a feature, in the order the server wrote
// them. Value is what the server gave: from JSON a string, json.Number,
// bool, nil, or for an object or array a json.RawMessage of its compact
// text; from XML or text formats a string.
type Attribute struct {
	Name  string
	Value any
}

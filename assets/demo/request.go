package demo

import (
	"fmt"
	"image/color"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// The WMS versions the demo server speaks.
const (
	version111 = "1.1.1"
	version130 = "1.3.0"
)

// maxSize is the largest WIDTH and HEIGHT a GetMap may ask for.
const maxSize = 4096

// BBOX limits: coordinates beyond maxCoord and boxes narrower than minSpan
// are refused, which keeps every pixel computation finite.
const (
	maxCoord = 1e9
	minSpan  = 1e-9
)

// params is a WMS query with case-insensitive parameter names (the names are
// upper-cased; values are kept as sent). The first of repeated names wins.
type params map[string]string

func paramsOf(q url.Values) params {
	p := make(params, len(q))
	for k, vs := range q {
		k = strings.ToUpper(k)
		if _, seen := p[k]; seen || len(vs) == 0 {
			continue
		}
		p[k] = vs[0]
	}
	return p
}

func (p params) has(k string) bool { _, ok := p[k]; return ok }

// negotiate picks the version of a GetCapabilities answer (WMS 1.3.0 §6.2.4):
// none or newer than 1.3.0 -> 1.3.0, between -> 1.1.1, older -> 1.1.1 (the
// oldest this server speaks).
func negotiate(requested string) string {
	if requested == "" {
		return version130
	}
	if compareVersions(requested, version130) >= 0 {
		return version130
	}
	return version111
}

// compareVersions compares dotted version numbers; junk parts count as 0.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// crsKind is a coordinate reference system the server draws in.
type crsKind int

const (
	crsMercator crsKind = iota // EPSG:3857
	crsLonLat                  // CRS:84, and EPSG:4326 in WMS 1.1.1
	crsLatLon                  // EPSG:4326 in WMS 1.3.0 (axis order lat, lon)
)

// supportedCRS lists the CRS names advertised, in order.
func supportedCRS() []string { return []string{"EPSG:3857", "EPSG:4326", "CRS:84"} }

func crsOf(name, version string) (crsKind, bool) {
	switch strings.ToUpper(name) {
	case "EPSG:3857":
		return crsMercator, true
	case "CRS:84":
		return crsLonLat, true
	case "EPSG:4326":
		if version == version130 {
			return crsLatLon, true
		}
		return crsLonLat, true
	}
	return 0, false
}

// mapRequest is a validated GetMap request.
type mapRequest struct {
	version     string
	layers      []*layer
	crs         crsKind
	box         bounds // x east, y north, in metres or degrees
	width       int
	height      int
	transparent bool
	bgcolor     color.NRGBA
}

// serviceError is an OGC service exception: an optional code and a message.
type serviceError struct {
	code, msg string
}

func (e *serviceError) Error() string { return e.code + ": " + e.msg }

func errorf(code, format string, args ...any) *serviceError {
	return &serviceError{code: code, msg: fmt.Sprintf(format, args...)}
}

// parseGetMap validates a GetMap query for the endpoint.
func parseGetMap(e *endpoint, p params) (*mapRequest, *serviceError) {
	r := &mapRequest{version: p["VERSION"], bgcolor: color.NRGBA{0xff, 0xff, 0xff, 0xff}}
	crsParam := "CRS"
	switch r.version {
	case version130:
	case version111:
		crsParam = "SRS"
	case "":
		// VERSION is mandatory; be lenient and infer it from the CRS/SRS name.
		r.version = version130
		if !p.has("CRS") && p.has("SRS") {
			r.version, crsParam = version111, "SRS"
		}
	default:
		return nil, errorf("InvalidParameterValue", "VERSION %q is not supported; use 1.3.0 or 1.1.1", p["VERSION"])
	}
	crsCode := "InvalidCRS"
	if r.version == version111 {
		crsCode = "InvalidSRS"
	}

	names := p["LAYERS"]
	if names == "" {
		return nil, errorf("MissingParameterValue", "LAYERS is missing")
	}
	for _, n := range strings.Split(names, ",") {
		l := e.layer(strings.TrimSpace(n))
		if l == nil {
			return nil, errorf("LayerNotDefined", "layer %q is not served here", n)
		}
		r.layers = append(r.layers, l)
	}
	if styles := p["STYLES"]; styles != "" {
		list := strings.Split(styles, ",")
		if len(list) != len(r.layers) {
			return nil, errorf("StyleNotDefined", "STYLES has %d entries for %d layers", len(list), len(r.layers))
		}
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" && !strings.EqualFold(s, "default") {
				return nil, errorf("StyleNotDefined", "style %q is not defined", s)
			}
		}
	}

	name, ok := p[crsParam]
	if !ok || name == "" {
		return nil, errorf("MissingParameterValue", "%s is missing", crsParam)
	}
	if r.crs, ok = crsOf(name, r.version); !ok {
		return nil, errorf(crsCode, "%s %q is not supported; use %s", crsParam, name, strings.Join(supportedCRS(), ", "))
	}

	box, err := parseBBox(p["BBOX"], r.crs)
	if err != nil {
		return nil, err
	}
	r.box = box

	if r.width, err = parseSize(p, "WIDTH"); err != nil {
		return nil, err
	}
	if r.height, err = parseSize(p, "HEIGHT"); err != nil {
		return nil, err
	}
	if f := p["FORMAT"]; f == "" {
		return nil, errorf("MissingParameterValue", "FORMAT is missing")
	} else if !strings.EqualFold(strings.TrimSpace(f), "image/png") {
		return nil, errorf("InvalidFormat", "FORMAT %q is not supported; use image/png", f)
	}
	switch t := strings.ToUpper(p["TRANSPARENT"]); t {
	case "TRUE":
		r.transparent = true
	case "", "FALSE":
	default:
		return nil, errorf("InvalidParameterValue", "TRANSPARENT %q is not TRUE or FALSE", p["TRANSPARENT"])
	}
	if bg := p["BGCOLOR"]; bg != "" {
		c, ok := parseColour(bg)
		if !ok {
			return nil, errorf("InvalidParameterValue", "BGCOLOR %q is not 0xRRGGBB", bg)
		}
		r.bgcolor = c
	}
	return r, nil
}

// parseBBox reads "a,b,c,d" in the CRS's axis order and returns it as
// x east, y north.
func parseBBox(s string, crs crsKind) (bounds, *serviceError) {
	if s == "" {
		return bounds{}, errorf("MissingParameterValue", "BBOX is missing")
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return bounds{}, errorf("InvalidParameterValue", "BBOX %q needs four numbers", s)
	}
	var v [4]float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bounds{}, errorf("InvalidParameterValue", "BBOX %q is not four numbers", s)
		}
		if math.Abs(f) > maxCoord {
			return bounds{}, errorf("InvalidParameterValue", "BBOX %q is out of range", s)
		}
		v[i] = f
	}
	b := bounds{v[0], v[1], v[2], v[3]}
	if crs == crsLatLon {
		b = bounds{v[1], v[0], v[3], v[2]}
	}
	if !(b.minX < b.maxX && b.minY < b.maxY) {
		return bounds{}, errorf("InvalidParameterValue", "BBOX %q has min >= max", s)
	}
	if b.maxX-b.minX < minSpan || b.maxY-b.minY < minSpan {
		return bounds{}, errorf("InvalidParameterValue", "BBOX %q is too small", s)
	}
	return b, nil
}

func parseSize(p params, name string) (int, *serviceError) {
	s, ok := p[name]
	if !ok || s == "" {
		return 0, errorf("MissingParameterValue", "%s is missing", name)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > maxSize {
		return 0, errorf("InvalidParameterValue", "%s %q is not a whole number from 1 to %d", name, s, maxSize)
	}
	return n, nil
}

// parseColour reads a WMS BGCOLOR, 0xRRGGBB.
func parseColour(s string) (color.NRGBA, bool) {
	if len(s) != 8 || (s[:2] != "0x" && s[:2] != "0X") {
		return color.NRGBA{}, false
	}
	v, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return color.NRGBA{}, false
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}, true
}

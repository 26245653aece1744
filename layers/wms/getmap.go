package wms

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
)

// Defaults GetMap applies to a Params' empty fields.
const (
	DefaultFormat  = "image/png"
	DefaultVersion = "1.3.0"
)

// Params is what a GetMap request is made of, without the per-tile BBOX,
// WIDTH and HEIGHT. It never carries a secret.
type Params struct {
	URL         string   // GetMap base URL, clean (no secret); its vendor parameters are kept
	Version     string   // "1.3.0" (default) or "1.1.1"
	Layers      []string // LAYERS
	Styles      []string // one per layer; missing entries mean the default style
	Format      string   // "image/png" when empty
	CRS         string   // from ChooseCRS; "EPSG:3857" when empty
	Transparent bool     // TRANSPARENT=TRUE; callers set it (true is the usual choice)
	// Metatile is the side, in engine tiles, of the images Tiles asks for
	// (see DefaultMetatile): 0 for the default, 1 for one GetMap per tile.
	// GetMapURL ignores it.
	Metatile int
	// Dimensions are the values of the layer's dimensions by name ("time",
	// "elevation", others sent as DIM_<name>); part of every request and
	// so of the cache key. Empty values are not sent.
	Dimensions map[string]string
}

// normalized returns p with the defaults applied.
func (p Params) normalized() Params {
	if p.Format == "" {
		p.Format = DefaultFormat
	}
	if p.Version == "" {
		p.Version = DefaultVersion
	}
	if p.CRS == "" {
		p.CRS = "EPSG:3857"
	}
	return p
}

// stylesFor returns exactly n styles: s's entries, padded with "" (default
// style) or cut.
func stylesFor(styles []string, n int) []string {
	out := make([]string, n)
	copy(out, styles)
	return out
}

// wmsParams are the parameters GetMapURL owns: a base URL's own values for
// them are dropped (case-insensitively) and replaced. EXCEPTIONS is dropped
// and not set, so that errors come back as XML the engine can read.
var wmsParams = map[string]bool{
	"SERVICE": true, "REQUEST": true, "VERSION": true, "LAYERS": true, "STYLES": true,
	"FORMAT": true, "TRANSPARENT": true, "WIDTH": true, "HEIGHT": true,
	"CRS": true, "SRS": true, "BBOX": true, "EXCEPTIONS": true,
}

// getMapRequest is a GetMap URL without the per-tile parameters, built
// once and reused for every tile.
type getMapRequest struct {
	prefix string // everything up to and including "&" before BBOX
	latLon bool   // BBOX in lat/lon axis order (1.3.0 with EPSG:4326)
}

// GetMapURL returns the GetMap request for p, the extent bbox and an image
// of w x h pixels. bbox is in p's CRS with x = easting or longitude;
// GetMapURL applies the version's axis order (WMS 1.3.0 with EPSG:4326
// sends lat/lon). Vendor parameters of p.URL (such as map=...) are kept,
// sorted by name; WMS parameters are replaced and written in a fixed order,
// so identical requests give identical strings. It returns "" when p.URL is
// not an absolute http(s) URL.
func GetMapURL(p Params, bbox *geom.Bounds, w, h int) string {
	r, err := newGetMapRequest(p)
	if err != nil {
		return ""
	}
	return r.url(bbox, w, h)
}

func newGetMapRequest(s Params) (getMapRequest, error) {
	s = s.normalized()
	var b strings.Builder
	dims := dimensionParams(s.Dimensions)
	if err := writeRequestBase(&b, s.URL, ownedWithDimensions(wmsParams, dims)); err != nil {
		return getMapRequest{}, ErrBadGetMapURL
	}
	v13 := strings.HasPrefix(s.Version, "1.3")
	names := make([]string, len(s.Layers))
	for i, n := range s.Layers {
		names[i] = escapeValue(n)
	}
	styles := stylesFor(s.Styles, len(s.Layers))
	for i, st := range styles {
		styles[i] = escapeValue(st)
	}
	b.WriteString("SERVICE=WMS&VERSION=" + escapeValue(s.Version) + "&REQUEST=GetMap")
	b.WriteString("&LAYERS=" + strings.Join(names, ","))
	b.WriteString("&STYLES=" + strings.Join(styles, ","))
	if v13 {
		b.WriteString("&CRS=")
	} else {
		b.WriteString("&SRS=")
	}
	b.WriteString(escapeValue(s.CRS))
	b.WriteString("&FORMAT=" + escapeValue(s.Format))
	if s.Transparent {
		b.WriteString("&TRANSPARENT=TRUE")
	} else {
		b.WriteString("&TRANSPARENT=FALSE")
	}
	writeDimensions(&b, dims)
	b.WriteByte('&')
	return getMapRequest{
		prefix: b.String(),
		latLon: bboxLatLon(s.Version, s.CRS),
	}, nil
}

// writeRequestBase writes raw, an absolute http(s) URL, to b without its
// userinfo and fragment, followed by "?" and its vendor parameters (those
// whose upper-cased name is not in owned), sorted by name, each followed
// by "&". It fails when raw is not an absolute http(s) URL.
func writeRequestBase(b *strings.Builder, raw string, owned map[string]bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrBadGetMapURL
	}
	type param struct{ key, value string }
	var vendor []param
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
		if key == "" || owned[strings.ToUpper(key)] {
			continue
		}
		vendor = append(vendor, param{key, value})
	}
	sort.SliceStable(vendor, func(i, j int) bool { return vendor[i].key < vendor[j].key })

	u.User = nil // a secret never rides in a request URL or a cache key
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.ForceQuery = false
	b.WriteString(u.String())
	b.WriteByte('?')
	for _, p := range vendor {
		b.WriteString(escapeValue(p.key))
		b.WriteByte('=')
		b.WriteString(escapeValue(p.value))
		b.WriteByte('&')
	}
	return nil
}

// bboxLatLon reports whether a request of version in crs writes its BBOX
// in lat/lon axis order: WMS 1.3.0 with EPSG:4326.
func bboxLatLon(version, crs string) bool {
	return strings.HasPrefix(version, "1.3") && strings.EqualFold(crs, "EPSG:4326")
}

// appendBBox writes the BBOX value of the extent (x = easting or
// longitude), in lat/lon order when latLon is set.
func appendBBox(b []byte, latLon bool, minX, minY, maxX, maxY float64) []byte {
	coords := [4]float64{minX, minY, maxX, maxY}
	if latLon {
		coords = [4]float64{minY, minX, maxY, maxX}
	}
	for i, c := range coords {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCoord(b, c)
	}
	return b
}

func (r getMapRequest) url(bbox *geom.Bounds, w, h int) string {
	b := make([]byte, 0, len(r.prefix)+96)
	b = append(b, r.prefix...)
	b = append(b, "BBOX="...)
	b = appendBBox(b, r.latLon, bbox.Min(0), bbox.Min(1), bbox.Max(0), bbox.Max(1))
	b = append(b, "&WIDTH="...)
	b = strconv.AppendInt(b, int64(w), 10)
	b = append(b, "&HEIGHT="...)
	b = strconv.AppendInt(b, int64(h), 10)
	return string(b)
}

// appendCoord writes v with at most 9 decimals and no trailing zeros, so that
// float noise does not make equal requests differ.
func appendCoord(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', 9, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// escapeValue query-escapes s but keeps '/' and ':' readable
// (image/png, EPSG:3857); both are allowed in a query.
func escapeValue(s string) string {
	e := url.QueryEscape(s)
	if strings.Contains(e, "%") {
		e = strings.NewReplacer("%2F", "/", "%3A", ":").Replace(e)
	}
	return e
}

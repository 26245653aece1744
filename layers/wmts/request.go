package wmts

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// kvpParams are the parameters a KVP GetTile owns: an endpoint's own values
// for them (and for the layer's dimensions) are dropped, case-insensitively,
// and replaced.
var kvpParams = map[string]bool{
	"SERVICE": true, "REQUEST": true, "VERSION": true, "LAYER": true, "STYLE": true,
	"FORMAT": true, "TILEMATRIXSET": true, "TILEMATRIX": true, "TILEROW": true, "TILECOL": true,
}

// TileSource is a layer, style, format, tile matrix set and dimension
// values checked once and ready to give a GetTile URL per tile.
type TileSource struct {
	Layer     *Layer
	MatrixSet *TileMatrixSet
	Style     string            // the style sent
	Format    string            // the format sent
	Dims      map[string]string // dimension identifier (as declared) -> value sent
	REST      bool              // RESTful ResourceURL template, else KVP

	link *TileMatrixSetLink
	segs []segment // REST: the template, static variables substituted
	kvp  string    // KVP: the URL up to "TILEMATRIX="
	tail string    // KVP: "&FORMAT=...&dims..."
}

// segment is a piece of a compiled template: literal text, or a per-tile
// variable.
type segment struct {
	lit   string
	v     tileVar
	query bool // the variable is in the query part
}

type tileVar int

const (
	varNone tileVar = iota
	varMatrix
	varRow
	varCol
)

// TileURL returns the GetTile URL of one tile; see Source for how the
// layer's encoding, style, format, set and dimensions are chosen and
// checked, and TileSource.URL for the tile.
func (c *Capabilities) TileURL(layer, style, matrixSet, matrix string, row, col int, format string, dims map[string]string) (string, error) {
	src, err := c.Source(layer, style, matrixSet, format, dims)
	if err != nil {
		return "", err
	}
	return src.URL(matrix, row, col)
}

// Source checks a layer's request parameters and prepares its GetTile URLs.
//
//   - layer: the layer identifier (ErrUnknownLayer).
//   - style: "" means the layer's default style (or "default" when the
//     layer lists none); another style must be listed (ErrUnknownStyle),
//     unless the layer lists none.
//   - matrixSet: "" means the layer's first link; otherwise the layer must
//     link to it (ErrUnknownMatrixSet).
//   - format: "" means the format of the layer's first tile ResourceURL,
//     else its first Format. The encoding is RESTful when the layer has a
//     tile ResourceURL for the format (compared case-insensitively), else
//     KVP when the layer lists the format (ErrUnknownFormat when it does
//     not) and there is a KVP endpoint (Capabilities.KVPEndpoint,
//     ErrNoEndpoint when there is none).
//   - dims: values by dimension identifier, matched case-insensitively
//     (ErrUnknownDimension for a name the layer does not declare). A
//     dimension without a value, or with "", gets its Default, else its
//     first Value (ErrMissingDimension when it has neither).
//
// RESTful templates: the variables {TileMatrixSet}, {TileMatrix},
// {TileRow}, {TileCol}, {Style} and {<dimension identifier>} are replaced,
// names compared case-insensitively, values path-escaped (query-escaped
// after a '?'); any other variable is ErrBadTemplate. A relative template
// is resolved against Capabilities.BaseURL.
//
// KVP: the endpoint's vendor query parameters are kept (sorted by name),
// the WMTS ones replaced, then SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&
// LAYER&STYLE&TILEMATRIXSET&TILEMATRIX&TILEROW&TILECOL&FORMAT and the
// dimensions by identifier, sorted. Identical tiles give identical
// strings.
//
// User information in a URL (user:password@) is dropped: a secret never
// rides in a tile URL; credentials are the caller's HTTP client's business.
// Errors never contain a URL.
func (c *Capabilities) Source(layer, style, matrixSet, format string, dims map[string]string) (*TileSource, error) {
	l := c.Layer(layer)
	if l == nil {
		return nil, fmt.Errorf("%w %s", ErrUnknownLayer, quote(layer))
	}
	src := &TileSource{Layer: l}

	if matrixSet == "" && len(l.MatrixSetLinks) > 0 {
		matrixSet = l.MatrixSetLinks[0].MatrixSet
	}
	src.link = l.Link(matrixSet)
	src.MatrixSet = c.MatrixSet(matrixSet)
	if src.link == nil || src.MatrixSet == nil {
		return nil, fmt.Errorf("%w %s (layer %s)", ErrUnknownMatrixSet, quote(matrixSet), quote(layer))
	}

	switch {
	case style == "":
		style = l.DefaultStyle()
		if style == "" {
			style = "default"
		}
	case len(l.Styles) > 0 && !hasStyle(l.Styles, style):
		return nil, fmt.Errorf("%w %s (layer %s)", ErrUnknownStyle, quote(style), quote(layer))
	}
	src.Style = style

	names := make([]string, 0, len(dims))
	for k := range dims {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if l.Dimension(k) == nil {
			return nil, fmt.Errorf("%w %s (layer %s)", ErrUnknownDimension, quote(k), quote(layer))
		}
	}
	src.Dims = make(map[string]string, len(l.Dimensions))
	for _, d := range l.Dimensions {
		v := ""
		for _, k := range names {
			if strings.EqualFold(k, d.Identifier) && dims[k] != "" {
				v = dims[k]
				break
			}
		}
		if v == "" {
			v = d.Default
		}
		if v == "" && len(d.Values) > 0 {
			v = d.Values[0]
		}
		if v == "" {
			return nil, fmt.Errorf("%w: %s (layer %s)", ErrMissingDimension, quote(d.Identifier), quote(layer))
		}
		src.Dims[d.Identifier] = v
	}

	if format == "" {
		for _, r := range l.ResourceURLs {
			if strings.EqualFold(r.ResourceType, "tile") {
				format = r.Format
				break
			}
		}
		if format == "" && len(l.Formats) > 0 {
			format = l.Formats[0]
		}
	}
	if r := l.TileTemplate(format); r != nil {
		src.Format, src.REST = r.Format, true
		segs, err := compileTemplate(resolveRef(r.Template, c.BaseURL), src)
		if err != nil {
			return nil, fmt.Errorf("%w (layer %s, format %s): %s", ErrBadTemplate, quote(layer), quote(format), err)
		}
		src.segs = segs
		return src, nil
	}
	declared := ""
	for _, f := range l.Formats {
		if strings.EqualFold(f, format) {
			declared = f
			break
		}
	}
	if declared == "" {
		return nil, fmt.Errorf("%w %s (layer %s)", ErrUnknownFormat, quote(format), quote(layer))
	}
	src.Format = declared
	endpoint := c.KVPEndpoint()
	if endpoint == "" {
		return nil, fmt.Errorf("%w (layer %s, format %s: no tile ResourceURL, no KVP GetTile)", ErrNoEndpoint, quote(layer), quote(format))
	}
	if err := src.compileKVP(endpoint); err != nil {
		return nil, err
	}
	return src, nil
}

// BestMatrix is TileMatrixSet.BestMatrix among the matrices the layer has
// tiles in (TileMatrixSetLink.HasMatrix).
func (t *TileSource) BestMatrix(pixelSize float64) int {
	return t.MatrixSet.bestMatrix(pixelSize, func(i int) bool { return t.link.HasMatrix(t.MatrixSet.Matrices[i].Identifier) })
}

// TileRange is TileMatrixSet.TileRange clipped to the layer's limits; ok is
// false when the layer has no tile of matrix i in b.
func (t *TileSource) TileRange(i int, b BBox) (TileRange, bool) {
	id := t.MatrixSet.Matrices[i].Identifier
	if !t.link.HasMatrix(id) {
		return TileRange{}, false
	}
	return t.MatrixSet.TileRange(i, b, t.link.LimitsFor(id))
}

// URL returns the GetTile URL of tile (col, row) of the named matrix. The
// tile must lie in the matrix and the layer must have it: the link's
// limits, when it states any, must include the matrix and the tile
// (ErrOutOfRange).
func (t *TileSource) URL(matrix string, row, col int) (string, error) {
	i := t.MatrixSet.Matrix(matrix)
	if i < 0 {
		return "", fmt.Errorf("%w %s (set %s)", ErrUnknownMatrix, quote(matrix), quote(t.MatrixSet.Identifier))
	}
	m := &t.MatrixSet.Matrices[i]
	lim := t.link.LimitsFor(matrix)
	if row < 0 || col < 0 || row >= m.MatrixHeight || col >= m.MatrixWidth || !t.link.HasMatrix(matrix) ||
		lim != nil && (row < lim.MinRow || row > lim.MaxRow || col < lim.MinCol || col > lim.MaxCol) {
		return "", fmt.Errorf("%w: matrix %s row %d col %d", ErrOutOfRange, quote(matrix), row, col)
	}
	rs, cs := strconv.Itoa(row), strconv.Itoa(col)
	if !t.REST {
		return t.kvp + queryEscape(matrix) + "&TILEROW=" + rs + "&TILECOL=" + cs + t.tail, nil
	}
	var b strings.Builder
	for _, s := range t.segs {
		switch s.v {
		case varNone:
			b.WriteString(s.lit)
		case varMatrix:
			if s.query {
				b.WriteString(queryEscape(matrix))
			} else {
				b.WriteString(url.PathEscape(matrix))
			}
		case varRow:
			b.WriteString(rs)
		case varCol:
			b.WriteString(cs)
		}
	}
	return b.String(), nil
}

// ZoomURL returns the URL of XYZ tile z/x/y for a source whose set is
// Web-Mercator aligned (TileMatrixSet.IsWebMercator): the matrix of zoom z,
// column x, row y. ErrUnknownMatrix when the set has no level z.
func (t *TileSource) ZoomURL(z, x, y int) (string, error) {
	i := t.MatrixSet.MatrixForZoom(z)
	if i < 0 {
		return "", fmt.Errorf("%w: no Web Mercator zoom %d (set %s)", ErrUnknownMatrix, z, quote(t.MatrixSet.Identifier))
	}
	return t.URL(t.MatrixSet.Matrices[i].Identifier, y, x)
}

func (t *TileSource) compileKVP(endpoint string) error {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrBadURL
	}
	dimNames := map[string]bool{}
	for id := range t.Dims {
		dimNames[strings.ToUpper(id)] = true
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
		if up := strings.ToUpper(key); key == "" || kvpParams[up] || dimNames[up] {
			continue
		}
		vendor = append(vendor, param{key, value})
	}
	sort.SliceStable(vendor, func(i, j int) bool { return vendor[i].key < vendor[j].key })
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.ForceQuery = false
	var b strings.Builder
	b.WriteString(u.String())
	b.WriteByte('?')
	for _, p := range vendor {
		b.WriteString(queryEscape(p.key) + "=" + queryEscape(p.value) + "&")
	}
	b.WriteString("SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0")
	b.WriteString("&LAYER=" + queryEscape(t.Layer.Identifier))
	b.WriteString("&STYLE=" + queryEscape(t.Style))
	b.WriteString("&TILEMATRIXSET=" + queryEscape(t.MatrixSet.Identifier))
	b.WriteString("&TILEMATRIX=")
	t.kvp = b.String()

	b.Reset()
	b.WriteString("&FORMAT=" + queryEscape(t.Format))
	ids := make([]string, 0, len(t.Dims))
	for id := range t.Dims {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.WriteString("&" + queryEscape(id) + "=" + queryEscape(t.Dims[id]))
	}
	t.tail = b.String()
	return nil
}

// compileTemplate splits a RESTful template into literal text and per-tile
// variables, substituting the static ones (set, style, dimensions), and
// checks that it is an absolute http(s) URL without a variable in its
// authority. User information is dropped.
func compileTemplate(tmpl string, t *TileSource) ([]segment, error) {
	lower := strings.ToLower(tmpl)
	var scheme string
	switch {
	case strings.HasPrefix(lower, "https://"):
		scheme = "https://"
	case strings.HasPrefix(lower, "http://"):
		scheme = "http://"
	default:
		return nil, fmt.Errorf("not an absolute http(s) URL")
	}
	rest := tmpl[len(scheme):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	if authority == "" || strings.ContainsAny(authority, "{}") {
		return nil, fmt.Errorf("no host, or a variable in the host")
	}
	tmpl = tmpl[:len(scheme)] + authority + rest[end:]

	static := map[string]string{
		"tilematrixset": t.MatrixSet.Identifier,
		"style":         t.Style,
	}
	for id, v := range t.Dims {
		if k := strings.ToLower(id); static[k] == "" && k != "tilematrix" && k != "tilerow" && k != "tilecol" {
			static[k] = v
		}
	}
	var segs []segment
	var lit strings.Builder
	query := false
	for s := tmpl; s != ""; {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			lit.WriteString(s)
			break
		}
		closing := strings.IndexByte(s[open:], '}')
		if closing < 0 {
			return nil, fmt.Errorf("unclosed {")
		}
		before := s[:open]
		if strings.ContainsRune(before, '?') {
			query = true
		}
		lit.WriteString(before)
		name := strings.ToLower(strings.TrimSpace(s[open+1 : open+closing]))
		s = s[open+closing+1:]
		v := varNone
		switch name {
		case "tilematrix":
			v = varMatrix
		case "tilerow":
			v = varRow
		case "tilecol":
			v = varCol
		default:
			val, ok := static[name]
			if !ok {
				return nil, fmt.Errorf("unknown variable %s", quote("{"+name+"}"))
			}
			if query {
				lit.WriteString(queryEscape(val))
			} else {
				lit.WriteString(url.PathEscape(val))
			}
			continue
		}
		if lit.Len() > 0 {
			segs = append(segs, segment{lit: lit.String()})
			lit.Reset()
		}
		segs = append(segs, segment{v: v, query: query})
	}
	if lit.Len() > 0 {
		segs = append(segs, segment{lit: lit.String()})
	}
	return segs, nil
}

// resolveRef resolves a relative template against base, as text (a
// template is not a URL until its variables are replaced). An absolute
// template, or an empty or unusable base, leaves it as it is.
func resolveRef(ref, base string) string {
	lower := strings.ToLower(ref)
	if base == "" || strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return ref
	}
	b, err := url.Parse(strings.TrimSpace(base))
	if err != nil || b.Scheme == "" || b.Host == "" {
		return ref
	}
	origin := b.Scheme + "://" + b.Host
	switch {
	case strings.HasPrefix(ref, "//"):
		return b.Scheme + ":" + ref
	case strings.HasPrefix(ref, "/"):
		return origin + ref
	}
	dir := b.EscapedPath()
	dir = dir[:strings.LastIndexByte(dir, '/')+1]
	if dir == "" {
		dir = "/"
	}
	return origin + dir + ref
}

// queryEscape query-escapes s but keeps '/' and ':' readable (image/png,
// EPSG:3857); both are allowed in a query.
func queryEscape(s string) string {
	e := url.QueryEscape(s)
	if strings.Contains(e, "%") {
		e = strings.NewReplacer("%2F", "/", "%3A", ":").Replace(e)
	}
	return e
}

package project

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
)

// Marshal returns the project file: indented JSON with the known fields in a
// fixed order, unknown fields after them sorted by key, and a trailing
// newline. It refuses (ErrInvalid, ErrSecretInSource) a project that Parse
// would not read back or that would put a secret into the file.
func (p *Project) Marshal() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := &writer{buf: &b}
	w.open('{')
	w.key("format")
	w.str(Format)
	w.key("version")
	fmt.Fprintf(&b, "%d", Version)
	w.key("title")
	w.str(p.Title)
	w.key("view")
	w.view(p.View)
	w.key("layers")
	w.open('[')
	for _, l := range p.Layers {
		w.item()
		w.layer(l)
	}
	w.close(']')
	if len(p.Bookmarks) > 0 {
		w.key("bookmarks")
		w.open('[')
		for _, bm := range p.Bookmarks {
			w.item()
			w.bookmark(bm)
		}
		w.close(']')
	}
	w.groups(p.Groups)
	w.extras(p.extras)
	w.close('}')
	b.WriteByte('\n')
	if w.err != nil {
		return nil, w.err
	}
	return b.Bytes(), nil
}

// Validate reports why the project cannot be written: an empty or duplicate
// layer id, an opacity outside [0, 1], a WMS layer whose styles do not match
// its layers, XYZ zooms, tile size or subdomains out of range, a style
// value Parse would refuse, a view that is not finite, or a password in a
// layer source.
func (p *Project) Validate() error {
	v := p.View
	if !finite(v.Lon) || !finite(v.Lat) || !finite(v.Zoom) {
		return fmt.Errorf("%w: view centre and zoom must be finite numbers", ErrInvalid)
	}
	if v.Lat < -90 || v.Lat > 90 {
		return fmt.Errorf("%w: view latitude %v is outside [-90, 90]", ErrInvalid, v.Lat)
	}
	if v.Zoom < 0 {
		return fmt.Errorf("%w: view zoom %v is negative", ErrInvalid, v.Zoom)
	}
	for i, b := range p.Bookmarks {
		if !finite(b.Lon) || !finite(b.Lat) || !finite(b.Zoom) || b.Lat < -90 || b.Lat > 90 || b.Zoom < 0 {
			return fmt.Errorf("%w: bookmark %d (%q): centre or zoom out of range", ErrInvalid, i, b.Name)
		}
	}
	if err := p.validateGroups(); err != nil {
		return err
	}
	ids := make(map[string]bool, len(p.Layers))
	for i, l := range p.Layers {
		if l.ID == "" {
			return fmt.Errorf("%w: layer %d (%q) has no id", ErrInvalid, i, l.Name)
		}
		if ids[l.ID] {
			return fmt.Errorf("%w: duplicate layer id %q", ErrInvalid, l.ID)
		}
		ids[l.ID] = true
		if !finite(l.Opacity) || l.Opacity < 0 || l.Opacity > 1 {
			return fmt.Errorf("%w: layer %q: opacity %v is outside [0, 1]", ErrInvalid, l.ID, l.Opacity)
		}
		if (l.Kind == KindWMS || l.Kind == "") && len(l.WMS.Styles) > 0 && len(l.WMS.Styles) != len(l.WMS.Layers) {
			return fmt.Errorf("%w: layer %q: %d styles for %d WMS layers", ErrInvalid, l.ID, len(l.WMS.Styles), len(l.WMS.Layers))
		}
		if err := validateWMSDimensions(l.WMS.Dimensions); err != nil {
			return fmt.Errorf("%w: layer %q: wms: %v", ErrInvalid, l.ID, err)
		}
		if err := l.XYZ.validate(); err != nil {
			return fmt.Errorf("%w: layer %q: xyz: %v", ErrInvalid, l.ID, err)
		}
		for k := range l.WMTS.Dimensions {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("%w: layer %q: wmts: a dimension with an empty name", ErrInvalid, l.ID)
			}
		}
		if err := l.Style.validate(); err != nil {
			return fmt.Errorf("%w: layer %q: style: %v", ErrInvalid, l.ID, err)
		}
		if hasPassword(l.Source) {
			// Name the layer, never the URL: it holds the secret.
			return fmt.Errorf("%w: layer %q", ErrSecretInSource, l.ID)
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func hasPassword(source string) bool {
	u, err := url.Parse(source)
	if err != nil || u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

// writer lays out the document as it goes, two-space indented like
// json.Indent. It does not run json.Indent over the result: unknown fields
// are copied as they were read, and re-indenting a deeply nested one would
// add a line and two spaces per level for every level (quadratic growth).
type writer struct {
	buf   *bytes.Buffer
	err   error
	depth int
	first bool // nothing written yet in the innermost open object or array
}

// open starts an object or array.
func (w *writer) open(c byte) {
	w.buf.WriteByte(c)
	w.depth++
	w.first = true
}

// close ends the innermost object or array; an empty one stays "{}" / "[]".
func (w *writer) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.first = false
	w.buf.WriteByte(c)
}

func (w *writer) newline() {
	w.buf.WriteByte('\n')
	for range w.depth {
		w.buf.WriteString("  ")
	}
}

// item starts the next member of an object or element of an array.
func (w *writer) item() {
	if !w.first {
		w.buf.WriteByte(',')
	}
	w.first = false
	w.newline()
}

// key starts the next member of an object.
func (w *writer) key(k string) {
	w.item()
	w.str(k)
	w.buf.WriteString(": ")
}

// str writes a JSON string without HTML escaping, so URLs keep their "&".
func (w *writer) str(s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil && w.err == nil {
		w.err = fmt.Errorf("project: marshal: %w", err)
	}
	w.buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func (w *writer) num(f float64) {
	b, err := json.Marshal(f)
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("project: marshal: %w", err)
	}
	w.buf.Write(b)
}

func (w *writer) strs(ss []string) {
	w.open('[')
	for _, s := range ss {
		w.item()
		w.str(s)
	}
	w.close(']')
}

func (w *writer) view(v View) {
	w.open('{')
	w.key("center")
	w.open('{')
	w.key("lon")
	w.num(v.Lon)
	w.key("lat")
	w.num(v.Lat)
	w.extras(v.centerExtras)
	w.close('}')
	w.key("zoom")
	w.num(v.Zoom)
	if v.CRS != "" {
		w.key("crs")
		w.str(v.CRS)
	}
	w.extras(v.extras)
	w.close('}')
}

// bookmark writes one bookmark.
func (w *writer) bookmark(b Bookmark) {
	w.open('{')
	w.key("name")
	w.str(b.Name)
	w.key("lon")
	w.num(b.Lon)
	w.key("lat")
	w.num(b.Lat)
	w.key("zoom")
	w.num(b.Zoom)
	w.extras(b.extras)
	w.close('}')
}

// layer writes one layer. The per-kind objects (wms, wmts, xyz, wfs,
// features, style) and group are left out when empty; Parse reads them back
// as empty.
func (w *writer) layer(l Layer) {
	kind := l.Kind
	if kind == "" {
		kind = KindWMS
	}
	w.open('{')
	w.key("id")
	w.str(l.ID)
	w.key("name")
	w.str(l.Name)
	w.key("kind")
	w.str(string(kind))
	w.key("source")
	w.str(l.Source)
	w.wms(l.WMS)
	w.wmts(l.WMTS)
	w.xyz(l.XYZ)
	w.wfs(l.WFS)
	w.features(l.Features)
	w.style(l.Style)
	w.key("opacity")
	w.num(l.Opacity)
	w.key("visible")
	if l.Visible {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
	if l.Group != "" {
		w.key("group")
		w.str(l.Group)
	}
	if l.Attribution != "" {
		w.key("attribution")
		w.str(l.Attribution)
	}
	w.extras(l.extras)
	w.close('}')
}

// field is one optional member of a per-kind object: left out when empty.
type field struct {
	key   string
	empty bool
	write func(w *writer)
}

// object writes `key: {fields, extras}` unless it would be empty.
func (w *writer) object(key string, extras map[string]json.RawMessage, fields ...field) {
	n := len(extras)
	for _, f := range fields {
		if !f.empty {
			n++
		}
	}
	if n == 0 {
		return
	}
	w.key(key)
	w.open('{')
	for _, f := range fields {
		if !f.empty {
			w.key(f.key)
			f.write(w)
		}
	}
	w.extras(extras)
	w.close('}')
}

func strField(k, v string) field {
	return field{key: k, empty: v == "", write: func(w *writer) { w.str(v) }}
}

func strsField(k string, v []string) field {
	return field{key: k, empty: len(v) == 0, write: func(w *writer) { w.strs(v) }}
}

func numField(k string, v float64) field {
	return field{key: k, empty: v == 0, write: func(w *writer) { w.num(v) }}
}

func (w *writer) wms(o WMS) {
	w.object("wms", o.extras, strsField("layers", o.Layers), strsField("styles", o.Styles),
		strField("format", o.Format), strField("version", o.Version), wmsDimensionsField(o.Dimensions))
}

func (w *writer) wmts(o WMTS) {
	w.object("wmts", o.extras, strField("layer", o.Layer), strField("style", o.Style),
		strField("matrix_set", o.MatrixSet), strField("format", o.Format), strMapField("dimensions", o.Dimensions))
}

// strMapField writes an object of strings, sorted by key.
func strMapField(k string, m map[string]string) field {
	return field{key: k, empty: len(m) == 0, write: func(w *writer) {
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		w.open('{')
		for _, key := range keys {
			w.key(key)
			w.str(m[key])
		}
		w.close('}')
	}}
}

func (w *writer) xyz(o XYZ) {
	w.object("xyz", o.extras, numField("min_zoom", float64(o.MinZoom)), numField("max_zoom", float64(o.MaxZoom)),
		numField("tile_size", float64(o.TileSize)), strsField("subdomains", o.Subdomains))
}

func (w *writer) wfs(o WFS) {
	w.object("wfs", o.extras, strField("type_name", o.TypeName), strField("version", o.Version))
}

func (w *writer) features(o Features) {
	w.object("features", o.extras, strField("collection", o.Collection))
}

func (w *writer) style(o Style) {
	w.object("style", o.extras, strField("fill", string(o.Fill)), strField("stroke", string(o.Stroke)),
		numField("width", o.Width), numField("opacity", o.Opacity), numField("radius", o.Radius),
		strField("attribute", o.Attribute), categoriesField(o.Categories))
}

// categoriesField writes every category, even one whose fields are all
// empty: its place in the list is data.
func categoriesField(cs []Category) field {
	return field{key: "categories", empty: len(cs) == 0, write: func(w *writer) {
		w.open('[')
		for _, c := range cs {
			w.item()
			w.open('{')
			w.key("value")
			w.str(c.Value)
			for _, f := range []field{strField("label", c.Label), strField("fill", string(c.Fill)), strField("stroke", string(c.Stroke))} {
				if !f.empty {
					w.key(f.key)
					f.write(w)
				}
			}
			w.extras(c.extras)
			w.close('}')
		}
		w.close(']')
	}}
}

// extras writes unknown fields, sorted by key, with their values exactly as
// they were read (see keepRaw).
func (w *writer) extras(m map[string]json.RawMessage) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.key(k)
		w.buf.Write(m[k])
	}
}

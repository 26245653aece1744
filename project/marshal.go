package project

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
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
	b.WriteByte('{')
	w.key("format", true)
	w.str(Format)
	w.key("version", false)
	fmt.Fprintf(&b, "%d", Version)
	w.key("title", false)
	w.str(p.Title)
	w.key("view", false)
	w.view(p.View)
	w.key("layers", false)
	b.WriteByte('[')
	for i, l := range p.Layers {
		if i > 0 {
			b.WriteByte(',')
		}
		w.layer(l)
	}
	b.WriteByte(']')
	w.extras(p.extras, false)
	b.WriteByte('}')
	if w.err != nil {
		return nil, w.err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("project: marshal: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
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
		if err := l.XYZ.validate(); err != nil {
			return fmt.Errorf("%w: layer %q: xyz: %v", ErrInvalid, l.ID, err)
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

// writer builds the compact document; json.Indent lays it out afterwards.
type writer struct {
	buf *bytes.Buffer
	err error
}

func (w *writer) key(k string, first bool) {
	if !first {
		w.buf.WriteByte(',')
	}
	w.str(k)
	w.buf.WriteByte(':')
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
	w.buf.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.str(s)
	}
	w.buf.WriteByte(']')
}

func (w *writer) view(v View) {
	w.buf.WriteByte('{')
	w.key("center", true)
	w.buf.WriteByte('{')
	w.key("lon", true)
	w.num(v.Lon)
	w.key("lat", false)
	w.num(v.Lat)
	w.extras(v.centerExtras, false)
	w.buf.WriteByte('}')
	w.key("zoom", false)
	w.num(v.Zoom)
	if v.CRS != "" {
		w.key("crs", false)
		w.str(v.CRS)
	}
	w.extras(v.extras, false)
	w.buf.WriteByte('}')
}

// layer writes one layer. Empty optional fields and per-kind objects are
// left out; Parse reads them back as empty.
func (w *writer) layer(l Layer) {
	kind := l.Kind
	if kind == "" {
		kind = KindWMS
	}
	w.buf.WriteByte('{')
	w.key("id", true)
	w.str(l.ID)
	w.key("name", false)
	w.str(l.Name)
	w.key("kind", false)
	w.str(string(kind))
	w.key("source", false)
	w.str(l.Source)
	w.wms(l.WMS)
	w.wmts(l.WMTS)
	w.xyz(l.XYZ)
	w.wfs(l.WFS)
	w.features(l.Features)
	w.style(l.Style)
	w.key("opacity", false)
	w.num(l.Opacity)
	w.key("visible", false)
	if l.Visible {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
	if l.Group != "" {
		w.key("group", false)
		w.str(l.Group)
	}
	w.extras(l.extras, false)
	w.buf.WriteByte('}')
}

// field writes one optional field of an object into w when it is not
// empty (first: it is the object's first) and reports whether it did.
type field func(w *writer, first bool) bool

// object writes `key: {fields, extras}` unless it would be empty.
func (w *writer) object(key string, extras map[string]json.RawMessage, fields ...field) {
	sub := &writer{buf: &bytes.Buffer{}}
	first := true
	for _, f := range fields {
		if f(sub, first) {
			first = false
		}
	}
	sub.extras(extras, first)
	if sub.err != nil && w.err == nil {
		w.err = sub.err
	}
	if sub.buf.Len() == 0 {
		return
	}
	w.key(key, false)
	w.buf.WriteByte('{')
	w.buf.Write(sub.buf.Bytes())
	w.buf.WriteByte('}')
}

func strField(k, v string) field {
	return func(w *writer, first bool) bool {
		if v == "" {
			return false
		}
		w.key(k, first)
		w.str(v)
		return true
	}
}

func strsField(k string, v []string) field {
	return func(w *writer, first bool) bool {
		if len(v) == 0 {
			return false
		}
		w.key(k, first)
		w.strs(v)
		return true
	}
}

func numField(k string, v float64) field {
	return func(w *writer, first bool) bool {
		if v == 0 {
			return false
		}
		w.key(k, first)
		w.num(v)
		return true
	}
}

func (w *writer) wms(o WMS) {
	w.object("wms", o.extras, strsField("layers", o.Layers), strsField("styles", o.Styles),
		strField("format", o.Format), strField("version", o.Version))
}

func (w *writer) wmts(o WMTS) {
	w.object("wmts", o.extras, strField("layer", o.Layer), strField("style", o.Style),
		strField("matrix_set", o.MatrixSet), strField("format", o.Format))
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
	return func(w *writer, first bool) bool {
		if len(cs) == 0 {
			return false
		}
		w.key("categories", first)
		w.buf.WriteByte('[')
		for i, c := range cs {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.buf.WriteByte('{')
			w.key("value", true)
			w.str(c.Value)
			strField("label", c.Label)(w, false)
			strField("fill", string(c.Fill))(w, false)
			strField("stroke", string(c.Stroke))(w, false)
			w.extras(c.extras, false)
			w.buf.WriteByte('}')
		}
		w.buf.WriteByte(']')
		return true
	}
}

// extras writes unknown fields, sorted by key, compacted (json.Indent then
// lays them out like the rest, so the output is stable).
func (w *writer) extras(m map[string]json.RawMessage, first bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.key(k, first)
		first = false
		if err := json.Compact(w.buf, m[k]); err != nil && w.err == nil {
			w.err = fmt.Errorf("project: marshal: field %q: %w", k, err)
		}
	}
}

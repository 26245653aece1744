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
// its layers, a view that is not finite, or a password in a layer source.
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
		if (l.Kind == KindWMS || l.Kind == "") && len(l.Styles) > 0 && len(l.Styles) != len(l.WMSLayers) {
			return fmt.Errorf("%w: layer %q: %d styles for %d WMS layers", ErrInvalid, l.ID, len(l.Styles), len(l.WMSLayers))
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

// layer writes one layer. Optional fields (wms_layers, styles, format,
// wms_version, group) are left out when empty; Parse reads them back as empty.
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
	if len(l.WMSLayers) > 0 {
		w.key("wms_layers", false)
		w.strs(l.WMSLayers)
	}
	if len(l.Styles) > 0 {
		w.key("styles", false)
		w.strs(l.Styles)
	}
	if l.Format != "" {
		w.key("format", false)
		w.str(l.Format)
	}
	if l.WMSVersion != "" {
		w.key("wms_version", false)
		w.str(l.WMSVersion)
	}
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

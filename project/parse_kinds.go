package project

import (
	"fmt"
	"math"
	"strings"
)

// The parsers of the per-kind objects of a layer. Each keeps the object's
// unknown fields, checks the values it can judge without the network, and
// reports problems at the offending value.

// integer reads a whole number within [lo, hi].
func (ps *parser) integer(m member, path string, lo, hi int) (int, error) {
	f, err := ps.num(m, path)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return 0, ps.errAt(m.off, nil, "%s: want a whole number in [%d, %d], got %s", path, lo, hi, m.raw)
	}
	return int(f), nil
}

// wms reads the "wms" object; stylesAt is the offset of its styles, -1 when
// it has none.
func (ps *parser) wms(om member, path string) (w WMS, stylesAt int, err error) {
	stylesAt = -1
	ms, err := ps.fields(om, path)
	if err != nil {
		return w, stylesAt, err
	}
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "layers":
			w.Layers, err = ps.strList(m, fpath)
		case "styles":
			w.Styles, err = ps.strList(m, fpath)
			stylesAt = m.off
		case "format":
			w.Format, err = ps.str(m, fpath)
		case "version":
			w.Version, err = ps.str(m, fpath)
		case "dimensions":
			w.Dimensions, err = ps.wmsDimensions(m, fpath)
		default:
			keepRaw(&w.extras, m)
		}
		if err != nil {
			return w, stylesAt, err
		}
	}
	return w, stylesAt, nil
}

func (ps *parser) wmts(om member, path string) (w WMTS, err error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return w, err
	}
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "layer":
			w.Layer, err = ps.str(m, fpath)
		case "style":
			w.Style, err = ps.str(m, fpath)
		case "matrix_set":
			w.MatrixSet, err = ps.str(m, fpath)
		case "format":
			w.Format, err = ps.str(m, fpath)
		case "dimensions":
			w.Dimensions, err = ps.strMap(m, fpath)
		default:
			keepRaw(&w.extras, m)
		}
		if err != nil {
			return w, err
		}
	}
	return w, nil
}

// strMap reads an object of strings; a key may not be empty. {} and a
// missing field mean the same (nil).
func (ps *parser) strMap(om member, path string) (map[string]string, error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		if strings.TrimSpace(m.key) == "" {
			return nil, ps.errAt(m.keyOff, nil, "%s: empty name", path)
		}
		v, err := ps.str(m, join(path, m.key))
		if err != nil {
			return nil, err
		}
		out[m.key] = v
	}
	return out, nil
}

func (ps *parser) xyz(om member, path string) (x XYZ, err error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return x, err
	}
	maxAt := om.off
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "min_zoom":
			x.MinZoom, err = ps.integer(m, fpath, 0, MaxXYZZoom)
		case "max_zoom":
			x.MaxZoom, err = ps.integer(m, fpath, 1, MaxXYZZoom)
			maxAt = m.off
		case "tile_size":
			x.TileSize, err = ps.integer(m, fpath, 0, 1<<20)
			if err == nil && x.TileSize != 256 && x.TileSize != 512 {
				err = ps.errAt(m.off, nil, "%s: want 256 or 512, got %s", fpath, m.raw)
			}
		case "subdomains":
			x.Subdomains, err = ps.subdomains(m, fpath)
		default:
			keepRaw(&x.extras, m)
		}
		if err != nil {
			return x, err
		}
	}
	if x.MinZoom > x.EffectiveMaxZoom() {
		return x, ps.errAt(maxAt, nil, "%s: min_zoom %d is above max_zoom %d", path, x.MinZoom, x.EffectiveMaxZoom())
	}
	return x, nil
}

// subdomains reads an array of subdomains, or a string of one-letter ones
// ("abc", as Leaflet writes them).
func (ps *parser) subdomains(m member, path string) ([]string, error) {
	var out []string
	if len(m.raw) > 0 && m.raw[0] == '"' {
		s, err := ps.str(m, path)
		if err != nil {
			return nil, err
		}
		for _, r := range s {
			out = append(out, string(r))
		}
	} else {
		var err error
		if out, err = ps.strList(m, path); err != nil {
			return nil, err
		}
	}
	for _, s := range out {
		if err := checkSubdomain(s); err != nil {
			return nil, ps.errAt(m.off, nil, "%s: %v", path, err)
		}
	}
	return out, nil
}

// checkSubdomain accepts what may stand for {s} in a host name.
func checkSubdomain(s string) error {
	if s == "" || len(s) > 63 {
		return fmt.Errorf("subdomain %q: want 1 to 63 letters, digits or '-'", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("subdomain %q: want letters, digits or '-'", s)
		}
	}
	return nil
}

func (ps *parser) wfs(om member, path string) (w WFS, err error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return w, err
	}
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "type_name":
			w.TypeName, err = ps.str(m, fpath)
		case "version":
			w.Version, err = ps.str(m, fpath)
		default:
			keepRaw(&w.extras, m)
		}
		if err != nil {
			return w, err
		}
	}
	return w, nil
}

func (ps *parser) features(om member, path string) (f Features, err error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return f, err
	}
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "collection":
			f.Collection, err = ps.str(m, fpath)
		default:
			keepRaw(&f.extras, m)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

func (ps *parser) color(m member, path string) (Color, error) {
	s, err := ps.str(m, path)
	if err != nil {
		return "", err
	}
	c := Color(s)
	if err := c.check(); err != nil {
		return "", ps.errAt(m.off, nil, "%s: %v", path, err)
	}
	return c, nil
}

// positive reads a number >= 0 (> 0 when strict).
func (ps *parser) nonNegative(m member, path string, strict bool) (float64, error) {
	f, err := ps.num(m, path)
	if err != nil {
		return 0, err
	}
	if f < 0 || (strict && f == 0) {
		want := ">= 0"
		if strict {
			want = "> 0"
		}
		return 0, ps.errAt(m.off, nil, "%s: want a number %s, got %s", path, want, m.raw)
	}
	return f, nil
}

func (ps *parser) style(om member, path string) (s Style, err error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return s, err
	}
	catsAt := -1
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "fill":
			s.Fill, err = ps.color(m, fpath)
		case "stroke":
			s.Stroke, err = ps.color(m, fpath)
		case "width":
			s.Width, err = ps.nonNegative(m, fpath, false)
		case "opacity":
			s.Opacity, err = ps.num(m, fpath)
			if err == nil && !(s.Opacity > 0 && s.Opacity <= 1) {
				err = ps.errAt(m.off, nil, "%s: %s is outside (0, 1]; a fill of \"none\" draws no fill", fpath, m.raw)
			}
		case "radius":
			s.Radius, err = ps.nonNegative(m, fpath, false)
		case "attribute":
			s.Attribute, err = ps.str(m, fpath)
		case "categories":
			catsAt = m.off
			s.Categories, err = ps.categories(m, fpath)
		default:
			keepRaw(&s.extras, m)
		}
		if err != nil {
			return s, err
		}
	}
	if len(s.Categories) > 0 && strings.TrimSpace(s.Attribute) == "" {
		return s, ps.errAt(catsAt, nil, "%s.categories: categories need an \"attribute\" to choose by", path)
	}
	return s, nil
}

func (ps *parser) categories(am member, path string) ([]Category, error) {
	if len(am.raw) == 0 || am.raw[0] != '[' {
		return nil, ps.typeError(am, path, "an array of category objects")
	}
	els, err := arrayElements(ps.doc, am.off)
	if err != nil {
		return nil, err
	}
	if len(els) == 0 {
		return nil, nil
	}
	out := make([]Category, 0, len(els))
	for i, e := range els {
		cpath := fmt.Sprintf("%s[%d]", path, i)
		ms, err := ps.fields(e, cpath)
		if err != nil {
			return nil, err
		}
		var c Category
		for _, m := range ms {
			fpath := join(cpath, m.key)
			switch m.key {
			case "value":
				c.Value, err = ps.str(m, fpath)
			case "label":
				c.Label, err = ps.str(m, fpath)
			case "fill":
				c.Fill, err = ps.color(m, fpath)
			case "stroke":
				c.Stroke, err = ps.color(m, fpath)
			default:
				keepRaw(&c.extras, m)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

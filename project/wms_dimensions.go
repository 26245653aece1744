package project

import (
	"fmt"
	"maps"
	"slices"
)

// A WMS layer's "dimensions" object: dimension name to value, both
// strings, e.g. {"time": "2020-03-01", "elevation": "500"}.

// wmsDimensions reads the "dimensions" object of a "wms" object. Names
// must be non-empty; an empty object reads as nil.
func (ps *parser) wmsDimensions(om member, path string) (map[string]string, error) {
	ms, err := ps.fields(om, path)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	for _, m := range ms {
		fpath := join(path, m.key)
		if err := CheckDimensionName(m.key); err != nil {
			return nil, ps.errAt(m.keyOff, nil, "%s: %v", path, err)
		}
		v, err := ps.str(m, fpath)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make(map[string]string, len(ms))
		}
		out[m.key] = v
	}
	return out, nil
}

// CheckDimensionName reports why s cannot name a WMS dimension in the
// "dimensions" object; it accepts what can name a WMS request parameter:
// letters, digits, '_', '-' and '.'.
func CheckDimensionName(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("dimension name %q: want 1 to 64 characters", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("dimension name %q: want letters, digits, '_', '-' or '.'", s)
		}
	}
	return nil
}

// wmsDimensionsField writes the dimensions sorted by name.
func wmsDimensionsField(dims map[string]string) field {
	return field{key: "dimensions", empty: len(dims) == 0, write: func(w *writer) {
		w.open('{')
		for _, k := range slices.Sorted(maps.Keys(dims)) {
			w.key(k)
			w.str(dims[k])
		}
		w.close('}')
	}}
}

func cloneWMSDimensions(dims map[string]string) map[string]string {
	if len(dims) == 0 {
		return nil
	}
	return maps.Clone(dims)
}

// validateWMSDimensions refuses a name Parse would refuse.
func validateWMSDimensions(dims map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		if err := CheckDimensionName(k); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"flag"
	"fmt"
	"strings"

	"mapvault/layers"
	"mapvault/project"
)

// dimensionFlag adds the repeatable --dimension NAME=VALUE to fset and
// returns the values it collects, by name.
func dimensionFlag(fset *flag.FlagSet) map[string]string {
	dims := map[string]string{}
	fset.Func("dimension", "WMTS dimension `NAME=VALUE` (repeatable), e.g. Time=2024-01-01", func(s string) error {
		name, value, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("want NAME=VALUE, got %q", s)
		}
		for k := range dims {
			if strings.EqualFold(k, name) {
				return fmt.Errorf("dimension %q given twice", name)
			}
		}
		dims[name] = value
		return nil
	})
	return dims
}

// dimensionLister is a Service that knows its layers' dimensions (WMTS).
type dimensionLister interface {
	Dimensions(layer string) []string
}

// setDimensions puts dims into a WMTS layer, each name as the service
// declares it; a name the layer does not declare is an error.
func setDimensions(l *project.Layer, svc layers.Service, dims map[string]string) error {
	dl, ok := svc.(dimensionLister)
	if l.Kind != project.KindWMTS || !ok {
		return fmt.Errorf("--dimension applies to WMTS layers only")
	}
	declared := dl.Dimensions(l.WMTS.Layer)
	l.WMTS.Dimensions = make(map[string]string, len(dims))
	for name, value := range dims {
		found := ""
		for _, d := range declared {
			if strings.EqualFold(d, name) {
				found = d
				break
			}
		}
		if found == "" {
			return fmt.Errorf("layer %q has no dimension %q (it has: %s)", l.WMTS.Layer, name, strings.Join(declared, ", "))
		}
		l.WMTS.Dimensions[found] = value
	}
	return nil
}

// Package kinds lists the layer kinds mapvault draws: Default is the one
// place a new kind is registered. Each kind lives in its own package under
// layers (wms, xyz, ...) and implements layers.Kind.
//
// It holds no state: Default builds a new registry on each call, which the
// caller passes on (no globals).
package kinds

import (
	"mapvault/layers"
	"mapvault/layers/features"
	"mapvault/layers/geojson"
	"mapvault/layers/wfs"
	"mapvault/layers/wms"
	"mapvault/layers/wmtskind"
	"mapvault/layers/xyz"
)

// Default returns the registry of every kind this mapvault draws, in the
// order detection asks them when they recognise a URL equally well. A new
// kind adds one line here.
func Default() *layers.Registry {
	return layers.NewRegistry(
		wms.Kind{},
		wmtskind.New(),
		xyz.Kind{},
		geojson.Kind{},
		wfs.Kind{},
		features.Kind{},
	)
}

package wms

import "errors"

// Sentinel errors of the capabilities parser and fetcher, and of GetMap.
var (
	// ErrNotCapabilities is returned when a document is well-formed enough
	// to read but is neither a WMS 1.1.x nor a 1.3.0 capabilities document.
	ErrNotCapabilities = errors.New("wms: not a WMS capabilities document")

	// ErrMalformedCapabilities wraps the XML error of a document that is
	// not well-formed (truncated, broken markup, undecodable encoding).
	ErrMalformedCapabilities = errors.New("wms: malformed capabilities document")

	// ErrCapabilitiesTooLarge is returned when a capabilities document (or
	// response body) exceeds MaxCapabilitiesSize bytes.
	ErrCapabilitiesTooLarge = errors.New("wms: capabilities document larger than 16 MiB")

	// ErrCapabilitiesTooDeep is returned when <Layer> elements are nested
	// deeper than MaxLayerDepth.
	ErrCapabilitiesTooDeep = errors.New("wms: capabilities layers nested too deeply")

	// ErrBadGetMapURL is returned for a GetMap base URL that is not an
	// absolute http(s) URL.
	ErrBadGetMapURL = errors.New("wms: GetMap URL is not an absolute http(s) URL")

	// ErrNoUsableCRS is returned by ChooseCRS for a layer that offers
	// neither Web Mercator nor geographic lon/lat. The wrapped message
	// lists what it offers.
	ErrNoUsableCRS = errors.New("wms: layer offers no usable CRS")
)

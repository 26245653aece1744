package wmts

import (
	"errors"
	"strconv"
)

// Errors of Parse. A document error that has a place in the document comes
// wrapped in a *PositionError; test with errors.Is.
var (
	// ErrNotCapabilities is returned for a document whose root element is
	// not a WMTS <Capabilities> (an HTML page, a WMS document, ...).
	ErrNotCapabilities = errors.New("wmts: not a WMTS capabilities document")

	// ErrMalformed wraps the XML error of a document the decoder cannot
	// read, or that declares an encoding that is not supported.
	ErrMalformed = errors.New("wmts: malformed capabilities document")

	// ErrTooLarge is returned when a document is larger than MaxSize bytes.
	ErrTooLarge = errors.New("wmts: capabilities document larger than 16 MiB")

	// ErrTooDeep is returned when elements are nested deeper than MaxDepth.
	ErrTooDeep = errors.New("wmts: capabilities elements nested too deeply")

	// ErrTooManyElements is returned when a document has more than
	// MaxElements elements.
	ErrTooManyElements = errors.New("wmts: capabilities document has too many elements")

	// ErrDoctype is returned for a document with a DOCTYPE declaration.
	// WMTS has no DTD; in a WMTS answer a DOCTYPE only serves entity
	// tricks.
	ErrDoctype = errors.New("wmts: DOCTYPE declarations are refused")
)

// Errors of TileURL and Source, wrapped with the offending name.
var (
	ErrUnknownLayer     = errors.New("wmts: no such layer")
	ErrUnknownStyle     = errors.New("wmts: layer has no such style")
	ErrUnknownFormat    = errors.New("wmts: layer does not offer this format")
	ErrUnknownMatrixSet = errors.New("wmts: layer is not linked to this tile matrix set")
	ErrUnknownMatrix    = errors.New("wmts: tile matrix set has no such tile matrix")
	ErrUnknownDimension = errors.New("wmts: layer has no such dimension")
	ErrMissingDimension = errors.New("wmts: dimension has no value and no default")
	ErrOutOfRange       = errors.New("wmts: tile outside the tile matrix or its limits")
	ErrNoEndpoint       = errors.New("wmts: no GetTile endpoint for this layer and format")
	ErrBadTemplate      = errors.New("wmts: unusable ResourceURL template")
	ErrBadURL           = errors.New("wmts: GetTile endpoint is not an absolute http(s) URL")
)

// PositionError places a document error: Line and Column (1-based) are where
// the decoder was when it found it.
type PositionError struct {
	Line, Column int
	Err          error
}

func (e *PositionError) Error() string {
	return e.Err.Error() + " (line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ")"
}

func (e *PositionError) Unwrap() error { return e.Err }

// ServiceException is an OWS ExceptionReport returned instead of a
// capabilities document. Parse returns it as the error.
type ServiceException struct {
	Code    string // exceptionCode, may be empty
	Locator string // locator, may be empty
	Message string // exception texts, whitespace collapsed, bounded
}

func (e *ServiceException) Error() string {
	s := "wmts: service exception"
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Locator != "" {
		s += " (" + e.Locator + ")"
	}
	return s + ": " + e.Message
}

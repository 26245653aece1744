package layers

import (
	"bytes"

	"mapvault/layers/internal/ogcxml"
)

// ServiceException is an OGC exception report (WMS ServiceExceptionReport,
// OWS ExceptionReport) a server answered instead of a document or a tile.
// Capabilities readers (package wms) return it as an error, and the engine
// reports a tile's as the layer's Reason.
type ServiceException struct {
	Code    string // code / exceptionCode attribute, may be empty
	Message string // exception text, trimmed and bounded
}

func (e *ServiceException) Error() string {
	if e.Code == "" {
		return "layers: service exception: " + e.Message
	}
	return "layers: service exception " + e.Code + ": " + e.Message
}

// ParseException returns the exception report in body, whatever the
// Content-Type header said; ok is false when body is not one. The message
// is bounded but not otherwise cleaned: callers showing it use the engine's
// reason cleaning (URLs redacted).
func ParseException(body []byte) (*ServiceException, bool) {
	if !looksLikeXML(body) && !bytes.HasPrefix(body, []byte{0xFE, 0xFF}) && !bytes.HasPrefix(body, []byte{0xFF, 0xFE}) {
		return nil, false
	}
	ex, ok := ogcxml.Parse(body)
	if !ok {
		return nil, false
	}
	return &ServiceException{Code: ex.Code, Message: ex.Message}, true
}

// serviceException is ParseException with the code and message made fit
// for a status line (see cleanReason: scrubbed of secrets), and a generic
// message when the report has no text.
func serviceException(body []byte, secrets ...string) (*ServiceException, bool) {
	exc, ok := ParseException(body)
	if !ok {
		return nil, false
	}
	exc.Message = cleanReason(exc.Message, secrets...)
	exc.Code = cleanReason(exc.Code, secrets...)
	if exc.Message == "" {
		exc.Message = "service exception"
		if exc.Code != "" {
			exc.Message += " " + exc.Code
		}
	}
	return exc, true
}

package vector

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Test them with errors.Is; the typed errors below match
// the sentinel of their kind.
var (
	// ErrMalformed wraps the error of a document that cannot be read: bad
	// JSON or XML, a value of the wrong type, a coordinate that is not a
	// finite number.
	ErrMalformed = errors.New("vector: malformed document")

	// ErrNotFeatures is returned for a well-formed document of the wrong
	// kind: JSON that is not GeoJSON, XML that is not a feature collection,
	// a capabilities document of another service.
	ErrNotFeatures = errors.New("vector: not a feature document")

	// ErrLimit is matched by every *LimitError.
	ErrLimit = errors.New("vector: document exceeds a limit")

	// ErrZoomIn is matched by every *ZoomInError.
	ErrZoomIn = errors.New("vector: too many features for this view: zoom in to see features")

	// ErrUnsupportedCRS is matched by every *CRSError.
	ErrUnsupportedCRS = errors.New("vector: unsupported CRS")

	// ErrServiceException is matched by every *ServiceException.
	ErrServiceException = errors.New("vector: service exception")
)

// LimitError says which bound of Options a document exceeded.
type LimitError struct {
	Limit string // the Options field: "MaxBytes", "MaxFeatures", "MaxCoordinates", "MaxDepth"
	Max   int64  // its value
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("vector: document exceeds %s (%d)", e.Limit, e.Max)
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// ZoomInError is a view with more features than Options.MaxFeaturesPerView:
// nothing is drawn and the user is asked to zoom in.
type ZoomInError struct {
	Features int // features in the view (or matched by the server); 0 when unknown
	Max      int // the bound
}

func (e *ZoomInError) Error() string {
	if e.Features <= 0 {
		return fmt.Sprintf("vector: more than %d features for this view: zoom in to see features", e.Max)
	}
	return fmt.Sprintf("vector: %d features for this view (at most %d): zoom in to see features", e.Features, e.Max)
}

// Is makes errors.Is(err, ErrZoomIn) true.
func (e *ZoomInError) Is(target error) bool { return target == ErrZoomIn }

// CRSError is a coordinate reference system this package does not convert.
type CRSError struct {
	CRS string // as the document named it
}

func (e *CRSError) Error() string {
	return fmt.Sprintf("vector: unsupported CRS %q (ask the server for EPSG:4326)", e.CRS)
}

// Is makes errors.Is(err, ErrUnsupportedCRS) true.
func (e *CRSError) Is(target error) bool { return target == ErrUnsupportedCRS }

// ServiceException is an OGC exception report returned instead of features
// or capabilities (ows:ExceptionReport, ServiceExceptionReport).
type ServiceException struct {
	Code    string // exceptionCode or code attribute; may be empty
	Locator string // the parameter it names; may be empty
	Text    string // the first exception text, trimmed and shortened
}

func (e *ServiceException) Error() string {
	var b strings.Builder
	b.WriteString("vector: service exception")
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Locator != "" {
		b.WriteString(" (")
		b.WriteString(e.Locator)
		b.WriteString(")")
	}
	if e.Text != "" {
		b.WriteString(": ")
		b.WriteString(e.Text)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrServiceException) true.
func (e *ServiceException) Is(target error) bool { return target == ErrServiceException }

// malformed wraps a message as ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

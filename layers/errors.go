package layers

import (
	"errors"
	"fmt"
	"net/http"

	"mapvault/vault"
)

// Sentinel errors of the capabilities parser and fetcher.
var (
	// ErrNotCapabilities is returned when a document is well-formed enough
	// to read but is neither a WMS 1.1.x nor a 1.3.0 capabilities document.
	ErrNotCapabilities = errors.New("layers: not a WMS capabilities document")

	// ErrMalformedCapabilities wraps the XML error of a document that is
	// not well-formed (truncated, broken markup, undecodable encoding).
	ErrMalformedCapabilities = errors.New("layers: malformed capabilities document")

	// ErrCapabilitiesTooLarge is returned when a capabilities document (or
	// response body) exceeds MaxCapabilitiesSize bytes.
	ErrCapabilitiesTooLarge = errors.New("layers: capabilities document larger than 16 MiB")

	// ErrCapabilitiesTooDeep is returned when <Layer> elements are nested
	// deeper than MaxLayerDepth.
	ErrCapabilitiesTooDeep = errors.New("layers: capabilities layers nested too deeply")

	// ErrHTMLResponse is returned when a server answers a capabilities
	// request with an HTML page (a login portal, an error page).
	ErrHTMLResponse = errors.New("layers: server answered with an HTML page")
)

// HTTPError is a non-2xx answer from a server. URL is already redacted with
// vault.RedactURL and never carries a secret.
type HTTPError struct {
	Status int    // HTTP status code
	URL    string // redacted request URL
}

func (e *HTTPError) Error() string {
	text := http.StatusText(e.Status)
	if text == "" {
		return fmt.Sprintf("layers: HTTP %d from %s", e.Status, e.URL)
	}
	return fmt.Sprintf("layers: HTTP %d %s from %s", e.Status, text, e.URL)
}

// scrubbedError is an error whose text was made fit to show with
// vault.Scrub: no form of a session secret, no secret-looking value, no
// control character. errors.Is and errors.As still reach the error it
// stands for; the typed errors on that chain carry scrubbed fields
// themselves (ServiceException's text, HTTPError's redacted URL).
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubError returns err with its text scrubbed of secrets (nil stays nil).
func scrubError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := vault.Scrub(msg, secrets); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

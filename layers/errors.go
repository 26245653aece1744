package layers

import (
	"errors"
	"fmt"
	"net/http"

	"mapvault/vault"
)

var (
	// ErrBadURL: a request URL (of a tile source or a Fetcher) that is not
	// an absolute http(s) URL.
	ErrBadURL = errors.New("layers: request URL is not an absolute http(s) URL")

	// ErrHTMLResponse is returned when a server answers a request for a
	// document (capabilities, a landing page) with an HTML page: a login
	// portal, an error page.
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

// ScrubError returns err with its text scrubbed of secrets (nil stays nil).
// Every kind uses it for what a server sent.
func ScrubError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := vault.Scrub(msg, secrets); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

// redact is the one way a URL reaches an error or a Reason.
func redact(raw string) string { return vault.RedactURL(raw) }

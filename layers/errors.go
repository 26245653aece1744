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

// redact is the one way a URL reaches an error or a Reason.
func redact(raw string) string { return vault.RedactURL(raw) }

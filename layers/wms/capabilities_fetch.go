package wms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"

	"mapvault/layers"
	"mapvault/vault"
)

// maxErrorBody bounds how much of a non-2xx answer is read to find a
// ServiceException in it.
const maxErrorBody = 64 << 10

// errNilClient: FetchCapabilities never falls back to
// http.DefaultClient, which would bypass the credential transport.
var errNilClient = errors.New("layers: FetchCapabilities needs an HTTP client")

// FetchCapabilities asks serviceURL for its GetCapabilities document with
// client (which must be the authenticating client: the request carries
// vault.WithSource so credentials are attached for the service's source).
//
// The request keeps the service URL's vendor parameters (map=..., etc.) and
// replaces SERVICE, REQUEST and VERSION whatever their case. It asks for
// VERSION=1.3.0 first; a 1.1.1 answer is taken as is. When the 1.3.0 answer
// is a ServiceException, does not parse as capabilities, or is an HTTP 400,
// it asks again with VERSION=1.1.1.
//
// Errors: *layers.HTTPError (with a ServiceException joined when the error body
// holds one) for non-2xx answers, layers.ErrHTMLResponse for an HTML page,
// *layers.ServiceException, ErrCapabilitiesTooLarge past MaxCapabilitiesSize, and
// the parse errors of ParseCapabilities. URLs in errors are redacted, and
// every text a server sent (an exception, a page title, a parse error that
// quotes the document) is scrubbed with vault.Scrub of every secret
// client holds (vault.ClientSecrets) and of secret-looking values.
func FetchCapabilities(ctx context.Context, client *http.Client, serviceURL string) (*Capabilities, error) {
	if client == nil {
		return nil, errNilClient
	}
	src, err := vault.SourceOf(serviceURL)
	if err != nil {
		return nil, err
	}
	ctx = vault.WithSource(ctx, src)
	caps, err := fetchVersion(ctx, client, serviceURL, "1.3.0")
	if err != nil && shouldFallBack(err) {
		caps, err = fetchVersion(ctx, client, serviceURL, "1.1.1")
	}
	if err != nil {
		return nil, layers.ScrubError(err, secretsFor(client, serviceURL))
	}
	return caps, nil
}

// shouldFallBack reports whether a failed 1.3.0 request is worth
// repeating as 1.1.1.
func shouldFallBack(err error) bool {
	var he *layers.HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusBadRequest
	}
	var se *layers.ServiceException
	switch {
	case errors.As(err, &se):
		return true
	case errors.Is(err, layers.ErrHTMLResponse), errors.Is(err, ErrCapabilitiesTooLarge),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return errors.Is(err, ErrNotCapabilities) || errors.Is(err, ErrMalformedCapabilities)
}

// CapabilitiesURL returns the GetCapabilities URL for serviceURL and
// version: the service URL without user information or fragment, its
// vendor parameters kept in order, SERVICE/REQUEST/VERSION replaced.
func CapabilitiesURL(serviceURL, version string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(serviceURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %s", vault.ErrBadURL, vault.RedactURL(serviceURL))
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	var kept []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		switch strings.ToUpper(name) {
		case "SERVICE", "REQUEST", "VERSION":
			continue
		}
		kept = append(kept, pair)
	}
	kept = append(kept, "SERVICE=WMS", "REQUEST=GetCapabilities", "VERSION="+url.QueryEscape(version))
	u.RawQuery = strings.Join(kept, "&")
	u.ForceQuery = false
	return u.String(), nil
}

func fetchVersion(ctx context.Context, client *http.Client, serviceURL, version string) (*Capabilities, error) {
	reqURL, err := CapabilitiesURL(serviceURL, version)
	if err != nil {
		return nil, err
	}
	redacted := vault.RedactURL(reqURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURL, nil)
	if err != nil {
		return nil, fmt.Errorf("layers: GetCapabilities %s: bad request", redacted)
	}
	req.Header.Set("Accept", "application/vnd.ogc.wms_xml, text/xml, application/xml;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would print the unredacted URL
		}
		return nil, fmt.Errorf("layers: GetCapabilities %s: %w", redacted, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &layers.HTTPError{Status: resp.StatusCode, URL: redacted}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		var se *layers.ServiceException
		if _, perr := ParseCapabilities(bytes.NewReader(body)); errors.As(perr, &se) {
			scrub(se, secretsFor(client, reqURL))
			return nil, fmt.Errorf("%w: %w", he, se)
		}
		return nil, he
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxCapabilitiesSize+1))
	if err != nil {
		return nil, fmt.Errorf("layers: GetCapabilities %s: %w", redacted, err)
	}
	if len(body) > MaxCapabilitiesSize {
		return nil, fmt.Errorf("layers: GetCapabilities %s: %w", redacted, ErrCapabilitiesTooLarge)
	}
	if looksHTML(body, resp.Header.Get("Content-Type")) {
		title := htmlTitle(body)
		if title != "" {
			title = bound(vault.Scrub(html.UnescapeString(title), secretsFor(client, reqURL)), maxTitle)
			return nil, fmt.Errorf("%w (%q) from %s", layers.ErrHTMLResponse, title, redacted)
		}
		return nil, fmt.Errorf("%w from %s", layers.ErrHTMLResponse, redacted)
	}
	caps, err := ParseCapabilities(bytes.NewReader(body))
	if err != nil {
		var se *layers.ServiceException
		if errors.As(err, &se) {
			scrub(se, secretsFor(client, reqURL))
			return nil, se
		}
		return nil, fmt.Errorf("layers: GetCapabilities %s: %w", redacted, err)
	}
	return caps, nil
}

// looksHTML sniffs an HTML page: by its first tag, or by a text/html
// content type on a body that does not start as XML.
func looksHTML(body []byte, contentType string) bool {
	head := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	head = head[:min(len(head), 512)]
	lower := bytes.ToLower(head)
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) {
		return true
	}
	return strings.Contains(strings.ToLower(contentType), "text/html") && !bytes.HasPrefix(lower, []byte("<?xml"))
}

// maxTitle bounds the HTML title shown; maxTitleRead what is read of it
// (more, so that a secret it holds is scrubbed whole before the text is
// cut).
const maxTitle, maxTitleRead = 120, 4 << 10

// bound cuts s to at most n bytes (at a UTF-8 boundary), marking the cut.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// htmlTitle returns the <title> text of an HTML page, white space
// collapsed, at most maxTitleRead bytes.
func htmlTitle(body []byte) string {
	lower := bytes.ToLower(body[:min(len(body), 64<<10)])
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return ""
	}
	j := bytes.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	return bound(strings.Join(strings.Fields(string(body[start:start+end])), " "), maxTitleRead)
}

// scrub scrubs a server's exception code and text (vault.Scrub).
func scrub(se *layers.ServiceException, secrets []string) {
	se.Message = vault.Scrub(se.Message, secrets)
	se.Code = vault.Scrub(se.Code, secrets)
}

// secretsFor lists what a server's text must be scrubbed of: every secret
// client holds, and the secret-looking query values of reqURL (a key the
// user kept in the service URL).
func secretsFor(client *http.Client, reqURL string) []string {
	secrets := vault.ClientSecrets(client)
	if u, err := url.Parse(reqURL); err == nil {
		for name, vs := range u.Query() {
			for _, v := range vs {
				if v != "" && (isKeyParam(name) || vault.LooksSecret(v)) {
					secrets = append(secrets, v)
				}
			}
		}
	}
	return secrets
}

func isKeyParam(name string) bool {
	for _, k := range vault.KeyParamNames() {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

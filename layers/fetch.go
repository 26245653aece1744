package layers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // tile formats
	_ "image/jpeg" // tile formats
	_ "image/png"  // tile formats
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // tile formats

	"mapvault/vault"
)

// Errors of a tile download, tested with errors.Is.
var (
	// ErrTileTooLarge: the response body exceeded Options.MaxBodyBytes, or
	// the image declares more pixels than were asked for (WIDTH x HEIGHT).
	ErrTileTooLarge = errors.New("layers: tile response too large")
	// ErrNotImage: the server answered 2xx with something that is not an
	// image (and not a ServiceException document).
	ErrNotImage = errors.New("layers: response is not an image")
	// ErrTimeout: the HTTP client gave up on a tile (its own timeout, not
	// the caller's context).
	ErrTimeout = errors.New("layers: request timed out")
)

// cleanReason makes server text fit for a status line: scrubbed of every
// form of secrets, of secret-looking values and of control characters
// (vault.Scrub), whitespace collapsed, URLs redacted, at most 240 bytes.
func cleanReason(s string, secrets ...string) string {
	fields := strings.Fields(vault.Scrub(s, secrets))
	for i, f := range fields {
		if strings.Contains(f, "://") {
			fields[i] = redact(strings.Trim(f, `"'<>()[],;`))
		}
	}
	s = strings.Join(fields, " ")
	if len(s) > 240 {
		cut := 240
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// sniffImage names the image format of body's magic bytes, "" if none.
func sniffImage(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// looksLikeXML reports whether b starts (after a BOM and white space) with '<'.
func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// emptyTile stands, in the cache and in results, for a tile a source has
// nothing in (an XYZ 404, a feature tile without features): it is done and
// draws nothing. It is never modified.
var emptyTile = image.NewRGBA(image.Rect(0, 0, 1, 1))

// Accept headers: tiles take images (and OGC exceptions, which explain a
// refusal better than a status).
const tileAccept = "image/*, application/vnd.ogc.se_xml;q=0.5, text/xml;q=0.5"

// download performs a raster tile request with retries and returns the
// decoded tile. It counts round trips and body bytes into st.
//
// A 5xx or 429 answer is retried up to Options.Retries times when it asks
// for no wait or a short one (Retry-After at most maxRetryDelay). One that
// asks for a longer wait is not retried: it fails with a *RetryAfterError,
// and the host is left alone until then (backoff), so the view's other
// tiles fail at once without a request.
func (e *Engine) download(ctx context.Context, req request, st *fetchStats) (*image.RGBA, error) {
	status, hdr, body, err := e.get(ctx, req.src, req.raster.URL, tileAccept, st)
	if err != nil {
		return nil, err
	}
	if req.raster.NotFoundEmpty && (status == http.StatusNotFound || status == http.StatusNoContent ||
		(status >= 200 && status <= 299 && len(body) == 0)) {
		return emptyTile, nil
	}
	if status < 200 || status > 299 {
		return nil, answerError(status, body, req.raster.URL, e.secrets()...)
	}
	return e.decodeTile(ctx, hdr.Get("Content-Type"), body, req)
}

// answerError is the error of a non-2xx answer: its OGC exception, or an
// *HTTPError (always for the statuses that mean "credentials").
func answerError(status int, body []byte, rawURL string, secrets ...string) error {
	if exc, ok := serviceException(body, secrets...); ok && !isAuthStatus(status) {
		return exc
	}
	return &HTTPError{Status: status, URL: redact(rawURL)}
}

// get sends a GET of rawURL for src with retries and returns the final
// answer (a 5xx or 429 after the retries too); see download.
func (e *Engine) get(ctx context.Context, src vault.Source, rawURL, accept string, st *fetchStats) (int, http.Header, []byte, error) {
	host := hostKey(rawURL)
	for attempt := 0; ; attempt++ {
		if err := e.backedOff(host); err != nil {
			return 0, nil, nil, err
		}
		status, hdr, body, err := e.roundTrip(ctx, src, rawURL, accept, st)
		if err != nil {
			return 0, nil, nil, err
		}
		if status >= 500 || status == http.StatusTooManyRequests {
			now := e.opt.Clock()
			wait, asked := parseRetryAfter(hdr.Get("Retry-After"), now)
			if asked && wait > maxRetryDelay {
				return 0, nil, nil, e.backOff(host, status, now.Add(wait))
			}
			if attempt < e.opt.Retries {
				if err := e.opt.Sleep(ctx, e.retryDelay(attempt, hdr)); err != nil {
					return 0, nil, nil, err
				}
				continue
			}
		}
		return status, hdr, body, nil
	}
}

// RetryAfterError is a 5xx or 429 answer whose Retry-After asks for a
// longer wait than the engine makes (10 s): the tile fails instead, and
// the engine sends nothing more to the host until Until.
type RetryAfterError struct {
	Status int       // the answer's HTTP status
	Until  time.Time // when the server said to try again
}

func (e *RetryAfterError) Error() string {
	return "layers: the server asks to retry after " + e.Until.UTC().Format(time.RFC1123)
}

// backOff records that host asked to be left alone until until and returns
// the error for the tile that learnt it.
func (e *Engine) backOff(host string, status int, until time.Time) error {
	e.mu.Lock()
	if until.After(e.backoff[host].Until) {
		e.backoff[host] = RetryAfterError{Status: status, Until: until}
	}
	e.mu.Unlock()
	return &RetryAfterError{Status: status, Until: until}
}

// backedOff returns a *RetryAfterError while host asked not to be
// requested, nil otherwise.
func (e *Engine) backedOff(host string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	b, ok := e.backoff[host]
	if !ok {
		return nil
	}
	if !e.opt.Clock().Before(b.Until) {
		delete(e.backoff, host)
		return nil
	}
	return &b
}

func isAuthStatus(status int) bool { return status == 401 || status == 403 || status == 498 }

// roundTrip sends one GET and reads the body through a limit. The request's
// context carries the layer's source, which the authenticating transport
// uses to attach credentials.
func (e *Engine) roundTrip(ctx context.Context, src vault.Source, rawURL, accept string, st *fetchStats) (int, http.Header, []byte, error) {
	hr, err := http.NewRequestWithContext(vault.WithSource(ctx, src), http.MethodGet, rawURL, nil)
	if err != nil || (hr.URL.Scheme != "http" && hr.URL.Scheme != "https") || hr.URL.Host == "" {
		return 0, nil, nil, fmt.Errorf("%w: %s", ErrBadURL, redact(rawURL))
	}
	hr.Header.Set("Accept", accept)
	hr.Header.Set("User-Agent", "mapvault")
	resp, err := e.client.Do(hr)
	if err == nil || !(errors.Is(err, vault.ErrNoCredentials) || errors.Is(err, vault.ErrRejected)) {
		st.requests.Add(1) // the vault refuses those before sending anything
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			// The client's or transport's own timeout, not the caller's
			// cancellation: a failure of this tile.
			return 0, nil, nil, ErrTimeout
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL, keep the wrapped cause for errors.Is
		}
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, e.opt.MaxBodyBytes+1))
	st.bytes.Add(int64(len(body)))
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, ctx.Err()
		}
		return 0, nil, nil, fmt.Errorf("layers: reading tile: %w", err)
	}
	if int64(len(body)) > e.opt.MaxBodyBytes {
		return 0, nil, nil, fmt.Errorf("%w: more than %d bytes", ErrTileTooLarge, e.opt.MaxBodyBytes)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// retryDelay is the wait before retry number attempt+1: the server's
// Retry-After when it sent one, else exponential backoff from 250 ms with
// jitter; never more than maxRetryDelay.
func (e *Engine) retryDelay(attempt int, hdr http.Header) time.Duration {
	if d, ok := parseRetryAfter(hdr.Get("Retry-After"), e.opt.Clock()); ok {
		return min(d, maxRetryDelay)
	}
	d := min(baseRetryDelay<<min(attempt, 10), maxRetryDelay)
	return d/2 + rand.N(d/2+1) // jitter: between half and all of d
}

const (
	baseRetryDelay = 250 * time.Millisecond
	// maxRetryDelay is the longest wait before a retry. A server that asks
	// for more (Retry-After) is not retried: see download.
	maxRetryDelay = 10 * time.Second
	// maxRetryAfter bounds what parseRetryAfter returns (no overflow).
	maxRetryAfter = 100 * 365 * 24 * time.Hour
)

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
// The delay is at most maxRetryAfter, never negative.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}

// decodeTile checks a 2xx body and decodes it into a px x px Web Mercator
// tile. An exception document is an error whatever the Content-Type said.
//
// A small body can declare a huge image (a 100 KB PNG of zeros decodes to
// 4096x4096 16-bit pixels, 128 MiB), so the header is read first: an image
// larger than the requested WIDTH x HEIGHT is refused with ErrTileTooLarge
// without decoding it, and the decode waits for its estimated memory in the
// engine's decode budget (Options.DecodeBytes).
func (e *Engine) decodeTile(ctx context.Context, contentType string, body []byte, req request) (*image.RGBA, error) {
	if exc, ok := serviceException(body, e.secrets()...); ok {
		return nil, exc
	}
	ct := strings.ToLower(strings.TrimSpace(contentType))
	kind := sniffImage(body)
	if kind == "" || (ct != "" && !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "application/octet-stream")) {
		if ct == "" {
			ct = "no content type"
		}
		return nil, fmt.Errorf("%w (%s)", ErrNotImage, cleanReason(ct, e.secrets()...))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot decode %s: %v", ErrNotImage, kind, err)
	}
	w, h := req.raster.Width, req.raster.Height
	maxW, maxH := max(w, req.raster.MaxSide), max(h, req.raster.MaxSide)
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxW || cfg.Height > maxH {
		return nil, fmt.Errorf("%w: the server sent %dx%d pixels for %dx%d", ErrTileTooLarge, cfg.Width, cfg.Height, w, h)
	}
	held, err := e.decode.acquire(ctx, decodeCost(cfg, req))
	if err != nil {
		return nil, err
	}
	defer e.decode.release(held)
	at, inPlace := req.place.origin(req.key)
	inPlace = inPlace && cfg.Width == w && cfg.Height == h
	if kind == "png" && !req.raster.LonLat && (cfg.Width == w && cfg.Height == h || cfg.Width > w || cfg.Height > h) {
		// The tile is the image as it is: decode straight into it (or
		// into its place in Render's frame).
		if inPlace {
			if decodePNGAt(body, req.place.frame, at) {
				return req.place.frame, nil
			}
		} else if rgba, ok := decodePNGPremultiplied(body); ok {
			return rgba, nil
		}
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot decode %s: %v", ErrNotImage, kind, err)
	}
	if b := img.Bounds(); b.Dx() > maxW || b.Dy() > maxH { // the header lied
		return nil, fmt.Errorf("%w: the server sent %dx%d pixels for %dx%d", ErrTileTooLarge, b.Dx(), b.Dy(), w, h)
	}
	if b := img.Bounds(); b.Dx() > w || b.Dy() > h {
		// A larger tile MaxSide allows keeps its resolution; Part is
		// scaled to it (request.part).
		w, h = b.Dx(), b.Dy()
	}
	rgba := toRGBA(img, w, h)
	if req.raster.LonLat {
		return reprojectGeographic(rgba, req.tile, req.tilePx), nil
	}
	if inPlace && rgba.Rect.Size() == image.Pt(w, h) {
		copyAt(req.place.frame, rgba, at)
		return req.place.frame, nil
	}
	return rgba, nil
}

// decodeCost estimates the memory a tile takes while it is decoded: the
// decoded image at its declared size and depth, the w x h RGBA tile it is
// converted to and, for a lon/lat image, the reprojected tile.
func decodeCost(cfg image.Config, req request) int64 {
	n := int64(cfg.Width)*int64(cfg.Height)*bytesPerPixel(cfg.ColorModel) + 4*int64(req.raster.Width)*int64(req.raster.Height)
	if req.raster.LonLat {
		n += 4 * int64(req.tilePx) * int64(req.tilePx)
	}
	return n
}

// bytesPerPixel is the size of a pixel of the image a decoder returns for
// a colour model; 8 (the largest) for models it does not know.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// toRGBA converts img to a w x h *image.RGBA at origin (0,0), resampling if
// the server ignored WIDTH/HEIGHT. A decoded NRGBA image of that size is
// premultiplied in place and becomes the tile (it is not used elsewhere).
func toRGBA(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	if r, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) && b.Dx() == w && b.Dy() == h {
		return r
	}
	if n, ok := img.(*image.NRGBA); ok && b.Dx() == w && b.Dy() == h {
		premultiplyInPlace(n)
		return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: image.Rect(0, 0, w, h)}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	} else {
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	}
	return dst
}

// premultiplyInPlace turns a decoded PNG tile's straight alpha into
// premultiplied alpha, in its own pixels, with image/draw's exact rounding
// (see premultiplyRow).
func premultiplyInPlace(n *image.NRGBA) {
	w := 4 * n.Rect.Dx()
	for y := 0; y < n.Rect.Dy(); y++ {
		row := n.Pix[y*n.Stride : y*n.Stride+w]
		premultiplyRow(row, row)
	}
}

func httpStatusText(code int) string { return http.StatusText(code) }

func itoa(n int) string { return strconv.Itoa(n) }

// secrets lists every secret the engine's client holds, for scrubbing
// what servers send before it becomes an error or a Reason.
func (e *Engine) secrets() []string { return vault.ClientSecrets(e.client) }

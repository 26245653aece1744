package featuretile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/vault"
)

// MaxDocument bounds a service description (WFS capabilities, an OGC API
// landing page or collections list) read with GetDocument: 16 MiB.
const MaxDocument = 16 << 20

// GetDocument GETs a service description with client (the Catalog's
// authenticating client, or the plain one for a first look): the body of
// a 2xx answer, at most max bytes. A non-2xx answer is a *layers.HTTPError
// (wrapping a *layers.ServiceException when its body is one), a 2xx OGC
// exception a *layers.ServiceException, an HTML page layers.ErrHTMLResponse.
// Errors carry the URL redacted and no server text with a secret in it.
func GetDocument(ctx context.Context, client *http.Client, rawURL, accept string, max int64) ([]byte, string, error) {
	redacted := vault.RedactURL(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("layers: GET %s: bad request", redacted)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "mapvault")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would print the unredacted URL
		}
		return nil, "", fmt.Errorf("layers: GET %s: %w", redacted, err)
	}
	defer resp.Body.Close()
	secrets := vault.ClientSecrets(client)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &layers.HTTPError{Status: resp.StatusCode, URL: redacted}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if se, ok := layers.ParseException(body); ok {
			scrub(se, secrets)
			return nil, "", fmt.Errorf("%w: %w", he, se)
		}
		return nil, "", he
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", fmt.Errorf("layers: GET %s: %w", redacted, err)
	}
	if int64(len(body)) > max {
		return nil, "", fmt.Errorf("layers: GET %s: %w", redacted, &vector.LimitError{Limit: "MaxBytes", Max: max})
	}
	ct := resp.Header.Get("Content-Type")
	if se, ok := layers.ParseException(body); ok {
		scrub(se, secrets)
		return nil, "", se
	}
	if looksHTML(body, ct) {
		return nil, "", fmt.Errorf("%w from %s", layers.ErrHTMLResponse, redacted)
	}
	return body, ct, nil
}

func scrub(se *layers.ServiceException, secrets []string) {
	se.Message = vault.Scrub(se.Message, secrets)
	se.Code = vault.Scrub(se.Code, secrets)
}

// looksHTML sniffs an HTML page by its first tag or its content type.
func looksHTML(body []byte, contentType string) bool {
	head := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	head = bytes.ToLower(head[:min(len(head), 512)])
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
		return true
	}
	return strings.Contains(strings.ToLower(contentType), "text/html") && !bytes.HasPrefix(head, []byte("<?xml")) && !bytes.HasPrefix(head, []byte("{"))
}

// Page is one request of a paged fetch: its URL, and whether there is one.
// i counts the pages fetched so far; prev is the last page (nil before the
// first), total the features fetched so far.
type Pager func(i int, prev *vector.FeatureCollection, total int) (rawURL string, ok bool)

// Parser reads one answer.
type Parser func(body []byte, contentType string) (*vector.FeatureCollection, error)

// FetchPages fetches the pages pager names through f until it names no
// more, and returns their features as one Layer. The view bound
// (opt.MaxFeaturesPerView) is checked with the first page's numberMatched
// and with the running total: past it, the result is a ZoomInLayer (cache
// it: the view is not fetched again) and no further page is asked for.
func FetchPages(ctx context.Context, f layers.Fetcher, accept string, pager Pager, parse Parser, opt vector.Options) (*vector.Layer, error) {
	var all []vector.Feature
	var prev *vector.FeatureCollection
	for i := 0; ; i++ {
		rawURL, ok := pager(i, prev, len(all))
		if !ok {
			break
		}
		body, ct, err := f.Get(ctx, rawURL, accept)
		if err != nil {
			return nil, err
		}
		fc, err := parse(body, ct)
		if err != nil {
			return nil, err
		}
		if i == 0 && fc.NumberMatched > 0 {
			if err := opt.CheckView(fc.NumberMatched); err != nil {
				return vector.ZoomInLayer(fc.NumberMatched, opt), nil
			}
		}
		all = append(all, fc.Features...)
		if err := opt.CheckView(len(all)); err != nil {
			n := len(all)
			if fc.NumberMatched > n {
				n = fc.NumberMatched
			}
			return vector.ZoomInLayer(n, opt), nil
		}
		if len(fc.Features) == 0 {
			break
		}
		prev = fc
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return vector.NewLayer(all), nil
}

// ViewCache fetches each fetch tile's features once and keeps them in a
// byte-bounded vector.Cache: an engine tile at zoom z is drawn from the
// features of its ancestor FetchLevels up (a 4x4 block of tiles shares one
// paged fetch by default), so a view costs a few requests, not one per
// tile.
type ViewCache struct {
	Cache       *vector.Cache
	FetchLevels int // 0: 2
	Drawer      Drawer

	mu       sync.Mutex
	inflight map[vector.Key]*Once[*vector.Layer] // fetches under way: tiles of one fetch tile share it
}

// SharedViewCache is the session's feature cache of one kind (one per
// Catalog, under name), so a layer resolved again keeps its features; a
// fresh one when there is no Catalog.
func SharedViewCache(c *layers.Catalog, name string, opt vector.Options) *ViewCache {
	mk := func() *ViewCache {
		return &ViewCache{Cache: vector.NewCache(opt), Drawer: Drawer{Options: opt}}
	}
	if c == nil {
		return mk()
	}
	v, err := c.Document(context.Background(), name, "", func(context.Context) (any, error) { return mk(), nil })
	if vc, ok := v.(*ViewCache); err == nil && ok {
		return vc
	}
	return mk()
}

// FetchTile returns the tile whose box is fetched for engine tile t.
func (c *ViewCache) FetchTile(t layers.Tile) layers.Tile {
	k := c.FetchLevels
	if k <= 0 {
		k = 2
	}
	if k > t.Z {
		k = t.Z
	}
	return t.Parent(k)
}

// Render draws tile t of the layer named key: its fetch tile's features
// from the cache, or fetched with fetch(box) and cached. A fetch tile
// with too many features is a *vector.ZoomInError for every tile in it.
func (c *ViewCache) Render(ctx context.Context, key string, st vector.Style, t layers.Tile, px int,
	fetch func(ctx context.Context, box vector.Bounds) (*vector.Layer, error)) (*image.RGBA, error) {
	l, err := c.Layer(ctx, key, t, fetch)
	if err != nil {
		return nil, err
	}
	return c.Drawer.Draw(l, st, t, px)
}

// Layer returns the features of tile t's fetch tile of the layer named
// key, from the cache or fetched with fetch(box) and cached; a
// *vector.ZoomInError when the fetch tile has too many.
func (c *ViewCache) Layer(ctx context.Context, key string, t layers.Tile,
	fetch func(ctx context.Context, box vector.Bounds) (*vector.Layer, error)) (*vector.Layer, error) {
	ft := c.FetchTile(t)
	box := vector.TileBounds(ft.Z, ft.X, ft.Y)
	k := vector.Key{Layer: key, BBox: box}
	l, ok := c.Cache.Get(k)
	if !ok {
		c.mu.Lock()
		if c.inflight == nil {
			c.inflight = map[vector.Key]*Once[*vector.Layer]{}
		}
		once := c.inflight[k]
		if once == nil {
			once = &Once[*vector.Layer]{}
			c.inflight[k] = once
		}
		c.mu.Unlock()
		var err error
		l, err = once.Get(ctx, func(ctx context.Context) (*vector.Layer, error) {
			l, err := fetch(ctx, box)
			if err == nil {
				c.Cache.Put(k, l)
			}
			c.mu.Lock()
			if c.inflight[k] == once {
				delete(c.inflight, k)
			}
			c.mu.Unlock()
			return l, err
		})
		if err != nil {
			return nil, err
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"mapvault/vault"
)

// errBadTile marks a GetMap answer that is not a decodable PNG.
var errBadTile = errors.New("floor: bad tile")

// maxTileBytes bounds one tile response, as the engine's default does.
const maxTileBytes = 16 << 20

// totals counts what a fetch did.
type totals struct {
	requests, bytes atomic.Int64
}

// fetchAll sends every request with client, at most perHost at a time,
// starting them in plan order, and decodes each body as PNG. It returns the
// first error (the others are cancelled).
func fetchAll(ctx context.Context, client *http.Client, reqs []request, perHost int, tot *totals) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan request)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range max(1, perHost) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range queue {
				if err := fetchOne(ctx, client, r, tot); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, r := range reqs {
		select {
		case queue <- r:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("floor: %w", ctx.Err())
	}
	return firstErr
}

// fetchOne performs one GetMap and decodes the PNG it returns.
func fetchOne(ctx context.Context, client *http.Client, r request, tot *totals) error {
	if ctx.Err() != nil {
		return fmt.Errorf("floor: %w", ctx.Err())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", errBadTile, vault.RedactURL(r.URL), err)
	}
	req.Header.Set("User-Agent", "mapvault-bench-floor")
	tot.requests.Add(1)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL unredacted
		}
		return fmt.Errorf("floor: tile %v: GET %s: %w", r.Tile, vault.RedactURL(r.URL), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTileBytes+1))
	tot.bytes.Add(int64(len(body)))
	if err != nil {
		return fmt.Errorf("%w: tile %v: reading: %v", errBadTile, r.Tile, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: tile %v: HTTP %d from %s", errBadTile, r.Tile, resp.StatusCode, vault.RedactURL(r.URL))
	}
	if len(body) > maxTileBytes {
		return fmt.Errorf("%w: tile %v: body over %d bytes", errBadTile, r.Tile, maxTileBytes)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: tile %v: %v (Content-Type %q)", errBadTile, r.Tile, err, resp.Header.Get("Content-Type"))
	}
	if b := img.Bounds(); b.Dx() != r.W || b.Dy() != r.H {
		return fmt.Errorf("%w: tile %v: %dx%d pixels, want %dx%d", errBadTile, r.Tile, b.Dx(), b.Dy(), r.W, r.H)
	}
	return nil
}

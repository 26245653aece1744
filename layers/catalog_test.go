package layers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/vault"
)

// getDoc is a catalog document fetch for tests: a GET of u, the body as
// the document, an *HTTPError for a non-2xx answer.
func getDoc(c *Catalog, u string) func(ctx context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, &HTTPError{Status: resp.StatusCode, URL: u}
		}
		var b strings.Builder
		_, err = io.Copy(&b, resp.Body)
		return b.String(), err
	}
}

// doc reads u's document through c.
func doc(c *Catalog, ctx context.Context, u string) (any, error) {
	src, _ := vault.SourceOf(u)
	return c.Document(ctx, "test "+u, src, getDoc(c, u))
}

// TestCatalogSharesFailure: a service whose document fails is asked
// once for all concurrent and later callers, until Forget or
// CatalogFailureTTL; it used to be asked again by every caller in turn.
func TestCatalogSharesFailure(t *testing.T) {
	var requests atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-release
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer srv.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c := NewCatalog(srv.Client(), nil, nil)
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	u := srv.URL + "/wms"
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := doc(c, context.Background(), u)
			errs <- err
		}()
	}
	for requests.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others join the fetch
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != 500 {
			t.Errorf("concurrent caller: error %v, want HTTP 500", err)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("5 concurrent callers: %d requests, want 1", n)
	}
	if _, err := doc(c, context.Background(), u); err == nil || requests.Load() != 1 {
		t.Errorf("later caller: error %v after %d requests, want the shared failure and 1 request", err, requests.Load())
	}
	src, _ := vault.SourceOf(u)
	c.Forget(src)
	doc(c, context.Background(), u)
	if n := requests.Load(); n != 2 {
		t.Errorf("after Forget: %d requests, want 2", n)
	}
	mu.Lock()
	now = now.Add(CatalogFailureTTL)
	mu.Unlock()
	doc(c, context.Background(), u)
	if n := requests.Load(); n != 3 {
		t.Errorf("after CatalogFailureTTL: %d requests, want 3", n)
	}
}

// TestCatalogCancelledFetchNotShared: a fetch whose caller gave up is not
// anyone else's answer.
func TestCatalogCancelledFetchNotShared(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		w.Write([]byte("the document"))
	}))
	defer srv.Close()
	c := NewCatalog(srv.Client(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := doc(c, ctx, srv.URL+"/wms"); err == nil {
		t.Fatal("cancelled fetch succeeded")
	}
	got, err := doc(c, context.Background(), srv.URL+"/wms")
	if err != nil || got != "the document" {
		t.Errorf("next caller: %v, %v, want the document", got, err)
	}
}

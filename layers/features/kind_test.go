package features

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

const testKey = "k3y-ogc-0123456789"

// ogcServer is an OGC API - Features service under /api that wants
// ?key= on every request and writes links without it. Items pages hold
// limit points; the next link of the page at offset >= elsewhereAt points
// to /elsewhere/items (same origin, outside the prefix), which answers
// without a key.
type ogcServer struct {
	srv         *httptest.Server
	n           int
	elsewhereAt int
	mu          sync.Mutex
	log         []string // path?query of each request
}

func newOGCServer(t *testing.T, n, elsewhereAt int) *ogcServer {
	s := &ogcServer{n: n, elsewhereAt: elsewhereAt}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *ogcServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *ogcServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, r.URL.Path+"?"+r.URL.RawQuery)
	s.mu.Unlock()
	q := r.URL.Query()
	base := s.srv.URL
	if strings.HasPrefix(r.URL.Path, "/api") && q.Get("key") != testKey {
		http.Error(w, `{"code":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api":
		fmt.Fprintf(w, `{"title":"Test API","links":[{"href":"%s/api/collections","rel":"data","type":"application/json"}]}`, base)
	case "/api/collections":
		fmt.Fprintf(w, `{"collections":[{"id":"pts","title":"Points","description":"Some points","extent":{"spatial":{"bbox":[[-180,-60,180,60]]}},
"links":[{"href":"%s/api/collections/pts/items","rel":"items","type":"application/geo+json"}]}]}`, base)
	case "/api/collections/pts/items", "/elsewhere/items":
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		var b strings.Builder
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		end := min(offset+limit, s.n)
		for i := offset; i < end; i++ {
			if i > offset {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"type":"Feature","id":%d,"properties":{},"geometry":{"type":"Point","coordinates":[%g,%g]}}`, i, float64(i%360)-179.5, float64(i/360%120)-59.5)
		}
		b.WriteString(`],"links":[`)
		if end < s.n {
			path := "/api/collections/pts/items"
			if end >= s.elsewhereAt {
				path = "/elsewhere/items"
			}
			fmt.Fprintf(&b, `{"href":"%s%s?offset=%d&limit=%d","rel":"next","type":"application/geo+json"}`, base, path, end, limit)
		}
		b.WriteString(`]}`)
		io.WriteString(w, b.String())
	default:
		http.NotFound(w, r)
	}
}

// keyedClient is the authenticating client with testKey for src as ?key=.
func keyedClient(src vault.Source, key string) *http.Client {
	store, kv := vault.NewStore(), vault.NewKeyVault()
	store.Set(src, vault.Credential{Key: key})
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "key"})
	return vault.NewClient(store, kv, vault.TransportOptions{})
}

// render draws the layer's whole world at zoom 0 through a real Engine.
func render(t *testing.T, client *http.Client, k Kind, l project.Layer) layers.State {
	t.Helper()
	cat := layers.NewCatalog(client, layers.NewRegistry(k), nil)
	spec, err := cat.Spec(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	e := layers.NewEngine(client, layers.Options{})
	_, states, _ := e.Render(context.Background(), layers.View{Zoom: 0, Width: 256, Height: 256}, []layers.LayerSpec{spec}, nil)
	return states[l.ID]
}

func layer(base string) project.Layer {
	l := project.Layer{ID: "p", Kind: project.KindFeatures, Source: base + "/api", Opacity: 1, Visible: true}
	l.Features.Collection = "pts"
	return l
}

// TestNextLinksKeyOnlyUnderPrefix: next links without the key get it
// again from the transport while under the prefix; the one to
// /elsewhere (outside) goes without it.
func TestNextLinksKeyOnlyUnderPrefix(t *testing.T) {
	s := newOGCServer(t, 250, 200)
	src, err := Kind{}.Source(layer(s.srv.URL))
	if err != nil || !strings.HasSuffix(string(src), "/api/") {
		t.Fatalf("Source = %q, %v; want the /api/ prefix", src, err)
	}
	st := render(t, keyedClient(src, testKey), Kind{PageSize: 100}, layer(s.srv.URL))
	if st.Kind != layers.StateOK {
		t.Fatalf("state = %v", st)
	}
	var items, elsewhere []string
	for _, r := range s.requests() {
		switch {
		case strings.HasPrefix(r, "/api/collections/pts/items"):
			items = append(items, r)
		case strings.HasPrefix(r, "/elsewhere/"):
			elsewhere = append(elsewhere, r)
		}
	}
	if len(items) != 2 || len(elsewhere) != 1 {
		t.Fatalf("items %v, elsewhere %v; want 2 and 1", items, elsewhere)
	}
	for _, r := range items {
		if !strings.Contains(r, "key="+testKey) {
			t.Errorf("a request under the prefix lacks the key: %s", r)
		}
	}
	if !strings.Contains(items[0], "bbox=") || !strings.Contains(items[0], "limit=100") || !strings.Contains(items[1], "offset=100") {
		t.Errorf("items requests: %v", items)
	}
	if strings.Contains(elsewhere[0], "key=") {
		t.Errorf("the key went outside the prefix: %s", elsewhere[0])
	}
}

// TestZoomInNextLinks: following next links stops at the view bound and
// the state says "zoom in to see features".
func TestZoomInNextLinks(t *testing.T) {
	s := newOGCServer(t, 1000, 1<<30)
	src, _ := Kind{}.Source(layer(s.srv.URL))
	st := render(t, keyedClient(src, testKey), Kind{PageSize: 100, Options: vector.Options{MaxFeaturesPerView: 250}}, layer(s.srv.URL))
	if st.Kind == layers.StateOK || !strings.Contains(st.Reason, "zoom in to see features") {
		t.Errorf("state = %v, want zoom in", st)
	}
	n := 0
	for _, r := range s.requests() {
		if strings.Contains(r, "/items") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("items requests = %d, want 3 (stopped at the bound)", n)
	}
}

func TestOpenProbeMatch(t *testing.T) {
	s := newOGCServer(t, 1, 1)
	src, _ := Kind{}.Source(layer(s.srv.URL))
	client := keyedClient(src, testKey)
	svc, err := Kind{}.Open(context.Background(), client, s.srv.URL+"/api/")
	if err != nil {
		t.Fatal(err)
	}
	if !svc.NeedsChoice() || svc.Title() != "Test API" || len(svc.Offers()) != 1 || svc.Offers()[0].Box == nil || svc.Offers()[0].Abstract != "Some points" {
		t.Errorf("service %q %v %+v", svc.Title(), svc.NeedsChoice(), svc.Offers())
	}
	l, _, ok := svc.Layer("pts")
	if !ok || l.Features.Collection != "pts" || l.Kind != project.KindFeatures {
		t.Errorf("Layer = %+v", l)
	}
	if _, err := (Kind{}).Open(context.Background(), http.DefaultClient, s.srv.URL+"/api"); err == nil {
		t.Errorf("Open without the key: no error")
	}
	tg, data, err := Kind{}.EntryTarget(s.srv.URL + "/api/?x=1")
	if err != nil || data || tg.Expect != vault.ExpectJSON || tg.URL != s.srv.URL+"/api?f=json&x=1" || tg.Source != src {
		t.Errorf("EntryTarget = %+v %v %v", tg, data, err)
	}
	for u, want := range map[string]int{
		"https://h.example/features/ogcapi": 60, "https://h.example/api/collections": 60, "https://h.example/data/features": 0,
	} {
		if got := (Kind{}).MatchURL(u); got != want {
			t.Errorf("MatchURL(%s) = %d, want %d", u, got, want)
		}
	}
}

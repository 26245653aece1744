package wfs

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// wfsServer answers the 2.0 capabilities of layers/vector/testdata (which
// advertise GetFeature at https://portal.test/..., outside the source) and
// GetFeature with n points, paged by COUNT/STARTINDEX.
type wfsServer struct {
	srv          *httptest.Server
	n            int
	noMatched    bool
	mu           sync.Mutex
	getFeature   []string // query of each GetFeature
	capabilities int
}

func newWFSServer(t *testing.T, n int) *wfsServer {
	caps, err := os.ReadFile("../vector/testdata/wfs-2.0.0-capabilities.xml")
	if err != nil {
		t.Fatal(err)
	}
	gml, err := os.ReadFile("../vector/testdata/wfs20-gml32.xml")
	if err != nil {
		t.Fatal(err)
	}
	ws := &wfsServer{n: n}
	ws.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch q.Get("REQUEST") {
		case "GetCapabilities":
			ws.mu.Lock()
			ws.capabilities++
			ws.mu.Unlock()
			w.Header().Set("Content-Type", "text/xml")
			w.Write(caps)
		case "GetFeature":
			ws.mu.Lock()
			ws.getFeature = append(ws.getFeature, r.URL.RawQuery)
			ws.mu.Unlock()
			if q.Get("OUTPUTFORMAT") == "" {
				w.Header().Set("Content-Type", "application/gml+xml; version=3.2")
				w.Write(gml)
				return
			}
			count, _ := strconv.Atoi(q.Get("COUNT"))
			start, _ := strconv.Atoi(q.Get("STARTINDEX"))
			var b strings.Builder
			b.WriteString(`{"type":"FeatureCollection",`)
			if !ws.noMatched {
				fmt.Fprintf(&b, `"numberMatched":%d,`, ws.n)
			}
			b.WriteString(`"features":[`)
			for i := start; i < min(start+count, ws.n); i++ {
				if i > start {
					b.WriteByte(',')
				}
				lon, lat := float64(i%360)-179.5, float64(i/360%120)-59.5
				fmt.Fprintf(&b, `{"type":"Feature","id":%d,"properties":{},"geometry":{"type":"Point","coordinates":[%g,%g]}}`, i, lon, lat)
			}
			b.WriteString(`]}`)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, b.String())
		default:
			http.Error(w, "bad request", http.StatusBadRequest)
		}
	}))
	t.Cleanup(ws.srv.Close)
	return ws
}

func (ws *wfsServer) requests() []string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]string(nil), ws.getFeature...)
}

// fetcher is a layers.Fetcher over an http.Client.
type fetcher struct{ client *http.Client }

func (f fetcher) Get(ctx context.Context, u, accept string) ([]byte, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, "", &layers.HTTPError{Status: resp.StatusCode}
	}
	b, err := io.ReadAll(resp.Body)
	return b, resp.Header.Get("Content-Type"), err
}

func painted(img *image.RGBA) int {
	n := 0
	if img != nil {
		for i := 3; i < len(img.Pix); i += 4 {
			if img.Pix[i] != 0 {
				n++
			}
		}
	}
	return n
}

func resolve(t *testing.T, k Kind, ws *wfsServer, typeName string) layers.FeatureSource {
	t.Helper()
	cat := layers.NewCatalog(ws.srv.Client(), layers.NewRegistry(k), nil)
	l := project.Layer{ID: "w", Kind: project.KindWFS, Source: ws.srv.URL + "/ows?map=x", Opacity: 1, Visible: true}
	l.WFS.TypeName = typeName
	spec, err := cat.Spec(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Spec(context.Background(), l); err != nil || ws.capabilities != 1 {
		t.Fatalf("capabilities read %d times (%v), want once per session", ws.capabilities, err)
	}
	return spec.Features
}

// TestPaging: a fetch tile's features come in COUNT pages, STARTINDEX
// 0, 1000, 2000, from the layer's URL (not the capabilities' portal.test),
// GeoJSON asked for; neighbouring tiles reuse the fetch.
func TestPaging(t *testing.T) {
	ws := newWFSServer(t, 2500)
	fs := resolve(t, Kind{}, ws, "topp:states")
	f := fetcher{ws.srv.Client()}
	img, err := fs.RenderTile(context.Background(), f, layers.Tile{Z: 2, X: 1, Y: 2}, 256)
	if err != nil || painted(img) == 0 {
		t.Fatalf("RenderTile: %v, %d pixels", err, painted(img))
	}
	if _, err := fs.RenderTile(context.Background(), f, layers.Tile{Z: 2, X: 2, Y: 2}, 256); err != nil {
		t.Fatal(err)
	}
	reqs := ws.requests()
	if len(reqs) != 3 {
		t.Fatalf("GetFeature requests = %d, want 3:\n%s", len(reqs), strings.Join(reqs, "\n"))
	}
	for i, q := range reqs {
		if !strings.Contains(q, "map=x") || !strings.Contains(q, "TYPENAMES=topp:states") || !strings.Contains(q, "COUNT=1000") ||
			!strings.Contains(q, "OUTPUTFORMAT=application/json") || (i > 0) != strings.Contains(q, fmt.Sprintf("STARTINDEX=%d", 1000*i)) {
			t.Errorf("request %d: %s", i, q)
		}
	}
}

// TestZoomIn: numberMatched past the bound: one request, the tile says
// "zoom in to see features", and the view is not fetched again.
func TestZoomIn(t *testing.T) {
	ws := newWFSServer(t, 2500)
	fs := resolve(t, Kind{Options: vector.Options{MaxFeaturesPerView: 500}}, ws, "topp:states")
	f := fetcher{ws.srv.Client()}
	for range 2 {
		_, err := fs.RenderTile(context.Background(), f, layers.Tile{Z: 1, X: 0, Y: 0}, 256)
		if !errors.Is(err, vector.ErrZoomIn) || !strings.Contains(err.Error(), "zoom in to see features") {
			t.Fatalf("err = %v, want zoom in", err)
		}
	}
	if n := len(ws.requests()); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

// TestZoomInWithoutNumberMatched: the running total stops the paging.
func TestZoomInWithoutNumberMatched(t *testing.T) {
	ws := newWFSServer(t, 5000)
	ws.noMatched = true
	fs := resolve(t, Kind{Options: vector.Options{MaxFeaturesPerView: 1500}}, ws, "topp:states")
	_, err := fs.RenderTile(context.Background(), fetcher{ws.srv.Client()}, layers.Tile{Z: 0}, 256)
	if !errors.Is(err, vector.ErrZoomIn) {
		t.Fatalf("err = %v, want zoom in", err)
	}
	if n := len(ws.requests()); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

// TestGMLFallback: a feature type without a GeoJSON format is asked for
// GML (no OUTPUTFORMAT) and read.
func TestGMLFallback(t *testing.T) {
	ws := newWFSServer(t, 10)
	fs := resolve(t, Kind{}, ws, "ne:roads")
	if _, err := fs.RenderTile(context.Background(), fetcher{ws.srv.Client()}, layers.Tile{Z: 0}, 256); err != nil {
		t.Fatal(err)
	}
	if reqs := ws.requests(); len(reqs) != 1 || strings.Contains(reqs[0], "OUTPUTFORMAT") {
		t.Errorf("requests: %v", reqs)
	}
}

func TestOpenAndMatch(t *testing.T) {
	ws := newWFSServer(t, 1)
	k := Kind{}
	svc, err := k.Open(context.Background(), ws.srv.Client(), ws.srv.URL+"/ows?map=x&SERVICE=WFS")
	if err != nil {
		t.Fatal(err)
	}
	if !svc.NeedsChoice() || len(svc.Offers()) != 2 || svc.Title() != "Portal WFS" {
		t.Errorf("service: %v %v %q", svc.NeedsChoice(), svc.Offers(), svc.Title())
	}
	l, o, ok := svc.Layer("ne:roads")
	if !ok || l.Kind != project.KindWFS || l.WFS.TypeName != "ne:roads" || o.Title != "Roads" || o.Abstract != "Main roads of the world." {
		t.Errorf("Layer = %+v %+v %v", l, o, ok)
	}
	if _, _, ok := svc.Layer("nope"); ok {
		t.Error("Layer(nope) ok")
	}
	tg, data, err := k.EntryTarget("https://h.example/wfs?map=x&VERSION=1.1.0")
	if err != nil || data || tg.Expect != vault.ExpectXML || tg.URL != "https://h.example/wfs?map=x&SERVICE=WFS&REQUEST=GetCapabilities" {
		t.Errorf("EntryTarget = %+v %v %v", tg, data, err)
	}
	for u, want := range map[string]int{
		"https://h.example/ows?service=wfs": 90, "https://h.example/public/wfs": 25, "https://h.example/wms": 0,
	} {
		if got := k.MatchURL(u); got != want {
			t.Errorf("MatchURL(%s) = %d, want %d", u, got, want)
		}
	}
}

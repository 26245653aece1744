package geojson

import (
	"context"
	"errors"
	"image"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/layers/internal/featuretile"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// square is a FeatureCollection of one polygon, 10°x10° around (5, 5).
const square = `{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"name":"sq"},
"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}}]}`

func TestSource(t *testing.T) {
	k := Kind{}
	cases := []struct {
		src, want string
		err       bool
	}{
		{"https://data.example.org/geo/countries.geojson?x=1", "https://data.example.org:443/geo/countries.geojson", false},
		{"http://data.example.org:8080/a.json", "http://data.example.org:8080/a.json", false},
		{"/srv/data/countries.geojson", "", false},
		{"data/countries.geojson", "", false},
		{"file:///srv/a.geojson", "", false},
		{"ftp://example.org/a.geojson", "", true},
		{"", "", true},
	}
	for _, c := range cases {
		got, err := k.Source(project.Layer{Kind: project.KindGeoJSON, Source: c.src})
		if (err != nil) != c.err || string(got) != c.want {
			t.Errorf("Source(%q) = %q, %v; want %q, error %v", c.src, got, err, c.want, c.err)
		}
	}
	// A path source, not a prefix: another document on the host is not covered.
	src, _ := k.Source(project.Layer{Source: "https://h.example/geo/a.geojson"})
	if strings.HasSuffix(string(src), "/") {
		t.Errorf("source %q is a prefix", src)
	}
}

func TestMatchers(t *testing.T) {
	k := Kind{}
	for u, want := range map[string]int{
		"https://a.example/countries.geojson":       90,
		"https://a.example/COUNTRIES.GeoJSON?key=1": 90,
		"https://a.example/data.json":               40,
		"https://a.example/wms?SERVICE=WMS":         0,
		"https://a.example/tiles/{z}/{x}/{y}.png":   0,
		"/home/ann/data.geojson":                    90,
	} {
		if got := k.MatchURL(u); got != want {
			t.Errorf("MatchURL(%q) = %d, want %d", u, got, want)
		}
	}
	docs := []struct {
		ct, body string
		want     bool
	}{
		{"application/geo+json", `{}`, true},
		{"application/json", square, true},
		{"application/json", `{"bbox":[0,0,1,1],"type":"Feature","geometry":null,"properties":{}}`, true},
		{"application/json", `{"type":"Point","coordinates":[1,2]}`, false},
		{"application/json", `{"links":[],"title":"landing"}`, false},
		{"text/xml", `<WMS_Capabilities/>`, false},
		{"application/json", `{"type":"FeatureCollection","features":[{"type":"Fea`, true},
	}
	for _, d := range docs {
		if got := k.MatchDocument(d.ct, []byte(d.body)); got != d.want {
			t.Errorf("MatchDocument(%s, %.40q) = %v, want %v", d.ct, d.body, got, d.want)
		}
	}
	reg := layers.NewRegistry(Kind{})
	if kd, ok := reg.DetectDocument("application/json", []byte(square)); !ok || kd.Name() != project.KindGeoJSON {
		t.Errorf("DetectDocument = %v, %v", kd, ok)
	}
}

func TestProbeAndOpen(t *testing.T) {
	k := Kind{}
	tg, data, err := k.EntryTarget("https://a.example/geo/countries.geojson")
	if err != nil || !data || tg.Expect != vault.ExpectJSON || tg.URL != "https://a.example/geo/countries.geojson" ||
		tg.Source != "https://a.example:443/geo/countries.geojson" {
		t.Errorf("EntryTarget = %+v, %v, %v", tg, data, err)
	}
	if _, err := k.Probe(project.Layer{Source: "/tmp/a.geojson"}, 0, 0); err == nil {
		t.Errorf("Probe of a local file: no error")
	}
	svc, err := k.Open(context.Background(), nil, "https://a.example/geo/countries.geojson")
	if err != nil || svc.NeedsChoice() {
		t.Fatalf("Open = %v, %v", svc, err)
	}
	l, _, ok := svc.Layer("")
	if !ok || l.Kind != project.KindGeoJSON || l.Name != "countries" || l.Source != "https://a.example/geo/countries.geojson" || !l.Visible || l.Opacity != 1 {
		t.Errorf("Layer = %+v, %v", l, ok)
	}
	if _, _, ok := svc.Layer("other"); ok {
		t.Errorf("Layer(other) ok")
	}
}

func TestStyle(t *testing.T) {
	if got := featuretile.Style(project.Style{}); featuretile.StyleKey(got) != featuretile.StyleKey(vector.DefaultStyle()) {
		t.Errorf("zero style = %+v, want the default", got)
	}
	st := featuretile.Style(project.Style{Fill: "#ff0000", Stroke: "none", Width: 3, Opacity: 0.5, Radius: 6,
		Attribute: "kind", Categories: []project.Category{{Value: "a", Fill: "#00ff00"}, {Value: "b", Fill: "none"}}})
	if st.Fill.R != 255 || st.Fill.A != 128 || st.Stroke.A != 0 || st.StrokeWidth != 3 || st.PointRadius != 6 {
		t.Errorf("style = %+v", st)
	}
	if c := st.Categories; c == nil || c.Attribute != "kind" || c.Colors["a"].G != 255 || c.Colors["a"].A != 128 || c.Colors["b"].A != 0 || c.Default != st.Fill {
		t.Errorf("categories = %+v", st.Categories)
	}
}

// fetcher is a layers.Fetcher over an http.Client, counting requests.
type fetcher struct {
	client *http.Client
	n      atomic.Int32
}

func (f *fetcher) Get(ctx context.Context, u, accept string) ([]byte, string, error) {
	f.n.Add(1)
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
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(b.String()), resp.Header.Get("Content-Type"), nil
}

func alphaCount(img *image.RGBA) int {
	n := 0
	if img == nil {
		return 0
	}
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0 {
			n++
		}
	}
	return n
}

// TestRenderTileOnce: the document is fetched once for every tile and every
// Resolve of the session; a tile without features is nil.
func TestRenderTileOnce(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/geo+json")
		w.Write([]byte(square))
	}))
	defer srv.Close()
	cat := layers.NewCatalog(srv.Client(), layers.NewRegistry(Kind{}), nil)
	l := project.Layer{ID: "g", Kind: project.KindGeoJSON, Source: srv.URL + "/a.geojson", Opacity: 1, Visible: true}
	f := &fetcher{client: srv.Client()}
	done := make(chan *image.RGBA, 8)
	for range 4 {
		go func() {
			spec, err := cat.Spec(context.Background(), l)
			if err != nil {
				t.Error(err)
				done <- nil
				return
			}
			img, err := spec.Features.RenderTile(context.Background(), f, layers.TileAt(5, 5, 4), 256)
			if err != nil {
				t.Error(err)
			}
			done <- img
		}()
	}
	for range 4 {
		if img := <-done; alphaCount(img) == 0 {
			t.Errorf("tile over the square is empty")
		}
	}
	spec, _ := cat.Spec(context.Background(), l)
	if img, err := spec.Features.RenderTile(context.Background(), f, layers.TileAt(-100, -40, 4), 256); err != nil || img != nil {
		t.Errorf("tile far away = %v, %v; want nil", img != nil, err)
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.Load())
	}
	if strings.Contains(spec.Features.Key(), "?") || !strings.HasPrefix(spec.Features.Key(), "geojson ") {
		t.Errorf("Key = %q", spec.Features.Key())
	}
}

// TestRenderTileErrorShared: an error reaches the tile (the layer's state)
// and the next tile tries again.
func TestRenderTileErrorShared(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(square))
	}))
	defer srv.Close()
	spec, err := Kind{}.Resolve(context.Background(), layers.Env{}, project.Layer{Source: srv.URL + "/a.geojson"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fetcher{client: srv.Client()}
	_, err = spec.Features.RenderTile(context.Background(), f, layers.TileAt(5, 5, 3), 256)
	var he *layers.HTTPError
	if !errors.As(err, &he) || he.Status != 401 {
		t.Errorf("err = %v, want HTTP 401", err)
	}
	fail.Store(false)
	if img, err := spec.Features.RenderTile(context.Background(), f, layers.TileAt(5, 5, 3), 256); err != nil || alphaCount(img) == 0 {
		t.Errorf("after the server recovered: %v", err)
	}
}

// TestLocalFile: a relative path resolved against the project folder, read
// once, no Source; a file over the bound is refused before it is read.
func TestLocalFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sq.geojson"), []byte(square), 0o600); err != nil {
		t.Fatal(err)
	}
	// The project format keeps "sq.geojson"; the Catalog gets it resolved.
	abs := (&project.Project{}).Resolve("file://" + filepath.ToSlash(filepath.Join(dir, "sq.geojson")))
	l := project.Layer{Kind: project.KindGeoJSON, Source: abs}
	if src, err := (Kind{}).Source(l); err != nil || src != "" {
		t.Errorf("Source = %q, %v; want \"\"", src, err)
	}
	spec, err := Kind{}.Resolve(context.Background(), layers.Env{}, l)
	if err != nil {
		t.Fatal(err)
	}
	img, err := spec.Features.RenderTile(context.Background(), nil, layers.TileAt(5, 5, 4), 256)
	if err != nil || alphaCount(img) == 0 {
		t.Fatalf("RenderTile = %v", err)
	}
	small, _ := Kind{Options: vector.Options{MaxBytes: 100}}.Resolve(context.Background(), layers.Env{}, l)
	if _, err := small.Features.RenderTile(context.Background(), nil, layers.TileAt(5, 5, 4), 256); !errors.Is(err, vector.ErrLimit) {
		t.Errorf("large file: %v, want ErrLimit", err)
	}
	missing, _ := Kind{}.Resolve(context.Background(), layers.Env{}, project.Layer{Source: filepath.Join(dir, "nope.geojson")})
	if _, err := missing.Features.RenderTile(context.Background(), nil, layers.TileAt(5, 5, 4), 256); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

package wms_test

// Integration tests against the real MapServer 8 behind nginx of
// .ci/mapserver. Run them with
//
//	bash .ci/mapserver/server.sh up && eval "$(bash .ci/mapserver/server.sh env)"
//	go test -count=1 -run MapServer -v ./layers/
//
// Without MAPVAULT_MAPSERVER_URL they skip (they fail under CI=true).
// Every request a test sends carries its own marker parameter (a vendor
// parameter MapServer ignores and GetMap URLs keep), so the request counts
// read from nginx's access log are the test's own.

import (
	"context"
	"errors"
	"image"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/layers/wms"
	"mapvault/project"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

var msLayerNames = []string{"land", "countries", "borders"}

func msCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func msSourceOf(t *testing.T, raw string) vault.Source {
	t.Helper()
	src, err := vault.SourceOf(raw)
	if err != nil {
		t.Fatalf("SourceOf: %v", err)
	}
	return src
}

// msCount counts the logged requests whose query holds REQUEST=<request>.
func msCount(entries []vaulttest.LogEntry, request string) int {
	n := 0
	for _, e := range entries {
		if strings.Contains(strings.ToUpper(e.Query), "REQUEST="+strings.ToUpper(request)) {
			n++
		}
	}
	return n
}

func TestMapServerCapabilities(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	client := vault.NewClient(vault.NewStore(), vault.NewKeyVault(), vault.TransportOptions{RequestTimeout: 10 * time.Second})
	marker := vaulttest.NewMarker(t)
	service := m.Location("/public/wms") + "?" + marker

	caps, err := wms.FetchCapabilities(msCtx(t), client, service)
	if err != nil {
		t.Fatalf("FetchCapabilities(/public/wms): %v", err)
	}
	if caps.Version != "1.3.0" {
		t.Errorf("Version = %q, want 1.3.0", caps.Version)
	}
	if got := m.WaitAccessLog(t, marker, 1); len(got) != 1 || !strings.Contains(got[0].Query, "VERSION=1.3.0") {
		t.Errorf("nginx logged %d capabilities requests, want 1 with VERSION=1.3.0", len(got))
	}
	if u := caps.GetMapURL; !strings.HasPrefix(u, m.Location("/public/wms")) {
		t.Errorf("GetMapURL = %q, want the /public/wms location", u)
	}
	checkMapServerLayers(t, caps)

	// The mapfile declares EPSG:3857 on the root layer only: the children
	// must have it by inheritance, not because the document repeats it.
	raw := msFetchRaw(t, client, m.Location("/public/wms"), "1.3.0")
	if n := strings.Count(raw, "<CRS>EPSG:3857</CRS>"); n != 1 {
		t.Errorf("the 1.3.0 document lists EPSG:3857 %d times, want once (root only): inheritance is not exercised", n)
	}

	// The same server's 1.1.1 document: same layers, SRS and
	// LatLonBoundingBox inherited the same way.
	raw111 := msFetchRaw(t, client, m.Location("/public/wms"), "1.1.1")
	caps111, err := wms.ParseCapabilities(strings.NewReader(raw111))
	if err != nil {
		t.Fatalf("ParseCapabilities(1.1.1 document): %v", err)
	}
	if caps111.Version != "1.1.1" {
		t.Errorf("1.1.1 document: Version = %q, want 1.1.1", caps111.Version)
	}
	checkMapServerLayers(t, caps111)
	for _, name := range msLayerNames {
		a, b := caps.Find(name), caps111.Find(name)
		if a == nil || b == nil || a.GeographicBBox == nil || b.GeographicBBox == nil {
			continue // reported by checkMapServerLayers
		}
		for i, pair := range [][2]float64{
			{a.GeographicBBox.Min(0), b.GeographicBBox.Min(0)}, {a.GeographicBBox.Min(1), b.GeographicBBox.Min(1)},
			{a.GeographicBBox.Max(0), b.GeographicBBox.Max(0)}, {a.GeographicBBox.Max(1), b.GeographicBBox.Max(1)},
		} {
			if math.Abs(pair[0]-pair[1]) > 1e-6 {
				t.Errorf("layer %s geographic bbox value %d: 1.3.0 %v, 1.1.1 %v, want equal", name, i, pair[0], pair[1])
			}
		}
	}
}

// checkMapServerLayers checks the demo layers of .ci/mapserver/mapvault.map.
func checkMapServerLayers(t *testing.T, caps *wms.Capabilities) {
	t.Helper()
	root := caps.Find("mapvault")
	if root == nil {
		t.Fatalf("%s: no root layer mapvault", caps.Version)
	}
	for _, name := range msLayerNames {
		l := caps.Find(name)
		if l == nil {
			t.Errorf("%s: layer %q missing", caps.Version, name)
			continue
		}
		if l.Parent != root || l.Depth != 1 {
			t.Errorf("%s: layer %q parent %v depth %d, want child of mapvault at depth 1", caps.Version, name, l.Parent, l.Depth)
		}
		for _, crs := range []string{"EPSG:3857", "EPSG:4326"} {
			if !l.HasCRS(crs) {
				t.Errorf("%s: layer %q CRS = %v, want %s (inherited from the root)", caps.Version, name, l.CRS(), crs)
			}
		}
		if got, err := wms.ChooseCRS(l); err != nil || got != "EPSG:3857" {
			t.Errorf("%s: ChooseCRS(%s) = %q, %v, want EPSG:3857", caps.Version, name, got, err)
		}
		b := l.GeographicBBox
		if b == nil {
			t.Errorf("%s: layer %q has no geographic bbox", caps.Version, name)
			continue
		}
		if b.Min(0) < -180 || b.Max(0) > 180 || b.Min(1) < -90 || b.Max(1) > 90 || b.Max(0)-b.Min(0) < 90 || b.Max(1)-b.Min(1) < 45 {
			t.Errorf("%s: layer %q geographic bbox %v..%v, want a world-wide lon/lat box", caps.Version, name, b.Min(0), b.Max(0))
		}
	}
	if l := caps.Find("countries"); l != nil && (!l.Queryable || len(l.Styles()) < 2) {
		t.Errorf("%s: countries queryable %v styles %d, want queryable with outline and filled", caps.Version, l.Queryable, len(l.Styles()))
	}
}

func msFetchRaw(t *testing.T, client *http.Client, service, version string) string {
	t.Helper()
	u, err := wms.CapabilitiesURL(service, version)
	if err != nil {
		t.Fatalf("CapabilitiesURL: %v", err)
	}
	req, err := http.NewRequestWithContext(msCtx(t), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GetCapabilities %s: %v", version, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GetCapabilities %s: %d, %v", version, resp.StatusCode, err)
	}
	return string(body)
}

// TestMapServerCapabilitiesFallback: /keyexc/wms answers every request
// without the key with a 200 ServiceException; FetchCapabilities asks
// 1.3.0, falls back to 1.1.1, and reports the exception.
func TestMapServerCapabilitiesFallback(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	client := vault.NewClient(vault.NewStore(), vault.NewKeyVault(), vault.TransportOptions{RequestTimeout: 10 * time.Second})
	marker := vaulttest.NewMarker(t)
	_, err := wms.FetchCapabilities(msCtx(t), client, m.Location("/keyexc/wms")+"?"+marker)
	var se *layers.ServiceException
	if !errors.As(err, &se) || se.Code != "InvalidAuthKey" {
		t.Fatalf("FetchCapabilities(/keyexc/wms, no key) error = %v, want ServiceException InvalidAuthKey", err)
	}
	got := m.WaitAccessLog(t, marker, 2)
	if len(got) != 2 || !strings.Contains(got[0].Query, "VERSION=1.3.0") || !strings.Contains(got[1].Query, "VERSION=1.1.1") {
		var versions []string
		for _, e := range got {
			_, v, _ := strings.Cut(e.Query, "VERSION=")
			v, _, _ = strings.Cut(v, "&")
			versions = append(versions, v)
		}
		t.Errorf("requested versions = %v, want [1.3.0 1.1.1]", versions)
	}
}

// msView is Europe at zoom 4 in 512x512.
var msView = layers.View{CenterLon: 10, CenterLat: 50, Zoom: 4, Width: 512, Height: 512}

// msPixel returns the frame pixel of lon/lat in msView (scale 1).
func msPixel(lon, lat float64) image.Point {
	world := float64(layers.TileSize) * math.Exp2(msView.Zoom)
	frac := func(lon, lat float64) (float64, float64) {
		x, y := layers.LonLatToMercator(lon, lat)
		return (x + layers.MercatorExtent) / (2 * layers.MercatorExtent), (layers.MercatorExtent - y) / (2 * layers.MercatorExtent)
	}
	cx, cy := frac(msView.CenterLon, msView.CenterLat)
	px, py := frac(lon, lat)
	return image.Pt(
		int(math.Round(float64(msView.Width)/2+(px-cx)*world)),
		int(math.Round(float64(msView.Height)/2+(py-cy)*world)),
	)
}

// checkMapServerFrame checks land and sea in a rendered Europe frame.
func checkMapServerFrame(t *testing.T, frame *image.RGBA) {
	t.Helper()
	if frame == nil || frame.Bounds() != image.Rect(0, 0, msView.Width, msView.Height) {
		t.Fatalf("frame bounds = %v, want 512x512", frame.Bounds())
	}
	points := []struct {
		name     string
		lon, lat float64
		land     bool
	}{
		{"Germany (Franconia)", 10, 50, true},
		{"Poland", 20, 52, true},
		{"France (Massif Central)", 3, 45.5, true},
		{"Bay of Biscay", -8, 46, false},
		{"North Sea", 3.5, 55.5, false},
	}
	for _, p := range points {
		pt := msPixel(p.lon, p.lat)
		if !pt.In(frame.Bounds()) {
			t.Fatalf("%s at %v is outside the frame", p.name, pt)
		}
		// A 3x3 neighbourhood, so a border line through the point does not matter.
		minA, maxA := uint8(255), uint8(0)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				a := frame.RGBAAt(pt.X+dx, pt.Y+dy).A
				minA, maxA = min(minA, a), max(maxA, a)
			}
		}
		switch {
		case p.land && minA != 255:
			t.Errorf("%s at %v: alpha down to %d, want opaque land", p.name, pt, minA)
		case !p.land && maxA != 0:
			t.Errorf("%s at %v: alpha up to %d, want transparent sea", p.name, pt, maxA)
		}
	}
	// Inside Poland, away from borders: the land style's fill (221 212 180).
	c := frame.RGBAAt(msPixel(20, 52).X, msPixel(20, 52).Y)
	for i, pair := range [][2]uint8{{c.R, 221}, {c.G, 212}, {c.B, 180}} {
		if d := int(pair[0]) - int(pair[1]); d < -8 || d > 8 {
			t.Errorf("land colour channel %d = %d, want about %d (mapfile land COLOR)", i, pair[0], pair[1])
		}
	}
}

// msSpecs resolves the three demo layers on service through a catalog and
// points their GetMap URL at service tagged with marker.
func msSpecs(t *testing.T, client *http.Client, service, marker string) []layers.LayerSpec {
	t.Helper()
	cat := layers.NewCatalog(client, layers.NewRegistry(wms.Kind{}), nil)
	var specs []layers.LayerSpec
	for _, name := range msLayerNames {
		spec, err := cat.Spec(msCtx(t), project.Layer{
			ID: name, Kind: project.KindWMS, Source: service, WMS: project.WMS{Layers: []string{name}}, Opacity: 1, Visible: true,
		})
		if err != nil {
			t.Fatalf("Catalog.Spec(%s): %v", name, err)
		}
		p := spec.Tiles.(*wms.Tiles).Params()
		if p.Version != "1.3.0" || p.CRS != "EPSG:3857" || !p.Transparent || p.Format != "image/png" {
			t.Errorf("spec %s = version %s CRS %s transparent %v format %s, want 1.3.0 EPSG:3857 true image/png",
				name, p.Version, p.CRS, p.Transparent, p.Format)
		}
		if !strings.HasPrefix(p.URL, service) {
			t.Errorf("spec %s GetMap URL = %s, want the service location", name, vault.RedactURL(p.URL))
		}
		// The capabilities' GetMap URL drops the marker: put it back, so
		// that the access log shows this test's GetMaps.
		spec = withGetMapURL(t, spec, service+"?"+marker)
		specs = append(specs, spec)
	}
	return specs
}

// withGetMapURL returns s requesting its GetMaps from u.
func withGetMapURL(t *testing.T, s layers.LayerSpec, u string) layers.LayerSpec {
	t.Helper()
	p := s.Tiles.(*wms.Tiles).Params()
	p.URL = u
	tiles, err := wms.NewTiles(p)
	if err != nil {
		t.Fatal(err)
	}
	s.Tiles = tiles
	return s
}

func msStatesOK(t *testing.T, states map[string]layers.State, tiles int) {
	t.Helper()
	for _, name := range msLayerNames {
		st, ok := states[name]
		if !ok || st.Kind != layers.StateOK || st.Done != tiles || st.Failed != 0 {
			t.Errorf("state of %s = %v (%v), want ok %d/%d", name, st, ok, tiles, tiles)
		}
	}
}

// msMetatiles returns how many GetMaps Render needs for msView: the
// distinct URLs of the merged source's tiles, fitted to the view.
func msMetatiles(t *testing.T, specs []layers.LayerSpec) int {
	t.Helper()
	var src layers.TileSource = specs[0].Tiles
	for _, s := range specs[1:] {
		m, ok := src.(layers.Merger).Merge(s.Tiles)
		if !ok {
			t.Fatal("the MapServer layers do not merge")
		}
		src = m
	}
	px := int(math.Round(layers.TileSize * math.Max(msView.Scale, 1)))
	if z, cover, _, ok := layers.ViewCover(msView); ok {
		src = src.(layers.Metatiler).FitView(z, cover, px, 2) // one group: two parts
	}
	urls := map[string]bool{}
	for _, tile := range layers.TilesForView(msView) {
		if r, ok := src.Tile(tile, px); ok {
			urls[r.URL] = true
		}
	}
	return len(urls)
}

// checkRenders renders msView twice and checks states, pixels and request
// counts (in Stats and in nginx's log).
func checkRenders(t *testing.T, m *vaulttest.MapServer, eng *layers.Engine, specs []layers.LayerSpec, marker string) {
	t.Helper()
	tiles := len(layers.TilesForView(msView))
	start := time.Now()
	frame, states, stats := eng.Render(msCtx(t), msView, specs, nil)
	t.Logf("first render: %d tiles, %d requests, %d bytes, %v", stats.Tiles, stats.Requests, stats.Bytes, time.Since(start).Round(time.Millisecond))
	msStatesOK(t, states, tiles)
	checkMapServerFrame(t, frame)
	// The three layers share service, version, CRS and format: one merged
	// GetMap per block of the view (Render fits its metatiles to the view).
	reqs := msMetatiles(t, specs)
	if stats.Requests != int64(reqs) || stats.Tiles != int64(tiles) || reqs >= tiles {
		t.Errorf("first render stats = %+v, want %d tiles, %d requests (blocks of the view)", stats, tiles, reqs)
	}
	logged := m.WaitAccessLog(t, marker, reqs)
	if got := msCount(logged, "GetMap"); got != reqs {
		t.Errorf("nginx logged %d GetMap requests, want %d (one per block)", got, reqs)
	}
	for _, e := range logged {
		if e.Status != http.StatusOK || !strings.Contains(e.Query, "LAYERS=land,countries,borders") {
			t.Errorf("GetMap %s answered %d, want 200 with LAYERS=land,countries,borders", e.Path, e.Status)
			break
		}
	}

	frame2, states2, stats2 := eng.Render(msCtx(t), msView, specs, nil)
	msStatesOK(t, states2, tiles)
	if stats2.Requests != 0 || stats2.CacheHits != int64(tiles) {
		t.Errorf("second render stats = %+v, want 0 requests, %d cache hits", stats2, tiles)
	}
	if got := len(m.WaitAccessLog(t, marker, 0)); got != len(logged) {
		t.Errorf("nginx logged %d requests after the second render, want still %d", got, len(logged))
	}
	if frame2 == nil || string(frame2.Pix) != string(frame.Pix) {
		t.Errorf("second render (from the cache) differs from the first")
	}
}

func TestMapServerRenderPublic(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	client := vault.NewClient(vault.NewStore(), vault.NewKeyVault(), vault.TransportOptions{RequestTimeout: 10 * time.Second})
	marker := vaulttest.NewMarker(t)
	specs := msSpecs(t, client, m.Location("/public/wms"), marker)
	checkRenders(t, m, layers.NewEngine(client, layers.Options{}), specs, marker)
}

func TestMapServerRenderKey(t *testing.T) {
	m := vaulttest.RequireMapServer(t)
	service := m.Location("/key/wms")
	src := msSourceOf(t, service)
	entry := vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"}

	st, kv := vault.NewStore(), vault.NewKeyVault()
	st.Set(src, vault.Credential{Key: m.Key})
	kv.Set(src, entry)
	client := vault.NewClient(st, kv, vault.TransportOptions{RequestTimeout: 10 * time.Second})
	marker := vaulttest.NewMarker(t)
	specs := msSpecs(t, client, service, marker)
	for _, s := range specs {
		if strings.Contains(s.Tiles.(*wms.Tiles).Params().URL, m.Key) || strings.Contains(s.Tiles.Key(), m.Key) {
			t.Fatalf("spec %s URL holds the key", s.ID)
		}
	}

	t.Run("with key", func(t *testing.T) {
		checkRenders(t, m, layers.NewEngine(client, layers.Options{}), specs, marker)
		for _, e := range m.AccessLog(t, marker) {
			if !strings.Contains(e.Query, "authkey="+m.Key) {
				t.Errorf("a request to %s went without the key", e.Path)
				break
			}
		}
		if got := st.Status(src); got != vault.StatusVerified {
			t.Errorf("store status = %v, want verified", got)
		}
	})

	t.Run("no credential", func(t *testing.T) {
		// The KeyVault says the source needs a key; the session has none.
		kv2 := vault.NewKeyVault()
		kv2.Set(src, entry)
		bare := vault.NewClient(vault.NewStore(), kv2, vault.TransportOptions{RequestTimeout: 10 * time.Second})
		marker2 := vaulttest.NewMarker(t)
		blocked := make([]layers.LayerSpec, len(specs))
		for i, s := range specs {
			blocked[i] = withGetMapURL(t, s, service+"?"+marker2)
		}
		eng := layers.NewEngine(bare, layers.Options{})
		frame, states, stats := eng.Render(msCtx(t), msView, blocked, nil)
		for _, name := range msLayerNames {
			if s := states[name]; s.Kind != layers.StateBlocked || s.Reason != layers.ReasonNeedsCredentials {
				t.Errorf("state of %s = %v, want blocked: %s", name, s, layers.ReasonNeedsCredentials)
			}
		}
		if stats.Requests != 0 {
			t.Errorf("stats.Requests = %d, want 0", stats.Requests)
		}
		if got := m.WaitAccessLog(t, marker2, 0); len(got) != 0 {
			t.Errorf("nginx logged %d requests, want 0 (refused before sending)", len(got))
		}
		if entries, _ := eng.CacheStats(); entries != 0 {
			t.Errorf("cache holds %d tiles, want 0", entries)
		}
		for _, a := range []uint8{frame.RGBAAt(256, 256).A} {
			if a != 0 {
				t.Errorf("blocked frame has alpha %d at the centre, want empty", a)
			}
		}
	})
}

package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"mapvault/layers/wmts"
)

// wantTile checks that r is a 256x256 PNG.
func wantTile(t *testing.T, what string, r response) {
	t.Helper()
	if r.status != 200 || r.contentType != "image/png" {
		t.Fatalf("%s: %d %q, want 200 image/png: %s", what, r.status, r.contentType, r.body)
	}
	img := decodePNG(t, r)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("%s: %v, want 256x256", what, b)
	}
}

func TestXYZTiles(t *testing.T) {
	ts := newTestServer(t)
	for _, zxy := range []string{"0/0/0", "3/4/2", "12/2176/1420"} {
		r := fetch(t, ts.URL, TilesPath+"/"+zxy+".png", nil, "", "")
		wantTile(t, zxy, r)
	}
	// The world tile has sea and land: not one colour.
	img := decodePNG(t, fetch(t, ts.URL, TilesPath+"/0/0/0.png", nil, "", ""))
	if img.At(0, 128) == img.At(140, 60) && img.At(140, 60) == img.At(60, 180) {
		t.Errorf("tile 0/0/0 is one colour")
	}
	for _, bad := range []string{"/tiles/0/1/0.png", "/tiles/13/0/0.png", "/tiles/-1/0/0.png", "/tiles/a/0/0.png", "/tiles/0/0/0.jpg", "/tiles/0/0", "/tiles/0/0/0/0.png"} {
		if r := fetch(t, ts.URL, bad, nil, "", ""); r.status != 404 {
			t.Errorf("%s: %d, want 404", bad, r.status)
		}
	}
}

func TestTileCacheBound(t *testing.T) {
	c := newTileCache(3)
	for i := range 10 {
		c.put(fmt.Sprint(i), []byte{byte(i)})
	}
	if c.len() != 3 {
		t.Errorf("len = %d, want 3", c.len())
	}
	if _, ok := c.get("9"); !ok {
		t.Errorf("the newest tile is not cached")
	}
	if _, ok := c.get("0"); ok {
		t.Errorf("the oldest tile is still cached")
	}
}

func TestWMTSCapabilities(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{WMTSPath, WMTSPath + "/1.0.0/WMTSCapabilities.xml"} {
		q := query("SERVICE=WMTS", "REQUEST=GetCapabilities", WMTSKeyParam+"="+WMTSKey)
		r := fetch(t, ts.URL, path, q, "", "")
		if r.status != 200 || !strings.Contains(r.contentType, "xml") {
			t.Fatalf("%s: %d %q: %s", path, r.status, r.contentType, r.body)
		}
		c, err := wmts.Parse(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("wmts.Parse: %v", err)
		}
		if len(c.Layers) != 1 || c.Layers[0].Identifier != WMTSLayer {
			t.Fatalf("layers = %+v, want one %q", c.Layers, WMTSLayer)
		}
		l := c.Layers[0]
		if len(l.MatrixSetLinks) != 1 || l.MatrixSetLinks[0].MatrixSet != WMTSMatrixSet {
			t.Errorf("matrix set links = %+v", l.MatrixSetLinks)
		}
		if rt := l.TileTemplate("image/png"); rt == nil || !strings.HasPrefix(rt.Template, ts.URL+WMTSPath+"/") {
			t.Errorf("tile ResourceURL = %+v", rt)
		}
		if len(c.TileMatrixSets) != 1 {
			t.Fatalf("%d tile matrix sets, want 1", len(c.TileMatrixSets))
		}
		s := c.TileMatrixSets[0]
		if s.Identifier != WMTSMatrixSet || !s.IsWebMercator() || len(s.Matrices) != WMTSMaxZoom+1 {
			t.Errorf("set %q web mercator %v with %d matrices", s.Identifier, s.IsWebMercator(), len(s.Matrices))
		}
		for z, m := range s.Matrices {
			want := 559082264.0287178 / math.Pow(2, float64(z))
			if m.Identifier != fmt.Sprint(z) || math.Abs(m.ScaleDenominator-want) > 1e-6*want || m.TileWidth != 256 || m.MatrixWidth != 1<<z {
				t.Errorf("matrix %d = %+v", z, m)
			}
		}
	}
}

func TestWMTSTiles(t *testing.T) {
	ts := newTestServer(t)
	key := WMTSKeyParam + "=" + WMTSKey
	kvp := query("SERVICE=WMTS", "REQUEST=GetTile", "VERSION=1.0.0", "LAYER="+WMTSLayer, "STYLE=default",
		"TILEMATRIXSET="+WMTSMatrixSet, "TILEMATRIX=3", "TILEROW=2", "TILECOL=4", "FORMAT=image/png", key)
	wantTile(t, "KVP GetTile", fetch(t, ts.URL, WMTSPath, kvp, "", ""))
	rest := WMTSPath + "/1.0.0/" + WMTSLayer + "/default/" + WMTSMatrixSet + "/3/2/4.png"
	wantTile(t, "RESTful tile", fetch(t, ts.URL, rest, query(key), "", ""))

	bad := query("SERVICE=WMTS", "REQUEST=GetTile", "LAYER="+WMTSLayer, "TILEMATRIXSET="+WMTSMatrixSet,
		"TILEMATRIX=3", "TILEROW=8", "TILECOL=0", "FORMAT=image/png", key)
	if r := fetch(t, ts.URL, WMTSPath, bad, "", ""); r.status != 400 || !bytes.Contains(r.body, []byte("TileOutOfRange")) {
		t.Errorf("tile out of range: %d %s", r.status, r.body)
	}
}

func TestWMTSNeedsKey(t *testing.T) {
	ts := newTestServer(t)
	caps := query("SERVICE=WMTS", "REQUEST=GetCapabilities")
	for _, q := range []url.Values{caps, query("SERVICE=WMTS", "REQUEST=GetCapabilities", WMTSKeyParam+"=wrong"),
		query("SERVICE=WMTS", "REQUEST=GetCapabilities", KeyParam+"="+AccessKey)} {
		r := fetch(t, ts.URL, WMTSPath, q, "", "")
		if r.status != 401 {
			t.Errorf("%v: %d, want 401", q, r.status)
		}
		if h := r.header.Get("WWW-Authenticate"); h != "" {
			t.Errorf("%v: WWW-Authenticate %q, want none", q, h)
		}
	}
	if r := fetch(t, ts.URL, WMTSPath+"/1.0.0/"+WMTSLayer+"/default/"+WMTSMatrixSet+"/0/0/0.png", nil, "", ""); r.status != 401 {
		t.Errorf("RESTful tile without key: %d, want 401", r.status)
	}
	// The WMS key does not open the WMTS, nor the WMTS key the WMS.
	if r := fetch(t, ts.URL, KeyPath, query("SERVICE=WMS", "REQUEST=GetCapabilities", KeyParam+"="+WMTSKey), "", ""); r.status != 401 {
		t.Errorf("WMS with the WMTS key: %d, want 401", r.status)
	}
}

// featurePage is an OGC API items response.
type featurePage struct {
	Type     string `json:"type"`
	Features []struct {
		ID         any            `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	} `json:"features"`
	NumberMatched int `json:"numberMatched"`
	Links         []struct {
		Href, Rel, Type string
	} `json:"links"`
}

func (p featurePage) next() string {
	for _, l := range p.Links {
		if l.Rel == "next" {
			return l.Href
		}
	}
	return ""
}

func TestFeaturesService(t *testing.T) {
	ts := newTestServer(t)
	get := func(path string, q url.Values) response {
		t.Helper()
		r := fetch(t, ts.URL, path, q, BasicUser, BasicPassword)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return r
	}
	var landing struct {
		Title string
		Links []struct{ Href, Rel string }
	}
	if err := json.Unmarshal(get(FeaturesPath, nil).body, &landing); err != nil {
		t.Fatal(err)
	}
	data := ""
	for _, l := range landing.Links {
		if l.Rel == "data" {
			data = l.Href
		}
	}
	if data != ts.URL+FeaturesPath+"/collections" {
		t.Errorf("landing data link = %q", data)
	}
	var colls struct {
		Collections []struct {
			ID    string
			Links []struct{ Href, Rel, Type string }
		}
	}
	if err := json.Unmarshal(get(FeaturesPath+"/collections", nil).body, &colls); err != nil {
		t.Fatal(err)
	}
	if len(colls.Collections) != 1 || colls.Collections[0].ID != FeaturesCollection {
		t.Fatalf("collections = %+v", colls.Collections)
	}

	// Europe, two features a page: every page but the last has a next link.
	itemsPath := FeaturesPath + "/collections/" + FeaturesCollection + "/items"
	r := get(itemsPath, query("bbox=-10,35,30,60", "limit=2"))
	if r.contentType != "application/geo+json" {
		t.Errorf("items Content-Type = %q", r.contentType)
	}
	var page featurePage
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	if page.Type != "FeatureCollection" || len(page.Features) != 2 || page.NumberMatched <= 2 {
		t.Fatalf("first page: %s %d features of %d", page.Type, len(page.Features), page.NumberMatched)
	}
	f := page.Features[0]
	if _, ok := f.Properties["name"].(string); !ok || f.Properties["iso_n3"] == nil || f.Geometry == nil {
		t.Errorf("feature = %+v, want name, iso_n3 and a geometry", f)
	}
	seen := map[string]bool{}
	names := func(p featurePage) {
		for _, f := range p.Features {
			seen[f.Properties["name"].(string)] = true
		}
	}
	names(page)
	pages := 1
	for next := page.next(); next != ""; next = page.next() {
		u, err := url.Parse(next)
		if err != nil || !strings.HasPrefix(next, ts.URL+itemsPath+"?") {
			t.Fatalf("next link %q", next)
		}
		page = featurePage{}
		if err := json.Unmarshal(get(itemsPath, u.Query()).body, &page); err != nil {
			t.Fatal(err)
		}
		names(page)
		if pages++; pages > 100 {
			t.Fatal("next links do not end")
		}
	}
	if len(seen) != page.NumberMatched || !seen["France"] || !seen["Germany"] || seen["Japan"] {
		t.Errorf("pages gave %d distinct countries of %d matched (France %v, Japan %v)", len(seen), page.NumberMatched, seen["France"], seen["Japan"])
	}
	for _, q := range []url.Values{query("limit=0"), query("limit=x"), query("bbox=1,2,3"), query("offset=-1")} {
		if r := fetch(t, ts.URL, itemsPath, q, BasicUser, BasicPassword); r.status != 400 {
			t.Errorf("items?%s: %d, want 400", q.Encode(), r.status)
		}
	}
}

func TestFeaturesNeedsBasic(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{FeaturesPath, FeaturesPath + "/collections", FeaturesPath + "/collections/" + FeaturesCollection + "/items"} {
		for _, cred := range [][2]string{{"", ""}, {BasicUser, "wrong"}} {
			r := fetch(t, ts.URL, path, nil, cred[0], cred[1])
			if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("%s as %q: %d %q, want 401 with a Basic challenge", path, cred[0], r.status, r.header.Get("WWW-Authenticate"))
			}
		}
	}
}

func TestIndexListsEveryService(t *testing.T) {
	ts := newTestServer(t)
	r := fetch(t, ts.URL, "/", nil, "", "")
	for _, p := range []string{PublicPath, BasicPath, KeyPath, TilesTemplate, WMTSPath, FeaturesPath} {
		if !bytes.Contains(r.body, []byte(p)) {
			t.Errorf("index lacks %s:\n%s", p, r.body)
		}
	}
}

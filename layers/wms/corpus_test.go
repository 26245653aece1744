package wms

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/twpayne/go-geom"
)

// The conformance corpus lives outside the repository (see
// docs and /work/shared/guide/REAL-PARTS.md); it is never copied in.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "wms-capabilities")

type corpusExpected struct {
	Files map[string]corpusFile `json:"files"`
}

type corpusFile struct {
	Version string `json:"version"`
	Service struct {
		Title          *string `json:"title"`
		OnlineResource *string `json:"online_resource"`
	} `json:"service"`
	GetMap struct {
		Formats           []string `json:"formats"`
		FormatsCount      *int     `json:"formats_count"`
		GetOnlineResource *string  `json:"get_online_resource"`
	} `json:"getmap"`
	Layers struct {
		RootLayerElements *int `json:"root_layer_elements"`
		Total             *int `json:"total"`
		Named             *int `json:"named"`
		NamedDistinct     *int `json:"named_distinct"`
		Unnamed           *int `json:"unnamed"`
		NamedQueryable    *int `json:"named_queryable"`
		MaxDepth          *int `json:"max_depth"`
		Root              *struct {
			Name     *string `json:"name"`
			Title    *string `json:"title"`
			CRSCount *int    `json:"crs_count"`
		} `json:"root"`
		NamedLayerNames []string `json:"named_layer_names"`
		NamesFirst5     []string `json:"named_layer_names_first_5"`
		NamesLast5      []string `json:"named_layer_names_last_5"`
	} `json:"layers"`
	Tree         []corpusTree   `json:"tree"`
	SampleLayers []corpusSample `json:"sample_layers"`
}

type corpusTree struct {
	Name   *string      `json:"name"`
	Title  string       `json:"title"`
	Layers []corpusTree `json:"layers"`
}

type corpusBox struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

type corpusSample struct {
	Name                    string          `json:"name"`
	Title                   *string         `json:"title"`
	Depth                   *int            `json:"depth"`
	Queryable               *bool           `json:"queryable"`
	CRS                     []string        `json:"crs"`
	CRSCount                *int            `json:"crs_count"`
	CRSFirst10              []string        `json:"crs_first_10"`
	CRSLast5                []string        `json:"crs_last_5"`
	GeographicBBox          json.RawMessage `json:"geographic_bbox"`
	GeographicBBoxInherited *bool           `json:"geographic_bbox_inherited"`
	BBoxEPSG4326            json.RawMessage `json:"bbox_epsg4326"`
	Styles                  []string        `json:"styles"`
	StylesInherited         []string        `json:"styles_inherited"`
	Dimensions              map[string]struct {
		Name                string  `json:"name"`
		Units               *string `json:"units"`
		Default             *string `json:"default"`
		Value               *string `json:"value"`
		ValuePrefix         *string `json:"value_prefix"`
		ValueLength         *int    `json:"value_length"`
		CommaSeparatedCount *int    `json:"comma_separated_count"`
		DeclaredOnThisLayer *bool   `json:"declared_on_this_layer"`
	} `json:"dimensions"`
}

func corpusLoad(t *testing.T) corpusExpected {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, "EXPECTED.json"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("WMS capabilities corpus not found at %s: skipping the conformance test", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var exp corpusExpected
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatalf("EXPECTED.json: %v", err)
	}
	if len(exp.Files) == 0 {
		t.Fatal("EXPECTED.json lists no files")
	}
	return exp
}

func corpusParse(t testing.TB, name string) *Capabilities {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	caps, err := ParseCapabilities(f)
	if err != nil {
		t.Fatalf("ParseCapabilities(%s) error: %v", name, err)
	}
	return caps
}

func TestCorpus(t *testing.T) {
	exp := corpusLoad(t)
	names := make([]string, 0, len(exp.Files))
	for name := range exp.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want := exp.Files[name]
		t.Run(name, func(t *testing.T) {
			caps := corpusParse(t, name)
			corpusCheckDocument(t, caps, want)
			corpusCheckLayers(t, caps, want)
			if want.Tree != nil {
				corpusCheckTree(t, "tree", caps.Roots, want.Tree)
			}
			for _, s := range want.SampleLayers {
				l := caps.Find(s.Name)
				if l == nil {
					t.Errorf("Find(%q) = nil, want a layer", s.Name)
					continue
				}
				corpusCheckSample(t, caps, l, s)
			}
		})
	}
}

func corpusCheckDocument(t *testing.T, caps *Capabilities, want corpusFile) {
	t.Helper()
	if caps.Version != want.Version {
		t.Errorf("Version = %q, want %q", caps.Version, want.Version)
	}
	if got, w := caps.Title, deref(want.Service.Title); got != w {
		t.Errorf("Title = %q, want %q", got, w)
	}
	if want.Service.OnlineResource != nil && caps.OnlineResource != *want.Service.OnlineResource {
		t.Errorf("OnlineResource = %q, want %q", caps.OnlineResource, *want.Service.OnlineResource)
	}
	if want.GetMap.Formats != nil && !slices.Equal(caps.GetMapFormats, want.GetMap.Formats) {
		t.Errorf("GetMapFormats = %q, want %q", caps.GetMapFormats, want.GetMap.Formats)
	}
	if want.GetMap.FormatsCount != nil && len(caps.GetMapFormats) != *want.GetMap.FormatsCount {
		t.Errorf("len(GetMapFormats) = %d, want %d", len(caps.GetMapFormats), *want.GetMap.FormatsCount)
	}
	if want.GetMap.GetOnlineResource != nil && caps.GetMapURL != *want.GetMap.GetOnlineResource {
		t.Errorf("GetMapURL = %q, want %q", caps.GetMapURL, *want.GetMap.GetOnlineResource)
	}
}

func corpusCheckLayers(t *testing.T, caps *Capabilities, want corpusFile) {
	t.Helper()
	all := caps.Layers()
	var named []string
	distinct := map[string]bool{}
	unnamed, queryable, maxDepth := 0, 0, 0
	for _, l := range all {
		if l.Name == "" {
			unnamed++
		} else {
			named = append(named, l.Name)
			distinct[l.Name] = true
			if l.Queryable {
				queryable++
			}
		}
		maxDepth = max(maxDepth, l.Depth)
	}
	w := want.Layers
	counts := []struct {
		what string
		got  int
		want *int
	}{
		{"root layer elements", len(caps.Roots), w.RootLayerElements},
		{"total layers", len(all), w.Total},
		{"named layers", len(named), w.Named},
		{"distinct names", len(distinct), w.NamedDistinct},
		{"unnamed layers", unnamed, w.Unnamed},
		{"named queryable layers", queryable, w.NamedQueryable},
		{"max depth", maxDepth, w.MaxDepth},
	}
	for _, c := range counts {
		if c.want != nil && c.got != *c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, *c.want)
		}
	}
	if w.NamedLayerNames != nil && !slices.Equal(named, w.NamedLayerNames) {
		t.Errorf("named layer names = %q, want %q", named, w.NamedLayerNames)
	}
	if w.NamesFirst5 != nil && !slices.Equal(named[:min(5, len(named))], w.NamesFirst5) {
		t.Errorf("first 5 names = %q, want %q", named[:min(5, len(named))], w.NamesFirst5)
	}
	if w.NamesLast5 != nil && !slices.Equal(named[max(0, len(named)-5):], w.NamesLast5) {
		t.Errorf("last 5 names = %q, want %q", named[max(0, len(named)-5):], w.NamesLast5)
	}
	if w.Root != nil {
		if len(caps.Roots) == 0 {
			t.Fatalf("Roots is empty, want a root layer %q", deref(w.Root.Title))
		}
		r := caps.Roots[0]
		if r.Name != deref(w.Root.Name) || r.Title != deref(w.Root.Title) {
			t.Errorf("root = %q/%q, want %q/%q", r.Name, r.Title, deref(w.Root.Name), deref(w.Root.Title))
		}
		if w.Root.CRSCount != nil && len(r.CRS()) != *w.Root.CRSCount {
			t.Errorf("root len(CRS) = %d, want %d", len(r.CRS()), *w.Root.CRSCount)
		}
	}
}

func corpusCheckTree(t *testing.T, path string, got []*Layer, want []corpusTree) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d layers, want %d", path, len(got), len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Name != deref(w.Name) || g.Title != w.Title {
			t.Errorf("%s[%d] = %q/%q, want %q/%q", path, i, g.Name, g.Title, deref(w.Name), w.Title)
		}
		corpusCheckTree(t, path+"/"+w.Title, g.Children, w.Layers)
	}
}

func corpusCheckSample(t *testing.T, caps *Capabilities, l *Layer, s corpusSample) {
	t.Helper()
	n := s.Name
	if s.Title != nil && l.Title != *s.Title {
		t.Errorf("%s: Title = %q, want %q", n, l.Title, *s.Title)
	}
	if s.Depth != nil && l.Depth != *s.Depth {
		t.Errorf("%s: Depth = %d, want %d", n, l.Depth, *s.Depth)
	}
	if s.Queryable != nil && l.Queryable != *s.Queryable {
		t.Errorf("%s: Queryable = %v, want %v", n, l.Queryable, *s.Queryable)
	}
	corpusCheckCRS(t, l, s)
	corpusCheckGeo(t, l, s)
	corpusCheckStyles(t, l, s)
	corpusCheckDims(t, l, s)
}

func corpusCheckCRS(t *testing.T, l *Layer, s corpusSample) {
	t.Helper()
	n := s.Name
	if s.CRS != nil {
		got, want := slices.Sorted(slices.Values(l.CRS())), slices.Sorted(slices.Values(s.CRS))
		if !slices.Equal(got, want) {
			t.Errorf("%s: CRS = %q, want (as a set) %q", n, l.CRS(), s.CRS)
		}
	}
	if s.CRSCount != nil && len(l.CRS()) != *s.CRSCount {
		t.Errorf("%s: len(CRS) = %d, want %d", n, len(l.CRS()), *s.CRSCount)
	}
	if s.CRSFirst10 != nil && !slices.Equal(l.CRS()[:min(10, len(l.CRS()))], s.CRSFirst10) {
		t.Errorf("%s: first 10 CRS = %q, want %q", n, l.CRS()[:min(10, len(l.CRS()))], s.CRSFirst10)
	}
	if s.CRSLast5 != nil && !slices.Equal(l.CRS()[max(0, len(l.CRS())-5):], s.CRSLast5) {
		t.Errorf("%s: last 5 CRS = %q, want %q", n, l.CRS()[max(0, len(l.CRS())-5):], s.CRSLast5)
	}
	for _, c := range s.CRS {
		if !l.HasCRS(strings.ToLower(c)) {
			t.Errorf("%s: HasCRS(%q) = false, want true", n, strings.ToLower(c))
		}
	}
}

func corpusCheckGeo(t *testing.T, l *Layer, s corpusSample) {
	t.Helper()
	n := s.Name
	if s.GeographicBBox != nil {
		var want *corpusBox
		if err := json.Unmarshal(s.GeographicBBox, &want); err != nil {
			t.Fatal(err)
		}
		corpusCheckBox(t, n+": GeographicBBox", l.GeographicBBox, want)
	}
	if s.GeographicBBoxInherited != nil && l.GeographicBBoxInherited != *s.GeographicBBoxInherited {
		t.Errorf("%s: GeographicBBoxInherited = %v, want %v", n, l.GeographicBBoxInherited, *s.GeographicBBoxInherited)
	}
	if s.BBoxEPSG4326 != nil {
		var b *struct {
			Lonlat *corpusBox `json:"lonlat"`
		}
		if err := json.Unmarshal(s.BBoxEPSG4326, &b); err != nil {
			t.Fatal(err)
		}
		var want *corpusBox
		if b != nil {
			want = b.Lonlat
		}
		corpusCheckBox(t, n+`: BBoxes["EPSG:4326"]`, l.BBoxes()["EPSG:4326"], want)
	}
}

func corpusCheckBox(t *testing.T, what string, got *geom.Bounds, want *corpusBox) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s = %v, want nil", what, got)
		}
		return
	}
	if got == nil {
		t.Errorf("%s = nil, want %+v", what, *want)
		return
	}
	g := [4]float64{got.Min(0), got.Min(1), got.Max(0), got.Max(1)}
	w := [4]float64{want.West, want.South, want.East, want.North}
	for i := range g {
		if math.Abs(g[i]-w[i]) > 1e-9 {
			t.Errorf("%s = %v, want %v (west, south, east, north)", what, g, w)
			return
		}
	}
}

func corpusCheckStyles(t *testing.T, l *Layer, s corpusSample) {
	t.Helper()
	n := s.Name
	var names, inherited []string
	for _, st := range l.Styles() {
		names = append(names, st.Name)
		if l.Parent != nil && slices.ContainsFunc(l.Parent.Styles(), func(p Style) bool { return p.Name == st.Name }) {
			inherited = append(inherited, st.Name)
		}
	}
	if s.Styles != nil && !slices.Equal(names, s.Styles) && !(len(names) == 0 && len(s.Styles) == 0) {
		t.Errorf("%s: Styles = %q, want %q", n, names, s.Styles)
	}
	if s.StylesInherited != nil && !slices.Equal(inherited, s.StylesInherited) && !(len(inherited) == 0 && len(s.StylesInherited) == 0) {
		t.Errorf("%s: inherited styles = %q, want %q", n, inherited, s.StylesInherited)
	}
}

func corpusCheckDims(t *testing.T, l *Layer, s corpusSample) {
	t.Helper()
	n := s.Name
	if s.Dimensions == nil {
		return
	}
	if len(l.Dimensions()) != len(s.Dimensions) {
		t.Errorf("%s: %d dimensions %v, want %d", n, len(l.Dimensions()), slices.Sorted(maps.Keys(l.Dimensions())), len(s.Dimensions))
	}
	for key, w := range s.Dimensions {
		d, ok := l.Dimensions()[strings.ToLower(key)]
		if !ok {
			t.Errorf("%s: Dimensions[%q] missing", n, strings.ToLower(key))
			continue
		}
		if d.Units != deref(w.Units) {
			t.Errorf("%s/%s: Units = %q, want %q", n, key, d.Units, deref(w.Units))
		}
		if d.HasDefault != (w.Default != nil) || d.Default != deref(w.Default) {
			t.Errorf("%s/%s: Default = %q (%v), want %v", n, key, d.Default, d.HasDefault, w.Default)
		}
		if w.Value != nil || (w.ValuePrefix == nil && w.ValueLength == nil) {
			if d.Values != deref(w.Value) {
				t.Errorf("%s/%s: Values = %q, want %q", n, key, d.Values, deref(w.Value))
			}
		}
		if w.ValuePrefix != nil && !strings.HasPrefix(d.Values, *w.ValuePrefix) {
			t.Errorf("%s/%s: Values = %.80q..., want prefix %q", n, key, d.Values, *w.ValuePrefix)
		}
		if w.ValueLength != nil && utf8.RuneCountInString(d.Values) != *w.ValueLength {
			t.Errorf("%s/%s: len(Values) = %d, want %d", n, key, utf8.RuneCountInString(d.Values), *w.ValueLength)
		}
		if w.CommaSeparatedCount != nil && len(strings.Split(d.Values, ",")) != *w.CommaSeparatedCount {
			t.Errorf("%s/%s: %d comma-separated values, want %d", n, key, len(strings.Split(d.Values, ",")), *w.CommaSeparatedCount)
		}
		if w.DeclaredOnThisLayer != nil && d.Inherited == *w.DeclaredOnThisLayer {
			t.Errorf("%s/%s: Inherited = %v, want %v", n, key, d.Inherited, !*w.DeclaredOnThisLayer)
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// BenchmarkParseCapabilitiesHuge parses the 1.7 MB MassGIS document (1018
// layers, 6773 inherited SRS each).
func BenchmarkParseCapabilitiesHuge(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "geoserver-1.1.1-massgis-huge.xml"))
	if err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCapabilities(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

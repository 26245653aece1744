package wms

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"mapvault/layers"
)

func TestDimensionParam(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"time", "TIME"}, {"TIME", "TIME"}, {"elevation", "ELEVATION"},
		{"run", "DIM_RUN"}, {"dim_band", "DIM_BAND"}, {" wavelength ", "DIM_WAVELENGTH"},
	} {
		if got := DimensionParam(tt.in); got != tt.want {
			t.Errorf("DimensionParam(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGetMapURLDimensions(t *testing.T) {
	p := Params{URL: "https://h.example/wms?map=x&time=1999&Dim_Run=old", Layers: []string{"a"}, Transparent: true,
		Dimensions: map[string]string{"time": "2020-01-01T00:00:00Z", "elevation": "500", "run": "r 1&2", "empty": ""}}
	got := GetMapURL(p, bounds(1, 2, 3, 4), 256, 256)
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"TIME": "2020-01-01T00:00:00Z", "ELEVATION": "500", "DIM_RUN": "r 1&2", "map": "x"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (in %s)", k, q.Get(k), v, got)
		}
	}
	for _, k := range []string{"time", "Dim_Run", "DIM_EMPTY"} {
		if q.Has(k) {
			t.Errorf("%s kept in %s", k, got)
		}
	}
	// The dimensions are in the prefix, so in every tile's cache key.
	p2 := p
	p2.Dimensions = map[string]string{"time": "2020-02-01T00:00:00Z"}
	t1, err1 := NewTiles(p)
	t2, err2 := NewTiles(p2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if t1.Key() == t2.Key() {
		t.Errorf("Key() is the same for two TIME values: %s", t1.Key())
	}
	if !strings.Contains(t2.Key(), "TIME=2020-02-01T00:00:00Z") {
		t.Errorf("Key() = %s, want TIME in it", t2.Key())
	}
	// Params returns a copy.
	t1.Params().Dimensions["time"] = "x"
	if t1.Params().Dimensions["time"] != "2020-01-01T00:00:00Z" {
		t.Errorf("Params() shares the dimensions")
	}
}

func TestMergeDimensions(t *testing.T) {
	mk := func(name, time string) *Tiles {
		tl, err := NewTiles(Params{URL: "https://h.example/wms", Layers: []string{name}, Transparent: true,
			Dimensions: map[string]string{"time": time}})
		if err != nil {
			t.Fatal(err)
		}
		return tl
	}
	if _, ok := mk("a", "2020").Merge(mk("b", "2021")); ok {
		t.Errorf("layers at two TIME values merged into one GetMap")
	}
	m, ok := mk("a", "2020").Merge(mk("b", "2020"))
	if !ok {
		t.Fatalf("layers at the same TIME not merged")
	}
	if got := m.(*Tiles).Params().Dimensions["time"]; got != "2020" {
		t.Errorf("merged TIME = %q, want 2020", got)
	}
}

func TestInfoRequestDimensions(t *testing.T) {
	r := InfoRequest{URL: "https://h.example/wms?TIME=old", QueryLayers: []string{"a"}, MaxX: 1, MaxY: 1, Width: 2, Height: 2,
		Dimensions: map[string]string{"time": "2020-06", "depth": "10"}}
	got, err := r.RequestURL()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(strings.SplitN(got, "?", 2)[1])
	if q.Get("TIME") != "2020-06" || q.Get("DIM_DEPTH") != "10" || len(q["TIME"]) != 1 {
		t.Errorf("RequestURL() = %s, want TIME=2020-06 once and DIM_DEPTH=10", got)
	}
}

func TestDimensionValues(t *testing.T) {
	for _, tt := range []struct {
		extent     string
		limit      int
		want       []string
		continuous bool
		err        bool
	}{
		{"2020-01-01,2020-02-01, 2020-03-01", 10, []string{"2020-01-01", "2020-02-01", "2020-03-01"}, false, false},
		{"2020-01-01/2020-04-01/P1M", 10, []string{"2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"}, false, false},
		{"2020-01-31T00:00:00Z/2020-01-31T18:00:00Z/PT6H", 10,
			[]string{"2020-01-31T00:00:00Z", "2020-01-31T06:00:00Z", "2020-01-31T12:00:00Z", "2020-01-31T18:00:00Z"}, false, false},
		{"2019/2021/P1Y", 10, []string{"2019", "2020", "2021"}, false, false},
		{"2020-01-01/2020-01-15/P1W", 10, []string{"2020-01-01", "2020-01-08", "2020-01-15"}, false, false},
		{"0/100/25", 10, []string{"0", "25", "50", "75", "100"}, false, false},
		{"0.5/1.5/0.25", 10, []string{"0.50", "0.75", "1.00", "1.25", "1.50"}, false, false},
		{"10,0/20/10", 10, []string{"10", "0", "10", "20"}, false, false},
		{"2000-01-01/2020-12-31", 10, nil, true, false},
		{"2000-01-01/2020-12-31/0", 10, nil, true, false},
		{"0/1000/PT0S", 10, nil, true, false},
		{"2000-01-01/2020-12-31/P1D", 1000, nil, false, true},
		{"0/1e9/1", 1000, nil, false, true},
		{"a,b,c", 2, nil, false, true},
		{"x/y/P1D", 10, nil, false, true},
		{"2020-01-01/2019-01-01/P1D", 10, nil, false, true},
		{"2020-01-01/2020-02-01/P1X", 10, nil, false, true},
		{"1/2/3/4", 10, nil, false, true},
		{"", 10, nil, false, false},
	} {
		got, cont, err := DimensionValues(tt.extent, tt.limit)
		if (err != nil) != tt.err || cont != tt.continuous || !slices.Equal(got, tt.want) {
			t.Errorf("DimensionValues(%q, %d) = %q, %v, %v; want %q, %v, error %v", tt.extent, tt.limit, got, cont, err, tt.want, tt.continuous, tt.err)
		}
	}
	if _, _, err := DimensionValues("2000-01-01/2020-12-31/P1D", 1000); !errors.Is(err, ErrTooManyValues) {
		t.Errorf("DimensionValues over the cap: error %v, want ErrTooManyValues", err)
	}
}

func FuzzDimensionValues(f *testing.F) {
	for _, s := range []string{"2020-01-01/2020-04-01/P1M", "0/100/25", "a,b", "2000/2020", "PT1H", "1/2/P"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, extent string) {
		got, cont, err := DimensionValues(extent, 50)
		if len(got) > 50 || (cont && len(got) > 0) || (err != nil && got != nil) {
			t.Errorf("DimensionValues(%q) = %d values, %v, %v", extent, len(got), cont, err)
		}
	})
}

func TestKeywords(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Title>root</Title>
<KeywordList><Keyword>parent-only</Keyword></KeywordList>
<Layer><Name>a</Name><Title>A</Title><KeywordList><Keyword vocabulary="x">roads</Keyword><Keyword> </Keyword><Keyword>roads</Keyword><Keyword>traffic</Keyword></KeywordList></Layer>
<Layer><Name>b</Name><Title>B</Title></Layer>
</Layer>`))
	if got := mustFind(t, caps, "a").Keywords; !slices.Equal(got, []string{"roads", "traffic"}) {
		t.Errorf("a.Keywords = %q, want [roads traffic]", got)
	}
	if got := mustFind(t, caps, "b").Keywords; got != nil {
		t.Errorf("b.Keywords = %q, want none (keywords are not inherited)", got)
	}
	caps = mustParse(t, document111(`<Layer><Name>c</Name><Title>C</Title><KeywordList><Keyword>one</Keyword></KeywordList></Layer>`))
	if got := mustFind(t, caps, "c").Keywords; !slices.Equal(got, []string{"one"}) {
		t.Errorf("1.1.1 c.Keywords = %q, want [one]", got)
	}
}

// urlRecorder is a layers.Fetcher that records the URLs asked and answers
// an empty plain-text GetFeatureInfo.
type urlRecorder struct{ urls []string }

func (r *urlRecorder) Get(_ context.Context, u, _ string) ([]byte, string, error) {
	r.urls = append(r.urls, u)
	return []byte("no features"), "text/plain", nil
}

func TestIdentifySendsDimensions(t *testing.T) {
	tl, err := NewTiles(Params{URL: "https://h.example/wms", Layers: []string{"a"}, Transparent: true,
		Dimensions: map[string]string{"time": "2020-05"}})
	if err != nil {
		t.Fatal(err)
	}
	tl.info = &layerInfo{version: "1.3.0", infoURL: "https://h.example/wms", queryable: []string{"a"}, infoFormat: "text/plain"}
	var f urlRecorder
	q := layers.IdentifyQuery{View: layers.View{Zoom: 5}, Lon: 5, Lat: 52, MaxFeatures: 5}
	if _, err := tl.Identify(context.Background(), &f, q); err != nil {
		t.Fatal(err)
	}
	if len(f.urls) != 1 || !strings.Contains(f.urls[0], "&TIME=2020-05&") {
		t.Errorf("GetFeatureInfo asked %q, want one request with TIME=2020-05", f.urls)
	}
}

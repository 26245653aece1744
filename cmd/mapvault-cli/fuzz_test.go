package main

import (
	"mapvault/app/session"
	"math"
	"regexp"
	"strings"
	"testing"

	"mapvault/project"
	"mapvault/vault"
)

// credentialCases are --credentials streams and what loadCredentials makes
// of them; they seed FuzzLoadCredentials.
var credentialCases = []struct {
	in      string
	sources int    // entries stored on success
	err     string // "" for success, else the exact error
}{
	{"", 0, ""},
	{"# only a comment\n\n   \n", 0, ""},
	{`{"source": "https://h.example/wms", "key": "k-1"}`, 1, ""},
	{"{\"source\": \"https://h.example/wms\", \"username\": \"ann\", \"password\": \"pw\"}\r\n{\"source\": \"http://other.example:8080/ows\", \"key\": \"k\"}\n", 2, ""},
	{`{"source": "https://h.example/wms", "username": "ann"}`, 1, ""}, // a user name alone is a credential (empty password)
	{`{"source": "https://h.example/wms", "key": "k", "password": "p"}`, 0, "line 1: give either username and password, or key"},
	{`{"source": "https://h.example/wms"}`, 0, "line 1: give either username and password, or key"},
	{"\n" + `{"source": "ftp://h.example/wms", "key": "k"}`, 0, "line 2: source is not an http(s) URL"},
	{`{"source": "https://h.example/wms", "token": "secret-value"}`, 0, "line 1: not a credentials object"},
	{`{"source": "https://h.example/wms", "key": "secret-value"`, 0, "line 1: not a credentials object"},
	{`["secret-value"]`, 0, "line 1: not a credentials object"},
	{`{"source": "https://h.example/wms", "key": 42}`, 0, "line 1: not a credentials object"},
}

func TestLoadCredentials(t *testing.T) {
	for _, tc := range credentialCases {
		st := vault.NewStore()
		err := loadCredentials(strings.NewReader(tc.in), session.New(nil, session.Options{Store: st}))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("loadCredentials(%q) error = %q, want %q", tc.in, got, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		n := 0
		for _, src := range []string{"https://h.example/wms", "http://other.example:8080/ows"} {
			s, _ := vault.SourceOf(src)
			if st.Status(s) != vault.StatusNone {
				n++
			}
		}
		if n != tc.sources {
			t.Errorf("loadCredentials(%q) stored %d sources, want %d", tc.in, n, tc.sources)
		}
	}
}

// credentialErr is the shape of every loadCredentials error: a line number
// and a fixed phrase, never the line's content.
var credentialErr = regexp.MustCompile(`^(line \d+: (not a credentials object|source is not an http\(s\) URL|give either username and password, or key)|reading credentials: bufio.Scanner: token too long)$`)

func FuzzLoadCredentials(f *testing.F) {
	for _, tc := range credentialCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		err := loadCredentials(strings.NewReader(in), session.New(nil, session.Options{}))
		if err != nil && !credentialErr.MatchString(err.Error()) {
			t.Fatalf("loadCredentials(%q) error %q is not a line number and a fixed phrase", in, err)
		}
	})
}

// viewCases seed FuzzRenderView.
var viewCases = []struct {
	size, center string
	zoom, scale  float64
	ok           bool
}{
	{"1920x1080", "", -1, 1, true},
	{"256x256", "4.9,52.3", 7, 2, true},
	{"1x1", "-180,-85", 0, 0.5, true},
	{"16384x16384", "180,85.06", 24, 4, true},
	{"0x10", "", -1, 1, false},
	{"16385x10", "", -1, 1, false},
	{"10", "", -1, 1, false},
	{"axb", "", -1, 1, false},
	{"10x10", "181,0", -1, 1, false},
	{"10x10", "0,86", -1, 1, false},
	{"10x10", "0", -1, 1, false},
	{"10x10", "", 25, 1, false},
	{"10x10", "", -1, 0.4, false},
	{"10x10", "", -1, 4.5, false},
	{"10x10", "", -1, math.NaN(), false},
	{"10x10", "", math.NaN(), 1, true}, // NaN zoom: the project's zoom
	{"10x10", "NaN,0", -1, 1, false},
	{"10x10", "", -1, math.Inf(1), false},
	{"10x10", "", math.Inf(1), 1, false},
}

func TestRenderView(t *testing.T) {
	pv := project.View{Lon: 10, Lat: 50, Zoom: 3}
	for _, tc := range viewCases {
		v, err := renderView(pv, tc.size, tc.center, tc.zoom, tc.scale)
		if (err == nil) != tc.ok {
			t.Errorf("renderView(%q, %q, %g, %g) error = %v, want ok %v", tc.size, tc.center, tc.zoom, tc.scale, err, tc.ok)
			continue
		}
		if err == nil && tc.center == "" && (v.CenterLon != 10 || v.CenterLat != 50) {
			t.Errorf("renderView(%q) centre = %g,%g, want the project's 10,50", tc.size, v.CenterLon, v.CenterLat)
		}
		if err == nil && tc.zoom < 0 && v.Zoom != 3 {
			t.Errorf("renderView(%q) zoom = %g, want the project's 3", tc.size, v.Zoom)
		}
	}
}

func FuzzRenderView(f *testing.F) {
	for _, tc := range viewCases {
		f.Add(tc.size, tc.center, tc.zoom, tc.scale)
	}
	f.Fuzz(func(t *testing.T, size, center string, zoom, scale float64) {
		v, err := renderView(project.View{Lon: 10, Lat: 50, Zoom: 3}, size, center, zoom, scale)
		if err != nil {
			return
		}
		if v.Width < 1 || v.Height < 1 || v.Width > 16384 || v.Height > 16384 {
			t.Fatalf("renderView(%q) size %dx%d out of bounds", size, v.Width, v.Height)
		}
		if !(v.Zoom >= 0 && v.Zoom <= 24) || !(v.Scale >= 0.5 && v.Scale <= 4) {
			t.Fatalf("renderView zoom %g scale %g out of bounds", v.Zoom, v.Scale)
		}
		if !(v.CenterLon >= -180 && v.CenterLon <= 180 && v.CenterLat >= -85.06 && v.CenterLat <= 85.06) {
			t.Fatalf("renderView(%q) centre %g,%g out of bounds", center, v.CenterLon, v.CenterLat)
		}
	})
}

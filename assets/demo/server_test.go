package demo

import (
	"context"
	"encoding/xml"
	"errors"
	"image"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"mapvault/layers"
)

// capsDoc is the part of a capabilities document (either version) the tests
// look at; encoding/xml matches local names, so one struct reads both.
type capsDoc struct {
	XMLName    xml.Name
	Version    string `xml:"version,attr"`
	Capability struct {
		GetMapURL struct {
			Href string `xml:"href,attr"`
		} `xml:"Request>GetMap>DCPType>HTTP>Get>OnlineResource"`
		GetMapFormats []string `xml:"Request>GetMap>Format"`
		Layer         struct {
			Title  string   `xml:"Title"`
			CRS    []string `xml:"CRS"`
			SRS    []string `xml:"SRS"`
			GeoBox *struct {
				West float64 `xml:"westBoundLongitude"`
				East float64 `xml:"eastBoundLongitude"`
			} `xml:"EX_GeographicBoundingBox"`
			LatLon *struct {
				MinX float64 `xml:"minx,attr"`
			} `xml:"LatLonBoundingBox"`
			Layers []struct {
				Name   string   `xml:"Name"`
				Title  string   `xml:"Title"`
				Styles []string `xml:"Style>Name"`
				BBoxes []struct {
					CRS  string  `xml:"CRS,attr"`
					SRS  string  `xml:"SRS,attr"`
					MinX float64 `xml:"minx,attr"`
					MinY float64 `xml:"miny,attr"`
				} `xml:"BoundingBox"`
			} `xml:"Layer"`
		} `xml:"Layer"`
	} `xml:"Capability"`
}

func TestGetCapabilities(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		path, user, pass, key string
		version               string // requested
		wantVersion, wantRoot string
		wantType              string
		wantLayers            []string
	}{
		{PublicPath, "", "", "", "1.3.0", "1.3.0", "WMS_Capabilities", "text/xml; charset=utf-8", []string{"land", "countries"}},
		{PublicPath, "", "", "", "", "1.3.0", "WMS_Capabilities", "text/xml; charset=utf-8", []string{"land", "countries"}},
		{PublicPath, "", "", "", "1.1.1", "1.1.1", "WMT_MS_Capabilities", "application/vnd.ogc.wms_xml", []string{"land", "countries"}},
		{PublicPath, "", "", "", "1.2.0", "1.1.1", "WMT_MS_Capabilities", "application/vnd.ogc.wms_xml", []string{"land", "countries"}},
		{PublicPath, "", "", "", "2.0.0", "1.3.0", "WMS_Capabilities", "text/xml; charset=utf-8", []string{"land", "countries"}},
		{BasicPath, BasicUser, BasicPassword, "", "1.3.0", "1.3.0", "WMS_Capabilities", "text/xml; charset=utf-8", []string{"countries"}},
		{BasicPath, BasicUser, BasicPassword, "", "1.1.1", "1.1.1", "WMT_MS_Capabilities", "application/vnd.ogc.wms_xml", []string{"countries"}},
		{KeyPath, "", "", AccessKey, "1.3.0", "1.3.0", "WMS_Capabilities", "text/xml; charset=utf-8", []string{"borders"}},
		{KeyPath, "", "", AccessKey, "1.1.1", "1.1.1", "WMT_MS_Capabilities", "application/vnd.ogc.wms_xml", []string{"borders"}},
	}
	for _, tt := range tests {
		t.Run(tt.path+"@"+tt.version, func(t *testing.T) {
			q := query("SERVICE=WMS", "REQUEST=GetCapabilities")
			if tt.version != "" {
				q.Set("VERSION", tt.version)
			}
			if tt.key != "" {
				q.Set(KeyParam, tt.key)
			}
			r := fetch(t, ts.URL, tt.path, q, tt.user, tt.pass)
			if r.status != http.StatusOK || r.contentType != tt.wantType {
				t.Fatalf("status, type = %d %q, want 200 %q", r.status, r.contentType, tt.wantType)
			}
			var doc capsDoc
			if err := xml.Unmarshal(r.body, &doc); err != nil {
				t.Fatalf("capabilities do not parse as XML: %v", err)
			}
			if doc.XMLName.Local != tt.wantRoot || doc.Version != tt.wantVersion {
				t.Errorf("root = %s version %q, want %s %q", doc.XMLName.Local, doc.Version, tt.wantRoot, tt.wantVersion)
			}
			var names []string
			for _, l := range doc.Capability.Layer.Layers {
				names = append(names, l.Name)
				if !slices.Equal(l.Styles, []string{"default"}) {
					t.Errorf("layer %s styles = %v, want [default]", l.Name, l.Styles)
				}
				if len(l.BBoxes) == 0 {
					t.Errorf("layer %s has no BoundingBox", l.Name)
				}
			}
			if !slices.Equal(names, tt.wantLayers) {
				t.Errorf("layers = %v, want %v", names, tt.wantLayers)
			}
			// The GetMap URL is the source's own URL, and never carries the key.
			if got, want := doc.Capability.GetMapURL.Href, ts.URL+tt.path+"?"; got != want {
				t.Errorf("GetMap OnlineResource = %q, want %q", got, want)
			}
			if strings.Contains(string(r.body), AccessKey) || strings.Contains(string(r.body), BasicPassword) {
				t.Error("capabilities contain a credential")
			}
			if !slices.Equal(doc.Capability.GetMapFormats, []string{"image/png"}) {
				t.Errorf("GetMap formats = %v, want [image/png]", doc.Capability.GetMapFormats)
			}
			root := doc.Capability.Layer
			if tt.wantVersion == version130 {
				if !slices.Equal(root.CRS, []string{"EPSG:3857", "EPSG:4326", "CRS:84"}) {
					t.Errorf("root CRS = %v", root.CRS)
				}
				if root.GeoBox == nil || root.GeoBox.West >= root.GeoBox.East {
					t.Errorf("root EX_GeographicBoundingBox = %+v", root.GeoBox)
				}
				// EPSG:4326 in 1.3.0 has latitude first.
				for _, b := range root.Layers[0].BBoxes {
					if b.CRS == "EPSG:4326" && b.MinX < -90 {
						t.Errorf("EPSG:4326 BoundingBox minx = %v, want a latitude", b.MinX)
					}
				}
			} else {
				if !slices.Equal(root.SRS, []string{"EPSG:3857", "EPSG:4326"}) {
					t.Errorf("root SRS = %v", root.SRS)
				}
				if root.LatLon == nil {
					t.Error("root has no LatLonBoundingBox")
				}
			}
		})
	}
}

func TestAuth(t *testing.T) {
	ts := newTestServer(t)
	caps := func(extra ...string) []string {
		return append([]string{"SERVICE=WMS", "REQUEST=GetCapabilities", "VERSION=1.3.0"}, extra...)
	}
	tests := []struct {
		name       string
		path       string
		q          []string
		user, pass string
		wantStatus int
		wantBasic  bool // a Basic challenge is sent
	}{
		{"public open", PublicPath, caps(), "", "", 200, false},
		{"basic without", BasicPath, caps(), "", "", 401, true},
		{"basic wrong password", BasicPath, caps(), BasicUser, "wrong", 401, true},
		{"basic wrong user", BasicPath, caps(), "someone", BasicPassword, 401, true},
		{"basic key instead", BasicPath, caps(KeyParam + "=" + AccessKey), "", "", 401, true},
		{"basic right", BasicPath, caps(), BasicUser, BasicPassword, 200, false},
		{"key without", KeyPath, caps(), "", "", 401, false},
		{"key wrong", KeyPath, caps(KeyParam + "=nope"), "", "", 401, false},
		{"key empty", KeyPath, caps(KeyParam + "="), "", "", 401, false},
		{"key as basic password", KeyPath, caps(), BasicUser, AccessKey, 401, false},
		{"key right", KeyPath, caps(KeyParam + "=" + AccessKey), "", "", 200, false},
		{"key name any case", KeyPath, caps("AuthKey=" + AccessKey), "", "", 200, false},
		{"key getmap without", KeyPath, []string{"SERVICE=WMS", "REQUEST=GetMap", "VERSION=1.3.0", "LAYERS=borders"}, "", "", 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fetch(t, ts.URL, tt.path, query(tt.q...), tt.user, tt.pass)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", r.status, tt.wantStatus)
			}
			challenge := r.header.Get("WWW-Authenticate")
			if gotBasic := strings.HasPrefix(challenge, "Basic "); gotBasic != tt.wantBasic {
				t.Errorf("WWW-Authenticate = %q, want Basic challenge %v", challenge, tt.wantBasic)
			}
			if tt.wantBasic && !strings.Contains(challenge, `realm="mapvault demo"`) {
				t.Errorf("WWW-Authenticate = %q, want realm \"mapvault demo\"", challenge)
			}
			if strings.Contains(string(r.body), AccessKey) || strings.Contains(string(r.body), BasicPassword) {
				t.Error("answer contains a credential")
			}
		})
	}
}

func TestGetMapLand(t *testing.T) {
	ts := newTestServer(t)
	// Europe and the North Atlantic in EPSG:3857: x from -40°W to 40°E.
	r := fetch(t, ts.URL, PublicPath, getMap130("land", "EPSG:3857", "-4452779.63,3503549.84,4452779.63,11068715.66", "300", "200"), "", "")
	img := decodePNG(t, r)
	if got := img.Bounds().Size(); got != (image.Point{300, 200}) {
		t.Fatalf("image size = %v, want 300x200", got)
	}
	px := func(lon, lat float64) (int, int) {
		x, y := layers.LonLatToMercator(lon, lat)
		return int((x + 4452779.63) / 8905559.26 * 300), int((11068715.66 - y) / 7565165.82 * 200)
	}
	for _, p := range []struct {
		name     string
		lon, lat float64
		land     bool
	}{
		{"Germany", 10, 51, true},
		{"France", 2.5, 46.5, true},
		{"Poland", 19, 52, true},
		{"North Atlantic", -30, 45, false},
		{"Bay of Biscay", -6, 45.5, false},
		{"Black Sea", 34, 43.2, false},
	} {
		x, y := px(p.lon, p.lat)
		a := alphaAt(img, x, y)
		if p.land && a != 0xffff {
			t.Errorf("%s (%d,%d) alpha = %#x, want opaque land", p.name, x, y, a)
		}
		if !p.land && a != 0 {
			t.Errorf("%s (%d,%d) alpha = %#x, want transparent sea", p.name, x, y, a)
		}
	}
	// The land colour is the documented sand.
	if got := img.At(px(10, 51)); !sameRGB(got, 0xe8, 0xdc, 0xc0) {
		t.Errorf("land colour = %v, want #e8dcc0", got)
	}
}

func sameRGB(c interface{ RGBA() (r, g, b, a uint32) }, r, g, b uint8) bool {
	cr, cg, cb, _ := c.RGBA()
	return uint8(cr>>8) == r && uint8(cg>>8) == g && uint8(cb>>8) == b
}

func TestGetMapAxisOrder(t *testing.T) {
	ts := newTestServer(t)
	// The same box, lon -30..50, lat 20..70, in the three spellings.
	a := decodePNG(t, fetch(t, ts.URL, PublicPath, getMap130("land", "EPSG:4326", "20,-30,70,50", "160", "100"), "", ""))
	b := decodePNG(t, fetch(t, ts.URL, PublicPath, getMap111("land", "EPSG:4326", "-30,20,50,70", "160", "100"), "", ""))
	c := decodePNG(t, fetch(t, ts.URL, PublicPath, getMap130("land", "CRS:84", "-30,20,50,70", "160", "100"), "", ""))
	d := decodePNG(t, fetch(t, ts.URL, PublicPath, getMap111("land", "CRS:84", "-30,20,50,70", "160", "100"), "", ""))
	for name, img := range map[string]image.Image{"1.1.1 EPSG:4326": b, "1.3.0 CRS:84": c, "1.1.1 CRS:84": d} {
		if !samePixels(a, img) {
			t.Errorf("%s differs from 1.3.0 EPSG:4326 with lat/lon axis order", name)
		}
	}
	// 2 px per degree: (lon 10, lat 50) is Germany, (lon -20, lat 40) the Atlantic.
	at := func(lon, lat float64) (int, int) { return int((lon + 30) * 2), int((70 - lat) * 2) }
	if x, y := at(10, 50); alphaAt(a, x, y) != 0xffff {
		alpha := alphaAt(a, x, y)
		t.Errorf("Germany alpha = %#x, want opaque", alpha)
	}
	if x, y := at(-20, 40); alphaAt(a, x, y) != 0 {
		alpha := alphaAt(a, x, y)
		t.Errorf("Atlantic alpha = %#x, want transparent", alpha)
	}
	// The same numbers read with the wrong axis order draw a different map.
	wrong := decodePNG(t, fetch(t, ts.URL, PublicPath, getMap130("land", "EPSG:4326", "-30,20,50,70", "160", "100"), "", ""))
	if samePixels(a, wrong) {
		t.Error("1.3.0 EPSG:4326 ignores the axis order")
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func TestGetMapProtected(t *testing.T) {
	ts := newTestServer(t)
	world := "-20037508,-20037508,20037508,20037508"
	countries := decodePNG(t, fetch(t, ts.URL, BasicPath, getMap130("countries", "EPSG:3857", world, "256", "256"), BasicUser, BasicPassword))
	q := getMap130("borders", "EPSG:3857", world, "256", "256")
	q.Set(KeyParam, AccessKey)
	borders := decodePNG(t, fetch(t, ts.URL, KeyPath, q, "", ""))
	if n := opaqueShare(countries); n < 0.1 || n > 0.5 {
		t.Errorf("countries cover %.2f of the world, want 0.1..0.5", n)
	}
	if n := opaqueShare(borders); n <= 0 || n > 0.1 {
		t.Errorf("borders cover %.3f of the world, want a little", n)
	}
	// Opaque background: TRANSPARENT=FALSE with BGCOLOR.
	q = getMap130("countries", "EPSG:3857", world, "64", "64", "TRANSPARENT=FALSE", "BGCOLOR=0x102030")
	img := decodePNG(t, fetch(t, ts.URL, BasicPath, q, BasicUser, BasicPassword))
	if got := img.At(0, 32); !sameRGB(got, 0x10, 0x20, 0x30) || alphaAt(img, 0, 32) != 0xffff {
		t.Errorf("background = %v, want opaque #102030", got)
	}
}

// opaqueShare is the fraction of pixels that are not fully transparent.
func opaqueShare(img image.Image) float64 {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if alphaAt(img, x, y) != 0 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

type exceptionDoc struct {
	XMLName    xml.Name
	Version    string `xml:"version,attr"`
	Exceptions []struct {
		Code string `xml:"code,attr"`
		Text string `xml:",chardata"`
	} `xml:"ServiceException"`
}

func TestServiceExceptions(t *testing.T) {
	ts := newTestServer(t)
	europe := "-1000000,4000000,3000000,8000000"
	tests := []struct {
		name     string
		q        map[string][]string
		wantCode string
		wantType string
	}{
		{"unknown layer 1.3.0", getMap130("roads", "EPSG:3857", europe, "256", "256"), "LayerNotDefined", "text/xml"},
		{"unknown layer 1.1.1", getMap111("roads", "EPSG:3857", europe, "256", "256"), "LayerNotDefined", "application/vnd.ogc.se_xml"},
		{"layer of another source", getMap130("borders", "EPSG:3857", europe, "256", "256"), "LayerNotDefined", "text/xml"},
		{"unsupported CRS", getMap130("land", "EPSG:32632", europe, "256", "256"), "InvalidCRS", "text/xml"},
		{"unsupported SRS", getMap111("land", "EPSG:900913", europe, "256", "256"), "InvalidSRS", "application/vnd.ogc.se_xml"},
		{"bbox min > max", getMap130("land", "EPSG:3857", "3000000,4000000,-1000000,8000000", "256", "256"), "InvalidParameterValue", "text/xml"},
		{"bbox three numbers", getMap130("land", "EPSG:3857", "1,2,3", "256", "256"), "InvalidParameterValue", "text/xml"},
		{"bbox not numbers", getMap130("land", "EPSG:3857", "a,b,c,d", "256", "256"), "InvalidParameterValue", "text/xml"},
		{"bbox missing", getMap130("land", "EPSG:3857", "", "256", "256"), "MissingParameterValue", "text/xml"},
		{"width too big", getMap130("land", "EPSG:3857", europe, "4097", "256"), "InvalidParameterValue", "text/xml"},
		{"height zero", getMap130("land", "EPSG:3857", europe, "256", "0"), "InvalidParameterValue", "text/xml"},
		{"format jpeg", getMap130("land", "EPSG:3857", europe, "256", "256", "FORMAT=image/jpeg"), "InvalidFormat", "text/xml"},
		{"unknown style", getMap130("land", "EPSG:3857", europe, "256", "256", "STYLES=fancy"), "StyleNotDefined", "text/xml"},
		{"unknown request", query("SERVICE=WMS", "REQUEST=GetFeatureInfo", "VERSION=1.3.0"), "OperationNotSupported", "text/xml"},
		{"no request", query("SERVICE=WMS", "VERSION=1.1.1"), "MissingParameterValue", "application/vnd.ogc.se_xml"},
		{"wrong service", query("SERVICE=WFS", "REQUEST=GetCapabilities"), "InvalidParameterValue", "text/xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fetch(t, ts.URL, PublicPath, tt.q, "", "")
			if r.status != http.StatusOK || r.contentType != tt.wantType {
				t.Fatalf("status, type = %d %q, want 200 %q", r.status, r.contentType, tt.wantType)
			}
			var doc exceptionDoc
			if err := xml.Unmarshal(r.body, &doc); err != nil {
				t.Fatalf("exception does not parse: %v\n%s", err, r.body)
			}
			if doc.XMLName.Local != "ServiceExceptionReport" || len(doc.Exceptions) != 1 {
				t.Fatalf("got %s with %d exceptions, want one ServiceExceptionReport", doc.XMLName.Local, len(doc.Exceptions))
			}
			if got := doc.Exceptions[0].Code; got != tt.wantCode {
				t.Errorf("code = %q, want %q (%s)", got, tt.wantCode, doc.Exceptions[0].Text)
			}
			wantNS := ""
			if tt.wantType == "text/xml" {
				wantNS = "http://www.opengis.net/ogc"
			}
			if doc.XMLName.Space != wantNS {
				t.Errorf("namespace = %q, want %q", doc.XMLName.Space, wantNS)
			}
		})
	}
}

func TestNotFoundAndMethod(t *testing.T) {
	ts := newTestServer(t)
	if r := fetch(t, ts.URL, "/other/wms", query("REQUEST=GetCapabilities"), "", ""); r.status != http.StatusNotFound {
		t.Errorf("unknown path status = %d, want 404", r.status)
	}
	resp, err := http.Post(ts.URL+PublicPath, "text/xml", strings.NewReader("<GetMap/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST status = %d, want 405", resp.StatusCode)
	}
	if r := fetch(t, ts.URL, "/", nil, "", ""); r.status != 200 || !strings.Contains(string(r.body), KeyPath) {
		t.Errorf("index = %d %q, want 200 listing the services", r.status, r.body)
	}
}

func TestStartAndClose(t *testing.T) {
	s, err := Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasSuffix(s.URL(), "/") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT", s.URL())
	}
	r := fetch(t, s.URL(), PublicPath, query("SERVICE=WMS", "REQUEST=GetCapabilities"), "", "")
	if r.status != 200 {
		t.Fatalf("GetCapabilities status = %d, want 200", r.status)
	}

	// A second server on the same address fails with the listen error.
	addr := strings.TrimPrefix(s.URL(), "http://")
	if s2, err := Start(context.Background(), addr); err == nil {
		s2.Close()
		t.Error("Start on a busy address succeeded, want an error")
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Start on a busy address error = %v, want EADDRINUSE", err)
	}

	if err := s.Close(); err != nil {
		t.Errorf("Close() error = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() error = %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("server still accepts connections after Close")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"", ":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:80", "example.org:80", "127.0.0.1"} {
		if s, err := Start(context.Background(), addr); !errors.Is(err, ErrNotLoopback) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Start(%q) error = %v, want ErrNotLoopback", addr, err)
		}
	}
}

func TestStartStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer s.Close()
	addr := strings.TrimPrefix(s.URL(), "http://")
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return // closed
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepts connections 5 s after its context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConcurrentGetMap runs requests in parallel (meant for -race): the
// handler shares only read-only data and the PNG buffer pool.
func TestConcurrentGetMap(t *testing.T) {
	ts := newTestServer(t)
	errs := make(chan string, 8)
	for i := range 8 {
		go func() {
			q := getMap130("land,countries", "EPSG:3857", benchTile, "64", "64")
			if i%2 == 1 {
				q = getMap111("land", "EPSG:4326", "-30,20,50,70", "64", "64")
			}
			resp, err := http.Get(ts.URL + PublicPath + "?" + q.Encode())
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
				errs <- resp.Status
				return
			}
			errs <- ""
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

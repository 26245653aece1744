package demo

import (
	"net/url"
	"testing"
)

func FuzzParseGetMap(f *testing.F) {
	for _, tt := range getMapTests {
		f.Add(tt.query)
	}
	e := testEndpoint(f, PublicPath)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, serr := parseGetMap(e, paramsOf(q))
		if serr != nil {
			if req != nil {
				t.Fatalf("parseGetMap(%q) returned both a request and %v", raw, serr)
			}
			return
		}
		if req.width < 1 || req.width > maxSize || req.height < 1 || req.height > maxSize {
			t.Fatalf("parseGetMap(%q) accepted size %dx%d", raw, req.width, req.height)
		}
		if !(req.box.minX < req.box.maxX && req.box.minY < req.box.maxY) {
			t.Fatalf("parseGetMap(%q) accepted box %v", raw, req.box)
		}
		// Rendering any accepted request must not panic; keep it small.
		if req.width*req.height <= 64*64 {
			renderMap(req)
		}
	})
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"-10,35,30,60", "35,-10,60,30", "1,2,3", "NaN,1,2,3", "0,0,1e-12,1", "-2e9,0,1,1"} {
		f.Add(s, 0)
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, crs int) {
		b, err := parseBBox(s, crsKind(((crs%3)+3)%3))
		if err == nil && !(b.maxX-b.minX >= minSpan && b.maxY-b.minY >= minSpan) {
			t.Fatalf("parseBBox(%q) accepted %v", s, b)
		}
	})
}

func FuzzParseDataset(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]]}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ds, err := parseDataset(raw)
		if err != nil {
			return
		}
		// Whatever parsed must draw without panicking.
		img := newTestImage()
		v := newView(bounds{-180, -90, 180, 90}, false, 32, 16)
		v.draw(img, ds, style{fill: countryColour, stroke: countryColour("x"), strokeWidth: 1})
	})
}

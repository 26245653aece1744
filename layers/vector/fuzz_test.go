package vector

import (
	"bytes"
	"errors"
	"image"
	"net/url"
	"testing"

	"github.com/twpayne/go-geom"
)

// fuzzOptions keeps each fuzz input cheap: small limits, so the fuzzer
// explores the limit paths too.
var fuzzOptions = Options{MaxBytes: 1 << 20, MaxFeatures: 500, MaxCoordinates: 20000, MaxDepth: 24, MaxFeaturesPerView: 400}

// knownError reports whether err is one of the package's documented
// errors: a parser must never return anything else.
func knownError(err error) bool {
	for _, e := range []error{ErrMalformed, ErrNotFeatures, ErrLimit, ErrUnsupportedCRS, ErrServiceException} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// checkFeatures checks the invariants of a parsed document and draws it:
// geometries are XY and finite, and rendering never panics.
func checkFeatures(t *testing.T, fc *FeatureCollection) {
	t.Helper()
	if len(fc.Features) > fuzzOptions.MaxFeatures {
		t.Fatalf("%d features, over MaxFeatures", len(fc.Features))
	}
	n := 0
	for _, f := range fc.Features {
		n += countXY(t, f.Geometry)
	}
	if n > fuzzOptions.MaxCoordinates {
		t.Fatalf("%d positions, over MaxCoordinates", n)
	}
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	r := NewRenderer(fuzzOptions)
	l := NewLayer(fc.Features)
	r.Render(img, l, DefaultStyle(), NewWebMercator(0, 0, 0, 48, 32))
	r.Render(img, l, Style{StrokeWidth: 5, PointRadius: 3, Stroke: DefaultStyle().Stroke}, NewWebMercator(10, 50, 9, 48, 32))
	r.Render(img, l, DefaultStyle(), plate(32))
}

func countXY(t *testing.T, g geom.T) int {
	t.Helper()
	switch g := g.(type) {
	case nil:
		return 0
	case *geom.GeometryCollection:
		n := 0
		for _, m := range g.Geoms() {
			n += countXY(t, m)
		}
		return n
	default:
		if g.Stride() != 2 && len(g.FlatCoords()) > 0 {
			t.Fatalf("%T has stride %d, want XY", g, g.Stride())
		}
		for _, v := range g.FlatCoords() {
			if v != v || v > 1e308 || v < -1e308 {
				t.Fatalf("%T has coordinate %v", g, v)
			}
		}
		return len(g.FlatCoords()) / 2
	}
}

func FuzzGeoJSON(f *testing.F) {
	for _, s := range geojsonSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(goldenScene))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":null,"properties":{"a":[{"b":null}]}}],"numberMatched":1,"numberReturned":1}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2],"crs":{"type":"name","properties":{"name":"EPSG:3857"}}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		fc, err := ParseGeoJSON(bytes.NewReader(doc), fuzzOptions)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("ParseGeoJSON error %v is not a documented error", err)
			}
			return
		}
		checkFeatures(t, fc)
		if _, err := fc.NextURL(&url.URL{Scheme: "https", Host: "h.test"}); err != nil && !knownError(err) {
			t.Fatalf("NextURL error %v", err)
		}
	})
}

func FuzzGML(f *testing.F) {
	for _, name := range []string{"wfs20-gml32.xml", "wfs11-gml31.xml", "wfs10-gml2.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><wfs:member><a:f xmlns:a="urn:a"><a:g><gml:Curve><gml:segments><gml:Arc><gml:posList>0 0 1 1 2 0</gml:posList></gml:Arc></gml:segments></gml:Curve></a:g></a:f></wfs:member></wfs:FeatureCollection>`))
	f.Add([]byte(`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="x"><ows:ExceptionText>t</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`))
	f.Add([]byte(`<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><a:f xmlns:a="urn:a"><a:g><gml:MultiGeometry srsName="EPSG:3857"><gml:geometryMember><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 1,0 1,1 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></gml:geometryMember></gml:MultiGeometry></a:g></a:f></gml:featureMember></wfs:FeatureCollection>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		fc, err := ParseGML(bytes.NewReader(doc), fuzzOptions)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("ParseGML error %v is not a documented error", err)
			}
			return
		}
		checkFeatures(t, fc)
	})
}

func FuzzWFSCapabilities(f *testing.F) {
	for _, v := range []string{"2.0.0", "1.1.0", "1.0.0"} {
		f.Add(readTestdata(f, "wfs-"+v+"-capabilities.xml"))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		caps, err := ParseWFSCapabilities(bytes.NewReader(doc), fuzzOptions)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("ParseWFSCapabilities error %v is not a documented error", err)
			}
			return
		}
		for _, ft := range caps.FeatureTypes {
			if ft.Name == "" || ft.OtherCRS == nil || ft.Formats == nil || (ft.BBox != nil && !ft.BBox.Valid()) {
				t.Fatalf("feature type %+v breaks an invariant", ft)
			}
			ft.GeoJSONFormat()
		}
	})
}

func FuzzOGCAPI(f *testing.F) {
	f.Add(readTestdata(f, "ogcapi-landing.json"))
	f.Add(readTestdata(f, "ogcapi-collections.json"))
	base, _ := url.Parse("https://h.test/ogc/collections")
	f.Fuzz(func(t *testing.T, doc []byte) {
		if _, err := ParseLandingPage(bytes.NewReader(doc), base, fuzzOptions); err != nil && !knownError(err) {
			t.Fatalf("ParseLandingPage error %v is not a documented error", err)
		}
		cs, err := ParseCollections(bytes.NewReader(doc), base, fuzzOptions)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("ParseCollections error %v is not a documented error", err)
			}
			return
		}
		for _, c := range cs {
			if c.ID == "" || (c.BBox != nil && !c.BBox.Valid()) {
				t.Fatalf("collection %+v breaks an invariant", c)
			}
			if c.ItemsURL != "" {
				ItemsURL(c.ItemsURL, ItemsRequest{BBox: c.BBox, Limit: 10})
			}
		}
	})
}

func FuzzGetFeatureURL(f *testing.F) {
	f.Add("https://h.test/wfs?map=x&SERVICE=WMS", "ns:a", "2.0.0", 10, 5, -10.0, 35.0, 30.0, 60.0, "")
	f.Add("http://h.test/wfs", "a b", "1.0.0", 0, 0, 0.0, 0.0, 0.0, 0.0, "EPSG:3857")
	f.Fuzz(func(t *testing.T, base, typeName, version string, count, start int, w, s, e, n float64, bboxCRS string) {
		req := GetFeatureRequest{Version: version, TypeName: typeName, Count: count, StartIndex: start, BBox: &Bounds{w, s, e, n}, BBoxCRS: bboxCRS}
		u, err := GetFeatureURL(base, req)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) && !errors.Is(err, ErrUnsupportedCRS) {
				t.Fatalf("GetFeatureURL error %v", err)
			}
			return
		}
		if _, err := url.Parse(u); err != nil {
			t.Fatalf("GetFeatureURL = %q, not a URL: %v", u, err)
		}
	})
}

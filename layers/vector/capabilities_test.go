package vector

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// reportJSON is the `layers --json` form of a value.
func reportJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseWFSCapabilitiesGolden checks each version's document against
// its JSON report; run with -update after an intended change.
func TestParseWFSCapabilitiesGolden(t *testing.T) {
	for _, v := range []string{"2.0.0", "1.1.0", "1.0.0"} {
		t.Run(v, func(t *testing.T) {
			name := "wfs-" + v + "-capabilities"
			caps, err := ParseWFSCapabilities(bytes.NewReader(readTestdata(t, name+".xml")), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if caps.Version != v {
				t.Errorf("Version = %q, want %q", caps.Version, v)
			}
			golden(t, name+".json", reportJSON(t, caps))
		})
	}
}

func TestWFSCapabilitiesDetails(t *testing.T) {
	caps, err := ParseWFSCapabilities(bytes.NewReader(readTestdata(t, "wfs-2.0.0-capabilities.xml")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps.FeatureTypes) != 2 {
		t.Fatalf("%d feature types, want 2 (a type without a name is skipped)", len(caps.FeatureTypes))
	}
	states, roads := caps.FeatureTypes[0], caps.FeatureTypes[1]
	if got := states.GeoJSONFormat(); got != "application/json" {
		t.Errorf("states GeoJSONFormat() = %q, want application/json (from the service)", got)
	}
	if got := roads.GeoJSONFormat(); got != "" {
		t.Errorf("roads GeoJSONFormat() = %q, want none (its own list is GML only)", got)
	}
	if want := (Bounds{-124.73, 24.96, -66.97, 49.37}); states.BBox == nil || *states.BBox != want {
		t.Errorf("states BBox = %v, want %v", states.BBox, want)
	}
	if roads.BBox != nil {
		t.Errorf("roads BBox = %v, want nil (north 95 is not a latitude)", roads.BBox)
	}
	if caps.GetFeatureURL != "https://portal.test/geoserver/ows?" {
		t.Errorf("GetFeatureURL = %q", caps.GetFeatureURL)
	}
}

func TestGeoJSONFormat(t *testing.T) {
	tests := []struct {
		formats []string
		want    string
	}{
		{[]string{"GML2", "application/json", "application/geo+json"}, "application/geo+json"},
		{[]string{"json", "application/json; subtype=geojson"}, "application/json; subtype=geojson"},
		{[]string{"GEOJSON", "json"}, "GEOJSON"},
		{[]string{"application/json;charset=utf-8", "json"}, "application/json;charset=utf-8"},
		{[]string{"text/xml; subtype=gml/3.1.1", "SHAPE-ZIP"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := GeoJSONFormat(tt.formats); got != tt.want {
			t.Errorf("GeoJSONFormat(%q) = %q, want %q", tt.formats, got, tt.want)
		}
	}
}

func TestParseWFSCapabilitiesErrors(t *testing.T) {
	tests := []struct {
		doc  string
		opt  Options
		want error
	}{
		{``, Options{}, ErrNotFeatures},
		{`<WMS_Capabilities version="1.3.0"/>`, Options{}, ErrNotFeatures},
		{`<html><body>sign in</body></html>`, Options{}, ErrNotFeatures},
		{`<WFS_Capabilities><FeatureTypeList>`, Options{}, ErrMalformed},
		{`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="OperationNotSupported"/></ows:ExceptionReport>`, Options{}, ErrServiceException},
		{`<WFS_Capabilities>` + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</WFS_Capabilities>`, Options{}, ErrLimit},
		{`<WFS_Capabilities>` + strings.Repeat("<FeatureTypeList/>", 100) + `</WFS_Capabilities>`, Options{MaxBytes: 100}, ErrLimit},
	}
	for _, tt := range tests {
		_, err := ParseWFSCapabilities(strings.NewReader(tt.doc), tt.opt)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseWFSCapabilities(%.50q) error = %v, want %v", tt.doc, err, tt.want)
		}
	}
}

func TestParseOGCAPIGolden(t *testing.T) {
	base, _ := url.Parse("https://portal.test/ogc/")
	lp, err := ParseLandingPage(bytes.NewReader(readTestdata(t, "ogcapi-landing.json")), base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if lp.CollectionsURL != "https://portal.test/ogc/collections" {
		t.Errorf("CollectionsURL = %q", lp.CollectionsURL)
	}
	golden(t, "ogcapi-landing.golden.json", reportJSON(t, lp))

	base, _ = url.Parse(lp.CollectionsURL)
	cs, err := ParseCollections(bytes.NewReader(readTestdata(t, "ogcapi-collections.json")), base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 {
		t.Fatalf("%d collections, want 3 (the record collection is left out)", len(cs))
	}
	want := []string{
		"https://portal.test/ogc/collections/buildings/items", // the GeoJSON items link, not the HTML one
		"https://portal.test/ogc/collections/rivers/items",    // no link: the conventional path
		"https://other.test/items",
	}
	for i, c := range cs {
		if c.ItemsURL != want[i] {
			t.Errorf("collection %s ItemsURL = %q, want %q", c.ID, c.ItemsURL, want[i])
		}
	}
	if cs[1].BBox == nil || *cs[1].BBox != (Bounds{-10, 35, 30, 60}) {
		t.Errorf("3D bbox = %v, want [-10 35 30 60]", cs[1].BBox)
	}
	if cs[2].BBox != nil {
		t.Errorf("EPSG:3857 bbox = %v, want nil", cs[2].BBox)
	}
	golden(t, "ogcapi-collections.golden.json", reportJSON(t, cs))

	// A single collection document.
	base, _ = url.Parse("https://portal.test/ogc/collections/lakes")
	cs, err = ParseCollections(strings.NewReader(`{"id":"lakes","links":[]}`), base, Options{})
	if err != nil || len(cs) != 1 || cs[0].ItemsURL != "https://portal.test/ogc/collections/lakes/items" {
		t.Errorf("ParseCollections(single) = %+v, %v", cs, err)
	}
}

func TestParseOGCAPIErrors(t *testing.T) {
	tests := []struct {
		doc  string
		want error
	}{
		{``, ErrMalformed},
		{`[1]`, ErrNotFeatures},
		{`{"title":"no links"}`, ErrNotFeatures},
		{`{"links":{"href":"x"}}`, ErrMalformed},
		{`<html/>`, ErrMalformed},
		{strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100), ErrLimit},
	}
	for _, tt := range tests {
		if _, err := ParseLandingPage(strings.NewReader(tt.doc), nil, Options{}); !errors.Is(err, tt.want) {
			t.Errorf("ParseLandingPage(%.40q) error = %v, want %v", tt.doc, err, tt.want)
		}
	}
	for _, tt := range []struct {
		doc  string
		want error
	}{
		{`{"links":[]}`, ErrNotFeatures},
		{`{"collections":{}}`, ErrMalformed},
		{`{"collections":[{"title":"no id"}]}`, ErrMalformed},
		{`{"collections":[{"id":"a","extent":{"spatial":{"bbox":"x"}}}]}`, ErrMalformed},
	} {
		if _, err := ParseCollections(strings.NewReader(tt.doc), nil, Options{}); !errors.Is(err, tt.want) {
			t.Errorf("ParseCollections(%.40q) error = %v, want %v", tt.doc, err, tt.want)
		}
	}
}

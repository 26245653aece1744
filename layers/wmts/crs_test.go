package wmts

import (
	"math"
	"testing"
)

func TestEPSGCode(t *testing.T) {
	tests := []struct {
		crs  string
		code int
		ok   bool
	}{
		{"EPSG:3857", 3857, true},
		{" epsg:4326 ", 4326, true},
		{"urn:ogc:def:crs:EPSG::3857", 3857, true},
		{"urn:ogc:def:crs:EPSG:6.18.3:3857", 3857, true},
		{"urn:ogc:def:crs:EPSG:6.3:4326", 4326, true},
		{"URN:OGC:DEF:CRS:EPSG::28992", 28992, true},
		{"urn:x-ogc:def:crs:EPSG:4258", 4258, true},
		{"urn:x-ogc:def:crs:EPSG:6.11:4258", 4258, true},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, true},
		{"https://www.opengis.net/def/crs/EPSG/0/2056", 2056, true},
		{"http://www.opengis.net/gml/srs/epsg.xml#4326", 4326, true},
		{"urn:ogc:def:crs:EPSG::102100", 102100, true},
		{"EPSG:900913", 900913, true},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", 0, false},
		{"CRS:84", 0, false},
		{"EPSG:", 0, false},
		{"EPSG:abc", 0, false},
		{"EPSG:-4326", 0, false},
		{"EPSG:0", 0, false},
		{"EPSG:99999999999999999999", 0, false},
		{"urn:ogc:def:crs:EPSG::", 0, false},
		{"IGNF:LAMB93", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		code, ok := EPSGCode(tt.crs)
		if code != tt.code || ok != tt.ok {
			t.Errorf("EPSGCode(%q) = %d, %v, want %d, %v", tt.crs, code, ok, tt.code, tt.ok)
		}
	}
}

func TestCRSKinds(t *testing.T) {
	tests := []struct {
		crs                                 string
		northFirst, geographic, webMercator bool
	}{
		{"EPSG:4326", true, true, false},
		{"urn:ogc:def:crs:EPSG::4326", true, true, false},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", true, true, false},
		{"EPSG:4258", true, true, false},
		{"EPSG:4490", true, true, false},
		{"EPSG:7844", true, true, false},
		{"CRS:84", false, true, false},
		{"OGC:CRS84", false, true, false},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", false, true, false},
		{"urn:ogc:def:crs:OGC:2:84", false, true, false},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", false, true, false},
		{"EPSG:3857", false, false, true},
		{"urn:ogc:def:crs:EPSG::900913", false, false, true},
		{"EPSG:3785", false, false, true},
		{"urn:ogc:def:crs:EPSG::102100", false, false, true},
		{"EPSG:102113", false, false, true},
		{"EPSG:3395", false, false, false}, // World Mercator: ellipsoidal, not web
		{"EPSG:28992", false, false, false},
		{"EPSG:25832", false, false, false},
		{"EPSG:2056", false, false, false},
		{"EPSG:27700", false, false, false},
		{"EPSG:3006", true, false, false},
		{"EPSG:3035", true, false, false},
		{"EPSG:2180", true, false, false},
		{"EPSG:31468", true, false, false},
		{"EPSG:2193", true, false, false},
		{"EPSG:3044", true, false, false},
		{"EPSG:4400", false, false, false}, // in the mostly projected 4330-4599 gap
		{"IGNF:LAMB93", false, false, false},
		{"", false, false, false},
	}
	for _, tt := range tests {
		if got := NorthingFirst(tt.crs); got != tt.northFirst {
			t.Errorf("NorthingFirst(%q) = %v, want %v", tt.crs, got, tt.northFirst)
		}
		if got := IsGeographic(tt.crs); got != tt.geographic {
			t.Errorf("IsGeographic(%q) = %v, want %v", tt.crs, got, tt.geographic)
		}
		if got := IsWebMercator(tt.crs); got != tt.webMercator {
			t.Errorf("IsWebMercator(%q) = %v, want %v", tt.crs, got, tt.webMercator)
		}
		want := 1.0
		if tt.geographic {
			want = DegreeMeters
		}
		if got := MetersPerUnit(tt.crs); got != want {
			t.Errorf("MetersPerUnit(%q) = %v, want %v", tt.crs, got, want)
		}
	}
	if math.Abs(DegreeMeters-111319.49079327357) > 1e-9 {
		t.Errorf("DegreeMeters = %v", DegreeMeters)
	}
}

package vector

import (
	"errors"
	"testing"
)

func TestGetFeatureURL(t *testing.T) {
	europe := &Bounds{West: -10, South: 35, East: 30, North: 60}
	tests := []struct {
		name string
		base string
		req  GetFeatureRequest
		want string
	}{
		{"2.0 page with bbox and GeoJSON", "https://portal.test/geoserver/ows?key=abc&SERVICE=WMS&request=GetCapabilities",
			GetFeatureRequest{TypeName: "topp:states", Count: 500, StartIndex: 1000, BBox: europe, OutputFormat: "application/json"},
			"https://portal.test/geoserver/ows?key=abc&SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=topp:states&COUNT=500&STARTINDEX=1000" +
				"&BBOX=35,-10,60,30,urn:ogc:def:crs:EPSG::4326&SRSNAME=EPSG:4326&OUTPUTFORMAT=application/json"},
		{"2.0 bbox in EPSG:4326 short form is lon/lat", "https://h.test/wfs",
			GetFeatureRequest{Version: "2.0.2", TypeName: "a", BBox: europe, BBoxCRS: "EPSG:4326"},
			"https://h.test/wfs?SERVICE=WFS&VERSION=2.0.2&REQUEST=GetFeature&TYPENAMES=a&BBOX=-10,35,30,60,EPSG:4326&SRSNAME=EPSG:4326"},
		{"2.0 bbox in Web Mercator", "https://h.test/wfs?",
			GetFeatureRequest{TypeName: "a", BBox: &Bounds{West: 0, South: 0, East: 180, North: 0}, BBoxCRS: "EPSG:3857", SRSName: "urn:ogc:def:crs:EPSG::4326"},
			"https://h.test/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=a&BBOX=0,0,20037508.342789244,0,EPSG:3857&SRSNAME=urn:ogc:def:crs:EPSG::4326"},
		{"1.1 keeps vendor parameters sorted", "http://ms.test/cgi-bin/mapserv?map=/data/roads.map&typename=old&MAXFEATURES=3&",
			GetFeatureRequest{Version: "1.1.0", TypeName: "roads", Count: 100, StartIndex: 100, BBox: europe, OutputFormat: "geojson"},
			"http://ms.test/cgi-bin/mapserv?map=/data/roads.map&SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=roads&MAXFEATURES=100&STARTINDEX=100" +
				"&BBOX=35,-10,60,30,urn:ogc:def:crs:EPSG::4326&SRSNAME=EPSG:4326&OUTPUTFORMAT=geojson"},
		{"1.0 bbox without suffix", "http://ms.test/wfs?MAP=parcels&z=1&a=2",
			GetFeatureRequest{Version: "1.0.0", TypeName: "parcels", Count: 10, BBox: europe},
			"http://ms.test/wfs?MAP=parcels&a=2&z=1&SERVICE=WFS&VERSION=1.0.0&REQUEST=GetFeature&TYPENAME=parcels&MAXFEATURES=10&BBOX=-10,35,30,60"},
		{"escaping and user info", "https://user:pw@h.test/wfs?x=a%20b#frag",
			GetFeatureRequest{TypeName: "ns:a b&c"},
			"https://h.test/wfs?x=a+b&SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ns:a+b%26c&SRSNAME=EPSG:4326"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GetFeatureURL(tt.base, tt.req)
			if err != nil {
				t.Fatalf("GetFeatureURL() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("GetFeatureURL(%q) =\n  %s\nwant\n  %s", tt.base, got, tt.want)
			}
		})
	}
}

func TestGetFeatureURLErrors(t *testing.T) {
	tests := []struct {
		base string
		req  GetFeatureRequest
		want error
	}{
		{"ftp://h.test/wfs", GetFeatureRequest{TypeName: "a"}, ErrBadRequest},
		{"/wfs", GetFeatureRequest{TypeName: "a"}, ErrBadRequest},
		{"https://h.test/wfs", GetFeatureRequest{}, ErrBadRequest},
		{"https://h.test/wfs", GetFeatureRequest{TypeName: "a", Version: "3.0"}, ErrBadRequest},
		{"https://h.test/wfs", GetFeatureRequest{TypeName: "a", Count: -1}, ErrBadRequest},
		{"https://h.test/wfs", GetFeatureRequest{TypeName: "a", BBox: &Bounds{West: 10, East: 0}}, ErrBadRequest},
		{"https://h.test/wfs", GetFeatureRequest{TypeName: "a", BBox: &Bounds{East: 1, North: 1}, BBoxCRS: "EPSG:25832"}, ErrUnsupportedCRS},
	}
	for _, tt := range tests {
		if _, err := GetFeatureURL(tt.base, tt.req); !errors.Is(err, tt.want) {
			t.Errorf("GetFeatureURL(%q, %+v) error = %v, want %v", tt.base, tt.req, err, tt.want)
		}
	}
}

func TestItemsURL(t *testing.T) {
	tests := []struct {
		items string
		req   ItemsRequest
		want  string
	}{
		{"https://portal.test/ogc/collections/buildings/items", ItemsRequest{BBox: &Bounds{West: 5.5, South: 47, East: 15, North: 55.25}, Limit: 1000},
			"https://portal.test/ogc/collections/buildings/items?bbox=5.5,47,15,55.25&limit=1000"},
		{"https://portal.test/ogc/collections/b/items?apikey=k&limit=5&BBOX=1,2,3,4&f=html", ItemsRequest{Limit: 1, Format: "json"},
			"https://portal.test/ogc/collections/b/items?apikey=k&limit=1&f=json"},
		{"https://portal.test/ogc/collections/b/items?apikey=k", ItemsRequest{},
			"https://portal.test/ogc/collections/b/items?apikey=k"},
		{"https://portal.test/ogc/collections/b/items?", ItemsRequest{},
			"https://portal.test/ogc/collections/b/items"},
	}
	for _, tt := range tests {
		got, err := ItemsURL(tt.items, tt.req)
		if err != nil || got != tt.want {
			t.Errorf("ItemsURL(%q, %+v) = %q, %v, want %q", tt.items, tt.req, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		items string
		req   ItemsRequest
	}{
		{"collections/b/items", ItemsRequest{}},
		{"https://h.test/items", ItemsRequest{Limit: -1}},
		{"https://h.test/items", ItemsRequest{BBox: &Bounds{South: 10, North: -10}}},
	} {
		if _, err := ItemsURL(bad.items, bad.req); !errors.Is(err, ErrBadRequest) {
			t.Errorf("ItemsURL(%q, %+v) error = %v, want ErrBadRequest", bad.items, bad.req, err)
		}
	}
}

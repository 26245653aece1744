package demo

import (
	"bytes"
	"encoding/xml"
	"strconv"

	"mapvault/layers"
)

// The capabilities documents are built from these structs with encoding/xml,
// which escapes every text and attribute.

type xLink struct {
	XMLNS string `xml:"xmlns:xlink,attr,omitempty"`
	Type  string `xml:"xlink:type,attr"`
	Href  string `xml:"xlink:href,attr"`
}

func link(href string) *xLink { return &xLink{Type: "simple", Href: href} }

type xService struct {
	Name              string `xml:"Name"`
	Title             string `xml:"Title"`
	Abstract          string `xml:"Abstract"`
	OnlineResource    *xLink `xml:"OnlineResource"`
	Fees              string `xml:"Fees"`
	AccessConstraints string `xml:"AccessConstraints"`
	MaxWidth          int    `xml:"MaxWidth,omitempty"`
	MaxHeight         int    `xml:"MaxHeight,omitempty"`
}

type xOperation struct {
	Formats []string `xml:"Format"`
	Get     *xLink   `xml:"DCPType>HTTP>Get>OnlineResource"`
}

type xRequest struct {
	GetCapabilities xOperation `xml:"GetCapabilities"`
	GetMap          xOperation `xml:"GetMap"`
}

type xGeoBox struct {
	West  float64 `xml:"westBoundLongitude"`
	East  float64 `xml:"eastBoundLongitude"`
	South float64 `xml:"southBoundLatitude"`
	North float64 `xml:"northBoundLatitude"`
}

type xLatLonBox struct {
	MinX float64 `xml:"minx,attr"`
	MinY float64 `xml:"miny,attr"`
	MaxX float64 `xml:"maxx,attr"`
	MaxY float64 `xml:"maxy,attr"`
}

type xBBox struct {
	CRS  string `xml:"CRS,attr,omitempty"`
	SRS  string `xml:"SRS,attr,omitempty"`
	MinX string `xml:"minx,attr"`
	MinY string `xml:"miny,attr"`
	MaxX string `xml:"maxx,attr"`
	MaxY string `xml:"maxy,attr"`
}

type xStyle struct {
	Name  string `xml:"Name"`
	Title string `xml:"Title"`
}

type xLayer struct {
	Queryable int         `xml:"queryable,attr"`
	Opaque    *int        `xml:"opaque,attr,omitempty"`
	Name      string      `xml:"Name,omitempty"`
	Title     string      `xml:"Title"`
	Abstract  string      `xml:"Abstract,omitempty"`
	CRS       []string    `xml:"CRS,omitempty"`
	SRS       []string    `xml:"SRS,omitempty"`
	GeoBox    *xGeoBox    `xml:"EX_GeographicBoundingBox,omitempty"`
	LatLonBox *xLatLonBox `xml:"LatLonBoundingBox,omitempty"`
	BBoxes    []xBBox     `xml:"BoundingBox"`
	Styles    []xStyle    `xml:"Style"`
	Layers    []xLayer    `xml:"Layer"`
}

type xCapability struct {
	Request    xRequest `xml:"Request"`
	Exceptions []string `xml:"Exception>Format"`
	Layer      xLayer   `xml:"Layer"`
}

type xCapabilities130 struct {
	XMLName        xml.Name    `xml:"WMS_Capabilities"`
	Version        string      `xml:"version,attr"`
	XMLNS          string      `xml:"xmlns,attr"`
	XLink          string      `xml:"xmlns:xlink,attr"`
	XSI            string      `xml:"xmlns:xsi,attr"`
	SchemaLocation string      `xml:"xsi:schemaLocation,attr"`
	Service        xService    `xml:"Service"`
	Capability     xCapability `xml:"Capability"`
}

type xCapabilities111 struct {
	XMLName    xml.Name    `xml:"WMT_MS_Capabilities"`
	Version    string      `xml:"version,attr"`
	XLink      string      `xml:"xmlns:xlink,attr"`
	Service    xService    `xml:"Service"`
	Capability xCapability `xml:"Capability"`
}

// num formats a coordinate without exponent and without needless digits.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// bboxes returns the layer's BoundingBox elements for the version, clamping
// latitudes to the Web Mercator world for EPSG:3857.
func bboxes(ll bounds, version string) []xBBox {
	mx0, my0 := layers.LonLatToMercator(ll.minX, ll.minY)
	mx1, my1 := layers.LonLatToMercator(ll.maxX, ll.maxY)
	merc := xBBox{MinX: num(round(mx0, 2)), MinY: num(round(my0, 2)), MaxX: num(round(mx1, 2)), MaxY: num(round(my1, 2))}
	if version == version111 {
		merc.SRS = "EPSG:3857"
		return []xBBox{
			{SRS: "EPSG:4326", MinX: num(ll.minX), MinY: num(ll.minY), MaxX: num(ll.maxX), MaxY: num(ll.maxY)},
			merc,
		}
	}
	merc.CRS = "EPSG:3857"
	return []xBBox{
		{CRS: "CRS:84", MinX: num(ll.minX), MinY: num(ll.minY), MaxX: num(ll.maxX), MaxY: num(ll.maxY)},
		// EPSG:4326 in WMS 1.3.0: minx/maxx are latitudes.
		{CRS: "EPSG:4326", MinX: num(ll.minY), MinY: num(ll.minX), MaxX: num(ll.maxY), MaxY: num(ll.maxX)},
		merc,
	}
}

func round(f float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(f*p+0.5*sign(f))) / p
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// capabilities returns the GetCapabilities document of the endpoint for the
// version; self is the endpoint's own URL (scheme, host, path; no query).
func capabilities(e *endpoint, version, self string) ([]byte, error) {
	access := "none"
	switch e.auth {
	case authBasic:
		access = "HTTP Basic authentication (demo credentials)"
	case authKey:
		access = "access key in the authkey query parameter (demo key)"
	}
	svc := xService{
		Name:              "WMS",
		Title:             e.title,
		Abstract:          e.abstract + " Part of the mapvault offline demo.",
		OnlineResource:    link(self),
		Fees:              "none",
		AccessConstraints: access,
		MaxWidth:          maxSize,
		MaxHeight:         maxSize,
	}
	get := link(self + "?")
	capsFormat, excFormat := "text/xml", "XML"
	if version == version111 {
		svc.Name = "OGC:WMS"
		svc.MaxWidth, svc.MaxHeight = 0, 0 // not part of WMS 1.1.1
		capsFormat, excFormat = "application/vnd.ogc.wms_xml", "application/vnd.ogc.se_xml"
	}

	all := emptyBounds()
	var children []xLayer
	for _, l := range e.layers {
		all.union(l.data.lonLat)
		children = append(children, layerXML(l, version))
	}
	root := xLayer{Title: e.title, Abstract: e.abstract, Layers: children}
	if version == version111 {
		root.SRS = []string{"EPSG:3857", "EPSG:4326"}
		root.LatLonBox = &xLatLonBox{all.minX, all.minY, all.maxX, all.maxY}
	} else {
		root.CRS = supportedCRS()
		root.GeoBox = &xGeoBox{all.minX, all.maxX, all.minY, all.maxY}
	}
	root.BBoxes = bboxes(all, version)

	capability := xCapability{
		Request: xRequest{
			GetCapabilities: xOperation{Formats: []string{capsFormat}, Get: get},
			GetMap:          xOperation{Formats: []string{"image/png"}, Get: get},
		},
		Exceptions: []string{excFormat},
		Layer:      root,
	}

	var doc any
	var header string
	if version == version111 {
		doc = xCapabilities111{Version: version111, XLink: "http://www.w3.org/1999/xlink", Service: svc, Capability: capability}
		header = xml.Header + `<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd">` + "\n"
	} else {
		doc = xCapabilities130{
			Version:        version130,
			XMLNS:          "http://www.opengis.net/wms",
			XLink:          "http://www.w3.org/1999/xlink",
			XSI:            "http://www.w3.org/2001/XMLSchema-instance",
			SchemaLocation: "http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd",
			Service:        svc,
			Capability:     capability,
		}
		header = xml.Header
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func layerXML(l *layer, version string) xLayer {
	opaque := 0 // every demo layer leaves the background visible
	x := xLayer{
		Opaque:   &opaque,
		Name:     l.name,
		Title:    l.title,
		Abstract: l.abstract,
		BBoxes:   bboxes(l.data.lonLat, version),
		Styles:   []xStyle{{Name: "default", Title: "Default"}},
	}
	b := l.data.lonLat
	if version == version111 {
		x.LatLonBox = &xLatLonBox{b.minX, b.minY, b.maxX, b.maxY}
	} else {
		x.GeoBox = &xGeoBox{b.minX, b.maxX, b.minY, b.maxY}
	}
	return x
}

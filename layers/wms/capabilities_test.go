package wms

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"mapvault/layers"
)

// document130 wraps capability content in a WMS 1.3.0 document.
func document130(layers string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>T</Title></Service>
<Capability><Request><GetMap><Format>image/png</Format>
<DCPType><HTTP><Get><OnlineResource xlink:href="http://h/wms?"/></Get></HTTP></DCPType></GetMap></Request>
` + layers + `</Capability></WMS_Capabilities>`
}

// document111 wraps capability content in a WMS 1.1.1 document.
func document111(layers string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd" [
 <!ELEMENT VendorSpecificCapabilities EMPTY>
]>
<WMT_MS_Capabilities version="1.1.1">
<Service><Name>OGC:WMS</Name><Title>T</Title></Service>
<Capability><Request><GetMap><Format>image/png</Format>
<DCPType><HTTP><Get><OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://h/wms?"/></Get></HTTP></DCPType></GetMap></Request>
` + layers + `</Capability></WMT_MS_Capabilities>`
}

func mustParse(t *testing.T, doc string) *Capabilities {
	t.Helper()
	caps, err := ParseCapabilities(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("ParseCapabilities error: %v", err)
	}
	return caps
}

func mustFind(t *testing.T, caps *Capabilities, name string) *Layer {
	t.Helper()
	l := caps.Find(name)
	if l == nil {
		t.Fatalf("Find(%q) = nil, want a layer", name)
	}
	return l
}

func boxOf(l *Layer, crs string) []float64 {
	b := l.BBoxes()[crs]
	if b == nil {
		return nil
	}
	return []float64{b.Min(0), b.Min(1), b.Max(0), b.Max(1)}
}

func TestParseCapabilitiesAxisOrder(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		crs  string
		want []float64 // west, south, east, north
	}{
		{"1.3.0 EPSG:4326 is lat/lon", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4326" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`), "EPSG:4326", []float64{20, 10, 40, 30}},
		{"1.3.0 EPSG:4258 is lat/lon", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4258" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`), "EPSG:4258", []float64{20, 10, 40, 30}},
		{"1.3.0 EPSG:4283 is lat/lon", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4283" minx="-41" miny="130" maxx="-12" maxy="151"/></Layer>`), "EPSG:4283", []float64{130, -41, 151, -12}},
		{"1.3.0 urn EPSG 4326 is lat/lon", document130(`<Layer><Name>a</Name><BoundingBox CRS="urn:ogc:def:crs:EPSG::4326" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`), "urn:ogc:def:crs:EPSG::4326", []float64{20, 10, 40, 30}},
		{"1.3.0 CRS:84 is lon/lat", document130(`<Layer><Name>a</Name><BoundingBox CRS="CRS:84" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`), "CRS:84", []float64{10, 20, 30, 40}},
		{"1.3.0 EPSG:3857 is x/y", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:3857" minx="-1" miny="-2" maxx="1" maxy="2"/></Layer>`), "EPSG:3857", []float64{-1, -2, 1, 2}},
		{"1.3.0 EPSG:4087 (projected) is x/y", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4087" minx="-1" miny="-2" maxx="1" maxy="2"/></Layer>`), "EPSG:4087", []float64{-1, -2, 1, 2}},
		{"1.1.1 EPSG:4326 as written", document111(`<Layer><Name>a</Name><BoundingBox SRS="EPSG:4326" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`), "EPSG:4326", []float64{10, 20, 30, 40}},
		{"attributes in any order", document130(`<Layer><Name>a</Name><BoundingBox maxy="40" minx="10" CRS="EPSG:4326" maxx="30" miny="20"/></Layer>`), "EPSG:4326", []float64{20, 10, 40, 30}},
		{"unparsable number drops the box", document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4326" minx="x" miny="20" maxx="30" maxy="40"/></Layer>`), "EPSG:4326", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustFind(t, mustParse(t, tt.doc), "a")
			if got := boxOf(l, tt.crs); !slices.Equal(got, tt.want) {
				t.Errorf("BBoxes[%q] = %v, want %v", tt.crs, got, tt.want)
			}
		})
	}
}

func TestCapsLatLonCRS(t *testing.T) {
	for _, c := range []string{"EPSG:4326", "epsg:4326", "EPSG:4258", "EPSG:4269", "EPSG:4289", "EPSG:4283", "EPSG:4171", "EPSG:4619", "EPSG:4937", "EPSG:4490", "EPSG:7844", "http://www.opengis.net/def/crs/EPSG/0/4326", "urn:ogc:def:crs:EPSG:6.6:4258"} {
		if !latLonCRS(c) {
			t.Errorf("latLonCRS(%q) = false, want true", c)
		}
	}
	for _, c := range []string{"CRS:84", "EPSG:3857", "EPSG:900913", "EPSG:27700", "EPSG:4087", "EPSG:4978x", "AUTO:42003", "IGNF:WGS84G", "EPSG:WGS84(DD)", "init=epsg:4326", "", "EPSG:"} {
		if latLonCRS(c) {
			t.Errorf("latLonCRS(%q) = true, want false", c)
		}
	}
}

func TestParseCapabilitiesInheritance(t *testing.T) {
	doc := document111(`<Layer queryable="1">
  <Title>root</Title>
  <SRS>EPSG:4326 EPSG:3857</SRS><SRS>epsg:3857</SRS>
  <LatLonBoundingBox minx="-180" miny="-90" maxx="180" maxy="90"/>
  <BoundingBox SRS="EPSG:4326" minx="-180" miny="-90" maxx="180" maxy="90"/>
  <BoundingBox SRS="EPSG:3857" minx="-2" miny="-2" maxx="2" maxy="2"/>
  <Style><Name>base</Name><LegendURL><OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://h/legend?a=1&amp;b=2"/></LegendURL></Style>
  <Dimension name="time" units="ISO8601"/>
  <Dimension name="elevation" units="m" unitSymbol="m"/>
  <Extent name="elevation" default="0">0,10</Extent>
  <Layer opaque="1">
    <Name>group</Name><Title>group</Title>
    <SRS>EPSG:27700</SRS>
    <BoundingBox SRS="EPSG:4326" minx="-10" miny="50" maxx="2" maxy="60"/>
    <Style><Name>base</Name></Style><Style><Name>extra</Name></Style><Style><Name>extra</Name></Style>
    <Layer queryable="0">
      <Name>leaf</Name><Title>leaf</Title>
      <SRS>EPSG:3857</SRS><SRS>EPSG:32630</SRS>
      <LatLonBoundingBox minx="-5" miny="51" maxx="1" maxy="55"/>
      <Extent name="time" default="2020-01-01">
        2020-01-01/2020-12-31/P1D
      </Extent>
    </Layer>
    <Layer><Name>leaf2</Name><Title>leaf2</Title><Dimension name="time" units="other"/></Layer>
  </Layer>
</Layer>`)
	caps := mustParse(t, doc)
	root, group, leaf, leaf2 := caps.Roots[0], mustFind(t, caps, "group"), mustFind(t, caps, "leaf"), mustFind(t, caps, "leaf2")

	crsTests := []struct {
		l    *Layer
		want []string
	}{
		{root, []string{"EPSG:4326", "EPSG:3857"}},
		{group, []string{"EPSG:4326", "EPSG:3857", "EPSG:27700"}},
		{leaf, []string{"EPSG:4326", "EPSG:3857", "EPSG:27700", "EPSG:32630"}},
		{leaf2, []string{"EPSG:4326", "EPSG:3857", "EPSG:27700"}},
	}
	for _, tt := range crsTests {
		if !slices.Equal(tt.l.CRS(), tt.want) {
			t.Errorf("%s: CRS = %q, want %q", tt.l.Title, tt.l.CRS(), tt.want)
		}
	}
	if !leaf.HasCRS("epsg:32630") || leaf.HasCRS("EPSG:2154") {
		t.Errorf("leaf HasCRS(epsg:32630), HasCRS(EPSG:2154) = %v, %v, want true, false", leaf.HasCRS("epsg:32630"), leaf.HasCRS("EPSG:2154"))
	}

	boolTests := []struct {
		name      string
		got, want bool
	}{
		{"root queryable", root.Queryable, true},
		{"group queryable (inherited)", group.Queryable, true},
		{"leaf queryable (own 0)", leaf.Queryable, false},
		{"leaf2 queryable (inherited)", leaf2.Queryable, true},
		{"root opaque (default)", root.Opaque, false},
		{"leaf opaque (inherited)", leaf.Opaque, true},
		{"group geo inherited", group.GeographicBBoxInherited, true},
		{"leaf geo own", leaf.GeographicBBoxInherited, false},
		{"leaf2 geo inherited", leaf2.GeographicBBoxInherited, true},
	}
	for _, tt := range boolTests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if got, want := []float64{leaf2.GeographicBBox.Min(0), leaf2.GeographicBBox.Max(1)}, []float64{-180, 90}; !slices.Equal(got, want) {
		t.Errorf("leaf2 GeographicBBox west,north = %v, want %v", got, want)
	}
	if got, want := boxOf(leaf, "EPSG:4326"), []float64{-10, 50, 2, 60}; !slices.Equal(got, want) {
		t.Errorf("leaf BBoxes[EPSG:4326] = %v, want %v (from group)", got, want)
	}
	if got, want := boxOf(leaf, "EPSG:3857"), []float64{-2, -2, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("leaf BBoxes[EPSG:3857] = %v, want %v (from root)", got, want)
	}

	var styles []string
	for _, s := range leaf.Styles() {
		styles = append(styles, s.Name)
	}
	if want := []string{"base", "extra"}; !slices.Equal(styles, want) {
		t.Errorf("leaf Styles = %q, want %q", styles, want)
	}
	if got, want := leaf.Styles()[0].LegendURL, "http://h/legend?a=1&b=2"; got != want {
		t.Errorf("LegendURL = %q, want %q", got, want)
	}

	dimTests := []struct {
		l    *Layer
		key  string
		want Dimension
	}{
		{root, "time", Dimension{Name: "time", Units: "ISO8601"}},
		{leaf, "time", Dimension{Name: "time", Units: "ISO8601", Default: "2020-01-01", HasDefault: true, Values: "2020-01-01/2020-12-31/P1D"}},
		{leaf, "elevation", Dimension{Name: "elevation", Units: "m", UnitSymbol: "m", Default: "0", HasDefault: true, Values: "0,10", Inherited: true}},
		{leaf2, "time", Dimension{Name: "time", Units: "other"}},
	}
	for _, tt := range dimTests {
		if got := tt.l.Dimensions()[tt.key]; got != tt.want {
			t.Errorf("%s: Dimensions[%q] = %+v, want %+v", tt.l.Title, tt.key, got, tt.want)
		}
	}
}

func TestParseCapabilitiesDimension130(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Title>r</Title>
<Dimension name="time" units="ISO8601" default="current" current="1" multipleValues="true">2020-01-01,2020-02-01</Dimension>
<Layer><Name>a</Name><Title>a</Title></Layer>
<Layer><Name>b</Name><Title>b</Title><Dimension name="TIME" units="ISO8601" nearestValue="1">2021-01-01</Dimension></Layer>
</Layer>`))
	tests := []struct {
		name string
		want Dimension
	}{
		{"a", Dimension{Name: "time", Units: "ISO8601", Default: "current", HasDefault: true, Values: "2020-01-01,2020-02-01", MultipleValues: true, Current: true, Inherited: true}},
		{"b", Dimension{Name: "TIME", Units: "ISO8601", Values: "2021-01-01", NearestValue: true}},
	}
	for _, tt := range tests {
		l := mustFind(t, caps, tt.name)
		if got := l.Dimensions()["time"]; got != tt.want {
			t.Errorf("%s: Dimensions[time] = %+v, want %+v", tt.name, got, tt.want)
		}
		if len(l.Dimensions()) != 1 {
			t.Errorf("%s: len(Dimensions) = %d, want 1", tt.name, len(l.Dimensions()))
		}
	}
}

func TestParseCapabilitiesDocument(t *testing.T) {
	latin1, _ := charmap.ISO8859_1.NewEncoder().String("Fußgängerzone")
	cp1252, _ := charmap.Windows1252.NewEncoder().String("Preis €")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(document130(`<Layer><Name>a</Name><Title>Größe</Title></Layer>`))
	tests := []struct {
		name      string
		doc       string
		wantTitle string // title of layer "a"
	}{
		{"ISO-8859-1", strings.Replace(document111(`<Layer><Name>a</Name><Title>`+latin1+`</Title></Layer>`), `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1), "Fußgängerzone"},
		{"windows-1252", strings.Replace(document130(`<Layer><Name>a</Name><Title>`+cp1252+`</Title></Layer>`), `encoding="UTF-8"`, `encoding="windows-1252"`, 1), "Preis €"},
		{"UTF-8 BOM", "\xEF\xBB\xBF" + document130(`<Layer><Name>a</Name><Title>x</Title></Layer>`), "x"},
		{"UTF-16 BOM", strings.Replace(utf16, "UTF-8", "UTF-16", 1), "Größe"},
		{"CDATA", document130(`<Layer><Name>a</Name><Title><![CDATA[a <b> & c]]></Title></Layer>`), "a <b> & c"},
		{"entities", document130(`<Layer><Name>a</Name><Title>t &amp; t G&#xE9;o &eacute; &nbsp;</Title></Layer>`), "t & t Géo é"},
		{"undeclared entity kept", document111(`<Layer><Name>a</Name><Title>x &custom; y</Title></Layer>`), "x &custom; y"},
		{"wms prefix", document130(`<wms:Layer xmlns:wms="http://www.opengis.net/wms"><wms:Name>a</wms:Name><wms:Title>p</wms:Title></wms:Layer>`), "p"},
		{"foreign element skipped", document130(`<Layer><Name>a</Name><x:Title xmlns:x="urn:other">wrong</x:Title><Title>right</Title><x:Layer xmlns:x="urn:other"><Name>b</Name></x:Layer></Layer>`), "right"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps := mustParse(t, tt.doc)
			l := mustFind(t, caps, "a")
			if l.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", l.Title, tt.wantTitle)
			}
			if got := len(caps.Layers()); got != 1 {
				t.Errorf("len(Layers()) = %d, want 1", got)
			}
		})
	}
}

func TestParseCapabilitiesService(t *testing.T) {
	doc := `<?xml version="1.0"?><wms:WMS_Capabilities xmlns:wms="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.3.0">
<wms:Service><wms:Name>WMS</wms:Name><wms:Title> A &amp; B </wms:Title><wms:Abstract>abs</wms:Abstract>
<wms:OnlineResource xlink:href="http://h/"/><wms:ContactInformation><wms:ContactPersonPrimary><wms:ContactPerson>Title</wms:ContactPerson></wms:ContactPersonPrimary></wms:ContactInformation></wms:Service>
<wms:Capability><wms:Request>
<wms:GetCapabilities><wms:Format>text/xml</wms:Format><wms:DCPType><wms:HTTP><wms:Get><wms:OnlineResource xlink:href="http://wrong/"/></wms:Get></wms:HTTP></wms:DCPType></wms:GetCapabilities>
<wms:GetMap><wms:Format>image/png</wms:Format><wms:Format>image/jpeg</wms:Format>
<wms:DCPType><wms:HTTP><wms:Get><wms:OnlineResource xlink:href="http://h/ows?map=x&amp;"/></wms:Get><wms:Post><wms:OnlineResource xlink:href="http://post/"/></wms:Post></wms:HTTP></wms:DCPType></wms:GetMap>
</wms:Request><wms:Exception><wms:Format>XML</wms:Format></wms:Exception>
<inspire_vs:ExtendedCapabilities xmlns:inspire_vs="urn:inspire"><Layer><Name>no</Name></Layer></inspire_vs:ExtendedCapabilities>
<wms:Layer><wms:Title>r</wms:Title><wms:Layer><wms:Name>a</wms:Name></wms:Layer><wms:Layer><wms:Name>b</wms:Name></wms:Layer></wms:Layer>
<wms:Layer><wms:Name>a</wms:Name><wms:Title>second a</wms:Title></wms:Layer>
</wms:Capability></wms:WMS_Capabilities>`
	caps := mustParse(t, doc)
	got := []string{caps.Version, caps.Title, caps.Abstract, caps.OnlineResource, caps.GetMapURL, strings.Join(caps.GetMapFormats, ",")}
	want := []string{"1.3.0", "A & B", "abs", "http://h/", "http://h/ows?map=x&", "image/png,image/jpeg"}
	if !slices.Equal(got, want) {
		t.Errorf("service fields = %q, want %q", got, want)
	}
	var order []string
	for _, l := range caps.Layers() {
		order = append(order, l.Name+"@"+string(rune('0'+l.Depth)))
	}
	if want := []string{"@0", "a@1", "b@1", "a@0"}; !slices.Equal(order, want) {
		t.Errorf("Layers() = %q, want %q", order, want)
	}
	if l := caps.Find("a"); l == nil || l.Depth != 1 || l.Parent != caps.Roots[0] {
		t.Errorf("Find(a) = %+v, want the first a, child of the root", l)
	}
	if l := caps.Find("missing"); l != nil {
		t.Errorf("Find(missing) = %+v, want nil", l)
	}
	if l := caps.Find(""); l != nil {
		t.Errorf("Find(\"\") = %+v, want nil", l)
	}
}

func TestParseCapabilitiesErrors(t *testing.T) {
	deep := func(n int) string {
		return document130(strings.Repeat("<Layer><Title>x</Title>", n) + strings.Repeat("</Layer>", n))
	}
	tests := []struct {
		name     string
		doc      string
		want     error
		wantExc  *layers.ServiceException
		wantNone bool
	}{
		{name: "empty", doc: "", want: ErrNotCapabilities},
		{name: "html", doc: "<!DOCTYPE html><html><head><title>Login</title></head><body>x</body></html>", want: ErrNotCapabilities},
		{name: "other xml", doc: `<?xml version="1.0"?><WFS_Capabilities version="2.0.0"/>`, want: ErrNotCapabilities},
		{name: "ogc exception", doc: `<?xml version="1.0"?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="InvalidFormat">
  msWMSLoadGetMapParams(): bad
</ServiceException></ServiceExceptionReport>`, wantExc: &layers.ServiceException{Code: "InvalidFormat", Message: "msWMSLoadGetMapParams(): bad"}},
		{name: "1.1.1 exception with CDATA", doc: `<ServiceExceptionReport version="1.1.1"><ServiceException><![CDATA[Layer not found]]></ServiceException></ServiceExceptionReport>`, wantExc: &layers.ServiceException{Message: "Layer not found"}},
		{name: "ows exception", doc: `<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.0"><ows:Exception exceptionCode="VersionNegotiationFailed" locator="version"><ows:ExceptionText>no 1.3.0</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`, wantExc: &layers.ServiceException{Code: "VersionNegotiationFailed", Message: "no 1.3.0"}},
		{name: "truncated", doc: document130(`<Layer><Name>a</Name>`)[:200]},
		{name: "64 levels ok", doc: deep(MaxLayerDepth), wantNone: true},
		{name: "65 levels refused", doc: deep(MaxLayerDepth + 1), want: ErrCapabilitiesTooDeep},
		{name: "deep foreign elements refused", doc: document130(strings.Repeat("<x:e xmlns:x='urn:x'>", 2000) + strings.Repeat("</x:e>", 2000)), want: ErrCapabilitiesTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps, err := ParseCapabilities(strings.NewReader(tt.doc))
			switch {
			case tt.wantNone:
				if err != nil {
					t.Fatalf("ParseCapabilities error: %v, want nil", err)
				}
				if got := len(caps.Layers()); got != MaxLayerDepth {
					t.Errorf("len(Layers()) = %d, want %d", got, MaxLayerDepth)
				}
			case tt.wantExc != nil:
				var se *layers.ServiceException
				if !errors.As(err, &se) {
					t.Fatalf("ParseCapabilities error = %v, want a *layers.ServiceException", err)
				}
				if *se != *tt.wantExc {
					t.Errorf("ServiceException = %+v, want %+v", *se, *tt.wantExc)
				}
			case tt.want != nil:
				if !errors.Is(err, tt.want) {
					t.Errorf("ParseCapabilities error = %v, want %v", err, tt.want)
				}
			default:
				if err == nil {
					t.Errorf("ParseCapabilities error = nil, want an error")
				}
			}
			if err != nil && caps != nil {
				t.Errorf("ParseCapabilities returned both %v and a document", err)
			}
		})
	}
}

// repeatReader yields n bytes of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestParseCapabilitiesSizeLimit(t *testing.T) {
	doc := document130(`<Layer><Name>a</Name><Title>@</Title></Layer>`)
	head, tail, _ := strings.Cut(doc, "@")
	const limit = 64 << 10
	tests := []struct {
		name    string
		total   int64
		wantErr error
	}{
		{"exactly the limit", limit, nil},
		{"one byte over", limit + 1, ErrCapabilitiesTooLarge},
		{"far over", 4 * limit, ErrCapabilitiesTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fill := tt.total - int64(len(head)+len(tail))
			r := io.MultiReader(strings.NewReader(head), &repeatReader{b: 'x', n: fill}, strings.NewReader(tail))
			_, err := parseLimit(r, limit)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("parseLimit(%d bytes, %d) error = %v, want %v", tt.total, limit, err, tt.wantErr)
			}
		})
	}
	// Trailing bytes after the root element are never read.
	r := io.MultiReader(strings.NewReader(doc), &repeatReader{b: ' ', n: 2 * MaxCapabilitiesSize})
	if _, err := ParseCapabilities(r); err != nil {
		t.Errorf("ParseCapabilities(doc + 32 MiB trailing spaces) error = %v, want nil", err)
	}
}

func TestCapsLimitReader(t *testing.T) {
	tests := []struct {
		n       int64
		wantErr error
	}{
		{MaxCapabilitiesSize, nil},
		{MaxCapabilitiesSize + 1, ErrCapabilitiesTooLarge},
	}
	for _, tt := range tests {
		n, err := io.Copy(io.Discard, &limitReader{r: &repeatReader{b: 'x', n: tt.n}, left: MaxCapabilitiesSize})
		if !errors.Is(err, tt.wantErr) || n > MaxCapabilitiesSize {
			t.Errorf("reading %d bytes: %d, %v, want at most %d bytes and %v", tt.n, n, err, MaxCapabilitiesSize, tt.wantErr)
		}
	}
}

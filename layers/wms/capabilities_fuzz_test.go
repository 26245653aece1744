package wms

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseCapabilities checks that the parser never panics, stays bounded
// and only returns documents that keep its invariants. It is seeded with the
// hand-written table documents and, when the corpus is present, with the
// first few kilobytes of each real document.
func FuzzParseCapabilities(f *testing.F) {
	seeds := []string{
		document130(`<Layer><Name>a</Name><BoundingBox CRS="EPSG:4326" minx="10" miny="20" maxx="30" maxy="40"/></Layer>`),
		document111(`<Layer queryable="1"><SRS>EPSG:4326 EPSG:3857</SRS><LatLonBoundingBox minx="-180" miny="-90" maxx="180" maxy="90"/><Dimension name="time" units="ISO8601"/><Layer><Name>b</Name><Extent name="time" default="2020">2020,2021</Extent><Style><Name>s</Name></Style></Layer></Layer>`),
		document130(`<Layer><Title>r</Title><EX_GeographicBoundingBox><westBoundLongitude>-1</westBoundLongitude><eastBoundLongitude>1</eastBoundLongitude><southBoundLatitude>-1</southBoundLatitude><northBoundLatitude>1</northBoundLatitude></EX_GeographicBoundingBox><Dimension name="time" units="ISO8601" default="current">2020-01-01/2020-12-31/P1D</Dimension><Layer><Name>a</Name></Layer></Layer>`),
		"\xEF\xBB\xBF" + document130(`<Layer><Name>a</Name><Title><![CDATA[x]]></Title></Layer>`),
		`<ServiceExceptionReport><ServiceException code="c">m</ServiceException></ServiceExceptionReport>`,
		`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="x"><ows:ExceptionText>t</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><WMT_MS_Capabilities version="1.1.1"><Capability><Layer><Name>&#xE9;&eacute;&x;</Name></Layer></Capability></WMT_MS_Capabilities>`,
		"<html><body>no</body></html>",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if entries, err := os.ReadDir(corpusDir); err == nil {
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".xml") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
			if err != nil {
				continue
			}
			f.Add(b[:min(len(b), 4096)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		caps, err := ParseCapabilities(bytes.NewReader(data))
		if err != nil {
			if caps != nil {
				t.Fatalf("ParseCapabilities returned a document with error %v", err)
			}
			return
		}
		if caps == nil {
			t.Fatal("ParseCapabilities returned nil, nil")
		}
		for _, l := range caps.Layers() {
			checkInvariants(t, l)
		}
		if _, err := caps.ReportJSON(); err != nil {
			t.Fatalf("ReportJSON error: %v", err)
		}
	})
}

func checkInvariants(t *testing.T, l *Layer) {
	t.Helper()
	if l.Depth >= MaxLayerDepth {
		t.Fatalf("layer depth %d >= %d", l.Depth, MaxLayerDepth)
	}
	if l.Parent != nil && l.Depth != l.Parent.Depth+1 {
		t.Fatalf("layer depth %d, parent depth %d", l.Depth, l.Parent.Depth)
	}
	seen := map[string]bool{}
	for _, c := range l.CRS() {
		k := strings.ToUpper(c)
		if seen[k] {
			t.Fatalf("duplicate CRS %q in %q", c, l.CRS())
		}
		seen[k] = true
	}
	if l.Parent != nil {
		if len(l.CRS()) < len(l.Parent.CRS()) || len(l.Styles()) < len(l.Parent.Styles()) {
			t.Fatalf("inheritance lost entries: CRS %d < %d or styles %d < %d", len(l.CRS()), len(l.Parent.CRS()), len(l.Styles()), len(l.Parent.Styles()))
		}
		if l.Parent.GeographicBBox != nil && l.GeographicBBox == nil {
			t.Fatal("geographic box not inherited")
		}
		for k := range l.Parent.Dimensions() {
			if _, ok := l.Dimensions()[k]; !ok {
				t.Fatalf("dimension %q not inherited", k)
			}
		}
	}
}

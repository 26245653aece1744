package wmts

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// fuzzSeeds are hand-written documents covering each feature; the fuzz
// target also starts from the real-world-like documents.
var fuzzSeeds = []string{
	layerDoc(`<Layer><ows:Identifier>l</ows:Identifier><ows:Title>T</ows:Title><ows:WGS84BoundingBox><ows:LowerCorner>-10 40</ows:LowerCorner><ows:UpperCorner>20 60</ows:UpperCorner></ows:WGS84BoundingBox>` +
		`<ows:BoundingBox crs="EPSG:4326"><ows:LowerCorner>40 -10</ows:LowerCorner><ows:UpperCorner>60 20</ows:UpperCorner></ows:BoundingBox>` +
		`<Style isDefault="true"><ows:Identifier>s</ows:Identifier><LegendURL format="image/png" xlink:href="http://l?a=1&b=2"/></Style><Format>image/png</Format><InfoFormat>text/html</InfoFormat>` +
		`<Dimension><ows:Identifier>Time</ows:Identifier><Default>2020</Default><Value>2020</Value></Dimension>` +
		`<TileMatrixSetLink><TileMatrixSet>google</TileMatrixSet><TileMatrixSetLimits><TileMatrixLimits><TileMatrix>1</TileMatrix><MinTileRow>0</MinTileRow><MaxTileRow>1</MaxTileRow><MinTileCol>0</MinTileCol><MaxTileCol>1</MaxTileCol></TileMatrixLimits></TileMatrixSetLimits></TileMatrixSetLink>` +
		`<ResourceURL format="image/png" resourceType="tile" template="http://t/{Time}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"/></Layer>`),
	templateDoc("http://t/{Style}/{TileMatrix}/{TileCol}/{TileRow}.png?k=1", "http://k/w?map=x&", ""),
	setDoc("s", "EPSG:4326", matrixXML("0", "279541132.0143589", "90 -180", 256, 2, 1)),
	setDoc("s", "EPSG:3006", matrixXML("0", "1000", "8500000 -1200000", 512, 3, 4)),
	setDoc("s", "EPSG:3857", matrixXML("0", "abc", "1 2", 0, 1, 1)),
	capsDoc(`<ows:OperationsMetadata><ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="http://a/r/"><ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>RESTful</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata>`),
	`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="x" locator="y"><ows:ExceptionText>t</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
	"<?xml version=\"1.0\"?>\n<!DOCTYPE Capabilities [<!ENTITY a \"b\">]>" + capsOpen + "</Capabilities>",
	`<?xml version="1.0" encoding="ISO-8859-1"?>` + capsOpen + "<ows:ServiceIdentification><ows:Title>Z\xfcrich&uuml;&x;</ows:Title></ows:ServiceIdentification></Capabilities>",
	"<html><body>no</body></html>",
	"",
}

// FuzzParse checks that Parse never panics, and that what it returns keeps
// the invariants the rest of the package relies on: identifiers unique,
// links resolve, matrices usable, numbers finite; the report, the tile
// arithmetic and the URL builder then work on it without panicking.
//
// The real-world seeds are whole documents (10-20 KB), so minimising a new
// input can take the fuzzer's default minute; run it as
//
//	go test ./layers/wmts/ -run '^$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 3s
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, n := range realDocs {
		if b, err := os.ReadFile("testdata/" + n + ".xml"); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		c, err := parseLimit(strings.NewReader(string(data)), 1<<20)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a document with error %v", err)
			}
			var pe *PositionError
			var se *ServiceException
			known := []error{ErrNotCapabilities, ErrMalformed, ErrTooLarge, ErrTooDeep, ErrTooManyElements, ErrDoctype}
			ok := errors.As(err, &se)
			for _, k := range known {
				ok = ok || errors.Is(err, k)
			}
			if !ok {
				t.Fatalf("unexpected error %v", err)
			}
			if errors.As(err, &pe) && (pe.Line < 1 || pe.Column < 0) {
				t.Fatalf("bad position %+v", pe)
			}
			return
		}
		checkInvariants(t, c)
		if _, err := c.ReportJSON(); err != nil {
			t.Fatalf("ReportJSON: %v", err)
		}
		for _, s := range c.TileMatrixSets {
			s.IsWebMercator()
			s.BestMatrix(1)
			for i := range s.Matrices {
				b := s.MatrixBounds(i)
				if r, ok := s.TileRange(i, b, nil); ok && (r.MinCol < 0 || r.MaxCol >= s.Matrices[i].MatrixWidth || r.MinRow < 0 || r.MaxRow >= s.Matrices[i].MatrixHeight) {
					t.Fatalf("TileRange %+v outside matrix %+v", r, s.Matrices[i])
				}
			}
		}
		for _, l := range c.Layers {
			src, err := c.Source(l.Identifier, "", "", "", nil)
			if err != nil {
				continue
			}
			m := src.MatrixSet.Matrices[0]
			u, err := src.URL(m.Identifier, 0, 0)
			if err == nil && !strings.HasPrefix(u, "http") {
				t.Fatalf("URL %q", u)
			}
		}
	})
}

func checkInvariants(t *testing.T, c *Capabilities) {
	t.Helper()
	if len(c.Warnings) > maxWarnings {
		t.Fatalf("%d warnings", len(c.Warnings))
	}
	sets := map[string]bool{}
	for _, s := range c.TileMatrixSets {
		if s.Identifier == "" || sets[s.Identifier] || s.SupportedCRS == "" || len(s.Matrices) == 0 || c.MatrixSet(s.Identifier) != s {
			t.Fatalf("bad set %+v", s)
		}
		sets[s.Identifier] = true
		if !(s.MetersPerUnit > 0) {
			t.Fatalf("set %q: MetersPerUnit %v", s.Identifier, s.MetersPerUnit)
		}
		ids := map[string]bool{}
		for _, m := range s.Matrices {
			if m.Identifier == "" || ids[m.Identifier] || !(m.ScaleDenominator > 0) || math.IsInf(m.ScaleDenominator, 0) ||
				math.IsNaN(m.TopLeftX) || math.IsInf(m.TopLeftX, 0) || math.IsNaN(m.TopLeftY) || math.IsInf(m.TopLeftY, 0) ||
				m.TileWidth < 1 || m.TileHeight < 1 || m.TileWidth > maxTileSide || m.TileHeight > maxTileSide ||
				m.MatrixWidth < 1 || m.MatrixHeight < 1 || m.MatrixWidth > maxMatrixSide || m.MatrixHeight > maxMatrixSide {
				t.Fatalf("set %q: bad matrix %+v", s.Identifier, m)
			}
			ids[m.Identifier] = true
		}
	}
	layers := map[string]bool{}
	for _, l := range c.Layers {
		if l.Identifier == "" || layers[l.Identifier] || c.Layer(l.Identifier) != l {
			t.Fatalf("bad layer %q", l.Identifier)
		}
		layers[l.Identifier] = true
		for _, k := range l.MatrixSetLinks {
			if !sets[k.MatrixSet] {
				t.Fatalf("layer %q links to undefined set %q", l.Identifier, k.MatrixSet)
			}
			for _, lim := range k.Limits {
				if lim.MinRow < 0 || lim.MinCol < 0 || lim.MinRow > lim.MaxRow || lim.MinCol > lim.MaxCol {
					t.Fatalf("bad limits %+v", lim)
				}
			}
		}
		for _, b := range l.BBoxes {
			if b.CRS == "" || b.MinX > b.MaxX || b.MinY > b.MaxY {
				t.Fatalf("bad box %+v", b)
			}
		}
		defaults := 0
		for _, s := range l.Styles {
			if s.Identifier == "" {
				t.Fatal("style without identifier")
			}
			if s.IsDefault {
				defaults++
			}
		}
		if len(l.Styles) > 0 && defaults == 0 {
			t.Fatalf("layer %q: no default style", l.Identifier)
		}
	}
}

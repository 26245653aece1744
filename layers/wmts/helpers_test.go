package wmts

import (
	"os"
	"strings"
	"testing"
)

// capsOpen is the root start tag of the hand-written test documents.
const capsOpen = `<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">`

// capsDoc wraps body in a WMTS Capabilities root element.
func capsDoc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + capsOpen + body + `</Capabilities>`
}

// googleSet is a GoogleMapsCompatible set with zooms 0-2, as the spec
// writes it.
const googleSet = `<TileMatrixSet><ows:Identifier>google</ows:Identifier>` +
	`<ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>` +
	`<WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>` +
	`<TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>559082264.0287178</ScaleDenominator><TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>` +
	`<TileMatrix><ows:Identifier>1</ows:Identifier><ScaleDenominator>279541132.0143589</ScaleDenominator><TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>2</MatrixWidth><MatrixHeight>2</MatrixHeight></TileMatrix>` +
	`<TileMatrix><ows:Identifier>2</ows:Identifier><ScaleDenominator>139770566.00717944</ScaleDenominator><TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>4</MatrixWidth><MatrixHeight>4</MatrixHeight></TileMatrix>` +
	`</TileMatrixSet>`

// layerDoc is a document with the given Contents layers and googleSet.
func layerDoc(layers string) string {
	return capsDoc(`<Contents>` + layers + googleSet + `</Contents>`)
}

// matrixXML is one TileMatrix element.
func matrixXML(id, scale, corner string, tile, w, h int) string {
	return `<TileMatrix><ows:Identifier>` + id + `</ows:Identifier><ScaleDenominator>` + scale +
		`</ScaleDenominator><TopLeftCorner>` + corner + `</TopLeftCorner><TileWidth>` + itoa(tile) +
		`</TileWidth><TileHeight>` + itoa(tile) + `</TileHeight><MatrixWidth>` + itoa(w) +
		`</MatrixWidth><MatrixHeight>` + itoa(h) + `</MatrixHeight></TileMatrix>`
}

// setDoc is a document with one tile matrix set.
func setDoc(id, crs string, matrices ...string) string {
	return capsDoc(`<Contents><TileMatrixSet><ows:Identifier>` + id + `</ows:Identifier><ows:SupportedCRS>` +
		crs + `</ows:SupportedCRS>` + strings.Join(matrices, "") + `</TileMatrixSet></Contents>`)
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// mustParse parses doc and fails the test on an error.
func mustParse(t testing.TB, doc string) *Capabilities {
	t.Helper()
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return c
}

// parseFile parses testdata/name.
func parseFile(t testing.TB, name string) *Capabilities {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return c
}

// realDocs are the real-world-like documents under testdata.
var realDocs = []string{"mapproxy", "geoserver", "arcgis", "pdok"}

package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The paths of the tile services: the public XYZ basemap
// (TilesPath+"/{z}/{x}/{y}.png") and the WMTS protected by an access key.
const (
	TilesPath = "/tiles"
	WMTSPath  = "/wmts"
)

// TilesTemplate is the XYZ URL template of the basemap, after the base URL.
const TilesTemplate = TilesPath + "/{z}/{x}/{y}.png"

// The tile services' limits: zoom levels 0..TilesMaxZoom (XYZ) and
// 0..WMTSMaxZoom (the WMTS GoogleMapsCompatible set), 256-pixel tiles.
const (
	TilesMaxZoom = 12
	WMTSMaxZoom  = 12
	tileSize     = 256
)

// The WMTS layer and tile matrix set.
const (
	WMTSLayer     = "countries"
	WMTSMatrixSet = "GoogleMapsCompatible"
)

// mercExtent is half the width of the EPSG:3857 world in metres.
const mercExtent = 20037508.342789244

// tileBox is the EPSG:3857 box of tile z/x/y (y down from the north).
func tileBox(z, x, y int) bounds {
	span := 2 * mercExtent / float64(int(1)<<z)
	minX := -mercExtent + float64(x)*span
	maxY := mercExtent - float64(y)*span
	return bounds{minX, maxY - span, minX + span, maxY}
}

// tileCacheSize bounds the rendered tiles kept in memory (each a PNG of a
// few kilobytes).
const tileCacheSize = 512

// tileCache keeps rendered PNG tiles, forgetting the oldest when full.
type tileCache struct {
	mu    sync.Mutex
	max   int
	tiles map[string][]byte
	order []string
}

func newTileCache(max int) *tileCache {
	return &tileCache{max: max, tiles: make(map[string][]byte, max)}
}

func (c *tileCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.tiles[key]
	return b, ok
}

func (c *tileCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.tiles[key]; ok {
		return
	}
	for len(c.order) >= c.max {
		delete(c.tiles, c.order[0])
		c.order = c.order[1:]
	}
	c.tiles[key] = b
	c.order = append(c.order, key)
}

// len returns the number of cached tiles.
func (c *tileCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.tiles)
}

// tileLayer is what a tile service draws: layers bottom first over an
// optional background.
type tileLayer struct {
	background color.NRGBA // zero alpha: transparent
	layers     []*layer
}

// tile returns the PNG of tile z/x/y of tl, rendered once and cached.
func (h *handler) tile(name string, tl *tileLayer, z, x, y int) ([]byte, error) {
	key := fmt.Sprintf("%s/%d/%d/%d", name, z, x, y)
	if b, ok := h.tiles.get(key); ok {
		return b, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, tileSize, tileSize))
	if tl.background.A > 0 {
		draw.Draw(img, img.Bounds(), image.NewUniform(tl.background), image.Point{}, draw.Src)
	}
	v := newView(tileBox(z, x, y), true, tileSize, tileSize)
	for _, l := range tl.layers {
		v.draw(img, l.data, l.style)
	}
	var buf bytes.Buffer
	if err := h.png.Encode(&buf, img); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	h.tiles.put(key, b)
	return b, nil
}

// writePNG answers a tile.
func writePNG(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// validTile reports whether z/x/y is a tile of a set with zooms 0..maxZoom.
func validTile(z, x, y, maxZoom int) bool {
	if z < 0 || z > maxZoom {
		return false
	}
	n := 1 << z
	return x >= 0 && x < n && y >= 0 && y < n
}

// serveXYZ answers TilesPath+"/{z}/{x}/{y}.png": a public basemap tile.
func (h *handler) serveXYZ(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, TilesPath+"/")
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || !strings.HasSuffix(parts[2], ".png") {
		http.NotFound(w, r)
		return
	}
	z, err1 := strconv.Atoi(parts[0])
	x, err2 := strconv.Atoi(parts[1])
	y, err3 := strconv.Atoi(strings.TrimSuffix(parts[2], ".png"))
	if err1 != nil || err2 != nil || err3 != nil || !validTile(z, x, y, TilesMaxZoom) {
		http.NotFound(w, r)
		return
	}
	b, err := h.tile("basemap", h.basemap, z, x, y)
	if err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writePNG(w, b)
}

// serveWMTS answers the WMTS: KVP GetCapabilities and GetTile on WMTSPath,
// and RESTful tiles on WMTSPath+"/1.0.0/{Layer}/{Style}/{TileMatrixSet}/
// {TileMatrix}/{TileRow}/{TileCol}.png". Every request needs the access
// key (WMTSKeyParam=WMTSKey).
func (h *handler) serveWMTS(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, authWMTSKey) {
		return
	}
	if r.URL.Path == WMTSPath || r.URL.Path == WMTSPath+"/" {
		h.wmtsKVP(w, r)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, WMTSPath+"/1.0.0/")
	if rest == r.URL.Path {
		http.NotFound(w, r)
		return
	}
	if rest == "WMTSCapabilities.xml" {
		h.wmtsCapabilities(w, r)
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 6 || !strings.HasSuffix(parts[5], ".png") {
		http.NotFound(w, r)
		return
	}
	h.wmtsTile(w, parts[0], parts[1], parts[2], parts[3], parts[4], strings.TrimSuffix(parts[5], ".png"), "image/png")
}

func (h *handler) wmtsKVP(w http.ResponseWriter, r *http.Request) {
	p := paramsOf(r.URL.Query())
	if svc, ok := p["SERVICE"]; ok && !strings.EqualFold(svc, "WMTS") {
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "service", fmt.Sprintf("SERVICE %q is not WMTS", svc))
		return
	}
	switch req := p["REQUEST"]; {
	case strings.EqualFold(req, "GetCapabilities"):
		h.wmtsCapabilities(w, r)
	case strings.EqualFold(req, "GetTile"):
		h.wmtsTile(w, p["LAYER"], p["STYLE"], p["TILEMATRIXSET"], p["TILEMATRIX"], p["TILEROW"], p["TILECOL"], p["FORMAT"])
	case req == "":
		wmtsException(w, http.StatusBadRequest, "MissingParameterValue", "request", "REQUEST is missing")
	default:
		wmtsException(w, http.StatusBadRequest, "OperationNotSupported", "request", fmt.Sprintf("REQUEST %q is not supported", req))
	}
}

func (h *handler) wmtsTile(w http.ResponseWriter, layerName, style, set, matrix, row, col, format string) {
	switch {
	case layerName != WMTSLayer:
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "layer", fmt.Sprintf("layer %q is not served here", layerName))
		return
	case style != "" && style != "default":
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "style", fmt.Sprintf("style %q is not defined", style))
		return
	case set != WMTSMatrixSet:
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "tilematrixset", fmt.Sprintf("tile matrix set %q is not defined", set))
		return
	case format != "" && !strings.EqualFold(format, "image/png"):
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "format", fmt.Sprintf("format %q is not supported; use image/png", format))
		return
	}
	z, err1 := strconv.Atoi(matrix)
	y, err2 := strconv.Atoi(row)
	x, err3 := strconv.Atoi(col)
	if err1 != nil || z < 0 || z > WMTSMaxZoom {
		wmtsException(w, http.StatusBadRequest, "InvalidParameterValue", "tilematrix", fmt.Sprintf("tile matrix %q is not defined", matrix))
		return
	}
	if err2 != nil || err3 != nil || !validTile(z, x, y, WMTSMaxZoom) {
		wmtsException(w, http.StatusBadRequest, "TileOutOfRange", "tilerow", "the tile is outside the tile matrix")
		return
	}
	b, err := h.tile("wmts", h.wmtsLayer, z, x, y)
	if err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	writePNG(w, b)
}

// wmtsException writes an OWS 1.1 exception report.
func wmtsException(w http.ResponseWriter, status int, code, locator, msg string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.0.0">` + "\n")
	fmt.Fprintf(&b, `  <ows:Exception exceptionCode="%s" locator="%s"><ows:ExceptionText>%s</ows:ExceptionText></ows:Exception>`+"\n",
		xmlText(code), xmlText(locator), xmlText(msg))
	b.WriteString("</ows:ExceptionReport>\n")
	w.Write([]byte(b.String()))
}

// xmlText escapes s for XML text and attributes.
func xmlText(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wmtsCapabilities writes the WMTS 1.0.0 capabilities: one layer in a
// GoogleMapsCompatible set, KVP and RESTful. The URLs in it carry no key;
// clients add it to every request as they do to GetCapabilities.
func (h *handler) wmtsCapabilities(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host + WMTSPath
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:ServiceIdentification>
    <ows:Title>mapvault demo: WMTS (access key)</ows:Title>
    <ows:Abstract>Demo WMTS protected by an access key in the ` + WMTSKeyParam + ` query parameter. Natural Earth 1:110m, public domain.</ows:Abstract>
    <ows:ServiceType>OGC WMTS</ows:ServiceType>
    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
  </ows:ServiceIdentification>
  <ows:OperationsMetadata>
`)
	for _, op := range []string{"GetCapabilities", "GetTile"} {
		fmt.Fprintf(&b, `    <ows:Operation name="%s">
      <ows:DCP><ows:HTTP><ows:Get xlink:href="%s?">
        <ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint>
      </ows:Get></ows:HTTP></ows:DCP>
    </ows:Operation>
`, op, xmlText(base))
	}
	b.WriteString(`  </ows:OperationsMetadata>
  <Contents>
    <Layer>
      <ows:Title>Countries</ows:Title>
      <ows:Abstract>Countries with outlines. Natural Earth 1:110m, public domain.</ows:Abstract>
      <ows:WGS84BoundingBox><ows:LowerCorner>-180 -85.051129</ows:LowerCorner><ows:UpperCorner>180 85.051129</ows:UpperCorner></ows:WGS84BoundingBox>
      <ows:Identifier>` + WMTSLayer + `</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/png</Format>
      <TileMatrixSetLink><TileMatrixSet>` + WMTSMatrixSet + `</TileMatrixSet></TileMatrixSetLink>
`)
	fmt.Fprintf(&b, `      <ResourceURL format="image/png" resourceType="tile" template="%s/1.0.0/`+WMTSLayer+`/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"/>
    </Layer>
    <TileMatrixSet>
      <ows:Identifier>%s</ows:Identifier>
      <ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
      <WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>
`, xmlText(base), WMTSMatrixSet)
	for z := 0; z <= WMTSMaxZoom; z++ {
		n := 1 << z
		fmt.Fprintf(&b, `      <TileMatrix>
        <ows:Identifier>%d</ows:Identifier>
        <ScaleDenominator>%s</ScaleDenominator>
        <TopLeftCorner>-20037508.3428 20037508.3428</TopLeftCorner>
        <TileWidth>%d</TileWidth>
        <TileHeight>%d</TileHeight>
        <MatrixWidth>%d</MatrixWidth>
        <MatrixHeight>%d</MatrixHeight>
      </TileMatrix>
`, z, strconv.FormatFloat(559082264.0287178/math.Pow(2, float64(z)), 'f', -1, 64), tileSize, tileSize, n, n)
	}
	b.WriteString(`    </TileMatrixSet>
  </Contents>
  <ServiceMetadataURL xlink:href="` + xmlText(base) + `/1.0.0/WMTSCapabilities.xml"/>
</Capabilities>
`)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(b.String()))
}

package wms

import (
	"image"
	"math"
	"net/url"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/layers"
)

// Request planning for servers that render every GetMap (see
// docs/tile-pipeline.md, "WMS request planning"): a server like MapServer
// costs about as much per request as per pixel, so a WMS layer in Web
// Mercator asks for metatiles of DefaultMetatile x DefaultMetatile engine
// tiles aligned on the tile grid, and each engine tile is a Part of that
// image (one URL: one request and one cache entry). Tiles outside the
// layer's extent or scale range (from the capabilities) are empty and cost
// no request.

const (
	// DefaultMetatile is the side of a metatile in engine tiles (4: 1024
	// pixels at device scale 1).
	DefaultMetatile = 4
	// DefaultMaxSide caps a metatile's side in pixels when the
	// capabilities state no MaxWidth/MaxHeight.
	DefaultMaxSide = 2048
	// extentMargin is how far (in tiles) outside a layer's geographic box
	// a tile is still asked for: symbols and labels of features at the
	// edge reach beyond it.
	extentMargin = 1.0 / 8
	// scaleSlack widens the scale range: the server computes the scale
	// its own way, and a tile asked for in vain costs less than a layer
	// missing at the edge of its range.
	scaleSlack = 1.05
	// pixelMetres is the OGC standardized rendering pixel (0.28 mm).
	pixelMetres = 0.00028
)

// limits is what the capabilities say about where and at which scales a
// source draws, and how large an image the server makes.
type limits struct {
	// extent lists the lon/lat boxes the layers draw in (their
	// GeographicBBox); nil when any layer has none (unbounded).
	extent []*geom.Bounds
	// minScale and maxScale are the scale denominators the source draws
	// at: minScale <= s < maxScale (0 and +Inf when unbounded).
	minScale, maxScale float64
	// maxSide caps a metatile's width and height in pixels.
	maxSide int
}

func noLimits() limits { return limits{minScale: 0, maxScale: math.Inf(1), maxSide: DefaultMaxSide} }

// union returns the limits of a source drawing both a and b (a merged
// GetMap): where either draws, at the scales either draws, the smaller
// image cap.
func (a limits) union(b limits) limits {
	u := limits{minScale: math.Min(a.minScale, b.minScale), maxScale: math.Max(a.maxScale, b.maxScale), maxSide: min(a.maxSide, b.maxSide)}
	if a.extent != nil && b.extent != nil {
		u.extent = append(append([]*geom.Bounds(nil), a.extent...), b.extent...)
	}
	return u
}

// limitsFrom reads the limits of the WMS layers names from caps. A name
// caps does not list leaves the source unbounded.
func limitsFrom(caps *Capabilities, names []string) limits {
	l := noLimits()
	if caps == nil {
		return l
	}
	if side := minPositive(caps.MaxWidth, caps.MaxHeight); side > 0 {
		l.maxSide = min(side, DefaultMaxSide)
	}
	first := true
	for _, name := range names {
		cl := caps.Find(name)
		if cl == nil {
			return limits{minScale: 0, maxScale: math.Inf(1), maxSide: l.maxSide}
		}
		one := limits{minScale: cl.MinScaleDenominator, maxScale: cl.MaxScaleDenominator, maxSide: l.maxSide}
		if one.maxScale <= 0 {
			one.maxScale = math.Inf(1)
		}
		if b := cl.GeographicBBox; b != nil {
			one.extent = []*geom.Bounds{b}
		}
		if first {
			l, first = one, false
			continue
		}
		l = l.union(one)
	}
	return l
}

func minPositive(a, b int) int {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	}
	return min(a, b)
}

// tiledURL reports whether the GetMap URL asks a cache for fixed tiles
// (WMS-C, or a vendor TILED=true): such servers answer 256-pixel tiles
// from a cache and would render a metatile on demand.
func tiledURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "tiled") && len(v) > 0 {
			switch strings.ToLower(strings.TrimSpace(v[0])) {
			case "true", "1", "yes":
				return true
			}
		}
	}
	return false
}

// scaleDenominator is the scale a server computes for a tile of zoom z
// drawn at px pixels: metres per pixel at the equator over 0.28 mm.
func scaleDenominator(z, px int) float64 {
	return 2 * layers.MercatorExtent / float64(int(1)<<z) / float64(px) / pixelMetres
}

// inScale reports whether the source draws at zoom z and px pixels a tile.
func (l limits) inScale(z, px int) bool {
	s := scaleDenominator(z, px)
	return s*scaleSlack >= l.minScale && s < l.maxScale*scaleSlack
}

// inExtent reports whether tile x, y of zoom z (x may lie outside 0..n-1,
// it wraps) reaches a box of the extent, with extentMargin.
func (l limits) inExtent(z, x, y int) bool {
	if l.extent == nil {
		return true
	}
	n := float64(int(1) << z)
	// The tile in world fractions (0..1, y down), widened by the margin.
	fx0, fx1 := (float64(x)-extentMargin)/n, (float64(x)+1+extentMargin)/n
	fy0, fy1 := (float64(y)-extentMargin)/n, (float64(y)+1+extentMargin)/n
	for _, b := range l.extent {
		west, east := b.Min(0), b.Max(0)
		bx0, bx1 := (west+180)/360, (east+180)/360
		if !(east > west) || east-west >= 360 {
			bx0, bx1 = 0, 1 // crosses the antimeridian (or the world): every column
		}
		by0, by1 := latFraction(b.Max(1)), latFraction(b.Min(1)) // north, south
		if by1 < by0 {
			continue
		}
		if fy1 < by0 || fy0 > by1 {
			continue
		}
		// Columns wrap: test the box shifted by a world either way.
		for _, shift := range []float64{-1, 0, 1} {
			if fx1 >= bx0+shift && fx0 <= bx1+shift {
				return true
			}
		}
	}
	return false
}

// latFraction returns the world fraction (0 at the north edge) of
// latitude lat, clamped to the Mercator world.
func latFraction(lat float64) float64 {
	lat = math.Max(-85.0511287798, math.Min(85.0511287798, lat))
	_, y := layers.LonLatToMercator(0, lat)
	return (layers.MercatorExtent - y) / (2 * layers.MercatorExtent)
}

// metatileSide returns how many tiles a side of a metatile holds for
// tiles of px pixels: t's metatile setting, capped by maxSide.
func (t *Tiles) metatileSide(px int) int {
	m := t.p.Metatile
	if m == 0 {
		m = DefaultMetatile
	}
	if t.crs == crsGeographic || t.tiled || m <= 1 || px <= 0 {
		return 1
	}
	return max(1, min(m, t.lim.maxSide/px))
}

// metatile returns the request of tile's metatile: the m x m block of the
// grid holding it (see block).
func (t *Tiles) metatile(tile layers.Tile, px, m int) layers.TileRequest {
	n := 1 << tile.Z
	x0, y0 := tile.X/m*m, tile.Y/m*m
	return t.block(tile, px, image.Rect(x0, y0, min(x0+m, n), min(y0+m, n)))
}

// block returns the request of the image of the tiles of b (columns and
// rows of tile's zoom, Max exclusive) that hold tile, less the rows and
// columns outside the extent, with the tile as its Part.
func (t *Tiles) block(tile layers.Tile, px int, b image.Rectangle) layers.TileRequest {
	x0, y0, x1, y1 := b.Min.X, b.Min.Y, b.Max.X, b.Max.Y
	if t.lim.extent != nil {
		cx0, cy0, cx1, cy1 := x1, y1, x0, y0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if t.lim.inExtent(tile.Z, x, y) {
					cx0, cy0 = min(cx0, x), min(cy0, y)
					cx1, cy1 = max(cx1, x+1), max(cy1, y+1)
				}
			}
		}
		x0, y0, x1, y1 = cx0, cy0, cx1, cy1 // tile itself is in, so not empty
	}
	if x1-x0 == 1 && y1-y0 == 1 {
		return layers.TileRequest{Width: px, Height: px, URL: t.req.url(tile.MercatorBounds(), px, px)}
	}
	size := 2 * layers.MercatorExtent / float64(int(1)<<tile.Z)
	box := geom.NewBounds(geom.XY).Set(
		-layers.MercatorExtent+float64(x0)*size, layers.MercatorExtent-float64(y1)*size,
		-layers.MercatorExtent+float64(x1)*size, layers.MercatorExtent-float64(y0)*size)
	w, h := (x1-x0)*px, (y1-y0)*px
	dx, dy := (tile.X-x0)*px, (tile.Y-y0)*px
	return layers.TileRequest{
		URL: t.req.url(box, w, h), Width: w, Height: h,
		Part: image.Rect(dx, dy, dx+px, dy+px),
	}
}

// fitted is the block of a view Render fits a source's requests to.
type fitted struct {
	z, px int
	cover image.Rectangle
	least int // at least this many blocks (when the cover has the tiles)
}

// FitView returns the source asking the tiles of cover (zoom z, px pixels)
// as blocks of cover: as few as the image cap allows (at most maxSide/px
// tiles a side, so 8 at 256 px) but at least least, of balanced sizes,
// each cut to the extent like a metatile. A 1080p view at z5 (8 x 5
// tiles) is one 2048 x 1280 GetMap, or two of 1024 x 1280 for least 2,
// where grid-aligned metatiles fetch 4 to 9 of 1024 x 1024. A source that
// asks no metatiles (EPSG:4326, a tile cache, Metatile 1) is returned as
// it is.
func (t *Tiles) FitView(z int, cover image.Rectangle, px, least int) layers.TileSource {
	if t.metatileSide(px) <= 1 || cover.Empty() {
		return t
	}
	c := *t
	c.fit = &fitted{z: z, px: px, cover: cover, least: least}
	return &c
}

// fitBlock returns the block of f's cover holding tile, and false when the
// tile is not one of f's.
func (f *fitted) fitBlock(tile layers.Tile, px, maxSide int) (image.Rectangle, bool) {
	if f == nil || tile.Z != f.z || px != f.px || !image.Pt(tile.X, tile.Y).In(f.cover) {
		return image.Rectangle{}, false
	}
	most := max(1, maxSide/px)
	cols, rows := f.cover.Dx(), f.cover.Dy()
	nx, ny := ceilDiv(cols, most), ceilDiv(rows, most)
	// Cut the longer parts again until there are least blocks.
	for nx*ny < f.least && (nx < cols || ny < rows) {
		if ny >= rows || (nx < cols && ceilDiv(cols, nx) >= ceilDiv(rows, ny)) {
			nx++
		} else {
			ny++
		}
	}
	x0, x1 := split(f.cover.Min.X, f.cover.Max.X, nx, tile.X)
	y0, y1 := split(f.cover.Min.Y, f.cover.Max.Y, ny, tile.Y)
	return image.Rect(x0, y0, x1, y1), true
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// split cuts lo..hi (hi exclusive) into parts of sizes differing by at
// most one, and returns the part holding v.
func split(lo, hi, parts, v int) (int, int) {
	n := hi - lo
	for i := 0; i < parts; i++ {
		a, b := lo+i*n/parts, lo+(i+1)*n/parts
		if v < b {
			return a, b
		}
	}
	return hi - 1, hi // not reached: v < hi
}

// SingleTiles returns the source asking one GetMap per engine tile (no
// metatiles), for layers.Options.NoMetatiles.
func (t *Tiles) SingleTiles() layers.TileSource {
	if t.p.Metatile == 1 && t.fit == nil {
		return t
	}
	c := *t
	c.p.Metatile = 1
	c.fit = nil
	return &c
}

package layers

import (
	"image"
	"math"
	"sort"

	"github.com/twpayne/go-geom"
)

// Tile grid constants: Web Mercator (EPSG:3857), XYZ scheme (y grows
// southwards), 256 logical pixels per tile.
const (
	TileSize = 256
	MaxZoom  = 24
	// MaxLat is the latitude where the square Web Mercator world ends.
	MaxLat = 85.05112877980659
	// EarthRadius is the sphere radius of EPSG:3857, in metres.
	EarthRadius = 6378137.0
	// MercatorExtent is the half width of the world in EPSG:3857 metres.
	MercatorExtent = math.Pi * EarthRadius

	maxFramePx = 16384 // a frame side is clamped to this many device pixels
	maxTilePx  = 2048  // a tile side is clamped to this many device pixels
)

// Tile is one tile of the XYZ grid. X is wrapped into [0, 2^Z) and Y clamped
// to [0, 2^Z) by the functions that produce tiles.
type Tile struct{ Z, X, Y int }

// LonLatToMercator projects lon/lat degrees to EPSG:3857 metres. Latitudes
// beyond ±MaxLat are clamped.
func LonLatToMercator(lon, lat float64) (x, y float64) {
	lat = clamp(lat, -MaxLat, MaxLat)
	x = lon * math.Pi / 180 * EarthRadius
	y = math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * EarthRadius
	return x, y
}

// MercatorToLonLat is the inverse of LonLatToMercator.
func MercatorToLonLat(x, y float64) (lon, lat float64) {
	lon = x / EarthRadius * 180 / math.Pi
	lat = (2*math.Atan(math.Exp(y/EarthRadius)) - math.Pi/2) * 180 / math.Pi
	return lon, lat
}

// worldFraction maps lon/lat to the unit square of the world: (0,0) is the
// north-west corner (lon -180, lat MaxLat), (1,1) the south-east one.
func worldFraction(lon, lat float64) (fx, fy float64) {
	x, y := LonLatToMercator(lon, lat)
	return (x + MercatorExtent) / (2 * MercatorExtent), (MercatorExtent - y) / (2 * MercatorExtent)
}

// latOfFraction returns the latitude at world fraction fy (0 = north edge).
func latOfFraction(fy float64) float64 {
	_, lat := MercatorToLonLat(0, MercatorExtent-fy*2*MercatorExtent)
	return lat
}

// TileAt returns the tile of zoom z that contains lon/lat (lon wrapped,
// lat clamped).
func TileAt(lon, lat float64, z int) Tile {
	z = clampInt(z, 0, MaxZoom)
	n := 1 << z
	fx, fy := worldFraction(wrapLon(lon), lat)
	return Tile{Z: z, X: wrapInt(int(math.Floor(fx*float64(n))), n), Y: clampInt(int(math.Floor(fy*float64(n))), 0, n-1)}
}

// MercatorBounds returns the tile's extent in EPSG:3857 metres.
func (t Tile) MercatorBounds() *geom.Bounds {
	n := float64(int(1) << t.Z)
	size := 2 * MercatorExtent / n
	minX := -MercatorExtent + float64(t.X)*size
	maxY := MercatorExtent - float64(t.Y)*size
	return geom.NewBounds(geom.XY).Set(minX, maxY-size, minX+size, maxY)
}

// LonLatBounds returns the tile's extent in lon/lat degrees (x = lon).
func (t Tile) LonLatBounds() *geom.Bounds {
	n := float64(int(1) << t.Z)
	west := float64(t.X)/n*360 - 180
	east := float64(t.X+1)/n*360 - 180
	north := latOfFraction(float64(t.Y) / n)
	south := latOfFraction(float64(t.Y+1) / n)
	return geom.NewBounds(geom.XY).Set(west, south, east, north)
}

// Parent returns the tile k zoom levels up that contains t (k <= t.Z).
func (t Tile) Parent(k int) Tile { return Tile{Z: t.Z - k, X: t.X >> k, Y: t.Y >> k} }

// viewGrid is the tiling of one view: which tiles cover the frame, where
// each is drawn, and in which order to fetch them.
type viewGrid struct {
	W, H       int     // frame size in device pixels
	Z          int     // tile zoom
	TilePx     int     // tile side in device pixels
	Scale      float64 // tile display scale: 2^(Zoom-Z); 1 for integral zooms
	Integral   bool    // Scale == 1: tiles are copied, not resampled
	Placements []placement
	Tiles      []Tile // distinct tiles in fetch priority order (centre first)
	// Cover is the block of tile columns and rows the placements draw
	// (Min inclusive, Max exclusive; columns unwrapped, so they may lie
	// outside 0..2^Z-1 when the frame crosses the antimeridian).
	Cover image.Rectangle
}

// placement is one drawing of a tile in the frame. With a view wider than
// the world the same tile is drawn several times.
type placement struct {
	Tile Tile
	Dst  image.Rectangle // in frame pixels, may extend past the frame
	Dist float64         // distance from the tile's centre to the frame centre
}

// normalizedView applies View defaults and bounds.
func normalizedView(v View) View {
	if !(v.Scale > 0) || math.IsInf(v.Scale, 0) {
		v.Scale = 1
	}
	v.Scale = clamp(v.Scale, 0.25, 8)
	if math.IsNaN(v.Zoom) {
		v.Zoom = 0
	}
	v.Zoom = clamp(v.Zoom, 0, MaxZoom)
	if math.IsNaN(v.CenterLon) || math.IsInf(v.CenterLon, 0) {
		v.CenterLon = 0
	}
	if math.IsNaN(v.CenterLat) {
		v.CenterLat = 0
	}
	v.CenterLon = wrapLon(v.CenterLon)
	v.CenterLat = clamp(v.CenterLat, -MaxLat, MaxLat)
	return v
}

// DeviceSize returns the frame size of a view in device pixels.
func (v View) DeviceSize() (w, h int) {
	v = normalizedView(v)
	w = clampInt(int(math.Round(float64(v.Width)*v.Scale)), 0, maxFramePx)
	h = clampInt(int(math.Round(float64(v.Height)*v.Scale)), 0, maxFramePx)
	return w, h
}

// TilesForView returns the distinct tiles covering a view, centre first.
func TilesForView(v View) []Tile { return newViewGrid(v).Tiles }

// ViewCover returns the zoom, the block of tiles (columns and rows, Max
// exclusive) and the tile side in device pixels that Render fits its
// requests to (Metatiler.FitView), and false when the view has no such
// block: an empty frame, or one crossing the antimeridian (its columns
// wrap, so no one box holds them).
func ViewCover(v View) (z int, cover image.Rectangle, px int, ok bool) {
	g := newViewGrid(v)
	return g.Z, g.Cover, g.TilePx, g.fits()
}

// fits reports whether the grid's tiles form one block inside the world.
func (g viewGrid) fits() bool {
	return !g.Cover.Empty() && g.Cover.Min.X >= 0 && g.Cover.Max.X <= 1<<g.Z
}

func newViewGrid(v View) viewGrid {
	v = normalizedView(v)
	g := viewGrid{}
	g.W, g.H = v.DeviceSize()
	g.Z = clampInt(int(math.Round(v.Zoom)), 0, MaxZoom)
	g.TilePx = clampInt(int(math.Round(TileSize*v.Scale)), 1, maxTilePx)
	g.Scale = math.Exp2(v.Zoom - float64(g.Z))
	g.Integral = v.Zoom == float64(g.Z)
	if g.Integral {
		g.Scale = 1
	}
	if g.W == 0 || g.H == 0 {
		return g
	}
	n := 1 << g.Z
	world := float64(g.TilePx) * float64(n) // world side at zoom Z, device pixels
	fx, fy := worldFraction(v.CenterLon, v.CenterLat)
	cx, cy := fx*world, fy*world // view centre in world pixels at zoom Z
	halfW, halfH := float64(g.W)/2, float64(g.H)/2
	edgeX := func(tx int) int { return int(math.Round((float64(tx*g.TilePx)-cx)*g.Scale + halfW)) }
	edgeY := func(ty int) int { return int(math.Round((float64(ty*g.TilePx)-cy)*g.Scale + halfH)) }
	tp := float64(g.TilePx)
	x0 := int(math.Floor((cx - halfW/g.Scale) / tp))
	x1 := int(math.Floor((cx + halfW/g.Scale) / tp))
	y0 := clampInt(int(math.Floor((cy-halfH/g.Scale)/tp)), 0, n-1)
	y1 := clampInt(int(math.Floor((cy+halfH/g.Scale)/tp)), 0, n-1)
	frame := image.Rect(0, 0, g.W, g.H)
	best := map[Tile]float64{}
	for ty := y0; ty <= y1; ty++ {
		for tx := x0; tx <= x1; tx++ {
			dst := image.Rect(edgeX(tx), edgeY(ty), edgeX(tx+1), edgeY(ty+1))
			if dst.Empty() || !dst.Overlaps(frame) {
				continue
			}
			t := Tile{Z: g.Z, X: wrapInt(tx, n), Y: ty}
			g.Cover = g.Cover.Union(image.Rect(tx, ty, tx+1, ty+1))
			mx := float64(dst.Min.X+dst.Max.X)/2 - halfW
			my := float64(dst.Min.Y+dst.Max.Y)/2 - halfH
			d := math.Hypot(mx, my)
			g.Placements = append(g.Placements, placement{Tile: t, Dst: dst, Dist: d})
			if old, ok := best[t]; !ok || d < old {
				best[t] = d
			}
		}
	}
	g.Tiles = make([]Tile, 0, len(best))
	for t := range best {
		g.Tiles = append(g.Tiles, t)
	}
	sort.Slice(g.Tiles, func(i, j int) bool {
		a, b := g.Tiles[i], g.Tiles[j]
		if da, db := best[a], best[b]; da != db {
			return da < db
		}
		if a.Y != b.Y {
			return a.Y < b.Y
		}
		return a.X < b.X
	})
	return g
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func wrapInt(v, n int) int {
	v %= n
	if v < 0 {
		v += n
	}
	return v
}

// wrapLon wraps a longitude into [-180, 180).
func wrapLon(lon float64) float64 {
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

package wmts

import "math"

// StandardPixelSize is the "standardized rendering pixel size" of WMTS
// 07-057r7 (6.1), in metres: a ScaleDenominator s means s * 0.28 mm of
// ground per pixel.
const StandardPixelSize = 0.00028

// The GoogleMapsCompatible grid (WMTS 07-057r7 annex E.4): EPSG:3857,
// origin at the north-west corner of the square world, 256 px tiles, zoom z
// has 2^z x 2^z tiles and scale denominator WebMercatorScale0 / 2^z.
const (
	WebMercatorOrigin = math.Pi * 6378137      // 20037508.342789244 m
	WebMercatorScale0 = 559082264.0287178      // scale denominator of zoom 0
	WebMercatorTile   = 256                    // tile side, pixels
	WebMercatorMaxZ   = 30                     // deepest zoom recognised
	originTolerance   = 1.0                    // metres; see WebMercatorZoom
	scaleTolerance    = 1e-4                   // relative; see WebMercatorZoom
	rangeEpsilon      = 1e-9                   // tiles; see TileRange
	maxRangeIndex     = float64(maxMatrixSide) // clamp before int conversion
)

// TileRange is an inclusive range of tile columns and rows of one matrix.
type TileRange struct {
	MinCol, MaxCol int
	MinRow, MaxRow int
}

// Count returns the number of tiles in the range.
func (r TileRange) Count() int64 {
	if r.MaxCol < r.MinCol || r.MaxRow < r.MinRow {
		return 0
	}
	return int64(r.MaxCol-r.MinCol+1) * int64(r.MaxRow-r.MinRow+1)
}

// metersPerUnit is MetersPerUnit, or the CRS's when unset or invalid.
func (s *TileMatrixSet) metersPerUnit() float64 {
	if s.MetersPerUnit > 0 && !math.IsInf(s.MetersPerUnit, 0) {
		return s.MetersPerUnit
	}
	return MetersPerUnit(s.SupportedCRS)
}

// PixelSize returns the size of a pixel of matrix i in CRS units:
// ScaleDenominator * StandardPixelSize / MetersPerUnit.
func (s *TileMatrixSet) PixelSize(i int) float64 {
	return s.Matrices[i].ScaleDenominator * StandardPixelSize / s.metersPerUnit()
}

// TileSpan returns the width and height of one tile of matrix i in CRS
// units.
func (s *TileMatrixSet) TileSpan(i int) (w, h float64) {
	ps := s.PixelSize(i)
	return float64(s.Matrices[i].TileWidth) * ps, float64(s.Matrices[i].TileHeight) * ps
}

// BestMatrix returns the index of the matrix whose pixel size is closest to
// pixelSize (CRS units per pixel) on a log scale, as a map rounds a
// fractional zoom to the nearest level; on a tie the finer matrix wins. It
// returns -1 when the set has no matrix or pixelSize is not a positive
// finite number.
func (s *TileMatrixSet) BestMatrix(pixelSize float64) int {
	return s.bestMatrix(pixelSize, nil)
}

// bestMatrix is BestMatrix among the matrices allow accepts (all when nil).
func (s *TileMatrixSet) bestMatrix(pixelSize float64, allow func(i int) bool) int {
	if !(pixelSize > 0) || math.IsInf(pixelSize, 0) {
		return -1
	}
	best, bestD, bestPS := -1, math.Inf(1), 0.0
	for i := range s.Matrices {
		if allow != nil && !allow(i) {
			continue
		}
		ps := s.PixelSize(i)
		d := math.Abs(math.Log2(ps / pixelSize))
		if d < bestD-1e-12 || (math.Abs(d-bestD) <= 1e-12 && ps < bestPS) {
			best, bestD, bestPS = i, d, ps
		}
	}
	return best
}

// TileBounds returns the box of tile (col, row) of matrix i in the set's
// CRS, east/north: columns grow eastwards and rows southwards from the
// matrix's top-left corner.
func (s *TileMatrixSet) TileBounds(i, col, row int) BBox {
	m := &s.Matrices[i]
	w, h := s.TileSpan(i)
	minX := m.TopLeftX + float64(col)*w
	maxY := m.TopLeftY - float64(row)*h
	return BBox{CRS: s.SupportedCRS, MinX: minX, MinY: maxY - h, MaxX: minX + w, MaxY: maxY}
}

// MatrixBounds returns the box covered by all tiles of matrix i.
func (s *TileMatrixSet) MatrixBounds(i int) BBox {
	m := &s.Matrices[i]
	w, h := s.TileSpan(i)
	return BBox{CRS: s.SupportedCRS, MinX: m.TopLeftX, MinY: m.TopLeftY - float64(m.MatrixHeight)*h,
		MaxX: m.TopLeftX + float64(m.MatrixWidth)*w, MaxY: m.TopLeftY}
}

// TileRange returns the tiles of matrix i that cover b (in the set's CRS,
// east/north; b.CRS is not looked at), clipped to the matrix and to lim
// when lim is not nil. A tile that b only touches along an edge is left
// out. ok is false when no tile remains.
func (s *TileMatrixSet) TileRange(i int, b BBox, lim *TileMatrixLimits) (r TileRange, ok bool) {
	m := &s.Matrices[i]
	w, h := s.TileSpan(i)
	if !(w > 0) || !(h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) || !finite(b.MinX, b.MinY, b.MaxX, b.MaxY) ||
		b.MinX > b.MaxX || b.MinY > b.MaxY {
		return TileRange{}, false
	}
	idx := func(v float64) int { return int(math.Max(-1, math.Min(v, maxRangeIndex+1))) }
	c0 := (b.MinX - m.TopLeftX) / w
	c1 := (b.MaxX - m.TopLeftX) / w
	r0 := (m.TopLeftY - b.MaxY) / h
	r1 := (m.TopLeftY - b.MinY) / h
	r.MinCol = idx(math.Floor(c0 + rangeEpsilon))
	r.MaxCol = idx(math.Ceil(c1-rangeEpsilon) - 1)
	r.MinRow = idx(math.Floor(r0 + rangeEpsilon))
	r.MaxRow = idx(math.Ceil(r1-rangeEpsilon) - 1)
	// A box of zero width or height still needs the tile it lies in.
	r.MaxCol = max(r.MaxCol, r.MinCol)
	r.MaxRow = max(r.MaxRow, r.MinRow)
	r.MinCol, r.MaxCol = max(r.MinCol, 0), min(r.MaxCol, m.MatrixWidth-1)
	r.MinRow, r.MaxRow = max(r.MinRow, 0), min(r.MaxRow, m.MatrixHeight-1)
	if lim != nil {
		r.MinCol, r.MaxCol = max(r.MinCol, lim.MinCol), min(r.MaxCol, lim.MaxCol)
		r.MinRow, r.MaxRow = max(r.MinRow, lim.MinRow), min(r.MaxRow, lim.MaxRow)
	}
	if r.MinCol > r.MaxCol || r.MinRow > r.MaxRow {
		return TileRange{}, false
	}
	return r, true
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// WebMercatorZoom reports whether matrix i is level z of the
// GoogleMapsCompatible grid, so that its tile (col, row) is the XYZ tile
// z/col/row. It requires: a Web Mercator CRS (IsWebMercator), 256 x 256 px
// tiles, a top-left corner within 1 m of (-WebMercatorOrigin,
// WebMercatorOrigin) (servers round it: 20037508.34, -2.003750834E7), a
// scale denominator within 0.01 % of WebMercatorScale0 / 2^z for a z in
// 0..WebMercatorMaxZ. MatrixWidth and MatrixHeight are not looked at: a
// smaller matrix covers part of the world with the same tiles, a larger
// one (ArcGIS states 2x2 at level 0) names tiles outside the world that an
// XYZ engine never asks for.
func (s *TileMatrixSet) WebMercatorZoom(i int) (z int, ok bool) {
	if !IsWebMercator(s.SupportedCRS) {
		return 0, false
	}
	m := &s.Matrices[i]
	if m.TileWidth != WebMercatorTile || m.TileHeight != WebMercatorTile ||
		math.Abs(m.TopLeftX+WebMercatorOrigin) > originTolerance ||
		math.Abs(m.TopLeftY-WebMercatorOrigin) > originTolerance ||
		!(m.ScaleDenominator > 0) {
		return 0, false
	}
	zf := math.Log2(WebMercatorScale0 / m.ScaleDenominator)
	if math.IsNaN(zf) || zf < -0.5 || zf > WebMercatorMaxZ+0.5 {
		return 0, false
	}
	z = int(math.Round(zf))
	if math.Abs(m.ScaleDenominator*math.Exp2(float64(z))/WebMercatorScale0-1) > scaleTolerance {
		return 0, false
	}
	return z, true
}

// IsWebMercator reports whether the set is Web-Mercator aligned: every
// matrix is a level of the GoogleMapsCompatible grid (WebMercatorZoom) and
// no two are the same level. An engine can then draw it as an XYZ source
// through MatrixForZoom; any other set (EPSG:4326, a national grid, a
// Web Mercator set with another origin or 512 px tiles) must be resampled
// from TileBounds.
func (s *TileMatrixSet) IsWebMercator() bool {
	if len(s.Matrices) == 0 {
		return false
	}
	var seen uint64
	for i := range s.Matrices {
		z, ok := s.WebMercatorZoom(i)
		if !ok || seen&(1<<z) != 0 {
			return false
		}
		seen |= 1 << z
	}
	return true
}

// MatrixForZoom returns the index of the matrix that is level z of the
// GoogleMapsCompatible grid, or -1. It does not require the whole set to
// be aligned; check IsWebMercator first.
func (s *TileMatrixSet) MatrixForZoom(z int) int {
	for i := range s.Matrices {
		if mz, ok := s.WebMercatorZoom(i); ok && mz == z {
			return i
		}
	}
	return -1
}

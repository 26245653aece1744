package layers

import (
	"image"
	"math"
)

// GeographicHeight returns the pixel height to request a tile's lon/lat box
// at, for a tile of size px (a source with TileRequest.LonLat asks for it). A lon/lat image has rows of equal latitude
// step while Web Mercator rows shrink in latitude towards the poles; the
// request is tall enough that its step is no coarser than the tile's finest
// row, capped at twice the tile size.
func GeographicHeight(t Tile, px int) int {
	bb := t.LonLatBounds()
	south, north := bb.Min(1), bb.Max(1)
	n := float64(int(1) << t.Z)
	// Latitude per mercator row is (row height in radians of y) * cos(lat);
	// the finest row is where |lat| is largest.
	rowY := 2 * math.Pi / (n * float64(px)) // mercator y (radians) per row
	maxAbs := math.Max(math.Abs(south), math.Abs(north))
	finest := rowY * math.Cos(maxAbs*math.Pi/180) * 180 / math.Pi
	if finest <= 0 {
		return 2 * px
	}
	h := int(math.Ceil((north - south) / finest))
	return clampInt(h, px, 2*px)
}

// reprojectGeographic maps src, an image of the tile's lon/lat bounding box
// (rows equally spaced in latitude, x linear in longitude, the same width as
// the tile), into a Web Mercator tile of px x px. x is linear in both
// projections, so each destination row is a blend of the two source rows at
// its latitude.
func reprojectGeographic(src *image.RGBA, t Tile, px int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, px, px))
	sb := src.Bounds()
	sh := sb.Dy()
	if sh == 0 || sb.Dx() == 0 {
		return dst
	}
	bb := t.LonLatBounds()
	south, north := bb.Min(1), bb.Max(1)
	n := float64(int(1) << t.Z)
	w := min(px, sb.Dx()) * 4
	for j := 0; j < px; j++ {
		lat := latOfFraction((float64(t.Y) + (float64(j)+0.5)/float64(px)) / n)
		r := (north-lat)/(north-south)*float64(sh) - 0.5
		r0 := int(math.Floor(r))
		f := uint32(math.Round((r - float64(r0)) * 256))
		r1 := r0 + 1
		r0, r1 = clampInt(r0, 0, sh-1), clampInt(r1, 0, sh-1)
		a := src.Pix[src.PixOffset(sb.Min.X, sb.Min.Y+r0):][:w]
		b := src.Pix[src.PixOffset(sb.Min.X, sb.Min.Y+r1):][:w]
		d := dst.Pix[j*dst.Stride:][:w]
		if f == 0 || r0 == r1 {
			copy(d, a)
			continue
		}
		if f >= 256 {
			copy(d, b)
			continue
		}
		g := 256 - f
		for i := range d {
			d[i] = uint8((uint32(a[i])*g + uint32(b[i])*f + 128) >> 8)
		}
	}
	return dst
}

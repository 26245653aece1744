package layers

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestGeographicHeight(t *testing.T) {
	tests := []struct {
		tile   Tile
		px     int
		lo, hi int
	}{
		{Tile{0, 0, 0}, 256, 512, 512},      // the whole world: capped at 2x
		{Tile{10, 550, 335}, 256, 256, 260}, // small tile: almost square
		{Tile{3, 4, 3}, 256, 300, 320},      // 0..41 degrees north: cos(41) = 0.75
	}
	for _, tt := range tests {
		if got := GeographicHeight(tt.tile, tt.px); got < tt.lo || got > tt.hi {
			t.Errorf("GeographicHeight(%v, %d) = %d, want %d..%d", tt.tile, tt.px, got, tt.lo, tt.hi)
		}
	}
}

func TestReprojectGeographicStripes(t *testing.T) {
	for _, tile := range []Tile{{2, 1, 1}, {3, 4, 2}, {0, 0, 0}, {6, 33, 20}} {
		const px = 256
		bb := tile.LonLatBounds()
		south, north := bb.Min(1), bb.Max(1)
		h := GeographicHeight(tile, px)
		// A lon/lat image whose rows encode their latitude in 1-degree
		// bands (band width scaled down for small tiles).
		band := math.Max((north-south)/12, 1e-6)
		colorOf := func(lat float64) color.RGBA {
			b := int(math.Floor(lat / band))
			return color.RGBA{uint8(b * 37), uint8(b * 91), uint8(b), 255}
		}
		src := image.NewRGBA(image.Rect(0, 0, px, h))
		for y := 0; y < h; y++ {
			lat := north - (float64(y)+0.5)/float64(h)*(north-south)
			for x := 0; x < px; x++ {
				src.SetRGBA(x, y, colorOf(lat))
			}
		}
		dst := reprojectGeographic(src, tile, px)
		if got := dst.Bounds(); got != image.Rect(0, 0, px, px) {
			t.Fatalf("%v: bounds = %v", tile, got)
		}
		n := math.Exp2(float64(tile.Z))
		bad := 0
		for y := 0; y < px; y++ {
			lat := latOfFraction((float64(tile.Y) + (float64(y)+0.5)/px) / n)
			// rows within 1.5 source rows of a band edge blend two bands
			step := (north - south) / float64(h) * 1.5
			if math.Floor((lat-step)/band) != math.Floor((lat+step)/band) {
				continue
			}
			if got, want := dst.RGBAAt(px/2, y), colorOf(lat); got != want {
				bad++
				if bad < 4 {
					t.Errorf("%v row %d (lat %.4f) = %v, want %v", tile, y, lat, got, want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%v: %d rows wrong", tile, bad)
		}
	}
}

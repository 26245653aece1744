package layers

import (
	"image"
	"math"
	"testing"
)

func TestMercatorRoundTrip(t *testing.T) {
	tests := []struct{ lon, lat, x, y float64 }{
		{0, 0, 0, 0},
		{180, 0, MercatorExtent, 0},
		{-180, MaxLat, -MercatorExtent, MercatorExtent},
		{13.4, 52.52, 1491681.3, 6894699.8},
	}
	for _, tt := range tests {
		x, y := LonLatToMercator(tt.lon, tt.lat)
		if math.Abs(x-tt.x) > 1 || math.Abs(y-tt.y) > 1 {
			t.Errorf("LonLatToMercator(%v, %v) = %v, %v, want %v, %v", tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
		lon, lat := MercatorToLonLat(x, y)
		if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 {
			t.Errorf("MercatorToLonLat(%v, %v) = %v, %v, want %v, %v", x, y, lon, lat, tt.lon, tt.lat)
		}
	}
	if _, y := LonLatToMercator(0, 90); y != MercatorExtent {
		_, want := LonLatToMercator(0, MaxLat)
		if y != want {
			t.Errorf("lat 90 not clamped: y = %v, want %v", y, want)
		}
	}
}

func TestTileAt(t *testing.T) {
	tests := []struct {
		lon, lat float64
		z        int
		want     Tile
	}{
		{0, 0, 0, Tile{0, 0, 0}},
		{-0.1, 0.1, 1, Tile{1, 0, 0}},
		{0.1, -0.1, 1, Tile{1, 1, 1}},
		{13.4, 52.52, 10, Tile{10, 550, 335}},
		{180, 0, 2, Tile{2, 0, 2}},   // wraps to -180
		{190, 0, 2, Tile{2, 0, 2}},   // wraps to -170
		{0, 89.9, 3, Tile{3, 4, 0}},  // clamped to the top row
		{0, -89.9, 3, Tile{3, 4, 7}}, // and the bottom row
		{-540, 0, 1, Tile{1, 0, 1}},  // -540 = -180
		{0, 0, 99, TileAt(0, 0, 24)}, // zoom clamped
	}
	for _, tt := range tests {
		if got := TileAt(tt.lon, tt.lat, tt.z); got != tt.want {
			t.Errorf("TileAt(%v, %v, %d) = %v, want %v", tt.lon, tt.lat, tt.z, got, tt.want)
		}
	}
}

func TestTileBounds(t *testing.T) {
	b := Tile{1, 1, 0}.MercatorBounds()
	if b.Min(0) != 0 || b.Max(0) != MercatorExtent || b.Min(1) != 0 || b.Max(1) != MercatorExtent {
		t.Errorf("Tile{1,1,0}.MercatorBounds() = %v", b)
	}
	ll := Tile{0, 0, 0}.LonLatBounds()
	if ll.Min(0) != -180 || ll.Max(0) != 180 || math.Abs(ll.Max(1)-MaxLat) > 1e-9 || math.Abs(ll.Min(1)+MaxLat) > 1e-9 {
		t.Errorf("Tile{0,0,0}.LonLatBounds() = %v", ll)
	}
	if p := (Tile{5, 17, 9}).Parent(2); p != (Tile{3, 4, 2}) {
		t.Errorf("Parent(2) = %v", p)
	}
}

func TestViewGrid(t *testing.T) {
	tests := []struct {
		name      string
		v         View
		wantW     int
		wantH     int
		wantPx    int
		wantTiles int
	}{
		{"aligned 2x2 at zoom 1", View{Zoom: 1, Width: 512, Height: 512}, 512, 512, 256, 4},
		{"offset by half a tile", View{CenterLon: 45, Zoom: 2, Width: 512, Height: 256}, 512, 256, 256, 6},
		{"hidpi", View{Zoom: 1, Width: 512, Height: 512, Scale: 2}, 1024, 1024, 512, 4},
		{"world narrower than frame", View{Zoom: 0, Width: 1000, Height: 256}, 1000, 256, 256, 1},
		{"fractional zoom rounds", View{Zoom: 1.4, Width: 512, Height: 512}, 512, 512, 256, 4},
		{"empty", View{Zoom: 3}, 0, 0, 256, 0},
		{"north pole clamps rows", View{CenterLat: 85, Zoom: 2, Width: 256, Height: 512}, 256, 512, 256, 4}, // rows 0 and 1 only
	}
	for _, tt := range tests {
		g := newViewGrid(tt.v)
		if g.W != tt.wantW || g.H != tt.wantH || g.TilePx != tt.wantPx || len(g.Tiles) != tt.wantTiles {
			t.Errorf("%s: grid = %dx%d px %d tiles %d, want %dx%d px %d tiles %d", tt.name,
				g.W, g.H, g.TilePx, len(g.Tiles), tt.wantW, tt.wantH, tt.wantPx, tt.wantTiles)
		}
		// Placements tile the frame without overlap within the world.
		cover := map[image.Point]int{}
		for _, p := range g.Placements {
			r := p.Dst.Intersect(image.Rect(0, 0, g.W, g.H))
			for y := r.Min.Y; y < r.Max.Y; y += 7 {
				for x := r.Min.X; x < r.Max.X; x += 7 {
					cover[image.Pt(x, y)]++
				}
			}
		}
		for pt, n := range cover {
			if n > 1 {
				t.Errorf("%s: pixel %v covered %d times", tt.name, pt, n)
				break
			}
		}
	}
}

func TestViewGridWrapsAntimeridian(t *testing.T) {
	g := newViewGrid(View{CenterLon: 179.9, Zoom: 2, Width: 512, Height: 256})
	seen := map[int]bool{}
	for _, tile := range g.Tiles {
		if tile.X < 0 || tile.X >= 4 {
			t.Errorf("tile %v not wrapped", tile)
		}
		seen[tile.X] = true
	}
	if !seen[0] || !seen[3] {
		t.Errorf("tiles around the antimeridian = %v, want columns 3 and 0", g.Tiles)
	}
	// The world repeats when the frame is wider than it: one tile, drawn 4 times.
	g = newViewGrid(View{Zoom: 0, Width: 1000, Height: 256})
	if len(g.Placements) != 5 || len(g.Tiles) != 1 {
		t.Errorf("zoom 0, 1000 px: %d placements of %d tiles, want 5 of 1", len(g.Placements), len(g.Tiles))
	}
}

func TestTilesForViewCentreFirst(t *testing.T) {
	v := View{CenterLon: 7, CenterLat: 47, Zoom: 9, Width: 1920, Height: 1080}
	g := newViewGrid(v)
	if len(g.Tiles) < 30 {
		t.Fatalf("only %d tiles", len(g.Tiles))
	}
	if got, want := g.Tiles[0], TileAt(v.CenterLon, v.CenterLat, 9); got != want {
		t.Errorf("first tile = %v, want centre tile %v", got, want)
	}
	dist := map[Tile]float64{}
	for _, p := range g.Placements {
		dist[p.Tile] = p.Dist
	}
	for i := 1; i < len(g.Tiles); i++ {
		if dist[g.Tiles[i]] < dist[g.Tiles[i-1]] {
			t.Errorf("tile %d (%v, %.0f px) is nearer than tile %d (%.0f px)", i, g.Tiles[i], dist[g.Tiles[i]], i-1, dist[g.Tiles[i-1]])
		}
	}
}

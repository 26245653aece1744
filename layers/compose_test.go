package layers

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

// solid returns a px x px tile of premultiplied colour c.
func solid(px int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, px, px))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// fillCache puts a tile for every tile of v (at zoom z, or the view's zoom
// when z < 0) of spec into e's cache.
func fillCache(t testing.TB, e *Engine, v View, spec LayerSpec, z int, tile func(Tile, int) *image.RGBA) {
	t.Helper()
	g := groupSpecs([]LayerSpec{spec}, true, false, 0, nil)[0]
	if g.err != nil {
		t.Fatal(g.err)
	}
	grid := newViewGrid(v)
	tiles := grid.Tiles
	if z >= 0 {
		seen := map[Tile]bool{}
		tiles = nil
		for _, tl := range grid.Tiles {
			p := tl.Parent(grid.Z - z)
			if !seen[p] {
				seen[p] = true
				tiles = append(tiles, p)
			}
		}
	}
	for _, tl := range tiles {
		r := g.request(tl, grid.TilePx)
		if !e.cache.put(r.key, spec.Source, e.cache.generation(spec.Source), tile(tl, grid.TilePx)) {
			t.Fatal("cache refused a tile")
		}
	}
}

func cacheSpec(id string, opacity float64) LayerSpec {
	return LayerSpec{ID: id, Source: "https://maps.example.org:443/wms", Opacity: opacity,
		Tiles: testTiles{base: "https://maps.example.org/wms?id=" + id, names: []string{id}, crs: "EPSG:3857", transparent: true}}
}

func near(a, b color.RGBA, tol int) bool {
	return absDiff(a.R, b.R) <= tol && absDiff(a.G, b.G) <= tol && absDiff(a.B, b.B) <= tol && absDiff(a.A, b.A) <= tol
}

func TestComposeOrderAndOpacity(t *testing.T) {
	v := View{CenterLon: 10, CenterLat: 50, Zoom: 6, Width: 640, Height: 480}
	opaqueRed := color.RGBA{255, 0, 0, 255}
	opaqueGreen := color.RGBA{0, 255, 0, 255}
	halfBlue := color.RGBA{0, 0, 128, 128} // premultiplied 50% blue
	tests := []struct {
		name   string
		layers []struct {
			c       color.RGBA
			opacity float64
		}
		want color.RGBA
	}{
		{"single", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}}, opaqueRed},
		{"top wins", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}, {opaqueGreen, 1}}, opaqueGreen},
		{"order matters", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueGreen, 1}, {opaqueRed, 1}}, opaqueRed},
		{"opacity 0.5", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}, {opaqueGreen, 0.5}}, color.RGBA{127, 128, 0, 255}},
		{"translucent pixels", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}, {halfBlue, 1}}, color.RGBA{127, 0, 128, 255}},
		{"translucent pixels and opacity", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}, {halfBlue, 0.5}}, color.RGBA{191, 0, 64, 255}},
		{"translucent first layer", []struct {
			c       color.RGBA
			opacity float64
		}{{halfBlue, 0.5}}, color.RGBA{0, 0, 64, 64}},
		{"opacity 0 draws nothing", []struct {
			c       color.RGBA
			opacity float64
		}{{opaqueRed, 1}, {opaqueGreen, 0}}, opaqueRed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil, Options{})
			var specs []LayerSpec
			for i, l := range tt.layers {
				s := cacheSpec(string(rune('a'+i)), l.opacity)
				fillCache(t, e, v, s, -1, func(Tile, int) *image.RGBA { return solid(256, l.c) })
				specs = append(specs, s)
			}
			frame, missing := e.Compose(v, specs)
			if missing != 0 {
				t.Errorf("missing = %d, want 0", missing)
			}
			if got := frame.Bounds(); got != image.Rect(0, 0, 640, 480) {
				t.Fatalf("bounds = %v", got)
			}
			for _, pt := range []image.Point{{0, 0}, {320, 240}, {639, 479}, {100, 400}} {
				if got := frame.RGBAAt(pt.X, pt.Y); !near(got, tt.want, 1) {
					t.Errorf("pixel %v = %v, want %v", pt, got, tt.want)
				}
			}
		})
	}
}

func TestComposeTilePlacement(t *testing.T) {
	// Each tile a distinct colour: every frame pixel must show the tile
	// that covers its lon/lat.
	for _, v := range []View{
		{CenterLon: 10.3, CenterLat: 50.1, Zoom: 7, Width: 700, Height: 500},
		{CenterLon: 10.3, CenterLat: 50.1, Zoom: 7, Width: 350, Height: 250, Scale: 2},
		{CenterLon: 179.5, CenterLat: -20, Zoom: 4, Width: 900, Height: 300},
	} {
		e := NewEngine(nil, Options{})
		s := cacheSpec("a", 1)
		colorOf := func(tl Tile) color.RGBA { return color.RGBA{uint8(tl.X * 7), uint8(tl.Y * 13), uint8(tl.Z), 255} }
		fillCache(t, e, v, s, -1, func(tl Tile, px int) *image.RGBA { return solid(px, colorOf(tl)) })
		frame, missing := e.Compose(v, []LayerSpec{s})
		if missing != 0 {
			t.Errorf("%+v: missing = %d", v, missing)
		}
		g := newViewGrid(v)
		nv := normalizedView(v)
		cx, cy := worldFraction(nv.CenterLon, nv.CenterLat)
		world := float64(g.TilePx) * float64(int(1)<<g.Z)
		for y := 3; y < g.H; y += 37 {
			for x := 3; x < g.W; x += 41 {
				fx := cx + (float64(x)+0.5-float64(g.W)/2)/world
				fy := cy + (float64(y)+0.5-float64(g.H)/2)/world
				n := 1 << g.Z
				want := colorOf(Tile{g.Z, wrapInt(int(fx*float64(n)), n), int(fy * float64(n))})
				// pixels on a tile edge may round either way
				edgeX := (fx*float64(n) - float64(int(fx*float64(n)))) * float64(g.TilePx)
				edgeY := (fy*float64(n) - float64(int(fy*float64(n)))) * float64(g.TilePx)
				if edgeX < 1 || edgeX > float64(g.TilePx)-1 || edgeY < 1 || edgeY > float64(g.TilePx)-1 {
					continue
				}
				if got := frame.RGBAAt(x, y); got != want {
					t.Fatalf("%+v: pixel (%d,%d) = %v, want %v", v, x, y, got, want)
				}
			}
		}
	}
}

func TestComposeFractionalZoomHasNoGaps(t *testing.T) {
	v := View{CenterLon: 10, CenterLat: 20, Zoom: 5.6, Width: 800, Height: 600}
	e := NewEngine(nil, Options{})
	s := cacheSpec("a", 1)
	c := color.RGBA{10, 200, 30, 255}
	fillCache(t, e, v, s, -1, func(Tile, int) *image.RGBA { return solid(256, c) })
	frame, missing := e.Compose(v, []LayerSpec{s})
	if missing != 0 {
		t.Fatalf("missing = %d", missing)
	}
	for y := 0; y < 600; y++ {
		for x := 0; x < 800; x++ {
			if got := frame.RGBAAt(x, y); got != c {
				t.Fatalf("pixel (%d,%d) = %v, want %v (gap or seam)", x, y, got, c)
			}
		}
	}
}

func TestComposeFallsBackToLowerZoom(t *testing.T) {
	v := View{CenterLon: 10, CenterLat: 50, Zoom: 8, Width: 512, Height: 512}
	e := NewEngine(nil, Options{})
	s := cacheSpec("a", 1)
	c := color.RGBA{1, 2, 250, 255}
	fillCache(t, e, v, s, 6, func(Tile, int) *image.RGBA { return solid(256, c) }) // only zoom 6 tiles cached
	frame, missing := e.Compose(v, []LayerSpec{s})
	if want := len(TilesForView(v)); missing != want {
		t.Errorf("missing = %d, want %d (fallbacks still count)", missing, want)
	}
	if got := frame.RGBAAt(256, 256); got != c {
		t.Errorf("centre = %v, want the zoom-6 colour %v", got, c)
	}
	// Nothing cached at all: transparent frame.
	frame, _ = e.Compose(v, []LayerSpec{cacheSpec("b", 1)})
	if got := frame.RGBAAt(256, 256); got != (color.RGBA{}) {
		t.Errorf("uncached centre = %v, want transparent", got)
	}
}

func TestComposeEmptyAndInvalid(t *testing.T) {
	e := NewEngine(nil, Options{})
	frame, missing := e.Compose(View{Zoom: 3}, []LayerSpec{cacheSpec("a", 1)})
	if frame.Bounds() != (image.Rectangle{}) || missing != 0 {
		t.Errorf("zero-size view: %v, %d", frame.Bounds(), missing)
	}
	bad := cacheSpec("a", 1)
	bad.Tiles = nil
	v := View{Zoom: 2, Width: 300, Height: 300}
	if _, missing := e.Compose(v, []LayerSpec{bad}); missing != len(TilesForView(v)) {
		t.Errorf("invalid layer missing = %d, want %d", missing, len(TilesForView(v)))
	}
}

// TestBlendRowsAgainstReference checks the SWAR loops against float
// premultiplied "over" for every alpha, in odd row lengths.
func TestBlendRowsAgainstReference(t *testing.T) {
	var src, dst []byte
	for a := 0; a < 256; a += 3 {
		for _, c := range []int{0, a / 3, a} { // premultiplied: c <= a
			src = append(src, uint8(c), uint8(a-c), uint8(c/2), uint8(a))
			dst = append(dst, 200, 100, 50, 255)
		}
	}
	src, dst = src[:len(src)-4], dst[:len(dst)-4] // odd pixel count
	for _, alpha := range []uint32{255, 200, 128, 1, 0} {
		d1 := slicesClone(dst)
		d2 := slicesClone(dst)
		if alpha == 255 {
			overRow(d1, src)
			overRowSingle(d2, src)
			for i := range d1 {
				if d1[i] != d2[i] {
					t.Fatalf("overRow and overRowSingle differ at byte %d: %d vs %d", i, d1[i], d2[i])
				}
			}
		} else {
			overRowAlpha(d1, src, alpha)
		}
		for i := 0; i < len(src); i += 4 {
			k := float64(alpha) / 255
			sa := float64(src[i+3]) * k / 255
			for ch := range 4 {
				want := float64(src[i+ch])*k + float64(dst[i+ch])*(1-sa)
				if got := float64(d1[i+ch]); got < want-1.5 || got > want+1.5 {
					t.Fatalf("alpha %d, pixel %d ch %d: got %v, want %.1f (src %v dst %v)", alpha, i/4, ch, got, want, src[i:i+4], dst[i:i+4])
				}
			}
		}
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

// overRowSingle is overRow one pixel at a time (the reference for tests).
func overRowSingle(d, s []byte) {
	n := min(len(d), len(s)) &^ 3
	for i := 0; i < n; i += 4 {
		sp := binary.LittleEndian.Uint32(s[i:])
		switch sp >> 24 {
		case 0:
		case 255:
			binary.LittleEndian.PutUint32(d[i:], sp)
		default:
			binary.LittleEndian.PutUint32(d[i:], overPixel(sp, binary.LittleEndian.Uint32(d[i:])))
		}
	}
}

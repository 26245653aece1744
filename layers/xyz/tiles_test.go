package xyz

import (
	"image"
	"slices"
	"testing"

	"mapvault/layers"
	"mapvault/project"
)

func TestTileRequests(t *testing.T) {
	const tmpl = "https://t.example/{z}/{x}/{y}{r}.png"
	tests := []struct {
		name     string
		template string
		f        project.XYZ
		tile     layers.Tile
		px       int
		ok       bool
		url      string
		size     int
		part     image.Rectangle
	}{
		{"same zoom", tmpl, project.XYZ{}, layers.Tile{Z: 5, X: 10, Y: 12}, 256, true, "https://t.example/5/10/12.png", 256, image.Rectangle{}},
		{"HiDPI {r}", tmpl, project.XYZ{}, layers.Tile{Z: 5, X: 10, Y: 12}, 512, true, "https://t.example/5/10/12@2x.png", 512, image.Rectangle{}},
		{"scale 1.25: no @2x", tmpl, project.XYZ{}, layers.Tile{Z: 5, X: 10, Y: 12}, 320, true, "https://t.example/5/10/12.png", 256, image.Rectangle{}},
		{"512 tiles one level up", tmpl, project.XYZ{TileSize: 512}, layers.Tile{Z: 5, X: 11, Y: 12}, 256, true, "https://t.example/4/5/6.png", 512, image.Rect(256, 0, 512, 256)},
		{"512 tiles at HiDPI", "https://t.example/{z}/{x}/{y}.png", project.XYZ{TileSize: 512}, layers.Tile{Z: 5, X: 11, Y: 12}, 512, true, "https://t.example/5/11/12.png", 512, image.Rectangle{}},
		{"@2x template one level up at scale 1", "https://t.example/{z}/{x}/{y}@2x.png", project.XYZ{}, layers.Tile{Z: 3, X: 5, Y: 3}, 256, true, "https://t.example/2/2/1@2x.png", 512, image.Rect(256, 256, 512, 512)},
		{"512 tiles at zoom 0", tmpl, project.XYZ{TileSize: 512}, layers.Tile{Z: 0}, 256, true, "https://t.example/0/0/0.png", 512, image.Rectangle{}},
		{"over-zoom one level", tmpl, project.XYZ{MaxZoom: 4}, layers.Tile{Z: 5, X: 11, Y: 12}, 256, true, "https://t.example/4/5/6.png", 256, image.Rect(128, 0, 256, 128)},
		{"over-zoom three levels", tmpl, project.XYZ{MaxZoom: 2}, layers.Tile{Z: 5, X: 13, Y: 7}, 256, true, "https://t.example/2/1/0.png", 256, image.Rect(160, 224, 192, 256)},
		{"over-zoom past a pixel", tmpl, project.XYZ{MaxZoom: 1}, layers.Tile{Z: 12, X: 4095, Y: 0}, 256, true, "https://t.example/1/1/0.png", 256, image.Rect(255, 0, 256, 1)},
		{"below min zoom", tmpl, project.XYZ{MinZoom: 6}, layers.Tile{Z: 5, X: 10, Y: 12}, 256, false, "", 0, image.Rectangle{}},
		{"TMS rows", "https://t.example/{z}/{x}/{-y}.png", project.XYZ{}, layers.Tile{Z: 3, X: 1, Y: 2}, 256, true, "https://t.example/3/1/5.png", 256, image.Rectangle{}},
	}
	for _, tt := range tests {
		src, err := NewTiles(tt.template, tt.f, false)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r, ok := src.Tile(tt.tile, tt.px)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if r.URL != tt.url || r.Width != tt.size || r.Height != tt.size || r.Part != tt.part || !r.NotFoundEmpty || r.MaxSide < 2*tt.size {
			t.Errorf("%s: Tile(%v, %d) = %+v, want %s at %d px, part %v, 404 empty", tt.name, tt.tile, tt.px, r, tt.url, tt.size, tt.part)
		}
	}
}

func TestSubdomains(t *testing.T) {
	const tmpl = "https://{s}.t.example/{z}/{x}/{y}.png"
	hosts := func(src *Tiles) []string {
		var out []string
		for x := range 4 {
			for y := range 4 {
				r, _ := src.Tile(layers.Tile{Z: 2, X: x, Y: y}, 256)
				h := r.URL[len("https://"):]
				h = h[:len(h)-len(".t.example/2/0/0.png")]
				if !slices.Contains(out, h) {
					out = append(out, h)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	spread, _ := NewTiles(tmpl, project.XYZ{}, false)
	if got := hosts(spread); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("hosts = %v, want a, b, c", got)
	}
	own, _ := NewTiles(tmpl, project.XYZ{Subdomains: []string{"t0", "t1"}}, false)
	if got := hosts(own); !slices.Equal(got, []string{"t0", "t1"}) {
		t.Errorf("hosts = %v, want t0, t1", got)
	}
	// A credentialed layer keeps to the first subdomain: its credential
	// goes to that origin only.
	pinned, _ := NewTiles(tmpl, project.XYZ{Subdomains: []string{"t0", "t1"}}, true)
	if got := hosts(pinned); !slices.Equal(got, []string{"t0"}) {
		t.Errorf("pinned hosts = %v, want t0", got)
	}
	if pinned.Key() == own.Key() {
		t.Error("pinned and spread sources have the same key")
	}
	// The same tile is always asked of the same host (one cache entry).
	a, _ := spread.Tile(layers.Tile{Z: 4, X: 3, Y: 9}, 256)
	b, _ := spread.Tile(layers.Tile{Z: 4, X: 3, Y: 9}, 256)
	if a.URL != b.URL {
		t.Errorf("one tile, two URLs: %s %s", a.URL, b.URL)
	}
}

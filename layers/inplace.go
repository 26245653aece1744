package layers

import (
	"image"
	"sync"
)

// inPlace is how Render draws the bottom layer group of its one frame
// with Options.RenderInPlace (a process that renders once and exits):
// each image of that group is decoded straight into the frame, at its
// place, its pixels outside the frame dropped. The group's pixels then
// need neither a tile image of their own nor a copy into the frame. A
// one-shot process gets all that memory fresh from the system, page by
// page (about 3 µs a 4 KiB page on the CI's virtual machines), and on a
// 1080p view of three merged WMS layers the images and the frame were
// some 4,600 page faults; in place they are the frame's 2,000, and one
// copy less.
//
// Only where the pixels land unchanged: an integral zoom (tiles are not
// scaled), a raster group at full opacity (drawn first, a plain copy), an
// image exactly its requested size (else it is decoded as usual and
// copied in), and a request no other group of the view shares (those read
// the image from the cache). Images decoded in place are not cached.
type inPlace struct {
	frame *image.RGBA
	at    map[string]image.Point // request key: where its image's top left lands in the frame

	mu     sync.Mutex
	placed map[string]bool // keys whose image is in the frame
}

// planInPlace returns the in-place plan of a frame of grid drawing groups,
// or nil when none of the bottom group's images can be decoded in place.
func planInPlace(grid *viewGrid, groups []*layerGroup) *inPlace {
	if !grid.Integral || !grid.fits() || len(groups) == 0 || grid.W == 0 || grid.H == 0 || len(grid.Placements) == 0 {
		return nil
	}
	g := groups[0]
	if g.err != nil || g.tiles == nil || g.opacity != 1 {
		return nil
	}
	px := grid.TilePx
	at := map[string]image.Point{}
	bad := map[string]bool{}
	for _, p := range grid.Placements {
		req := g.request(p.Tile, px)
		if req.empty {
			continue
		}
		part := req.raster.Part
		if part.Empty() {
			part = image.Rect(0, 0, req.raster.Width, req.raster.Height)
		}
		if req.raster.LonLat || part.Dx() != px || part.Dy() != px || p.Dst.Dx() != px || p.Dst.Dy() != px {
			bad[req.key] = true
			continue
		}
		o := p.Dst.Min.Sub(part.Min)
		if old, seen := at[req.key]; seen && old != o {
			bad[req.key] = true // drawn twice (a wrapped world): not in place
		}
		at[req.key] = o
	}
	// A request another group shares is read from the cache by that group.
	for _, o := range groups[1:] {
		if o.err != nil || o.tiles == nil {
			continue
		}
		for _, t := range grid.Tiles {
			if r := o.request(t, px); !r.empty {
				bad[r.key] = true
			}
		}
	}
	for key := range bad {
		delete(at, key)
	}
	if len(at) == 0 {
		return nil
	}
	return &inPlace{frame: image.NewRGBA(image.Rect(0, 0, grid.W, grid.H)), at: at, placed: map[string]bool{}}
}

// origin returns where the image of key lands in the frame, and false
// when it is decoded as usual (into the cache).
func (p *inPlace) origin(key string) (image.Point, bool) {
	if p == nil {
		return image.Point{}, false
	}
	o, ok := p.at[key]
	return o, ok
}

// done records the result of key's request, img being the frame when it
// was decoded in place, and reports whether it was (then it is not to be
// cached). After a failure the image's part of the frame is cleared: a
// failed decode may have written rows.
func (p *inPlace) done(key string, img *image.RGBA, w, h int, err error) bool {
	o, ok := p.origin(key)
	if !ok {
		return false
	}
	if err != nil {
		r := image.Rect(0, 0, w, h).Add(o).Intersect(p.frame.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			clear(p.frame.Pix[p.frame.PixOffset(r.Min.X, y):p.frame.PixOffset(r.Max.X, y)])
		}
		return false
	}
	if img != p.frame {
		return false
	}
	p.mu.Lock()
	p.placed[key] = true
	p.mu.Unlock()
	return true
}

// isPlaced reports whether key's image is already in the frame.
func (p *inPlace) isPlaced(key string) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.placed[key]
}

// copyAt copies src into dst with src's top left at o, clipped to dst.
func copyAt(dst, src *image.RGBA, o image.Point) {
	r := src.Rect.Sub(src.Rect.Min).Add(o).Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(dst.Pix[dst.PixOffset(r.Min.X, y):dst.PixOffset(r.Max.X, y)], src.Pix[src.PixOffset(src.Rect.Min.X+r.Min.X-o.X, src.Rect.Min.Y+y-o.Y):])
	}
}

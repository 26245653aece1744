package wmtskind

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"sync"

	"mapvault/layers"
	"mapvault/layers/wmts"
	"mapvault/project"
)

// Bounds on one resampled engine tile: the source tiles it may take and
// the pixels of their mosaic. A matrix that needs more (a view far coarser
// than the set's first level) is passed over for a coarser one; when none
// fits the tile is empty.
const (
	maxSourceTiles    = 16
	maxMosaicPixels   = 2048 * 2048
	maxSourceTileSide = 4096
)

// Resampled is a WMTS layer's tile source on a set that is not Web-Mercator
// aligned but whose CRS maps onto the engine's grid: EPSG:4326 or CRS84
// (longitude/latitude degrees), or Web Mercator with another origin, scale
// or tile size. For each engine tile it picks the coarsest of the layer's
// matrices that is not coarser than the tile (else the finest), fetches the
// source tiles covering the tile's box (through layers.TileFetcher: cached
// by URL, per-host limits) and resamples their mosaic bilinearly into the
// tile, row by row from latitude for a lon/lat set. The engine draws it as a
// layers.TileRenderer.
type Resampled struct {
	src    *wmts.TileSource
	key    string
	geo    bool  // the set is in degrees (lon/lat); else Web Mercator metres
	levels []int // matrices the layer has tiles in, coarsest first
}

var _ layers.TileRenderer = (*Resampled)(nil)

// Resamplable reports whether a set's CRS is one Resampled can draw.
func Resamplable(s *wmts.TileMatrixSet) bool {
	return s != nil && (wmts.IsWebMercator(s.SupportedCRS) || isWGS84(s.SupportedCRS))
}

// isWGS84 is CRS84 or EPSG:4326 (the same coordinates, another axis order,
// which the parser has already put east first).
func isWGS84(crs string) bool {
	if wmts.IsCRS84(crs) {
		return true
	}
	code, ok := wmts.EPSGCode(crs)
	return ok && code == 4326
}

// NewResampled returns the resampling source of a layer on a set that
// Resamplable accepts, else a *NotWebMercatorError naming the set and its
// CRS. Style, set and format are chosen as NewTiles does.
func NewResampled(caps *wmts.Capabilities, f project.WMTS) (*Resampled, error) {
	l, set, src, err := layerSource(caps, f)
	if err != nil {
		return nil, err
	}
	ms := src.MatrixSet
	if !Resamplable(ms) {
		return nil, &NotWebMercatorError{MatrixSet: set, Layer: l.Identifier, CRS: ms.SupportedCRS}
	}
	r := &Resampled{src: src, geo: !wmts.IsWebMercator(ms.SupportedCRS)}
	link := l.Link(set)
	for i, m := range ms.Matrices {
		if !link.HasMatrix(m.Identifier) || !(ms.PixelSize(i) > 0) || math.IsInf(ms.PixelSize(i), 0) ||
			m.TileWidth <= 0 || m.TileHeight <= 0 || m.TileWidth > maxSourceTileSide || m.TileHeight > maxSourceTileSide {
			continue
		}
		r.levels = append(r.levels, i)
	}
	if len(r.levels) == 0 {
		return nil, fmt.Errorf("wmts: layer %q has no usable tiles in matrix set %q", l.Identifier, set)
	}
	sort.SliceStable(r.levels, func(a, b int) bool { return ms.PixelSize(r.levels[a]) > ms.PixelSize(r.levels[b]) })
	ids := make([]string, len(r.levels))
	for i, m := range r.levels {
		ids[i] = ms.Matrices[m].Identifier
	}
	first, _ := r.first()
	if first == "" {
		first = caps.BaseURL
	}
	r.key = fmt.Sprintf("wmts resampled %s %s %s %s %s %q%s", first, l.Identifier, src.Style, set, src.Format, ids, dimsKey(src.Dims))
	return r, nil
}

// Key names the layer, style, set, format, levels and dimension values.
func (r *Resampled) Key() string { return r.key }

// box returns engine tile t's box in the set's CRS and the width of one of
// its px pixels in the set's units.
func (r *Resampled) box(t layers.Tile, px int) (wmts.BBox, float64) {
	n := math.Exp2(float64(t.Z))
	span := 2 * layers.MercatorExtent / n
	x0 := -layers.MercatorExtent + float64(t.X)*span
	y1 := layers.MercatorExtent - float64(t.Y)*span
	b := wmts.BBox{MinX: x0, MinY: y1 - span, MaxX: x0 + span, MaxY: y1}
	if !r.geo {
		return b, span / float64(px)
	}
	lon0, lat0 := layers.MercatorToLonLat(b.MinX, b.MinY)
	lon1, lat1 := layers.MercatorToLonLat(b.MaxX, b.MaxY)
	return wmts.BBox{MinX: lon0, MinY: lat0, MaxX: lon1, MaxY: lat1}, (lon1 - lon0) / float64(px)
}

// pick chooses the matrix for a box drawn at pixel size ps: the coarsest
// not coarser than ps (else the finest), or a coarser one when its tiles
// covering b would be too many; ok false when no matrix has tiles there
// within the bounds.
func (r *Resampled) pick(b wmts.BBox, ps float64) (m int, tr wmts.TileRange, ok bool) {
	ms := r.src.MatrixSet
	start := len(r.levels) - 1
	for k, i := range r.levels {
		if ms.PixelSize(i) <= ps*(1+1e-9) {
			start = k
			break
		}
	}
	for k := start; k >= 0; k-- {
		i := r.levels[k]
		rng, has := r.src.TileRange(i, b)
		if !has {
			return 0, wmts.TileRange{}, false
		}
		mt := &ms.Matrices[i]
		if rng.Count() <= maxSourceTiles && rng.Count()*int64(mt.TileWidth)*int64(mt.TileHeight) <= maxMosaicPixels {
			return i, rng, true
		}
	}
	return 0, wmts.TileRange{}, false
}

// Tile returns the request of the source tile under the centre of engine
// tile t (a probe's; the engine calls RenderTile).
func (r *Resampled) Tile(t layers.Tile, px int) (layers.TileRequest, bool) {
	if px <= 0 {
		px = layers.TileSize
	}
	b, ps := r.box(t, px)
	i, _, ok := r.pick(b, ps)
	if !ok {
		return layers.TileRequest{}, false
	}
	cx, cy := (b.MinX+b.MaxX)/2, (b.MinY+b.MaxY)/2
	rng, ok := r.src.TileRange(i, wmts.BBox{MinX: cx, MinY: cy, MaxX: cx, MaxY: cy})
	if !ok {
		return layers.TileRequest{}, false
	}
	return r.request(i, rng.MinCol, rng.MinRow)
}

func (r *Resampled) request(i, col, row int) (layers.TileRequest, bool) {
	m := &r.src.MatrixSet.Matrices[i]
	u, err := r.src.URL(m.Identifier, row, col)
	if err != nil {
		return layers.TileRequest{}, false
	}
	return layers.TileRequest{URL: u, Width: m.TileWidth, Height: m.TileHeight,
		MaxSide: 2 * max(m.TileWidth, m.TileHeight), NotFoundEmpty: true}, true
}

// errNoTileFetcher: RenderTile was handed a Fetcher that cannot fetch
// tiles (not the engine's).
var errNoTileFetcher = errors.New("wmts: resampling needs the engine's tile fetcher")

// RenderTile fetches the source tiles under engine tile t and resamples
// them into a px x px tile; nil when the layer has nothing there.
func (r *Resampled) RenderTile(ctx context.Context, f layers.Fetcher, t layers.Tile, px int) (*image.RGBA, error) {
	tf, ok := f.(layers.TileFetcher)
	if !ok {
		return nil, errNoTileFetcher
	}
	b, ps := r.box(t, px)
	i, rng, ok := r.pick(b, ps)
	if !ok {
		return nil, nil
	}
	ms := r.src.MatrixSet
	mt := &ms.Matrices[i]
	tw, th := mt.TileWidth, mt.TileHeight
	cols, rows := rng.MaxCol-rng.MinCol+1, rng.MaxRow-rng.MinRow+1
	mosaic := image.NewRGBA(image.Rect(0, 0, cols*tw, rows*th))

	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	drawn := false
	for row := rng.MinRow; row <= rng.MaxRow; row++ {
		for col := rng.MinCol; col <= rng.MaxCol; col++ {
			req, ok := r.request(i, col, row)
			if !ok {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				img, err := tf.GetTile(ctx, req)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				if img != nil {
					drawn = true
					place(mosaic, img, (col-rng.MinCol)*tw, (row-rng.MinRow)*th, tw, th)
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !drawn {
		return nil, nil
	}
	// Mosaic pixel coordinates of the destination pixel centres: x depends
	// on the column only, y on the row only (also for lon/lat).
	sps := ms.PixelSize(i)
	ox := mt.TopLeftX + float64(rng.MinCol*tw)*sps
	oy := mt.TopLeftY - float64(rng.MinRow*th)*sps
	n := math.Exp2(float64(t.Z))
	span := 2 * layers.MercatorExtent / n
	x0 := -layers.MercatorExtent + float64(t.X)*span
	y1 := layers.MercatorExtent - float64(t.Y)*span
	us := make([]float64, px)
	vs := make([]float64, px)
	for k := range px {
		mx := x0 + (float64(k)+0.5)*span/float64(px)
		my := y1 - (float64(k)+0.5)*span/float64(px)
		if r.geo {
			mx, _ = layers.MercatorToLonLat(mx, 0)
			_, my = layers.MercatorToLonLat(0, my)
		}
		us[k] = (mx-ox)/sps - 0.5
		vs[k] = (oy-my)/sps - 0.5
	}
	return bilinear(mosaic, us, vs), nil
}

// place draws a fetched tile into its w x h cell of the mosaic at (x, y),
// scaled (nearest pixel) when the server sent another size.
func place(dst, src *image.RGBA, x, y, w, h int) {
	sb := src.Bounds()
	if sb.Dx() == w && sb.Dy() == h {
		for j := range h {
			copy(dst.Pix[dst.PixOffset(x, y+j):][:4*w], src.Pix[src.PixOffset(sb.Min.X, sb.Min.Y+j):][:4*w])
		}
		return
	}
	if sb.Dx() == 0 || sb.Dy() == 0 {
		return
	}
	for j := range h {
		sy := sb.Min.Y + j*sb.Dy()/h
		d := dst.Pix[dst.PixOffset(x, y+j):][:4*w]
		for i := range w {
			sx := sb.Min.X + i*sb.Dx()/w
			copy(d[4*i:4*i+4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
}

// bilinear samples src (premultiplied) at (us[i], vs[j]) for each pixel
// (i, j) of a len(us) x len(vs) image, pixel centres at integers; a sample
// outside src is transparent, one within half a pixel of its edge takes
// the edge.
func bilinear(src *image.RGBA, us, vs []float64) *image.RGBA {
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, len(us), len(vs)))
	type axis struct {
		i0, i1 int
		f      uint32 // weight of i1, 0..256
		in     bool
	}
	split := func(c float64, n int) axis {
		if c < -0.5 || c >= float64(n)-0.5 || math.IsNaN(c) {
			return axis{}
		}
		f0 := math.Floor(c)
		a := axis{i0: int(f0), i1: int(f0) + 1, f: uint32(math.Round((c - f0) * 256)), in: true}
		a.i0, a.i1 = max(0, min(a.i0, n-1)), max(0, min(a.i1, n-1))
		return a
	}
	xs := make([]axis, len(us))
	for i, u := range us {
		xs[i] = split(u, w)
	}
	for j, v := range vs {
		ya := split(v, h)
		if !ya.in {
			continue
		}
		r0 := src.Pix[ya.i0*src.Stride:]
		r1 := src.Pix[ya.i1*src.Stride:]
		d := dst.Pix[j*dst.Stride:]
		fy := ya.f
		for i, xa := range xs {
			if !xa.in {
				continue
			}
			fx := xa.f
			a, b := 4*xa.i0, 4*xa.i1
			for c := range 4 {
				top := uint32(r0[a+c])*(256-fx) + uint32(r0[b+c])*fx
				bot := uint32(r1[a+c])*(256-fx) + uint32(r1[b+c])*fx
				d[4*i+c] = uint8((top*(256-fy) + bot*fy + 1<<15) >> 16)
			}
		}
	}
	return dst
}

// first returns the URL of some tile the layer has: the first tile of its
// coarsest level within the limits.
func (r *Resampled) first() (string, bool) {
	i := r.levels[0]
	rng, ok := r.src.TileRange(i, r.src.MatrixSet.MatrixBounds(i))
	if !ok {
		return "", false
	}
	u, err := r.src.URL(r.src.MatrixSet.Matrices[i].Identifier, rng.MinRow, rng.MinCol)
	return u, err == nil
}

// probeTile returns the URL of a source tile holding lon/lat (or the box
// centre when lon/lat is outside it) at a middle zoom of the layer.
func (r *Resampled) probeTile(box *wmts.BBox, lon, lat float64) (string, bool) {
	if box != nil && box.MinX <= box.MaxX && box.MinY <= box.MaxY &&
		(lon < box.MinX || lon > box.MaxX || lat < box.MinY || lat > box.MaxY) {
		lon, lat = (box.MinX+box.MaxX)/2, (box.MinY+box.MaxY)/2
	}
	lat = max(min(lat, 85), -85)
	mid := r.levels[len(r.levels)/2]
	x, y := lon, lat
	if !r.geo {
		x, y = layers.LonLatToMercator(lon, lat)
	}
	if rng, ok := r.src.TileRange(mid, wmts.BBox{MinX: x, MinY: y, MaxX: x, MaxY: y}); ok {
		if req, ok := r.request(mid, rng.MinCol, rng.MinRow); ok {
			return req.URL, true
		}
	}
	return r.first()
}

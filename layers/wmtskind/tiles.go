package wmtskind

import (
	"fmt"
	"image"
	"sort"
	"strings"

	"mapvault/layers"
	"mapvault/layers/wmts"
	"mapvault/project"
)

// Tiles is a WMTS layer's tile source on a Web-Mercator-aligned set: the
// engine's tile z/x/y is the matrix of zoom z (whatever its identifier and
// position in the set), column x, row y. Deeper than the set's deepest
// level it is a part of that level's tile (over-zoom); above the set's
// first level, and outside the layer's TileMatrixSetLimits, there is
// nothing (ok false). A 404 is an empty tile.
type Tiles struct {
	src        *wmts.TileSource
	key        string
	zooms      map[int]string // Web Mercator zoom -> matrix identifier the layer has tiles in
	minZ, maxZ int
}

// layerSource checks the layer's fields against the capabilities and
// returns the layer, its matrix set's identifier and its tile source:
// f.Style "" is the default style, f.MatrixSet "" PickMatrixSet's choice,
// f.Format "" PickFormat's, f.Dimensions the dimension values.
func layerSource(caps *wmts.Capabilities, f project.WMTS) (*wmts.Layer, string, *wmts.TileSource, error) {
	l := caps.Layer(f.Layer)
	if l == nil {
		return nil, "", nil, fmt.Errorf("wmts: the service no longer offers layer %q", f.Layer)
	}
	set := f.MatrixSet
	if set == "" {
		set = PickMatrixSet(caps, l)
	}
	format := f.Format
	if format == "" {
		format = PickFormat(layerFormats(l))
	}
	src, err := caps.Source(l.Identifier, f.Style, set, format, f.Dimensions)
	if err != nil {
		return nil, "", nil, err
	}
	return l, set, src, nil
}

// NewTiles checks the layer's fields against the capabilities and returns
// its tile source: f.Style "" is the default style, f.MatrixSet ""
// PickMatrixSet's choice, f.Format "" PickFormat's, f.Dimensions the
// dimension values (the others their defaults). A set that is not
// Web-Mercator aligned is a *NotWebMercatorError (NewResampled may draw
// it).
func NewTiles(caps *wmts.Capabilities, f project.WMTS) (*Tiles, error) {
	l, set, src, err := layerSource(caps, f)
	if err != nil {
		return nil, err
	}
	if !src.MatrixSet.IsWebMercator() {
		return nil, &NotWebMercatorError{MatrixSet: set, Layer: l.Identifier, CRS: src.MatrixSet.SupportedCRS}
	}
	t := &Tiles{src: src, zooms: map[int]string{}, minZ: -1, maxZ: -1}
	link := l.Link(set)
	for i, m := range src.MatrixSet.Matrices {
		if !link.HasMatrix(m.Identifier) {
			continue
		}
		z, _ := src.MatrixSet.WebMercatorZoom(i)
		t.zooms[z] = m.Identifier
		if t.minZ < 0 || z < t.minZ {
			t.minZ = z
		}
		t.maxZ = max(t.maxZ, z)
	}
	if len(t.zooms) == 0 {
		return nil, fmt.Errorf("wmts: layer %q has no tiles in matrix set %q", l.Identifier, set)
	}
	zs := make([]int, 0, len(t.zooms))
	for z := range t.zooms {
		zs = append(zs, z)
	}
	sort.Ints(zs)
	first, _ := src.URL(t.zooms[zs[0]], 0, 0)
	if first == "" {
		first = caps.BaseURL
	}
	t.key = fmt.Sprintf("wmts %s %s %s %s %s %v%s", first, l.Identifier, src.Style, set, src.Format, zs, dimsKey(src.Dims))
	return t, nil
}

// dimsKey writes the dimension values a source sends, sorted by name, for
// a Key: tiles of other values are other tiles.
func dimsKey(dims map[string]string) string {
	names := make([]string, 0, len(dims))
	for k := range dims {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, " %q=%q", k, dims[k])
	}
	return b.String()
}

// Key names the layer, style, set, format and levels; it holds the URL of
// a tile (redacted by nobody: it has no secret, the credential is the
// transport's).
func (t *Tiles) Key() string { return t.key }

// Zooms returns the first and last Web Mercator zoom the layer has tiles at.
func (t *Tiles) Zooms() (minZ, maxZ int) { return t.minZ, t.maxZ }

// Tile returns the GetTile request of the engine's tile et.
func (t *Tiles) Tile(et layers.Tile, _ int) (layers.TileRequest, bool) {
	d := 0
	if et.Z > t.maxZ {
		d = et.Z - t.maxZ
	}
	k := et.Z - d
	id, ok := t.zooms[k]
	if !ok {
		return layers.TileRequest{}, false
	}
	p := et.Parent(d)
	u, err := t.src.URL(id, p.Y, p.X)
	if err != nil {
		return layers.TileRequest{}, false // outside the matrix or the layer's limits
	}
	const size = wmts.WebMercatorTile
	r := layers.TileRequest{URL: u, Width: size, Height: size, MaxSide: 2 * size, NotFoundEmpty: true}
	if d > 0 {
		ox, oy := et.X-p.X<<d, et.Y-p.Y<<d
		x0, y0 := ox*size>>d, oy*size>>d
		x1, y1 := max((ox+1)*size>>d, x0+1), max((oy+1)*size>>d, y0+1)
		r.Part = image.Rect(x0, y0, x1, y1)
	}
	return r, true
}

// first returns the URL of some tile the layer has (to check where tiles
// go): the first tile of the first level within the limits.
func (t *Tiles) first() (string, bool) {
	id := t.zooms[t.minZ]
	i := t.src.MatrixSet.Matrix(id)
	r, ok := t.src.TileRange(i, t.src.MatrixSet.MatrixBounds(i))
	if !ok {
		return "", false
	}
	u, err := t.src.URL(id, r.MinRow, r.MinCol)
	return u, err == nil
}

// probeTile returns a GetTile URL of a tile at the middle of the layer's
// levels holding lon/lat, or the layer's box centre when lon/lat is
// outside it.
func (t *Tiles) probeTile(box *wmts.BBox, lon, lat float64) (string, bool) {
	if box != nil && box.MinX <= box.MaxX && box.MinY <= box.MaxY &&
		(lon < box.MinX || lon > box.MaxX || lat < box.MinY || lat > box.MaxY) {
		lon, lat = (box.MinX+box.MaxX)/2, (box.MinY+box.MaxY)/2
	}
	lat = max(min(lat, 85), -85)
	for z := (t.minZ + t.maxZ) / 2; z >= t.minZ; z-- {
		if _, ok := t.zooms[z]; !ok {
			continue
		}
		if r, ok := t.Tile(layers.TileAt(lon, lat, z), 0); ok {
			return r.URL, true
		}
	}
	return t.first()
}

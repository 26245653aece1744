package wmts

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// wmSet returns a Web Mercator set with the given zooms, corner, tile size
// and scale factor (1 = GoogleMapsCompatible).
func wmSet(crs string, zooms []int, originX, originY float64, tile int, scale float64) *TileMatrixSet {
	s := &TileMatrixSet{Identifier: "s", SupportedCRS: crs, MetersPerUnit: 1}
	for _, z := range zooms {
		n := 1 << z
		s.Matrices = append(s.Matrices, TileMatrix{Identifier: itoa(z), ScaleDenominator: WebMercatorScale0 / float64(n) * scale,
			TopLeftX: originX, TopLeftY: originY, TileWidth: tile, TileHeight: tile, MatrixWidth: n, MatrixHeight: n})
	}
	return s
}

func TestPixelSize(t *testing.T) {
	google := wmSet("EPSG:3857", []int{0, 1, 18}, -WebMercatorOrigin, WebMercatorOrigin, 256, 1)
	tests := []struct {
		name string
		s    *TileMatrixSet
		i    int
		want float64
	}{
		{"GoogleMapsCompatible z0", google, 0, 2 * WebMercatorOrigin / 256},
		{"GoogleMapsCompatible z1", google, 1, WebMercatorOrigin / 256},
		{"GoogleMapsCompatible z18", google, 2, 2 * WebMercatorOrigin / 256 / (1 << 18)},
		{"GoogleCRS84Quad z0 in degrees", &TileMatrixSet{SupportedCRS: "urn:ogc:def:crs:OGC:1.3:CRS84", MetersPerUnit: DegreeMeters,
			Matrices: []TileMatrix{{ScaleDenominator: 559082264.0287178, TileWidth: 256, TileHeight: 256}}}, 0, 1.40625},
		{"MetersPerUnit unset: from the CRS", &TileMatrixSet{SupportedCRS: "EPSG:4326",
			Matrices: []TileMatrix{{ScaleDenominator: 279541132.0143589, TileWidth: 256, TileHeight: 256}}}, 0, 0.703125},
		{"Dutch grid level 0", &TileMatrixSet{SupportedCRS: "EPSG:28992", MetersPerUnit: 1,
			Matrices: []TileMatrix{{ScaleDenominator: 12288000, TileWidth: 256, TileHeight: 256}}}, 0, 3440.64},
	}
	for _, tt := range tests {
		if got := tt.s.PixelSize(tt.i); !near(got, tt.want, tt.want*1e-12) {
			t.Errorf("%s: PixelSize = %v, want %v", tt.name, got, tt.want)
		}
	}
	w, h := google.TileSpan(0)
	if !near(w, 2*WebMercatorOrigin, 1e-6) || w != h {
		t.Errorf("TileSpan(z0) = %v, %v, want the world", w, h)
	}
}

func TestBestMatrix(t *testing.T) {
	s := wmSet("EPSG:3857", []int{3, 0, 1, 2}, -WebMercatorOrigin, WebMercatorOrigin, 256, 1) // out of order on purpose
	z0 := s.PixelSize(1)
	tests := []struct {
		pixel float64
		want  int // index
	}{
		{z0, 1},
		{z0 * 4, 1},          // coarser than the coarsest
		{z0 / 100, 0},        // finer than the finest: z3
		{z0 / 2, 2},          // exactly z1
		{z0 / math.Sqrt2, 2}, // the midpoint between z0 and z1: the finer
		{z0 / 1.4, 1},        // nearer z0
		{z0 / 1.5, 2},        // nearer z1
		{z0 / 8 * 1.0001, 0}, // z3 with float noise
		{0, -1}, {-1, -1}, {math.NaN(), -1}, {math.Inf(1), -1},
	}
	for _, tt := range tests {
		if got := s.BestMatrix(tt.pixel); got != tt.want {
			t.Errorf("BestMatrix(%v) = %d, want %d", tt.pixel, got, tt.want)
		}
	}
	if got := (&TileMatrixSet{SupportedCRS: "EPSG:3857"}).BestMatrix(1); got != -1 {
		t.Errorf("BestMatrix of an empty set = %d, want -1", got)
	}
}

func TestWebMercator(t *testing.T) {
	o := WebMercatorOrigin
	tests := []struct {
		name  string
		s     *TileMatrixSet
		want  bool
		zooms []int // per matrix, -1 for not a level
	}{
		{"GoogleMapsCompatible", wmSet("urn:ogc:def:crs:EPSG::3857", []int{0, 1, 2, 20}, -o, o, 256, 1), true, []int{0, 1, 2, 20}},
		{"EPSG:900913 alias, rounded corner", wmSet("EPSG:900913", []int{0, 1}, -20037508.34, 20037508.34, 256, 1), true, []int{0, 1}},
		{"GeoServer's scale noise", wmSet("EPSG:3857", []int{0, 5}, -o, o, 256, 1-1.39e-10), true, []int{0, 5}},
		{"ESRI 102100, a subset of levels", wmSet("urn:ogc:def:crs:EPSG::102100", []int{5, 6, 7, 8}, -o, o, 256, 1), true, []int{5, 6, 7, 8}},
		{"scale 0.005% off", wmSet("EPSG:3857", []int{3}, -o, o, 256, 1.00005), true, []int{3}},
		{"scale 1% off", wmSet("EPSG:3857", []int{3}, -o, o, 256, 1.01), false, []int{-1}},
		{"half way between levels", wmSet("EPSG:3857", []int{3}, -o, o, 256, math.Sqrt2), false, []int{-1}},
		{"512 px tiles", wmSet("EPSG:3857", []int{0, 1}, -o, o, 512, 1), false, []int{-1, -1}},
		{"512 px tiles at half scale (same extents)", wmSet("EPSG:3857", []int{0, 1}, -o, o, 512, 0.5), false, []int{-1, -1}},
		{"origin 2 m off", wmSet("EPSG:3857", []int{0}, -o+2, o, 256, 1), false, []int{-1}},
		{"national grid in EPSG:3857", wmSet("EPSG:3857", []int{6, 7}, 500000, 7000000, 256, 1), false, []int{-1, -1}},
		{"EPSG:4326", wmSet("EPSG:4326", []int{0}, -o, o, 256, 1), false, []int{-1}},
		{"EPSG:3395 world Mercator", wmSet("EPSG:3395", []int{0}, -o, o, 256, 1), false, []int{-1}},
		{"duplicate level", wmSet("EPSG:3857", []int{1, 1}, -o, o, 256, 1), false, []int{1, 1}},
		{"one odd level spoils the set", func() *TileMatrixSet {
			s := wmSet("EPSG:3857", []int{0, 1}, -o, o, 256, 1)
			s.Matrices[1].TileWidth = 512
			return s
		}(), false, []int{0, -1}},
		{"matrix larger than the world (ArcGIS)", func() *TileMatrixSet {
			s := wmSet("EPSG:3857", []int{0}, -o, o, 256, 1)
			s.Matrices[0].MatrixWidth, s.Matrices[0].MatrixHeight = 2, 2
			return s
		}(), true, []int{0}},
		{"zoom 31 is beyond", wmSet("EPSG:3857", []int{0}, -o, o, 256, 1.0/(1<<31)), false, []int{-1}},
		{"empty", &TileMatrixSet{SupportedCRS: "EPSG:3857"}, false, nil},
	}
	for _, tt := range tests {
		if got := tt.s.IsWebMercator(); got != tt.want {
			t.Errorf("%s: IsWebMercator = %v, want %v", tt.name, got, tt.want)
		}
		for i, wz := range tt.zooms {
			z, ok := tt.s.WebMercatorZoom(i)
			if (wz >= 0) != ok || (ok && z != wz) {
				t.Errorf("%s: WebMercatorZoom(%d) = %d, %v, want %d", tt.name, i, z, ok, wz)
			}
		}
	}
	s := wmSet("EPSG:3857", []int{5, 6, 7}, -o, o, 256, 1)
	if got := s.MatrixForZoom(6); got != 1 {
		t.Errorf("MatrixForZoom(6) = %d, want 1", got)
	}
	if got := s.MatrixForZoom(4); got != -1 {
		t.Errorf("MatrixForZoom(4) = %d, want -1", got)
	}
}

func TestTileBounds(t *testing.T) {
	o := WebMercatorOrigin
	google := wmSet("EPSG:3857", []int{0, 1}, -o, o, 256, 1)
	wgs := &TileMatrixSet{SupportedCRS: "urn:ogc:def:crs:EPSG::4326", MetersPerUnit: DegreeMeters, Matrices: []TileMatrix{
		{Identifier: "0", ScaleDenominator: 279541132.0143589, TopLeftX: -180, TopLeftY: 90, TileWidth: 256, TileHeight: 256, MatrixWidth: 2, MatrixHeight: 1}}}
	rd := &TileMatrixSet{SupportedCRS: "EPSG:28992", MetersPerUnit: 1, Matrices: []TileMatrix{
		{Identifier: "00", ScaleDenominator: 12288000, TopLeftX: -285401.92, TopLeftY: 903401.92, TileWidth: 256, TileHeight: 256, MatrixWidth: 1, MatrixHeight: 1},
		{Identifier: "01", ScaleDenominator: 6144000, TopLeftX: -285401.92, TopLeftY: 903401.92, TileWidth: 256, TileHeight: 256, MatrixWidth: 2, MatrixHeight: 2}}}
	tests := []struct {
		name        string
		s           *TileMatrixSet
		i, col, row int
		want        [4]float64
	}{
		{"google z0", google, 0, 0, 0, [4]float64{-o, -o, o, o}},
		{"google z1 north-east", google, 1, 1, 0, [4]float64{0, 0, o, o}},
		{"google z1 south-west", google, 1, 0, 1, [4]float64{-o, -o, 0, 0}},
		{"EPSG:4326 east half", wgs, 0, 1, 0, [4]float64{0, -90, 180, 90}},
		{"RD level 0", rd, 0, 0, 0, [4]float64{-285401.92, 22598.08, 595401.92, 903401.92}},
		{"RD level 1 south-east", rd, 1, 1, 1, [4]float64{155000, 22598.08, 595401.92, 463000}},
	}
	for _, tt := range tests {
		b := tt.s.TileBounds(tt.i, tt.col, tt.row)
		got := [4]float64{b.MinX, b.MinY, b.MaxX, b.MaxY}
		for k := range got {
			if !near(got[k], tt.want[k], 1e-6) {
				t.Errorf("%s: TileBounds = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
		if b.CRS != tt.s.SupportedCRS {
			t.Errorf("%s: CRS %q", tt.name, b.CRS)
		}
	}
	mb := rd.MatrixBounds(1)
	if !near(mb.MinX, -285401.92, 1e-6) || !near(mb.MaxY, 903401.92, 1e-6) || !near(mb.MaxX, 595401.92, 1e-6) || !near(mb.MinY, 22598.08, 1e-6) {
		t.Errorf("MatrixBounds(1) = %+v", mb)
	}
}

func TestTileRange(t *testing.T) {
	o := WebMercatorOrigin
	google := wmSet("EPSG:3857", []int{0, 1, 2}, -o, o, 256, 1)
	rd := &TileMatrixSet{SupportedCRS: "EPSG:28992", MetersPerUnit: 1, Matrices: []TileMatrix{
		{Identifier: "03", ScaleDenominator: 1536000, TopLeftX: -285401.92, TopLeftY: 903401.92, TileWidth: 256, TileHeight: 256, MatrixWidth: 8, MatrixHeight: 8}}}
	box := func(a, b, c, d float64) BBox { return BBox{MinX: a, MinY: b, MaxX: c, MaxY: d} }
	q := o / 2 // a quarter of the world's width at z2 is one tile
	tests := []struct {
		name string
		s    *TileMatrixSet
		i    int
		b    BBox
		lim  *TileMatrixLimits
		want TileRange
		ok   bool
	}{
		{"world at z1", google, 1, box(-o, -o, o, o), nil, TileRange{0, 1, 0, 1}, true},
		{"larger than the world, clipped", google, 2, box(-3*o, -3*o, 3*o, 3*o), nil, TileRange{0, 3, 0, 3}, true},
		{"inside one tile", google, 2, box(1, 1, 2, 2), nil, TileRange{2, 2, 1, 1}, true},
		{"edges on tile borders are not a tile more", google, 2, box(-q, -q, q, q), nil, TileRange{1, 2, 1, 2}, true},
		{"touching a border from outside", google, 2, box(q, q, q+1, q+1), nil, TileRange{3, 3, 0, 0}, true},
		{"a point", google, 2, box(10, 10, 10, 10), nil, TileRange{2, 2, 1, 1}, true},
		{"a point on a corner", google, 2, box(0, 0, 0, 0), nil, TileRange{2, 2, 2, 2}, true},
		{"north-west quarter", google, 1, box(-o, 0, -1, o), nil, TileRange{0, 0, 0, 0}, true},
		{"outside the world", google, 1, box(3*o, 0, 4*o, 1), nil, TileRange{}, false},
		{"with limits", google, 2, box(-o, -o, o, o), &TileMatrixLimits{MinRow: 1, MaxRow: 2, MinCol: 0, MaxCol: 1}, TileRange{0, 1, 1, 2}, true},
		{"outside the limits", google, 2, box(q+1, q+1, o, o), &TileMatrixLimits{MinRow: 1, MaxRow: 2, MinCol: 0, MaxCol: 1}, TileRange{}, false},
		{"inverted box", google, 1, box(1, 1, 0, 0), nil, TileRange{}, false},
		{"NaN", google, 1, box(math.NaN(), 0, 1, 1), nil, TileRange{}, false},
		{"infinite", google, 1, box(math.Inf(-1), 0, 1, 1), nil, TileRange{}, false},
		{"huge finite values are clamped", google, 2, box(-1e300, -1e300, 1e300, 1e300), nil, TileRange{0, 3, 0, 3}, true},
		// Amsterdam (RD 121000 487000) at level 3 (tile 110100.48 m).
		{"Amsterdam in the Dutch grid", rd, 0, box(120000, 486000, 122000, 488000), nil, TileRange{3, 3, 3, 3}, true},
	}
	for _, tt := range tests {
		got, ok := tt.s.TileRange(tt.i, tt.b, tt.lim)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: TileRange = %+v, %v, want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	if n := (TileRange{0, 3, 0, 3}).Count(); n != 16 {
		t.Errorf("Count = %d, want 16", n)
	}
	if n := (TileRange{1, 0, 0, 0}).Count(); n != 0 {
		t.Errorf("Count of an empty range = %d", n)
	}
	if n := (TileRange{0, 1<<30 - 1, 0, 1<<30 - 1}).Count(); n != 1<<60 {
		t.Errorf("Count of zoom 30 = %d", n)
	}
}

// TestTileRangeRoundTrip: the box of a tile, shrunk a little, covers that
// tile only, in every kind of set.
func TestTileRangeRoundTrip(t *testing.T) {
	sets := []*TileMatrixSet{
		wmSet("EPSG:3857", []int{0, 3, 7, 18}, -WebMercatorOrigin, WebMercatorOrigin, 256, 1),
		{SupportedCRS: "EPSG:4326", MetersPerUnit: DegreeMeters, Matrices: []TileMatrix{
			{ScaleDenominator: 279541132.0143589 / 8, TopLeftX: -180, TopLeftY: 90, TileWidth: 256, TileHeight: 256, MatrixWidth: 16, MatrixHeight: 8}}},
		{SupportedCRS: "EPSG:28992", MetersPerUnit: 1, Matrices: []TileMatrix{
			{ScaleDenominator: 12288000.0 / 64, TopLeftX: -285401.92, TopLeftY: 903401.92, TileWidth: 256, TileHeight: 256, MatrixWidth: 64, MatrixHeight: 64}}},
		{SupportedCRS: "EPSG:3857", MetersPerUnit: 1, Matrices: []TileMatrix{
			{ScaleDenominator: 3000, TopLeftX: 600000, TopLeftY: 7000000, TileWidth: 512, TileHeight: 384, MatrixWidth: 1000, MatrixHeight: 1000}}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range sets {
		for i, m := range s.Matrices {
			for k := 0; k < 200; k++ {
				col, row := r.IntN(m.MatrixWidth), r.IntN(m.MatrixHeight)
				b := s.TileBounds(i, col, row)
				w, h := s.TileSpan(i)
				b.MinX, b.MaxX = b.MinX+w*1e-6, b.MaxX-w*1e-6
				b.MinY, b.MaxY = b.MinY+h*1e-6, b.MaxY-h*1e-6
				got, ok := s.TileRange(i, b, nil)
				if want := (TileRange{col, col, row, row}); !ok || got != want {
					t.Fatalf("%s matrix %d: TileRange(TileBounds(%d, %d)) = %+v, %v, want %+v", s.SupportedCRS, i, col, row, got, ok, want)
				}
			}
		}
	}
}

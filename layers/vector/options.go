package vector

// Default limits of Options. Each is large enough for a real layer view and
// small enough that a hostile or runaway answer is refused before it
// exhausts memory.
const (
	// DefaultMaxBytes bounds one document: 64 MiB.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxFeatures bounds the features of one document.
	DefaultMaxFeatures = 100_000
	// DefaultMaxCoordinates bounds the positions (x, y pairs) of one
	// document: 5 million, about 80 MB of float64 once parsed.
	DefaultMaxCoordinates = 5_000_000
	// DefaultMaxDepth bounds JSON and XML nesting. Real documents nest
	// about ten deep (a MultiSurface in a WFS 2.0 member).
	DefaultMaxDepth = 64
	// DefaultMaxFeaturesPerView is how many features one view may show
	// before it degrades to "zoom in to see features": four times the
	// 5,000 polygons the renderer benchmark draws within one frame budget.
	DefaultMaxFeaturesPerView = 20_000
	// DefaultCacheBytes is the feature cache budget: 128 MiB.
	DefaultCacheBytes = 128 << 20
)

// Options bounds parsing, rendering and caching. The zero value means every
// default; a field <= 0 (or "") takes its default.
type Options struct {
	// MaxBytes bounds the bytes read from one document.
	MaxBytes int64
	// MaxFeatures bounds the features of one document.
	MaxFeatures int
	// MaxCoordinates bounds the positions of one document, counted over
	// all of its geometries.
	MaxCoordinates int
	// MaxDepth bounds the nesting of JSON values, GeometryCollections and
	// XML elements.
	MaxDepth int
	// MaxFeaturesPerView bounds the features one view may draw; more gives
	// a *ZoomInError and an empty frame.
	MaxFeaturesPerView int
	// CacheBytes is the byte budget of a Cache made with NewCache(opt).
	CacheBytes int64
	// DefaultCRS is the CRS of GML coordinates that carry no srsName
	// (neither on the geometry nor on an enclosing gml:boundedBy). The
	// default "EPSG:4326" reads them as longitude, latitude.
	DefaultCRS string
}

// withDefaults returns o with every unset field at its default.
func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = DefaultMaxFeatures
	}
	if o.MaxCoordinates <= 0 {
		o.MaxCoordinates = DefaultMaxCoordinates
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxFeaturesPerView <= 0 {
		o.MaxFeaturesPerView = DefaultMaxFeaturesPerView
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.DefaultCRS == "" {
		o.DefaultCRS = "EPSG:4326"
	}
	return o
}

// CheckView returns a *ZoomInError when a view would hold n features, more
// than MaxFeaturesPerView. Call it with a server's numberMatched before
// fetching every page, and with the running total while following next
// links, so a huge layer costs one page, not all of them.
func (o Options) CheckView(n int) error {
	o = o.withDefaults()
	if n > o.MaxFeaturesPerView {
		return &ZoomInError{Features: n, Max: o.MaxFeaturesPerView}
	}
	return nil
}

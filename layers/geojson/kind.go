package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"mapvault/layers"
	"mapvault/layers/decor"
	"mapvault/layers/internal/featuretile"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// Kind is the GeoJSON layer kind. It implements layers.Kind,
// layers.URLMatcher and layers.DocumentMatcher. Options bound parsing
// and drawing (zero: vector's defaults).
type Kind struct {
	Options vector.Options
}

var (
	_ layers.Kind            = Kind{}
	_ layers.URLMatcher      = Kind{}
	_ layers.DocumentMatcher = Kind{}
)

// Accept is the Accept header of a document request.
const Accept = "application/geo+json, application/json;q=0.9, */*;q=0.1"

// ErrNotGeoJSONSource: a layer source that is neither an http(s) URL nor a
// local path.
var ErrNotGeoJSONSource = errors.New("geojson: the source must be an http(s) URL or a local file")

// Name is "geojson".
func (Kind) Name() project.Kind { return project.KindGeoJSON }

// isLocal reports whether src is a local path (not a URL); an error for a
// URL of a scheme other than http(s).
func isLocal(src string) (bool, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return false, ErrNotGeoJSONSource
	}
	if i := strings.Index(src, "://"); i > 0 {
		scheme := strings.ToLower(src[:i])
		if scheme == "http" || scheme == "https" {
			return false, nil
		}
		if scheme == "file" {
			return true, nil
		}
		return false, ErrNotGeoJSONSource
	}
	return true, nil
}

// Source is the document URL's source (scheme, host, port and the
// document's path, no prefix: the credential goes to that document), or ""
// for a local file, which needs no credential.
func (Kind) Source(l project.Layer) (vault.Source, error) {
	local, err := isLocal(l.Source)
	if err != nil || local {
		return "", err
	}
	return vault.SourceOf(l.Source)
}

// Resolve returns the layer's FeatureSource; nothing is fetched or read
// until the engine draws a tile. The document is loaded once per session
// (per Catalog): layers drawing the same URL or file share it.
func (k Kind) Resolve(_ context.Context, env layers.Env, l project.Layer) (layers.LayerSpec, error) {
	local, err := isLocal(l.Source)
	if err != nil {
		return layers.LayerSpec{}, err
	}
	where := strings.TrimSpace(l.Source)
	if local {
		where = localPath(where)
	}
	doc := &document{}
	if env.Catalog != nil {
		src, _ := k.Source(l)
		shared, err := env.Catalog.Document(context.Background(), "geojson "+where, src,
			func(context.Context) (any, error) { return &document{}, nil })
		if err == nil {
			if d, ok := shared.(*document); ok {
				doc = d
			}
		}
	}
	st := featuretile.Style(l.Style)
	s := &Source{
		where: where, local: local, style: st, doc: doc, opt: k.Options,
		key: "geojson " + where + " " + featuretile.StyleKey(st),
	}
	s.drawer.Options = k.Options
	return layers.LayerSpec{Features: s}, nil
}

// localPath turns a resolved local source (a path or a file: URL) into a
// path.
func localPath(src string) string {
	if strings.HasPrefix(strings.ToLower(src), "file:") {
		return (&project.Project{}).Resolve(src)
	}
	return filepath.Clean(src)
}

// Probe is a GET of the document, which must answer JSON. A local file has
// nothing to probe.
func (k Kind) Probe(l project.Layer, _, _ float64) (vault.Target, error) {
	local, err := isLocal(l.Source)
	if err != nil {
		return vault.Target{}, err
	}
	if local {
		return vault.Target{}, errors.New("geojson: a local file needs no credential and has nothing to probe")
	}
	src, err := k.Source(l)
	if err != nil {
		return vault.Target{}, err
	}
	return vault.Target{URL: strings.TrimSpace(l.Source), Expect: vault.ExpectJSON, Source: src}, nil
}

// EntryTarget: the document itself is the data.
func (k Kind) EntryTarget(rawURL string) (vault.Target, bool, error) {
	t, err := k.Probe(project.Layer{Kind: project.KindGeoJSON, Source: rawURL}, 0, 0)
	return t, true, err
}

// Open returns the document as a one-layer service; nothing is fetched.
func (Kind) Open(_ context.Context, _ *http.Client, rawURL string) (layers.Service, error) {
	if _, err := isLocal(rawURL); err != nil {
		return nil, err
	}
	return service{source: strings.TrimSpace(rawURL)}, nil
}

// MatchURL: a path ending in .geojson is almost certainly GeoJSON (90); one
// ending in .json may be (40: other JSON services score higher).
func (Kind) MatchURL(rawURL string) int {
	p := rawURL
	if u, err := url.Parse(strings.TrimSpace(rawURL)); err == nil {
		p = u.Path
	}
	p = strings.ToLower(p)
	switch {
	case strings.HasSuffix(p, ".geojson"):
		return 90
	case strings.HasSuffix(p, ".json"):
		return 40
	}
	return 0
}

// MatchDocument recognises a GeoJSON FeatureCollection or Feature: its
// media type, or a JSON object whose "type" member says so.
func (Kind) MatchDocument(contentType string, body []byte) bool {
	if mt, _, _ := strings.Cut(strings.ToLower(contentType), ";"); strings.TrimSpace(mt) == "application/geo+json" {
		return true
	}
	return isFeatureDocument(body)
}

// isFeatureDocument reads the top-level members of a JSON object (a
// bounded prefix is enough: it stops at the "type" member).
func isFeatureDocument(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if key, _ := tok.(string); key == "type" {
			var typ string
			if dec.Decode(&typ) != nil {
				return false
			}
			return typ == "FeatureCollection" || typ == "Feature"
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// service is a document as a layers.Service: one layer, nothing to choose.
type service struct{ source string }

func (s service) Title() string { return title(s.source) }

func (s service) Offers() []layers.Offer { return []layers.Offer{{Title: title(s.source)}} }

func (s service) NeedsChoice() bool { return false }

func (s service) Layer(name string) (project.Layer, layers.Offer, bool) {
	if name != "" {
		return project.Layer{}, layers.Offer{}, false
	}
	t := title(s.source)
	return project.Layer{Name: t, Kind: project.KindGeoJSON, Source: s.source, Opacity: 1, Visible: true},
		layers.Offer{Title: t}, true
}

// title names a document by its file name without the extension:
// "countries" for ".../countries.geojson".
func title(src string) string {
	p := src
	if u, err := url.Parse(src); err == nil && u.Scheme != "" && u.Path != "" {
		p = u.Path
	}
	base := path.Base(filepath.ToSlash(p))
	if ext := path.Ext(base); ext != "" && len(ext) < len(base) {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || base == "." || base == "/" {
		return "GeoJSON"
	}
	return base
}

// document is one GeoJSON document prepared for drawing, loaded once.
type document struct {
	once featuretile.Once[*vector.Layer]
}

// Source draws one GeoJSON document; it implements layers.FeatureSource.
type Source struct {
	where  string // URL (clean: no secret) or local path
	local  bool
	style  vector.Style
	key    string
	opt    vector.Options
	doc    *document
	drawer featuretile.Drawer
}

// Key names the document and the style; never a secret (the URL is the
// layer's clean source).
func (s *Source) Key() string { return s.key }

// RenderTile draws the document's features in tile t; nil when none meets
// it. The document is fetched (or read) on the first tile.
func (s *Source) RenderTile(ctx context.Context, f layers.Fetcher, t layers.Tile, px int) (*image.RGBA, error) {
	l, err := s.doc.once.Get(ctx, func(ctx context.Context) (*vector.Layer, error) { return s.load(ctx, f) })
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.drawer.Draw(l, s.style, t, px)
}

// Queryable is true: a vector layer answers from its own features.
func (s *Source) Queryable() bool { return true }

// Identify returns the document's features under q's point.
func (s *Source) Identify(ctx context.Context, f layers.Fetcher, q layers.IdentifyQuery) ([]layers.IdentifiedFeature, error) {
	l, err := s.Layer(ctx, f)
	if err != nil {
		return nil, err
	}
	return featuretile.Identify(l, s.style, q), nil
}

// Legend is the style's legend.
func (s *Source) Legend(context.Context, layers.Fetcher, float64) ([]decor.LegendItem, error) {
	return featuretile.Legend(s.style, ""), nil
}

// Layer returns the loaded document (loading it through f); for tests and
// for fitting a view to the layer.
func (s *Source) Layer(ctx context.Context, f layers.Fetcher) (*vector.Layer, error) {
	return s.doc.once.Get(ctx, func(ctx context.Context) (*vector.Layer, error) { return s.load(ctx, f) })
}

func (s *Source) load(ctx context.Context, f layers.Fetcher) (*vector.Layer, error) {
	var r io.Reader
	if s.local {
		file, err := openBounded(s.where, s.maxBytes())
		if err != nil {
			return nil, err
		}
		defer file.Close()
		r = file
	} else {
		if f == nil {
			return nil, errors.New("geojson: no fetcher for a URL layer")
		}
		body, _, err := f.Get(ctx, s.where, Accept)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(body)
	}
	fc, err := vector.ParseGeoJSON(r, s.opt)
	if err != nil {
		return nil, err
	}
	return vector.NewLayer(fc.Features), nil
}

func (s *Source) maxBytes() int64 {
	if s.opt.MaxBytes > 0 {
		return s.opt.MaxBytes
	}
	return vector.DefaultMaxBytes
}

// FileTooLargeError: a local GeoJSON file larger than the bound.
type FileTooLargeError struct {
	Size, Max int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("geojson: the file is %d bytes, more than the %d allowed", e.Size, e.Max)
}

// Is makes a FileTooLargeError match vector.ErrLimit.
func (e *FileTooLargeError) Is(target error) bool { return target == vector.ErrLimit }

// openBounded opens a regular file of at most max bytes (the parser bounds
// what it reads too, for a file that grows meanwhile).
func openBounded(p string, max int64) (*os.File, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("not a regular file")}
	}
	if fi.Size() > max {
		f.Close()
		return nil, &FileTooLargeError{Size: fi.Size(), Max: max}
	}
	return f, nil
}

package layers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/project"
	"mapvault/vault"
)

// Kind is one kind of layer the engine can draw (WMS, XYZ, ...): everything
// about the kind that the Catalog, the Engine, detection and the front ends
// need, so that none of them switches on the kind. Each kind lives in its
// own package (layers/wms, layers/xyz) and is listed once in a Registry
// (layers/kinds.Default). Auth is not a kind's business: every kind's
// requests go through the authenticating client, credentials, blocking,
// lockout and hygiene come from package vault.
//
// Methods may be called concurrently. Errors never contain a secret; URLs
// in them are redacted.
type Kind interface {
	// Name is the kind's name in the project format ("wms", "xyz").
	Name() project.Kind

	// Source returns the credential source of a layer of this kind:
	// the key of the KeyVault, the session store and the keychain, and
	// what the transport attaches a credential for. l.Source is already
	// resolved against the project folder. A kind whose requests span
	// many paths returns a path prefix ending in "/" (vault.Source.Covers).
	// A layer that needs no credential because it makes no request (a
	// local file) returns "" and no error; one whose source should be an
	// http(s) URL and is not is an error.
	Source(l project.Layer) (vault.Source, error)

	// Resolve turns a project layer into the engine's spec: it sets
	// spec.Tiles (a raster TileSource) or spec.Features (a vector
	// FeatureSource); ID, Source and Opacity are filled in by the Catalog.
	// It may read the service's description (capabilities) through
	// env.Catalog, which shares one fetch per document for the session.
	// Errors: the transport's (*vault.AuthError: the caller records the
	// refusal), *HTTPError, the kind's parse errors, or a layer the service
	// no longer offers.
	Resolve(ctx context.Context, env Env, l project.Layer) (LayerSpec, error)

	// Probe returns the small real request auth detection sends to decide
	// whether a credential works for l, around lon/lat: what it asks and
	// what a success looks like (Target.Expect). It is built from the
	// project layer alone, so that it works while the service's
	// description is still protected.
	Probe(l project.Layer, lon, lat float64) (vault.Target, error)

	// EntryTarget returns how to probe a URL the user gives to add layers
	// from: the request that reads it, and data true when that request
	// already fetches map data (a GetMap, an XYZ tile) so detection uses it
	// as is. When data is false it reads the service's description (WMS
	// GetCapabilities), used as the probe only if reading the description
	// anonymously (Open) fails as a protected service does.
	EntryTarget(rawURL string) (t vault.Target, data bool, err error)

	// Open reads what rawURL offers with client (the plain client for a
	// first, anonymous look; the authenticating one after unlocking), for
	// adding layers and listing them. A kind whose URL is the layer (XYZ)
	// answers without a request.
	Open(ctx context.Context, client *http.Client, rawURL string) (Service, error)
}

// Env is what a Kind's Resolve may use.
type Env struct {
	// Catalog reads service documents through the authenticating client,
	// once per document for the session (see Catalog.Document).
	Catalog *Catalog
	// Credentialed says the layer's source sends a credential in this
	// session (or its KeyVault entry says it needs one). The credential
	// goes only to URLs the source covers, so a kind that spreads requests
	// over several hosts ({s} subdomains) must keep them on the source's.
	Credentialed bool
}

// Service is what a URL offers: the layers to choose from.
type Service interface {
	// Title is the service's title, "" when it has none.
	Title() string
	// Offers lists the layers in document order, groups included (a
	// group that is not drawable itself has an empty Name).
	Offers() []Offer
	// NeedsChoice reports whether the user names the layers to add (a
	// WMS service's); false when the URL is one layer (an XYZ template).
	NeedsChoice() bool
	// Layer returns the project layer drawing the offer named name (""
	// for the first drawable one): Kind, Source and the kind's fields set,
	// Name its title, Opacity 1, Visible. ok is false when there is no
	// such offer.
	Layer(name string) (l project.Layer, offer Offer, ok bool)
}

// Offer is one layer a Service offers.
type Offer struct {
	Name  string // what to pass to Service.Layer; "" for a group
	Title string // human title
	// Abstract is the server's description of the offer ("" when it has
	// none), server text to scrub before showing.
	Abstract string
	Depth    int          // nesting depth, 0 at the top
	Box      *geom.Bounds // lon/lat extent (x = lon), nil when unknown
}

// URLMatcher is implemented by kinds recognisable from a URL alone.
type URLMatcher interface {
	// MatchURL scores how surely rawURL (as the user gave it, maybe a
	// template) is of this kind: 0 not at all, 100 certain (an XYZ
	// template's {z}/{x}/{y}), in between for hints (a path with "wms").
	MatchURL(rawURL string) int
}

// DocumentMatcher is implemented by kinds recognisable from the document
// their URL answers (a capabilities document, a GeoJSON file).
type DocumentMatcher interface {
	// MatchDocument reports whether body (a bounded prefix of the answer)
	// with its Content-Type is this kind's.
	MatchDocument(contentType string, body []byte) bool
}

// Registry lists the kinds a session can draw. It is built once (see
// layers/kinds.Default) and read concurrently; it holds no other state.
type Registry struct {
	kinds  []Kind
	byName map[project.Kind]Kind
}

// NewRegistry returns the registry of kinds, in the order given (the order
// detection asks them in when they score alike). A name given twice is a
// programming error and panics.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{byName: map[project.Kind]Kind{}}
	for _, k := range kinds {
		if _, dup := r.byName[k.Name()]; dup {
			panic(fmt.Sprintf("layers: kind %q registered twice", k.Name()))
		}
		r.byName[k.Name()] = k
		r.kinds = append(r.kinds, k)
	}
	return r
}

// Kinds returns the registered kinds in order.
func (r *Registry) Kinds() []Kind { return append([]Kind(nil), r.kinds...) }

// UnsupportedKindError: no registered kind has the name. Known tells a
// kind the project format knows (drawn by a later mapvault, "not supported
// yet") from one it does not know at all.
type UnsupportedKindError struct {
	Kind  project.Kind
	Known bool
	Have  []project.Kind // the registered kinds
}

func (e *UnsupportedKindError) Error() string {
	if e.Known {
		return fmt.Sprintf("kind %s is not supported yet", e.Kind)
	}
	have := make([]string, len(e.Have))
	for i, k := range e.Have {
		have[i] = string(k)
	}
	return fmt.Sprintf("unknown kind %q (supported: %s)", string(e.Kind), strings.Join(have, ", "))
}

// Lookup returns the kind named k ("" is the project format's default,
// wms), or an *UnsupportedKindError.
func (r *Registry) Lookup(k project.Kind) (Kind, error) {
	if k == "" {
		k = project.KindWMS
	}
	if kind, ok := r.byName[k]; ok {
		return kind, nil
	}
	have := make([]project.Kind, len(r.kinds))
	for i, kd := range r.kinds {
		have[i] = kd.Name()
	}
	return nil, &UnsupportedKindError{Kind: k, Known: k.Known(), Have: have}
}

// Source returns a project layer's credential source through its kind.
// l.Source must be resolved against the project folder.
func (r *Registry) Source(l project.Layer) (vault.Source, error) {
	k, err := r.Lookup(l.Kind)
	if err != nil {
		return "", err
	}
	return k.Source(l)
}

// ProbeTarget returns the detection request for a project layer around
// lon/lat through its kind (see Kind.Probe).
func (r *Registry) ProbeTarget(l project.Layer, lon, lat float64) (vault.Target, error) {
	k, err := r.Lookup(l.Kind)
	if err != nil {
		return vault.Target{}, err
	}
	return k.Probe(l, lon, lat)
}

// DetectURL returns the kind that recognises rawURL most surely from the
// URL alone; ok is false when none does.
func (r *Registry) DetectURL(rawURL string) (k Kind, ok bool) {
	best := 0
	for _, kind := range r.kinds {
		m, isMatcher := kind.(URLMatcher)
		if !isMatcher {
			continue
		}
		if s := m.MatchURL(rawURL); s > best {
			best, k = s, kind
		}
	}
	return k, best > 0
}

// DetectDocument returns the first kind that recognises a document.
func (r *Registry) DetectDocument(contentType string, body []byte) (Kind, bool) {
	for _, kind := range r.kinds {
		if m, ok := kind.(DocumentMatcher); ok && m.MatchDocument(contentType, body) {
			return kind, true
		}
	}
	return nil, false
}

// maxDetectBody is how much of an answer DetectDocument sees.
const maxDetectBody = 256 << 10

// ErrUndetected: neither the URL nor its answer says which kind it is.
var ErrUndetected = errors.New("layers: cannot tell the kind of layer from the URL or its answer")

// Detect finds the kind of a URL the user gives (clean: no secret): from
// the URL alone when a kind recognises it (no request); else from the
// document a GET of it with client answers (one anonymous request; the
// first maxDetectBody bytes); else the project format's default kind, wms
// (a bare service URL has always meant WMS), when it is registered, or
// ErrUndetected.
func (r *Registry) Detect(ctx context.Context, client *http.Client, clean string) (Kind, error) {
	if k, ok := r.DetectURL(clean); ok {
		return k, nil
	}
	if r.hasDocumentMatcher() && client != nil {
		if k, ok := r.detectByAnswer(ctx, client, clean); ok {
			return k, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if k, err := r.Lookup(project.KindWMS); err == nil {
		return k, nil
	}
	return nil, ErrUndetected
}

func (r *Registry) hasDocumentMatcher() bool {
	for _, k := range r.kinds {
		if _, ok := k.(DocumentMatcher); ok {
			return true
		}
	}
	return false
}

func (r *Registry) detectByAnswer(ctx context.Context, client *http.Client, clean string) (Kind, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clean, nil)
	if err != nil {
		return nil, false
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", "mapvault")
	resp, err := client.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, false
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxDetectBody))
	return r.DetectDocument(resp.Header.Get("Content-Type"), body)
}

// Names returns the registered kind names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, len(r.kinds))
	for i, k := range r.kinds {
		out[i] = string(k.Name())
	}
	sort.Strings(out)
	return out
}

// Reporter is implemented by services that describe themselves beyond
// their offers (the CLI's layers command prints it).
type Reporter interface {
	// Summary is the header of a listing: title, version, endpoints.
	Summary() []string
	// WriteReportJSON writes the service's full report as JSON, what the
	// server wrote scrubbed of secrets (vault.Scrub).
	WriteReportJSON(w io.Writer, secrets ...string) error
}

// OwnReporter is a Reporter of a service whose layers inherit values
// (WMS): its own report gives each layer only what it adds, so inherited
// values are given once, where they are stated.
type OwnReporter interface {
	WriteOwnReportJSON(w io.Writer, secrets ...string) error
}

// DocumentReader is implemented by kinds whose service description can be
// read from a file (a capabilities document on disk).
type DocumentReader interface {
	ReadDocument(r io.Reader) (Service, error)
}

// DocumentOpener is implemented by kinds whose Open reads one document
// that auth detection may already have received (a WMS GetCapabilities
// at the URL EntryTarget names): OpenDocument makes the same Service from
// that body without asking the server again.
type DocumentOpener interface {
	OpenDocument(body []byte, rawURL string) (Service, error)
}

// Splitter is implemented by kinds whose URLs need more than
// vault.SplitURLKeeping to split a secret off (a template with {s} in its
// host, which is no URL until it is filled in).
type Splitter interface {
	SplitURL(raw string, keep []string) (vault.Split, error)
}

// SplitURL splits the secret off a URL the user gave for a layer of kind k
// (nil when the kind is not known yet): k's own split when it is a
// Splitter, else vault.SplitURLKeeping.
func SplitURL(k Kind, raw string, keep []string) (vault.Split, error) {
	if s, ok := k.(Splitter); ok {
		return s.SplitURL(raw, keep)
	}
	return vault.SplitURLKeeping(raw, keep)
}

// EntrySource is the credential source of a layer of kind k made from a
// URL the user gave (clean), with the kind's defaults for its fields.
func EntrySource(k Kind, clean string) (vault.Source, error) {
	return k.Source(project.Layer{Kind: k.Name(), Source: clean})
}

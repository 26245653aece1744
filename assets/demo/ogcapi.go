package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom/encoding/geojson"

	"mapvault/assets"
)

// FeaturesPath is the landing page of the demo OGC API - Features service,
// protected by HTTP Basic (BasicUser, BasicPassword).
const FeaturesPath = "/ogcapi"

// FeaturesCollection is the id of its one collection.
const FeaturesCollection = "countries"

// Items paging: the limit when none is asked and the largest one honoured.
const (
	defaultItemsLimit = 100
	maxItemsLimit     = 1000
)

const geoJSONType = "application/geo+json"

// itemFeature is one feature of the collection, encoded once.
type itemFeature struct {
	box bounds // lon/lat
	raw json.RawMessage
}

// loadItems reads countries.geojson into features with the attributes
// name and iso_n3 (the ISO 3166-1 numeric code, the file's feature id).
func loadItems() ([]itemFeature, bounds, error) {
	raw, err := assets.Data("countries.geojson")
	if err != nil {
		return nil, bounds{}, err
	}
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, bounds{}, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	all := emptyBounds()
	out := make([]itemFeature, 0, len(fc.Features))
	for i, f := range fc.Features {
		if f == nil || f.Geometry == nil {
			continue
		}
		name, _ := f.Properties["name"].(string)
		id := f.ID
		if id == "" || id == "-99" {
			id = fmt.Sprintf("f%d", i)
		}
		g := &geojson.Feature{
			ID:       id,
			Geometry: f.Geometry,
			Properties: map[string]any{
				"name":   name,
				"iso_n3": f.ID,
			},
		}
		b, err := json.Marshal(g)
		if err != nil {
			return nil, bounds{}, fmt.Errorf("%w: feature %d: %v", ErrBadData, i, err)
		}
		e := f.Geometry.Bounds()
		box := bounds{e.Min(0), e.Min(1), e.Max(0), e.Max(1)}
		all.union(box)
		out = append(out, itemFeature{box: box, raw: b})
	}
	if len(out) == 0 {
		return nil, bounds{}, fmt.Errorf("%w: no features", ErrBadData)
	}
	return out, all, nil
}

type apiLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// serveFeatures answers the OGC API - Features service under FeaturesPath.
func (h *handler) serveFeatures(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, authBasic) {
		return
	}
	base := "http://" + r.Host + FeaturesPath
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, FeaturesPath), "/")
	coll := base + "/collections/" + FeaturesCollection
	switch rest {
	case "":
		writeJSON(w, "application/json", map[string]any{
			"title":       "mapvault demo: OGC API - Features (HTTP Basic)",
			"description": "Demo OGC API - Features service protected by HTTP Basic authentication. Natural Earth 1:110m, public domain.",
			"links": []apiLink{
				{Href: base, Rel: "self", Type: "application/json"},
				{Href: base + "/conformance", Rel: "conformance", Type: "application/json"},
				{Href: base + "/collections", Rel: "data", Type: "application/json"},
			},
		})
	case "conformance":
		writeJSON(w, "application/json", map[string]any{"conformsTo": []string{
			"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
			"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		}})
	case "collections":
		writeJSON(w, "application/json", map[string]any{
			"links":       []apiLink{{Href: base + "/collections", Rel: "self", Type: "application/json"}},
			"collections": []any{h.collection(coll)},
		})
	case "collections/" + FeaturesCollection:
		writeJSON(w, "application/json", h.collection(coll))
	case "collections/" + FeaturesCollection + "/items":
		h.items(w, r, coll+"/items")
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) collection(href string) map[string]any {
	b := h.itemsBox
	return map[string]any{
		"id":          FeaturesCollection,
		"title":       "Countries",
		"description": "Countries with the attributes name and iso_n3 (ISO 3166-1 numeric).",
		"itemType":    "feature",
		"crs":         []string{"http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
		"extent": map[string]any{"spatial": map[string]any{
			"bbox": [][]float64{{b.minX, b.minY, b.maxX, b.maxY}},
			"crs":  "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
		}},
		"links": []apiLink{
			{Href: href, Rel: "self", Type: "application/json"},
			{Href: href + "/items", Rel: "items", Type: geoJSONType, Title: "Countries"},
		},
	}
}

// items answers /collections/countries/items?bbox=&limit=&offset=.
func (h *handler) items(w http.ResponseWriter, r *http.Request, self string) {
	q := r.URL.Query()
	limit := defaultItemsLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			http.Error(w, "400 bad request: limit must be a positive whole number", http.StatusBadRequest)
			return
		}
		limit = min(n, maxItemsLimit)
	}
	offset := 0
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			http.Error(w, "400 bad request: offset must be a whole number", http.StatusBadRequest)
			return
		}
		offset = n
	}
	box := bounds{-180, -90, 180, 90}
	if s := q.Get("bbox"); s != "" {
		b, ok := parseLonLatBox(s)
		if !ok {
			http.Error(w, "400 bad request: bbox must be minlon,minlat,maxlon,maxlat", http.StatusBadRequest)
			return
		}
		box = b
	}
	var matched []json.RawMessage
	for _, f := range h.features {
		if f.box.intersects(box) {
			matched = append(matched, f.raw)
		}
	}
	page := []json.RawMessage{}
	if offset < len(matched) {
		page = matched[offset:min(offset+limit, len(matched))]
	}
	pageURL := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "offset" && k != "limit" {
				v[k] = vs
			}
		}
		v.Set("limit", strconv.Itoa(limit))
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		return self + "?" + v.Encode()
	}
	links := []apiLink{{Href: pageURL(offset), Rel: "self", Type: geoJSONType}}
	if offset+len(page) < len(matched) {
		links = append(links, apiLink{Href: pageURL(offset + len(page)), Rel: "next", Type: geoJSONType, Title: "next page"})
	}
	writeJSON(w, geoJSONType, map[string]any{
		"type":           "FeatureCollection",
		"numberMatched":  len(matched),
		"numberReturned": len(page),
		"features":       page,
		"links":          links,
	})
}

// parseLonLatBox reads an OGC API bbox of four numbers (six with heights).
func parseLonLatBox(s string) (bounds, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return bounds{}, false
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bounds{}, false
		}
		v[i] = f
	}
	b := bounds{v[0], v[1], v[2], v[3]}
	if len(v) == 6 {
		b = bounds{v[0], v[1], v[3], v[4]}
	}
	if b.minY > b.maxY {
		return bounds{}, false
	}
	if b.minX > b.maxX { // across the antimeridian: take the whole width
		b.minX, b.maxX = -180, 180
	}
	return b, true
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(b)
}

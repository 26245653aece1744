package vector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// LandingPage is what mapvault needs of an OGC API landing page.
type LandingPage struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// CollectionsURL is the rel="data" link, resolved; base + "/collections"
	// when the page has none.
	CollectionsURL string `json:"collections_url"`
	Links          []Link `json:"links"` // hrefs resolved against the page URL
}

// Collection is one feature collection of an OGC API - Features service.
type Collection struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// BBox is the first spatial extent box when it is in CRS84; nil
	// otherwise.
	BBox *Bounds `json:"bbox"`
	// CRS lists the CRSs the server can answer in (Part 2); empty means
	// CRS84 only.
	CRS []string `json:"crs"`
	// ItemsURL is the rel="items" link (GeoJSON preferred), resolved;
	// {collection URL}/items when there is none.
	ItemsURL string `json:"items_url"`
}

// readJSON reads one bounded JSON document into v.
func readJSON(r io.Reader, opt Options, v any) error {
	opt = opt.withDefaults()
	lr := newLimitReader(r, opt.MaxBytes)
	raw, err := io.ReadAll(lr)
	if err != nil {
		if le := lr.overLimit(err); le != nil {
			return le
		}
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !json.Valid(raw) {
		return fmt.Errorf("%w: not JSON", ErrMalformed)
	}
	if jsonDepth(raw) > opt.MaxDepth {
		return &LimitError{Limit: "MaxDepth", Max: int64(opt.MaxDepth)}
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("%w: want a JSON object", ErrNotFeatures)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// resolve resolves href against base; href as is when either is unusable.
func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	u, err := url.Parse(href)
	if err != nil || base == nil {
		return href
	}
	return base.ResolveReference(u).String()
}

// ParseLandingPage reads an OGC API landing page fetched from base.
func ParseLandingPage(r io.Reader, base *url.URL, opt Options) (*LandingPage, error) {
	var doc struct {
		Title       any    `json:"title"`
		Description any    `json:"description"`
		Links       []Link `json:"links"`
	}
	if err := readJSON(r, opt, &doc); err != nil {
		return nil, err
	}
	if doc.Links == nil {
		return nil, fmt.Errorf("%w: no links: not an OGC API landing page", ErrNotFeatures)
	}
	p := &LandingPage{Title: text(doc.Title), Description: text(doc.Description), Links: []Link{}}
	for _, l := range doc.Links {
		l.Href = resolve(base, l.Href)
		p.Links = append(p.Links, l)
		if p.CollectionsURL == "" && (l.Rel == "data" || l.Rel == "http://www.opengis.net/def/rel/ogc/1.0/data") {
			p.CollectionsURL = l.Href
		}
	}
	if p.CollectionsURL == "" && base != nil {
		p.CollectionsURL = base.JoinPath("collections").String()
	}
	return p, nil
}

// text returns a JSON string value, "" for anything else (some servers
// write a language map).
func text(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

type collectionJSON struct {
	ID          any    `json:"id"`
	Title       any    `json:"title"`
	Description any    `json:"description"`
	ItemType    any    `json:"itemType"`
	CRS         []any  `json:"crs"`
	Links       []Link `json:"links"`
	Extent      struct {
		Spatial struct {
			BBox [][]float64 `json:"bbox"`
			CRS  string      `json:"crs"`
		} `json:"spatial"`
	} `json:"extent"`
}

// ParseCollections reads an OGC API /collections document fetched from
// base, or a single /collections/{id} document. Collections whose itemType
// is not "feature" (records, coverages) are left out.
func ParseCollections(r io.Reader, base *url.URL, opt Options) ([]Collection, error) {
	var doc struct {
		Collections *[]json.RawMessage `json:"collections"`
		ID          any                `json:"id"`
	}
	var raw json.RawMessage
	if err := readJSON(r, opt, &raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var items []json.RawMessage
	single := false
	switch {
	case doc.Collections != nil:
		items = *doc.Collections
	case doc.ID != nil:
		items, single = []json.RawMessage{raw}, true
	default:
		return nil, fmt.Errorf("%w: neither a collections list nor a collection", ErrNotFeatures)
	}
	out := []Collection{}
	for i, it := range items {
		var cj collectionJSON
		if err := json.Unmarshal(it, &cj); err != nil {
			return nil, fmt.Errorf("%w: collection %d: %v", ErrMalformed, i, err)
		}
		if t := text(cj.ItemType); t != "" && !strings.EqualFold(t, "feature") {
			continue
		}
		c := Collection{ID: text(cj.ID), Title: text(cj.Title), Description: text(cj.Description), CRS: []string{}}
		if c.ID == "" {
			return nil, fmt.Errorf("%w: collection %d has no id", ErrMalformed, i)
		}
		for _, v := range cj.CRS {
			if s := text(v); s != "" {
				c.CRS = append(c.CRS, s)
			}
		}
		if sp := cj.Extent.Spatial; len(sp.BBox) > 0 && (sp.CRS == "" || strings.HasSuffix(strings.ToUpper(sp.CRS), "CRS84")) {
			var b *Bounds
			switch bb := sp.BBox[0]; len(bb) {
			case 4:
				b = &Bounds{West: bb[0], South: bb[1], East: bb[2], North: bb[3]}
			case 6:
				b = &Bounds{West: bb[0], South: bb[1], East: bb[3], North: bb[4]}
			}
			if b != nil && b.Valid() {
				c.BBox = b
			}
		}
		rank := 0
		for _, l := range cj.Links {
			if l.Rel != "items" && l.Rel != "http://www.opengis.net/def/rel/ogc/1.0/items" {
				continue
			}
			r := 1
			switch t := strings.ToLower(l.Type); {
			case strings.Contains(t, "geo+json"):
				r = 4
			case strings.Contains(t, "json"):
				r = 3
			case t == "":
				r = 2
			}
			if r > rank {
				c.ItemsURL, rank = resolve(base, l.Href), r
			}
		}
		if c.ItemsURL == "" && base != nil {
			if single {
				c.ItemsURL = base.JoinPath("items").String()
			} else {
				c.ItemsURL = base.JoinPath(c.ID, "items").String()
			}
		}
		out = append(out, c)
	}
	return out, nil
}

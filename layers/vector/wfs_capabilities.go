package vector

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WFSCapabilities is what mapvault needs of a WFS 1.0, 1.1 or 2.0
// GetCapabilities document; its JSON form is what `mapvault-cli layers
// --json` prints. Lists are never nil, so they print as [].
type WFSCapabilities struct {
	Version       string `json:"version"`
	Title         string `json:"title"`
	GetFeatureURL string `json:"getfeature_url"` // the HTTP GET endpoint; "" when not advertised
	// Formats are the GetFeature output formats the service offers.
	Formats      []string         `json:"formats"`
	FeatureTypes []WFSFeatureType `json:"feature_types"`
}

// WFSFeatureType is one FeatureType of a WFS capabilities document.
type WFSFeatureType struct {
	Name       string   `json:"name"` // the typeName to request, prefix included
	Title      string   `json:"title"`
	Abstract   string   `json:"abstract,omitempty"`
	DefaultCRS string   `json:"default_crs"` // DefaultCRS (2.0), DefaultSRS (1.1) or SRS (1.0)
	OtherCRS   []string `json:"other_crs"`
	// BBox is the WGS84BoundingBox (LatLongBoundingBox in 1.0); nil when
	// absent or not a valid longitude/latitude box.
	BBox *Bounds `json:"bbox"`
	// Formats are this type's own output formats, else the service's.
	Formats []string `json:"formats"`
}

// GeoJSONFormat returns the output format to ask for GeoJSON, "" when the
// type offers none (then ask for GML).
func (t WFSFeatureType) GeoJSONFormat() string { return GeoJSONFormat(t.Formats) }

// GeoJSONFormat picks the GeoJSON output format from a list of WFS output
// formats, preferring the registered media type: application/geo+json,
// then application/json, then the other spellings servers use (geojson,
// json, application/vnd.geo+json, "application/json; subtype=geojson").
// It returns "" when there is none.
func GeoJSONFormat(formats []string) string {
	best, bestRank := "", 0
	for _, f := range formats {
		rank := 0
		switch l := strings.ToLower(strings.TrimSpace(f)); {
		case l == "application/geo+json":
			rank = 6
		case l == "application/json":
			rank = 5
		case strings.Contains(l, "geo+json"), strings.Contains(l, "geojson"):
			rank = 4
		case strings.HasPrefix(l, "application/json"):
			rank = 3
		case l == "json":
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = f, rank
		}
	}
	return best
}

// wfsCapsXML mirrors the parts of the three versions' documents that
// matter; names are matched by local name in any namespace.
type wfsCapsXML struct {
	Version    string         `xml:"version,attr"`
	Title      string         `xml:"ServiceIdentification>Title"`
	Title10    string         `xml:"Service>Title"`
	Operations []wfsOperation `xml:"OperationsMetadata>Operation"`
	Params     []wfsParam     `xml:"OperationsMetadata>Parameter"`
	Request10  struct {
		Formats struct {
			Any []struct {
				XMLName xml.Name
			} `xml:",any"`
		} `xml:"ResultFormat"`
		Get []struct {
			URL string `xml:"onlineResource,attr"`
		} `xml:"DCPType>HTTP>Get"`
	} `xml:"Capability>Request>GetFeature"`
	FeatureTypes []wfsFeatureTypeXML `xml:"FeatureTypeList>FeatureType"`
}

type wfsOperation struct {
	Name string `xml:"name,attr"`
	Get  []struct {
		Href string `xml:"href,attr"`
	} `xml:"DCP>HTTP>Get"`
	Params []wfsParam `xml:"Parameter"`
}

type wfsParam struct {
	Name     string   `xml:"name,attr"`
	Allowed  []string `xml:"AllowedValues>Value"`
	Values11 []string `xml:"Value"`
}

type wfsFeatureTypeXML struct {
	Name       string   `xml:"Name"`
	Title      string   `xml:"Title"`
	Abstract   string   `xml:"Abstract"`
	DefaultCRS string   `xml:"DefaultCRS"`
	DefaultSRS string   `xml:"DefaultSRS"`
	SRS        string   `xml:"SRS"`
	OtherCRS   []string `xml:"OtherCRS"`
	OtherSRS   []string `xml:"OtherSRS"`
	Formats    []string `xml:"OutputFormats>Format"`
	WGS84      []struct {
		Lower string `xml:"LowerCorner"`
		Upper string `xml:"UpperCorner"`
	} `xml:"WGS84BoundingBox"`
	LatLong []struct {
		MinX string `xml:"minx,attr"`
		MinY string `xml:"miny,attr"`
		MaxX string `xml:"maxx,attr"`
		MaxY string `xml:"maxy,attr"`
	} `xml:"LatLongBoundingBox"`
}

// replay is an xml.TokenReader that yields an already read start element
// and then the walker's tokens, so struct decoding goes through the
// walker's depth bound.
type replay struct {
	first xml.Token
	w     *xmlWalker
}

func (r *replay) Token() (xml.Token, error) {
	if t := r.first; t != nil {
		r.first = nil
		return t, nil
	}
	return r.w.token()
}

// ParseWFSCapabilities reads a WFS 1.0.0, 1.1.0 or 2.0.x GetCapabilities
// document, bounded by MaxBytes and MaxDepth. An exception report is a
// *ServiceException, another document ErrNotFeatures.
func ParseWFSCapabilities(r io.Reader, opt Options) (*WFSCapabilities, error) {
	opt = opt.withDefaults()
	lr := newLimitReader(r, opt.MaxBytes)
	w := &xmlWalker{d: newXMLDecoder(lr), maxDepth: opt.MaxDepth}
	caps, err := parseWFSCaps(w)
	if err != nil {
		if le := lr.overLimit(err); le != nil {
			return nil, le
		}
		return nil, err
	}
	return caps, nil
}

func parseWFSCaps(w *xmlWalker) (*WFSCapabilities, error) {
	root, err := w.root()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty document", ErrNotFeatures)
		}
		return nil, xmlError(err)
	}
	if isException(root) {
		return nil, w.exception()
	}
	if root.Name.Local != "WFS_Capabilities" {
		return nil, fmt.Errorf("%w: root element <%s>, want WFS_Capabilities", ErrNotFeatures, root.Name.Local)
	}
	var x wfsCapsXML
	if err := xml.NewTokenDecoder(&replay{first: root, w: w}).Decode(&x); err != nil {
		return nil, xmlError(err)
	}
	c := &WFSCapabilities{
		Version:      strings.TrimSpace(x.Version),
		Title:        strings.TrimSpace(firstNonEmpty(x.Title, x.Title10)),
		Formats:      []string{},
		FeatureTypes: []WFSFeatureType{},
	}
	seen := map[string]bool{}
	addFormat := func(f string) {
		if f = strings.TrimSpace(f); f != "" && !seen[f] {
			seen[f] = true
			c.Formats = append(c.Formats, f)
		}
	}
	params := func(ps []wfsParam) {
		for _, p := range ps {
			if strings.EqualFold(p.Name, "outputFormat") {
				for _, v := range append(p.Allowed, p.Values11...) {
					addFormat(v)
				}
			}
		}
	}
	for _, op := range x.Operations {
		if op.Name != "GetFeature" {
			continue
		}
		for _, g := range op.Get {
			if c.GetFeatureURL == "" {
				c.GetFeatureURL = strings.TrimSpace(g.Href)
			}
		}
		params(op.Params)
	}
	params(x.Params)
	for _, f := range x.Request10.Formats.Any {
		addFormat(f.XMLName.Local)
	}
	for _, g := range x.Request10.Get {
		if c.GetFeatureURL == "" {
			c.GetFeatureURL = strings.TrimSpace(g.URL)
		}
	}
	for _, ft := range x.FeatureTypes {
		t := WFSFeatureType{
			Name:       strings.TrimSpace(ft.Name),
			Title:      strings.TrimSpace(ft.Title),
			Abstract:   strings.TrimSpace(ft.Abstract),
			DefaultCRS: strings.TrimSpace(firstNonEmpty(ft.DefaultCRS, ft.DefaultSRS, ft.SRS)),
			OtherCRS:   []string{},
			Formats:    []string{},
		}
		if t.Name == "" {
			continue
		}
		for _, o := range append(ft.OtherCRS, ft.OtherSRS...) {
			if o = strings.TrimSpace(o); o != "" {
				t.OtherCRS = append(t.OtherCRS, o)
			}
		}
		for _, f := range ft.Formats {
			if f = strings.TrimSpace(f); f != "" {
				t.Formats = append(t.Formats, f)
			}
		}
		if len(t.Formats) == 0 {
			t.Formats = append(t.Formats, c.Formats...)
		}
		for _, b := range ft.WGS84 {
			lo, hi := strings.Fields(b.Lower), strings.Fields(b.Upper)
			if len(lo) == 2 && len(hi) == 2 {
				t.BBox = boundsOf(lo[0], lo[1], hi[0], hi[1])
				break
			}
		}
		for _, b := range ft.LatLong {
			if t.BBox == nil {
				t.BBox = boundsOf(b.MinX, b.MinY, b.MaxX, b.MaxY)
			}
		}
		c.FeatureTypes = append(c.FeatureTypes, t)
	}
	return c, nil
}

// boundsOf parses west, south, east, north; nil when they are not a valid
// longitude/latitude box.
func boundsOf(w, s, e, n string) *Bounds {
	var v [4]float64
	for i, t := range [4]string{w, s, e, n} {
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		v[i] = f
	}
	b := Bounds{West: v[0], South: v[1], East: v[2], North: v[3]}
	if !b.Valid() {
		return nil
	}
	return &b
}

package wmts

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Report is the summary of a WMTS service printed by `mapvault-cli layers
// --json`. Lists and maps are never null. It holds no URL: endpoints and
// templates may carry keys.
type Report struct {
	Kind       string            `json:"kind"` // always "wmts"
	Version    string            `json:"version"`
	Title      string            `json:"title"`
	KVP        bool              `json:"kvp"` // the service has a KVP GetTile endpoint
	Layers     []LayerReport     `json:"layers"`
	MatrixSets []MatrixSetReport `json:"matrix_sets"`
	Warnings   []string          `json:"warnings"`
}

// LayerReport is one layer of a Report.
type LayerReport struct {
	Identifier   string                     `json:"identifier"`
	Title        string                     `json:"title"`
	Formats      []string                   `json:"formats"`
	Styles       []string                   `json:"styles"`
	DefaultStyle string                     `json:"default_style"`
	MatrixSets   []string                   `json:"matrix_sets"`
	BBox         *ReportBBox                `json:"bbox"`       // WGS84BoundingBox, null when absent
	BBoxes       map[string][4]float64      `json:"bboxes"`     // CRS -> [minx, miny, maxx, maxy], east/north
	Dimensions   map[string]DimensionReport `json:"dimensions"` // by lower-case identifier
	REST         bool                       `json:"rest"`       // has a tile ResourceURL
	RESTFormats  []string                   `json:"rest_formats"`
	KVP          bool                       `json:"kvp"` // can be fetched with KVP GetTile
}

// ReportBBox is a geographic box in degrees.
type ReportBBox struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

// DimensionReport is one dimension of a LayerReport.
type DimensionReport struct {
	Identifier string   `json:"identifier"`
	Units      string   `json:"units"`
	Default    string   `json:"default"`
	Current    bool     `json:"current"`
	Values     []string `json:"values"`
}

// MatrixSetReport is one tile matrix set of a Report.
type MatrixSetReport struct {
	Identifier  string `json:"identifier"`
	CRS         string `json:"crs"`  // SupportedCRS as written
	EPSG        int    `json:"epsg"` // 0 when not an EPSG code
	WebMercator bool   `json:"web_mercator"`
	MinZoom     *int   `json:"min_zoom"` // Web Mercator sets only
	MaxZoom     *int   `json:"max_zoom"`
	Matrices    int    `json:"matrices"`
	TileWidth   int    `json:"tile_width"` // of the first matrix
	TileHeight  int    `json:"tile_height"`
	// MinPixelSize and MaxPixelSize are the finest and coarsest pixel sizes,
	// in CRS units, to 12 significant digits.
	MinPixelSize float64 `json:"min_pixel_size"`
	MaxPixelSize float64 `json:"max_pixel_size"`
}

// Report summarises the document.
func (c *Capabilities) Report() Report {
	r := Report{
		Kind:       "wmts",
		Version:    c.Version,
		Title:      c.Title,
		KVP:        c.KVPEndpoint() != "",
		Layers:     []LayerReport{},
		MatrixSets: []MatrixSetReport{},
		Warnings:   append([]string{}, c.Warnings...),
	}
	for _, l := range c.Layers {
		lr := LayerReport{
			Identifier:   l.Identifier,
			Title:        l.Title,
			Formats:      append([]string{}, l.Formats...),
			Styles:       []string{},
			DefaultStyle: l.DefaultStyle(),
			MatrixSets:   []string{},
			BBoxes:       map[string][4]float64{},
			Dimensions:   map[string]DimensionReport{},
			RESTFormats:  []string{},
			KVP:          r.KVP && len(l.Formats) > 0,
		}
		for _, s := range l.Styles {
			lr.Styles = append(lr.Styles, s.Identifier)
		}
		for _, k := range l.MatrixSetLinks {
			lr.MatrixSets = append(lr.MatrixSets, k.MatrixSet)
		}
		if b := l.WGS84BBox; b != nil {
			lr.BBox = &ReportBBox{West: b.MinX, South: b.MinY, East: b.MaxX, North: b.MaxY}
		}
		for _, b := range l.BBoxes {
			if _, dup := lr.BBoxes[b.CRS]; !dup {
				lr.BBoxes[b.CRS] = [4]float64{b.MinX, b.MinY, b.MaxX, b.MaxY}
			}
		}
		for _, d := range l.Dimensions {
			lr.Dimensions[strings.ToLower(d.Identifier)] = DimensionReport{
				Identifier: d.Identifier,
				Units:      d.UOM,
				Default:    d.Default,
				Current:    d.Current,
				Values:     append([]string{}, d.Values...),
			}
		}
		for _, u := range l.ResourceURLs {
			if strings.EqualFold(u.ResourceType, "tile") {
				lr.REST = true
				lr.RESTFormats = appendNew(lr.RESTFormats, u.Format)
			}
		}
		r.Layers = append(r.Layers, lr)
	}
	for _, s := range c.TileMatrixSets {
		sr := MatrixSetReport{
			Identifier:  s.Identifier,
			CRS:         s.SupportedCRS,
			WebMercator: s.IsWebMercator(),
			Matrices:    len(s.Matrices),
		}
		sr.EPSG, _ = EPSGCode(s.SupportedCRS)
		for i, m := range s.Matrices {
			ps := significant(s.PixelSize(i))
			if i == 0 {
				sr.TileWidth, sr.TileHeight = m.TileWidth, m.TileHeight
				sr.MinPixelSize, sr.MaxPixelSize = ps, ps
			}
			sr.MinPixelSize, sr.MaxPixelSize = min(sr.MinPixelSize, ps), max(sr.MaxPixelSize, ps)
			if sr.WebMercator {
				z, _ := s.WebMercatorZoom(i)
				if sr.MinZoom == nil {
					sr.MinZoom, sr.MaxZoom = new(int), new(int)
					*sr.MinZoom, *sr.MaxZoom = z, z
				}
				*sr.MinZoom, *sr.MaxZoom = min(*sr.MinZoom, z), max(*sr.MaxZoom, z)
			}
		}
		r.MatrixSets = append(r.MatrixSets, sr)
	}
	return r
}

// ReportJSON returns Report as indented JSON ending in a newline, with
// '<', '>' and '&' written as they are.
func (c *Capabilities) ReportJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c.Report()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// significant rounds v to 12 significant digits, so that float noise of the
// last bits does not reach the report.
func significant(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

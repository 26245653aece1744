package wms

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/twpayne/go-geom"

	"mapvault/vault"
)

// reportHead is the start of the JSON shape printed by `mapvault-cli
// layers`; "layers" follows it, one reportLayer per layer.
type reportHead struct {
	Version   string   `json:"version"`
	Title     string   `json:"title"`
	GetMapURL string   `json:"getmap_url"`
	Formats   []string `json:"formats"`
}

type reportLayer struct {
	Name       string                     `json:"name"`
	Title      string                     `json:"title"`
	Depth      int                        `json:"depth"`
	Queryable  bool                       `json:"queryable"`
	CRS        []string                   `json:"crs"`
	BBox       *reportBBox                `json:"bbox"`
	BBoxes     map[string][4]float64      `json:"bboxes"`
	Styles     []string                   `json:"styles"`
	Dimensions map[string]reportDimension `json:"dimensions"`
}

type reportBBox struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

type reportDimension struct {
	Units   string `json:"units"`
	Default string `json:"default"`
	Values  string `json:"values"`
}

// ReportJSON returns the document as indented JSON; see WriteReportJSON.
// The result holds every layer's effective values, which for a document
// whose many layers inherit long lists is far larger than the document:
// prefer WriteReportJSON.
func (c *Capabilities) ReportJSON(secrets ...string) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.WriteReportJSON(&buf, secrets...); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteReportJSON writes the document as indented JSON for `mapvault-cli
// layers --json`: an object with "version", "title", "getmap_url",
// "formats" and "layers", every layer flattened in document order with its
// effective values. "bbox" is the geographic box (null when unknown),
// "bboxes" maps each CRS to [minx, miny, maxx, maxy] in east/north order
// (longitude first for geographic CRSs), and "dimensions" is keyed by
// lower-case name. Empty lists and maps are written as [] and {}, never
// null. The output ends with one newline.
//
// It streams: one layer's values are built and written at a time, so the
// memory it needs is bounded by the largest layer, not by the output.
//
// What the server wrote is shown scrubbed of secrets (every form of
// secrets, which callers take from the session): URLs ("getmap_url") go
// through vault.RedactURL (an OnlineResource of GeoServer AuthKey or QGIS
// Server carries ?authkey=), titles through vault.Scrub, and names, CRSs,
// formats and dimension values through vault.ScrubIdentifier (no control
// character, no session secret, the rest as the server wrote it).
func (c *Capabilities) WriteReportJSON(w io.Writer, secrets ...string) error {
	return c.writeReport(w, false, secrets)
}

// WriteOwnReportJSON is WriteReportJSON with each layer's own values only
// (`mapvault-cli layers --json --own`): "crs" and "styles" are what the
// layer adds to its ancestors' (the spec adds them up), "bbox", "bboxes"
// and "dimensions" what it states itself ("bbox" null when inherited). A
// layer's effective values are its own and those of the layers above it
// (the nearest earlier entries of smaller depth). Inherited values are so
// given once, where they are stated: MassGIS's 6,773 CRS, which each of
// its 1,018 layers inherits, make 148 MB of effective report and 0.74
// MB of own.
func (c *Capabilities) WriteOwnReportJSON(w io.Writer, secrets ...string) error {
	return c.writeReport(w, true, secrets)
}

func (c *Capabilities) writeReport(w io.Writer, own bool, secrets []string) error {
	sc := reportScrubber(secrets)
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	head := reportHead{
		Version:   sc.id(c.Version),
		Title:     sc.text(c.Title),
		GetMapURL: sc.text(vault.RedactURL(c.GetMapURL)),
		Formats:   sc.ids(c.GetMapFormats),
	}
	if err := enc.Encode(head); err != nil {
		return err
	}
	// The head object without its closing "}\n", then the layers array,
	// indented as encoding/json indents it when it is a field of the head.
	bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n}\n")))
	bw.WriteString(",\n  \"layers\": [")
	enc.SetIndent("    ", "  ")
	n := 0
	for _, l := range c.Layers() {
		buf.Reset()
		if err := enc.Encode(reportOf(l, sc, own)); err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		n++
		if buf.Cap() > 1<<20 {
			buf = bytes.Buffer{} // do not keep one huge layer's buffer for all the others
			enc = json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("    ", "  ")
		}
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// reportScrubber scrubs what the server wrote for the report.
type reportScrubber []string

func (s reportScrubber) text(v string) string { return vault.Scrub(v, s) }
func (s reportScrubber) id(v string) string   { return vault.ScrubIdentifier(v, s) }
func (s reportScrubber) ids(list []string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, s.id(v))
	}
	return out
}

// reportOf builds one layer's report entry: its effective values, or with
// own what it adds itself (see WriteOwnReportJSON).
func reportOf(l *Layer, sc reportScrubber, own bool) reportLayer {
	crs, styles, dims := l.CRS(), l.Styles(), l.Dimensions()
	geo := l.GeographicBBox
	boxes := l.eachBBox
	if own {
		crs, styles, dims = l.addedCRS, l.addedStyles, l.ownDims
		if l.GeographicBBoxInherited {
			geo = nil
		}
		boxes = func(f func(string, *geom.Bounds)) {
			for _, b := range l.ownBBoxes {
				f(b.crs, b.bounds)
			}
		}
	}
	rl := reportLayer{
		Name:       sc.id(l.Name),
		Title:      sc.text(l.Title),
		Depth:      l.Depth,
		Queryable:  l.Queryable,
		CRS:        sc.ids(crs),
		BBoxes:     map[string][4]float64{},
		Styles:     []string{},
		Dimensions: map[string]reportDimension{},
	}
	if geo != nil {
		rl.BBox = &reportBBox{West: geo.Min(0), South: geo.Min(1), East: geo.Max(0), North: geo.Max(1)}
	}
	boxes(func(crs string, b *geom.Bounds) {
		rl.BBoxes[sc.id(crs)] = reportBox(b)
	})
	for _, s := range styles {
		rl.Styles = append(rl.Styles, sc.id(s.Name))
	}
	for k, d := range dims {
		rl.Dimensions[sc.id(k)] = reportDimension{Units: sc.id(d.Units), Default: sc.id(d.Default), Values: sc.id(d.Values)}
	}
	return rl
}

func reportBox(b *geom.Bounds) [4]float64 {
	return [4]float64{b.Min(0), b.Min(1), b.Max(0), b.Max(1)}
}

package layers

import (
	"bytes"
	"encoding/json"

	"github.com/twpayne/go-geom"

	"mapvault/vault"
)

// capsReport is the JSON shape printed by `mapvault-cli layers`.
type capsReport struct {
	Version   string            `json:"version"`
	Title     string            `json:"title"`
	GetMapURL string            `json:"getmap_url"`
	Formats   []string          `json:"formats"`
	Layers    []capsReportLayer `json:"layers"`
}

type capsReportLayer struct {
	Name       string                         `json:"name"`
	Title      string                         `json:"title"`
	Depth      int                            `json:"depth"`
	Queryable  bool                           `json:"queryable"`
	CRS        []string                       `json:"crs"`
	BBox       *capsReportBBox                `json:"bbox"`
	BBoxes     map[string][4]float64          `json:"bboxes"`
	Styles     []string                       `json:"styles"`
	Dimensions map[string]capsReportDimension `json:"dimensions"`
}

type capsReportBBox struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

type capsReportDimension struct {
	Units   string `json:"units"`
	Default string `json:"default"`
	Values  string `json:"values"`
}

// ReportJSON returns the document as indented JSON for `mapvault-cli
// layers`: every layer flattened in document order with its effective
// values. "bbox" is the geographic box (null when unknown), "bboxes" maps
// each CRS to [minx, miny, maxx, maxy] in east/north order (longitude first
// for geographic CRSs), and "dimensions" is keyed by lower-case name.
// Empty lists and maps are written as [] and {}, never null.
//
// What the server wrote is shown scrubbed of secrets (every form of
// secrets, which callers take from the session): URLs ("getmap_url") go
// through vault.RedactURL (an OnlineResource of GeoServer AuthKey or QGIS
// Server carries ?authkey=), titles through vault.Scrub, and names, CRSs,
// formats and dimension values through vault.ScrubIdentifier (no control
// character, no session secret, the rest as the server wrote it).
func (c *Capabilities) ReportJSON(secrets ...string) ([]byte, error) {
	text := func(s string) string { return vault.Scrub(s, secrets) }
	id := func(s string) string { return vault.ScrubIdentifier(s, secrets) }
	ids := func(list []string) []string {
		out := make([]string, 0, len(list))
		for _, s := range list {
			out = append(out, id(s))
		}
		return out
	}
	r := capsReport{
		Version:   id(c.Version),
		Title:     text(c.Title),
		GetMapURL: text(vault.RedactURL(c.GetMapURL)),
		Formats:   ids(c.GetMapFormats),
		Layers:    []capsReportLayer{},
	}
	for _, l := range c.Layers() {
		rl := capsReportLayer{
			Name:       id(l.Name),
			Title:      text(l.Title),
			Depth:      l.Depth,
			Queryable:  l.Queryable,
			CRS:        ids(l.CRS),
			BBoxes:     map[string][4]float64{},
			Styles:     []string{},
			Dimensions: map[string]capsReportDimension{},
		}
		if b := l.GeographicBBox; b != nil {
			rl.BBox = &capsReportBBox{West: b.Min(0), South: b.Min(1), East: b.Max(0), North: b.Max(1)}
		}
		for crs, b := range l.BBoxes {
			rl.BBoxes[id(crs)] = capsReportBox(b)
		}
		for _, s := range l.Styles {
			rl.Styles = append(rl.Styles, id(s.Name))
		}
		for k, d := range l.Dimensions {
			rl.Dimensions[id(k)] = capsReportDimension{Units: id(d.Units), Default: id(d.Default), Values: id(d.Values)}
		}
		r.Layers = append(r.Layers, rl)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func capsReportBox(b *geom.Bounds) [4]float64 {
	return [4]float64{b.Min(0), b.Min(1), b.Max(0), b.Max(1)}
}

package vector

import (
	"image/color"
	"math"
)

// Style says how a layer's features are drawn. Polygons are filled with
// Fill and outlined with Stroke; lines are drawn with Stroke; points are
// circles of PointRadius filled with Fill and outlined with Stroke. Every
// feature is drawn in order, fill then outline, so overlaps darken as in
// QGIS.
type Style struct {
	Fill        color.NRGBA // zero alpha: no fill
	Stroke      color.NRGBA // zero alpha: no outline and no lines
	StrokeWidth float64     // in pixels; <= 0 means 1
	PointRadius float64     // in pixels; <= 0 means 4
	// Opacity multiplies every alpha of the style (symbol opacity); a
	// value outside (0, 1] means 1. Hide a layer by not drawing it.
	Opacity float64
	// Categories, when set, colour each feature by an attribute.
	Categories *Categories
}

// Categories is a categorised style: the colour of a feature is looked up
// by the text of one attribute (Feature.Property). It replaces Fill for
// polygons and points and Stroke for lines; outlines keep Stroke.
type Categories struct {
	Attribute string
	Colors    map[string]color.NRGBA
	// Default colours features whose value is not in Colors (or that lack
	// the attribute); zero alpha leaves them undrawn.
	Default color.NRGBA
}

// DefaultStyle is a layer's style until the user picks one: as in QGIS, a
// semi-transparent fill with a thin dark outline, and 4 px points.
func DefaultStyle() Style {
	return Style{
		Fill:        color.NRGBA{R: 66, G: 133, B: 244, A: 102},
		Stroke:      color.NRGBA{R: 35, G: 35, B: 35, A: 255},
		StrokeWidth: 1,
		PointRadius: 4,
		Opacity:     1,
	}
}

// normalized applies the defaults of zero fields.
func (s Style) normalized() Style {
	if !(s.StrokeWidth > 0) || math.IsInf(s.StrokeWidth, 0) {
		s.StrokeWidth = 1
	}
	s.StrokeWidth = math.Min(s.StrokeWidth, 256)
	if !(s.PointRadius > 0) || math.IsInf(s.PointRadius, 0) {
		s.PointRadius = 4
	}
	s.PointRadius = math.Min(s.PointRadius, 256)
	if !(s.Opacity > 0 && s.Opacity <= 1) {
		s.Opacity = 1
	}
	return s
}

// premul is a colour premultiplied by its alpha, packed as the four bytes
// of an RGBA pixel (little-endian: R in the low byte), for SWAR blending.
type premul struct {
	c uint32 // R | G<<8 | B<<16 | A<<24, premultiplied
	a uint32 // alpha, 0..255
}

func premultiply(c color.NRGBA, opacity float64) premul {
	a := uint32(math.Round(float64(c.A) * opacity))
	mul := func(v uint8) uint32 { return (uint32(v)*a + 127) / 255 }
	return premul{c: mul(c.R) | mul(c.G)<<8 | mul(c.B)<<16 | a<<24, a: a}
}

// colours returns the fill (polygons, points) and line colour of f; hidden
// when a categorised style leaves it undrawn.
func (s *Style) colours(f *Feature) (fill, line color.NRGBA, hidden bool) {
	if s.Categories == nil {
		return s.Fill, s.Stroke, false
	}
	c := s.Categories.Default
	if v, ok := f.Property(s.Categories.Attribute); ok {
		if cc, ok := s.Categories.Colors[v]; ok {
			c = cc
		}
	}
	return c, c, c.A == 0
}

// Hides reports whether s draws nothing of f (a category coloured with
// zero alpha, or no fill and no stroke), so identify leaves it out.
func (s *Style) Hides(f *Feature) bool {
	fill, line, hidden := s.colours(f)
	return hidden || (fill.A == 0 && line.A == 0)
}

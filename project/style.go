package project

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
)

// Style is how a vector layer (wfs, features, geojson) is drawn ("style" in
// the file). The zero value is the default style: polygons filled
// semi-transparent with an outline, lines stroked, points as circles, as
// QGIS does. Colours are Color values.
type Style struct {
	Fill    Color   // polygon and point fill; "" default, "none" no fill
	Stroke  Color   // outline and line colour; "" default, "none" no stroke
	Width   float64 // stroke width in logical pixels; 0 default
	Opacity float64 // fill opacity in (0, 1]; 0 default (semi-transparent)
	Radius  float64 // point symbol radius in logical pixels; 0 default
	// Attribute names the feature property Categories are chosen by; a
	// feature whose value matches no category gets the style above.
	Attribute  string
	Categories []Category

	extras map[string]json.RawMessage
}

// IsZero reports whether s is the default style with nothing unknown kept.
func (s Style) IsZero() bool {
	return s.Fill == "" && s.Stroke == "" && s.Width == 0 && s.Opacity == 0 && s.Radius == 0 &&
		s.Attribute == "" && len(s.Categories) == 0 && len(s.extras) == 0
}

// Category is the style of the features whose Style.Attribute equals Value.
// Empty colours fall back to the layer style's.
type Category struct {
	Value  string // the property's value as text (a number as written in JSON: "3", "2.5")
	Label  string // shown in the legend; Value when empty
	Fill   Color
	Stroke Color

	extras map[string]json.RawMessage
}

// Color is a colour in a style: "#rgb", "#rrggbb", "#rrggbbaa" (hex, not
// premultiplied), "none" for nothing, or "" for the default.
type Color string

// NoColor is the Color that draws nothing.
const NoColor Color = "none"

// RGBA returns the colour; ok is false for "", "none" and invalid text.
func (c Color) RGBA() (rgba color.NRGBA, ok bool) {
	s := string(c)
	if len(s) < 4 || s[0] != '#' {
		return color.NRGBA{}, false
	}
	hex := s[1:]
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	if len(hex) != 6 && len(hex) != 8 {
		return color.NRGBA{}, false
	}
	if len(hex) == 6 {
		hex += "ff"
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return color.NRGBA{}, false
	}
	return color.NRGBA{R: uint8(v >> 24), G: uint8(v >> 16), B: uint8(v >> 8), A: uint8(v)}, true
}

// check reports why c is not a valid colour, nil when it is.
func (c Color) check() error {
	if c == "" || c == NoColor {
		return nil
	}
	if _, ok := c.RGBA(); !ok {
		return fmt.Errorf("%q is not a colour (#rgb, #rrggbb, #rrggbbaa or \"none\")", string(c))
	}
	return nil
}

// validate reports what Parse would refuse in s.
func (s Style) validate() error {
	for _, c := range []Color{s.Fill, s.Stroke} {
		if err := c.check(); err != nil {
			return err
		}
	}
	switch {
	case !finite(s.Width) || s.Width < 0:
		return fmt.Errorf("width %v: want a number >= 0", s.Width)
	case !finite(s.Radius) || s.Radius < 0:
		return fmt.Errorf("radius %v: want a number >= 0", s.Radius)
	case math.IsNaN(s.Opacity) || s.Opacity < 0 || s.Opacity > 1:
		return fmt.Errorf("opacity %v is outside (0, 1]", s.Opacity)
	case len(s.Categories) > 0 && strings.TrimSpace(s.Attribute) == "":
		return fmt.Errorf("categories need an attribute to choose by")
	}
	for _, c := range s.Categories {
		for _, col := range []Color{c.Fill, c.Stroke} {
			if err := col.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

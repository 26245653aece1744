package demo

import (
	"hash/fnv"
	"image/color"
	"math"
)

// layer is one named WMS layer of a demo endpoint.
type layer struct {
	name, title, abstract string
	data                  *dataset
	style                 style
}

// endpoint is one of the three demo WMS services, each its own source.
type endpoint struct {
	path, title, abstract string
	auth                  authKind
	layers                []*layer
}

func (e *endpoint) layer(name string) *layer {
	for _, l := range e.layers {
		if l.name == name {
			return l
		}
	}
	return nil
}

// uniform is a fill that gives every feature the same colour.
func uniform(c color.NRGBA) func(string) color.NRGBA {
	return func(string) color.NRGBA { return c }
}

// countryColour is a pleasant pastel colour derived from a hash of the name,
// the same for a country on every request.
func countryColour(name string) color.NRGBA {
	h := fnv.New32a()
	h.Write([]byte(name))
	sum := h.Sum32()
	hue := float64(sum%360) / 360
	light := 0.62 + float64((sum>>9)%12)/100
	c := hsl(hue, 0.55, light)
	c.A = 0xb8
	return c
}

// hsl converts hue, saturation and lightness (all 0..1) to an opaque colour.
func hsl(h, s, l float64) color.NRGBA {
	c := (1 - math.Abs(2*l-1)) * s
	hp := h * 6
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch int(hp) % 6 {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	u8 := func(v float64) uint8 { return uint8(math.Round(255 * math.Max(0, math.Min(1, v+m)))) }
	return color.NRGBA{u8(r), u8(g), u8(b), 0xff}
}

// catalogue builds the three endpoints over the embedded data.
func catalogue() ([]*endpoint, error) {
	land, err := loadDataset("land.geojson")
	if err != nil {
		return nil, err
	}
	countries, err := loadDataset("countries.geojson")
	if err != nil {
		return nil, err
	}
	borders, err := loadDataset("borders.geojson")
	if err != nil {
		return nil, err
	}
	const credit = " Natural Earth 1:110m, public domain."
	sand := uniform(color.NRGBA{0xe8, 0xdc, 0xc0, 0xff})
	outlineColour := color.NRGBA{0x3a, 0x30, 0x28, 0xff}
	borderColour := color.NRGBA{0x9a, 0x3b, 0x24, 0xff}
	return []*endpoint{{
		path:     "/public/wms",
		title:    "mapvault demo: public",
		abstract: "Open demo service; no credentials needed.",
		auth:     authNone,
		layers: []*layer{{
			name: "land", title: "Land", abstract: "Land areas." + credit,
			data: land, style: style{fill: sand},
		}, {
			name: "countries", title: "Countries (fill)", abstract: "Countries, coloured by name." + credit,
			data: countries, style: style{fill: countryColour},
		}},
	}, {
		path:     "/basic/wms",
		title:    "mapvault demo: HTTP Basic",
		abstract: "Demo service protected by HTTP Basic authentication.",
		auth:     authBasic,
		layers: []*layer{{
			name: "countries", title: "Countries", abstract: "Countries with outlines." + credit,
			data: countries, style: style{fill: countryColour, stroke: outlineColour, strokeWidth: 1.2},
		}},
	}, {
		path:     "/key/wms",
		title:    "mapvault demo: access key",
		abstract: "Demo service protected by an access key in the authkey query parameter.",
		auth:     authKey,
		layers: []*layer{{
			name: "borders", title: "Country borders", abstract: "Land boundaries between countries." + credit,
			data: borders, style: style{stroke: borderColour, strokeWidth: 1.5},
		}},
	}}, nil
}

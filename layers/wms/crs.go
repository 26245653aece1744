package wms

import (
	"fmt"
	"strings"
)

// mercatorCRS are the codes that name the spherical Web Mercator projection,
// in order of preference.
var mercatorCRS = []string{"EPSG:3857", "EPSG:900913", "EPSG:102100", "EPSG:102113"}

// geographicCRS are the lon/lat codes the engine reprojects from.
var geographicCRS = []string{"EPSG:4326", "CRS:84"}

// crsKind tells how a CRS is requested.
type crsKind int

const (
	crsUnsupported crsKind = iota
	crsMercator
	crsGeographic
)

func kindOfCRS(crs string) crsKind {
	for _, c := range mercatorCRS {
		if strings.EqualFold(c, crs) {
			return crsMercator
		}
	}
	for _, c := range geographicCRS {
		if strings.EqualFold(c, crs) {
			return crsGeographic
		}
	}
	return crsUnsupported
}

// ChooseCRS picks the CRS to request a layer in: EPSG:3857 (or one of its
// aliases EPSG:900913, EPSG:102100, EPSG:102113, returned as the layer spells
// it) when offered, else EPSG:4326 or CRS:84, which the engine reprojects.
// Otherwise it returns an error wrapping ErrNoUsableCRS that lists the
// layer's CRSs.
func ChooseCRS(l *Layer) (string, error) {
	if l == nil {
		return "", fmt.Errorf("%w: no layer", ErrNoUsableCRS)
	}
	offered := l.CRS()
	for _, pref := range [][]string{mercatorCRS, geographicCRS} {
		for _, want := range pref {
			for _, have := range offered {
				if strings.EqualFold(strings.TrimSpace(have), want) {
					return want, nil
				}
			}
		}
	}
	more := ""
	if len(offered) > 12 {
		offered, more = offered[:12], fmt.Sprintf(" and %d more", len(offered)-12)
	}
	list := strings.Join(offered, ", ")
	if list == "" {
		list = "none"
	}
	return "", fmt.Errorf("%w: layer %q offers %s%s", ErrNoUsableCRS, l.Name, list, more)
}

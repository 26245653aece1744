package vector

import (
	"math"
	"strconv"
	"strings"
)

// Web Mercator constants (EPSG:3857, the spherical "Google" projection).
const (
	earthRadius    = 6378137.0
	mercatorExtent = math.Pi * earthRadius // half the world's width in metres
	maxLat         = 85.05112877980659     // where the square world ends
)

// crs is a coordinate reference system this package converts.
type crs struct {
	mercator bool // EPSG:3857 metres, x east; else geographic degrees
	latFirst bool // geographic with latitude first (the EPSG axis order)
}

// parseCRS recognises the names of WGS 84 (EPSG:4326, CRS84; also the
// geographic ETRS89 EPSG:4258, within a metre of it; CRS:84 as WMS spells
// it) and of Web Mercator
// (EPSG:3857 and its aliases 900913, 3785, 102100, 102113).
//
// Axis order follows the GML conventions servers use: the URN and http URI
// forms of a geographic EPSG code (urn:ogc:def:crs:EPSG::4326,
// http://www.opengis.net/def/crs/EPSG/0/4326) are latitude first, as the
// EPSG database defines the axes; the short form EPSG:4326 and the GML 2
// form http://www.opengis.net/gml/srs/epsg.xml#4326 are longitude first (the
// WFS 1.0 / "traditional GIS" order); CRS84 is always longitude first.
// Mercator is always x (east) first.
func parseCRS(name string) (crs, bool) {
	s := strings.ToLower(strings.TrimSpace(name))
	if s == "" {
		return crs{}, false
	}
	for _, p := range []string{"urn:ogc:def:crs:ogc:1.3:", "urn:ogc:def:crs:ogc::", "urn:ogc:def:crs:ogc:",
		"http://www.opengis.net/def/crs/ogc/1.3/", "https://www.opengis.net/def/crs/ogc/1.3/", "ogc:"} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "crs84" || s == "crs:84" {
		return crs{}, true
	}
	code, uri := "", false
	switch {
	case strings.HasPrefix(s, "epsg:"):
		code = s[len("epsg:"):]
	case strings.HasPrefix(s, "http://www.opengis.net/gml/srs/epsg.xml#"):
		code = s[len("http://www.opengis.net/gml/srs/epsg.xml#"):]
	case strings.HasPrefix(s, "urn:ogc:def:crs:epsg:"), strings.HasPrefix(s, "urn:x-ogc:def:crs:epsg:"):
		// urn:ogc:def:crs:EPSG:[version]:code
		rest := s[strings.Index(s, ":epsg:")+len(":epsg:"):]
		if i := strings.LastIndexByte(rest, ':'); i >= 0 {
			rest = rest[i+1:]
		}
		code, uri = rest, true
	case strings.HasPrefix(s, "http://www.opengis.net/def/crs/epsg/"), strings.HasPrefix(s, "https://www.opengis.net/def/crs/epsg/"):
		rest := s[strings.Index(s, "/epsg/")+len("/epsg/"):] // version/code
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			rest = rest[i+1:]
		}
		code, uri = rest, true
	default:
		return crs{}, false
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return crs{}, false
	}
	switch n {
	case 4326, 4258:
		return crs{latFirst: uri}, true
	case 3857, 900913, 3785, 102100, 102113:
		return crs{mercator: true}, true
	}
	return crs{}, false
}

// toLonLat converts one position of c to longitude, latitude.
func (c crs) toLonLat(x, y float64) (lon, lat float64) {
	switch {
	case c.mercator:
		return mercatorToLonLat(x, y)
	case c.latFirst:
		return y, x
	}
	return x, y
}

// convert converts flat XY pairs of c to longitude, latitude in place.
func (c crs) convert(flat []float64) {
	if !c.mercator && !c.latFirst {
		return
	}
	for i := 0; i+1 < len(flat); i += 2 {
		flat[i], flat[i+1] = c.toLonLat(flat[i], flat[i+1])
	}
}

func mercatorToLonLat(x, y float64) (lon, lat float64) {
	lon = x / earthRadius * 180 / math.Pi
	lat = (2*math.Atan(math.Exp(y/earthRadius)) - math.Pi/2) * 180 / math.Pi
	return lon, lat
}

func lonLatToMercator(lon, lat float64) (x, y float64) {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	x = lon * math.Pi / 180 * earthRadius
	y = math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * earthRadius
	return x, y
}

// unitMercator maps lon/lat to the unit square of the Web Mercator world:
// (0, 0) is the north-west corner (lon -180, lat maxLat), (1, 1) the
// south-east one, y growing southwards like image rows. Latitudes are
// clamped to ±maxLat; longitudes outside ±180 map outside [0, 1].
func unitMercator(lon, lat float64) (ux, uy float64) {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	s := math.Sin(lat * math.Pi / 180)
	ux = lon/360 + 0.5
	uy = 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return ux, uy
}

// latOfUnitY is the latitude at unit Mercator y (0 = north edge).
func latOfUnitY(uy float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*uy))) * 180 / math.Pi
}

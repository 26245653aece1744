package wmts

import (
	"math"
	"strconv"
	"strings"
)

// DegreeMeters is the length of one degree on the WGS 84 equator (semi-major
// axis 6378137 m), the metres-per-unit WMTS 07-057r7 uses for geographic
// CRSs (annex E, e.g. GoogleCRS84Quad).
const DegreeMeters = 2 * math.Pi * 6378137 / 360

// EPSGCode returns the EPSG code of a CRS identifier written in any of the
// forms WMTS documents use:
//
//	EPSG:3857
//	urn:ogc:def:crs:EPSG::3857   urn:ogc:def:crs:EPSG:6.18:3857
//	urn:x-ogc:def:crs:EPSG:3857  urn:x-ogc:def:crs:EPSG:6.18:3857
//	http://www.opengis.net/def/crs/EPSG/0/3857 (also https)
//	http://www.opengis.net/gml/srs/epsg.xml#3857
//
// It also returns the ESRI codes 102100/102113 that ArcGIS writes in these
// forms. The match is case-insensitive and ignores surrounding space.
func EPSGCode(crs string) (int, bool) {
	s := strings.ToLower(strings.TrimSpace(crs))
	var num string
	switch {
	case strings.HasPrefix(s, "epsg:"):
		num = s[len("epsg:"):]
	case strings.HasPrefix(s, "urn:ogc:def:crs:epsg:"), strings.HasPrefix(s, "urn:x-ogc:def:crs:epsg:"):
		num = s[strings.LastIndexByte(s, ':')+1:]
	case strings.HasPrefix(s, "http://www.opengis.net/def/crs/epsg/"), strings.HasPrefix(s, "https://www.opengis.net/def/crs/epsg/"):
		num = s[strings.LastIndexByte(s, '/')+1:]
	case strings.HasPrefix(s, "http://www.opengis.net/gml/srs/epsg.xml#"):
		num = s[strings.IndexByte(s, '#')+1:]
	default:
		return 0, false
	}
	if num == "" || len(num) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// IsCRS84 reports whether crs is OGC CRS84 (WGS 84, longitude first):
// CRS:84, OGC:CRS84, urn:ogc:def:crs:OGC:1.3:CRS84, urn:ogc:def:crs:OGC:2:84,
// http://www.opengis.net/def/crs/OGC/1.3/CRS84.
func IsCRS84(crs string) bool {
	s := strings.ToLower(strings.TrimSpace(crs))
	switch s {
	case "crs:84", "ogc:crs84", "crs84", "urn:ogc:def:crs:ogc:2:84", "urn:ogc:def:crs:ogc::crs84":
		return true
	}
	return strings.HasPrefix(s, "urn:ogc:def:crs:ogc:") && strings.HasSuffix(s, ":crs84") ||
		strings.HasPrefix(s, "http://www.opengis.net/def/crs/ogc/") && strings.HasSuffix(s, "/crs84") ||
		strings.HasPrefix(s, "https://www.opengis.net/def/crs/ogc/") && strings.HasSuffix(s, "/crs84")
}

// IsWebMercator reports whether crs is the spherical ("web") Mercator of
// EPSG:3857 under any of its codes: EPSG 3857, 3785, 900913 and ESRI
// 102100, 102113.
func IsWebMercator(crs string) bool {
	code, ok := EPSGCode(crs)
	if !ok {
		return false
	}
	switch code {
	case 3857, 3785, 900913, 102100, 102113:
		return true
	}
	return false
}

// IsGeographic reports whether crs is a geographic CRS in degrees: CRS84 or
// an EPSG geographic code (see NorthingFirst for the ranges).
func IsGeographic(crs string) bool {
	if IsCRS84(crs) {
		return true
	}
	code, ok := EPSGCode(crs)
	return ok && epsgGeographic(code)
}

// MetersPerUnit returns the length of one unit of crs in metres:
// DegreeMeters for a geographic CRS (IsGeographic), 1 for anything else.
// Projected CRSs in feet are not recognised: set
// TileMatrixSet.MetersPerUnit for them.
func MetersPerUnit(crs string) float64 {
	if IsGeographic(crs) {
		return DegreeMeters
	}
	return 1
}

// NorthingFirst reports whether coordinates in crs are written north first
// (latitude before longitude, northing before easting), as the EPSG
// database defines the axis order and as WMTS 07-057r7 (TopLeftCorner,
// ows:BoundingBox) requires. The rules mapvault applies:
//
//   - CRS84 in any form, Web Mercator (3857 and aliases), UTM and every
//     projected CRS not listed below: east first.
//   - EPSG geographic 2D/3D codes: latitude first, whatever the form of the
//     identifier (EPSG:4326 as much as urn:ogc:def:crs:EPSG::4326; GDAL and
//     GeoServer read both that way). These are the ranges 4001-4063,
//     4120-4329 and 4600-4999, plus listed geographic codes outside them
//     (CGCS2000 4490, NAD83(2011) 6318, GDA2020 7844, ...).
//   - Projected CRSs whose EPSG axis order is northing first: SWEREF99
//     (3006-3018), ETRS89/Poland CS2000 and CS92 (2176-2180), ETRS89 LCC
//     and LAEA Europe (3034, 3035), ETRS89/UTM N-E (3040-3051), DHDN/GK
//     (31466-31469), ETRS89/GK FIN (3873-3885), KKJ/Finland (2393),
//     NZTM2000 (2193), Estonia (3301), Latvia (3059), Lithuania (3346),
//     Stereo70 (3844), Korea 2000 unified (5179), Japan plane rectangular
//     JGD2000 (2443-2461) and JGD2011 (6669-6687).
//
// Documents that write a geographic corner longitude first anyway are
// repaired when reading (see Parse), projected ones cannot be.
func NorthingFirst(crs string) bool {
	if IsCRS84(crs) {
		return false
	}
	code, ok := EPSGCode(crs)
	if !ok {
		return false
	}
	return epsgGeographic(code) || epsgNorthingEasting(code)
}

// epsgGeographic reports EPSG geographic 2D/3D CRSs (latitude first).
func epsgGeographic(code int) bool {
	switch {
	case code >= 4001 && code <= 4063,
		code >= 4120 && code <= 4329,
		code >= 4600 && code <= 4999:
		return true
	}
	switch code {
	case 4463, 4470, 4475, 4483, 4490, 4555, 4558, // RGSPM06 ... RRAF 1991
		5252, 5340, 5354, 5360, 5365, 5371, 5373, 5381, 5393, // TUREF, POSGAR 2007, SIRGAS variants
		5489, 5527, 5546, 5886, // RGAF09, SAD69(96), PNG94, TGD2005
		6318, 6322, 6325, 6365, 6668, 6783, // NAD83(2011), PA11, MA11, Mexico ITRF2008, JGD2011, CORS96
		7844, 8086: // GDA2020, ISN2016
		return true
	}
	return false
}

// epsgNorthingEasting reports the projected CRSs listed in NorthingFirst.
func epsgNorthingEasting(code int) bool {
	switch {
	case code >= 3006 && code <= 3018, // SWEREF99 TM and local zones
		code >= 2176 && code <= 2180,   // ETRS89 / Poland CS2000 zones, CS92
		code >= 3040 && code <= 3051,   // ETRS89 / UTM zones 28-39 (N-E)
		code >= 31466 && code <= 31469, // DHDN / 3-degree Gauss-Kruger zones 2-5
		code >= 3873 && code <= 3885,   // ETRS89 / GK19FIN ... GK31FIN
		code >= 2443 && code <= 2461,   // JGD2000 / Japan Plane Rectangular CS I-XIX
		code >= 6669 && code <= 6687:   // JGD2011 / Japan Plane Rectangular CS I-XIX
		return true
	}
	switch code {
	case 3034, 3035, // ETRS89-extended / LCC Europe, LAEA Europe
		2393, // KKJ / Finland Uniform Coordinate System
		2193, // NZGD2000 / New Zealand Transverse Mercator 2000
		3301, // Estonian Coordinate System of 1997
		3059, // LKS92 / Latvia TM
		3346, // LKS94 / Lithuania TM
		3844, // Pulkovo 1942(58) / Stereo70
		5179: // Korea 2000 / Unified CS
		return true
	}
	return false
}

#!/bin/sh
# Smoke check of the vector locations of a running test MapServer (after
# `server.sh up [DIR]`): WFS 2.0 (GeoJSON output, bbox, count/startIndex
# paging), OGC API - Features (landing, collections, items with bbox and a
# `next` link), the key-protected OGC API, and the GeoJSON file behind a
# Bearer token. Prints ok/FAIL (and note) lines; exits non-zero on failures.
#
#   .ci/mapserver/check-features.sh [DIR]
# (the same MS_PORT/MS_KEY environment as server.sh, as for check.sh)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/server.sh" env ${1:+"$1"})"
B=$MAPVAULT_MAPSERVER_URL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-msfeatures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# expect WANT_STATUS WANT_TYPE_PREFIX WANT_BODY_GREP LABEL [curl args...]
# The label is printed instead of the URL so that keys stay out of the output.
# The body is kept in $tmp/body, the headers in $tmp/headers.
expect() {
	want=$1 type=$2 body=$3 label=$4
	shift 4
	got=$(curl -s -D "$tmp/headers" -o "$tmp/body" -w '%{http_code} %{content_type}' "$@") || got="curl-failed"
	status=${got%% *} ctype=${got#* }
	ok=1
	[ "$status" = "$want" ] || ok=0
	case $ctype in "$type"*) ;; *) ok=0 ;; esac
	if [ -n "$body" ] && ! grep -q -- "$body" "$tmp/body"; then ok=0; fi
	if [ $ok = 1 ]; then
		echo "ok   $label: $status $ctype"
	else
		fail "$label: got $status $ctype, want $want $type${body:+ with $body}"
	fi
}

# has LABEL FIXED_STRING: the last body contains FIXED_STRING.
has() {
	if grep -qF -- "$2" "$tmp/body"; then echo "ok   $1"; else fail "$1: no $2"; fi
}

# count PATTERN: occurrences of the fixed string PATTERN in the last body.
count() { grep -oF -- "$1" "$tmp/body" | wc -l | tr -d ' '; }

# names: the "name" properties of the last body, comma-separated, in order.
names() { grep -o '"properties": {[^}]*"name": *"[^"]*"' "$tmp/body" | grep -v 'urn:ogc:def:crs' | sed 's/.*"name": *"\(.*\)"/\1/' | tr '\n' ',' | sed 's/,$//'; }

europe=-1113194,4163881,3339584,8399737
feat="SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:countries"

# --- WFS ---------------------------------------------------------------------
expect 200 text/xml '<wfs:WFS_Capabilities' "WFS 2.0.0 caps" "$B/public/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"
has "WFS caps: GetFeature href on /public/wfs" "xlink:href=\"$B/public/wfs?\""
for t in ms:land ms:countries ms:borders; do has "WFS caps: feature type $t" "<Name>$t</Name>"; done
has "WFS caps: application/json output" "<Format>application/json</Format>"
has "WFS caps: ImplementsResultPaging TRUE" '<ows:Constraint name="ImplementsResultPaging">'
expect 200 text/xml 'WFS_Capabilities' "WFS 1.1.0 caps" "$B/public/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0"
expect 200 application/json '"FeatureCollection"' "WFS GetFeature GeoJSON, bbox EPSG:3857, count 5" \
	"$B/public/wfs?$feat&COUNT=5&SRSNAME=EPSG:3857&BBOX=$europe,EPSG:3857&OUTPUTFORMAT=application/json"
n=$(count '"type": "Feature"')
[ "$n" = 5 ] && echo "ok   5 features" || fail "GetFeature count=5 gave $n features"
has "GeoJSON in EPSG:3857 (crs member)" 'urn:ogc:def:crs:EPSG::3857'
expect 200 application/json '"FeatureCollection"' "WFS page 1 (count 3, startIndex 0)" \
	"$B/public/wfs?$feat&COUNT=3&STARTINDEX=0&SRSNAME=EPSG:3857&BBOX=$europe,EPSG:3857&OUTPUTFORMAT=application/json"
p1=$(names)
expect 200 application/json '"FeatureCollection"' "WFS page 2 (count 3, startIndex 3)" \
	"$B/public/wfs?$feat&COUNT=3&STARTINDEX=3&SRSNAME=EPSG:3857&BBOX=$europe,EPSG:3857&OUTPUTFORMAT=application/json"
p2=$(names)
if [ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]; then echo "ok   pages differ: [$p1] then [$p2]"; else fail "paging: [$p1] then [$p2]"; fi
expect 200 text/xml 'numberMatched="42"' "WFS resultType=hits over Europe: numberMatched 42" \
	"$B/public/wfs?$feat&RESULTTYPE=hits&BBOX=$europe,EPSG:3857"
expect 200 text/xml 'gml:id="countries.250"' "WFS GML 3.2 with feature ids (France = countries.250)" \
	"$B/public/wfs?$feat&COUNT=50&BBOX=$europe,EPSG:3857"
# Axis order: WFS 2.0 reads an EPSG:4326 BBOX as lat,lon (also the short form).
expect 200 application/json '"France"' "WFS bbox 40,-5,52,10,EPSG:4326 is lat/lon (France)" \
	"$B/public/wfs?$feat&COUNT=50&BBOX=40,-5,52,10,EPSG:4326&OUTPUTFORMAT=application/json"
expect 401 text/html "" "key WFS, no authkey" "$B/key/wfs?SERVICE=WFS&REQUEST=GetCapabilities"
expect 200 text/xml '<wfs:WFS_Capabilities' "key WFS caps" "$B/key/wfs?SERVICE=WFS&REQUEST=GetCapabilities&authkey=$MS_KEY"
has "key WFS caps: href on /key/wfs, no key" "xlink:href=\"$B/key/wfs?\""

# --- OGC API - Features --------------------------------------------------------
F=$B/features/ogcapi
expect 200 application/json '"links"' "OGC API landing" "$F"
has "landing: self link on the front" "\"href\":\"$F?f=json\""
has "landing: data link" "\"href\":\"$F/collections?f=json\""
expect 200 application/json 'ogcapi-features-1/1.0/conf/core' "OGC API conformance" "$F/conformance"
expect 200 application/json '"id":"countries"' "OGC API collections" "$F/collections"
has "collections: items link" "\"href\":\"$F/collections/countries/items?f=json\""
expect 200 application/json '"id":"countries"' "OGC API collection countries" "$F/collections/countries"
expect 200 application/json '"FeatureCollection"' "OGC API items bbox + limit 10" "$F/collections/countries/items?bbox=-10,35,30,60&limit=10"
n=$(count '"type":"Feature"')
[ "$n" = 10 ] && echo "ok   10 features" || fail "items limit=10 gave $n features"
has "items: numberMatched 42" '"numberMatched":42'
has "items: next link (offset 10, no bbox: MapServer 8.0.0 drops it)" "\"href\":\"$F/collections/countries/items?f=json&limit=10&offset=10\""
expect 200 application/json '"numberMatched":177' "OGC API next link (the whole collection)" "$F/collections/countries/items?f=json&limit=10&offset=10"
expect 200 application/json '"France"' "OGC API item 250" "$F/collections/countries/items/250"
if grep -q '"coordinates":\[\[\[\[-51.6587,4.1558\]' "$tmp/body" && [ "$(grep -o '\[\[-51.6587,4.1558\]' "$tmp/body" | wc -l)" -gt 1 ]; then
	echo "note MapServer 8.0.0 bug: OGC API MultiPolygons repeat every outer ring in every polygon (France: 3 polygons x 3 rings)"
fi
expect 200 text/html '<html' "OGC API items as HTML" "$F/collections/countries/items?bbox=-10,35,30,60&limit=10&f=html"
expect 404 application/json 'NotFound' "OGC API unknown collection" "$F/collections/nope/items"

K=$B/keyfeatures/ogcapi
expect 401 text/html "" "key OGC API, no key" "$K"
expect 401 text/html "" "key OGC API, bad key" "$K?key=bad"
expect 200 application/json '"links"' "key OGC API landing" "$K?key=$MS_KEY"
has "key landing: links on /keyfeatures, no key" "\"href\":\"$K?f=json\""
expect 200 application/json '"FeatureCollection"' "key OGC API items bbox + limit 10" "$K/collections/countries/items?bbox=-10,35,30,60&limit=10&key=$MS_KEY"
has "key items: next link without the key" "\"href\":\"$K/collections/countries/items?f=json&limit=10&offset=10\""
if grep -q -- "$MS_KEY" "$tmp/body"; then fail "key OGC API echoes the key"; fi
expect 401 text/html "" "key OGC API next link as given (no key)" "$K/collections/countries/items?f=json&limit=10&offset=10"

# --- GeoJSON files -------------------------------------------------------------
expect 200 application/geo+json '"FeatureCollection"' "public GeoJSON" "$B/public/countries.geojson"
printf 'Authorization: Bearer %s\n' "$MS_KEY" >"$tmp/bearer.h"
printf 'Authorization: Bearer bad\n' >"$tmp/bad.h"
expect 401 text/html "" "bearer GeoJSON, none" "$B/bearer/countries.geojson"
grep -qi '^WWW-Authenticate: Bearer realm="mapvault test"' "$tmp/headers" && echo "ok   WWW-Authenticate: Bearer" || fail "no WWW-Authenticate: Bearer"
expect 401 text/html "" "bearer GeoJSON, bad token" -H "@$tmp/bad.h" "$B/bearer/countries.geojson"
expect 200 application/geo+json '"FeatureCollection"' "bearer GeoJSON" -H "@$tmp/bearer.h" "$B/bearer/countries.geojson"
n=$(count '"type":"Feature"')
[ "$n" = 177 ] && echo "ok   177 features" || fail "bearer GeoJSON has $n features"

if [ $fails -ne 0 ]; then
	echo "check-features.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check-features.sh: all checks passed"

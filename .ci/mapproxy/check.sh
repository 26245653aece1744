#!/bin/sh
# Smoke check of a running MapProxy front (after `server.sh up [DIR]`): WMTS
# capabilities (KVP and RESTful) advertising the front, GetTile (KVP and REST),
# XYZ (/tiles) and TMS (/tms/1.0.0) tiles and their coordinate conventions,
# the EPSG4326 set, and the /keytiles/ key front. Prints ok/FAIL lines and
# exits non-zero if any check failed.
#
#   .ci/mapproxy/check.sh [DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/server.sh" env ${1:+"$1"})"
M=$MAPVAULT_MAPPROXY_URL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-mpcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# expect WANT_STATUS WANT_TYPE_PREFIX WANT_BODY_GREP LABEL URL
# The label is printed instead of the URL so that keys stay out of the output.
# The body is kept in $tmp/body.
expect() {
	want=$1 type=$2 body=$3 label=$4
	shift 4
	got=$(curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' "$@") || got="curl-failed"
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

# png_is_256 LABEL: the last body is a 256x256 PNG.
png_is_256() {
	if head -c 24 "$tmp/body" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a0000000d4948445200000100' &&
		[ "$(od -An -tx1 -j 20 -N 4 "$tmp/body" | tr -d ' \n')" = 00000100 ]; then
		echo "ok   $1: 256x256 PNG"
	else
		fail "$1: not a 256x256 PNG"
	fi
}

# pixel FILE X Y: "r,g,b,a" of a pixel (0..255; ImageMagick expands palettes).
pixel() {
	convert "$1" -alpha on -depth 8 -format '%[fx:int(255*p{'"$2,$3"'}.r)],%[fx:int(255*p{'"$2,$3"'}.g)],%[fx:int(255*p{'"$2,$3"'}.b)],%[fx:int(255*p{'"$2,$3"'}.a)]' info: 2>/dev/null
}

same() { # same LABEL FILE1 FILE2
	if cmp -s "$2" "$3"; then echo "ok   $1"; else fail "$1: the two tiles differ"; fi
}

W=GLOBAL_WEBMERCATOR
rest_caps=$M/mapproxy/wmts/1.0.0/WMTSCapabilities.xml
kvp_caps="$M/mapproxy/service?SERVICE=WMTS&REQUEST=GetCapabilities&VERSION=1.0.0"

# Capabilities advertise the front and the X-Script-Name prefix, never the gunicorn port.
expect 200 application/xml '<Capabilities' "WMTS caps REST" "$rest_caps"
grep -q "template=\"$M/mapproxy/wmts/basemap/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png\"" "$tmp/body" &&
	echo "ok   REST caps ResourceURL on the front" || fail "REST caps ResourceURL: $(grep -o 'template="[^"]*"' "$tmp/body" | head -n 1)"
for id in basemap land countries borders; do
	grep -q "<ows:Identifier>$id</ows:Identifier>" "$tmp/body" || fail "REST caps lack layer $id"
done
for set in GLOBAL_WEBMERCATOR EPSG4326; do
	grep -q "<TileMatrixSet>$set</TileMatrixSet>" "$tmp/body" || fail "REST caps lack TileMatrixSet $set"
done
# MapProxy writes the EPSG:4326 top-left corner lat/lon, with the short CRS form.
grep -q '<TopLeftCorner>90.0 -180.0</TopLeftCorner>' "$tmp/body" && grep -q '<ows:SupportedCRS>EPSG:4326</ows:SupportedCRS>' "$tmp/body" &&
	echo "ok   EPSG4326 set: SupportedCRS EPSG:4326, TopLeftCorner 90.0 -180.0 (lat/lon)" || fail "EPSG4326 top-left corner/CRS changed"
# Tile matrix identifiers are zero-padded: 00, 01, ... 19.
grep -q '<ows:Identifier>03</ows:Identifier>' "$tmp/body" &&
	echo "ok   TileMatrix identifiers are zero-padded (03)" || fail "TileMatrix identifiers are not 00..19"
expect 200 application/xml '<Capabilities' "WMTS caps KVP" "$kvp_caps"
grep -q "xlink:href=\"$M/mapproxy/service?\"" "$tmp/body" &&
	echo "ok   KVP caps GetTile href on the front" || fail "KVP caps href: $(grep -o 'xlink:href="[^"]*service[^"]*"' "$tmp/body" | head -n 1)"
others=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/body" | sort -u | grep -vxF "$M" || true)
[ -z "$others" ] && echo "ok   KVP caps name no other origin" || fail "KVP caps name other origins: $others"

# One tile, four ways: z=3, column 4, row 2 from the north (Europe).
expect 200 image/png "" "GetTile KVP" "$M/mapproxy/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=basemap&STYLE=default&TILEMATRIXSET=$W&TILEMATRIX=03&TILEROW=2&TILECOL=4&FORMAT=image/png"
png_is_256 "GetTile KVP"
cp "$tmp/body" "$tmp/kvp.png"
expect 200 image/png "" "GetTile REST" "$M/mapproxy/wmts/basemap/$W/03/4/2.png"
cp "$tmp/body" "$tmp/rest.png"
expect 200 image/png "" "XYZ /tiles z/x/y" "$M/mapproxy/tiles/basemap/$W/3/4/2.png"
cp "$tmp/body" "$tmp/xyz.png"
same "KVP, REST and XYZ give the same tile" "$tmp/kvp.png" "$tmp/rest.png"
same "REST and XYZ give the same tile" "$tmp/rest.png" "$tmp/xyz.png"
# TMS: MapProxy's global-mercator profile starts at 2x2 tiles (TMS z = XYZ
# z - 1) and rows count from the south: XYZ 3/4/2 is TMS 2/4/(8-1-2)=2/4/5.
expect 200 image/png "" "TMS /tms/1.0.0 z-1/x/flipped y" "$M/mapproxy/tms/1.0.0/basemap/$W/2/4/5.png"
same "TMS 2/4/5 is XYZ 3/4/2" "$tmp/xyz.png" "$tmp/body"
expect 200 image/png "" "XYZ /tiles ?origin=sw" "$M/mapproxy/tiles/basemap/$W/3/4/5.png?origin=sw"
same "/tiles 3/4/5?origin=sw is 3/4/2" "$tmp/xyz.png" "$tmp/body"
expect 200 text/xml '<TileMap ' "TMS tile map resource" "$M/mapproxy/tms/1.0.0/basemap/$W"
grep -q "href=\"$M/mapproxy/tms/1.0.0/basemap/$W/0\" units-per-pixel=\"78271.51696402048\"" "$tmp/body" &&
	echo "ok   TMS level 0 is 78271.5 m/px (XYZ level 1)" || fail "TMS level 0: $(grep -o '<TileSet [^>]*order="0"' "$tmp/body")"
expect 200 text/xml '<TileMapService' "TMS root" "$M/mapproxy/tms/1.0.0/"

# Content: Germany (lon 10, lat 51) is opaque land, the Norwegian Sea (lon 2, lat 64) is transparent.
if command -v convert >/dev/null 2>&1; then
	land=$(pixel "$tmp/xyz.png" 57 173)
	sea=$(pixel "$tmp/xyz.png" 11 34)
	case $land in *,255) echo "ok   Germany pixel is opaque: $land" ;; *) fail "Germany pixel: $land" ;; esac
	case $sea in *,0) echo "ok   Norwegian Sea pixel is transparent: $sea" ;; *) fail "Norwegian Sea pixel: $sea" ;; esac
else
	echo "skip pixel checks (no ImageMagick convert)"
fi

# The EPSG:4326 set: level 0 is 2x1 tiles; level 2 column 4 row 1 is Europe.
expect 200 image/png "" "EPSG4326 REST tile" "$M/mapproxy/wmts/basemap/EPSG4326/02/4/1.png"
png_is_256 "EPSG4326 REST tile"
# Out of range: /tiles answers 404 (an XYZ client's "no tile"), WMTS 400 + OWS exception.
expect 404 text/plain "outside the bounding box" "XYZ tile outside the grid" "$M/mapproxy/tiles/basemap/$W/3/9/2.png"
expect 400 text/xml TileOutOfRange "WMTS REST tile outside the grid" "$M/mapproxy/wmts/basemap/$W/03/9/2.png"

# Key front: everything under /keytiles/ needs ?key=; advertised URLs carry no key.
expect 401 text/html "" "keytiles caps, no key" "$M/keytiles/wmts/1.0.0/WMTSCapabilities.xml"
expect 401 text/html "" "keytiles caps, bad key" "$M/keytiles/wmts/1.0.0/WMTSCapabilities.xml?key=bad"
expect 200 application/xml '<Capabilities' "keytiles caps" "$M/keytiles/wmts/1.0.0/WMTSCapabilities.xml?key=$MAPPROXY_KEY"
grep -q "template=\"$M/keytiles/wmts/basemap/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png\"" "$tmp/body" &&
	echo "ok   keytiles ResourceURL on /keytiles/, without the key" || fail "keytiles ResourceURL: $(grep -o 'template="[^"]*"' "$tmp/body" | head -n 1)"
if grep -q -- "$MAPPROXY_KEY" "$tmp/body"; then fail "keytiles capabilities echo the key"; fi
expect 401 text/html "" "keytiles REST tile, no key" "$M/keytiles/wmts/basemap/$W/03/4/2.png"
expect 200 image/png "" "keytiles REST tile" "$M/keytiles/wmts/basemap/$W/03/4/2.png?key=$MAPPROXY_KEY"
same "keytiles tile is the open tile" "$tmp/rest.png" "$tmp/body"
expect 401 text/html "" "keytiles XYZ tile, no key" "$M/keytiles/tiles/basemap/$W/3/4/2.png"
expect 200 image/png "" "keytiles XYZ tile" "$M/keytiles/tiles/basemap/$W/3/4/2.png?key=$MAPPROXY_KEY"
expect 401 text/html "" "keytiles TMS tile, no key" "$M/keytiles/tms/1.0.0/basemap/$W/2/4/5.png"
expect 200 image/png "" "keytiles TMS tile" "$M/keytiles/tms/1.0.0/basemap/$W/2/4/5.png?key=$MAPPROXY_KEY"
expect 401 text/html "" "keytiles KVP GetTile, no key" "$M/keytiles/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=basemap&STYLE=default&TILEMATRIXSET=$W&TILEMATRIX=03&TILEROW=2&TILECOL=4&FORMAT=image/png"
expect 200 image/png "" "keytiles KVP GetTile" "$M/keytiles/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=basemap&STYLE=default&TILEMATRIXSET=$W&TILEMATRIX=03&TILEROW=2&TILECOL=4&FORMAT=image/png&key=$MAPPROXY_KEY"
expect 404 text/html "" "anything else" "$M/wmts/1.0.0/WMTSCapabilities.xml"

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

#!/bin/sh
# Checks the GDAL peers against the running CI servers: the same EPSG:3857
# view rendered through WMTS (REST and KVP), XYZ, TMS and the key front must
# be pixel-identical; the wrong zoom or row direction must not be; features
# burnt from WFS and from the GeoJSON files must agree. Prints ok/FAIL/note
# lines with the elapsed seconds of each render; exits non-zero on failures.
#
#   eval "$(.ci/mapserver/server.sh env [DIR])"; eval "$(.ci/mapproxy/server.sh env [DIR])"
#   .ci/gdal/check.sh
# Needs gdal-bin and ImageMagick (compare).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${MAPVAULT_MAPSERVER_URL:?eval \"\$(.ci/mapserver/server.sh env)\" first}"
: "${MAPVAULT_MAPPROXY_URL:?eval \"\$(.ci/mapproxy/server.sh env)\" first}"
: "${MS_KEY:?MS_KEY not set}"
: "${MAPPROXY_KEY:?MAPPROXY_KEY not set}"
B=$MAPVAULT_MAPSERVER_URL M=$MAPVAULT_MAPPROXY_URL
command -v compare >/dev/null 2>&1 || { echo "check.sh: ImageMagick compare not found (apt-get install imagemagick)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-gdalcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# Europe in EPSG:3857 at 512x512 (GDAL reads zoom 5 and downsamples).
W=512 H=512
box="-1113194 4163881 3339584 8399737"

# run LABEL OUT SCRIPT ARGS...: run a peer script, print its time.
run() {
	label=$1 out=$2
	shift 2
	if t=$("$@" 2>"$tmp/err"); then
		echo "ok   $label: ${t}s"
	else
		fail "$label: $(head -n 3 "$tmp/err" | tr '\n' ' ')"
		rm -f "$out"
	fi
}

# differing A B: number of pixels that differ (ImageMagick AE), -1 if unreadable.
differing() {
	[ -f "$1" ] && [ -f "$2" ] || { echo -1; return; }
	compare -metric AE "$1" "$2" null: 2>&1 | awk '{print int($1)}' || true
}

# shellcheck disable=SC2086 # $box is four numbers
{
	run "WMTS REST (wmts.sh)" "$tmp/wmts.png" "$here/wmts.sh" "$M/mapproxy/wmts/1.0.0/WMTSCapabilities.xml" basemap $W $H $box "$tmp/wmts.png"
	run "WMTS KVP (wmts.sh)" "$tmp/kvp.png" "$here/wmts.sh" "$M/mapproxy/service?SERVICE=WMTS&REQUEST=GetCapabilities" basemap $W $H $box "$tmp/kvp.png"
	run "XYZ /tiles (xyz.sh)" "$tmp/xyz.png" "$here/xyz.sh" "$M/mapproxy/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png" $W $H $box "$tmp/xyz.png"
	run "XYZ key front, key in the template (xyz.sh)" "$tmp/xyzkey.png" "$here/xyz.sh" "$M/keytiles/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png?key=$MAPPROXY_KEY" $W $H $box "$tmp/xyzkey.png"
	run "WMTS REST key front as a template (xyz.sh)" "$tmp/restkey.png" "$here/xyz.sh" "$M/keytiles/wmts/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png?key=$MAPPROXY_KEY" $W $H $box "$tmp/restkey.png"
	run "TMS /tms/1.0.0 2x2 at z0, {-y} (xyz.sh)" "$tmp/tms.png" env XYZ_TILE_COUNT=2 XYZ_MAX_ZOOM=18 "$here/xyz.sh" "$M/mapproxy/tms/1.0.0/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{-y}.png" $W $H $box "$tmp/tms.png"
	run "TMS read as if level 0 were 1 tile (wrong zoom)" "$tmp/tmszoom.png" "$here/xyz.sh" "$M/mapproxy/tms/1.0.0/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{-y}.png" $W $H $box "$tmp/tmszoom.png"
	run "XYZ read with TMS rows (wrong row direction)" "$tmp/flip.png" "$here/xyz.sh" "$M/mapproxy/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{-y}.png" $W $H $box "$tmp/flip.png"
	run "WMTS EPSG4326 set, warped to EPSG:3857 (wmts.sh)" "$tmp/wmts4326.png" env WMTS_MATRIX_SET=EPSG4326 WMTS_WARP=1 WMTS_FIX_4326=1 "$here/wmts.sh" "$M/mapproxy/wmts/1.0.0/WMTSCapabilities.xml" basemap $W $H $box "$tmp/wmts4326.png"
}

for f in kvp xyz xyzkey restkey tms; do
	d=$(differing "$tmp/wmts.png" "$tmp/$f.png")
	[ "$d" = 0 ] && echo "ok   $f == WMTS REST" || fail "$f differs from WMTS REST in $d pixels"
done
for f in tmszoom flip; do
	d=$(differing "$tmp/wmts.png" "$tmp/$f.png")
	[ "$d" -gt 10000 ] && echo "ok   $f differs from WMTS REST in $d pixels" || fail "$f: only $d pixels differ"
done
# Resampled from lat/lon tiles: close, not identical.
d=$(compare -metric AE -fuzz 10% "$tmp/wmts.png" "$tmp/wmts4326.png" null: 2>&1 | awk '{print int($1)}' || true)
[ -n "$d" ] && [ "$d" -ge 0 ] && [ "$d" -lt 26214 ] && echo "ok   EPSG4326 render within 10% of EPSG:3857 ($d pixels off by > 10%)" || fail "EPSG4326 render: $d pixels off"

# GDAL's WMTS driver drops ?key= from tile URLs: the key front fails.
# shellcheck disable=SC2086
if "$here/wmts.sh" "$M/keytiles/wmts/1.0.0/WMTSCapabilities.xml?key=$MAPPROXY_KEY" basemap $W $H $box "$tmp/wmtskey.png" >/dev/null 2>"$tmp/err"; then
	echo "note GDAL's WMTS driver kept ?key= on tile URLs (newer GDAL?)"
else
	grep -q 'HTTP status code: 401' "$tmp/err" && echo "ok   GDAL WMTS on the key front: 401 on tiles (key dropped)" || fail "GDAL WMTS on the key front: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
fi

# Features: WFS, the open GeoJSON and the Bearer GeoJSON burn the same pixels.
# shellcheck disable=SC2086
{
	run "rasterize WFS ms:countries" "$tmp/wfs.png" "$here/rasterize.sh" "WFS:$B/public/wfs" ms:countries $W $H $box "$tmp/wfs.png"
	run "rasterize GeoJSON" "$tmp/geojson.png" "$here/rasterize.sh" "$B/public/countries.geojson" countries $W $H $box "$tmp/geojson.png"
	run "rasterize Bearer GeoJSON" "$tmp/bearer.png" env GDAL_HTTP_HEADERS="Authorization: Bearer $MS_KEY" "$here/rasterize.sh" "$B/bearer/countries.geojson" countries $W $H $box "$tmp/bearer.png"
	run "rasterize OGC API (GDAL OAPIF)" "$tmp/oapif.png" "$here/rasterize.sh" "OAPIF:$B/features/ogcapi" countries $W $H $box "$tmp/oapif.png"
	run "rasterize key OGC API (GDAL carries ?key= to next links)" "$tmp/oapifkey.png" "$here/rasterize.sh" "OAPIF:$B/keyfeatures/ogcapi?key=$MS_KEY" countries $W $H $box "$tmp/oapifkey.png"
}
for f in geojson bearer; do
	d=$(differing "$tmp/wfs.png" "$tmp/$f.png")
	[ "$d" = 0 ] && echo "ok   $f == WFS" || fail "$f differs from WFS in $d pixels"
done
d=$(differing "$tmp/oapif.png" "$tmp/oapifkey.png")
[ "$d" = 0 ] && echo "ok   key OGC API == OGC API" || fail "key OGC API differs from OGC API in $d pixels"
d=$(differing "$tmp/wfs.png" "$tmp/oapif.png")
if [ "$d" = 0 ]; then
	echo "note OGC API == WFS (MapServer's MultiPolygon output is fixed?)"
else
	echo "note OGC API differs from WFS in $d pixels: MapServer 8.0.0 repeats every outer ring in every polygon of a MultiPolygon, GDAL's bbox filter (GEOS) drops those invalid features (France, Norway, Russia)"
fi

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

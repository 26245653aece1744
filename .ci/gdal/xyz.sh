#!/bin/sh
# Render a view in EPSG:3857 from XYZ / TMS tiles through GDAL's TMS
# mini-driver (<GDAL_WMS><Service name="TMS">): the peer client that mapvault's
# XYZ layers are compared with (see README.md in this folder).
#
#   .ci/gdal/xyz.sh TEMPLATE WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png
#
# TEMPLATE is a tile URL with {z} {x} {y} (XYZ, rows from the north) or {-y}
# (TMS, rows from the south); GDAL's own ${z} ${x} ${y} also work. A key in
# the query string stays in every tile URL, e.g.
#   'http://127.0.0.1:PORT/keytiles/tiles/basemap/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png?key=KEY'
# (quote it: the shell would expand ${z}). The box is in EPSG:3857 metres.
# Prints the elapsed seconds of the gdal_translate run on stdout.
#
# Optional environment:
#   XYZ_MAX_ZOOM      deepest level of the template (default 19)
#   XYZ_TILE_COUNT    tiles per side at the template's level 0 (default 1;
#                     2 for MapProxy's /tms/1.0.0/LAYER/GLOBAL_WEBMERCATOR/{z}/{x}/{-y}.png,
#                     whose z is the XYZ zoom - 1; then XYZ_MAX_ZOOM=18)
#   XYZ_YORIGIN       top | bottom (default: bottom with {-y}, else top)
#   RENDER_MAX_CONNECTIONS  parallel tile requests (default 2)
#   RENDER_TIMEOUT    per-request timeout in seconds (default 30)
#   RENDER_RESAMPLING gdal_translate -r (default nearest)
# A 404 or 204 tile is empty (transparent), not an error. No disk cache, no
# retries. Header credentials: GDAL_HTTP_HEADERS='Authorization: Bearer ...'.
set -eu

if [ $# -ne 8 ]; then
	echo "usage: $0 TEMPLATE WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png" >&2
	exit 2
fi
template=$1 width=$2 height=$3 minx=$4 miny=$5 maxx=$6 maxy=$7 out=$8
here=$(cd "$(dirname "$0")" && pwd)

command -v gdal_translate >/dev/null 2>&1 || {
	echo "xyz.sh: gdal_translate not found (apt-get install gdal-bin)" >&2
	exit 1
}
for n in "$width" "$height"; do
	case $n in '' | *[!0-9]*) echo "xyz.sh: WIDTH and HEIGHT must be positive integers" >&2; exit 2 ;; esac
done
for n in "$minx" "$miny" "$maxx" "$maxy"; do
	case $n in '' | *[!0-9eE.+-]*) echo "xyz.sh: MINX MINY MAXX MAXY must be numbers" >&2; exit 2 ;; esac
done

yorigin=top
case $template in *'{-y}'*) yorigin=bottom ;; esac
yorigin=${XYZ_YORIGIN:-$yorigin}
case $yorigin in top | bottom) ;; *) echo "xyz.sh: XYZ_YORIGIN must be top or bottom" >&2; exit 2 ;; esac
level=${XYZ_MAX_ZOOM:-19} count=${XYZ_TILE_COUNT:-1}
for n in "$level" "$count"; do
	case $n in '' | *[!0-9]*) echo "xyz.sh: XYZ_MAX_ZOOM and XYZ_TILE_COUNT must be integers" >&2; exit 2 ;; esac
done
case $template in *'{z}'* | *'${z}'*) ;; *) echo "xyz.sh: TEMPLATE has no {z}" >&2; exit 2 ;; esac

# {z} {x} {y} {-y} -> GDAL's ${z} ${x} ${y} (the row direction is YOrigin).
server_url=$(printf '%s' "$template" | sed -e 's/\$\?{z}/${z}/g' -e 's/\$\?{x}/${x}/g' -e 's/\$\?{-y}/${y}/g' -e 's/\$\?{y}/${y}/g')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-gdal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# xmlesc: escape a value for XML text content.
xmlesc() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

# The description may hold a key from TEMPLATE: it lives in the 0700 temp dir only.
T_SERVER_URL=$(xmlesc "$server_url") T_TILE_LEVEL=$level T_TILE_COUNT=$count T_YORIGIN=$yorigin \
	T_MAX_CONNECTIONS=${RENDER_MAX_CONNECTIONS:-2} T_TIMEOUT=${RENDER_TIMEOUT:-30} \
	sh "$here/../fill-template" "$here/xyz.xml.in" "$tmp/xyz.xml" \
	SERVER_URL TILE_LEVEL TILE_COUNT YORIGIN MAX_CONNECTIONS TIMEOUT

start=$(date +%s%N)
rc=0
GDAL_DEFAULT_WMS_CACHE_PATH=$tmp/cache \
	GDAL_ENABLE_WMS_CACHE=NO \
	GDAL_HTTP_MAX_RETRY=0 \
	GDAL_PAM_ENABLED=NO \
	gdal_translate -q -of PNG -outsize "$width" "$height" \
	-r "${RENDER_RESAMPLING:-nearest}" \
	-projwin "$minx" "$maxy" "$maxx" "$miny" \
	"$tmp/xyz.xml" "$out" >"$tmp/gdal.log" 2>&1 || rc=$?
end=$(date +%s%N)
if [ $rc -ne 0 ] || grep -q '^ERROR' "$tmp/gdal.log"; then
	echo "xyz.sh: gdal_translate failed:" >&2
	sed -e 's/\([?&]\(key\|authkey\|access_token\|apikey\|api_key\|token\|tk\)=\)[^&[:space:]]*/\1REDACTED/g' "$tmp/gdal.log" | grep -v '^<\|^$' | head -n 20 >&2
	rm -f "$out"
	exit 1
fi
# Elapsed seconds with millisecond precision.
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'

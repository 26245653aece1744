#!/bin/sh
# Render a view in EPSG:3857 through GDAL's WMS driver: the peer client that
# mapvault's tile pipeline is compared with.
#
#   bench/gdal/render.sh URL LAYERS WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png
#
# URL is the WMS endpoint (e.g. http://127.0.0.1:18080/public/wms), LAYERS a
# comma-separated list, the box is in EPSG:3857 metres. Prints the elapsed
# seconds of the gdal_translate run (requests + decode + encode) on stdout.
#
# GDAL keeps no disk cache (no <Cache> element; GDAL_DEFAULT_WMS_CACHE_PATH
# points at a temp dir removed afterwards) and does not retry
# (GDAL_HTTP_MAX_RETRY=0). Optional environment:
#   RENDER_MAX_CONNECTIONS  parallel GetMap requests (GDAL's default: 2)
#   RENDER_TIMEOUT          per-request timeout in seconds (default 30)
#   RENDER_RESAMPLING       gdal_translate -r (default nearest)
#   RENDER_STYLES           comma-separated STYLES, one per layer (default:
#                           empty, every layer's default style)
# Credentials go through GDAL's own environment, never argv:
#   GDAL_HTTP_AUTH=BASIC GDAL_HTTP_USERPWD=user:password, or
#   GDAL_HTTP_HEADERS='X-API-Key: ...' (GDAL >= 3.6).
set -eu

if [ $# -ne 9 ]; then
	echo "usage: $0 URL LAYERS WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png" >&2
	exit 2
fi
url=$1 layers=$2 width=$3 height=$4 minx=$5 miny=$6 maxx=$7 maxy=$8 out=$9
here=$(cd "$(dirname "$0")" && pwd)

command -v gdal_translate >/dev/null 2>&1 || {
	echo "render.sh: gdal_translate not found (apt-get install gdal-bin)" >&2
	exit 1
}
for n in "$width" "$height"; do
	case $n in '' | *[!0-9]*) echo "render.sh: WIDTH and HEIGHT must be positive integers" >&2; exit 2 ;; esac
done
for n in "$minx" "$miny" "$maxx" "$maxy"; do
	case $n in '' | *[!0-9eE.+-]*) echo "render.sh: MINX MINY MAXX MAXY must be numbers" >&2; exit 2 ;; esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-gdal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# xmlesc: escape a value for XML text content.
xmlesc() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

# The description may hold a key from URL: it lives in the 0700 temp dir only.
T_SERVER_URL=$(xmlesc "$url") T_LAYERS=$(xmlesc "$layers") T_STYLES=$(xmlesc "${RENDER_STYLES:-}") \
	T_MAX_CONNECTIONS=${RENDER_MAX_CONNECTIONS:-2} T_TIMEOUT=${RENDER_TIMEOUT:-30} \
	sh "$here/../../.ci/fill-template" "$here/wms.xml.in" "$tmp/wms.xml" SERVER_URL LAYERS STYLES MAX_CONNECTIONS TIMEOUT

start=$(date +%s%N)
GDAL_DEFAULT_WMS_CACHE_PATH=$tmp/cache \
	GDAL_ENABLE_WMS_CACHE=NO \
	GDAL_HTTP_MAX_RETRY=0 \
	GDAL_PAM_ENABLED=NO \
	gdal_translate -q -of PNG -outsize "$width" "$height" \
	-r "${RENDER_RESAMPLING:-nearest}" \
	-projwin "$minx" "$maxy" "$maxx" "$miny" \
	"$tmp/wms.xml" "$out" >"$tmp/gdal.log" 2>&1 || {
	echo "render.sh: gdal_translate failed:" >&2
	sed 's/authkey=[^&[:space:]]*/authkey=REDACTED/g' "$tmp/gdal.log" >&2
	rm -f "$out"
	exit 1
}
end=$(date +%s%N)
# Elapsed seconds with millisecond precision.
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'

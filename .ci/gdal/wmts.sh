#!/bin/sh
# Render a view in EPSG:3857 through GDAL's WMTS driver: the peer client that
# mapvault's WMTS layers are compared with (see README.md in this folder).
#
#   .ci/gdal/wmts.sh CAPS_URL LAYER WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png
#
# CAPS_URL is the WMTS GetCapabilities URL, RESTful
# (http://127.0.0.1:PORT/mapproxy/wmts/1.0.0/WMTSCapabilities.xml) or KVP
# (http://127.0.0.1:PORT/mapproxy/service?SERVICE=WMTS&REQUEST=GetCapabilities).
# GDAL uses the layer's ResourceURL template when the capabilities have one,
# else KVP GetTile. The box is in EPSG:3857 metres. Prints the elapsed seconds
# of the render (capabilities + tiles + decode + encode) on stdout.
#
# Runs: gdal_translate -of PNG -outsize W H -projwin MINX MAXY MAXX MINY \
#         "WMTS:CAPS_URL,layer=LAYER[,tilematrixset=SET][,style=STYLE]" OUT.png
# (gdalwarp -t_srs EPSG:3857 -te ... -ts W H instead when WMTS_WARP=1, for a
# tile matrix set that is not in EPSG:3857, e.g. MapProxy's EPSG4326).
#
# GDAL keeps no disk cache (GDAL_ENABLE_WMS_CACHE=NO; its cache path is a temp
# dir removed afterwards) and does not retry (GDAL_HTTP_MAX_RETRY=0).
# Optional environment:
#   WMTS_MATRIX_SET   tile matrix set (default: GLOBAL_WEBMERCATOR)
#   WMTS_STYLE        style (default: the layer's default)
#   WMTS_WARP         1: gdalwarp to EPSG:3857 (default 0: gdal_translate)
#   WMTS_FIX_4326     1: fetch the capabilities with curl and rewrite
#                     <ows:SupportedCRS>EPSG:4326</ows:SupportedCRS> to
#                     urn:ogc:def:crs:EPSG::4326 before GDAL reads them. GDAL
#                     3.6 reads a TopLeftCorner of a set whose CRS is the
#                     short "EPSG:4326" as lon/lat, while MapProxy (rightly,
#                     per WMTS 1.0.0) writes lat/lon "90.0 -180.0": without
#                     the fix GDAL asks for tiles like 04/-9/-22 (400 from
#                     MapProxy). GDAL >= 3.10.1 copes by itself.
#   RENDER_TIMEOUT    per-request timeout in seconds (default 30)
#   RENDER_RESAMPLING -r (default nearest)
#
# Keys: GDAL's WMTS driver builds tile URLs from the capabilities (ResourceURL
# or the GetTile operation's href) and drops the query string of CAPS_URL, so
# "CAPS_URL?key=..." fetches the capabilities and then gets 401 for every tile.
# Use the open location, or xyz.sh with the key in the tile template
# (a RESTful ResourceURL is a {z}/{x}/{y} template on a GoogleMapsCompatible
# set). Header credentials do work: GDAL_HTTP_HEADERS='X-API-Key: ...',
# GDAL_HTTP_AUTH=BASIC GDAL_HTTP_USERPWD=user:password.
set -eu

if [ $# -ne 9 ]; then
	echo "usage: $0 CAPS_URL LAYER WIDTH HEIGHT MINX MINY MAXX MAXY OUT.png" >&2
	exit 2
fi
url=$1 layer=$2 width=$3 height=$4 minx=$5 miny=$6 maxx=$7 maxy=$8 out=$9

for tool in gdal_translate gdalwarp; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "wmts.sh: $tool not found (apt-get install gdal-bin)" >&2
		exit 1
	}
done
for n in "$width" "$height"; do
	case $n in '' | *[!0-9]*) echo "wmts.sh: WIDTH and HEIGHT must be positive integers" >&2; exit 2 ;; esac
done
for n in "$minx" "$miny" "$maxx" "$maxy"; do
	case $n in '' | *[!0-9eE.+-]*) echo "wmts.sh: MINX MINY MAXX MAXY must be numbers" >&2; exit 2 ;; esac
done
case $layer in '' | *,*) echo "wmts.sh: LAYER must be one layer identifier" >&2; exit 2 ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-gdal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

start=$(date +%s%N)
caps=$url
if [ "${WMTS_FIX_4326:-0}" = 1 ]; then
	command -v curl >/dev/null 2>&1 || { echo "wmts.sh: curl not found" >&2; exit 1; }
	curl -fsS -m "${RENDER_TIMEOUT:-30}" -o "$tmp/caps.xml" "$url" 2>"$tmp/curl.log" || {
		echo "wmts.sh: capabilities request failed: $(sed 's/\([?&]key=\)[^&[:space:]]*/\1REDACTED/g' "$tmp/curl.log")" >&2
		exit 1
	}
	sed -i 's|<ows:SupportedCRS>EPSG:4326</ows:SupportedCRS>|<ows:SupportedCRS>urn:ogc:def:crs:EPSG::4326</ows:SupportedCRS>|' "$tmp/caps.xml"
	caps=$tmp/caps.xml
fi
ds="WMTS:$caps,layer=$layer,tilematrixset=${WMTS_MATRIX_SET:-GLOBAL_WEBMERCATOR}"
[ -z "${WMTS_STYLE:-}" ] || ds="$ds,style=$WMTS_STYLE"
resampling=${RENDER_RESAMPLING:-nearest}

rc=0
if [ "${WMTS_WARP:-0}" = 1 ]; then
	GDAL_DEFAULT_WMS_CACHE_PATH=$tmp/cache GDAL_ENABLE_WMS_CACHE=NO \
		GDAL_HTTP_MAX_RETRY=0 GDAL_HTTP_TIMEOUT=${RENDER_TIMEOUT:-30} GDAL_PAM_ENABLED=NO \
		gdalwarp -q -of GTiff -t_srs EPSG:3857 -te "$minx" "$miny" "$maxx" "$maxy" \
		-ts "$width" "$height" -r "$resampling" "$ds" "$tmp/warped.tif" >"$tmp/gdal.log" 2>&1 &&
		GDAL_PAM_ENABLED=NO gdal_translate -q -of PNG "$tmp/warped.tif" "$out" >>"$tmp/gdal.log" 2>&1 || rc=$?
else
	GDAL_DEFAULT_WMS_CACHE_PATH=$tmp/cache GDAL_ENABLE_WMS_CACHE=NO \
		GDAL_HTTP_MAX_RETRY=0 GDAL_HTTP_TIMEOUT=${RENDER_TIMEOUT:-30} GDAL_PAM_ENABLED=NO \
		gdal_translate -q -of PNG -outsize "$width" "$height" -r "$resampling" \
		-projwin "$minx" "$maxy" "$maxx" "$miny" \
		"$ds" "$out" >"$tmp/gdal.log" 2>&1 || rc=$?
fi
end=$(date +%s%N)
if [ $rc -ne 0 ] || grep -q '^ERROR' "$tmp/gdal.log"; then
	echo "wmts.sh: GDAL failed:" >&2
	sed -e 's/\([?&]\(key\|authkey\|access_token\|apikey\|api_key\|token\|tk\)=\)[^&[:space:]]*/\1REDACTED/g' "$tmp/gdal.log" | grep -v '^<\|^$' | head -n 20 >&2
	rm -f "$out"
	exit 1
fi
# Elapsed seconds with millisecond precision.
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'

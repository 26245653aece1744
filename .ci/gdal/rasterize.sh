#!/bin/sh
# Burn vector features (WFS, OGC API - Features, GeoJSON) into a raster of an
# EPSG:3857 view with ogr2ogr + gdal_rasterize: the peer that mapvault's
# vector layers are compared with (see README.md in this folder).
#
#   .ci/gdal/rasterize.sh SOURCE LAYER WIDTH HEIGHT MINX MINY MAXX MAXY OUT.(png|tif)
#
# SOURCE is anything OGR opens, e.g.
#   WFS:http://127.0.0.1:PORT/public/wfs            (LAYER ms:countries)
#   OAPIF:http://127.0.0.1:PORT/features/ogcapi     (LAYER countries)
#   http://127.0.0.1:PORT/public/countries.geojson   (LAYER countries)
# The box is in EPSG:3857 metres. Step 1, ogr2ogr: the features of LAYER that
# intersect the box (-spat ... -spat_srs EPSG:3857: a BBOX filter for WFS, a
# bbox= for OGC API; GDAL also filters client-side), reprojected to
# EPSG:3857, into a temp GeoPackage. Step 2, gdal_rasterize: burn them into a
# WIDTH x HEIGHT Byte raster of the box (0 = none, RASTERIZE_BURN = feature;
# polygons filled, lines 1 px). A .png OUT is converted from GeoTIFF (the PNG
# driver cannot be written to directly). Prints the elapsed seconds of both
# steps together on stdout (RASTERIZE_VERBOSE=1: fetch, burn and feature count
# on stderr).
#
# Optional environment:
#   RASTERIZE_BURN         burn value (default 255)
#   RASTERIZE_ALL_TOUCHED  1: burn every pixel a feature touches (default 0)
#   RASTERIZE_PAGE_SIZE    features per request: OAPIF open option PAGE_SIZE /
#                          config OGR_WFS_PAGE_SIZE (default 1000; GDAL pages
#                          a WFS 2.0 with COUNT/STARTINDEX when it advertises
#                          ImplementsResultPaging, as MapServer does)
#   RENDER_TIMEOUT         per-request timeout in seconds (default 30)
# Credentials: header ones through GDAL (GDAL_HTTP_HEADERS='Authorization:
# Bearer ...', GDAL_HTTP_AUTH/GDAL_HTTP_USERPWD). A key in the query string of
# SOURCE is NOT carried by OGC API `next` links nor by the WFS driver's later
# requests everywhere: use the open locations for the peer.
set -eu

if [ $# -ne 9 ]; then
	echo "usage: $0 SOURCE LAYER WIDTH HEIGHT MINX MINY MAXX MAXY OUT.(png|tif)" >&2
	exit 2
fi
src=$1 layer=$2 width=$3 height=$4 minx=$5 miny=$6 maxx=$7 maxy=$8 out=$9

for tool in ogr2ogr gdal_rasterize gdal_translate ogrinfo; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "rasterize.sh: $tool not found (apt-get install gdal-bin)" >&2
		exit 1
	}
done
for n in "$width" "$height"; do
	case $n in '' | *[!0-9]*) echo "rasterize.sh: WIDTH and HEIGHT must be positive integers" >&2; exit 2 ;; esac
done
for n in "$minx" "$miny" "$maxx" "$maxy"; do
	case $n in '' | *[!0-9eE.+-]*) echo "rasterize.sh: MINX MINY MAXX MAXY must be numbers" >&2; exit 2 ;; esac
done
case $out in
*.png | *.PNG) fmt=PNG ;;
*.tif | *.tiff | *.TIF) fmt=GTiff ;;
*) echo "rasterize.sh: OUT must end in .png or .tif" >&2; exit 2 ;;
esac
burn=${RASTERIZE_BURN:-255}
page=${RASTERIZE_PAGE_SIZE:-1000}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-gdal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

oo=
case $src in
OAPIF:* | oapif:*) oo="-oo PAGE_SIZE=$page" ;;
WFS:* | wfs:*) ;; # paging through OGR_WFS_PAGE_SIZE (below): the WFS driver has no such open option
esac
at=
[ "${RASTERIZE_ALL_TOUCHED:-0}" != 1 ] || at=-at

redact() {
	sed -e 's/\([?&]\(key\|authkey\|access_token\|apikey\|api_key\|token\|tk\)=\)[^&[:space:]]*/\1REDACTED/g' "$1" | head -n 20 >&2
}

start=$(date +%s%N)
# shellcheck disable=SC2086 # $oo is a list of options
GDAL_HTTP_MAX_RETRY=0 GDAL_HTTP_TIMEOUT=${RENDER_TIMEOUT:-30} GDAL_PAM_ENABLED=NO \
	OGR_WFS_PAGE_SIZE=$page \
	ogr2ogr -f GPKG $oo -spat "$minx" "$miny" "$maxx" "$maxy" -spat_srs EPSG:3857 \
	-t_srs EPSG:3857 -nln features -nlt PROMOTE_TO_MULTI -forceNullable \
	"$tmp/features.gpkg" "$src" "$layer" >"$tmp/ogr.log" 2>&1 || {
	echo "rasterize.sh: ogr2ogr failed:" >&2
	redact "$tmp/ogr.log"
	exit 1
}
mid=$(date +%s%N)
# shellcheck disable=SC2086 # $at is empty or -at
GDAL_PAM_ENABLED=NO gdal_rasterize -q -l features -burn "$burn" $at -init 0 -ot Byte \
	-te "$minx" "$miny" "$maxx" "$maxy" -ts "$width" "$height" -a_srs EPSG:3857 \
	-of GTiff "$tmp/features.gpkg" "$tmp/burnt.tif" >"$tmp/rasterize.log" 2>&1 || {
	echo "rasterize.sh: gdal_rasterize failed:" >&2
	redact "$tmp/rasterize.log"
	exit 1
}
GDAL_PAM_ENABLED=NO gdal_translate -q -of "$fmt" "$tmp/burnt.tif" "$out" >>"$tmp/rasterize.log" 2>&1 || {
	echo "rasterize.sh: gdal_translate failed:" >&2
	redact "$tmp/rasterize.log"
	exit 1
}
end=$(date +%s%N)
if [ "${RASTERIZE_VERBOSE:-0}" = 1 ]; then
	n=$(ogrinfo -ro -so "$tmp/features.gpkg" features 2>/dev/null | sed -n 's/^Feature Count: //p')
	awk -v s="$start" -v m="$mid" -v e="$end" -v n="$n" \
		'BEGIN { printf "rasterize.sh: fetch %.3f s, burn %.3f s, %s features\n", (m - s) / 1e9, (e - m) / 1e9, n }' >&2
fi
# Elapsed seconds with millisecond precision.
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'

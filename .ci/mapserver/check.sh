#!/bin/sh
# Smoke check of a running test WMS (after `server.sh up [DIR]`): every location,
# both WMS versions, the auth answers, a GetMap with land over Europe, the cache,
# the redirect. Exits non-zero on the first group of failures.
#
#   .ci/mapserver/check.sh [DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/server.sh" env ${1:+"$1"})"
B=$MAPVAULT_MAPSERVER_URL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-mscheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

# expect WANT_STATUS WANT_TYPE_PREFIX WANT_BODY_GREP LABEL [curl args...]
# The label is printed instead of the URL so that keys stay out of the output.
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
		echo "FAIL $label: got $status $ctype, want $want $type${body:+ with $body}"
		fails=$((fails + 1))
	fi
}

caps=SERVICE=WMS\&REQUEST=GetCapabilities
k=authkey=$MS_KEY
# curl reads Basic credentials and headers from a file, not argv.
printf 'user = "%s:%s"\n' "$MS_BASIC_USER" "$MS_BASIC_PASSWORD" >"$tmp/basic.curlrc"
printf 'X-API-Key: %s\n' "$MS_KEY" >"$tmp/apikey.h"
printf 'Authorization: Bearer %s\n' "$MS_KEY" >"$tmp/bearer.h"

for v in 1.3.0 1.1.1; do
	case $v in 1.3.0) root='<WMS_Capabilities' ct=text/xml ;; *) root='<WMT_MS_Capabilities' ct=application/vnd.ogc.wms_xml ;; esac
	expect 200 $ct "$root" "public caps $v" "$B/public/wms?$caps&VERSION=$v"
	expect 401 text/html "" "basic caps $v, none" "$B/basic/wms?$caps&VERSION=$v"
	expect 200 $ct "$root" "basic caps $v" -K "$tmp/basic.curlrc" "$B/basic/wms?$caps&VERSION=$v"
	for loc in key:401 key403:403 key404:404 key498:498 keyexc:200; do
		path=${loc%%:*} code=${loc#*:}
		if [ "$path" = keyexc ]; then
			expect 200 text/xml ServiceExceptionReport "$path caps $v, bad key" "$B/$path/wms?$caps&VERSION=$v&authkey=bad"
		else
			expect "$code" text/html "" "$path caps $v, bad key" "$B/$path/wms?$caps&VERSION=$v&authkey=bad"
		fi
		expect 200 $ct "$root" "$path caps $v" "$B/$path/wms?$caps&VERSION=$v&$k"
	done
	expect 401 text/html "" "header caps $v, none" "$B/header/wms?$caps&VERSION=$v"
	expect 200 $ct "$root" "header caps $v" -H "@$tmp/apikey.h" "$B/header/wms?$caps&VERSION=$v"
	expect 401 text/html "" "bearer caps $v, none" "$B/bearer/wms?$caps&VERSION=$v"
	expect 200 $ct "$root" "bearer caps $v" -H "@$tmp/bearer.h" "$B/bearer/wms?$caps&VERSION=$v"
	expect 200 $ct "/cached/public/wms?" "cached public caps $v" "$B/cached/public/wms?$caps&VERSION=$v"
	expect 200 $ct "/cached/key/wms?" "cached key caps $v" "$B/cached/key/wms?$caps&VERSION=$v&$k"
	expect 401 text/html "" "cached key caps $v, none" "$B/cached/key/wms?$caps&VERSION=$v"
done
if curl -s "$B/key/wms?$caps&VERSION=1.3.0&$k" | grep -q -- "$MS_KEY"; then
	echo "FAIL key capabilities echo the key"
	fails=$((fails + 1))
fi

# GetMap 256x256 over Europe in EPSG:3857: France is land (opaque), the Atlantic is not.
getmap="SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=land,countries,borders&STYLES=&CRS=EPSG:3857&BBOX=-1113194,4163881,3339584,8399737&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
expect 200 image/png "" "public GetMap europe" "$B/public/wms?$getmap"
cp "$tmp/body" "$tmp/europe.png"
if command -v gdallocationinfo >/dev/null 2>&1; then
	france=$(gdallocationinfo -valonly "$tmp/europe.png" 80 140 | tr '\n' ' ')
	ocean=$(gdallocationinfo -valonly "$tmp/europe.png" 5 120 | tr '\n' ' ')
	case $france in *" 255 ") echo "ok   France pixel is opaque land: $france" ;; *) echo "FAIL France pixel: $france"; fails=$((fails + 1)) ;; esac
	case $ocean in *" 0 ") echo "ok   Atlantic pixel is transparent: $ocean" ;; *) echo "FAIL Atlantic pixel: $ocean"; fails=$((fails + 1)) ;; esac
else
	size=$(wc -c <"$tmp/europe.png")
	[ "$size" -gt 5000 ] && echo "ok   GetMap size $size" || { echo "FAIL GetMap size $size"; fails=$((fails + 1)); }
fi
expect 200 image/png "" "key GetMap (mapserv ignores authkey)" "$B/key/wms?$getmap&$k"

# Cache: MISS then HIT for a URI nobody asked before.
u="$B/cached/public/wms?$getmap&check=$$.$(date +%s)"
first=$(curl -s -o /dev/null -D - "$u" | tr -d '\r' | sed -n 's/^[Xx]-[Cc]ache-[Ss]tatus: //p')
second=$(curl -s -o /dev/null -D - "$u" | tr -d '\r' | sed -n 's/^[Xx]-[Cc]ache-[Ss]tatus: //p')
if [ "$first $second" = "MISS HIT" ]; then echo "ok   cache MISS then HIT"; else
	echo "FAIL cache: got '$first $second', want 'MISS HIT'"
	fails=$((fails + 1))
fi

# Redirect to the other origin, query string kept; the other port logs the request.
loc=$(curl -s -o /dev/null -D - "$B/redirect/wms?$caps&VERSION=1.3.0" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
if [ "$loc" = "$MAPVAULT_MAPSERVER_OTHER/catch?$caps&VERSION=1.3.0" ]; then echo "ok   redirect to $loc"; else
	echo "FAIL redirect: got '$loc'"
	fails=$((fails + 1))
fi
marker=check-$$-$(date +%s)
expect 200 text/plain caught "other origin /catch" "$MAPVAULT_MAPSERVER_OTHER/catch?$marker"
sleep 0.2 # nginx writes the access log line after the response
if grep -q "$marker" "$MAPVAULT_MAPSERVER_DIR/logs/other-access.log"; then echo "ok   other origin logged the request"; else
	echo "FAIL other-access.log has no line for the request"
	fails=$((fails + 1))
fi

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

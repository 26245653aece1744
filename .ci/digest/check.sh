#!/bin/sh
# Smoke check of a running Digest front (after `server.sh up [DIR]`): the Digest
# challenge, GetCapabilities and GetMap with the right credentials (OnlineResource
# on this server, not on the upstream), a wrong password, the Negotiate-only
# location, and the access log lines tests rely on. Prints PASS/FAIL lines and
# exits non-zero if anything failed.
#
#   .ci/digest/check.sh [DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/server.sh" env ${1:+"$1"})"
B=$MAPVAULT_DIGEST_URL
LOG=$MAPVAULT_DIGEST_DIR/logs/access.log
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-digestcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# Credentials reach curl in config files (mode 0600 under $tmp), never argv.
printf 'user = "%s:%s"\n' "$DIGEST_USER" "$DIGEST_PASSWORD" >"$tmp/good.curlrc"
printf 'user = "%s:%s"\n' "$DIGEST_USER" "wrong-$DIGEST_PASSWORD" >"$tmp/bad.curlrc"

# fetch NAME [curl args...]: GET into $tmp/NAME.body and $tmp/NAME.head; print
# "status content-type". A curl config, if any, comes on stdin (-K -).
fetch() {
	name=$1
	shift
	curl -s -m 30 -D "$tmp/$name.head" -o "$tmp/$name.body" -w '%{http_code} %{content_type}' "$@" || echo "curl-failed"
}

# header NAME FIELD: the values of FIELD in the last response of $tmp/NAME.head
# (curl --digest stores both responses), one a line, CRs removed.
header() {
	tr -d '\r' <"$tmp/$1.head" | awk -v f="$2" '
		/^HTTP\// { n = 0; next }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == tolower(f)) { s = substr($0, i + 1); sub(/^ +/, "", s); v[++n] = s } }
		END { for (k = 1; k <= n; k++) print v[k] }'
}

# loglines MARKER: access log lines of the requests whose URL holds MARKER.
loglines() {
	sleep 0.2 # apache2 writes the line after the response
	grep -F -- "$1" "$LOG" 2>/dev/null || true
}

mark=check-$$-$(date +%s)
caps="SERVICE=WMS&REQUEST=GetCapabilities"
getmap="SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=land,countries,borders&STYLES=&CRS=EPSG:3857&BBOX=-1113194,4163881,3339584,8399737&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"

# 1. No credentials: 401 with a Digest challenge, qop="auth", MD5.
got=$(fetch anon "$B/digest/wms?$caps&VERSION=1.3.0&m=$mark-anon")
chal=$(header anon WWW-Authenticate)
if [ "${got%% *}" = 401 ]; then pass "no credentials: 401"; else fail "no credentials: got $got, want 401"; fi
case $chal in
Digest\ *'realm="mapvault digest"'*'qop="auth"'*)
	pass "challenge: $(printf '%s' "$chal" | sed 's/nonce="[^"]*"/nonce="..."/')" ;;
*) fail "challenge: got '$chal', want Digest realm=\"mapvault digest\" ... qop=\"auth\"" ;;
esac
case $chal in *algorithm=MD5*) pass "challenge algorithm MD5" ;; *) fail "challenge has no algorithm=MD5: $chal" ;; esac
case $(loglines "$mark-anon") in *'" 401 '*' auth=- '*) pass "log: anonymous request, 401, auth=-" ;; *) fail "log has no '401 auth=-' line for the anonymous request" ;; esac

# 2. Right credentials: capabilities from MapServer that advertise this server.
for v in 1.3.0 1.1.1; do
	case $v in 1.3.0) rootel='<WMS_Capabilities' ct=text/xml ;; *) rootel='<WMT_MS_Capabilities' ct=application/vnd.ogc.wms_xml ;; esac
	got=$(fetch caps$v --digest -K - "$B/digest/wms?$caps&VERSION=$v&m=$mark-good" <"$tmp/good.curlrc")
	status=${got%% *} ctype=${got#* }
	if [ "$status" = 200 ] && case $ctype in "$ct"*) true ;; *) false ;; esac && grep -q "$rootel" "$tmp/caps$v.body"; then
		pass "digest caps $v: $got"
	else
		fail "digest caps $v: got $got, want 200 $ct with $rootel"
	fi
	# Every OnlineResource on 127.0.0.1 must be this server's /digest/wms,
	# but the borders layer's LegendURL, which is on MapServer's other
	# origin on purpose (a legend fetched without the credential).
	hrefs=$(grep -o 'xlink:href="http://127\.0\.0\.1[^"]*"' "$tmp/caps$v.body" | sed 's/^xlink:href="//; s/"$//' |
		grep -v '/legend/borders\.png$' | sort -u)
	other=$(printf '%s\n' "$hrefs" | grep -v -F "$B/digest/wms?" | grep . || true)
	if [ -n "$hrefs" ] && [ -z "$other" ]; then
		pass "caps $v OnlineResource: $B/digest/wms? ($(printf '%s\n' "$hrefs" | wc -l) URLs)"
	else
		fail "caps $v OnlineResource not all on $B/digest/wms: ${other:-none found}"
	fi
done
case $(loglines "$mark-good") in *'" 200 '*' auth=Digest user='"$DIGEST_USER"' '*) pass "log: authenticated request, 200, auth=Digest user=$DIGEST_USER" ;; *) fail "log has no '200 auth=Digest user=$DIGEST_USER' line" ;; esac

# 3. GetMap through the front: a PNG.
got=$(fetch map --digest -K - "$B/digest/wms?$getmap" <"$tmp/good.curlrc")
magic=$(head -c 8 "$tmp/map.body" | od -An -tx1 | tr -d ' \n')
if [ "$got" = "200 image/png" ] && [ "$magic" = 89504e470d0a1a0a ]; then
	pass "digest GetMap: $got, $(wc -c <"$tmp/map.body") bytes"
else
	fail "digest GetMap: got $got (magic $magic), want 200 image/png"
fi

# 4. Wrong password: 401 again, and exactly one "401 auth=Digest" line to count.
got=$(fetch bad --digest -K - "$B/digest/wms?$caps&VERSION=1.3.0&m=$mark-bad" <"$tmp/bad.curlrc")
if [ "${got%% *}" = 401 ]; then pass "wrong password: 401"; else fail "wrong password: got $got, want 401"; fi
n=$(loglines "$mark-bad" | grep -c '" 401 .* auth=Digest user='"$DIGEST_USER"' ' || true)
if [ "$n" = 1 ]; then pass "log: one wrong-password line (401 auth=Digest user=$DIGEST_USER)"; else fail "log: $n wrong-password lines, want 1"; fi

# 5. Negotiate/NTLM only: 401 with both challenges; no Authorization arrived.
got=$(fetch nego "$B/negotiate/wms?$caps&VERSION=1.3.0&m=$mark-nego")
chal=$(header nego WWW-Authenticate | tr '\n' ',')
if [ "${got%% *}" = 401 ]; then pass "negotiate: 401"; else fail "negotiate: got $got, want 401"; fi
if [ "$chal" = "Negotiate,NTLM," ]; then pass "negotiate challenges: Negotiate, NTLM"; else fail "negotiate challenges: got '$chal'"; fi
case $(loglines "$mark-nego") in *'" 401 '*' auth=- '*) pass "log: negotiate request without Authorization" ;; *) fail "log has no '401 auth=-' line for /negotiate/wms" ;; esac

# 6. Anything else: 404.
got=$(fetch other "$B/public/wms?$caps")
if [ "${got%% *}" = 404 ]; then pass "other paths: 404"; else fail "other paths: got $got, want 404"; fi

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

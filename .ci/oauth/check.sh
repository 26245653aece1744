#!/bin/sh
# End-to-end check of a running provider and resource server (after
# `server.sh up [DIR]`), with curl and Debian's python3 only: metadata documents,
# the 401 challenges, the authorization code + PKCE flow through browser.sh to a
# loopback listener, the token, refresh (rotation) and client-credentials grants,
# the protected WMS with those tokens, refused redirect URIs, and token expiry
# (waited for when OAUTH_TOKEN_SECONDS <= 30; run `OAUTH_TOKEN_SECONDS=5 server.sh up`
# for the full check). Prints PASS/FAIL/SKIP lines; exits non-zero on any FAIL.
#
#   .ci/oauth/check.sh [DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/server.sh" env ${1:+"$1"})"
PY=${PYTHON:-/usr/bin/python3}
B=$MAPVAULT_OAUTH_URL
I=$MAPVAULT_OAUTH_ISSUER
WMS=$B/oauth/wms
RM=$B/.well-known/oauth-protected-resource/oauth/wms
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-oauthcheck.XXXXXX")
listener=
cleanup() {
	if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
umask 077
fails=0

pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# jget FILE KEY: a top-level JSON value (strings bare, the rest as JSON; "" if absent).
jget() {
	"$PY" -c '
import json, sys
try:
    v = json.load(open(sys.argv[1])).get(sys.argv[2])
except Exception:
    v = None
print("" if v is None else v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

# call NAME [curl args...]: request; body in $tmp/NAME.body, headers in
# $tmp/NAME.hdr; sets status, ctype and challenge (the WWW-Authenticate value).
call() {
	name=$1
	shift
	out=$(curl -s -m 30 -o "$tmp/$name.body" -D "$tmp/$name.hdr" -w '%{http_code} %{content_type}' "$@") || out="000 curl-failed"
	status=${out%% *} ctype=${out#* }
	challenge=$(tr -d '\r' <"$tmp/$name.hdr" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p')
}

# expect_status LABEL WANT: compare the last call's status.
expect_status() {
	if [ "$status" = "$2" ]; then pass "$1: $status"; else fail "$1: got $status, want $2 ($(head -c 300 "$tmp/$name.body"))"; fi
}

# bearer NAME TOKENFILE: a curl header file carrying the token (tokens stay off argv).
bearer() { printf 'Authorization: Bearer %s\n' "$(cat "$2")" >"$tmp/$1.h"; }

# A one-shot loopback listener for the redirect URI: serves /callback once on a
# random 127.0.0.1 port, saves the query string.
listener_py='
import http.server, os, sys, time
base = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path != "/callback":
            open(base + ".wrongpath", "w").write(self.path)
            self.send_error(404)
            return
        with open(base + ".query", "w") as f:
            f.write(query)
        body = b"Signed in. You can close this window.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.done = True
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
server.timeout = 0.5
server.done = False
with open(base + ".port.tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(base + ".port.tmp", base + ".port")
deadline = time.time() + float(sys.argv[2])
while not server.done and time.time() < deadline:
    server.handle_request()
'

# listen NAME SECONDS: start the listener; sets lport.
listen() {
	rm -f "$tmp/$1.port" "$tmp/$1.query" "$tmp/$1.wrongpath"
	"$PY" -c "$listener_py" "$tmp/$1" "$2" &
	listener=$!
	i=0
	while [ ! -s "$tmp/$1.port" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	lport=$(cat "$tmp/$1.port" 2>/dev/null || echo 0)
}

stop_listener() {
	if [ -n "$listener" ]; then
		kill "$listener" 2>/dev/null || true
		wait "$listener" 2>/dev/null || true
		listener=
	fi
}

# authorize_url REDIRECT_URI [NAME VALUE]...: the authorize URL for client mapvault.
authorize_url() {
	"$PY" -c '
import sys, urllib.parse
params = [("response_type", "code"), ("client_id", "mapvault"), ("redirect_uri", sys.argv[2])]
params += list(zip(sys.argv[3::2], sys.argv[4::2]))
print(sys.argv[1] + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote))
' "$I/authorize/" "$@"
}

# qget FILE NAME: a parameter of a saved query string.
qget() {
	"$PY" -c '
import sys, urllib.parse
q = urllib.parse.parse_qs(open(sys.argv[1]).read())
print(q.get(sys.argv[2], [""])[0])
' "$1" "$2"
}

# pkce NAME: a fresh code verifier in $tmp/NAME.verifier; prints the S256 challenge.
pkce() {
	"$PY" -c '
import base64, hashlib, secrets, sys
v = secrets.token_urlsafe(48)
open(sys.argv[1], "w").write(v)
print(base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode())
' "$tmp/$1.verifier"
}

# sign_in NAME REDIRECT_TEMPLATE [NAME VALUE]...: listener + browser.sh on the
# authorize URL; PORT in the template becomes the listener's port. Sets brc
# (browser.sh exit status); the callback query lands in $tmp/NAME.query.
sign_in() {
	flow=$1 template=$2
	shift 2
	listen "$flow" 30
	redirect=$(printf '%s' "$template" | sed "s/PORT/$lport/")
	url=$(authorize_url "$redirect" "$@")
	brc=0
	"$MAPVAULT_OAUTH_BROWSER" "$url" 2>"$tmp/$flow.browser.err" || brc=$?
	if [ $brc = 0 ]; then
		wait "$listener" 2>/dev/null || true
		listener=
	else
		stop_listener
	fi
}

echo "check.sh: issuer $I, protected WMS $WMS, token lifetime ${OAUTH_TOKEN_SECONDS}s"

# --- metadata -----------------------------------------------------------------
call disco "$I/.well-known/openid-configuration/"
if [ "$status" = 200 ] && [ "$(jget "$tmp/disco.body" issuer)" = "$I" ]; then
	pass "OIDC discovery at $I/.well-known/openid-configuration/ names issuer $I"
else
	fail "OIDC discovery: $status issuer=$(jget "$tmp/disco.body" issuer), want 200 $I"
fi
token_endpoint=$(jget "$tmp/disco.body" token_endpoint)
authz_endpoint=$(jget "$tmp/disco.body" authorization_endpoint)
[ "$token_endpoint" = "$I/token/" ] && [ "$authz_endpoint" = "$I/authorize/" ] &&
	pass "discovery endpoints: $authz_endpoint $token_endpoint" ||
	fail "discovery endpoints: $authz_endpoint $token_endpoint"
call disco_noslash "$I/.well-known/openid-configuration"
loc=$(tr -d '\r' <"$tmp/disco_noslash.hdr" | sed -n 's/^[Ll]ocation: //p')
case "$status $loc" in
"301 /o/.well-known/openid-configuration/" | "301 $I/.well-known/openid-configuration/") pass "discovery without the slash: 301 to $loc" ;;
*) fail "discovery without the slash: $status $loc" ;;
esac

# RFC 8414: /.well-known/oauth-authorization-server inserted before the issuer's path.
as_path=$("$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.scheme + "://" + p.netloc + "/.well-known/oauth-authorization-server" + p.path.rstrip("/"))' "$I")
call asmeta "$as_path"
if [ "$status" = 200 ] && [ "$(jget "$tmp/asmeta.body" issuer)" = "$I" ] &&
	[ "$(jget "$tmp/asmeta.body" code_challenge_methods_supported)" = '["S256"]' ] &&
	[ "$(jget "$tmp/asmeta.body" token_endpoint)" = "$token_endpoint" ]; then
	pass "RFC 8414 metadata at $as_path"
else
	fail "RFC 8414 metadata at $as_path: $status $(head -c 300 "$tmp/asmeta.body")"
fi

call rsmeta "$RM"
if [ "$status" = 200 ] && [ "$(jget "$tmp/rsmeta.body" resource)" = "$WMS" ] &&
	[ "$(jget "$tmp/rsmeta.body" authorization_servers)" = "[\"$I\"]" ] &&
	[ "$(jget "$tmp/rsmeta.body" bearer_methods_supported)" = '["header"]' ]; then
	pass "RFC 9728 metadata at $RM"
else
	fail "RFC 9728 metadata: $status $(head -c 300 "$tmp/rsmeta.body")"
fi

# --- the resource server without a usable token ----------------------------------
caps="SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
call notoken "$WMS?$caps"
[ "$status $challenge" = "401 Bearer resource_metadata=\"$RM\"" ] &&
	pass "no token: 401 $challenge" || fail "no token: $status $challenge"
printf 'bogus-%s' "$$" >"$tmp/bogus.token"
bearer bogus "$tmp/bogus.token"
call bogus -H "@$tmp/bogus.h" "$WMS?$caps"
[ "$status $challenge" = "401 Bearer error=\"invalid_token\", resource_metadata=\"$RM\"" ] &&
	pass "bogus token: 401 $challenge" || fail "bogus token: $status $challenge"

# --- authorization code + PKCE through browser.sh ----------------------------------
challenge_s256=$(pkce main)
state=st-$$-$(date +%s)
nonce=n-$$-$(date +%s)
sign_in main "http://127.0.0.1:PORT/callback" scope "openid wms" state "$state" nonce "$nonce" \
	code_challenge "$challenge_s256" code_challenge_method S256
main_port=$lport
if [ $brc = 0 ] && [ -s "$tmp/main.query" ]; then
	pass "browser.sh signed in and delivered the callback to 127.0.0.1:$main_port/callback"
else
	fail "browser.sh exit $brc: $(cat "$tmp/main.browser.err")"
	tail -n 10 "$MAPVAULT_OAUTH_DIR/browser.log" >&2 || true
fi
[ "$(qget "$tmp/main.query" state 2>/dev/null)" = "$state" ] && pass "callback state matches" || fail "callback state mismatch"
qget "$tmp/main.query" code >"$tmp/main.code" 2>/dev/null || true
[ -s "$tmp/main.code" ] && [ "$(cat "$tmp/main.code")" != "" ] && pass "callback carries a code" || fail "callback without code: $(cat "$tmp/main.query" 2>/dev/null)"
tr -d '\n' <"$tmp/main.code" >"$tmp/main.code1" && mv "$tmp/main.code1" "$tmp/main.code"

redirect_main="http://127.0.0.1:$main_port/callback"
call tok "$token_endpoint" -d grant_type=authorization_code -d client_id=mapvault \
	--data-urlencode "code@$tmp/main.code" --data-urlencode "redirect_uri=$redirect_main" \
	--data-urlencode "code_verifier@$tmp/main.verifier"
expect_status "token exchange with code_verifier" 200
jget "$tmp/tok.body" access_token | tr -d '\n' >"$tmp/at1"
jget "$tmp/tok.body" refresh_token | tr -d '\n' >"$tmp/rt1"
jget "$tmp/tok.body" id_token | tr -d '\n' >"$tmp/idt"
exp=$(jget "$tmp/tok.body" expires_in)
scope=$(jget "$tmp/tok.body" scope)
[ -s "$tmp/at1" ] && [ -s "$tmp/rt1" ] && [ -s "$tmp/idt" ] &&
	pass "access, refresh and ID tokens (expires_in=$exp, scope=$scope, token_type=$(jget "$tmp/tok.body" token_type))" ||
	fail "token response lacks a token: $(head -c 300 "$tmp/tok.body")"
[ "$exp" = "$OAUTH_TOKEN_SECONDS" ] && pass "expires_in = OAUTH_TOKEN_SECONDS" || fail "expires_in $exp, want $OAUTH_TOKEN_SECONDS"

# The ID token: RS256 signature against the JWKS, iss, aud, nonce.
call jwks "$(jget "$tmp/disco.body" jwks_uri)"
idcheck=$("$PY" -c '
import json, sys
from jwcrypto import jwk, jwt
keys = jwk.JWKSet.from_json(open(sys.argv[1]).read())
tok = jwt.JWT(jwt=open(sys.argv[2]).read(), key=keys, algs=["RS256"])
c = json.loads(tok.claims)
ok = c["iss"] == sys.argv[3] and c["aud"] in ("mapvault", ["mapvault"]) and c.get("nonce") == sys.argv[4]
print(("ok" if ok else "bad") + " iss=%s aud=%s sub=%s" % (c["iss"], c["aud"], c["sub"]))
' "$tmp/jwks.body" "$tmp/idt" "$I" "$nonce" 2>&1) || true
case $idcheck in ok*) pass "ID token verifies with the JWKS: ${idcheck#ok }" ;; *) fail "ID token: $idcheck" ;; esac

call tok_again "$token_endpoint" -d grant_type=authorization_code -d client_id=mapvault \
	--data-urlencode "code@$tmp/main.code" --data-urlencode "redirect_uri=$redirect_main" \
	--data-urlencode "code_verifier@$tmp/main.verifier"
[ "$status" = 400 ] && [ "$(jget "$tmp/tok_again.body" error)" = invalid_grant ] &&
	pass "code reused: 400 invalid_grant" || fail "code reused: $status $(cat "$tmp/tok_again.body")"

# --- the protected WMS with the token --------------------------------------------
bearer at1 "$tmp/at1"
call caps -H "@$tmp/at1.h" "$WMS?$caps"
if [ "$status" = 200 ] && grep -q '<WMS_Capabilities' "$tmp/caps.body"; then
	pass "GetCapabilities with the token: 200 $ctype"
else
	fail "GetCapabilities with the token: $status $ctype"
fi
# Every OnlineResource but the countries' attribution link and the borders'
# LegendURL (on another origin on purpose).
online=$(grep -o 'xlink:href="[^"?]*' "$tmp/caps.body" | sed 's/^xlink:href="//' |
	grep -v -e '/legend/borders\.png$' -e '^https://www\.naturalearthdata\.com/$' | sort -u | tr '\n' ' ')
[ "$online" = "$WMS " ] && pass "every OnlineResource is $WMS" || fail "OnlineResource: $online"
getmap="SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=land,countries&STYLES=&CRS=EPSG:3857&BBOX=-1113194,4163881,3339584,8399737&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
call map -H "@$tmp/at1.h" "$WMS?$getmap"
[ "$status $ctype" = "200 image/png" ] && pass "GetMap with the token: 200 image/png" || fail "GetMap: $status $ctype"
sleep 0.2 # nginx writes the access log line after the response
if grep -F '"GET /oauth/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap' "$MAPVAULT_OAUTH_DIR/logs/access.log" |
	grep -F " 200 " | grep -F 'auth="Bearer ' | grep -qF "sub=\"$OAUTH_USER\""; then
	pass "access.log records 200, auth=\"Bearer …\" and sub=\"$OAUTH_USER\""
else
	fail "access.log has no 200 GetMap line with auth and sub=$OAUTH_USER"
fi
call userinfo -H "@$tmp/at1.h" "$I/userinfo/"
[ "$status" = 200 ] && [ -n "$(jget "$tmp/userinfo.body" sub)" ] && pass "userinfo: 200 sub=$(jget "$tmp/userinfo.body" sub)" || fail "userinfo: $status"

# --- refresh: a new access token and a rotated refresh token ---------------------
call refresh "$token_endpoint" -d grant_type=refresh_token -d client_id=mapvault --data-urlencode "refresh_token@$tmp/rt1"
expect_status "refresh grant" 200
jget "$tmp/refresh.body" access_token | tr -d '\n' >"$tmp/at2"
jget "$tmp/refresh.body" refresh_token | tr -d '\n' >"$tmp/rt2"
if [ -s "$tmp/rt2" ] && ! cmp -s "$tmp/rt1" "$tmp/rt2" && ! cmp -s "$tmp/at1" "$tmp/at2"; then
	pass "refresh rotated both tokens"
else
	fail "refresh did not rotate: $(head -c 300 "$tmp/refresh.body")"
fi
bearer at2 "$tmp/at2"
call caps2 -H "@$tmp/at2.h" "$WMS?$caps"
expect_status "GetCapabilities with the refreshed token" 200
call refresh_old "$token_endpoint" -d grant_type=refresh_token -d client_id=mapvault --data-urlencode "refresh_token@$tmp/rt1"
[ "$status" = 400 ] && [ "$(jget "$tmp/refresh_old.body" error)" = invalid_grant ] &&
	pass "old refresh token reused: 400 invalid_grant" || fail "old refresh token reused: $status $(cat "$tmp/refresh_old.body")"
call caps_old -H "@$tmp/at1.h" "$WMS?$caps"
[ "$status $challenge" = "401 Bearer error=\"invalid_token\", resource_metadata=\"$RM\"" ] &&
	pass "access token replaced by the refresh is revoked: 401 invalid_token" ||
	fail "old access token after refresh: $status $challenge"
call revoke "$I/revoke_token/" -d client_id=mapvault -d token_type_hint=access_token --data-urlencode "token@$tmp/at2"
call caps_revoked -H "@$tmp/at2.h" "$WMS?$caps"
[ "$status" = 401 ] && pass "revoked access token: 401" || fail "revoked access token: $status"

# --- PKCE and redirect URI rules ---------------------------------------------------
sign_in nopkce "http://127.0.0.1:PORT/callback" scope wms state s-nopkce
[ "$(qget "$tmp/nopkce.query" error 2>/dev/null)" = invalid_request ] &&
	pass "authorize without code_challenge: error=invalid_request ($(qget "$tmp/nopkce.query" error_description))" ||
	fail "authorize without code_challenge: browser exit $brc, callback $(cat "$tmp/nopkce.query" 2>/dev/null)"

c2=$(pkce wrongv)
sign_in wrongv "http://127.0.0.1:PORT/callback" scope wms state s-wrongv code_challenge "$c2" code_challenge_method S256
qget "$tmp/wrongv.query" code | tr -d '\n' >"$tmp/wrongv.code" 2>/dev/null || true
# RFC 6749 4.1.3: redirect_uri is required at the token endpoint when the
# authorize request had one (a failed exchange leaves the code usable).
call noredirect "$token_endpoint" -d grant_type=authorization_code -d client_id=mapvault \
	--data-urlencode "code@$tmp/wrongv.code" --data-urlencode "code_verifier@$tmp/wrongv.verifier"
[ "$status" = 400 ] && [ "$(jget "$tmp/noredirect.body" error)" = invalid_request ] &&
	pass "token exchange without redirect_uri: 400 invalid_request ($(jget "$tmp/noredirect.body" error_description))" ||
	fail "token exchange without redirect_uri: $status $(cat "$tmp/noredirect.body")"
printf 'not-the-verifier-%s-padding-padding-padding-padding' "$$" >"$tmp/other.verifier"
call badverifier "$token_endpoint" -d grant_type=authorization_code -d client_id=mapvault \
	--data-urlencode "code@$tmp/wrongv.code" --data-urlencode "redirect_uri=http://127.0.0.1:$lport/callback" \
	--data-urlencode "code_verifier@$tmp/other.verifier"
[ "$status" = 400 ] && [ "$(jget "$tmp/badverifier.body" error)" = invalid_grant ] &&
	pass "wrong code_verifier: 400 invalid_grant" || fail "wrong code_verifier: $status $(cat "$tmp/badverifier.body")"

for bad in "http://localhost:PORT/callback" "http://127.0.0.1:PORT/other"; do
	cb=$(pkce badredirect)
	sign_in badredirect "$bad" scope wms state s-bad code_challenge "$cb" code_challenge_method S256
	err=$(cat "$tmp/badredirect.browser.err")
	if [ $brc != 0 ] && [ ! -e "$tmp/badredirect.query" ] && [ ! -e "$tmp/badredirect.wrongpath" ]; then
		case $err in
		*"400"*"Mismatching redirect URI"*) pass "redirect_uri $bad refused: ${err#browser.sh: }" ;;
		*) fail "redirect_uri $bad: browser.sh failed otherwise: $err" ;;
		esac
	else
		fail "redirect_uri $bad was accepted (browser exit $brc)"
	fi
done

# --- client credentials ----------------------------------------------------------
printf 'user = "mapvault-script:%s"\n' "$OAUTH_CLIENT_SECRET" >"$tmp/script.curlrc"
printf 'user = "mapvault-script:wrong-%s"\n' "$$" >"$tmp/wrong.curlrc"
call cc "$token_endpoint" -K "$tmp/script.curlrc" -d grant_type=client_credentials
cc_time=$(date +%s)
expect_status "client_credentials grant (client_secret_basic)" 200
jget "$tmp/cc.body" access_token | tr -d '\n' >"$tmp/cc.token"
[ "$(jget "$tmp/cc.body" scope)" = wms ] && [ -z "$(jget "$tmp/cc.body" refresh_token)" ] &&
	pass "client_credentials token: scope wms, no refresh token" || fail "client_credentials token: $(head -c 300 "$tmp/cc.body")"
bearer cc "$tmp/cc.token"
call cccaps -H "@$tmp/cc.h" "$WMS?$caps"
expect_status "GetCapabilities with the client_credentials token" 200
call ccwrong "$token_endpoint" -K "$tmp/wrong.curlrc" -d grant_type=client_credentials
[ "$status" = 401 ] && [ "$(jget "$tmp/ccwrong.body" error)" = invalid_client ] &&
	pass "client_credentials with a wrong secret: 401 invalid_client" || fail "wrong secret: $status $(cat "$tmp/ccwrong.body")"
call ccopenid "$token_endpoint" -K "$tmp/script.curlrc" -d grant_type=client_credentials -d scope=openid
jget "$tmp/ccopenid.body" access_token | tr -d '\n' >"$tmp/ccopenid.token"
bearer ccopenid "$tmp/ccopenid.token"
call noscope -H "@$tmp/ccopenid.h" "$WMS?$caps"
[ "$status $challenge" = "403 Bearer error=\"insufficient_scope\", scope=\"wms\", resource_metadata=\"$RM\"" ] &&
	pass "token without scope wms: 403 $challenge" || fail "token without scope wms: $status $challenge"

# --- expiry ------------------------------------------------------------------------
if [ "$OAUTH_TOKEN_SECONDS" -le 30 ]; then
	wait_s=$((cc_time + OAUTH_TOKEN_SECONDS + 1 - $(date +%s)))
	[ $wait_s -le 0 ] || sleep "$wait_s"
	call ccexpired -H "@$tmp/cc.h" "$WMS?$caps"
	[ "$status $challenge" = "401 Bearer error=\"invalid_token\", resource_metadata=\"$RM\"" ] &&
		pass "token after ${OAUTH_TOKEN_SECONDS}s: 401 invalid_token" || fail "expired token: $status $challenge"
else
	echo "SKIP expiry: OAUTH_TOKEN_SECONDS=$OAUTH_TOKEN_SECONDS (> 30); run OAUTH_TOKEN_SECONDS=5 server.sh up for this check"
fi

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

#!/bin/sh
# Smoke check of a running mTLS front (after `server.sh up [DIR]`): refusals
# without / with a wrong client certificate on both servers, capabilities and a
# GetMap with the right one (PEM and PKCS#12), the OnlineResource on the front,
# the access log, and the PKI files (chains, PKCS#12 encryption).
#
#   .ci/mtls/check.sh [DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
envs=$("$here/server.sh" env ${1:+"$1"}) || exit 1
eval "$envs"
B=$MAPVAULT_MTLS_URL
BO=$MAPVAULT_MTLS_OPTIONAL_URL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-mtlscheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# expect WANT_STATUS WANT_TYPE_PREFIX WANT_BODY_GREP LABEL [curl args...]
expect() {
	want=$1 type=$2 body=$3 label=$4
	shift 4
	got=$(curl -s --cacert "$MTLS_CA" -o "$tmp/body" -w '%{http_code} %{content_type}' "$@") || got="curl-failed"
	status=${got%% *} ctype=${got#* }
	ok=1
	[ "$status" = "$want" ] || ok=0
	case $ctype in "$type"*) ;; *) ok=0 ;; esac
	if [ -n "$body" ] && ! grep -q -- "$body" "$tmp/body"; then ok=0; fi
	if [ $ok = 1 ]; then
		pass "$label: $status $ctype"
	else
		fail "$label: got $status $ctype, want $want $type${body:+ with $body}"
	fi
}

good="--cert $MTLS_CLIENT_CERT --key $MTLS_CLIENT_KEY"
other="--cert $MTLS_OTHER_CERT --key $MTLS_OTHER_KEY"
caps=SERVICE=WMS\&REQUEST=GetCapabilities
nocert='No required SSL certificate was sent'
badcert='The SSL certificate error'

# ssl_verify_client on: nginx answers 400 itself, before any location.
expect 400 text/html "$nocert" "on: no client cert" "$B/mtls/wms?$caps&VERSION=1.3.0"
# shellcheck disable=SC2086 # the cert options are two words each, paths without spaces
expect 400 text/html "$badcert" "on: cert from the untrusted CA" $other "$B/mtls/wms?$caps&VERSION=1.3.0"
for v in 1.3.0 1.1.1; do
	case $v in 1.3.0) root='<WMS_Capabilities' ct=text/xml ;; *) root='<WMT_MS_Capabilities' ct=application/vnd.ogc.wms_xml ;; esac
	# shellcheck disable=SC2086
	expect 200 $ct "$root" "on: caps $v with client cert" $good "$B/mtls/wms?$caps&VERSION=$v"
	# (The borders layer's LegendURL is on MapServer's plain-HTTP other
	# origin on purpose: a legend fetched without the credential.)
	plain=$(grep -o "xlink:href=\"http://[^\"]*\"" "$tmp/body" | grep -v '/legend/borders\.png"$' || true)
	if grep -q "xlink:href=\"$B/mtls/wms?\"" "$tmp/body" && [ -z "$plain" ]; then
		pass "on: caps $v OnlineResource is $B/mtls/wms?"
	else
		fail "on: caps $v OnlineResource: $(grep -o 'xlink:href="[^"]*wms?"' "$tmp/body" | sort -u | tr '\n' ' ')"
	fi
done

# GetMap 256x256 over Europe in EPSG:3857 through the front.
getmap="SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=land,countries,borders&STYLES=&CRS=EPSG:3857&BBOX=-1113194,4163881,3339584,8399737&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
# shellcheck disable=SC2086
expect 200 image/png "" "on: GetMap with client cert" $good "$B/mtls/wms?$getmap"
magic=$(od -An -tx1 -N8 "$tmp/body" | tr -d ' \n')
size=$(wc -c <"$tmp/body")
if [ "$magic" = 89504e470d0a1a0a ] && [ "$size" -gt 5000 ]; then pass "GetMap is a PNG of $size bytes"; else
	fail "GetMap body: magic $magic, $size bytes"
fi

# The same client certificate from the PKCS#12 file (AES-256 form); curl reads
# the password from a config file, not argv.
printf 'cert = "%s:%s"\ncert-type = "P12"\n' "$MTLS_CLIENT_P12" "$MTLS_P12_PASSWORD" >"$tmp/p12.curlrc"
expect 200 text/xml '<WMS_Capabilities' "on: caps with client.p12" -K "$tmp/p12.curlrc" "$B/mtls/wms?$caps&VERSION=1.3.0"

# ssl_verify_client optional: no certificate reaches the location -> 403; a
# certificate that fails verification is still refused by nginx with 400.
expect 403 text/html "403 Forbidden" "optional: no client cert" "$BO/mtls/wms?$caps&VERSION=1.3.0"
# shellcheck disable=SC2086
expect 400 text/html "$badcert" "optional: cert from the untrusted CA" $other "$BO/mtls/wms?$caps&VERSION=1.3.0"
# shellcheck disable=SC2086
expect 200 text/xml '<WMS_Capabilities' "optional: caps with client cert" $good "$BO/mtls/wms?$caps&VERSION=1.3.0"
if grep -q "xlink:href=\"$BO/mtls/wms?\"" "$tmp/body"; then pass "optional: OnlineResource is $BO/mtls/wms?"; else
	fail "optional: OnlineResource: $(grep -o 'xlink:href="[^"]*wms?"' "$tmp/body" | sort -u | tr '\n' ' ')"
fi
# shellcheck disable=SC2086
expect 404 text/html "" "on: other paths are 404" $good "$B/public/wms?$caps"

# Access log: status, $ssl_client_verify and $ssl_client_s_dn per request.
sleep 0.2 # nginx writes the access log line after the response
log=$MAPVAULT_MTLS_DIR/logs/access.log
grep -q ' 200 [0-9]* verify="SUCCESS" dn="CN=analyst,O=mapvault CI"' "$log" && pass "access.log: 200 SUCCESS CN=analyst" || fail "access.log has no 200 SUCCESS line"
grep -q ' 400 [0-9]* verify="NONE" dn="-"' "$log" && pass "access.log: 400 NONE" || fail "access.log has no 400 NONE line"
grep -q ' 403 [0-9]* verify="NONE" dn="-"' "$log" && pass "access.log: 403 NONE" || fail "access.log has no 403 NONE line"
grep -q ' 400 [0-9]* verify="FAILED:[^"]*" dn="CN=analyst,O=mapvault other CA"' "$log" && pass "access.log: 400 FAILED other CA" || fail "access.log has no 400 FAILED line"

# PKI files.
openssl verify -CAfile "$MTLS_CA" "$MTLS_CLIENT_CERT" >/dev/null 2>&1 && pass "client.pem verifies against ca.pem" || fail "client.pem does not verify"
openssl verify -CAfile "$MTLS_CA" "$MAPVAULT_MTLS_DIR/server.pem" >/dev/null 2>&1 && pass "server.pem verifies against ca.pem" || fail "server.pem does not verify"
if openssl verify -CAfile "$MTLS_CA" "$MTLS_OTHER_CERT" >/dev/null 2>&1; then fail "other-client.pem verifies against ca.pem"; else pass "other-client.pem does not verify against ca.pem"; fi
if openssl x509 -in "$MAPVAULT_MTLS_DIR/server.pem" -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:127.0.0.1, DNS:localhost'; then pass "server.pem SAN IP:127.0.0.1, DNS:localhost"; else fail "server.pem SAN"; fi

# PKCS#12: openssl reads the password from the environment (never argv).
if openssl pkcs12 -info -in "$MTLS_CLIENT_P12" -noout -passin env:MTLS_P12_PASSWORD >"$tmp/p12.info" 2>&1 &&
	grep -q '^Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC' "$tmp/p12.info" &&
	grep -q '^PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC' "$tmp/p12.info" &&
	grep -q '^MAC: sha256' "$tmp/p12.info"; then
	pass "client.p12: PBES2/PBKDF2/AES-256-CBC, MAC sha256"
else
	fail "client.p12: $(tr '\n' ' ' <"$tmp/p12.info")"
fi
# -legacy: the certificate bag is RC2-40, which OpenSSL 3 reads only with -legacy.
if openssl pkcs12 -legacy -info -in "$MTLS_CLIENT_P12_LEGACY" -noout -passin env:MTLS_P12_PASSWORD >"$tmp/p12l.info" 2>&1 &&
	grep -q '^Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC' "$tmp/p12l.info" &&
	grep -q '^MAC: sha1' "$tmp/p12l.info"; then
	pass "client-legacy.p12: key 3DES ($(sed -n 's/^PKCS7 Encrypted data: \([^,]*\),.*/certs \1/p' "$tmp/p12l.info")), MAC sha1"
else
	fail "client-legacy.p12: $(tr '\n' ' ' <"$tmp/p12l.info")"
fi
for p12 in "$MTLS_CLIENT_P12" "$MTLS_CLIENT_P12_LEGACY"; do
	n=$(openssl pkcs12 -legacy -in "$p12" -nokeys -passin env:MTLS_P12_PASSWORD 2>/dev/null | grep -c 'BEGIN CERTIFICATE' || true)
	[ "$n" = 2 ] && pass "$(basename "$p12") holds client + CA certificate" || fail "$(basename "$p12") holds $n certificates, want 2"
done
if MTLS_P12_PASSWORD=wrong openssl pkcs12 -info -in "$MTLS_CLIENT_P12" -noout -passin env:MTLS_P12_PASSWORD >/dev/null 2>&1; then
	fail "client.p12 opens with a wrong password"
else
	pass "client.p12 refuses a wrong password"
fi
for k in "$MTLS_CLIENT_KEY_ENC" "$MTLS_CLIENT_KEY_ENC_LEGACY"; do
	if openssl pkey -in "$k" -passin env:MTLS_P12_PASSWORD -noout 2>/dev/null; then pass "$(basename "$k") decrypts"; else fail "$(basename "$k") does not decrypt"; fi
done

if [ $fails -ne 0 ]; then
	echo "check.sh: $fails failure(s)" >&2
	exit 1
fi
echo "check.sh: all checks passed"

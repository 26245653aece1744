#!/bin/sh
# A $BROWSER stand-in for tests of the authorization code flow: given the
# authorize URL a client would open in a browser, it signs in like a user would
# (curl with a fresh cookie jar: follows to the login form, takes its CSRF token,
# posts OAUTH_USER / OAUTH_PASSWORD), follows the provider's redirects until one
# leaves the provider for a loopback redirect URI (http://127.0.0.1:PORT/...,
# http://[::1]:PORT/... or http://localhost:PORT/...), and GETs that URL, which
# hands the code (or the error) to the waiting client. See README.md.
#
#   browser.sh URL
#
# Credentials: OAUTH_USER / OAUTH_PASSWORD from the environment, else from
# $MAPVAULT_OAUTH_DIR/browser.env (written by server.sh up); never from argv.
# Log: $MAPVAULT_OAUTH_DIR/browser.log (URLs with the code redacted, statuses;
# no password). Reads nothing from stdin, writes nothing to stdout; one line on
# stderr when it fails. Exit 0 once the loopback URL answered (any HTTP status),
# 1 when the sign-in or the provider failed, 2 on bad usage.
# MAPVAULT_BROWSER_DETACH=1: return at once and do the work in the background
# (like xdg-open handing the URL to a running browser); only the log tells then.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${MAPVAULT_OAUTH_DIR:-$root/.ci/tmp/oauth}
log=$dir/browser.log

[ $# -eq 1 ] || {
	echo "usage: $0 URL" >&2
	exit 2
}
url=$1

if [ "${MAPVAULT_BROWSER_DETACH:-}" = 1 ]; then
	MAPVAULT_BROWSER_DETACH= nohup "$0" "$url" </dev/null >/dev/null 2>&1 &
	exit 0
fi
exec </dev/null

[ -d "$dir" ] || {
	echo "browser.sh: no runtime dir $dir (set MAPVAULT_OAUTH_DIR)" >&2
	exit 1
}

say() { printf '%s browser.sh[%s]: %s\n' "$(date '+%H:%M:%S')" "$$" "$*" >>"$log"; }
fail() {
	say "FAIL $*"
	echo "browser.sh: $*" >&2
	exit 1
}
# redact URL: the authorization code in a callback URL, for the log.
redact() { printf '%s' "$1" | sed 's/\([?&]code=\)[^&#]*/\1REDACTED/'; }

if [ -z "${OAUTH_PASSWORD:-}" ]; then
	[ -r "$dir/browser.env" ] || fail "OAUTH_PASSWORD not set and no $dir/browser.env"
	. "$dir/browser.env"
fi
OAUTH_USER=${OAUTH_USER:-analyst}

origin=$(printf '%s' "$url" | sed -n 's#^\(https\{0,1\}://[^/?#]*\).*#\1#p')
[ -n "$origin" ] || fail "not an http(s) URL: $url"

umask 077
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-browser.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
# The form values reach curl through files (--data-urlencode name@file), not argv.
printf '%s' "$OAUTH_USER" >"$tmp/user"
printf '%s' "$OAUTH_PASSWORD" >"$tmp/password"

# get URL [curl args...]: request into $tmp/page with the cookie jar; sets
# current (URL), status and location (absolute redirect target, or empty).
get() {
	target=$1 current=$1
	shift
	out=$(curl -sS -m 15 -b "$tmp/jar" -c "$tmp/jar" -o "$tmp/page" -w '%{http_code} %{redirect_url}' "$@" "$target" 2>"$tmp/curl.err") ||
		fail "request to $(redact "$target") failed: $(cat "$tmp/curl.err")"
	status=${out%% *}
	location=${out#* }
}

# page_error: the provider's error message on the current page, if any.
page_error() {
	tr '\n' ' ' <"$tmp/page" | sed -n 's#.*<h2>\(Error: [^<]*\)</h2>[ ]*<p>\([^<]*\)</p>.*#\1 (\2)#p'
}

say "open $url"
signed_in=0
hops=0
get "$url"
while :; do
	hops=$((hops + 1))
	[ $hops -le 20 ] || fail "too many redirects"
	say "  $status $(redact "${location:-(no Location)}")"
	case $status in
	301 | 302 | 303 | 307 | 308)
		[ -n "$location" ] || fail "redirect $status without Location"
		case $location in
		"$origin"/*)
			get "$location"
			continue
			;;
		esac
		# Left the provider: this is the redirect URI with the authorization response.
		case $location in
		http://127.0.0.1:*/* | http://\[::1\]:*/* | http://localhost:*/*) ;;
		*) fail "provider redirected to a non-loopback URI, not delivering: $(redact "$location")" ;;
		esac
		cb=$(curl -sS -m 30 -o /dev/null -w '%{http_code}' "$location" 2>"$tmp/curl.err") ||
			fail "delivering to $(redact "$location") failed (client not listening?): $(cat "$tmp/curl.err")"
		say "delivered $(redact "$location") -> $cb"
		exit 0
		;;
	200)
		if grep -q 'name="password"' "$tmp/page" && grep -q 'name="csrfmiddlewaretoken"' "$tmp/page"; then
			[ $signed_in = 0 ] || fail "sign-in as $OAUTH_USER rejected (login form shown again)"
			csrf=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' "$tmp/page" | head -n 1)
			[ -n "$csrf" ] || fail "no CSRF token in the login form"
			# POST back to the login page itself (its URL carries ?next=).
			login_url=$current
			say "sign in as $OAUTH_USER at ${login_url%%\?*}"
			signed_in=1
			get "$login_url" -H "Referer: $login_url" \
				--data-urlencode "csrfmiddlewaretoken=$csrf" \
				--data-urlencode "username@$tmp/user" \
				--data-urlencode "password@$tmp/password"
			continue
		fi
		if grep -q 'id="authorizationForm"' "$tmp/page"; then
			fail "the provider asks for consent (only clients with skip_authorization are supported)"
		fi
		fail "provider page without a redirect (200): $(page_error)"
		;;
	*)
		err=$(page_error)
		fail "provider answered $status${err:+: $err}"
		;;
	esac
done

#!/bin/sh
# A real OAuth2 / OpenID Connect provider (django-oauth-toolkit under gunicorn)
# and an nginx resource server that guards the CI MapServer with its tokens,
# for mapvault integration tests. See README.md in this folder.
#
#   server.sh up   [DIR]   fresh database and keys in DIR, start gunicorn + nginx, wait until ready
#   server.sh down [DIR]   stop the nginx and gunicorn processes started for DIR (pid files)
#   server.sh env  [DIR]   print shell export lines for the test suite (after up)
#
# DIR defaults to .ci/tmp/oauth under the repository root.
# `up` needs MAPVAULT_MAPSERVER_URL (eval "$(.ci/mapserver/server.sh env)") of a running MapServer.
# Environment: OAUTH_PORT (nginx; a free port when unset), OAUTH_APP_PORT (gunicorn;
# a free port when unset), OAUTH_USER (analyst), OAUTH_PASSWORD (s3cret-oauth),
# OAUTH_CLIENT_SECRET (s3cret-client), OAUTH_TOKEN_SECONDS (60), OAUTH_CODE_SECONDS (60),
# OAUTH_WORKERS (2), OAUTH_READY_TIMEOUT (20 seconds).
# The credentials are test fixtures; they are never passed on a command line.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

OAUTH_USER=${OAUTH_USER:-analyst}
OAUTH_PASSWORD=${OAUTH_PASSWORD:-s3cret-oauth}
OAUTH_CLIENT_SECRET=${OAUTH_CLIENT_SECRET:-s3cret-client}
OAUTH_TOKEN_SECONDS=${OAUTH_TOKEN_SECONDS:-60}
OAUTH_CODE_SECONDS=${OAUTH_CODE_SECONDS:-60}
OAUTH_WORKERS=${OAUTH_WORKERS:-2}
OAUTH_READY_TIMEOUT=${OAUTH_READY_TIMEOUT:-20}
OAUTH_PORT=${OAUTH_PORT:-}
OAUTH_APP_PORT=${OAUTH_APP_PORT:-}

# Debian's Python and gunicorn (a pyenv shim may shadow python3 on PATH).
PYTHON=${PYTHON:-/usr/bin/python3}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}

die() {
	echo "server.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 up|down|env [DIR]" >&2
	exit 2
}

# absdir DIR: DIR as an absolute path (DIR need not exist yet).
absdir() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$(pwd)/$1" ;;
	esac
}

# q VALUE: VALUE single-quoted for sh.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

check_dir() {
	case $run in / | //*) die "runtime dir must not be /" ;; esac
	case $run in *[!A-Za-z0-9/._+-]*) die "runtime dir must use only A-Z a-z 0-9 / . _ + - (it is written into configs unquoted): $run" ;; esac
}

check_settings() {
	for v in OAUTH_TOKEN_SECONDS OAUTH_CODE_SECONDS OAUTH_WORKERS OAUTH_READY_TIMEOUT; do
		eval "val=\$$v"
		case $val in '' | *[!0-9]* | 0) die "$v must be a positive number" ;; esac
	done
	for v in OAUTH_PORT OAUTH_APP_PORT; do
		eval "val=\$$v"
		case $val in *[!0-9]*) die "$v must be a port number" ;; esac
	done
	case $OAUTH_USER in '' | *[!A-Za-z0-9.@+_-]*) die "OAUTH_USER must use only A-Z a-z 0-9 . @ + _ -" ;; esac
	[ -n "$OAUTH_PASSWORD" ] || die "OAUTH_PASSWORD must not be empty"
	[ -n "$OAUTH_CLIENT_SECRET" ] || die "OAUTH_CLIENT_SECRET must not be empty"
	upstream=${MAPVAULT_MAPSERVER_URL:-}
	upstream=${upstream%/}
	[ -n "$upstream" ] || die "MAPVAULT_MAPSERVER_URL is not set: start .ci/mapserver/server.sh up and eval \"\$(.ci/mapserver/server.sh env)\" first"
	# Written into nginx.conf unquoted: scheme, host and port only.
	case $upstream in http://*) ;; *) die "MAPVAULT_MAPSERVER_URL must be http://HOST:PORT, got $upstream" ;; esac
	case ${upstream#http://} in '' | *[!A-Za-z0-9.:_-]*) die "MAPVAULT_MAPSERVER_URL must be http://HOST:PORT (no path), got $upstream" ;; esac
}

# alive PID NAME: PID is a running process of ours: an nginx whose command line
# names this runtime dir's nginx.conf, or a gunicorn started with
# MAPVAULT_OAUTH_SERVER set to this runtime dir. A recycled pid never matches.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	case $2 in
	nginx) # the master rewrites its title to "nginx: master process nginx -p ... -c ..."
		case " $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) " in
		*" -c $run/nginx.conf "*) return 0 ;;
		*) return 1 ;;
		esac ;;
	gunicorn)
		case " $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) " in
		*gunicorn*) ;;
		*) return 1 ;;
		esac
		tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "MAPVAULT_OAUTH_SERVER=$run" ;;
	*) return 1 ;;
	esac
}

stop_pidfile() { # stop_pidfile FILE NAME: TERM every live NAME process listed in FILE
	[ -f "$1" ] || return 0
	pids=
	for pid in $(cat "$1" 2>/dev/null || true); do
		if alive "$pid" "$2"; then
			kill "$pid" 2>/dev/null || true
			pids="$pids $pid"
		fi
	done
	i=0
	for pid in $pids; do
		while alive "$pid" "$2" && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if alive "$pid" "$2"; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	rm -f "$1"
}

cmd_down() {
	if [ -f "$run/nginx.pid" ] && alive "$(cat "$run/nginx.pid")" nginx; then
		# QUIT lets the workers finish; the master removes its pid file on exit.
		kill -QUIT "$(cat "$run/nginx.pid")" 2>/dev/null || true
		i=0
		while [ -f "$run/nginx.pid" ] && alive "$(cat "$run/nginx.pid" 2>/dev/null)" nginx && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	stop_pidfile "$run/nginx.pid" nginx
	# TERM: gunicorn's graceful stop (graceful timeout 3 s).
	stop_pidfile "$run/gunicorn.pid" gunicorn
	rm -f "$run/server.env"
}

fail_up() {
	echo "server.sh: $*" >&2
	for log in "$run/logs/init.log" "$run/logs/gunicorn.log" "$run/logs/nginx-start.log" "$run/logs/error.log"; do
		if [ -s "$log" ]; then
			echo "--- tail of $log" >&2
			tail -n 20 "$log" >&2
		fi
	done
	cmd_down
	exit 1
}

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT (curl exit 7 = refused).
port_free() {
	rc=0
	curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/" || rc=$?
	[ "$rc" = 7 ]
}

# free_ports N: N distinct ports the kernel has free on 127.0.0.1 right now.
free_ports() {
	"$PYTHON" -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

# render IN OUT: copy template IN to OUT replacing @RUN@ @PORT@ @APP_PORT@
# @UPSTREAM@ @USER_LINE@ literally (see .ci/fill-template).
render() {
	T_RUN=$run T_PORT=$port T_APP_PORT=$app_port T_UPSTREAM=$upstream T_USER_LINE=$user_line \
		sh "$root/.ci/fill-template" "$1" "$2" RUN APP_PORT PORT UPSTREAM USER_LINE
}

cmd_up() {
	for tool in nginx openssl curl; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install python3-django-oauth-toolkit python3-django gunicorn nginx-light openssl curl)"
	done
	[ -x "$GUNICORN" ] || die "$GUNICORN not found (apt-get install gunicorn)"
	"$PYTHON" -c 'import django, oauth2_provider' 2>/dev/null ||
		die "$PYTHON cannot import django / oauth2_provider (apt-get install python3-django-oauth-toolkit python3-django)"
	curl -fsS -m 5 -o /dev/null "$upstream/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0" 2>/dev/null ||
		die "MapServer does not answer at $upstream/public/wms (start .ci/mapserver/server.sh up)"

	# Keep the nginx port of an earlier up when it is still free: `up` twice
	# leaves the URLs the same.
	previous=
	if [ -z "$OAUTH_PORT" ] && [ -r "$run/server.env" ]; then
		previous=$(sed -n "s/^OAUTH_PORT_USED='\([0-9]*\)'$/\1/p" "$run/server.env")
	fi

	# up twice: stop what an earlier up started, then start fresh.
	cmd_down

	set -- $(free_ports 2)
	port=${OAUTH_PORT:-${previous:-$1}}
	app_port=${OAUTH_APP_PORT:-$2}
	if [ -z "$OAUTH_PORT" ] && [ -n "$previous" ] && ! port_free "$port"; then
		port=$1
	fi
	[ "$port" != "$app_port" ] || app_port=$1
	[ "$port" != "$app_port" ] || die "OAUTH_PORT and OAUTH_APP_PORT must differ"
	for p in "$port" "$app_port"; do
		port_free "$p" || die "127.0.0.1:$p is in use by another process (set OAUTH_PORT / OAUTH_APP_PORT)"
	done

	base=http://127.0.0.1:$port
	issuer=$base/o

	umask 077
	# A fresh provider: new database, keys and logs (tests read the logs).
	rm -rf "$run/logs" "$run/temp" "$run/www"
	rm -f "$run/db.sqlite3" "$run/db.sqlite3-journal" "$run/secret_key" "$run/oidc.key"
	mkdir -p "$run/logs" "$run/temp" "$run/www"
	chmod 700 "$run"

	openssl rand -hex 32 >"$run/secret_key" || die "openssl rand failed"
	openssl genrsa -out "$run/oidc.key" 2048 2>"$run/logs/openssl.log" || fail_up "openssl genrsa failed"

	# The credentials go to manage.py, browser.sh and `env` through the
	# environment and these 0600 files, never through argv.
	{
		echo "OAUTH_USER=$(q "$OAUTH_USER")"
		echo "OAUTH_PASSWORD=$(q "$OAUTH_PASSWORD")"
	} >"$run/browser.env"

	# Everything Django reads; gunicorn gets neither password nor secret.
	export MAPVAULT_OAUTH_DIR="$run" MAPVAULT_OAUTH_URL="$base" MAPVAULT_OAUTH_ISSUER="$issuer"
	export OAUTH_TOKEN_SECONDS OAUTH_CODE_SECONDS
	# No .pyc files in the repository (Debian's own stay precompiled).
	export DJANGO_SETTINGS_MODULE=mapvault_oauth.settings PYTHONDONTWRITEBYTECODE=1

	OAUTH_USER=$OAUTH_USER OAUTH_PASSWORD=$OAUTH_PASSWORD OAUTH_CLIENT_SECRET=$OAUTH_CLIENT_SECRET \
		"$PYTHON" "$here/manage.py" mapvault_init >"$run/logs/init.log" 2>&1 ||
		fail_up "manage.py mapvault_init failed"

	user_line=
	if [ "$(id -u)" = 0 ]; then
		# nginx workers would otherwise run as nobody and could not reach the
		# 0700 runtime dir.
		user_line="user root;"
	fi
	render "$here/nginx.conf.in" "$run/nginx.conf"

	(
		cd "$here"
		env -u OAUTH_PASSWORD -u OAUTH_CLIENT_SECRET MAPVAULT_OAUTH_SERVER="$run" \
			"$GUNICORN" --daemon --pid "$run/gunicorn.pid" \
			--bind "127.0.0.1:$app_port" --workers "$OAUTH_WORKERS" --threads 4 \
			--graceful-timeout 3 --timeout 60 --chdir "$here" \
			--worker-tmp-dir "$run/temp" \
			--error-logfile "$run/logs/gunicorn.log" \
			--access-logfile "$run/logs/gunicorn-access.log" \
			mapvault_oauth.wsgi:application
	) >"$run/logs/gunicorn-start.log" 2>&1 || fail_up "gunicorn failed to start"

	nginx -t -q -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >"$run/logs/nginx-start.log" 2>&1 ||
		fail_up "nginx config test failed"
	nginx -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >>"$run/logs/nginx-start.log" 2>&1 ||
		fail_up "nginx failed to start"

	{
		echo "OAUTH_PORT_USED=$(q "$port")"
		echo "OAUTH_APP_PORT_USED=$(q "$app_port")"
		echo "MAPVAULT_OAUTH_URL=$(q "$base")"
		echo "MAPVAULT_OAUTH_ISSUER=$(q "$issuer")"
		echo "OAUTH_USER=$(q "$OAUTH_USER")"
		echo "OAUTH_PASSWORD=$(q "$OAUTH_PASSWORD")"
		echo "OAUTH_CLIENT_SECRET=$(q "$OAUTH_CLIENT_SECRET")"
		echo "OAUTH_TOKEN_SECONDS=$(q "$OAUTH_TOKEN_SECONDS")"
	} >"$run/server.env"

	# Ready: the discovery document through nginx names our issuer, and the
	# protected WMS refuses a request without a token through the token check.
	started=$(date +%s)
	deadline=$((started + OAUTH_READY_TIMEOUT))
	while :; do
		if curl -fsS -m 5 -o "$run/ready.json" "$issuer/.well-known/openid-configuration/" 2>/dev/null; then
			break
		fi
		# gunicorn writes its pid file within a second or so; gone = it died.
		if [ $(($(date +%s) - started)) -ge 3 ] && ! alive "$(cat "$run/gunicorn.pid" 2>/dev/null || true)" gunicorn; then
			fail_up "gunicorn is not running (see $run/logs/gunicorn.log)"
		fi
		[ "$(date +%s)" -lt "$deadline" ] || fail_up "discovery did not answer within ${OAUTH_READY_TIMEOUT}s at $issuer/.well-known/openid-configuration/"
		sleep 0.2
	done
	grep -qF "\"issuer\": \"$issuer\"" "$run/ready.json" || fail_up "discovery issuer is not $issuer: $(cat "$run/ready.json")"
	rm -f "$run/ready.json"
	got=$(curl -s -m 5 -o /dev/null -D - "$base/oauth/wms?SERVICE=WMS&REQUEST=GetCapabilities" | tr -d '\r' |
		sed -n -e '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' -e 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p' | tr '\n' ' ')
	case $got in
	"401 Bearer resource_metadata="*) ;;
	*) fail_up "token check not working: GET /oauth/wms without a token gave: $got" ;;
	esac
	echo "server.sh: OAuth provider ready at $issuer, protected WMS at $base/oauth/wms (runtime dir $run)" >&2
}

cmd_env() {
	# Shell-quoted export lines: eval "$(.ci/oauth/server.sh env)".
	[ -r "$run/server.env" ] || die "no running server for $run (run: $0 up${1:+ $1})"
	. "$run/server.env"
	echo "export MAPVAULT_OAUTH_URL=$(q "$MAPVAULT_OAUTH_URL")"
	echo "export MAPVAULT_OAUTH_ISSUER=$(q "$MAPVAULT_OAUTH_ISSUER")"
	echo "export MAPVAULT_OAUTH_WMS=$(q "$MAPVAULT_OAUTH_URL/oauth/wms")"
	echo "export MAPVAULT_OAUTH_DIR=$(q "$run")"
	echo "export MAPVAULT_OAUTH_BROWSER=$(q "$here/browser.sh")"
	echo "export OAUTH_USER=$(q "$OAUTH_USER")"
	echo "export OAUTH_PASSWORD=$(q "$OAUTH_PASSWORD")"
	echo "export OAUTH_CLIENT_SECRET=$(q "$OAUTH_CLIENT_SECRET")"
	echo "export OAUTH_TOKEN_SECONDS=$(q "$OAUTH_TOKEN_SECONDS")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
run=$(absdir "${2:-$root/.ci/tmp/oauth}")
run=${run%/}
check_dir

case $1 in
up)
	check_settings
	cmd_up
	;;
down) cmd_down ;;
env) cmd_env "${2:-}" ;;
*) usage ;;
esac

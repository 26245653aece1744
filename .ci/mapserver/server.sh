#!/bin/sh
# MapServer 8 (FastCGI, spawn-fcgi) behind nginx, for mapvault integration
# tests and benchmarks. See README.md in this folder.
#
#   server.sh up   [DIR]   render configs into DIR, start mapserv + nginx, wait until ready
#   server.sh down [DIR]   stop the nginx and mapserv processes started for DIR (pid files)
#   server.sh env  [DIR]   print shell export lines for the test suite
#
# DIR defaults to .ci/tmp/mapserver under the repository root.
# Environment: MS_PORT (18080), MS_OTHER_PORT (18081), MS_BASIC_USER (analyst),
# MS_BASIC_PASSWORD (s3cret-basic), MS_KEY (k3y-4f1c2e), MS_DATA_DIR (assets/data),
# MS_WORKERS (4), MS_READY_TIMEOUT (20 seconds).
# The credentials are test fixtures; they are never passed on a command line.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

MS_PORT=${MS_PORT:-18080}
MS_OTHER_PORT=${MS_OTHER_PORT:-18081}
MS_BASIC_USER=${MS_BASIC_USER:-analyst}
MS_BASIC_PASSWORD=${MS_BASIC_PASSWORD:-s3cret-basic}
MS_KEY=${MS_KEY:-k3y-4f1c2e}
MS_DATA_DIR=${MS_DATA_DIR:-$root/assets/data}
MS_WORKERS=${MS_WORKERS:-4}
MS_READY_TIMEOUT=${MS_READY_TIMEOUT:-20}

MAPSERV=${MAPSERV:-/usr/lib/cgi-bin/mapserv}

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

check_settings() {
	case $MS_PORT in '' | *[!0-9]*) die "MS_PORT must be a number" ;; esac
	case $MS_OTHER_PORT in '' | *[!0-9]*) die "MS_OTHER_PORT must be a number" ;; esac
	case $MS_WORKERS in '' | *[!0-9]*) die "MS_WORKERS must be a number" ;; esac
	[ "$MS_PORT" != "$MS_OTHER_PORT" ] || die "MS_PORT and MS_OTHER_PORT must differ"
	# The key is written into nginx.conf as a quoted string: keep it to URL-safe
	# characters so that it needs no escaping there nor in a query string.
	case $MS_KEY in '' | *[!A-Za-z0-9._~-]*) die "MS_KEY must be non-empty and use only A-Z a-z 0-9 . _ ~ -" ;; esac
	case $MS_BASIC_USER in '' | *[!A-Za-z0-9._-]*) die "MS_BASIC_USER must use only A-Z a-z 0-9 . _ -" ;; esac
	[ -n "$MS_BASIC_PASSWORD" ] || die "MS_BASIC_PASSWORD must not be empty"
	case $run in / | //*) die "runtime dir must not be /" ;; esac
	case $run in *[!A-Za-z0-9/._+-]*) die "runtime dir must use only A-Z a-z 0-9 / . _ + - (it is written into configs unquoted): $run" ;; esac
	case $MS_DATA_DIR in *'"'* | *'\'*) die "MS_DATA_DIR must not contain quotes or backslashes" ;; esac
}

# render IN OUT: copy template IN to OUT replacing @RUN@ @DATA@ @PORT@
# @OTHER_PORT@ @KEY@ @USER_LINE@ literally (see .ci/fill-template).
render() {
	T_RUN=$run T_DATA=$MS_DATA_DIR T_PORT=$MS_PORT T_OTHER_PORT=$MS_OTHER_PORT \
		T_KEY=$MS_KEY T_USER_LINE=$user_line \
		sh "$root/.ci/fill-template" "$1" "$2" RUN DATA OTHER_PORT PORT KEY USER_LINE
}

# alive PID NAME: PID is a running process of ours: an nginx whose command line
# names this runtime dir's nginx.conf, or a mapserv started with this runtime
# dir's MAPSERVER_CONFIG_FILE. A recycled pid of anything else never matches.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	case $2 in
	nginx) # the master rewrites its title to "nginx: master process nginx -p ... -c ..."
		case " $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) " in
		*" -c $run/nginx.conf "*) return 0 ;;
		*) return 1 ;;
		esac ;;
	mapserv) tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "MAPSERVER_CONFIG_FILE=$run/mapserver.conf" ;;
	*) return 1 ;;
	esac
}

stop_pidfile() { # stop_pidfile FILE NAME: TERM every live NAME process listed in FILE
	[ -f "$1" ] || return 0
	pids=
	for pid in $(cat "$1"); do
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
	stop_pidfile "$run/mapserv.pid" mapserv
	rm -f "$run/mapserv.sock"
}

fail_up() {
	echo "server.sh: $*" >&2
	for log in "$run/logs/nginx-start.log" "$run/logs/error.log" "$run/logs/mapserver.log" "$run/logs/spawn-fcgi.log"; do
		if [ -s "$log" ]; then
			echo "--- tail of $log" >&2
			tail -n 20 "$log" >&2
		fi
	done
	cmd_down
	exit 1
}

cmd_up() {
	for tool in nginx spawn-fcgi openssl curl; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install mapserver-bin cgi-mapserver spawn-fcgi nginx-light openssl curl)"
	done
	[ -x "$MAPSERV" ] || die "$MAPSERV not found (apt-get install cgi-mapserver)"
	for f in land countries borders; do
		[ -r "$MS_DATA_DIR/$f.geojson" ] || die "missing $MS_DATA_DIR/$f.geojson (set MS_DATA_DIR)"
	done

	# up twice: stop what an earlier up started, then start fresh.
	cmd_down
	for port in "$MS_PORT" "$MS_OTHER_PORT"; do
		# curl exit 7 = connection refused: the port is free.
		rc=0
		curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" || rc=$?
		[ "$rc" = 7 ] || die "127.0.0.1:$port is in use by another process (set MS_PORT / MS_OTHER_PORT)"
	done

	umask 077
	# A fresh server: empty proxy cache and empty logs (tests read the logs).
	rm -rf "$run/cache" "$run/logs"
	mkdir -p "$run/logs" "$run/temp" "$run/cache"
	chmod 700 "$run"

	user_line=
	if [ "$(id -u)" = 0 ]; then
		# nginx workers would otherwise run as nobody and could not reach the
		# 0700 runtime dir or the socket.
		user_line="user root;"
	fi
	render "$here/mapserver.conf.in" "$run/mapserver.conf"
	render "$here/mapvault.map.in" "$run/mapvault.map"
	render "$here/nginx.conf.in" "$run/nginx.conf"
	render "$here/fastcgi_mapserv.conf.in" "$run/fastcgi_mapserv.conf"
	render "$here/proxy_cache.conf.in" "$run/proxy_cache.conf"
	cp "$here/legend-borders.png" "$run/legend-borders.png"
	sh "$here/gen-parcels.sh" "$run/parcels.geojson" 5000

	# htpasswd: the password reaches openssl on stdin, never in argv.
	hash=$(printf '%s\n' "$MS_BASIC_PASSWORD" | openssl passwd -apr1 -stdin) ||
		die "openssl passwd failed"
	printf '%s:%s\n' "$MS_BASIC_USER" "$hash" >"$run/htpasswd"

	MAPSERVER_CONFIG_FILE=$run/mapserver.conf \
		spawn-fcgi -s "$run/mapserv.sock" -M 0600 -F "$MS_WORKERS" \
		-P "$run/mapserv.pid" -d "$run" -- "$MAPSERV" \
		>"$run/logs/spawn-fcgi.log" 2>&1 ||
		fail_up "spawn-fcgi failed"

	nginx -t -q -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >"$run/logs/nginx-start.log" 2>&1 ||
		fail_up "nginx config test failed"
	nginx -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >>"$run/logs/nginx-start.log" 2>&1 ||
		fail_up "nginx failed to start"

	url="http://127.0.0.1:$MS_PORT/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
	deadline=$(($(date +%s) + MS_READY_TIMEOUT))
	while :; do
		if curl -fsS -m 5 -o "$run/ready.xml" "$url" 2>/dev/null &&
			grep -q '<WMS_Capabilities' "$run/ready.xml"; then
			break
		fi
		[ "$(date +%s)" -lt "$deadline" ] || fail_up "GetCapabilities did not answer within ${MS_READY_TIMEOUT}s at $url"
		sleep 0.2
	done
	rm -f "$run/ready.xml"
	echo "server.sh: MapServer ready at http://127.0.0.1:$MS_PORT (runtime dir $run)" >&2
}

cmd_env() {
	# Shell-quoted export lines: eval "$(.ci/mapserver/server.sh env)".
	q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
	echo "export MAPVAULT_MAPSERVER_URL=$(q "http://127.0.0.1:$MS_PORT")"
	echo "export MAPVAULT_MAPSERVER_OTHER=$(q "http://127.0.0.1:$MS_OTHER_PORT")"
	echo "export MAPVAULT_MAPSERVER_DIR=$(q "$run")"
	echo "export MS_BASIC_USER=$(q "$MS_BASIC_USER")"
	echo "export MS_BASIC_PASSWORD=$(q "$MS_BASIC_PASSWORD")"
	echo "export MS_KEY=$(q "$MS_KEY")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
run=$(absdir "${2:-$root/.ci/tmp/mapserver}")
MS_DATA_DIR=$(absdir "$MS_DATA_DIR") # mapserv runs in the runtime dir
check_settings

case $1 in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
*) usage ;;
esac

#!/bin/sh
# MapServer 8 (FastCGI, spawn-fcgi) behind nginx, for mapvault integration
# tests and benchmarks. See README.md in this folder.
#
#   server.sh up   [DIR]   render configs into DIR, start mapserv + nginx, wait until ready
#   server.sh down [DIR]   stop the nginx and mapserv processes started for DIR (pid files)
#   server.sh env  [DIR]   print shell export lines for the test suite
#
# DIR defaults to .ci/tmp/mapserver under the repository root.
# Environment: MS_PORT, MS_OTHER_PORT (unset: free ports are picked, kept
# across up when still free, and recorded for env), MS_BASIC_USER (analyst),
# MS_BASIC_PASSWORD (s3cret-basic), MS_KEY (k3y-4f1c2e), MS_DATA_DIR (assets/data),
# MS_WORKERS (4), MS_READY_TIMEOUT (20 seconds).
# The credentials are test fixtures; they are never passed on a command line.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

MS_PORT=${MS_PORT:-}
MS_OTHER_PORT=${MS_OTHER_PORT:-}
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
	case $MS_PORT in *[!0-9]*) die "MS_PORT must be a number" ;; esac
	case $MS_OTHER_PORT in *[!0-9]*) die "MS_OTHER_PORT must be a number" ;; esac
	case $MS_WORKERS in '' | *[!0-9]*) die "MS_WORKERS must be a number" ;; esac
	[ -z "$MS_PORT" ] || [ "$MS_PORT" != "$MS_OTHER_PORT" ] || die "MS_PORT and MS_OTHER_PORT must differ"
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
	T_RUN=$run T_DATA=$MS_DATA_DIR T_PORT=$port T_OTHER_PORT=$other_port \
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
	rm -f "$run/mapserv.sock" "$run/ports"
}

# free_port: print a TCP port on 127.0.0.1 that nobody listens on right now
# (the kernel's choice for port 0; another process may still take it before
# nginx binds, so cmd_up retries on "Address already in use").
free_port() {
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
		return
	fi
	# No Python: random ports until one refuses connections.
	n=0
	while [ $n -lt 50 ]; do
		p=$(awk -v s="$$$n" 'BEGIN { srand(s + systime()); print 20000 + int(rand() * 40000) }')
		if port_free "$p"; then
			echo "$p"
			return
		fi
		n=$((n + 1))
	done
	return 1
}

# port_free PORT: nobody accepts connections on 127.0.0.1:PORT (curl exit 7).
port_free() {
	rc=0
	curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/" || rc=$?
	[ "$rc" = 7 ]
}

# pick_port FIXED OLD NAME NOT: FIXED if set (fails if taken), else OLD if
# still free, else a free port; never NOT.
pick_port() {
	if [ -n "$1" ]; then
		port_free "$1" || die "127.0.0.1:$1 is in use by another process (unset $3 to pick a free one)"
		echo "$1"
		return
	fi
	if [ -n "$2" ] && [ "$2" != "$4" ] && port_free "$2"; then
		echo "$2"
		return
	fi
	n=0
	while [ $n -lt 10 ]; do
		p=$(free_port) || break
		if [ "$p" != "$4" ]; then
			echo "$p"
			return
		fi
		n=$((n + 1))
	done
	die "found no free port"
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

	# up twice: stop what an earlier up started, then start fresh, on the
	# same ports when they are still free (URLs a test holds stay valid).
	old_port= old_other=
	[ ! -r "$run/ports" ] || read -r old_port old_other <"$run/ports" || true
	case $old_port$old_other in *[!0-9]*) old_port= old_other= ;; esac
	cmd_down

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
	cp "$here/legend-borders.png" "$run/legend-borders.png"
	sh "$here/gen-parcels.sh" "$run/parcels.geojson" 5000

	# htpasswd: the password reaches openssl on stdin, never in argv.
	hash=$(printf '%s\n' "$MS_BASIC_PASSWORD" | openssl passwd -apr1 -stdin) ||
		die "openssl passwd failed"
	printf '%s:%s\n' "$MS_BASIC_USER" "$hash" >"$run/htpasswd"

	# Free ports: MS_PORT / MS_OTHER_PORT, or picked, retried if one is
	# taken before nginx binds it. The configs name the ports.
	tries=5
	[ -z "$MS_PORT$MS_OTHER_PORT" ] || tries=1
	while :; do
		tries=$((tries - 1))
		port=$(pick_port "$MS_PORT" "$old_port" MS_PORT "")
		other_port=$(pick_port "$MS_OTHER_PORT" "$old_other" MS_OTHER_PORT "$port")
		[ "$port" != "$other_port" ] || die "MS_PORT and MS_OTHER_PORT must differ"
		old_port= old_other=
		render_configs
		nginx -t -q -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >"$run/logs/nginx-start.log" 2>&1 ||
			fail_up "nginx config test failed"
		if nginx -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >>"$run/logs/nginx-start.log" 2>&1; then
			break
		fi
		if [ $tries -le 0 ] || ! grep -q 'Address already in use' "$run/logs/nginx-start.log" "$run/logs/error.log" 2>/dev/null; then
			fail_up "nginx failed to start"
		fi
		echo "server.sh: port $port or $other_port was taken meanwhile, trying others" >&2
	done
	echo "$port $other_port" >"$run/ports"

	MAPSERVER_CONFIG_FILE=$run/mapserver.conf \
		spawn-fcgi -s "$run/mapserv.sock" -M 0600 -F "$MS_WORKERS" \
		-P "$run/mapserv.pid" -d "$run" -- "$MAPSERV" \
		>"$run/logs/spawn-fcgi.log" 2>&1 ||
		fail_up "spawn-fcgi failed"

	url="http://127.0.0.1:$port/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
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
	echo "server.sh: MapServer ready at http://127.0.0.1:$port (runtime dir $run)" >&2
}

render_configs() {
	render "$here/mapserver.conf.in" "$run/mapserver.conf"
	render "$here/mapvault.map.in" "$run/mapvault.map"
	render "$here/nginx.conf.in" "$run/nginx.conf"
	render "$here/fastcgi_mapserv.conf.in" "$run/fastcgi_mapserv.conf"
	render "$here/proxy_cache.conf.in" "$run/proxy_cache.conf"
}

cmd_env() {
	# Shell-quoted export lines: eval "$(.ci/mapserver/server.sh env)".
	q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
	port= other_port=
	[ ! -r "$run/ports" ] || read -r port other_port <"$run/ports" || true
	case $port in '' | *[!0-9]*) die "no ports recorded in $run/ports: run '$0 up' first" ;; esac
	echo "export MAPVAULT_MAPSERVER_URL=$(q "http://127.0.0.1:$port")"
	echo "export MAPVAULT_MAPSERVER_OTHER=$(q "http://127.0.0.1:$other_port")"
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

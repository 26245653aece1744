#!/bin/sh
# MapProxy 1.15 (gunicorn) behind nginx in front of the test MapServer's WMS:
# WMTS (KVP + RESTful) and TMS/XYZ tiles for mapvault integration tests and
# benchmarks. See README.md in this folder.
#
#   server.sh up   [DIR]   render configs into DIR, start gunicorn + nginx on free ports, wait until ready
#   server.sh down [DIR]   stop the nginx and gunicorn started for DIR (pid files)
#   server.sh env  [DIR]   print shell export lines for the test suite (after up)
#
# DIR defaults to .ci/tmp/mapproxy under the repository root.
# Needs a running upstream: eval "$(.ci/mapserver/server.sh env)" sets
# MAPVAULT_MAPSERVER_URL, whose /public/wms MapProxy sources.
# Environment: MAPPROXY_PORT (front; unset: a free port is picked),
# MAPPROXY_APP_PORT (gunicorn; unset: a free port), MAPPROXY_KEY (the key the
# /keytiles/ front wants; default $MS_KEY, else k3y-4f1c2e), MAPPROXY_WORKERS (2),
# MAPPROXY_THREADS (8 per worker), MAPPROXY_READY_TIMEOUT (20 seconds),
# GUNICORN (/usr/bin/gunicorn). The key is a test fixture; it is never passed
# on a command line.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

MAPPROXY_PORT=${MAPPROXY_PORT:-}
MAPPROXY_APP_PORT=${MAPPROXY_APP_PORT:-}
MAPPROXY_KEY=${MAPPROXY_KEY:-${MS_KEY:-k3y-4f1c2e}}
MAPPROXY_WORKERS=${MAPPROXY_WORKERS:-2}
MAPPROXY_THREADS=${MAPPROXY_THREADS:-8}
MAPPROXY_READY_TIMEOUT=${MAPPROXY_READY_TIMEOUT:-20}
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

check_settings() {
	case $MAPPROXY_PORT in *[!0-9]*) die "MAPPROXY_PORT must be a number" ;; esac
	case $MAPPROXY_APP_PORT in *[!0-9]*) die "MAPPROXY_APP_PORT must be a number" ;; esac
	case $MAPPROXY_WORKERS in '' | 0 | *[!0-9]*) die "MAPPROXY_WORKERS must be a number >= 1" ;; esac
	case $MAPPROXY_THREADS in '' | 0 | *[!0-9]*) die "MAPPROXY_THREADS must be a number >= 1" ;; esac
	case $MAPPROXY_READY_TIMEOUT in '' | *[!0-9]*) die "MAPPROXY_READY_TIMEOUT must be a number" ;; esac
	# The key is written into nginx.conf as a quoted string: URL-safe characters only.
	case $MAPPROXY_KEY in '' | *[!A-Za-z0-9._~-]*) die "MAPPROXY_KEY must be non-empty and use only A-Z a-z 0-9 . _ ~ -" ;; esac
	case $run in / | //*) die "runtime dir must not be /" ;; esac
	case $run in *[!A-Za-z0-9/._+-]*) die "runtime dir must use only A-Z a-z 0-9 / . _ + - (it is written into configs unquoted): $run" ;; esac
}

# render IN OUT: copy template IN to OUT replacing @RUN@ @PORT@ @APP_PORT@
# @UPSTREAM@ @KEY@ @USER_LINE@ literally (see .ci/fill-template).
render() {
	T_RUN=$run T_PORT=$port T_APP_PORT=$app_port T_UPSTREAM=$upstream \
		T_KEY=$MAPPROXY_KEY T_USER_LINE=$user_line \
		sh "$root/.ci/fill-template" "$1" "$2" RUN APP_PORT PORT UPSTREAM KEY USER_LINE
}

# alive PID NAME: PID is a running process of ours. nginx: its command line
# names this runtime dir's nginx.conf (the master rewrites its title to
# "nginx: master process nginx -p ... -c ..."). gunicorn (master and workers):
# its environment carries MAPVAULT_MAPPROXY_RUN=<this runtime dir>, set when
# server.sh started it. A recycled pid of anything else never matches.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	case $2 in
	nginx)
		case " $( { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) " in
		*" -c $run/nginx.conf "*) return 0 ;;
		*) return 1 ;;
		esac ;;
	gunicorn) { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "MAPVAULT_MAPPROXY_RUN=$run" ;;
	*) return 1 ;;
	esac
}

# wait_gone PID NAME: up to 5 s for PID to stop being ours.
wait_gone() {
	i=0
	while alive "$1" "$2" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! alive "$1" "$2"
}

# children PID NAME: the pids of PID's child processes that are ours.
children() {
	for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		if alive "$pid" "$2"; then printf '%s\n' "$pid"; fi
	done
}

cmd_down() {
	if [ -f "$run/nginx.pid" ]; then
		pid=$(cat "$run/nginx.pid" 2>/dev/null || true)
		if alive "$pid" nginx; then
			# QUIT lets the workers finish; the master removes its pid file on exit.
			kill -QUIT "$pid" 2>/dev/null || true
			wait_gone "$pid" nginx || kill -KILL "$pid" 2>/dev/null || true
		fi
		rm -f "$run/nginx.pid"
	fi
	if [ -f "$run/gunicorn.pid" ]; then
		pid=$(cat "$run/gunicorn.pid" 2>/dev/null || true)
		if alive "$pid" gunicorn; then
			kids=$(children "$pid" gunicorn)
			# QUIT: quick stop (TERM, graceful, waits ~1.5 s for idle gthread
			# workers); the master stops its workers and removes its pid file.
			kill -QUIT "$pid" 2>/dev/null || true
			wait_gone "$pid" gunicorn || kill -KILL "$pid" 2>/dev/null || true
			for kid in $kids; do
				wait_gone "$kid" gunicorn || kill -KILL "$kid" 2>/dev/null || true
			done
		fi
		rm -f "$run/gunicorn.pid"
	fi
	rm -f "$run/port" "$run/app-port"
}

fail_up() {
	echo "server.sh: $*" >&2
	# A gunicorn that has not written its pid file yet.
	if [ -n "${gpid:-}" ] && alive "$gpid" gunicorn; then
		kill -KILL "$gpid" 2>/dev/null || true
	fi
	for log in "$run/logs/nginx-start.log" "$run/logs/error.log" "$run/logs/gunicorn.log"; do
		if [ -s "$log" ]; then
			echo "--- tail of $log" >&2
			tail -n 20 "$log" >&2
		fi
	done
	cmd_down
	exit 1
}

# free_port: print a TCP port on 127.0.0.1 that nobody listens on right now
# (the kernel's choice for port 0; another process may still take it before
# we bind, so cmd_up retries on "Address already in use").
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# port_free PORT: nobody accepts connections on 127.0.0.1:PORT (curl exit 7).
port_free() {
	rc=0
	curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/" || rc=$?
	[ "$rc" = 7 ]
}

# pick_port FIXED OLD NAME: FIXED if set (fails if taken), else OLD if still
# free, else a free port.
pick_port() {
	if [ -n "$1" ]; then
		port_free "$1" || die "127.0.0.1:$1 is in use by another process (unset $3 to pick a free one)"
		echo "$1"
	elif [ -n "$2" ] && port_free "$2"; then
		echo "$2"
	else
		free_port || die "found no free port"
	fi
}

start_gunicorn() {
	: >"$run/logs/gunicorn.log"
	# In the background, in a session of its own where possible (setsid
	# without the fork util-linux's setsid does for a group leader), stderr to
	# gunicorn.log: the master is $! itself, so a failure before it writes its
	# pid file (a bad mapproxy.yaml, a port in use) is seen at once.
	# The environment marker lets alive() recognise master and workers.
	# --preload: the master loads mapproxy.yaml before it binds, so a bad
	# config ends it at once (traceback in gunicorn.log), not a worker loop.
	MAPVAULT_MAPPROXY_RUN=$run PYTHONDONTWRITEBYTECODE=1 \
		/usr/bin/python3 -c 'import os, sys
try:
    os.setsid()
except OSError:
    pass
os.execv(sys.argv[1], sys.argv[1:])' \
		"$GUNICORN" --preload --pid "$run/gunicorn.pid" --chdir "$run" \
		--bind "127.0.0.1:$app_port" --workers "$MAPPROXY_WORKERS" \
		--worker-class gthread --threads "$MAPPROXY_THREADS" \
		--timeout 60 --graceful-timeout 5 --keep-alive 30 \
		--error-logfile - --log-level info \
		--access-logfile "$run/logs/gunicorn-access.log" \
		--name mapvault-mapproxy \
		mapproxy_app:application </dev/null >>"$run/logs/gunicorn.log" 2>&1 &
	gpid=$!
	deadline=$(($(date +%s) + MAPPROXY_READY_TIMEOUT))
	while :; do
		if ! alive "$gpid" gunicorn; then
			grep -q 'Connection in use\|Address already in use' "$run/logs/gunicorn.log" && return 3
			return 1
		fi
		if grep -q 'Connection in use' "$run/logs/gunicorn.log"; then
			# gunicorn would retry for 5 s: stop it and pick another port.
			kill -QUIT "$gpid" 2>/dev/null || true
			wait_gone "$gpid" gunicorn || kill -KILL "$gpid" 2>/dev/null || true
			return 3
		fi
		if grep -q 'Listening at: ' "$run/logs/gunicorn.log" && [ -f "$run/gunicorn.pid" ] &&
			[ "$(cat "$run/gunicorn.pid" 2>/dev/null)" = "$gpid" ]; then
			return 0
		fi
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

cmd_up() {
	[ -x "$GUNICORN" ] || die "$GUNICORN not found (apt-get install gunicorn)"
	/usr/bin/python3 -c 'import mapproxy.wsgiapp' 2>/dev/null || die "MapProxy not found (apt-get install python3-mapproxy)"
	for tool in nginx curl ps; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install nginx-light curl procps)"
	done
	upstream=${MAPVAULT_MAPSERVER_URL:-}
	upstream=${upstream%/}
	[ -n "$upstream" ] || die "MAPVAULT_MAPSERVER_URL is not set: start the upstream and eval \"\$(.ci/mapserver/server.sh env)\" first"
	case $upstream in
	http://*) ;;
	*) die "MAPVAULT_MAPSERVER_URL must be an http:// URL: $upstream" ;;
	esac
	case $upstream in *[!A-Za-z0-9/:._-]*) die "MAPVAULT_MAPSERVER_URL must use only A-Z a-z 0-9 / : . _ -: $upstream" ;; esac
	curl -fsS -m 10 -o /dev/null "$upstream/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0" ||
		die "upstream $upstream/public/wms does not answer (run .ci/mapserver/server.sh up)"
	[ "$MAPPROXY_PORT" = "" ] || [ "$MAPPROXY_PORT" != "$MAPPROXY_APP_PORT" ] || die "MAPPROXY_PORT and MAPPROXY_APP_PORT must differ"

	# up twice: stop what an earlier up started, then start fresh, on the same
	# ports if they are still free (URLs a test already holds stay valid).
	old_port= old_app_port=
	[ ! -r "$run/port" ] || old_port=$(cat "$run/port")
	[ ! -r "$run/app-port" ] || old_app_port=$(cat "$run/app-port")
	case $old_port in *[!0-9]*) old_port= ;; esac
	case $old_app_port in *[!0-9]*) old_app_port= ;; esac
	cmd_down
	# Ports asked for must be free now: fail before starting anything.
	for p in "$MAPPROXY_APP_PORT" "$MAPPROXY_PORT"; do
		[ -z "$p" ] || port_free "$p" || die "127.0.0.1:$p is in use by another process (unset MAPPROXY_PORT / MAPPROXY_APP_PORT to pick free ones)"
	done

	umask 077
	# A fresh server: empty tile cache and logs (tests read the logs).
	rm -rf "$run/cache_data" "$run/logs" "$run/temp"
	mkdir -p "$run/logs" "$run/temp" "$run/cache_data"
	chmod 700 "$run"

	user_line=
	if [ "$(id -u)" = 0 ]; then
		# nginx workers would otherwise run as nobody and could not reach the
		# 0700 runtime dir.
		user_line="user root;"
	fi

	# gunicorn first (nginx needs its port), on a free port, retried if taken meanwhile.
	tries=5
	[ -z "$MAPPROXY_APP_PORT" ] || tries=1
	while :; do
		tries=$((tries - 1))
		app_port=$(pick_port "$MAPPROXY_APP_PORT" "$old_app_port" MAPPROXY_APP_PORT) || fail_up "no port for gunicorn"
		old_app_port=
		port=0 # rendered again below, with the front port
		render "$here/mapproxy.yaml.in" "$run/mapproxy.yaml"
		render "$here/app.py.in" "$run/mapproxy_app.py"
		rc=0
		start_gunicorn || rc=$?
		[ $rc = 0 ] && break
		[ $rc = 3 ] && [ $tries -gt 0 ] || fail_up "gunicorn (MapProxy) did not start on 127.0.0.1:$app_port"
		echo "server.sh: port $app_port was taken meanwhile, trying another" >&2
		rm -f "$run/gunicorn.pid"
	done
	echo "$app_port" >"$run/app-port"

	# nginx front, likewise.
	tries=5
	[ -z "$MAPPROXY_PORT" ] || tries=1
	started=
	while [ $tries -gt 0 ]; do
		tries=$((tries - 1))
		port=$(pick_port "$MAPPROXY_PORT" "$old_port" MAPPROXY_PORT) || fail_up "no port for nginx"
		old_port=
		render "$here/nginx.conf.in" "$run/nginx.conf"
		render "$here/proxy_mapproxy.conf.in" "$run/proxy_mapproxy.conf"
		nginx -t -q -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >"$run/logs/nginx-start.log" 2>&1 ||
			fail_up "nginx config test failed"
		if nginx -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >>"$run/logs/nginx-start.log" 2>&1; then
			started=1
			break
		fi
		grep -q 'Address already in use' "$run/logs/nginx-start.log" "$run/logs/error.log" 2>/dev/null || fail_up "nginx failed to start"
		echo "server.sh: port $port was taken meanwhile, trying another" >&2
	done
	[ -n "$started" ] || fail_up "nginx could not bind a port"
	echo "$port" >"$run/port"

	# Ready: WMTS capabilities through the open front, advertising the front's URLs.
	base="http://127.0.0.1:$port"
	caps="$base/mapproxy/wmts/1.0.0/WMTSCapabilities.xml"
	deadline=$(($(date +%s) + MAPPROXY_READY_TIMEOUT))
	while :; do
		if curl -fsS -m 5 -o "$run/ready.xml" "$caps" 2>/dev/null &&
			grep -q '<Capabilities' "$run/ready.xml"; then
			break
		fi
		alive "$(cat "$run/gunicorn.pid" 2>/dev/null || true)" gunicorn || fail_up "gunicorn (MapProxy) stopped"
		! grep -q 'Worker failed to boot\|Exception in worker' "$run/logs/gunicorn.log" || fail_up "a MapProxy worker failed to boot"
		[ "$(date +%s)" -lt "$deadline" ] || fail_up "WMTS capabilities did not answer within ${MAPPROXY_READY_TIMEOUT}s at $caps"
		sleep 0.2
	done
	grep -q "template=\"$base/mapproxy/wmts/" "$run/ready.xml" ||
		fail_up "capabilities do not advertise $base/mapproxy/wmts/: $(grep -o 'template="[^"]*"' "$run/ready.xml" | head -n 1)"
	rm -f "$run/ready.xml"
	# Tests count log lines: start them empty (both append, so truncating is safe).
	sleep 0.1
	: >"$run/logs/access.log"
	: >"$run/logs/gunicorn-access.log"
	echo "server.sh: MapProxy ready at $base (gunicorn 127.0.0.1:$app_port, upstream $upstream, runtime dir $run)" >&2
}

cmd_env() {
	if [ -n "$MAPPROXY_PORT" ]; then
		port=$MAPPROXY_PORT
	elif [ -r "$run/port" ]; then
		port=$(cat "$run/port")
	else
		die "no port recorded in $run/port: run '$0 up${1:+ $1}' first"
	fi
	# Shell-quoted export lines: eval "$(.ci/mapproxy/server.sh env)".
	q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
	echo "export MAPVAULT_MAPPROXY_URL=$(q "http://127.0.0.1:$port")"
	echo "export MAPVAULT_MAPPROXY_DIR=$(q "$run")"
	echo "export MAPPROXY_KEY=$(q "$MAPPROXY_KEY")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
run=$(absdir "${2:-$root/.ci/tmp/mapproxy}")
check_settings

case $1 in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ${2:+"$2"} ;;
*) usage ;;
esac

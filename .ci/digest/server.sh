#!/bin/sh
# Apache 2.4 with HTTP Digest (mod_auth_digest) in front of the test MapServer,
# for mapvault integration tests. See README.md in this folder.
#
#   server.sh up   [DIR]   render the config into DIR, start apache2 on a free port, wait until ready
#   server.sh down [DIR]   stop the apache2 started for DIR (pid file)
#   server.sh env  [DIR]   print shell export lines for the test suite (after up)
#
# DIR defaults to .ci/tmp/digest under the repository root.
# Needs a running upstream: eval "$(.ci/mapserver/server.sh env)" sets
# MAPVAULT_MAPSERVER_URL, whose /public/wms this server fronts.
# Environment: DIGEST_PORT (unset: a free port is picked), DIGEST_USER (analyst),
# DIGEST_PASSWORD (s3cret-digest), DIGEST_READY_TIMEOUT (20 seconds),
# APACHE2 (/usr/sbin/apache2), APACHE_MODULES (/usr/lib/apache2/modules),
# DIGEST_RUN_USER (www-data; only when started as root: apache2 will not serve as root).
# The credentials are test fixtures; they are never passed on a command line.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

REALM="mapvault digest"
DIGEST_PORT=${DIGEST_PORT:-}
DIGEST_USER=${DIGEST_USER:-analyst}
DIGEST_PASSWORD=${DIGEST_PASSWORD:-s3cret-digest}
DIGEST_READY_TIMEOUT=${DIGEST_READY_TIMEOUT:-20}
DIGEST_RUN_USER=${DIGEST_RUN_USER:-www-data}
APACHE2=${APACHE2:-/usr/sbin/apache2}
APACHE_MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}

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
	case $DIGEST_PORT in *[!0-9]*) die "DIGEST_PORT must be a number" ;; esac
	case $DIGEST_READY_TIMEOUT in '' | *[!0-9]*) die "DIGEST_READY_TIMEOUT must be a number" ;; esac
	# htdigest is "user:realm:hash", one line: no colon, no newline in the user.
	case $DIGEST_USER in '' | *[!A-Za-z0-9._-]*) die "DIGEST_USER must use only A-Z a-z 0-9 . _ -" ;; esac
	[ -n "$DIGEST_PASSWORD" ] || die "DIGEST_PASSWORD must not be empty"
	case $run in / | //*) die "runtime dir must not be /" ;; esac
	case $run in *[!A-Za-z0-9/._+-]*) die "runtime dir must use only A-Z a-z 0-9 / . _ + - (it is written into configs): $run" ;; esac
	case $APACHE_MODULES in *[!A-Za-z0-9/._+-]*) die "APACHE_MODULES must use only A-Z a-z 0-9 / . _ + -" ;; esac
}

# render IN OUT: copy template IN to OUT replacing @RUN@ @PORT@ @UPSTREAM@
# @MODDIR@ @USER_LINE@ @GROUP_LINE@ literally (see .ci/fill-template).
render() {
	T_RUN=$run T_PORT=$port T_UPSTREAM=$upstream T_MODDIR=$APACHE_MODULES \
		T_USER_LINE=$user_line T_GROUP_LINE=$group_line \
		sh "$root/.ci/fill-template" "$1" "$2" RUN PORT UPSTREAM MODDIR USER_LINE GROUP_LINE
}

# alive PID: PID is a running apache2 of ours, i.e. its command line names this
# runtime dir's httpd.conf (apache2 keeps its argv; parent and children alike).
# A recycled pid of anything else never matches.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	case " $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) " in
	*" -f $run/httpd.conf "*) return 0 ;;
	*) return 1 ;;
	esac
}

# children PID: the pids of PID's child processes that are ours.
children() {
	for f in /proc/[0-9]*/stat; do
		d=${f%/stat}
		# field 4 of /proc/N/stat is the parent pid (field 2, the name, has no spaces for apache2)
		ppid=$(awk '{print $4}' "$f" 2>/dev/null) || continue
		[ "$ppid" = "$1" ] || continue
		pid=${d#/proc/}
		if alive "$pid"; then printf '%s\n' "$pid"; fi
	done
}

# wait_gone PID: up to 5 s for PID to stop being ours.
wait_gone() {
	i=0
	while alive "$1" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! alive "$1"
}

cmd_down() {
	[ -f "$run/apache2.pid" ] || return 0
	pid=$(cat "$run/apache2.pid" 2>/dev/null || true)
	if alive "$pid"; then
		kids=$(children "$pid")
		# TERM: the parent stops its children and removes its pid file.
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		for kid in $kids; do
			if ! wait_gone "$kid"; then kill -KILL "$kid" 2>/dev/null || true; fi
		done
	fi
	rm -f "$run/apache2.pid" "$run/port"
}

fail_up() {
	echo "server.sh: $*" >&2
	for log in "$run/logs/apache2-start.log" "$run/logs/error.log" "$run/logs/access.log"; do
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
# apache2 binds, so cmd_up retries on "Address already in use").
free_port() {
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
		return
	fi
	# No Python: random ports until one refuses connections (curl exit 7).
	n=0
	while [ $n -lt 50 ]; do
		p=$(awk -v s="$$$n" 'BEGIN { srand(s + systime()); print 20000 + int(rand() * 40000) }')
		rc=0
		curl -s -o /dev/null -m 2 "http://127.0.0.1:$p/" || rc=$?
		if [ "$rc" = 7 ]; then
			echo "$p"
			return
		fi
		n=$((n + 1))
	done
	return 1
}

# curl_auth URL OUT: GET URL with Digest credentials read from a curl config
# on stdin (never argv); print "status content-type".
curl_auth() {
	printf 'user = "%s:%s"\n' "$DIGEST_USER" "$DIGEST_PASSWORD" |
		curl -s -m 10 --digest -K - -o "$2" -w '%{http_code} %{content_type}' "$1"
}

cmd_up() {
	[ -x "$APACHE2" ] || die "$APACHE2 not found (apt-get install apache2-bin)"
	for m in mpm_event authn_core authn_file authz_core authz_user auth_digest proxy proxy_http headers setenvif alias; do
		[ -r "$APACHE_MODULES/mod_$m.so" ] || die "missing $APACHE_MODULES/mod_$m.so (apt-get install apache2-bin)"
	done
	for tool in curl md5sum awk; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install curl coreutils mawk)"
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

	# up twice: stop what an earlier up started, then start fresh, on the same
	# port if it is still free (URLs a test already holds stay valid).
	old_port=
	[ ! -r "$run/port" ] || old_port=$(cat "$run/port")
	case $old_port in *[!0-9]*) old_port= ;; esac
	cmd_down

	umask 077
	# A fresh server: empty logs (tests read them).
	rm -rf "$run/logs" "$run/run" "$run/htdocs"
	mkdir -p "$run/logs" "$run/run" "$run/htdocs"
	chmod 700 "$run"

	user_line= group_line=
	if [ "$(id -u)" = 0 ]; then
		# apache2 refuses to serve as root; its children run as DIGEST_RUN_USER
		# and read htdigest at request time: let that group traverse the runtime
		# dir (not list it) and read htdigest, nothing else.
		id "$DIGEST_RUN_USER" >/dev/null 2>&1 || die "user $DIGEST_RUN_USER does not exist (set DIGEST_RUN_USER)"
		group=$(id -gn "$DIGEST_RUN_USER")
		user_line="User $DIGEST_RUN_USER"
		group_line="Group $group"
		chgrp "$group" "$run"
		chmod 710 "$run"
	fi

	# htdigest: user:realm:MD5(user:realm:password). printf is a shell builtin,
	# so the password reaches md5sum on stdin, never in an argv.
	hash=$(printf '%s' "$DIGEST_USER:$REALM:$DIGEST_PASSWORD" | md5sum | awk '{print $1}') ||
		die "md5sum failed"
	case $hash in ????????????????????????????????) ;; *) die "md5sum gave no hash" ;; esac
	printf '%s:%s:%s\n' "$DIGEST_USER" "$REALM" "$hash" >"$run/htdigest"
	if [ -n "$user_line" ]; then
		chgrp "$group" "$run/htdigest"
		chmod 640 "$run/htdigest"
		if command -v runuser >/dev/null 2>&1 &&
			! runuser -u "$DIGEST_RUN_USER" -- test -r "$run/htdigest" 2>/dev/null; then
			die "$DIGEST_RUN_USER cannot read $run/htdigest (a parent folder is not traversable): choose a DIR it can reach"
		fi
	fi

	# A free port: DIGEST_PORT, or the kernel's pick, retried if taken meanwhile.
	tries=5
	[ -z "$DIGEST_PORT" ] || tries=1
	started=
	while [ $tries -gt 0 ]; do
		tries=$((tries - 1))
		if [ -n "$DIGEST_PORT" ]; then
			port=$DIGEST_PORT
			rc=0
			curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" || rc=$?
			[ "$rc" = 7 ] || die "127.0.0.1:$port is in use by another process (unset DIGEST_PORT to pick a free one)"
		elif [ -n "$old_port" ]; then
			port=$old_port
			old_port=
			rc=0
			curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" || rc=$?
			[ "$rc" = 7 ] || port=$(free_port) || die "found no free port"
		else
			port=$(free_port) || die "found no free port"
		fi
		render "$here/httpd.conf.in" "$run/httpd.conf"
		"$APACHE2" -t -f "$run/httpd.conf" >"$run/logs/apache2-start.log" 2>&1 ||
			fail_up "apache2 config test failed"
		# -k start: binds, then detaches; a bind failure exits non-zero here.
		if "$APACHE2" -f "$run/httpd.conf" -k start >>"$run/logs/apache2-start.log" 2>&1; then
			started=1
			break
		fi
		grep -q 'Address already in use' "$run/logs/apache2-start.log" || fail_up "apache2 failed to start"
		echo "server.sh: port $port was taken meanwhile, trying another" >&2
	done
	[ -n "$started" ] || fail_up "apache2 could not bind a port"
	echo "$port" >"$run/port"

	# Ready: the pid file names our apache2, an anonymous request gets the
	# Digest challenge, and an authenticated GetCapabilities comes back from
	# MapServer advertising this server's URL.
	base="http://127.0.0.1:$port"
	caps="$base/digest/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
	deadline=$(($(date +%s) + DIGEST_READY_TIMEOUT))
	while :; do
		if [ -f "$run/apache2.pid" ] && alive "$(cat "$run/apache2.pid" 2>/dev/null)" &&
			[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$caps" 2>/dev/null)" = 401 ]; then
			break
		fi
		[ "$(date +%s)" -lt "$deadline" ] || fail_up "apache2 did not answer within ${DIGEST_READY_TIMEOUT}s at $base"
		sleep 0.2
	done
	got=$(curl_auth "$caps" "$run/ready.xml") || got="curl-failed"
	[ "${got%% *}" = 200 ] && grep -q '<WMS_Capabilities' "$run/ready.xml" ||
		fail_up "authenticated GetCapabilities through $base answered $got"
	grep -q "xlink:href=\"$base/digest/wms?" "$run/ready.xml" ||
		fail_up "capabilities do not advertise $base/digest/wms: $(grep -o 'OnlineResource[^>]*' "$run/ready.xml" | head -n 2)"
	rm -f "$run/ready.xml"
	# Tests count log lines: start them from an empty access log (apache2
	# appends, so truncating in place is safe).
	sleep 0.1
	: >"$run/logs/access.log"
	echo "server.sh: Digest front ready at $base (upstream $upstream, runtime dir $run)" >&2
}

cmd_env() {
	if [ -n "$DIGEST_PORT" ]; then
		port=$DIGEST_PORT
	elif [ -r "$run/port" ]; then
		port=$(cat "$run/port")
	else
		die "no port recorded in $run/port: run '$0 up${1:+ $1}' first"
	fi
	# Shell-quoted export lines: eval "$(.ci/digest/server.sh env)".
	q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
	echo "export MAPVAULT_DIGEST_URL=$(q "http://127.0.0.1:$port")"
	echo "export MAPVAULT_DIGEST_DIR=$(q "$run")"
	echo "export DIGEST_USER=$(q "$DIGEST_USER")"
	echo "export DIGEST_PASSWORD=$(q "$DIGEST_PASSWORD")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
run=$(absdir "${2:-$root/.ci/tmp/digest}")
check_settings

case $1 in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ${2:+"$2"} ;;
*) usage ;;
esac

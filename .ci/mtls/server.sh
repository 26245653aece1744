#!/bin/sh
# Mutual-TLS (client certificate) front with nginx over the CI MapServer, for
# mapvault integration tests. See README.md in this folder.
#
#   server.sh up   [DIR]   make a fresh test PKI in DIR, start nginx, wait until ready
#   server.sh down [DIR]   stop the nginx started for DIR (pid file)
#   server.sh env  [DIR]   print shell export lines for the test suite (after up)
#
# DIR defaults to .ci/tmp/mtls under the repository root.
# Needs the upstream: eval "$(.ci/mapserver/server.sh env)" (MAPVAULT_MAPSERVER_URL).
# Environment: MTLS_PORT, MTLS_OPTIONAL_PORT (default: free ports picked at up),
# MTLS_P12_PASSWORD (s3cret-p12), MTLS_DAYS (7), MTLS_READY_TIMEOUT (20 seconds).
# The password is a test fixture; it reaches openssl through a 0600 file, never argv.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

MTLS_PORT=${MTLS_PORT:-}
MTLS_OPTIONAL_PORT=${MTLS_OPTIONAL_PORT:-}
MTLS_P12_PASSWORD=${MTLS_P12_PASSWORD:-s3cret-p12}
MTLS_DAYS=${MTLS_DAYS:-7}
MTLS_READY_TIMEOUT=${MTLS_READY_TIMEOUT:-20}

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
	case $MTLS_PORT in *[!0-9]*) die "MTLS_PORT must be a number" ;; esac
	case $MTLS_OPTIONAL_PORT in *[!0-9]*) die "MTLS_OPTIONAL_PORT must be a number" ;; esac
	case $MTLS_DAYS in '' | *[!0-9]*) die "MTLS_DAYS must be a number" ;; esac
	case $MTLS_READY_TIMEOUT in '' | *[!0-9]*) die "MTLS_READY_TIMEOUT must be a number" ;; esac
	if [ -n "$MTLS_PORT" ] && [ "$MTLS_PORT" = "$MTLS_OPTIONAL_PORT" ]; then
		die "MTLS_PORT and MTLS_OPTIONAL_PORT must differ"
	fi
	# openssl reads the first line of the password file.
	[ -n "$MTLS_P12_PASSWORD" ] || die "MTLS_P12_PASSWORD must not be empty"
	case $MTLS_P12_PASSWORD in *'
'*) die "MTLS_P12_PASSWORD must be one line" ;; esac
	case $run in / | //*) die "runtime dir must not be /" ;; esac
	case $run in *[!A-Za-z0-9/._+-]*) die "runtime dir must use only A-Z a-z 0-9 / . _ + - (it is written into configs unquoted): $run" ;; esac
}

# render IN OUT: copy template IN to OUT replacing @RUN@ @PORT@ @OPTIONAL_PORT@
# @UPSTREAM@ @USER_LINE@ literally (see .ci/fill-template).
render() {
	T_RUN=$run T_PORT=$port T_OPTIONAL_PORT=$optional_port T_UPSTREAM=$upstream \
		T_USER_LINE=$user_line \
		sh "$root/.ci/fill-template" "$1" "$2" RUN OPTIONAL_PORT PORT UPSTREAM USER_LINE
}

# alive PID: PID is a running nginx of ours, i.e. one whose command line names
# this runtime dir's nginx.conf. A recycled pid of anything else never matches.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	# the master rewrites its title to "nginx: master process nginx -p ... -c ..."
	case " $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) " in
	*" -c $run/nginx.conf "*) return 0 ;;
	*) return 1 ;;
	esac
}

cmd_down() {
	if [ -f "$run/nginx.pid" ]; then
		pid=$(cat "$run/nginx.pid" 2>/dev/null || true)
		if alive "$pid"; then
			# QUIT lets the workers finish; the master removes its pid file on exit.
			kill -QUIT "$pid" 2>/dev/null || true
			i=0
			while alive "$pid" && [ $i -lt 50 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			if alive "$pid"; then
				kill -9 "$pid" 2>/dev/null || true
			fi
		fi
		rm -f "$run/nginx.pid"
	fi
	# env answers only while a server runs.
	rm -f "$run/ports"
}

fail_up() {
	echo "server.sh: $*" >&2
	for log in "$run/logs/openssl.log" "$run/logs/nginx-start.log" "$run/logs/error.log" "$run/logs/access.log"; do
		if [ -s "$log" ]; then
			echo "--- tail of $log" >&2
			tail -n 20 "$log" >&2
		fi
	done
	cmd_down
	exit 1
}

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT
# (curl exit 7 = connection refused).
port_free() {
	rc=0
	curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/" || rc=$?
	[ "$rc" = 7 ]
}

# pick_port AVOID: print a free port in 20000-31999 (below Linux's ephemeral
# range, 32768-60999), other than AVOID. The machine is shared: never a fixed default.
pick_port() {
	i=0
	while [ $i -lt 100 ]; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		p=$((20000 + n % 12000))
		if [ "$p" != "$1" ] && port_free "$p"; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	return 1
}

# ossl ARGS...: run openssl, its output to logs/openssl.log; fail fast.
ossl() {
	openssl "$@" >>"$run/logs/openssl.log" 2>&1 || fail_up "openssl $1 failed"
}

# newkey FILE: a fresh unencrypted RSA key (PKCS#8 PEM, "BEGIN PRIVATE KEY").
newkey() {
	ossl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
}

# newca NAME SUBJECT: self-signed CA NAME.pem with key NAME.key.
newca() {
	newkey "$run/$1.key"
	ossl req -x509 -new -config "$here/openssl-ext.cnf" -extensions ca_ext -sha256 \
		-days "$MTLS_DAYS" -key "$run/$1.key" -subj "$2" -out "$run/$1.pem"
}

# newcert NAME SUBJECT EXT CA: NAME.pem + NAME.key signed by CA (.pem/.key) with
# the extensions section EXT of openssl-ext.cnf.
newcert() {
	newkey "$run/$1.key"
	ossl req -new -config "$here/openssl-ext.cnf" -key "$run/$1.key" -subj "$2" -out "$run/$1.csr"
	ossl x509 -req -in "$run/$1.csr" -CA "$run/$4.pem" -CAkey "$run/$4.key" \
		-CAcreateserial -CAserial "$run/$4.srl" -sha256 -days "$MTLS_DAYS" \
		-extfile "$here/openssl-ext.cnf" -extensions "$3" -out "$run/$1.pem"
	rm -f "$run/$1.csr"
}

make_pki() {
	rm -f "$run"/*.pem "$run"/*.key "$run"/*.p12 "$run"/*.srl "$run/p12.pass" "$run/logs/openssl.log"
	# The password file is what openssl reads (-passout file:); 0600 under umask 077.
	printf '%s\n' "$MTLS_P12_PASSWORD" >"$run/p12.pass"
	newca ca "/O=mapvault CI/CN=mapvault test CA"
	newcert server "/O=mapvault CI/CN=127.0.0.1" server_ext ca
	newcert client "/O=mapvault CI/CN=analyst" client_ext ca
	# Same subject, untrusted issuer: the "wrong certificate" case.
	newca other-ca "/O=mapvault other CA/CN=untrusted test CA"
	newcert other-client "/O=mapvault other CA/CN=analyst" client_ext other-ca
	# PKCS#12 as OpenSSL 3 writes it by default (PBES2/PBKDF2/AES-256-CBC, MAC
	# sha256) and with -legacy (key 3DES, certificates RC2-40, MAC sha1), both
	# with the CA certificate in the chain.
	ossl pkcs12 -export -in "$run/client.pem" -inkey "$run/client.key" -certfile "$run/ca.pem" \
		-name analyst -passout "file:$run/p12.pass" -out "$run/client.p12"
	ossl pkcs12 -export -legacy -in "$run/client.pem" -inkey "$run/client.key" -certfile "$run/ca.pem" \
		-name analyst -passout "file:$run/p12.pass" -out "$run/client-legacy.p12"
	# Encrypted PEM keys, same password: PKCS#8 PBES2 AES-256 ("BEGIN ENCRYPTED
	# PRIVATE KEY") and traditional OpenSSL ("Proc-Type: 4,ENCRYPTED", AES-256-CBC).
	ossl pkey -in "$run/client.key" -aes256 -passout "file:$run/p12.pass" -out "$run/client-enc.key"
	ossl pkey -in "$run/client.key" -aes256 -traditional -passout "file:$run/p12.pass" -out "$run/client-enc-legacy.key"
}

cmd_up() {
	for tool in nginx openssl curl od; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install nginx-light openssl curl)"
	done
	upstream=${MAPVAULT_MAPSERVER_URL:-}
	[ -n "$upstream" ] || die 'MAPVAULT_MAPSERVER_URL is not set: eval "$(.ci/mapserver/server.sh env)" first'
	upstream=${upstream%/}
	case $upstream in
	http://* | https://*) ;;
	*) die "MAPVAULT_MAPSERVER_URL must be an http(s) URL: $upstream" ;;
	esac
	case $upstream in *[!A-Za-z0-9:/._-]*) die "MAPVAULT_MAPSERVER_URL must use only A-Z a-z 0-9 : / . _ - (it is written into nginx.conf): $upstream" ;; esac
	curl -fsS -m 10 -o /dev/null "$upstream/public/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0" ||
		die "upstream $upstream/public/wms does not answer (.ci/mapserver/server.sh up)"

	# up twice: stop what an earlier up started, then start fresh.
	cmd_down
	if [ -n "$MTLS_PORT" ]; then
		port_free "$MTLS_PORT" || die "127.0.0.1:$MTLS_PORT is in use by another process (MTLS_PORT)"
	fi
	if [ -n "$MTLS_OPTIONAL_PORT" ]; then
		port_free "$MTLS_OPTIONAL_PORT" || die "127.0.0.1:$MTLS_OPTIONAL_PORT is in use by another process (MTLS_OPTIONAL_PORT)"
	fi

	umask 077
	rm -rf "$run/logs" "$run/temp"
	mkdir -p "$run/logs" "$run/temp"
	chmod 700 "$run"

	user_line=
	if [ "$(id -u)" = 0 ]; then
		# nginx workers would otherwise run as nobody and could not reach the
		# 0700 runtime dir (proxy temp files).
		user_line="user root;"
	fi

	make_pki

	# Ports: the ones asked for, else free ones; a port picked here can still be
	# taken by someone else before nginx binds it, so then pick again.
	tries=0
	while :; do
		tries=$((tries + 1))
		port=$MTLS_PORT optional_port=$MTLS_OPTIONAL_PORT
		if [ -z "$port" ]; then
			port=$(pick_port "$optional_port") || fail_up "no free port found"
		fi
		if [ -z "$optional_port" ]; then
			optional_port=$(pick_port "$port") || fail_up "no free port found"
		fi

		render "$here/nginx.conf.in" "$run/nginx.conf"
		render "$here/proxy_wms.conf.in" "$run/proxy_wms.conf"
		: >"$run/logs/error.log"
		nginx -t -q -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >"$run/logs/nginx-start.log" 2>&1 ||
			fail_up "nginx config test failed"
		if nginx -p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log" >>"$run/logs/nginx-start.log" 2>&1; then
			break
		fi
		if [ -z "$MTLS_PORT" ] || [ -z "$MTLS_OPTIONAL_PORT" ]; then auto=1; else auto=0; fi
		if [ $auto = 1 ] && [ $tries -lt 3 ] &&
			grep -q 'Address already in use' "$run/logs/nginx-start.log" "$run/logs/error.log"; then
			echo "server.sh: port $port or $optional_port was taken meanwhile; picking again" >&2
			continue
		fi
		fail_up "nginx failed to start"
	done
	printf '%s %s\n' "$port" "$optional_port" >"$run/ports"

	url="https://127.0.0.1:$port/mtls/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
	deadline=$(($(date +%s) + MTLS_READY_TIMEOUT))
	while :; do
		if curl -fsS -m 5 --cacert "$run/ca.pem" --cert "$run/client.pem" --key "$run/client.key" \
			-o "$run/ready.xml" "$url" 2>/dev/null &&
			grep -q '<WMS_Capabilities' "$run/ready.xml"; then
			break
		fi
		[ "$(date +%s)" -lt "$deadline" ] || fail_up "GetCapabilities did not answer within ${MTLS_READY_TIMEOUT}s at $url"
		sleep 0.2
	done
	rm -f "$run/ready.xml"
	echo "server.sh: mTLS front ready at https://127.0.0.1:$port (verify on) and https://127.0.0.1:$optional_port (verify optional), upstream $upstream (runtime dir $run)" >&2
}

cmd_env() {
	# Shell-quoted export lines: eval "$(.ci/mtls/server.sh env)".
	[ -f "$run/ports" ] && [ -f "$run/nginx.pid" ] && alive "$(cat "$run/nginx.pid")" ||
		die "no mTLS server running for $run (server.sh up first)"
	read -r port optional_port <"$run/ports"
	IFS= read -r pass <"$run/p12.pass"
	q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
	echo "export MAPVAULT_MTLS_URL=$(q "https://127.0.0.1:$port")"
	echo "export MAPVAULT_MTLS_OPTIONAL_URL=$(q "https://127.0.0.1:$optional_port")"
	echo "export MAPVAULT_MTLS_DIR=$(q "$run")"
	echo "export MTLS_CA=$(q "$run/ca.pem")"
	echo "export MTLS_CLIENT_CERT=$(q "$run/client.pem")"
	echo "export MTLS_CLIENT_KEY=$(q "$run/client.key")"
	echo "export MTLS_CLIENT_KEY_ENC=$(q "$run/client-enc.key")"
	echo "export MTLS_CLIENT_KEY_ENC_LEGACY=$(q "$run/client-enc-legacy.key")"
	echo "export MTLS_CLIENT_P12=$(q "$run/client.p12")"
	echo "export MTLS_CLIENT_P12_LEGACY=$(q "$run/client-legacy.p12")"
	echo "export MTLS_OTHER_CERT=$(q "$run/other-client.pem")"
	echo "export MTLS_OTHER_KEY=$(q "$run/other-client.key")"
	echo "export MTLS_P12_PASSWORD=$(q "$pass")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
run=$(absdir "${2:-$root/.ci/tmp/mtls}")
check_settings

case $1 in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
*) usage ;;
esac

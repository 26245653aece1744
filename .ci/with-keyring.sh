#!/bin/sh
# Run a command with a private D-Bus session and an unlocked gnome-keyring
# (Secret Service), in a fresh HOME and XDG_RUNTIME_DIR, e.g.
#
#   .ci/with-keyring.sh env MAPVAULT_KEYRING_IT=1 go test -run Keychain -v ./vault/
#
# Needs the Debian packages gnome-keyring, libsecret-tools and dbus-x11
# (dbus-run-session). Everything it starts is stopped when the command ends.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG...]" >&2
	exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (apt-get install -y --no-install-recommends gnome-keyring libsecret-tools dbus-x11)" >&2
		exit 2
	fi
done

# Keep Go's caches where they are before HOME moves.
if command -v go >/dev/null 2>&1; then
	GOPATH=$(go env GOPATH)
	GOCACHE=$(go env GOCACHE)
	GOMODCACHE=$(go env GOMODCACHE)
	export GOPATH GOCACHE GOMODCACHE
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapvault-keyring.XXXXXX")
mkdir -m 0700 "$tmp/home" "$tmp/run"

# ours lists the pids of processes started for this run: those whose
# environment carries our private XDG_RUNTIME_DIR.
ours() {
	for env in /proc/[0-9]*/environ; do
		pid=${env#/proc/}
		pid=${pid%/environ}
		if { tr '\0' '\n' <"$env"; } 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$tmp/run"; then
			echo "$pid"
		fi
	done
}

cleanup() {
	# dbus-run-session stops the bus; gnome-keyring-daemon may outlive it.
	# (Processes already dead show in ps as zombies until init reaps them.)
	pids=$(ours)
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null || true
		sleep 0.3
		pids=$(ours)
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

# HOME and XDG_RUNTIME_DIR are set for the session only, not for this shell,
# so that ours() finds exactly the processes of the session.
status=0
env HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" dbus-run-session -- sh -c '
	printf %s pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
	exec "$@"
' sh "$@" || status=$?
exit $status

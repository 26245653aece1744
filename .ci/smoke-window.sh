#!/bin/sh
# smoke-window.sh OUT.png — run the real mapvault window on the offline demo
# under Xvfb, let it take its own screenshot once every tile has loaded
# (-screenshot), take a second one with ImageMagick's `import`, and fail
# unless the PNG shows more than a blank window.
#
# Needs: xvfb xauth imagemagick and the Fyne build packages (see
# docs/REAL-PARTS in the shared guide). Builds with cgo and -tags
# migrated_fynedo; set MAPVAULT_BIN to use an already built binary.
set -eu

out=${1:?usage: .ci/smoke-window.sh OUT.png}
root=$(cd "$(dirname "$0")/.." && pwd)
display=${SMOKE_DISPLAY:-} # unset: Xvfb picks a free display (-displayfd)
threshold=${SMOKE_MIN_STDDEV:-0.02}

work=$(mktemp -d)
xvfb_pid=
cleanup() {
	if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

bin=${MAPVAULT_BIN:-}
if [ -z "$bin" ]; then
	bin=$work/mapvault
	echo "smoke: building cmd/mapvault (cgo)…"
	(cd "$root" && CGO_ENABLED=1 go build -tags migrated_fynedo -o "$bin" ./cmd/mapvault)
fi

mkdir -m 0700 "$work/xdg"
export XDG_RUNTIME_DIR="$work/xdg"
export HOME="$work/home"
mkdir -p "$HOME/.cache" "$HOME/.config"

if [ -n "$display" ]; then
	Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
else
	# Xvfb writes the number of the free display it took to fd 3 once it
	# accepts connections.
	: >"$work/display"
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
fi
xvfb_pid=$!
i=0
while :; do
	if [ -z "$display" ] && [ -s "$work/display" ] && grep -q '^[0-9][0-9]*$' "$work/display"; then
		display=:$(cat "$work/display")
	fi
	if [ -n "$display" ] && { DISPLAY=$display xdpyinfo >/dev/null 2>&1 || [ -e "/tmp/.X11-unix/X${display#:}" ]; }; then
		break
	fi
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$xvfb_pid" 2>/dev/null; then
		echo "smoke: Xvfb did not start" >&2
		cat "$work/xvfb.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "smoke: Xvfb on display $display"
export DISPLAY=$display

rm -f "$out"
# A second shot of the whole screen: as soon as the app has written its own
# (it stays up for a moment afterwards for exactly this).
(
	n=0
	while [ ! -s "$out" ] && [ "$n" -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	import -window root "${out%.png}-root.png" 2>/dev/null || true
) &
shot_pid=$!
status=0
# Inside a private D-Bus session with an unlocked keychain, as on a desktop:
# without a session bus the keychain lookup would autolaunch one that
# outlives the test.
sh "$root/.ci/with-keyring.sh" timeout -k 5 60 "$bin" -demo -screenshot "$out" -after 8s || status=$?
wait "$shot_pid" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
	echo "smoke: mapvault exited with status $status" >&2
	exit 1
fi
if [ ! -s "$out" ]; then
	echo "smoke: no screenshot written to $out" >&2
	exit 1
fi

check() {
	sd=$(convert "$1" -format '%[fx:standard_deviation]' info:)
	size=$(identify -format '%wx%h' "$1")
	echo "smoke: $1: ${size}, standard deviation $sd"
	awk -v sd="$sd" -v min="$threshold" 'BEGIN { exit !(sd > min) }' || {
		echo "smoke: $1 looks blank (standard deviation $sd <= $threshold)" >&2
		return 1
	}
}
check "$out"
if [ -s "${out%.png}-root.png" ]; then
	check "${out%.png}-root.png"
else
	echo "smoke: note: no root-window shot (import failed)" >&2
fi
echo "smoke: ok"

#!/bin/sh
# smoke-window.sh OUT.png — run the real mapvault window on the offline demo
# under Xvfb, let it take its own screenshot once every tile has loaded
# (-screenshot), take a second one with ImageMagick's `import`, and fail
# unless the PNG shows more than a blank window.
#
# Then a second run clicks the map with xdotool and checks the identify
# result (see below).
#
# Needs: xvfb xauth imagemagick xdotool and the Fyne build packages (see
# docs/REAL-PARTS in the shared guide). Builds with cgo and -tags
# migrated_fynedo; set MAPVAULT_BIN to use an already built binary.
set -eu

out=${1:?usage: .ci/smoke-window.sh OUT.png}
root=$(cd "$(dirname "$0")/.." && pwd)
display=${SMOKE_DISPLAY:-} # unset: Xvfb picks a free display (-displayfd)
threshold=${SMOKE_MIN_STDDEV:-0.02}

work=$(mktemp -d)
xvfb_pid=
app_pid=
cleanup() {
	if [ -n "$app_pid" ]; then kill -KILL "$app_pid" 2>/dev/null || true; fi
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

# Identify with a real click: a project with one local GeoJSON polygon under
# the middle of the map; xdotool clicks there through the X server, the app
# (-trace) reports what identify found, the results panel is shot, and
# SIGTERM must end the app within 5 s.
mkdir -p "$work/identify"
cat >"$work/identify/parcel.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","id":"p1","properties":{"code":"NL-1768","name":"Parcel one"},
"geometry":{"type":"Polygon","coordinates":[[[-90,-60],[90,-60],[90,70],[-90,70],[-90,-60]]]}}]}
JSON
cat >"$work/identify/parcel.mapvault.json" <<'JSON'
{"format": "mapvault-project", "version": 2, "title": "Identify smoke", "view": {"center": {"lon": 0, "lat": 0}, "zoom": 2},
 "layers": [{"id": "parcel", "name": "Parcel", "kind": "geojson", "source": "parcel.geojson", "opacity": 1, "visible": true}]}
JSON
shot2=${out%.png}-identify.png
# The app itself is the background job (no wrapper), so that SIGTERM goes
# to it; the project has no protected source, so no keychain is asked.
"$bin" -trace "$work/identify/parcel.mapvault.json" 2>"$work/identify.log" &
app_pid=$!
win=$(timeout 30 xdotool search --sync --onlyvisible --name 'mapvault' 2>/dev/null | head -n 1) || win=
if [ -z "$win" ]; then
	echo "smoke: the identify run's window did not appear" >&2
	cat "$work/identify.log" >&2
	kill "$app_pid" 2>/dev/null || true
	exit 1
fi
sleep 3 # the layer loads and the first frame is drawn
eval "$(xdotool getwindowgeometry --shell "$win")"
# The map fills the window right of the layer panel (a third of the width).
cx=$((X + WIDTH * 2 / 3)) cy=$((Y + HEIGHT / 2))
xdotool mousemove "$cx" "$cy" click 1
n=0
until grep -q 'identify at' "$work/identify.log" || [ "$n" -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.5
import -window root "$shot2" 2>/dev/null || true
line=$(grep 'identify at' "$work/identify.log" | tail -n 1)
echo "smoke: click at $cx,$cy: ${line:-no identify result}"
case $line in
*": 1 feature(s) in 1 layer(s)") ;;
*)
	echo "smoke: the click did not identify the parcel" >&2
	cat "$work/identify.log" >&2
	kill "$app_pid" 2>/dev/null || true
	exit 1
	;;
esac
[ ! -s "$shot2" ] || check "$shot2"
t0=$(date +%s%N)
kill -TERM "$app_pid" 2>/dev/null || true
n=0
while kill -0 "$app_pid" 2>/dev/null && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$app_pid" 2>/dev/null; then
	echo "smoke: the app did not exit within 5 s of SIGTERM" >&2
	kill -KILL "$app_pid" 2>/dev/null || true
	exit 1
fi
wait "$app_pid" 2>/dev/null || true
echo "smoke: SIGTERM ended the app in $((($(date +%s%N) - t0) / 1000000)) ms"
echo "smoke: ok"

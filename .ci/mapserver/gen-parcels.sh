#!/bin/sh
# gen-parcels.sh OUT.geojson [N]: write N (5000) star-shaped polygons of 20
# vertices on a grid over Europe, each about half its cell, with an id and a
# "kind" property, as GeoJSON: the 5,000-feature WFS layer of the benchmark
# (bench/kinds) and the tests. Deterministic (a fixed linear congruential
# Park-Miller generator whose products stay exact in awk doubles), so every
# run serves the same features.
set -eu
out=${1:?usage: gen-parcels.sh OUT.geojson [N]}
n=${2:-5000}
awk -v n="$n" 'BEGIN {
	west = -25; south = 34; east = 45; north = 71
	cols = int(sqrt(n * 2)); if (cols * cols < n * 2) cols++
	rows = int((n + cols - 1) / cols)
	cw = (east - west) / cols; ch = (north - south) / rows
	split("forest water urban farm park", kinds, " ")
	seed = 12345; pi = atan2(0, -1)
	printf "{\"type\":\"FeatureCollection\",\"features\":[\n"
	for (i = 0; i < n; i++) {
		cx = west + (i % cols + 0.5) * cw
		cy = south + (int(i / cols) + 0.5) * ch
		printf "%s{\"type\":\"Feature\",\"id\":%d,\"properties\":{\"id\":%d,\"kind\":\"%s\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[", (i ? ",\n" : ""), i, i, kinds[i % 5 + 1]
		for (v = 0; v < 20; v++) {
			seed = (seed * 16807) % 2147483647
			r = 0.45 * (0.6 + 0.4 * seed / 2147483647)
			a = 2 * pi * v / 20
			x = cx + cos(a) * r * cw; y = cy + sin(a) * r * ch
			if (v == 0) { fx = x; fy = y }
			printf "[%.5f,%.5f],", x, y
		}
		printf "[%.5f,%.5f]]]}}", fx, fy
	}
	printf "\n]}\n"
}' >"$out"

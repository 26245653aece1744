package app

import (
	"math"
	"testing"
)

func TestLonLatWorldRoundTrip(t *testing.T) {
	tests := []struct{ lon, lat, zoom float64 }{
		{0, 0, 0}, {10, 50, 3}, {-179.5, -60, 7.5}, {179.9, 85, 12}, {3.9, 51.5, 18},
	}
	for _, tt := range tests {
		x, y := lonLatToWorld(tt.lon, tt.lat, tt.zoom)
		lon, lat := worldToLonLat(x, y, tt.zoom)
		if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 {
			t.Errorf("round trip (%v, %v, z%v) = (%v, %v), want the input", tt.lon, tt.lat, tt.zoom, lon, lat)
		}
	}
}

func TestLonLatToWorldKnownPoints(t *testing.T) {
	tests := []struct {
		lon, lat, zoom float64
		wantX, wantY   float64
	}{
		{0, 0, 0, 128, 128},
		{-180, 0, 1, 0, 256},
		{180, 0, 1, 512, 256},
		{0, 90, 0, 128, 0}, // clamped to the mercator limit: top edge
	}
	for _, tt := range tests {
		x, y := lonLatToWorld(tt.lon, tt.lat, tt.zoom)
		if math.Abs(x-tt.wantX) > 1e-6 || math.Abs(y-tt.wantY) > 1e-6 {
			t.Errorf("lonLatToWorld(%v, %v, %v) = (%v, %v), want (%v, %v)", tt.lon, tt.lat, tt.zoom, x, y, tt.wantX, tt.wantY)
		}
	}
}

func TestWrapLon(t *testing.T) {
	tests := []struct{ in, want float64 }{{0, 0}, {180, -180}, {190, -170}, {-190, 170}, {540, -180}, {-180, -180}}
	for _, tt := range tests {
		if got := wrapLon(tt.in); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("wrapLon(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestScale(t *testing.T) {
	tests := []struct {
		lat, zoom float64
		want      string
	}{
		{0, 0, "1:559,000,000"},
		{0, 10, "1:546,000"},
		{60, 10, "1:273,000"},
		{50, 3, "1:44,900,000"},
	}
	for _, tt := range tests {
		if got := formatScale(scaleDenominator(tt.lat, tt.zoom)); got != tt.want {
			t.Errorf("scale(lat %v, zoom %v) = %s, want %s", tt.lat, tt.zoom, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n    float64
		want string
	}{{0, "1:1"}, {1, "1:1"}, {999, "1:999"}, {1234, "1:1,230"}, {math.Inf(1), "1:1"}} {
		if got := formatScale(tt.n); got != tt.want {
			t.Errorf("formatScale(%v) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

func TestFormatLonLat(t *testing.T) {
	tests := []struct {
		lon, lat float64
		want     string
	}{
		{3.9, 51.5, "51.5000° N, 3.9000° E"},
		{-74.006, -33.45, "33.4500° S, 74.0060° W"},
	}
	for _, tt := range tests {
		if got := formatLonLat(tt.lon, tt.lat); got != tt.want {
			t.Errorf("formatLonLat(%v, %v) = %q, want %q", tt.lon, tt.lat, got, tt.want)
		}
	}
}

func TestFitBounds(t *testing.T) {
	tests := []struct {
		name                     string
		w, h                     float64
		west, south, east, north float64
		wantLon, wantLat, wantZ  float64
	}{
		{"world", 1024, 1024, -180, -85.05112878, 180, 85.05112878, 0, 0, 1.75},
		{"europe", 800, 600, -25, 34, 45, 72, 10, 57.63, 3.25},
		{"point-like", 800, 600, 3.9, 51.5, 3.9, 51.5, 3.9, 51.5, 20},
		{"antimeridian", 800, 600, 170, -20, -170, 0, -180, -10.16, 5},
	}
	for _, tt := range tests {
		lon, lat, z := fitBounds(tt.w, tt.h, tt.west, tt.south, tt.east, tt.north)
		if math.Abs(wrapLon(lon-tt.wantLon)) > 0.01 || math.Abs(lat-tt.wantLat) > 0.01 || z != tt.wantZ {
			t.Errorf("%s: fitBounds = (%.2f, %.2f, %v), want (%v, %v, %v)", tt.name, lon, lat, z, tt.wantLon, tt.wantLat, tt.wantZ)
		}
	}
}

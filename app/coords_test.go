package app

import (
	"math"
	"testing"

	"mapvault/layers"
)

func TestFormatCoord(t *testing.T) {
	tests := []struct {
		f        coordFormat
		lon, lat float64
		want     string
	}{
		{coordDD, 4.5, 50.6, "4.50000°, 50.60000°"},
		{coordDD, -74.006, -33.45, "-74.00600°, -33.45000°"},
		{coordDMS, 4.5, 50.6, "4°30′00.0″E 50°36′00.0″N"},
		{coordDMS, -74.006, -33.45, "74°00′21.6″W 33°27′00.0″S"},
		{coordDMS, 0, 0, "0°00′00.0″E 0°00′00.0″N"},
		{coordMercator, 0, 0, "0.00, 0.00"},
		{coordMercator, 180, 0, "20037508.34, 0.00"},
		{coordMercator, 4.5, 50.6, "500937.71, 6550841.04"},
		{"unknown", 1, 2, "1.00000°, 2.00000°"},
	}
	for _, tt := range tests {
		if got := formatCoord(tt.f, tt.lon, tt.lat); got != tt.want {
			t.Errorf("formatCoord(%s, %v, %v) = %q, want %q", tt.f, tt.lon, tt.lat, got, tt.want)
		}
	}
}

func TestFormatDMS(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0°00′00.0″N"},
		{50.6, "50°36′00.0″N"},
		{-50.6, "50°36′00.0″S"},
		{10 + 59.99995/3600, "10°01′00.0″N"},        // 59.99995″ carries into the minutes
		{10 + 59.0/60 + 59.96/3600, "11°00′00.0″N"}, // and 59′59.96″ into the degrees
		{10 + 59.94/3600, "10°00′59.9″N"},           // no carry below the half tenth
		{-(1.0 / 36000 / 3), "0°00′00.0″N"},         // rounds to zero: no "S"
		{-(1.0 / 36000), "0°00′00.1″S"},             // a tenth of a second south
		{-179.99999999, "180°00′00.0″S"},            // carries up to 180
		{math.NaN(), "?"},
	}
	for _, tt := range tests {
		if got := formatDMS(tt.v, "N", "S"); got != tt.want {
			t.Errorf("formatDMS(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestParseScale(t *testing.T) {
	good := []struct {
		in   string
		want float64
	}{
		{"1:25000", 25000}, {"25000", 25000}, {" 1 : 25 000 ", 25000}, {"1:25,000", 25000},
		{"1:1", 1}, {"2500.5", 2500.5},
	}
	for _, tt := range good {
		if got, err := parseScale(tt.in); err != nil || got != tt.want {
			t.Errorf("parseScale(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "1:", "2:25000", "abc", "1:-5", "0", "0.5", "1e9", "NaN", "Inf", "1:25000:3", "25 km"} {
		if got, err := parseScale(in); err == nil {
			t.Errorf("parseScale(%q) = %v, want an error", in, got)
		}
	}
}

func TestZoomForScale(t *testing.T) {
	for _, lat := range []float64{0, 52, -70} {
		for _, n := range []float64{1000, 25000, 5e6} {
			z := zoomForScale(n, lat)
			if got := layers.ScaleDenominator(lat, z); math.Abs(got-n)/n > 1e-9 {
				t.Errorf("ScaleDenominator(%v, zoomForScale(%v)) = %v", lat, n, got)
			}
		}
	}
}

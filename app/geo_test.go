package app

import (
	"math"
	"testing"

	"mapvault/layers"
)

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
		if got := formatScale(layers.ScaleDenominator(tt.lat, tt.zoom)); got != tt.want {
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

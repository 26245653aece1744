package layers

import (
	"math"
	"testing"

	"github.com/twpayne/go-geom"
)

func TestWorldPixelRoundTrip(t *testing.T) {
	tests := []struct{ lon, lat, zoom float64 }{
		{0, 0, 0}, {10, 50, 3}, {-179.5, -60, 7.5}, {179.9, 85, 12}, {3.9, 51.5, 18},
	}
	for _, tt := range tests {
		x, y := WorldPixel(tt.lon, tt.lat, tt.zoom)
		lon, lat := LonLatAtWorldPixel(x, y, tt.zoom)
		if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 {
			t.Errorf("round trip (%v, %v, z%v) = (%v, %v), want the input", tt.lon, tt.lat, tt.zoom, lon, lat)
		}
	}
}

func TestWorldPixelKnownPoints(t *testing.T) {
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
		x, y := WorldPixel(tt.lon, tt.lat, tt.zoom)
		if math.Abs(x-tt.wantX) > 1e-6 || math.Abs(y-tt.wantY) > 1e-6 {
			t.Errorf("WorldPixel(%v, %v, %v) = (%v, %v), want (%v, %v)", tt.lon, tt.lat, tt.zoom, x, y, tt.wantX, tt.wantY)
		}
	}
}

func TestScaleDenominator(t *testing.T) {
	tests := []struct{ lat, zoom, want float64 }{
		{0, 0, 559082264},
		{0, 10, 545978.77},
		{60, 10, 272989.39},
	}
	for _, tt := range tests {
		if got := ScaleDenominator(tt.lat, tt.zoom); math.Abs(got-tt.want)/tt.want > 1e-6 {
			t.Errorf("ScaleDenominator(%v, %v) = %.2f, want %.2f", tt.lat, tt.zoom, got, tt.want)
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
		b := geom.NewBounds(geom.XY).Set(tt.west, tt.south, tt.east, tt.north)
		lon, lat, z := FitBounds(b, tt.w, tt.h, 20)
		if math.Abs(WrapLon(lon-tt.wantLon)) > 0.01 || math.Abs(lat-tt.wantLat) > 0.01 || z != tt.wantZ {
			t.Errorf("%s: FitBounds = (%.2f, %.2f, %v), want (%v, %v, %v)", tt.name, lon, lat, z, tt.wantLon, tt.wantLat, tt.wantZ)
		}
	}
}

package decor

import (
	"math"
	"testing"
)

func TestMetersPerPixel(t *testing.T) {
	for _, c := range []struct {
		zoom, lat, want float64
	}{
		{0, 0, 156543.03392804097},
		{1, 0, 78271.51696402048},
		{10, 0, 152.87405657035251},
		{0, 60, 78271.51696402048},
		{18, 0, 0.5971642834779395},
		{2.5, 0, 156543.03392804097 / math.Pow(2, 2.5)},
	} {
		got := MetersPerPixel(c.zoom, c.lat)
		if math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("MetersPerPixel(%v, %v) = %v, want %v", c.zoom, c.lat, got, c.want)
		}
	}
	if got := MetersPerPixel(3, 90); got > 1e-9 {
		t.Errorf("at the pole: %v", got)
	}
}

func TestNiceScaleBar(t *testing.T) {
	for _, c := range []struct {
		mpp    float64
		meters float64
		label  string
	}{
		{1, 100, "100 m"},
		{2, 200, "200 m"},
		{3, 200, "200 m"},
		{3.4, 500, "500 m"},
		{10, 1000, "1 km"},
		{6.67, 1000, "1 km"},
		{6.6, 500, "500 m"},
		{100, 10000, "10 km"},
		{150, 20000, "20 km"},
		{152.87405657035251, 20000, "20 km"},
		{0.1, 10, "10 m"},
		{0.01, 1, "1 m"},
		{0.005, 0.5, "50 cm"},
		{0.0001, 0.01, "1 cm"},
		{0.00001, 0.001, "1 mm"},
		{156543.03392804097, 20000000, "20000 km"},
		{40000, 5000000, "5000 km"},
	} {
		m, px, label := NiceScaleBar(c.mpp, 150)
		if label != c.label || math.Abs(m-c.meters) > 1e-9*c.meters {
			t.Errorf("NiceScaleBar(%v, 150) = %v, %v, %q, want %v, %q", c.mpp, m, px, label, c.meters, c.label)
		}
		if px < 60 || px > 150 {
			t.Errorf("NiceScaleBar(%v, 150): bar %v px, want 60..150", c.mpp, px)
		}
	}
	// Sweep: every resolution gives a bar within [maxPx/2.5, maxPx].
	for mpp := 1e-4; mpp < 1e6; mpp *= 1.07 {
		_, px, label := NiceScaleBar(mpp, 150)
		if label == "" || px < 60-1e-9 || px > 150+1e-9 {
			t.Fatalf("NiceScaleBar(%v, 150) = %v px, %q", mpp, px, label)
		}
	}
}

func TestNiceScaleBarInvalid(t *testing.T) {
	for _, c := range [][2]float64{
		{0, 150}, {-1, 150}, {math.NaN(), 150}, {math.Inf(1), 150},
		{1, 0}, {1, -5}, {1, math.NaN()}, {1, math.Inf(1)}, {1e-9, 150},
	} {
		if m, px, label := NiceScaleBar(c[0], c[1]); m != 0 || px != 0 || label != "" {
			t.Errorf("NiceScaleBar(%v, %v) = %v, %v, %q, want nothing", c[0], c[1], m, px, label)
		}
	}
}

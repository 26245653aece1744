package vector

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkHairlineSegments is the cost of outlines and thin lines: 1,000
// segments per op of 2, 5 and 20 pixels, in random directions.
func BenchmarkHairlineSegments(b *testing.B) {
	for _, l := range []float64{2, 5, 20} {
		b.Run(fmt.Sprint(l, "px"), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			dst := image.NewRGBA(image.Rect(0, 0, 512, 512))
			segs := make([][4]float64, 1000)
			for i := range segs {
				x, y := 20+rng.Float64()*470, 20+rng.Float64()*470
				a := rng.Float64() * 2 * math.Pi
				segs[i] = [4]float64{x, y, x + l*math.Cos(a), y + l*math.Sin(a)}
			}
			c := premultiply(DefaultStyle().Stroke, 1)
			for b.Loop() {
				for _, s := range segs {
					hairline(dst, s[0], s[1], s[2], s[3], 1, c)
				}
			}
		})
	}
}

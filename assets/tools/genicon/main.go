// Command genicon draws the mapvault application icon (a map pin whose head
// holds a keyhole, on a rounded sea-blue tile with a sand-coloured coast) and
// writes it as a 256x256 PNG. It is kept for reproducibility; CI does not run
// it. Usage, from the repository root:
//
//	go run ./assets/tools/genicon -o assets/icon.png
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/vector"
)

const size = 256

func main() {
	out := flag.String("o", "assets/icon.png", "output PNG file")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genicon:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, render()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// shape is one filled path; fill draws it with a colour.
type shape func(z *vector.Rasterizer)

func fill(dst *image.RGBA, c color.RGBA, shapes ...shape) {
	z := vector.NewRasterizer(size, size)
	for _, s := range shapes {
		s(z)
	}
	z.Draw(dst, dst.Bounds(), image.NewUniform(c), image.Point{})
}

func render() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	sea := color.RGBA{0x1f, 0x5f, 0x7a, 0xff}
	sand := color.RGBA{0xe8, 0xdc, 0xc0, 0xff}
	pin := color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	dark := color.RGBA{0x2b, 0x1d, 0x16, 0xff}

	fill(img, sea, roundedRect(8, 8, 248, 248, 40))
	// A coastline: the lower-left part of the tile is land, clipped to the tile.
	land := image.NewRGBA(img.Bounds())
	fill(land, sand, func(z *vector.Rasterizer) {
		z.MoveTo(8, 150)
		z.CubeTo(60, 120, 90, 190, 150, 170)
		z.CubeTo(200, 155, 220, 215, 248, 200)
		z.LineTo(248, 248)
		z.LineTo(8, 248)
		z.ClosePath()
	})
	mask := image.NewAlpha(img.Bounds())
	fill2 := vector.NewRasterizer(size, size)
	roundedRect(8, 8, 248, 248, 40)(fill2)
	fill2.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	draw.DrawMask(img, img.Bounds(), land, image.Point{}, mask, image.Point{}, draw.Over)

	// The pin: a circle head joined to a point at the bottom.
	cx, cy, r := float32(128), float32(100), float32(62)
	fill(img, color.RGBA{0, 0, 0, 0x50}, ellipse(cx, 222, 34, 9))
	fill(img, pin, pinShape(cx, cy, r, 218))
	// The keyhole (the vault), cut out of the head in dark brown.
	fill(img, dark, circle(cx, cy-10, 18), func(z *vector.Rasterizer) {
		z.MoveTo(cx-9, cy-4)
		z.LineTo(cx+9, cy-4)
		z.LineTo(cx+14, cy+32)
		z.LineTo(cx-14, cy+32)
		z.ClosePath()
	})
	return img
}

func roundedRect(x0, y0, x1, y1, r float32) shape {
	const k = 0.5523 // cubic Bezier approximation of a quarter circle
	return func(z *vector.Rasterizer) {
		z.MoveTo(x0+r, y0)
		z.LineTo(x1-r, y0)
		z.CubeTo(x1-r+k*r, y0, x1, y0+r-k*r, x1, y0+r)
		z.LineTo(x1, y1-r)
		z.CubeTo(x1, y1-r+k*r, x1-r+k*r, y1, x1-r, y1)
		z.LineTo(x0+r, y1)
		z.CubeTo(x0+r-k*r, y1, x0, y1-r+k*r, x0, y1-r)
		z.LineTo(x0, y0+r)
		z.CubeTo(x0, y0+r-k*r, x0+r-k*r, y0, x0+r, y0)
		z.ClosePath()
	}
}

func ellipse(cx, cy, rx, ry float32) shape {
	return func(z *vector.Rasterizer) {
		const n = 64
		for i := 0; i <= n; i++ {
			a := 2 * math.Pi * float64(i) / n
			x := cx + rx*float32(math.Cos(a))
			y := cy + ry*float32(math.Sin(a))
			if i == 0 {
				z.MoveTo(x, y)
			} else {
				z.LineTo(x, y)
			}
		}
		z.ClosePath()
	}
}

func circle(cx, cy, r float32) shape { return ellipse(cx, cy, r, r) }

// pinShape is a circle of radius r around (cx, cy) whose two tangents meet
// at (cx, tipY).
func pinShape(cx, cy, r, tipY float32) shape {
	return func(z *vector.Rasterizer) {
		d := float64(tipY - cy)
		// Angle (from straight down) of the tangent points.
		t := math.Acos(float64(r) / d)
		start := math.Pi/2 + t // measured from +x, y down
		end := math.Pi/2 - t + 2*math.Pi
		z.MoveTo(cx, tipY)
		const n = 96
		for i := 0; i <= n; i++ {
			a := start + (end-start)*float64(i)/n
			z.LineTo(cx+r*float32(math.Cos(a)), cy+r*float32(math.Sin(a)))
		}
		z.ClosePath()
	}
}

package main

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
)

// errEmptyImage: a rendered frame has the wrong size or (almost) nothing
// drawn on it.
var errEmptyImage = errors.New("floor: empty or wrong image")

// coverage decodes the PNG at path, checks that it is w x h pixels and
// returns the fraction of its pixels that are not fully transparent.
func coverage(path string, w, h int) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("floor: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", errEmptyImage, path, err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return 0, fmt.Errorf("%w: %s is %dx%d, want %dx%d", errEmptyImage, path, b.Dx(), b.Dy(), w, h)
	}
	return opaqueFraction(img), nil
}

// opaqueFraction is the share of img's pixels with a non-zero alpha.
func opaqueFraction(img image.Image) float64 {
	b := img.Bounds()
	if b.Empty() {
		return 0
	}
	n := 0
	switch m := img.(type) {
	case *image.NRGBA:
		for y := 0; y < b.Dy(); y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*b.Dx()]
			for i := 3; i < len(row); i += 4 {
				if row[i] != 0 {
					n++
				}
			}
		}
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*b.Dx()]
			for i := 3; i < len(row); i += 4 {
				if row[i] != 0 {
					n++
				}
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
					n++
				}
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

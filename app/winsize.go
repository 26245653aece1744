package app

import (
	"os"
	"strconv"

	"fyne.io/fyne/v2"
)

// The window's preferred first size, in logical pixels.
const (
	preferredWidth  = 1200
	preferredHeight = 760
	minFirstWidth   = 640
	minFirstHeight  = 400
)

// initialWindowSize is the window's first size at the given scale. Fyne
// tells no driver's screen size, so it assumes the smallest common screen
// for the scale: 1366×768 pixels below scale 1.5, 1920×1080 from there
// (a screen run at 1.5 or 2 is a high-density one), and takes at most 90%
// of it, so the window opens inside the screen with room for the desktop's
// panels.
func initialWindowSize(scale float32) fyne.Size {
	if scale <= 0 {
		scale = 1
	}
	w, h := float32(1366), float32(768)
	if scale >= 1.5 {
		w, h = 1920, 1080
	}
	fit := func(pref, screen, floor float32) float32 {
		return max(floor, min(pref, float32(int(0.9*screen/scale))))
	}
	return fyne.NewSize(fit(preferredWidth, w, minFirstWidth), fit(preferredHeight, h, minFirstHeight))
}

// userScale is the scale the user asked for: FYNE_SCALE (as the driver
// reads it), else the app's settings, else 1.
func userScale(fa fyne.App) float32 {
	if s, err := strconv.ParseFloat(os.Getenv("FYNE_SCALE"), 32); err == nil && s > 0 {
		return float32(s)
	}
	if s := fa.Settings().Scale(); s > 0 {
		return s
	}
	return 1
}

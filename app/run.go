package app

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"
)

// quitTimeout is how long a quitting app may take before the process is
// ended anyway.
const quitTimeout = 5 * time.Second

// Run builds the window, opens the project named in opt (or the demo) and
// runs the app until the window closes. A screenshot run quits by itself.
// SIGINT and SIGTERM quit at once (without the unsaved-changes question:
// the session is being ended from outside); every quit is bounded by
// quitTimeout.
func Run(fa fyne.App, svc Services, opt Options) error {
	a := New(fa, svc)
	defer a.Close()
	if opt.Trace {
		a.trace = func(line string) { fmt.Fprintln(os.Stderr, "mapvault: "+line) }
	}
	a.onExit = func() {
		time.AfterFunc(quitTimeout, func() {
			fmt.Fprintln(os.Stderr, "mapvault: still running "+quitTimeout.String()+" after quitting; ending the process")
			os.Exit(0)
		})
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			a.do(a.exit)
		}
	}()
	var openErr error
	if opt.Path != "" && !opt.Demo {
		openErr = a.OpenFile(opt.Path)
	} else {
		openErr = a.OpenDemo(opt.DemoAddr)
	}
	if openErr != nil {
		a.showError(openErr)
	}
	var shotErr error
	if opt.Screenshot != "" {
		after := opt.After
		if after <= 0 {
			after = 8 * time.Second
		}
		a.screenshotWhenSettled(after, func(err error) {
			shotErr = err
			// Linger a moment so an external tool can grab the screen too.
			time.AfterFunc(screenshotLinger, func() { a.do(a.exit) })
		}, opt.Screenshot)
	}
	a.win.ShowAndRun()
	return shotErr
}

// screenshotLinger keeps the window up after a screenshot run wrote its PNG.
const screenshotLinger = 1500 * time.Millisecond

// settleGrace lets the first settled frame reach the screen before capture.
const settleGrace = 300 * time.Millisecond

// screenshotWhenSettled writes the window content to path once a frame had
// every tile it asked for (or when after elapses), then calls done.
func (a *App) screenshotWhenSettled(after time.Duration, done func(error), path string) {
	start := time.Now()
	taken := false
	take := func(why string) {
		if taken {
			return
		}
		taken = true
		img := a.win.Canvas().Capture()
		if uniform(img) {
			// Some GL stacks (Mesa under Xvfb) read back a blank front
			// buffer: paint the same widgets with Fyne's software painter.
			fmt.Fprintln(os.Stderr, "mapvault: GL capture is blank; using the software painter")
			img = a.softwareCapture()
		}
		err := writePNG(path, img)
		fmt.Fprintf(os.Stderr, "mapvault: screenshot %s after %v (%s); last compose %v\n",
			path, time.Since(start).Round(time.Millisecond), why, a.mapView.LastCompose().Round(time.Microsecond))
		done(err)
	}
	a.onSettled = func() {
		fmt.Fprintf(os.Stderr, "mapvault: first full frame after %v\n", time.Since(start).Round(time.Millisecond))
		a.onSettled = nil
		time.AfterFunc(settleGrace, func() { a.do(func() { take("all tiles loaded") }) })
	}
	time.AfterFunc(after, func() { a.do(func() { take("timeout") }) })
}

// frameDrawn is called after every redraw: the first frame with every tile
// of a finished fetch "settles" the view.
func (a *App) frameDrawn(missing int, fetching bool) {
	if a.onSettled == nil || missing > 0 || fetching || len(a.doc.resolving) > 0 || len(a.mapView.specs) == 0 {
		return
	}
	a.onSettled()
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// uniform reports whether every pixel of img has the same colour.
func uniform(img image.Image) bool {
	if img == nil {
		return true
	}
	b := img.Bounds()
	if b.Empty() {
		return true
	}
	r0, g0, b0, a0 := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, al := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 || al != a0 {
				return false
			}
		}
	}
	return true
}

// softwareCapture paints the window content (without overlays such as an
// open dialog) on a software canvas of the window's size, then gives the
// content back to the window.
func (a *App) softwareCapture() image.Image {
	content := a.win.Content()
	size := a.win.Canvas().Size()
	c := software.NewCanvas()
	c.SetPadded(false)
	c.SetScale(a.win.Canvas().Scale())
	c.SetContent(content)
	c.Resize(size)
	img := c.Capture()
	a.win.SetContent(content)
	return img
}

// NoDisplay reports, for a Unix desktop, that there is no display to open
// a window on (neither DISPLAY nor WAYLAND_DISPLAY is set): the windowing
// library would panic with a stack trace, so main says so in one line.
func NoDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "darwin", "windows", "ios", "android", "js":
		return false
	}
	return getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == ""
}

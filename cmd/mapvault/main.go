// Command mapvault is the desktop GIS client: it opens a project (or, with
// no argument, the offline demo) in a Fyne window.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	"mapvault/app"
	"mapvault/layers"
	"mapvault/vault"
)

// cacheBytes bounds the open document's decoded tiles. The Go heap is
// held to it plus headroom (a soft limit; GOMEMLIMIT overrides it): without
// one, evicted tiles and old frames let the heap grow to about twice the
// cache while exploring (layers' TestExploreHeapBound).
const (
	cacheBytes   = 256 << 20
	heapHeadroom = 256 << 20
)

func main() {
	demo := flag.Bool("demo", false, "open the offline demo even when a project is given")
	shot := flag.String("screenshot", "", "write the window content to this PNG once all tiles have loaded, then quit")
	after := flag.Duration("after", 8*time.Second, "with -screenshot: take it after this long at the latest")
	trace := flag.Bool("trace", false, "print what clicks on the map found (identify: counts only) on standard error")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mapvault [-demo] [-screenshot FILE [-after 8s]] [-trace] [PROJECT.mapvault.json]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if app.NoDisplay(runtime.GOOS, os.Getenv) {
		fmt.Fprintln(os.Stderr, "mapvault: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop session, or use mapvault-cli for scripts")
		os.Exit(1)
	}

	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cacheBytes + heapHeadroom)
	}
	svc := app.Services{
		Store:    vault.NewStore(),
		Keychain: vault.OSKeychainOrNone("mapvault"),
		Engine:   layers.Options{CacheBytes: cacheBytes},
	}
	opt := app.Options{Path: flag.Arg(0), Demo: *demo, Screenshot: *shot, After: *after, Trace: *trace}
	if err := app.Run(fyneapp.NewWithID("org.mapvault.mapvault"), svc, opt); err != nil {
		fmt.Fprintln(os.Stderr, "mapvault:", err)
		os.Exit(1)
	}
}

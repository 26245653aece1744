// Command floor is the lower bound of mapvault's benchmark: it sends exactly
// the tile GetMap requests the engine makes for one view, with a plain
// http.Client at the engine's per-host concurrency, decodes each PNG and
// prints the elapsed seconds. No cache, no compositing, no credentials.
//
//	floor -url http://127.0.0.1:18080/public/wms [-layers land,countries,borders] [-styles ,filled,]
//	      [-size 1920x1080] [-center 10,50] [-zoom 5] [-scale 1] [-per-host 6] [-no-merge]
//	floor -bbox ...          print the view's EPSG:3857 box: MINX MINY MAXX MAXY
//	floor -list ...          print the planned GetMap URLs, one a line
//	floor -check OUT.png ... check a rendered frame: the view's size and at
//	                         least -min-coverage of its pixels drawn; prints the share
//
// bench/run uses it; see bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"mapvault/layers"
	"mapvault/layers/wms"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	url, version string
	names        []string
	styles       []string
	view         layers.View
	perHost      int
	merge        bool
	timeout      time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "WMS base `URL` (GetMap)")
	names := fs.String("layers", "land,countries,borders", "comma-separated WMS `LAYERS`, bottom first")
	styles := fs.String("styles", "", "comma-separated WMS `STYLES`, one per layer (empty: default style)")
	version := fs.String("version", "1.3.0", "WMS `VERSION`")
	size := fs.String("size", "1920x1080", "frame size `WxH` in logical pixels")
	center := fs.String("center", "10,50", "view centre `LON,LAT`")
	zoom := fs.Float64("zoom", 5, "Web Mercator `ZOOM`")
	scale := fs.Float64("scale", 1, "device pixel `RATIO`")
	perHost := fs.Int("per-host", 6, "concurrent requests (the engine's Options.PerHost)")
	noMerge := fs.Bool("no-merge", false, "one request per layer and tile (the engine's Options.NoMerge)")
	maxMerged := fs.Int("max-merged", 0, "at most `N` layers a merged request (the engine's Options.MaxMergedLayers; 0: its default)")
	noMeta := fs.Bool("no-metatiles", false, "one request per tile (the engine's Options.NoMetatiles)")
	grid := fs.Bool("grid", false, "grid-aligned metatiles, as the map's Fetch asks (default: fitted to the view, as Render)")
	noCaps := fs.Bool("no-caps", false, "plan without the capabilities' extent, scale ranges and MaxWidth")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after `DURATION`")
	bbox := fs.Bool("bbox", false, "print the view's EPSG:3857 box and exit")
	list := fs.Bool("list", false, "print the planned GetMap URLs and exit")
	check := fs.String("check", "", "check the rendered `PNG` instead of fetching")
	minCover := fs.Float64("min-coverage", 0.01, "-check: least share of drawn (non-transparent) pixels")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "floor: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	v, err := parseView(*size, *center, *zoom, *scale)
	if err != nil {
		fmt.Fprintf(stderr, "floor: %v\n", err)
		return 2
	}
	switch {
	case *bbox:
		minX, minY, maxX, maxY := viewBBox(v)
		fmt.Fprintf(stdout, "%.6f %.6f %.6f %.6f\n", minX, minY, maxX, maxY)
		return 0
	case *check != "":
		w, h := v.DeviceSize()
		c, err := coverage(*check, w, h)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "%.4f\n", c)
		if c < *minCover {
			fmt.Fprintf(stderr, "%v: %s has %.2f%% drawn pixels, want at least %.2f%%\n", errEmptyImage, *check, 100*c, 100**minCover)
			return 1
		}
		return 0
	}
	cfg := config{url: *base, version: *version, names: splitList(*names), styles: strings.Split(*styles, ","), view: v, perHost: *perHost, merge: !*noMerge, timeout: *timeout}
	if cfg.url == "" || len(cfg.names) == 0 || cfg.perHost < 1 {
		fmt.Fprintln(stderr, "floor: need -url, -layers and -per-host >= 1")
		return 2
	}
	if *styles == "" {
		cfg.styles = nil
	} else if len(cfg.styles) != len(cfg.names) {
		fmt.Fprintf(stderr, "floor: -styles has %d entries for %d layers; give one per layer or none\n", len(cfg.styles), len(cfg.names))
		return 2
	}
	var caps *wms.Capabilities
	if !*noCaps {
		// Untimed, like the CLI's project load: the extent, scale ranges
		// and MaxWidth the engine plans with.
		c, err := wms.FetchCapabilities(ctx, newClient(1), cfg.url)
		if err != nil {
			fmt.Fprintf(stderr, "floor: capabilities: %v (planning without them)\n", err)
		} else {
			caps = c
		}
	}
	reqs := planWith(caps, cfg.url, cfg.version, cfg.names, cfg.styles, cfg.view, cfg.merge, !*noMeta, !*grid, *maxMerged)
	if len(reqs) == 0 || reqs[0].URL == "" {
		fmt.Fprintln(stderr, "floor: no requests for this view (is -url an absolute http(s) URL?)")
		return 2
	}
	if *list {
		for _, r := range reqs {
			fmt.Fprintln(stdout, r.URL)
		}
		return 0
	}
	return measure(ctx, cfg, reqs, stdout, stderr)
}

// measure fetches the plan once and reports.
func measure(ctx context.Context, cfg config, reqs []request, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	client := newClient(cfg.perHost)
	defer client.CloseIdleConnections()
	var tot totals
	start := time.Now()
	err := fetchAll(ctx, client, reqs, cfg.perHost, &tot)
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	tiles := len(layers.TilesForView(cfg.view))
	fmt.Fprintf(stderr, "floor: %d tiles, %d requests, %d bytes, %.3f s\n", tiles, tot.requests.Load(), tot.bytes.Load(), elapsed.Seconds())
	fmt.Fprintf(stdout, "%.3f\n", elapsed.Seconds())
	return 0
}

// newClient is a plain client whose idle pool keeps one connection per
// concurrent request, so that no request waits on a new connection that a
// smaller pool would have closed.
func newClient(perHost int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: perHost,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// parseView reads the view flags the way mapvault-cli render does.
func parseView(size, center string, zoom, scale float64) (layers.View, error) {
	ws, hs, ok := strings.Cut(size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 1 || h < 1 || w > 16384 || h > 16384 {
		return layers.View{}, fmt.Errorf("-size %q: want WxH, each 1..16384", size)
	}
	los, las, ok := strings.Cut(center, ",")
	lon, err1 := strconv.ParseFloat(strings.TrimSpace(los), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(las), 64)
	if !ok || err1 != nil || err2 != nil || lon < -180 || lon > 180 || lat < -85.06 || lat > 85.06 {
		return layers.View{}, fmt.Errorf("-center %q: want LON,LAT in degrees", center)
	}
	if zoom < 0 || zoom > layers.MaxZoom {
		return layers.View{}, fmt.Errorf("-zoom %g: want 0..%d", zoom, layers.MaxZoom)
	}
	if scale < 0.5 || scale > 4 {
		return layers.View{}, fmt.Errorf("-scale %g: want 0.5..4", scale)
	}
	return layers.View{CenterLon: lon, CenterLat: lat, Zoom: zoom, Width: w, Height: h, Scale: scale}, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Package featuretile is what the vector kinds (geojson, wfs, features)
// share: the project style as a vector.Style, drawing a vector.Layer into
// one engine tile with a pooled Renderer, and a single-flight loader for a
// document fetched once per session.
package featuretile

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
	"strings"
	"sync"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/project"
)

// defaultFillOpacity is the fill opacity of a style that names a fill
// colour but no opacity: the semi-transparency of vector.DefaultStyle.
const defaultFillOpacity = 0.4

// Style returns the vector style drawing a project style: the zero
// project.Style is vector.DefaultStyle(). Opacity is the fill opacity (the
// default fill is 0.4 opaque); a category's fill replaces the layer's
// fill (polygons, points) and stroke (lines), as vector.Categories does.
func Style(s project.Style) vector.Style {
	st := vector.DefaultStyle()
	fillAlpha := func(c color.NRGBA) color.NRGBA {
		op := s.Opacity
		if !(op > 0 && op <= 1) {
			op = defaultFillOpacity
		}
		c.A = uint8(math.Round(float64(c.A) * op))
		return c
	}
	switch {
	case s.Fill == project.NoColor:
		st.Fill = color.NRGBA{}
	case s.Fill != "":
		if c, ok := s.Fill.RGBA(); ok {
			st.Fill = fillAlpha(c)
		}
	case s.Opacity > 0 && s.Opacity <= 1:
		st.Fill.A = uint8(math.Round(255 * s.Opacity))
	}
	switch {
	case s.Stroke == project.NoColor:
		st.Stroke = color.NRGBA{}
	case s.Stroke != "":
		if c, ok := s.Stroke.RGBA(); ok {
			st.Stroke = c
		}
	}
	if s.Width > 0 {
		st.StrokeWidth = s.Width
	}
	if s.Radius > 0 {
		st.PointRadius = s.Radius
	}
	if s.Attribute != "" && len(s.Categories) > 0 {
		cats := &vector.Categories{Attribute: s.Attribute, Colors: map[string]color.NRGBA{}, Default: st.Fill}
		for _, c := range s.Categories {
			if c.Fill == project.NoColor {
				cats.Colors[c.Value] = color.NRGBA{}
				continue
			}
			if col, ok := c.Fill.RGBA(); ok {
				cats.Colors[c.Value] = fillAlpha(col)
			} else {
				cats.Colors[c.Value] = st.Fill
			}
		}
		st.Categories = cats
	}
	return st
}

// StyleKey is a deterministic text of a vector style for FeatureSource
// keys: equal styles give equal keys.
func StyleKey(st vector.Style) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fill=%v stroke=%v w=%g r=%g o=%g", st.Fill, st.Stroke, st.StrokeWidth, st.PointRadius, st.Opacity)
	if c := st.Categories; c != nil {
		keys := make([]string, 0, len(c.Colors))
		for k := range c.Colors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, " by=%q default=%v", c.Attribute, c.Default)
		for _, k := range keys {
			fmt.Fprintf(&b, " %q=%v", k, c.Colors[k])
		}
	}
	return b.String()
}

// Drawer draws Layers into engine tiles; safe for concurrent use (one
// Renderer per goroutine from a pool).
type Drawer struct {
	Options vector.Options
	pool    sync.Pool
}

// Projection returns the Web Mercator view of tile t drawn at px x px.
func Projection(t layers.Tile, px int) vector.WebMercator {
	return vector.WebMercator{
		Scale:   float64(px) * math.Exp2(float64(t.Z)),
		OriginX: float64(t.X) * float64(px),
		OriginY: float64(t.Y) * float64(px),
	}
}

// Draw renders l with st into a new px x px tile t; nil when no feature
// meets the tile. A view with more features than the Options allow is a
// *vector.ZoomInError.
func (d *Drawer) Draw(l *vector.Layer, st vector.Style, t layers.Tile, px int) (*image.RGBA, error) {
	if l == nil || len(l.Features()) == 0 {
		return nil, nil
	}
	r, _ := d.pool.Get().(*vector.Renderer)
	if r == nil {
		r = vector.NewRenderer(d.Options)
	}
	defer d.pool.Put(r)
	dst := image.NewRGBA(image.Rect(0, 0, px, px))
	stats, err := r.Render(dst, l, st, Projection(t, px))
	if err != nil {
		return nil, err
	}
	if stats.Features == 0 {
		return nil, nil
	}
	return dst, nil
}

// Once loads one value once, sharing the load among concurrent callers: a
// failed load is returned to the callers waiting on it and tried again by
// the next caller; a load abandoned by its caller's cancellation is tried
// again by a waiter that still wants it.
type Once[T any] struct {
	mu   sync.Mutex
	done bool
	val  T
	call *onceCall[T]
}

type onceCall[T any] struct {
	ch  chan struct{}
	val T
	err error
}

// Get returns the value, loading it with load when it is not loaded yet.
func (o *Once[T]) Get(ctx context.Context, load func(context.Context) (T, error)) (T, error) {
	for {
		o.mu.Lock()
		if o.done {
			v := o.val
			o.mu.Unlock()
			return v, nil
		}
		if c := o.call; c != nil {
			o.mu.Unlock()
			select {
			case <-c.ch:
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
			if c.err == nil || (!isCancel(c.err) || ctx.Err() != nil) {
				return c.val, c.err
			}
			continue
		}
		c := &onceCall[T]{ch: make(chan struct{})}
		o.call = c
		o.mu.Unlock()
		c.val, c.err = load(ctx)
		o.mu.Lock()
		if c.err == nil {
			o.done, o.val = true, c.val
		}
		o.call = nil
		o.mu.Unlock()
		close(c.ch)
		return c.val, c.err
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

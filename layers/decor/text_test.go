package decor

import (
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"
)

func TestMeasureText(t *testing.T) {
	p := newPainter(t)
	w, h := p.MeasureText("Hello", 20, false)
	if w < 30 || w > 70 || h < 18 || h > 30 {
		t.Errorf("MeasureText(Hello, 20) = %d×%d", w, h)
	}
	wb, _ := p.MeasureText("Hello", 20, true)
	if wb <= w {
		t.Errorf("bold %d not wider than regular %d", wb, w)
	}
	w2, h2 := p.MeasureText("Hello", 40, false)
	// Hinting rounds per glyph, so allow a few pixels.
	if w2 < 2*w-6 || w2 > 2*w+6 || h2 < 2*h-3 || h2 > 2*h+3 {
		t.Errorf("twice the size: %d×%d, want about %d×%d", w2, h2, 2*w, 2*h)
	}
	if w0, h0 := p.MeasureText("", 12, false); w0 != 0 || h0 == 0 {
		t.Errorf("empty: %d×%d", w0, h0)
	}
	for _, size := range []float64{0, -3, 1e9} {
		p.MeasureText("x", size, true) // must not panic
	}
}

func TestDrawText(t *testing.T) {
	p := newPainter(t)
	img := filled(200, 60, color.White)
	before := clone(img)
	p.DrawText(img, 20, 10, "Hello, map", 20, false, color.Black)
	w, h := p.MeasureText("Hello, map", 20, false)
	got := changed(before, img)
	if got.Empty() {
		t.Fatal("nothing drawn")
	}
	box := image.Rect(20-1, 10, 20+w+1, 10+h)
	if !got.In(box) {
		t.Errorf("drawn in %v, outside the line box %v", got, box)
	}
	if got.Dx() < w/2 {
		t.Errorf("drawn only %v wide of %d", got, w)
	}

	// Nothing at all for an empty string, nor outside the image.
	img2 := filled(50, 20, color.White)
	before2 := clone(img2)
	p.DrawText(img2, 5, 5, "", 12, true, color.Black)
	p.DrawText(img2, 500, 500, "far away", 12, true, color.Black)
	p.DrawText(img2, -500, -500, "far away", 12, true, color.Black)
	p.DrawText(nil, 0, 0, "nil", 12, true, color.Black)
	if r := changed(before2, img2); !r.Empty() {
		t.Errorf("changed %v", r)
	}
	// Clipped at the edge without panic.
	p.DrawText(img2, 40, 10, strings.Repeat("W", 100), 30, true, color.Black)
}

func TestPainterConcurrent(t *testing.T) {
	p := newPainter(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			img := filled(100, 30, color.White)
			for j := 0; j < 20; j++ {
				p.DrawText(img, 0, 0, "concurrent", float64(10+i+j%3), j%2 == 0, color.Black)
				p.MeasureText("concurrent", float64(10+i), false)
			}
		}(i)
	}
	wg.Wait()
}

func TestWrapText(t *testing.T) {
	p := newPainter(t)
	f := p.face(11, false)
	lines := wrapText(f, "© OpenStreetMap contributors | © Some Agency with a long name | Tiles © Someone Else", 150, 3)
	if len(lines) < 2 || len(lines) > 3 {
		t.Fatalf("lines: %q", lines)
	}
	for _, l := range lines {
		if textWidth(f, l) > 150 {
			t.Errorf("line %q is %d wide", l, textWidth(f, l))
		}
	}
	huge := strings.Repeat("attribution ", 100000) + strings.Repeat("x", 100000)
	lines = wrapText(f, huge, 150, 3)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], ellipsis) {
		t.Errorf("huge: %q", lines)
	}
	lines = wrapText(f, strings.Repeat("y", 1000), 150, 2)
	if len(lines) != 2 || !strings.HasSuffix(lines[1], ellipsis) || textWidth(f, lines[0]) > 150 {
		t.Errorf("long word: %q", lines)
	}
	if lines := wrapText(f, "abc", 0, 3); lines != nil {
		t.Errorf("no room: %q", lines)
	}
	if lines := wrapText(f, "", 100, 3); lines != nil {
		t.Errorf("empty: %q", lines)
	}
	if got := fitLine(f, "short", 100); got != "short" {
		t.Errorf("fitLine short: %q", got)
	}
	if got := fitLine(f, strings.Repeat("long ", 50), 100); !strings.HasSuffix(got, ellipsis) || textWidth(f, got) > 100 {
		t.Errorf("fitLine long: %q", got)
	}
}

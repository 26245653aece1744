package decor

import (
	"image"
	"image/color"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Painter draws text and decorations with Go's regular and bold fonts,
// parsed once in NewPainter. Faces are cached per size.
//
// A Painter is safe for concurrent use: its methods serialise on an internal
// lock (font faces keep per-face buffers), so drawing from many goroutines
// works but does not run in parallel. Use one Painter per goroutine for that.
type Painter struct {
	mu      sync.Mutex
	regular *opentype.Font
	bold    *opentype.Font
	faces   map[faceKey]font.Face
}

type faceKey struct {
	bold bool
	size float64
}

// maxFaces bounds the face cache; when full it starts over.
const maxFaces = 32

// NewPainter parses the embedded fonts.
func NewPainter() (*Painter, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	return &Painter{regular: r, bold: b, faces: map[faceKey]font.Face{}}, nil
}

// face returns the cached face for a size in device pixels. The caller holds
// p.mu. Sizes are clamped to a sane range; NaN becomes the smallest.
func (p *Painter) face(size float64, bold bool) font.Face {
	if !(size >= 1) {
		size = 1
	}
	if size > 512 {
		size = 512
	}
	size = math.Round(size*4) / 4
	k := faceKey{bold, size}
	if f, ok := p.faces[k]; ok {
		return f
	}
	if len(p.faces) >= maxFaces {
		for key, f := range p.faces {
			f.Close()
			delete(p.faces, key)
		}
	}
	src := p.regular
	if bold {
		src = p.bold
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// Only a bad size fails, and sizes are clamped above.
		panic("decor: " + err.Error())
	}
	p.faces[k] = f
	return f
}

// MeasureText returns the advance width of s and the height of its line box
// (ascent plus descent) in device pixels, for a font of size device pixels.
// An empty string is zero wide but still one line high.
func (p *Painter) MeasureText(s string, size float64, bold bool) (width, height int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.face(size, bold)
	return textWidth(f, s), lineHeight(f)
}

// DrawText draws s onto dst with the top-left corner of its line box at
// (x, y) (the baseline is one ascent lower), in a font of size device pixels,
// compositing colour c over what is there. Nothing outside dst changes.
func (p *Painter) DrawText(dst *image.RGBA, x, y int, s string, size float64, bold bool, c color.Color) {
	if dst == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	drawString(dst, p.face(size, bold), x, y, s, c)
}

func textWidth(f font.Face, s string) int {
	return font.MeasureString(f, s).Ceil()
}

func lineHeight(f font.Face) int {
	m := f.Metrics()
	return (m.Ascent + m.Descent).Ceil()
}

func drawString(dst *image.RGBA, f font.Face, x, y int, s string, c color.Color) {
	if s == "" {
		return
	}
	d := font.Drawer{
		Dst:  dst,
		Src:  image.NewUniform(c),
		Face: f,
		Dot:  fixed.P(x, y+f.Metrics().Ascent.Ceil()),
	}
	d.DrawString(s)
}

// drawHalo draws s in c over a halo of colour h, r pixels wide, so that it
// reads on any background.
func drawHalo(dst *image.RGBA, f font.Face, x, y int, s string, c, h color.Color, r int) {
	if r < 1 {
		r = 1
	}
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if (dx == 0 && dy == 0) || dx*dx+dy*dy > r*r+r {
				continue
			}
			drawString(dst, f, x+dx, y+dy, s, h)
		}
	}
	drawString(dst, f, x, y, s, c)
}

const ellipsis = "…"

// maxTextRunes bounds the text that goes into layout; longer text could
// never fit a frame and only costs time.
const maxTextRunes = 4096

func capRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// fitRunes returns how many leading runes of s fit in maxW followed by tail.
func fitRunes(f font.Face, s, tail string, maxW int) int {
	n := utf8.RuneCountInString(s)
	lo, hi := 0, n // lo fits (or is 0), find the largest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if textWidth(f, runePrefix(s, mid)+tail) <= maxW {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func runePrefix(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// ellipsize shortens s so that s plus an ellipsis fits in maxW, always
// adding the ellipsis. It gives "" when not even the ellipsis fits.
func ellipsize(f font.Face, s string, maxW int) string {
	if textWidth(f, ellipsis) > maxW {
		return ""
	}
	n := fitRunes(f, s, ellipsis, maxW)
	return strings.TrimRight(runePrefix(s, n), " ") + ellipsis
}

// fitLine returns s if it fits in maxW, else s shortened with an ellipsis.
func fitLine(f font.Face, s string, maxW int) string {
	s = capRunes(s, maxTextRunes)
	if textWidth(f, s) <= maxW {
		return s
	}
	return ellipsize(f, s, maxW)
}

// wrapText breaks s at spaces into at most maxLines lines no wider than maxW,
// splitting words that are wider than a line, and ends the last line with an
// ellipsis when text is left over. Runs of white space collapse to one space.
func wrapText(f font.Face, s string, maxW, maxLines int) []string {
	if maxLines < 1 || maxW < 1 {
		return nil
	}
	words := strings.Fields(capRunes(s, maxTextRunes))
	var lines []string
	cur := ""
	for i := 0; i < len(words); {
		w := words[i]
		cand := w
		if cur != "" {
			cand = cur + " " + w
		}
		if textWidth(f, cand) <= maxW {
			cur = cand
			i++
			continue
		}
		if cur == "" {
			n := fitRunes(f, w, "", maxW)
			if n == 0 {
				break
			}
			cur = runePrefix(w, n)
			words[i] = w[len(cur):]
		}
		lines = append(lines, cur)
		cur = ""
		if len(lines) == maxLines {
			if last := ellipsize(f, lines[maxLines-1], maxW); last != "" {
				lines[maxLines-1] = last
			}
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

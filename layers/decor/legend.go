package decor

import (
	"image"
	"image/color"
	"math"
	"slices"
	"strings"

	"golang.org/x/image/draw"
)

// LegendLayer is one layer's part of the legend.
type LegendLayer struct {
	Title string
	// Items may be empty: then only the title (and note) show.
	Items []LegendItem
	// Note is shown below the items in small grey text, wrapped, e.g.
	// "legend unavailable: …".
	Note string
}

// LegendItem is one row: a server's legend graphic or a swatch, then a
// label. Label may be "" for a graphic that carries its own labels.
type LegendItem struct {
	Label string
	// Image is a legend graphic drawn at its own size, or nil.
	Image image.Image
	// ImageScale is the device pixel ratio Image was made for (a graphic
	// fetched at 2× for a HiDPI screen has 2). It is drawn 1:1 when this
	// equals the legend's scale, and scaled otherwise. 0 means 1.
	ImageScale float64
	// Symbol is a swatch for a vector style, or nil. Image wins when both
	// are set.
	Symbol *Symbol
}

// Symbol describes a vector style's swatch.
type Symbol struct {
	// Geometry is "polygon", "line" or "point"; anything else draws as a
	// polygon.
	Geometry     string
	Fill, Stroke color.NRGBA
	// Width is the stroke width in logical pixels.
	Width float64
	// Radius is the point radius in logical pixels.
	Radius float64
}

// Legend layout in logical pixels.
const (
	legendPad       = 8
	legendTitleSize = 13
	legendItemSize  = 12
	legendNoteSize  = 11
	legendSwatchW   = 20
	legendSwatchH   = 14
	legendGap       = 6
	legendRowGap    = 4
	legendLayerGap  = 8
	legendTextMaxW  = 280
	legendImageMaxW = 320
	legendImageMaxH = 480
	legendNoteLines = 3
	legendMaxRows   = 200
)

var (
	legendBorder = color.NRGBA{0x99, 0x99, 0x99, 0xff}
	legendText   = color.NRGBA{0x20, 0x20, 0x20, 0xff}
	legendNote   = color.NRGBA{0x70, 0x70, 0x70, 0xff}
)

// LegendImage lays the legend out as an image of its own: per layer a bold
// title, then its items (a 20×14 swatch or the graphic, then the label), then
// the note, on white with a thin border and padding. scale is the device
// pixel ratio: at 2 everything is twice as large. It returns nil when there
// is nothing to show.
func (p *Painter) LegendImage(ls []LegendLayer, scale float64) *image.RGBA {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.legendImage(ls, sanitizeScale(scale))
}

func (p *Painter) legendImage(ls []LegendLayer, s float64) *image.RGBA {
	w, h := p.legend(nil, ls, s)
	if w == 0 {
		return nil
	}
	if s != 1 {
		// The image is the logical (1x) legend's size times s, so that a
		// HiDPI screen shows it at exactly the logical size; text metrics
		// that do not scale exactly gain or lose a pixel of padding.
		w1, h1 := p.legend(nil, ls, 1)
		w, h = max(1, int(math.Round(float64(w1)*s))), max(1, int(math.Round(float64(h1)*s)))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	p.legend(img, ls, s)
	frameRect(img, img.Bounds(), int(math.Max(1, math.Round(s))), legendBorder)
	return img
}

// sanitizeScale maps a missing or absurd device pixel ratio to 1 and caps it.
func sanitizeScale(s float64) float64 {
	if !(s > 0) || math.IsInf(s, 0) {
		return 1
	}
	if s < 0.25 {
		return 0.25
	}
	if s > 8 {
		return 8
	}
	return s
}

// legend lays the legend out and, when dst is not nil, draws it. It returns
// the size of the image, 0×0 when there is nothing to show.
func (p *Painter) legend(dst *image.RGBA, ls []LegendLayer, s float64) (w, h int) {
	px := func(v float64) int { return int(math.Round(v * s)) }
	pad := px(legendPad)
	titleF := p.face(legendTitleSize*s, true)
	itemF := p.face(legendItemSize*s, false)
	noteF := p.face(legendNoteSize*s, false)
	textMax := px(legendTextMaxW)
	y := pad
	maxX := 0
	rows := 0
	shown := false
	for _, l := range ls {
		title := strings.TrimSpace(l.Title)
		note := strings.TrimSpace(l.Note)
		if title == "" && note == "" && !slices.ContainsFunc(l.Items, itemVisible) {
			continue
		}
		if shown {
			y += px(legendLayerGap)
		}
		shown = true
		if title != "" {
			t := fitLine(titleF, title, textMax)
			if dst != nil {
				drawString(dst, titleF, pad, y, t, legendText)
			}
			maxX = max(maxX, pad+textWidth(titleF, t))
			y += lineHeight(titleF) + px(legendRowGap)
		}
		for _, it := range l.Items {
			if rows++; rows > legendMaxRows {
				break
			}
			x := pad
			label := strings.TrimSpace(it.Label)
			rowH := 0
			if label != "" {
				rowH = lineHeight(itemF)
			}
			var iw, ih int
			switch {
			case it.Image != nil:
				iw, ih = graphicSize(it.Image.Bounds(), s, it.ImageScale)
				rowH = max(rowH, ih)
			case it.Symbol != nil:
				iw, ih = px(legendSwatchW), px(legendSwatchH)
				rowH = max(rowH, ih)
			}
			if rowH == 0 {
				continue
			}
			if iw > 0 && ih > 0 {
				if dst != nil {
					r := image.Rect(x, y+(rowH-ih)/2, x+iw, y+(rowH-ih)/2+ih)
					if it.Image != nil {
						drawGraphic(dst, r, it.Image)
					} else {
						drawSwatch(dst, r, it.Symbol, s)
					}
				}
				x += iw
				if label != "" {
					x += px(legendGap)
				}
			}
			if label != "" {
				t := fitLine(itemF, label, textMax)
				if dst != nil {
					drawString(dst, itemF, x, y+(rowH-lineHeight(itemF))/2, t, legendText)
				}
				x += textWidth(itemF, t)
			}
			maxX = max(maxX, x)
			y += rowH + px(legendRowGap)
		}
		if note != "" {
			for _, line := range wrapText(noteF, note, textMax, legendNoteLines) {
				if dst != nil {
					drawString(dst, noteF, pad, y, line, legendNote)
				}
				maxX = max(maxX, pad+textWidth(noteF, line))
				y += lineHeight(noteF)
			}
			y += px(legendRowGap)
		}
	}
	if !shown {
		return 0, 0
	}
	y -= px(legendRowGap)
	return max(maxX+pad, 2*pad+1), y + pad
}

// itemVisible reports whether a legend row has anything to show.
func itemVisible(it LegendItem) bool {
	return strings.TrimSpace(it.Label) != "" || it.Symbol != nil || (it.Image != nil && !it.Image.Bounds().Empty())
}

// graphicSize is the size in device pixels at which a legend graphic with
// bounds b, made for device pixel ratio imageScale, is drawn at scale s,
// fitted into the largest size a graphic may take.
func graphicSize(b image.Rectangle, s, imageScale float64) (w, h int) {
	if b.Empty() {
		return 0, 0
	}
	if !(imageScale > 0) || math.IsInf(imageScale, 0) {
		imageScale = 1
	}
	k := s / imageScale
	maxW, maxH := legendImageMaxW*s, legendImageMaxH*s
	fw, fh := float64(b.Dx())*k, float64(b.Dy())*k
	if fw > maxW || fh > maxH {
		k *= math.Min(maxW/fw, maxH/fh)
		fw, fh = float64(b.Dx())*k, float64(b.Dy())*k
	}
	w, h = int(math.Round(fw)), int(math.Round(fh))
	if w == 0 || h == 0 {
		return 0, 0
	}
	return w, h
}

// drawGraphic draws img into r, 1:1 when the sizes agree, else scaled.
func drawGraphic(dst *image.RGBA, r image.Rectangle, img image.Image) {
	b := img.Bounds()
	if b.Size() == r.Size() {
		draw.Draw(dst, r, img, b.Min, draw.Over)
		return
	}
	draw.CatmullRom.Scale(dst, r, img, b, draw.Over, nil)
}

// drawSwatch draws a vector style's swatch into r (device pixels).
func drawSwatch(dst *image.RGBA, r image.Rectangle, sym *Symbol, s float64) {
	x0, y0 := float64(r.Min.X), float64(r.Min.Y)
	x1, y1 := float64(r.Max.X), float64(r.Max.Y)
	width := func(lo, hi, def float64) float64 {
		w := sym.Width
		if !(w > 0) {
			w = def
		}
		return math.Max(lo, math.Min(hi, w)) * s
	}
	switch sym.Geometry {
	case "line":
		stroke := sym.Stroke
		if stroke.A == 0 {
			stroke = sym.Fill
		}
		w := width(1, 6, 2)
		m := w / 2
		pts := []pt{
			{x0 + m, y1 - m},
			{x0 + (x1-x0)*0.35, y0 + m},
			{x0 + (x1-x0)*0.65, y1 - m},
			{x1 - m, y0 + m},
		}
		fillPolys(dst, strokePolys(pts, w, false), stroke)
	case "point":
		rad := sym.Radius
		if !(rad > 0) {
			rad = 4
		}
		rad = math.Max(2, math.Min(7, rad)) * s
		cx, cy := (x0+x1)/2, (y0+y1)/2
		fillPolys(dst, [][]pt{circlePoly(cx, cy, rad)}, sym.Fill)
		if sym.Stroke.A != 0 {
			w := width(0.5, 2, 1)
			outer := circlePoly(cx, cy, rad)
			if rad > w {
				inner := oriented(circlePoly(cx, cy, rad-w), false)
				fillPolys(dst, [][]pt{outer, inner}, sym.Stroke)
			} else {
				fillPolys(dst, [][]pt{outer}, sym.Stroke)
			}
		}
	default:
		fillPolys(dst, [][]pt{rectPoly(x0, y0, x1, y1)}, sym.Fill)
		if sym.Stroke.A != 0 {
			fillPolys(dst, ringPolys(x0, y0, x1, y1, width(1, 3, 1)), sym.Stroke)
		}
	}
}

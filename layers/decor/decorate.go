package decor

import (
	"image"
	"image/color"
	"math"
	"strings"

	"golang.org/x/image/draw"
)

// Options chooses the decorations Decorate draws.
type Options struct {
	ScaleBar, Attribution, Legend, NorthArrow bool
	// Title is drawn top-centre when not empty.
	Title string
	// Scale is the device pixel ratio (2 on HiDPI); 0 means 1.
	Scale float64
}

// Frame is what the decorations show about the rendered frame.
type Frame struct {
	// MetersPerPixel is ground metres per logical pixel at the view centre.
	// Zero, negative or non-finite draws no scale bar.
	MetersPerPixel float64
	// Attributions are lines, already de-duplicated by the caller.
	Attributions []string
	Legend       []LegendLayer
}

// Layout in logical pixels.
const (
	margin          = 10
	attribText      = 11
	attribPad       = 4
	attribLines     = 3
	titleText       = 16
	titlePadX       = 8
	titlePadY       = 4
	arrowW          = 16
	arrowH          = 26
	arrowText       = 13
	legendMaxWidth  = 0.4
	legendMaxHeight = 0.6
	centreLo        = 0.35
	centreHi        = 0.65
)

var (
	boxFill    = color.NRGBA{255, 255, 255, 200}
	attribInk  = color.NRGBA{0x33, 0x33, 0x33, 0xff}
	titleInk   = color.NRGBA{0x10, 0x10, 0x10, 0xff}
	arrowBlack = color.NRGBA{0, 0, 0, 255}
	arrowWhite = color.NRGBA{255, 255, 255, 255}
)

// Decorate draws the chosen decorations onto dst, compositing over the
// frame: the scale bar bottom-left, the attribution bottom-right (small text
// on a translucent white box, lines joined with " | ", wrapped to at most
// three lines and half the frame's width, cut with an ellipsis), the legend
// top-right (scaled down to at most 40% of the width and 60% of the height,
// and never over the central 30% × 30% of the frame), the north arrow
// top-left and the title top-centre in bold on a translucent box. A
// decoration that does not fit a small frame is left out.
func (p *Painter) Decorate(dst *image.RGBA, f Frame, o Options) {
	if dst == nil || dst.Bounds().Empty() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := sanitizeScale(o.Scale)
	b := dst.Bounds()
	W, H := b.Dx(), b.Dy()
	m := int(math.Round(margin * s))

	top := m // where the legend may start
	arrowRight := 0
	if o.NorthArrow {
		arrowRight = p.drawNorthArrow(dst, b.Min.X+m, b.Min.Y+m, s, W, H) - b.Min.X
	}
	if title := strings.TrimSpace(o.Title); title != "" {
		if bottom := p.drawTitle(dst, title, s, arrowRight, m); bottom > 0 {
			top = bottom - b.Min.Y + m/2
		}
	}
	if o.Legend && len(f.Legend) > 0 {
		p.drawLegend(dst, f.Legend, s, m, top)
	}
	if o.ScaleBar {
		p.drawScaleBar(dst, b.Min.X+m, b.Max.Y-m, f.MetersPerPixel, s, W/2-m)
	}
	if o.Attribution {
		p.drawAttribution(dst, f.Attributions, s)
	}
}

// drawNorthArrow draws an "N" over an arrow pointing up, its top-left
// corner at (x, y), and returns its right edge, or x when it does not fit a
// quarter of the frame.
func (p *Painter) drawNorthArrow(dst *image.RGBA, x, y int, s float64, W, H int) int {
	f := p.face(arrowText*s, true)
	aw, ah := arrowW*s, arrowH*s
	th := lineHeight(f)
	halo := int(math.Max(1, math.Round(s)))
	if float64(x-dst.Bounds().Min.X)+aw+float64(halo) > float64(W)/2 ||
		float64(y-dst.Bounds().Min.Y)+float64(th)+ah+float64(halo) > float64(H)/2 {
		return x
	}
	cx := float64(x) + aw/2
	nw := textWidth(f, "N")
	drawHalo(dst, f, int(math.Round(cx))-nw/2, y, "N", arrowBlack, arrowWhite, halo)
	top := float64(y+th) + s
	bottom := float64(y+th) + ah
	notch := bottom - ah*0.28
	left := []pt{{cx, top}, {float64(x), bottom}, {cx, notch}}
	right := []pt{{cx, top}, {cx, notch}, {float64(x) + aw, bottom}}
	fillPolys(dst, [][]pt{oriented(right, true)}, arrowWhite)
	fillPolys(dst, [][]pt{oriented(left, true)}, arrowBlack)
	outline := []pt{{cx, top}, {float64(x) + aw, bottom}, {cx, notch}, {float64(x), bottom}}
	fillPolys(dst, strokePolys(outline, math.Max(1, s), true), arrowBlack)
	return int(math.Ceil(float64(x) + aw))
}

// drawTitle draws the title centred at the top, clear of the north arrow
// whose right edge (relative to the frame) is arrowRight, and returns the
// bottom of its box, or 0 when nothing was drawn.
func (p *Painter) drawTitle(dst *image.RGBA, title string, s float64, arrowRight, m int) int {
	b := dst.Bounds()
	W := b.Dx()
	f := p.face(titleText*s, true)
	padX, padY := int(math.Round(titlePadX*s)), int(math.Round(titlePadY*s))
	side := m
	if arrowRight > 0 {
		side = arrowRight + m
	}
	maxText := W - 2*side - 2*padX
	if maxText < 1 {
		return 0
	}
	t := fitLine(f, title, maxText)
	if t == "" {
		return 0
	}
	tw, th := textWidth(f, t), lineHeight(f)
	bw, bh := tw+2*padX, th+2*padY
	if m+bh > b.Dy()/2 {
		return 0
	}
	x := b.Min.X + (W-bw)/2
	y := b.Min.Y + m
	fillRect(dst, image.Rect(x, y, x+bw, y+bh), boxFill)
	drawString(dst, f, x+padX, y+padY, t, titleInk)
	return y + bh
}

// drawLegend draws the legend image at the top-right, top pixels below the
// frame's top edge, scaled down to fit its share of the frame.
func (p *Painter) drawLegend(dst *image.RGBA, ls []LegendLayer, s float64, m, top int) {
	img := p.legendImage(ls, s)
	if img == nil {
		return
	}
	b := dst.Bounds()
	W, H := float64(b.Dx()), float64(b.Dy())
	lw, lh := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	fm, ft := float64(m), float64(top)
	wLimit := math.Min(legendMaxWidth*W, W-2*fm)
	hLimit := math.Min(legendMaxHeight*H, H-ft-fm)
	fit := func(w, h float64) float64 {
		if w <= 0 || h <= 0 {
			return 0
		}
		return math.Min(1, math.Min(w/lw, h/lh))
	}
	k := fit(wLimit, hLimit)
	// Keep out of the central box: either right of it or above it.
	left, bottom := W-fm-lw*k, ft+lh*k
	if left < centreHi*W && bottom > centreLo*H {
		right := fit(math.Min(wLimit, W-fm-centreHi*W), hLimit)
		above := fit(wLimit, math.Min(hLimit, centreLo*H-ft))
		k = math.Max(right, above)
	}
	dw, dh := int(math.Floor(lw*k)), int(math.Floor(lh*k))
	if dw < 1 || dh < 1 {
		return
	}
	x := b.Max.X - m - dw
	y := b.Min.Y + top
	r := image.Rect(x, y, x+dw, y+dh)
	if dw == img.Bounds().Dx() && dh == img.Bounds().Dy() {
		draw.Draw(dst, r, img, image.Point{}, draw.Over)
		return
	}
	draw.CatmullRom.Scale(dst, r, img, img.Bounds(), draw.Over, nil)
}

// drawAttribution draws the attribution lines, joined with " | ", in the
// bottom-right corner on a translucent white box.
func (p *Painter) drawAttribution(dst *image.RGBA, lines []string, s float64) {
	var parts []string
	total := 0
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
			if total += len(l); total > 4*maxTextRunes {
				break
			}
		}
	}
	if len(parts) == 0 {
		return
	}
	b := dst.Bounds()
	f := p.face(attribText*s, false)
	pad := int(math.Round(attribPad * s))
	lh := lineHeight(f)
	maxLines := min(attribLines, (b.Dy()/2-2*pad)/lh)
	text := wrapText(f, strings.Join(parts, " | "), b.Dx()/2-2*pad, maxLines)
	if len(text) == 0 {
		return
	}
	tw := 0
	for _, t := range text {
		tw = max(tw, textWidth(f, t))
	}
	bw, bh := tw+2*pad, len(text)*lh+2*pad
	x, y := b.Max.X-bw, b.Max.Y-bh
	fillRect(dst, image.Rect(x, y, b.Max.X, b.Max.Y), boxFill)
	for i, t := range text {
		// Right-align each line.
		drawString(dst, f, b.Max.X-pad-textWidth(f, t), y+pad+i*lh, t, attribInk)
	}
}

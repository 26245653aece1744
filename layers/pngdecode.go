package layers

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// decodePNGPremultiplied decodes the common map tile PNGs (8-bit RGBA, RGB
// or palette, not interlaced) straight into a premultiplied *image.RGBA:
// one pass from the inflated rows to the tile, no intermediate NRGBA image
// and no second conversion pass. ok is false for every other PNG and for
// anything unexpected (a bad chunk CRC, a truncated stream, an odd chunk
// order): the caller then decodes with image/png, which gives its own
// error. Pixels equal image/png's decoding converted with image/draw.
//
// The chunk CRCs are checked; the zlib stream's Adler-32 is not (the CRC-32
// of every IDAT chunk already covers the compressed bytes, and the checksum
// took a fifth of the decode time).
func decodePNGPremultiplied(data []byte) (img *image.RGBA, ok bool) {
	return decodePNGTo(data, func(w, h int) (*image.RGBA, image.Point) {
		return image.NewRGBA(image.Rect(0, 0, w, h)), image.Point{}
	})
}

// decodePNGAt is decodePNGPremultiplied into dst with the image's top left
// at o, its pixels outside dst dropped. When it is not ok, rows of dst may
// have been written.
func decodePNGAt(data []byte, dst *image.RGBA, o image.Point) bool {
	_, ok := decodePNGTo(data, func(int, int) (*image.RGBA, image.Point) { return dst, o })
	return ok
}

// decodePNGTo is decodePNGPremultiplied into the image alloc returns for
// the declared size, with the image's top left at the point it returns
// (pixels outside the image dropped; a nil image: not decoded).
func decodePNGTo(data []byte, alloc func(w, h int) (*image.RGBA, image.Point)) (img *image.RGBA, ok bool) {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(data) < len(sig)+25 || string(data[:len(sig)]) != sig {
		return nil, false
	}
	p := data[len(sig):]
	var (
		width, height int
		colorType     byte
		idat          [][]byte
		plte, trns    []byte
		seenIHDR      bool
		seenIEND      bool
	)
	for len(p) > 0 && !seenIEND {
		if len(p) < 12 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(p[:4])
		if n > uint32(len(p)-12) {
			return nil, false
		}
		typ, body := string(p[4:8]), p[8:8+n]
		if crc32.ChecksumIEEE(p[4:8+n]) != binary.BigEndian.Uint32(p[8+n:]) {
			return nil, false
		}
		p = p[12+n:]
		if !seenIHDR && typ != "IHDR" {
			return nil, false
		}
		switch typ {
		case "IHDR":
			if seenIHDR || n != 13 {
				return nil, false
			}
			seenIHDR = true
			w, h := binary.BigEndian.Uint32(body[0:]), binary.BigEndian.Uint32(body[4:])
			depth, ct := body[8], body[9]
			// compression, filter method and interlace all 0
			if w == 0 || h == 0 || w > 1<<15 || h > 1<<15 || depth != 8 || body[10] != 0 || body[11] != 0 || body[12] != 0 {
				return nil, false
			}
			if ct != 2 && ct != 3 && ct != 6 {
				return nil, false
			}
			width, height, colorType = int(w), int(h), ct
		case "PLTE":
			if idat != nil || n%3 != 0 || n == 0 || n > 3*256 {
				return nil, false
			}
			plte = body
		case "tRNS":
			if idat != nil || colorType != 3 || plte == nil || n > 256 {
				return nil, false // a transparent colour for RGB: image/png's job
			}
			trns = body
		case "IDAT":
			idat = append(idat, body)
		case "IEND":
			seenIEND = true
		default:
			if typ[0]&0x20 == 0 { // a critical chunk this decoder does not know
				return nil, false
			}
		}
	}
	if !seenIEND || len(idat) == 0 || (colorType == 3 && plte == nil) {
		return nil, false
	}
	var z []byte
	if len(idat) == 1 {
		z = idat[0]
	} else {
		z = bytes.Join(idat, nil)
	}
	// zlib header: deflate, window <= 32K, no preset dictionary, valid check.
	if len(z) < 2 || z[0]&0x0f != 8 || z[0]>>4 > 7 || z[1]&0x20 != 0 || (uint(z[0])<<8|uint(z[1]))%31 != 0 {
		return nil, false
	}
	bpp := 4
	if colorType == 2 {
		bpp = 3
	} else if colorType == 3 {
		bpp = 1
	}
	var pal [256]uint32
	if colorType == 3 {
		premultipliedPalette(&pal, plte, trns)
	}

	sc := pngScratchPool.Get().(*pngScratch)
	defer func() {
		sc.src.Reset(nil) // do not keep the body alive in the pool
		pngScratchPool.Put(sc)
	}()
	rowLen := 1 + width*bpp
	sc.cur = growBytes(sc.cur, rowLen)
	sc.prev = growBytes(sc.prev, rowLen)
	clear(sc.prev) // the row above the first is zeros
	sc.src.Reset(z[2:])
	if sc.fr == nil {
		sc.fr = flate.NewReader(&sc.src)
	} else if sc.fr.(flate.Resetter).Reset(&sc.src, nil) != nil {
		return nil, false
	}

	img, o := alloc(width, height)
	if img == nil {
		return nil, false
	}
	// The columns x0..x1 of the image's rows land in img.
	x0, x1 := max(0, img.Rect.Min.X-o.X), min(width, img.Rect.Max.X-o.X)
	cur, prev := sc.cur, sc.prev
	for y := 0; y < height; y++ {
		if _, err := io.ReadFull(sc.fr, cur); err != nil {
			return nil, false
		}
		cdat, pdat := cur[1:], prev[1:]
		switch cur[0] {
		case 0:
		case 1:
			for i := bpp; i < len(cdat); i++ {
				cdat[i] += cdat[i-bpp]
			}
		case 2:
			for i, v := range pdat {
				cdat[i] += v
			}
		case 3:
			for i := 0; i < bpp; i++ {
				cdat[i] += pdat[i] / 2
			}
			for i := bpp; i < len(cdat); i++ {
				cdat[i] += uint8((int(cdat[i-bpp]) + int(pdat[i])) / 2)
			}
		case 4:
			unfilterPaeth(cdat, pdat, bpp)
		default:
			return nil, false
		}
		cur, prev = prev, cur
		if dy := y + o.Y; dy < img.Rect.Min.Y || dy >= img.Rect.Max.Y || x0 >= x1 {
			continue
		}
		d := img.Pix[img.PixOffset(x0+o.X, y+o.Y):][:4*(x1-x0)]
		switch src := cdat[x0*bpp : x1*bpp]; colorType {
		case 6:
			premultiplyRow(d, src)
		case 2:
			for i, j := 0, 0; i < len(d); i, j = i+4, j+3 {
				d[i], d[i+1], d[i+2], d[i+3] = src[j], src[j+1], src[j+2], 0xff
			}
		case 3:
			for i, idx := range src {
				binary.LittleEndian.PutUint32(d[4*i:], pal[idx])
			}
		}
	}
	return img, true
}

// pngScratch is what one decode needs besides the tile: two filter rows
// and an inflater (its 32 KiB window), reused across decodes.
type pngScratch struct {
	cur, prev []byte
	src       bytes.Reader
	fr        io.ReadCloser
}

var pngScratchPool = sync.Pool{New: func() any { return new(pngScratch) }}

func growBytes(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// premultipliedPalette fills pal with the palette's colours as
// premultiplied little-endian RGBA: PLTE entries opaque, tRNS alphas
// applied, entries the palette lacks opaque black (as image/png).
func premultipliedPalette(pal *[256]uint32, plte, trns []byte) {
	for i := range pal {
		var r, g, b uint8
		if 3*i+2 < len(plte) {
			r, g, b = plte[3*i], plte[3*i+1], plte[3*i+2]
		}
		a := uint8(0xff)
		if i < len(trns) {
			a = trns[i]
		}
		var px [4]byte
		premultiplyRow(px[:], []byte{r, g, b, a})
		pal[i] = binary.LittleEndian.Uint32(px[:])
	}
}

// unfilterPaeth reverses PNG's Paeth filter on one row.
func unfilterPaeth(cdat, pdat []byte, bpp int) {
	for i := 0; i < bpp; i++ {
		var a, c int
		for j := i; j < len(cdat); j += bpp {
			b := int(pdat[j])
			pa := b - c
			pb := a - c
			pc := pa + pb
			if pa < 0 {
				pa = -pa
			}
			if pb < 0 {
				pb = -pb
			}
			if pc < 0 {
				pc = -pc
			}
			if pa <= pb && pa <= pc {
				// a
			} else if pb <= pc {
				a = b
			} else {
				a = c
			}
			a = (a + int(cdat[j])) & 0xff
			cdat[j] = uint8(a)
			c = b
		}
	}
}

// premultiplyRow converts one row of straight-alpha RGBA (s) into
// premultiplied RGBA (d), with image/draw's exact rounding. Opaque and
// clear pixels, most of a map tile, take no multiply.
func premultiplyRow(d, s []byte) { alphaRow(d, s, premultiplyPixel) }

// alphaRow converts the 4-byte pixels of s into d: opaque and clear ones
// (most of a map's pixels) as they are, two at a time while both are, the
// translucent ones with one.
func alphaRow(d, s []byte, one func(d, s []byte)) {
	n := min(len(d), len(s)) &^ 3
	d, s = d[:n], s[:n]
	le := binary.LittleEndian
	const alphas = 0xff000000ff000000
	i := 0
	for ; i+8 <= n; i += 8 {
		switch px := le.Uint64(s[i:]); px & alphas {
		case alphas:
			le.PutUint64(d[i:], px)
		case 0:
			le.PutUint64(d[i:], 0)
		default:
			alphaPixel(d[i:i+4], s[i:i+4], one)
			alphaPixel(d[i+4:i+8], s[i+4:i+8], one)
		}
	}
	if i < n {
		alphaPixel(d[i:i+4], s[i:i+4], one)
	}
}

// alphaPixel is alphaRow of one pixel.
func alphaPixel(d, s []byte, one func(d, s []byte)) {
	switch s[3] {
	case 0xff:
		copy(d[:4], s[:4])
	case 0:
		d[0], d[1], d[2], d[3] = 0, 0, 0, 0
	default:
		one(d, s)
	}
}

// premultiplyPixel premultiplies one translucent pixel.
func premultiplyPixel(d, s []byte) {
	a16 := uint32(s[3]) * 0x101
	d[0] = uint8(uint32(s[0]) * 0x101 * a16 / 0xffff >> 8)
	d[1] = uint8(uint32(s[1]) * 0x101 * a16 / 0xffff >> 8)
	d[2] = uint8(uint32(s[2]) * 0x101 * a16 / 0xffff >> 8)
	d[3] = s[3]
}

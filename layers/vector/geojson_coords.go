package vector

import (
	"math"
	"strconv"
)

// coordDecoder reads the "coordinates" member of a GeoJSON geometry, nested
// arrays of positions depth deep (1 for a Point, 4 for a MultiPolygon),
// straight into go-geom's flat layout: no intermediate [][][]Coord, and
// every position is counted against the document's MaxCoordinates before
// it is stored. Positions keep x and y; Z, M and further values are
// dropped. The input is a value the JSON decoder has already checked.
type coordDecoder struct {
	b      []byte
	i      int
	depth  int
	flat   []float64
	ends   []int   // ends of position lists (rings, lines), depth >= 3
	endss  [][]int // ends per polygon, depth 4
	budget *budget
}

// decodeCoords returns the flat XY coordinates of raw with the ends go-geom
// needs for depth 3 (ends) and depth 4 (endss). A depth-1 empty array gives
// empty flat coordinates (an empty Point).
func decodeCoords(raw []byte, depth int, b *budget) (flat []float64, ends []int, endss [][]int, err error) {
	d := &coordDecoder{b: raw, depth: depth, budget: b}
	if err := d.value(1); err != nil {
		return nil, nil, nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, nil, nil, d.errorf("data after the coordinates")
	}
	return d.flat, d.ends, d.endss, nil
}

func (d *coordDecoder) errorf(what string) error {
	return malformed("coordinates: %s at offset %d", what, d.i)
}

func (d *coordDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// open consumes '[' or fails.
func (d *coordDecoder) open() error {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		if d.i < len(d.b) && (d.b[d.i] == '-' || d.b[d.i] >= '0' && d.b[d.i] <= '9') {
			return d.errorf("a number where an array belongs (wrong nesting for the geometry type)")
		}
		return d.errorf("want an array")
	}
	d.i++
	return nil
}

// next consumes ',' (true) or ']' (false).
func (d *coordDecoder) next() (bool, error) {
	d.space()
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case ',':
			d.i++
			return true, nil
		case ']':
			d.i++
			return false, nil
		}
	}
	return false, d.errorf("want ',' or ']'")
}

// empty consumes ']' when the array just opened is empty.
func (d *coordDecoder) empty() bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return true
	}
	return false
}

func (d *coordDecoder) value(level int) error {
	if err := d.open(); err != nil {
		return err
	}
	if level == d.depth {
		return d.position(level)
	}
	if !d.empty() {
		for {
			if err := d.value(level + 1); err != nil {
				return err
			}
			more, err := d.next()
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	switch {
	case d.depth >= 3 && level == d.depth-1:
		d.ends = append(d.ends, len(d.flat))
	case d.depth == 4 && level == d.depth-2:
		d.endss = append(d.endss, d.ends)
		d.ends = nil
	}
	return nil
}

// position reads the numbers of one position after its '['.
func (d *coordDecoder) position(level int) error {
	if d.empty() {
		if level == 1 {
			return nil // "coordinates": [] of a Point: an empty point
		}
		return d.errorf("empty position")
	}
	if err := d.budget.addCoords(1); err != nil {
		return err
	}
	n := 0
	for {
		v, err := d.number()
		if err != nil {
			return err
		}
		if n < 2 {
			d.flat = append(d.flat, v)
		}
		n++
		more, err := d.next()
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if n < 2 {
		return d.errorf("position with fewer than two numbers")
	}
	return nil
}

func (d *coordDecoder) number() (float64, error) {
	d.space()
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			d.i++
			continue
		}
		break
	}
	if start == d.i {
		d.i = start
		return 0, d.errorf("want a number")
	}
	v, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		d.i = start
		return 0, d.errorf("number out of range")
	}
	return v, nil
}

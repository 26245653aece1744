package vector

import (
	"errors"
	"io"
)

// limitReader fails with a *LimitError once more than left bytes have been
// read, so a parser never buffers more than Options.MaxBytes.
type limitReader struct {
	r    io.Reader
	left int64
	max  int64
	err  error // set once the limit is hit
}

func newLimitReader(r io.Reader, max int64) *limitReader {
	return &limitReader{r: r, left: max, max: max}
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		l.err = &LimitError{Limit: "MaxBytes", Max: l.max}
		return 0, l.err
	}
	return n, err
}

// overLimit returns the reader's *LimitError when err came from hitting the
// byte limit (the JSON and XML decoders wrap or replace read errors), else
// nil.
func (l *limitReader) overLimit(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	if l.err != nil {
		return l.err
	}
	return nil
}

// budget counts what one document has used of its Options bounds.
type budget struct {
	opt      Options
	features int
	coords   int
}

// addFeature counts one more feature.
func (b *budget) addFeature() error {
	b.features++
	if b.features > b.opt.MaxFeatures {
		return &LimitError{Limit: "MaxFeatures", Max: int64(b.opt.MaxFeatures)}
	}
	return nil
}

// addCoords counts n more positions.
func (b *budget) addCoords(n int) error {
	if n > b.opt.MaxCoordinates-b.coords {
		return &LimitError{Limit: "MaxCoordinates", Max: int64(b.opt.MaxCoordinates)}
	}
	b.coords += n
	return nil
}

func (b *budget) depthError() error {
	return &LimitError{Limit: "MaxDepth", Max: int64(b.opt.MaxDepth)}
}

// jsonDepth returns the deepest nesting of arrays and objects in a
// well-formed JSON value (a scalar is 0, [] is 1).
func jsonDepth(raw []byte) int {
	depth, max := 0, 0
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > max {
				max = depth
			}
		case ']', '}':
			depth--
		}
	}
	return max
}

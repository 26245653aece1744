package project

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Layer returns the layer with the given id. The pointer is into p.Layers and
// is valid until the next AddLayer, RemoveLayer or MoveLayer.
func (p *Project) Layer(id string) (*Layer, bool) {
	for i := range p.Layers {
		if p.Layers[i].ID == id {
			return &p.Layers[i], true
		}
	}
	return nil, false
}

// AddLayer appends l on top of the other layers and returns the stored copy.
// If l.ID is empty or already taken, the layer gets a unique id made from its
// name ("roads", "roads-2", ...; "layer" for a name without letters or
// digits). An empty Kind becomes KindWMS. Opacity and Visible are kept as
// given (a zero Layer is transparent and hidden).
func (p *Project) AddLayer(l Layer) *Layer {
	ids := make(map[string]bool, len(p.Layers))
	for _, o := range p.Layers {
		ids[o.ID] = true
	}
	if l.ID == "" || ids[l.ID] {
		base := l.Name
		if l.ID != "" {
			base = l.ID
		}
		l.ID = uniqueID(ids, base)
	}
	if l.Kind == "" {
		l.Kind = KindWMS
	}
	p.Layers = append(p.Layers, l.clone())
	return &p.Layers[len(p.Layers)-1]
}

// RemoveLayer removes the layer with the given id and reports whether there
// was one.
func (p *Project) RemoveLayer(id string) bool {
	for i := range p.Layers {
		if p.Layers[i].ID == id {
			p.Layers = append(p.Layers[:i], p.Layers[i+1:]...)
			return true
		}
	}
	return false
}

// MoveLayer moves the layer with the given id to index to (0 is the bottom,
// len(p.Layers)-1 the top); the other layers keep their relative order.
func (p *Project) MoveLayer(id string, to int) error {
	from := -1
	for i := range p.Layers {
		if p.Layers[i].ID == id {
			from = i
			break
		}
	}
	if from < 0 {
		return fmt.Errorf("%w: %q", ErrNoLayer, id)
	}
	if to < 0 || to >= len(p.Layers) {
		return fmt.Errorf("project: move layer %q: position %d is outside [0, %d]", id, to, len(p.Layers)-1)
	}
	l := p.Layers[from]
	if from < to {
		copy(p.Layers[from:to], p.Layers[from+1:to+1])
	} else {
		copy(p.Layers[to+1:from+1], p.Layers[to:from])
	}
	p.Layers[to] = l
	return nil
}

// uniqueID returns slug(base), or slug(base)-N with the smallest N >= 2 that
// is not in taken.
func uniqueID(taken map[string]bool, base string) string {
	return (&idSet{taken: taken}).unique(base)
}

// idSet hands out ids as uniqueID does, for many layers in a row in time
// linear in their number: it remembers, per slug, the N below which every
// slug-N is taken, instead of trying 2, 3, ... afresh for every layer (which
// took 4 s for 10,000 layers named alike).
type idSet struct {
	taken map[string]bool // every id in use; unique adds the ids it returns
	next  map[string]int
}

func (s *idSet) unique(base string) string {
	id := slug(base)
	if !s.taken[id] {
		s.taken[id] = true
		return id
	}
	if s.next == nil {
		s.next = make(map[string]int)
	}
	n := max(s.next[id], 2)
	for s.taken[id+"-"+strconv.Itoa(n)] {
		n++
	}
	s.next[id] = n + 1
	id += "-" + strconv.Itoa(n)
	s.taken[id] = true
	return id
}

// maxSlug bounds ids made from long names.
const maxSlug = 40

// slug lower-cases s and keeps letters and digits (any script), joining runs
// of anything else with a single "-"; at most maxSlug characters.
func slug(s string) string {
	var b strings.Builder
	n, dash := 0, false
	for _, r := range strings.ToLower(s) {
		if n >= maxSlug {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && n > 0 {
				b.WriteByte('-')
				n++
			}
			b.WriteRune(r)
			n++
			dash = false
			continue
		}
		dash = true
	}
	if n == 0 {
		return "layer"
	}
	return b.String()
}

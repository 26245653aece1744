package project

import (
	"encoding/json"
	"fmt"
)

// Group is the saved state of a layer group (the layers sharing a
// Layer.Group name). A group without an entry is visible. A layer is drawn
// only when its own eye and its group's are on (Shown), so hiding a group
// keeps each layer's own choice for when the group is shown again.
type Group struct {
	Name    string
	Visible bool

	extras map[string]json.RawMessage // unknown fields of the group
}

// GroupVisible reports whether the group called name is shown; a group
// with no entry (and the empty name, no group) is.
func (p *Project) GroupVisible(name string) bool {
	if name == "" {
		return true
	}
	for _, g := range p.Groups {
		if g.Name == name {
			return g.Visible
		}
	}
	return true
}

// SetGroupVisible shows or hides the group called name. Showing a group
// drops its entry unless the entry holds fields of a newer mapvault; the
// empty name is no group and is ignored.
func (p *Project) SetGroupVisible(name string, visible bool) {
	if name == "" {
		return
	}
	for i := range p.Groups {
		g := &p.Groups[i]
		if g.Name != name {
			continue
		}
		if visible && len(g.extras) == 0 {
			p.Groups = append(p.Groups[:i], p.Groups[i+1:]...)
			if len(p.Groups) == 0 {
				p.Groups = nil
			}
			return
		}
		g.Visible = visible
		return
	}
	if !visible {
		p.Groups = append(p.Groups, Group{Name: name})
	}
}

// Shown reports whether l is drawn: its own eye and its group's are on.
func (p *Project) Shown(l *Layer) bool {
	return l.Visible && p.GroupVisible(l.Group)
}

// groups decodes the top-level "groups" array.
func (ps *parser) groups(gm member) ([]Group, error) {
	if len(gm.raw) == 0 || gm.raw[0] != '[' {
		return nil, ps.typeError(gm, "groups", "an array of group objects")
	}
	els, err := arrayElements(ps.doc, gm.off)
	if err != nil {
		return nil, err
	}
	if len(els) == 0 {
		return nil, nil
	}
	out := make([]Group, 0, len(els))
	seen := make(map[string]bool, len(els))
	for i, e := range els {
		path := fmt.Sprintf("groups[%d]", i)
		ms, err := ps.fields(e, path)
		if err != nil {
			return nil, err
		}
		g := Group{Visible: true}
		nameAt := -1
		for _, m := range ms {
			fpath := join(path, m.key)
			switch m.key {
			case "name":
				g.Name, err = ps.str(m, fpath)
				nameAt = m.off
			case "visible":
				g.Visible, err = ps.boolean(m, fpath)
			default:
				keepRaw(&g.extras, m)
			}
			if err != nil {
				return nil, err
			}
		}
		if nameAt < 0 || g.Name == "" {
			at := e.off
			if nameAt >= 0 {
				at = nameAt
			}
			return nil, ps.errAt(at, nil, "%s.name: a group needs a name", path)
		}
		if seen[g.Name] {
			return nil, ps.errAt(nameAt, nil, "%s.name: duplicate group %q", path, g.Name)
		}
		seen[g.Name] = true
		out = append(out, g)
	}
	return out, nil
}

// validateGroups refuses what groups would not read back.
func (p *Project) validateGroups() error {
	seen := make(map[string]bool, len(p.Groups))
	for i, g := range p.Groups {
		if g.Name == "" {
			return fmt.Errorf("%w: group %d has no name", ErrInvalid, i)
		}
		if seen[g.Name] {
			return fmt.Errorf("%w: duplicate group %q", ErrInvalid, g.Name)
		}
		seen[g.Name] = true
	}
	return nil
}

// groups writes the "groups" array, left out when empty.
func (w *writer) groups(gs []Group) {
	if len(gs) == 0 {
		return
	}
	w.key("groups")
	w.open('[')
	for _, g := range gs {
		w.item()
		w.open('{')
		w.key("name")
		w.str(g.Name)
		w.key("visible")
		if g.Visible {
			w.buf.WriteString("true")
		} else {
			w.buf.WriteString("false")
		}
		w.extras(g.extras)
		w.close('}')
	}
	w.close(']')
}

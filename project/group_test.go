package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseGroups(t *testing.T) {
	in := head2 + `, "layers": [{"id": "a", "group": "Hazard"}, {"id": "b", "group": "Base"}],
  "groups": [{"name": "Hazard", "visible": false, "collapsed": true}, {"name": "Base"}]}`
	p, err := Parse("g.json", []byte(in))
	if err != nil {
		t.Fatalf("Parse error = %v", err)
	}
	want := []Group{
		{Name: "Hazard", Visible: false, extras: map[string]json.RawMessage{"collapsed": json.RawMessage(`true`)}},
		{Name: "Base", Visible: true},
	}
	if !reflect.DeepEqual(p.Groups, want) {
		t.Errorf("Groups = %#v, want %#v", p.Groups, want)
	}
	if p.GroupVisible("Hazard") || !p.GroupVisible("Base") || !p.GroupVisible("Other") || !p.GroupVisible("") {
		t.Errorf("GroupVisible: Hazard %v Base %v Other %v, want false true true",
			p.GroupVisible("Hazard"), p.GroupVisible("Base"), p.GroupVisible("Other"))
	}
	a, _ := p.Layer("a")
	b, _ := p.Layer("b")
	if p.Shown(a) || !p.Shown(b) {
		t.Errorf("Shown(a) = %v, Shown(b) = %v, want false, true", p.Shown(a), p.Shown(b))
	}
	roundTrip(t, []byte(in))
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "\"groups\": [\n    {\n      \"name\": \"Hazard\",\n      \"visible\": false,\n      \"collapsed\": true\n    },") {
		t.Errorf("Marshal() =\n%s\nwant the groups with the unknown field kept", out)
	}
}

func TestParseGroupErrors(t *testing.T) {
	tests := []struct{ in, pos, msg string }{
		{head2 + `, "groups": {}}`, "1:56", "groups: want an array of group objects, got an object"},
		{head2 + `, "groups": [3]}`, "1:57", "groups[0]: want an object, got a number"},
		{head2 + `, "groups": [{"visible": false}]}`, "1:57", "groups[0].name: a group needs a name"},
		{head2 + `, "groups": [{"name": ""}]}`, "1:66", "groups[0].name: a group needs a name"},
		{head2 + `, "groups": [{"name": "a"}, {"name": "a"}]}`, "1:81", `groups[1].name: duplicate group "a"`},
		{head2 + `, "groups": [{"name": "a", "visible": 0}]}`, "1:82", "groups[0].visible: want a boolean, got a number"},
	}
	for _, tt := range tests {
		_, err := Parse("bad.json", []byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) error = %v, want a *SyntaxError", tt.in, err)
		}
		if got := fmt.Sprintf("%d:%d", se.Line, se.Column); got != tt.pos || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%q) error = %v, want %s: ...%s", tt.in, err, tt.pos, tt.msg)
		}
	}
}

func TestSetGroupVisible(t *testing.T) {
	p := New("")
	p.AddLayer(Layer{ID: "a", Group: "G", Visible: true, Opacity: 1})
	p.AddLayer(Layer{ID: "b", Group: "G", Visible: false, Opacity: 1})
	p.SetGroupVisible("G", false)
	p.SetGroupVisible("", false) // no group: ignored
	if p.GroupVisible("G") || len(p.Groups) != 1 {
		t.Fatalf("after hiding G: GroupVisible = %v, Groups = %+v", p.GroupVisible("G"), p.Groups)
	}
	a, _ := p.Layer("a")
	if p.Shown(a) || !a.Visible {
		t.Errorf("layer a: Shown %v Visible %v, want false true (its own eye kept)", p.Shown(a), a.Visible)
	}
	p.SetGroupVisible("G", true)
	if !p.GroupVisible("G") || p.Groups != nil {
		t.Errorf("after showing G: GroupVisible = %v, Groups = %+v, want true and no entry", p.GroupVisible("G"), p.Groups)
	}
	// An entry with fields of a newer mapvault stays when shown.
	q, err := Parse("g.json", []byte(head2+`, "groups": [{"name": "G", "visible": false, "colour": "red"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	q.SetGroupVisible("G", true)
	if len(q.Groups) != 1 || !q.Groups[0].Visible || q.Groups[0].extras == nil {
		t.Errorf("Groups = %+v, want the entry kept, visible, with its unknown field", q.Groups)
	}
	// Validate refuses what Parse would not read back.
	q.Groups = append(q.Groups, Group{Name: "G"})
	if _, err := q.Marshal(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Marshal with a duplicate group error = %v, want ErrInvalid", err)
	}
	q.Groups = []Group{{}}
	if _, err := q.Marshal(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Marshal with an unnamed group error = %v, want ErrInvalid", err)
	}
}

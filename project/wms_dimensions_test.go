package project

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// wmsDimensionTests are files with a "wms.dimensions" object: want is the
// dimensions Parse returns, or pos/msg where it must refuse the file.
var wmsDimensionTests = []struct {
	name string
	in   string
	want map[string]string
	pos  string // "LINE:COL" of the error; "" when the file is good
	msg  string
}{
	{name: "time and elevation",
		in:   head2 + `, "layers": [{"id": "a", "source": "https://h/wms", "wms": {"layers": ["x"], "dimensions": {"time": "2020-01-01", "elevation": "500"}}}]}`,
		want: map[string]string{"time": "2020-01-01", "elevation": "500"}},
	{name: "empty object",
		in: head2 + `, "layers": [{"id": "a", "source": "https://h/wms", "wms": {"dimensions": {}}}]}`},
	{name: "other dimension, empty value",
		in:   head2 + `, "layers": [{"id": "a", "source": "https://h/wms", "wms": {"dimensions": {"run_time": ""}}}]}`,
		want: map[string]string{"run_time": ""}},
	{name: "not an object",
		in:  head2 + ",\n" + `"layers": [{"id": "a", "wms": {"dimensions": ["time"]}}]}`,
		pos: "2:46", msg: "layers[0].wms.dimensions: want an object"},
	{name: "value not a string",
		in:  head2 + ",\n" + `"layers": [{"id": "a", "wms": {"dimensions": {"time": 2020}}}]}`,
		pos: "2:55", msg: "layers[0].wms.dimensions.time: want a string"},
	{name: "bad name",
		in:  head2 + ",\n" + `"layers": [{"id": "a", "wms": {"dimensions": {"ti me": "x"}}}]}`,
		pos: "2:47", msg: `dimension name "ti me"`},
	{name: "duplicate name",
		in:  head2 + ",\n" + `"layers": [{"id": "a", "wms": {"dimensions": {"time": "x", "time": "y"}}}]}`,
		pos: "2:60", msg: `duplicate key "time"`},
}

func TestParseWMSDimensions(t *testing.T) {
	for _, tt := range wmsDimensionTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("dims.json", []byte(tt.in))
			if tt.pos != "" {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("Parse(%q) error = %v, want a *SyntaxError at %s", tt.in, err, tt.pos)
				}
				if got := fmt.Sprintf("%d:%d", se.Line, se.Column); got != tt.pos || !strings.Contains(se.Msg, tt.msg) {
					t.Errorf("Parse(%q) error = %v at %s, want %q at %s", tt.in, err, got, tt.msg, tt.pos)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			}
			got := p.Layers[0].WMS.Dimensions
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) dimensions = %#v, want %#v", tt.in, got, tt.want)
			}
			// Written and read back: the same dimensions.
			data, err := p.Marshal()
			if err != nil {
				t.Fatalf("Marshal error = %v", err)
			}
			back, err := Parse("back.json", data)
			if err != nil {
				t.Fatalf("Parse(Marshal) error = %v\n%s", err, data)
			}
			if got := back.Layers[0].WMS.Dimensions; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("round trip dimensions = %#v, want %#v\n%s", got, tt.want, data)
			}
		})
	}
}

func TestValidateWMSDimensions(t *testing.T) {
	p := New("")
	p.AddLayer(Layer{Source: "https://h/wms", WMS: WMS{Layers: []string{"x"}, Dimensions: map[string]string{"a=b": "1"}}})
	if err := p.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate() = %v, want ErrInvalid for a dimension name Parse refuses", err)
	}
}

func TestCloneWMSDimensions(t *testing.T) {
	l := Layer{WMS: WMS{Dimensions: map[string]string{"time": "a"}}}
	c := l.clone()
	c.WMS.Dimensions["time"] = "b"
	if l.WMS.Dimensions["time"] != "a" {
		t.Errorf("clone shares the dimensions map")
	}
}

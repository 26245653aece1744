package project

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Load reads and parses the project file at path and remembers its folder
// for Resolve. A missing file gives an error matching fs.ErrNotExist; a file
// larger than MaxSize is not read (*TooLargeError, matching ErrTooLarge).
func Load(path string) (*Project, error) {
	p, _, err := LoadStamped(path)
	return p, err
}

// LoadStamped is Load that also returns the stamp of the bytes it read, for
// SaveIfUnchanged.
func LoadStamped(path string) (*Project, Stamp, error) {
	data, err := ReadFile(path, MaxSize)
	if err != nil {
		return nil, Stamp{}, fmt.Errorf("project: %w", err)
	}
	p, err := Parse(path, data)
	if err != nil {
		return nil, Stamp{}, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, Stamp{}, fmt.Errorf("project: %w", err)
	}
	p.dir = dir
	return p, StampOf(data), nil
}

// Parse parses a project file. name is used in error messages only. Errors
// in the file are *SyntaxError (with 1-based line and column), except a file
// from a newer mapvault, which gives a *VersionError matching ErrNewerVersion.
// A file that is JSON but no mapvault project matches ErrNotProject too.
//
// Defaults: a missing "visible" is true, a missing "opacity" 1, a missing
// "kind" "wms", a missing "view" the default view; a layer without an id gets
// one as with AddLayer.
func Parse(name string, data []byte) (*Project, error) {
	doc := bytes.TrimPrefix(data, utf8BOM)
	ps := &parser{name: name, doc: doc}
	if !json.Valid(doc) {
		return nil, ps.syntaxError()
	}
	p, err := ps.project()
	if errors.Is(err, errScan) {
		return nil, ps.errAt(0, nil, "cannot read the file: %v", err)
	}
	return p, err
}

type parser struct {
	name    string
	doc     []byte
	version int64 // the file's format version
}

func (ps *parser) errAt(off int, sentinel error, format string, args ...any) *SyntaxError {
	line, col := Position(ps.doc, off)
	return &SyntaxError{File: ps.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// syntaxError turns encoding/json's verdict on an invalid document into a
// *SyntaxError pointing at the offending character.
func (ps *parser) syntaxError() error {
	var raw json.RawMessage
	err := json.Unmarshal(ps.doc, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return ps.errAt(0, nil, "invalid JSON")
	}
	msg := strings.TrimPrefix(se.Error(), "json: ")
	off := int(se.Offset) - 1 // Offset counts the offending byte
	if strings.Contains(msg, "unexpected end") {
		off = int(se.Offset)
	}
	return ps.errAt(off, nil, "%s", msg)
}

// typeError reports a value of the wrong JSON type at path.
func (ps *parser) typeError(m member, path, want string) error {
	return ps.errAt(m.off, nil, "%s: want %s, got %s", path, want, jsonType(m.raw))
}

// fields indexes an object's members by key and refuses duplicate keys.
func (ps *parser) fields(m member, path string) ([]member, error) {
	if len(m.raw) == 0 || m.raw[0] != '{' {
		return nil, ps.typeError(m, path, "an object")
	}
	ms, err := objectMembers(ps.doc, m.off)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(ms))
	for _, f := range ms {
		if seen[f.key] {
			return nil, ps.errAt(f.keyOff, nil, "%s: duplicate key %q", path, f.key)
		}
		seen[f.key] = true
	}
	return ms, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (ps *parser) str(m member, path string) (string, error) {
	if len(m.raw) == 0 || m.raw[0] != '"' {
		return "", ps.typeError(m, path, "a string")
	}
	var s string
	if err := json.Unmarshal(m.raw, &s); err != nil {
		return "", ps.errAt(m.off, nil, "%s: %v", path, err)
	}
	return s, nil
}

func (ps *parser) num(m member, path string) (float64, error) {
	if len(m.raw) == 0 || (m.raw[0] != '-' && (m.raw[0] < '0' || m.raw[0] > '9')) {
		return 0, ps.typeError(m, path, "a number")
	}
	f, err := strconv.ParseFloat(string(m.raw), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, ps.errAt(m.off, nil, "%s: number %s is out of range", path, m.raw)
	}
	return f, nil
}

func (ps *parser) boolean(m member, path string) (bool, error) {
	switch string(m.raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, ps.typeError(m, path, "a boolean")
}

func (ps *parser) strList(m member, path string) ([]string, error) {
	if len(m.raw) == 0 || m.raw[0] != '[' {
		return nil, ps.typeError(m, path, "an array of strings")
	}
	els, err := arrayElements(ps.doc, m.off)
	if err != nil {
		return nil, err
	}
	if len(els) == 0 {
		return nil, nil // [] and a missing field mean the same
	}
	out := make([]string, 0, len(els))
	for i, e := range els {
		s, err := ps.str(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// keepRaw stores an unknown field. Its value is kept byte for byte as
// written, white space included, and Marshal writes it back unchanged: a
// field from a newer mapvault survives an older one exactly, and nothing is
// re-laid out (re-indenting a deeply nested value multiplies its size).
func keepRaw(extras *map[string]json.RawMessage, m member) {
	if *extras == nil {
		*extras = make(map[string]json.RawMessage)
	}
	(*extras)[m.key] = append(json.RawMessage(nil), m.raw...)
}

func (ps *parser) project() (*Project, error) {
	start := skipSpace(ps.doc, 0)
	top := member{off: start, raw: ps.doc[start:]}
	if len(top.raw) == 0 || top.raw[0] != '{' {
		return nil, ps.errAt(start, ErrNotProject, "not a mapvault project: want a JSON object, got %s", jsonType(top.raw))
	}
	ms, err := ps.fields(top, "")
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]member, len(ms))
	for _, m := range ms {
		byKey[m.key] = m
	}

	// The marker and the version come first: a newer file is reported as
	// such even if the rest of it no longer looks like this version.
	fm, ok := byKey["format"]
	if !ok {
		return nil, ps.errAt(start, ErrNotProject, "not a mapvault project: no %q marker", "format")
	}
	format, err := ps.str(fm, "format")
	if err != nil {
		return nil, err
	}
	if format != Format {
		return nil, ps.errAt(fm.off, ErrNotProject, "not a mapvault project: format is %q, want %q", format, Format)
	}
	vm, ok := byKey["version"]
	if !ok {
		return nil, ps.errAt(start, nil, "no %q field", "version")
	}
	if len(vm.raw) == 0 || (vm.raw[0] != '-' && (vm.raw[0] < '0' || vm.raw[0] > '9')) {
		return nil, ps.typeError(vm, "version", "a number")
	}
	version, err := strconv.ParseInt(string(vm.raw), 10, 64)
	if err != nil || version < 1 {
		return nil, ps.errAt(vm.off, nil, "version: want a whole number from 1, got %s", vm.raw)
	}
	if version > Version {
		return nil, &VersionError{File: ps.name, Got: version, Want: Version}
	}

	ps.version = version
	p := &Project{View: DefaultView()}
	for _, m := range ms {
		switch m.key {
		case "format", "version":
		case "title":
			if p.Title, err = ps.str(m, "title"); err != nil {
				return nil, err
			}
		case "view":
			if p.View, err = ps.view(m); err != nil {
				return nil, err
			}
		case "layers":
			if p.Layers, err = ps.layers(m); err != nil {
				return nil, err
			}
		case "bookmarks":
			if p.Bookmarks, err = ps.bookmarks(m); err != nil {
				return nil, err
			}
		case "groups":
			if p.Groups, err = ps.groups(m); err != nil {
				return nil, err
			}
		default:
			keepRaw(&p.extras, m)
		}
	}
	return p, nil
}

func (ps *parser) view(vm member) (View, error) {
	v := DefaultView()
	ms, err := ps.fields(vm, "view")
	if err != nil {
		return v, err
	}
	for _, m := range ms {
		path := join("view", m.key)
		switch m.key {
		case "center":
			cs, err := ps.fields(m, path)
			if err != nil {
				return v, err
			}
			for _, c := range cs {
				cpath := join(path, c.key)
				switch c.key {
				case "lon":
					v.Lon, err = ps.num(c, cpath)
				case "lat":
					v.Lat, err = ps.num(c, cpath)
					if err == nil && (v.Lat < -90 || v.Lat > 90) {
						err = ps.errAt(c.off, nil, "%s: latitude %v is outside [-90, 90]", cpath, v.Lat)
					}
				default:
					keepRaw(&v.centerExtras, c)
				}
				if err != nil {
					return v, err
				}
			}
		case "zoom":
			v.Zoom, err = ps.num(m, path)
			if err == nil && v.Zoom < 0 {
				err = ps.errAt(m.off, nil, "%s: zoom %v is negative", path, v.Zoom)
			}
		case "crs":
			v.CRS, err = ps.str(m, path)
		default:
			keepRaw(&v.extras, m)
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

func (ps *parser) layers(lm member) ([]Layer, error) {
	if len(lm.raw) == 0 || lm.raw[0] != '[' {
		return nil, ps.typeError(lm, "layers", "an array of layer objects")
	}
	els, err := arrayElements(ps.doc, lm.off)
	if err != nil {
		return nil, err
	}
	if len(els) == 0 {
		return nil, nil
	}
	out := make([]Layer, 0, len(els))
	ids := make(map[string]bool, len(els))
	for i, e := range els {
		path := fmt.Sprintf("layers[%d]", i)
		l, idAt, err := ps.layer(e, path)
		if err != nil {
			return nil, err
		}
		if l.ID != "" {
			if ids[l.ID] {
				return nil, ps.errAt(idAt, nil, "%s.id: duplicate layer id %q", path, l.ID)
			}
			ids[l.ID] = true
		}
		out = append(out, l)
	}
	// Layers without an id get one once every explicit id is known.
	made := &idSet{taken: ids}
	for i := range out {
		if out[i].ID == "" {
			out[i].ID = made.unique(out[i].Name)
		}
	}
	return out, nil
}

// layer decodes one layer object; idAt is the offset of its id value.
// Version 1 files keep the WMS fields flat in the layer ("wms_layers",
// "styles", "format", "wms_version"); they are moved into Layer.WMS (see
// migrate.go). In a version 2 file those keys are unknown fields.
func (ps *parser) layer(e member, path string) (Layer, int, error) {
	l := Layer{Kind: KindWMS, Opacity: 1, Visible: true}
	ms, err := ps.fields(e, path)
	if err != nil {
		return l, 0, err
	}
	idAt := e.off
	kindAt := e.off
	stylesAt, stylesPath := -1, ""
	var flat, wmsObj *member // a v1 flat WMS field, the "wms" object
	for i, m := range ms {
		fpath := join(path, m.key)
		if ps.version == 1 && isFlatWMSField(m.key) {
			if flat == nil {
				flat = &ms[i]
			}
			err = ps.flatWMS(m, fpath, &l.WMS)
			if m.key == "styles" {
				stylesAt, stylesPath = m.off, fpath
			}
			if err != nil {
				return l, 0, err
			}
			continue
		}
		switch m.key {
		case "id":
			l.ID, err = ps.str(m, fpath)
			idAt = m.off
		case "name":
			l.Name, err = ps.str(m, fpath)
		case "kind":
			var k string
			k, err = ps.str(m, fpath)
			l.Kind, kindAt = Kind(k), m.off
			if l.Kind == "" {
				l.Kind = KindWMS
			}
		case "source":
			l.Source, err = ps.str(m, fpath)
		case "opacity":
			l.Opacity, err = ps.num(m, fpath)
			if err == nil && (l.Opacity < 0 || l.Opacity > 1) {
				err = ps.errAt(m.off, nil, "%s: %s is outside [0, 1]", fpath, m.raw)
			}
		case "visible":
			l.Visible, err = ps.boolean(m, fpath)
		case "group":
			l.Group, err = ps.str(m, fpath)
		case "attribution":
			l.Attribution, err = ps.str(m, fpath)
		case "wms":
			wmsObj = &ms[i]
			var at int
			l.WMS, at, err = ps.wms(m, fpath)
			if at >= 0 {
				stylesAt, stylesPath = at, join(fpath, "styles")
			}
		case "wmts":
			l.WMTS, err = ps.wmts(m, fpath)
		case "xyz":
			l.XYZ, err = ps.xyz(m, fpath)
		case "wfs":
			l.WFS, err = ps.wfs(m, fpath)
		case "features":
			l.Features, err = ps.features(m, fpath)
		case "style":
			l.Style, err = ps.style(m, fpath)
		default:
			keepRaw(&l.extras, m)
		}
		if err != nil {
			return l, 0, err
		}
	}
	if flat != nil && wmsObj != nil {
		return l, 0, ps.errAt(flat.keyOff, nil, "%s: both %q and a \"wms\" object; give the WMS fields once",
			path, flat.key)
	}
	if l.Kind == KindWMS && len(l.WMS.Styles) > 0 && len(l.WMS.Styles) != len(l.WMS.Layers) {
		at := stylesAt
		if at < 0 {
			at, stylesPath = kindAt, join(path, "styles")
		}
		return l, 0, ps.errAt(at, nil, "%s: %d styles for %d WMS layers; give one per layer or none",
			stylesPath, len(l.WMS.Styles), len(l.WMS.Layers))
	}
	return l, idAt, nil
}

func (ps *parser) bookmarks(bm member) ([]Bookmark, error) {
	if len(bm.raw) == 0 || bm.raw[0] != '[' {
		return nil, ps.typeError(bm, "bookmarks", "an array of bookmark objects")
	}
	els, err := arrayElements(ps.doc, bm.off)
	if err != nil {
		return nil, err
	}
	if len(els) == 0 {
		return nil, nil
	}
	out := make([]Bookmark, 0, len(els))
	for i, e := range els {
		b, err := ps.bookmark(e, fmt.Sprintf("bookmarks[%d]", i))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// bookmark decodes one bookmark object; a missing zoom is the default
// view's.
func (ps *parser) bookmark(e member, path string) (Bookmark, error) {
	b := Bookmark{Zoom: DefaultView().Zoom}
	ms, err := ps.fields(e, path)
	if err != nil {
		return b, err
	}
	for _, m := range ms {
		fpath := join(path, m.key)
		switch m.key {
		case "name":
			b.Name, err = ps.str(m, fpath)
		case "lon":
			b.Lon, err = ps.num(m, fpath)
		case "lat":
			b.Lat, err = ps.num(m, fpath)
			if err == nil && (b.Lat < -90 || b.Lat > 90) {
				err = ps.errAt(m.off, nil, "%s: latitude %v is outside [-90, 90]", fpath, b.Lat)
			}
		case "zoom":
			b.Zoom, err = ps.num(m, fpath)
			if err == nil && b.Zoom < 0 {
				err = ps.errAt(m.off, nil, "%s: zoom %v is negative", fpath, b.Zoom)
			}
		default:
			keepRaw(&b.extras, m)
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

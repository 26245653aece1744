package project

import "encoding/json"

// Project is one mapvault project: a title, a view, an ordered list of
// layers and the user's bookmarks. Layers are in drawing order: Layers[0] is drawn first (bottom).
//
// Fields of the file this version does not know are kept and written back
// after the known ones, so a project saved by an older mapvault loses nothing
// a newer one added.
type Project struct {
	Title  string
	View   View
	Layers []Layer
	// Bookmarks are named views, in the order they were made.
	Bookmarks []Bookmark
	// Groups holds the layer groups that are hidden (or carry fields of a
	// newer mapvault); see Group.
	Groups []Group

	extras map[string]json.RawMessage // unknown top-level fields, verbatim
	dir    string                     // folder relative references resolve against
}

// View is the map view saved with the project: centre in degrees
// (longitude, latitude), zoom level and CRS.
type View struct {
	Lon, Lat float64
	Zoom     float64
	CRS      string // "" means DefaultCRS (EPSG:3857)

	extras       map[string]json.RawMessage // unknown fields of "view"
	centerExtras map[string]json.RawMessage // unknown fields of "view.center"
}

// EffectiveCRS returns the view's CRS, DefaultCRS when none is set.
func (v View) EffectiveCRS() string {
	if v.CRS == "" {
		return DefaultCRS
	}
	return v.CRS
}

// Layer is one map layer. Source is where it comes from, never with a
// secret in it: for KindWMS the service URL, for KindXYZ the tile URL
// template, for KindGeoJSON a URL or a file path (relative to the project
// folder; see Resolve). The fields of each kind are in the object named
// after it (WMS, WMTS, XYZ, WFS, Features); vector kinds draw with Style.
// Objects of other kinds than Kind are kept and written back too.
type Layer struct {
	ID      string
	Name    string
	Kind    Kind
	Source  string
	Opacity float64
	Visible bool
	Group   string
	// Attribution is what the layer's data licence asks the map to show
	// ("© OpenStreetMap contributors"); "" to use what the service says.
	Attribution string

	WMS      WMS
	WMTS     WMTS
	XYZ      XYZ
	WFS      WFS
	Features Features
	Style    Style

	extras map[string]json.RawMessage // unknown fields of the layer
}

// DefaultView is the view of a new project.
func DefaultView() View { return View{Lon: 0, Lat: 0, Zoom: 2} }

// New returns an empty project with the default view. It has no folder until
// SetDir is called or it is loaded from a file.
func New(title string) *Project {
	return &Project{Title: title, View: DefaultView()}
}

// Dir returns the folder relative references resolve against: the folder of
// the file the project was loaded from, or what SetDir set; "" when unknown.
func (p *Project) Dir() string { return p.dir }

// SetDir sets the folder relative references resolve against, e.g. after a
// new project was saved for the first time. Save does not change it.
func (p *Project) SetDir(dir string) { p.dir = dir }

// clone returns a copy of l that shares no slice or map with it; empty
// slices become nil (as Parse reads them).
func (l Layer) clone() Layer {
	l.WMS.Layers = cloneStrings(l.WMS.Layers)
	l.WMS.Styles = cloneStrings(l.WMS.Styles)
	l.WMS.Dimensions = cloneWMSDimensions(l.WMS.Dimensions)
	l.XYZ.Subdomains = cloneStrings(l.XYZ.Subdomains)
	if len(l.Style.Categories) == 0 {
		l.Style.Categories = nil
	} else {
		cs := make([]Category, len(l.Style.Categories))
		for i, c := range l.Style.Categories {
			c.extras = cloneRaw(c.extras)
			cs[i] = c
		}
		l.Style.Categories = cs
	}
	l.WMS.extras = cloneRaw(l.WMS.extras)
	l.WMTS.extras = cloneRaw(l.WMTS.extras)
	if len(l.WMTS.Dimensions) == 0 {
		l.WMTS.Dimensions = nil
	} else {
		d := make(map[string]string, len(l.WMTS.Dimensions))
		for k, v := range l.WMTS.Dimensions {
			d[k] = v
		}
		l.WMTS.Dimensions = d
	}
	l.XYZ.extras = cloneRaw(l.XYZ.extras)
	l.WFS.extras = cloneRaw(l.WFS.extras)
	l.Features.extras = cloneRaw(l.Features.extras)
	l.Style.extras = cloneRaw(l.Style.extras)
	l.extras = cloneRaw(l.extras)
	return l
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func cloneRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	c := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		c[k] = append(json.RawMessage(nil), v...)
	}
	return c
}

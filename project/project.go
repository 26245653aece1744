package project

import "encoding/json"

// Project is one mapvault project: a title, a view and an ordered list of
// layers. Layers are in drawing order: Layers[0] is drawn first (bottom).
//
// Fields of the file this version does not know are kept and written back
// after the known ones, so a project saved by an older mapvault loses nothing
// a newer one added.
type Project struct {
	Title  string
	View   View
	Layers []Layer

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

// Layer is one map layer. For KindWMS, Source is the service URL (never with
// a secret in it), WMSLayers the WMS layer names drawn together and Styles
// their styles (empty, or one per WMS layer; "" is the default style).
type Layer struct {
	ID         string
	Name       string
	Kind       Kind
	Source     string
	WMSLayers  []string
	Styles     []string
	Format     string // image format for GetMap, e.g. "image/png"
	WMSVersion string // "1.1.1" or "1.3.0"
	Opacity    float64
	Visible    bool
	Group      string

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

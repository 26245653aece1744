package demo

import (
	"strings"

	"mapvault/project"
)

// ProjectTitle is the title of the demo project.
const ProjectTitle = "mapvault demo"

// Project returns the demo project for a demo server at baseURL (as returned
// by Server.URL): a view on Europe and three WMS layers, bottom to top,
// "Land (public)", "Countries (HTTP Basic)" and "Borders (access key)". The
// sources carry no credentials; the vault asks for them.
func Project(baseURL string) *project.Project {
	base := strings.TrimRight(baseURL, "/")
	p := project.New(ProjectTitle)
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3, CRS: "EPSG:3857"}
	for _, l := range []project.Layer{{
		ID: "land", Name: "Land (public)", Source: base + PublicPath,
		WMS: project.WMS{Layers: []string{"land"}}, Opacity: 1,
	}, {
		ID: "countries", Name: "Countries (HTTP Basic)", Source: base + BasicPath,
		WMS: project.WMS{Layers: []string{"countries"}}, Opacity: 0.8,
	}, {
		ID: "borders", Name: "Borders (access key)", Source: base + KeyPath,
		WMS: project.WMS{Layers: []string{"borders"}}, Opacity: 1,
	}} {
		l.Kind = project.KindWMS
		l.WMS.Format = "image/png"
		l.WMS.Version = version130
		l.Visible = true
		p.AddLayer(l)
	}
	return p
}

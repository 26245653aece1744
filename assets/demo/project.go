package demo

import (
	"strings"

	"mapvault/project"
)

// ProjectTitle is the title of the demo project.
const ProjectTitle = "mapvault demo"

// Project returns the demo project for a demo server at baseURL (as returned
// by Server.URL): a view on Europe and, bottom to top, one layer of every
// access kind the demo serves: "Basemap (XYZ, public)", the three WMS
// layers "Land (public)", "Countries (HTTP Basic)" and "Borders (access
// key)", "Countries (WMTS, access key)" and "Countries (OGC API Features,
// HTTP Basic)". The sources carry no credentials; the vault asks for them.
func Project(baseURL string) *project.Project {
	base := strings.TrimRight(baseURL, "/")
	p := project.New(ProjectTitle)
	p.View = project.View{Lon: 10, Lat: 50, Zoom: 3, CRS: "EPSG:3857"}
	p.AddLayer(project.Layer{
		ID: "basemap", Name: "Basemap (XYZ, public)", Kind: project.KindXYZ,
		Source: base + TilesTemplate, XYZ: project.XYZ{MaxZoom: TilesMaxZoom},
		Opacity: 1, Visible: true,
	})
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
	p.AddLayer(project.Layer{
		ID: "countries-wmts", Name: "Countries (WMTS, access key)", Kind: project.KindWMTS,
		Source:  base + WMTSPath,
		WMTS:    project.WMTS{Layer: WMTSLayer, Style: "default", MatrixSet: WMTSMatrixSet, Format: "image/png"},
		Opacity: 0.5, Visible: true,
	})
	p.AddLayer(project.Layer{
		ID: "countries-features", Name: "Countries (OGC API Features, HTTP Basic)", Kind: project.KindFeatures,
		Source:   base + FeaturesPath,
		Features: project.Features{Collection: FeaturesCollection},
		Style: project.Style{
			Fill: "none", Stroke: "#1f4e79", Width: 1,
			Attribute: "name",
			Categories: []project.Category{
				{Value: "France", Fill: "#3b6fb6", Stroke: "#1f4e79"},
				{Value: "Germany", Fill: "#d9a441", Stroke: "#1f4e79"},
				{Value: "Italy", Fill: "#4f9a5b", Stroke: "#1f4e79"},
			},
		},
		Opacity: 1, Visible: true,
	})
	return p
}

package wms

import (
	"fmt"
	"io"
	"strings"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault"
)

// Service is a WMS service's capabilities as a layers.Service: its layer
// tree to choose from, and the project layers drawing them.
type Service struct {
	caps *Capabilities
	url  string // the clean service URL the layers get as their source
}

var _ layers.Reporter = (*Service)(nil)

// NewService returns the service of caps read from serviceURL ("" for a
// file: its layers have no source).
func NewService(caps *Capabilities, serviceURL string) *Service {
	return &Service{caps: caps, url: serviceURL}
}

// Capabilities returns the parsed capabilities.
func (s *Service) Capabilities() *Capabilities { return s.caps }

// Title is the service title.
func (s *Service) Title() string { return s.caps.Title }

// NeedsChoice is true: a WMS service offers layers to choose from.
func (s *Service) NeedsChoice() bool { return true }

// Offers lists the layer tree, groups included.
func (s *Service) Offers() []layers.Offer {
	var out []layers.Offer
	for _, l := range s.caps.Layers() {
		out = append(out, layers.Offer{Name: l.Name, Title: l.Title, Abstract: l.Abstract, Depth: l.Depth, Box: l.GeographicBBox})
	}
	return out
}

// Layer returns the project layer drawing the named WMS layer ("" the first
// named one): its own style, the preferred image format (PickFormat) and
// the version the server speaks.
func (s *Service) Layer(name string) (project.Layer, layers.Offer, bool) {
	l := PickLayer(s.caps, name)
	if l == nil {
		return project.Layer{}, layers.Offer{}, false
	}
	title := l.Title
	if title == "" {
		title = l.Name
	}
	return project.Layer{
			Name: title, Kind: project.KindWMS, Source: s.url,
			WMS:     project.WMS{Layers: []string{l.Name}, Styles: []string{""}, Format: PickFormat(s.caps.GetMapFormats), Version: s.caps.Version},
			Opacity: 1, Visible: true,
		},
		layers.Offer{Name: l.Name, Title: l.Title, Abstract: l.Abstract, Depth: l.Depth, Box: l.GeographicBBox}, true
}

// Summary is the listing's header: title and version, the GetMap URL.
func (s *Service) Summary() []string {
	return []string{fmt.Sprintf("%s (WMS %s)", s.caps.Title, s.caps.Version), "GetMap: " + vault.RedactURL(s.caps.GetMapURL)}
}

// WriteReportJSON writes the capabilities report (see
// Capabilities.WriteReportJSON).
func (s *Service) WriteReportJSON(w io.Writer, secrets ...string) error {
	return s.caps.WriteReportJSON(w, secrets...)
}

// WriteOwnReportJSON writes the report of each layer's own values (see
// Capabilities.WriteOwnReportJSON).
func (s *Service) WriteOwnReportJSON(w io.Writer, secrets ...string) error {
	return s.caps.WriteOwnReportJSON(w, secrets...)
}

// PickLayer returns the named layer, or the first named layer when name is "".
func PickLayer(caps *Capabilities, name string) *Layer {
	if name != "" {
		return caps.Find(name)
	}
	for _, l := range caps.Layers() {
		if l.Name != "" {
			return l
		}
	}
	return nil
}

// PickFormat prefers PNG (transparency), then whatever image format comes
// first.
func PickFormat(formats []string) string {
	for _, f := range formats {
		if strings.EqualFold(f, "image/png") {
			return f
		}
	}
	for _, f := range formats {
		if strings.HasPrefix(strings.ToLower(f), "image/png") {
			return f
		}
	}
	for _, f := range formats {
		if strings.HasPrefix(strings.ToLower(f), "image/") {
			return f
		}
	}
	return "image/png"
}

package wms

import (
	"slices"
	"testing"
)

func TestCapabilitiesFeatureInfoAndLegend130(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:sld="http://www.opengis.net/sld" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>T</Title></Service>
<Capability><Request>
<GetCapabilities><Format>text/xml</Format><DCPType><HTTP><Get><OnlineResource xlink:href="http://h/caps?"/></Get></HTTP></DCPType></GetCapabilities>
<GetMap><Format>image/png</Format>
<DCPType><HTTP><Get><OnlineResource xlink:href="http://h/wms?map=a.map&amp;"/></Get></HTTP></DCPType></GetMap>
<GetFeatureInfo>
<Format>text/plain</Format>
<Format>application/vnd.ogc.gml</Format>
<Format> application/json; subtype=geojson </Format>
<DCPType><HTTP>
<Post><OnlineResource xlink:href="http://h/post?"/></Post>
<Get><OnlineResource xlink:href=" http://h/fi?map=a.map&amp;"/></Get>
</HTTP></DCPType>
<DCPType><HTTP><Get><OnlineResource xlink:href="http://h/second?"/></Get></HTTP></DCPType>
</GetFeatureInfo>
<sld:GetLegendGraphic>
<Format>image/png</Format><Format>image/gif</Format>
<DCPType><HTTP><Get><OnlineResource xlink:href="http://h/legend?"/></Get></HTTP></DCPType>
</sld:GetLegendGraphic>
</Request>
<Layer><Title>root</Title></Layer>
</Capability></WMS_Capabilities>`
	caps := mustParse(t, doc)
	if want := []string{"text/plain", "application/vnd.ogc.gml", "application/json; subtype=geojson"}; !slices.Equal(caps.FeatureInfoFormats, want) {
		t.Errorf("FeatureInfoFormats = %q, want %q", caps.FeatureInfoFormats, want)
	}
	if want := "http://h/fi?map=a.map&"; caps.FeatureInfoURL != want {
		t.Errorf("FeatureInfoURL = %q, want %q", caps.FeatureInfoURL, want)
	}
	if want := []string{"image/png", "image/gif"}; !slices.Equal(caps.LegendGraphicFormats, want) {
		t.Errorf("LegendGraphicFormats = %q, want %q", caps.LegendGraphicFormats, want)
	}
	if want := "http://h/legend?"; caps.LegendGraphicURL != want {
		t.Errorf("LegendGraphicURL = %q, want %q", caps.LegendGraphicURL, want)
	}
	if want := []string{"image/png"}; !slices.Equal(caps.GetMapFormats, want) || caps.GetMapURL != "http://h/wms?map=a.map&" {
		t.Errorf("GetMap = %q %q", caps.GetMapFormats, caps.GetMapURL)
	}
}

func TestCapabilitiesFeatureInfoAndLegend111(t *testing.T) {
	// 1.1.1: no namespace; GetLegendGraphic unprefixed (MapServer) and
	// children prefixed with an undeclared sld: (sloppy servers).
	doc := `<?xml version="1.0"?>
<WMT_MS_Capabilities version="1.1.1" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>OGC:WMS</Name><Title>T</Title></Service>
<Capability><Request>
<GetMap><Format>image/png</Format><DCPType><HTTP><Get><OnlineResource xlink:href="http://h/wms?"/></Get></HTTP></DCPType></GetMap>
<GetFeatureInfo><Format>application/vnd.ogc.gml</Format><Format>text/html</Format>
<DCPType><HTTP><Get><OnlineResource xlink:type="simple" xlink:href="http://h/wms?"/></Get></HTTP></DCPType></GetFeatureInfo>
<GetLegendGraphic><sld:Format>image/png</sld:Format>
<sld:DCPType><sld:HTTP><sld:Get><sld:OnlineResource xlink:href="http://h/lg?"/></sld:Get></sld:HTTP></sld:DCPType></GetLegendGraphic>
</Request>
<Layer><Title>root</Title></Layer>
</Capability></WMT_MS_Capabilities>`
	caps := mustParse(t, doc)
	if want := []string{"application/vnd.ogc.gml", "text/html"}; !slices.Equal(caps.FeatureInfoFormats, want) {
		t.Errorf("FeatureInfoFormats = %q, want %q", caps.FeatureInfoFormats, want)
	}
	if caps.FeatureInfoURL != "http://h/wms?" {
		t.Errorf("FeatureInfoURL = %q", caps.FeatureInfoURL)
	}
	if want := []string{"image/png"}; !slices.Equal(caps.LegendGraphicFormats, want) || caps.LegendGraphicURL != "http://h/lg?" {
		t.Errorf("LegendGraphic = %q %q", caps.LegendGraphicFormats, caps.LegendGraphicURL)
	}
}

func TestCapabilitiesNoFeatureInfo(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Name>a</Name><Title>A</Title></Layer>`))
	if caps.FeatureInfoFormats != nil || caps.FeatureInfoURL != "" || caps.LegendGraphicFormats != nil || caps.LegendGraphicURL != "" {
		t.Errorf("got %q %q %q %q, want all empty", caps.FeatureInfoFormats, caps.FeatureInfoURL, caps.LegendGraphicFormats, caps.LegendGraphicURL)
	}
}

func TestAttributionInheritance(t *testing.T) {
	layers := `<Layer><Title>root</Title>
<Attribution><Title> State Survey </Title>
<OnlineResource xlink:type="simple" xlink:href=" https://survey.example/ "/>
<LogoURL width="10" height="10"><Format>image/png</Format><OnlineResource xlink:href="https://survey.example/logo.png"/></LogoURL>
</Attribution>
<Layer><Name>inherits</Name><Title>I</Title>
  <Layer><Name>grandchild</Name><Title>G</Title></Layer>
</Layer>
<Layer><Name>own</Name><Title>O</Title>
  <Attribution><Title>City</Title></Attribution>
  <Layer><Name>own-child</Name><Title>OC</Title></Layer>
</Layer>
<Layer><Name>empty</Name><Title>E</Title><Attribution><LogoURL><Format>image/png</Format></LogoURL></Attribution></Layer>
<Layer><Name>link-only</Name><Title>L</Title><Attribution><OnlineResource xlink:href="https://l.example/"/></Attribution></Layer>
</Layer>
<Layer><Name>other-root</Name><Title>R</Title></Layer>`
	for _, doc := range []string{document130(layers), document111(layers)} {
		caps := mustParse(t, doc)
		survey := Attribution{Title: "State Survey", URL: "https://survey.example/"}
		for name, want := range map[string]Attribution{
			"inherits":   survey,
			"grandchild": survey,
			"own":        {Title: "City"},
			"own-child":  {Title: "City"},
			"empty":      survey,
			"link-only":  {URL: "https://l.example/"},
			"other-root": {},
		} {
			if got := mustFind(t, caps, name).Attribution; got != want {
				t.Errorf("%s %s: Attribution = %+v, want %+v", caps.Version, name, got, want)
			}
		}
		if got := caps.Roots[0].Attribution; got != survey {
			t.Errorf("%s root: Attribution = %+v, want %+v", caps.Version, got, survey)
		}
	}
}

package wms

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// ownReport is the part of the report the own-values tests read.
type ownReport struct {
	Layers []reportLayer `json:"layers"`
}

// TestOwnReportAddsUp: in the own report every layer's CRS and styles,
// added to its ancestors' (the nearest earlier entries of smaller depth),
// are its effective ones, and a layer's boxes are those it states; for
// every document of the corpus.
func TestOwnReportAddsUp(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.xml"))
	if err != nil || len(names) == 0 {
		t.Skipf("WMS capabilities corpus not found at %s", corpusDir)
	}
	for _, name := range names {
		if filepath.Base(name) == "geoserver-1.1.1-massgis-huge.xml" {
			continue // 148 MB of effective report: TestOwnReportInheritedOnce reads it
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		caps, err := ParseCapabilities(bytes.NewReader(data))
		if err != nil {
			continue // the corpus test says which must parse
		}
		var own, eff bytes.Buffer
		if err := caps.WriteOwnReportJSON(&own); err != nil {
			t.Fatal(err)
		}
		if err := caps.WriteReportJSON(&eff); err != nil {
			t.Fatal(err)
		}
		var o, e ownReport
		if err := json.Unmarshal(own.Bytes(), &o); err != nil {
			t.Fatalf("%s: own report is not JSON: %v", filepath.Base(name), err)
		}
		if err := json.Unmarshal(eff.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if len(o.Layers) != len(e.Layers) {
			t.Fatalf("%s: %d layers in the own report, %d in the effective one", filepath.Base(name), len(o.Layers), len(e.Layers))
		}
		var crs, styles [][]string // per depth: the effective lists so far
		for i, l := range o.Layers {
			crs, styles = crs[:min(len(crs), l.Depth)], styles[:min(len(styles), l.Depth)]
			var upC, upS []string
			if l.Depth > 0 && len(crs) == l.Depth {
				upC, upS = crs[l.Depth-1], styles[l.Depth-1]
			}
			gotC := append(slices.Clone(upC), l.CRS...)
			gotS := append(slices.Clone(upS), l.Styles...)
			if !slices.Equal(gotC, e.Layers[i].CRS) || !slices.Equal(gotS, e.Layers[i].Styles) {
				t.Fatalf("%s layer %d %q: own CRS/styles added up give %d/%v, effective %d/%v",
					filepath.Base(name), i, l.Name, len(gotC), gotS, len(e.Layers[i].CRS), e.Layers[i].Styles)
			}
			crs, styles = append(crs, gotC), append(styles, gotS)
			for k, b := range l.BBoxes {
				if e.Layers[i].BBoxes[k] != b {
					t.Errorf("%s layer %q: own box %s %v, effective %v", filepath.Base(name), l.Name, k, b, e.Layers[i].BBoxes[k])
				}
			}
			if l.BBox != nil && (e.Layers[i].BBox == nil || *l.BBox != *e.Layers[i].BBox) {
				t.Errorf("%s layer %q: own geographic box %v, effective %v", filepath.Base(name), l.Name, l.BBox, e.Layers[i].BBox)
			}
		}
	}
}

// TestOwnReportInheritedOnce: a child that restates nothing lists nothing
// of its parent's, and MassGIS's report shrinks from the inherited CRS of
// every layer to their one statement.
func TestOwnReportInheritedOnce(t *testing.T) {
	caps := mustParse(t, document130(`<Layer><Title>Root</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>
<EX_GeographicBoundingBox><westBoundLongitude>0</westBoundLongitude><eastBoundLongitude>10</eastBoundLongitude><southBoundLatitude>40</southBoundLatitude><northBoundLatitude>50</northBoundLatitude></EX_GeographicBoundingBox>
<Style><Name>default</Name><Title>D</Title></Style>
<Layer><Name>a</Name><Title>A</Title></Layer>
<Layer><Name>b</Name><Title>B</Title><CRS>EPSG:25832</CRS><Style><Name>dark</Name><Title>Dark</Title></Style></Layer>
</Layer>`))
	var buf bytes.Buffer
	if err := caps.WriteOwnReportJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var r ownReport
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Layers) != 3 {
		t.Fatalf("%d layers", len(r.Layers))
	}
	root, a, b := r.Layers[0], r.Layers[1], r.Layers[2]
	if !slices.Equal(root.CRS, []string{"EPSG:3857", "EPSG:4326"}) || root.BBox == nil || !slices.Equal(root.Styles, []string{"default"}) {
		t.Errorf("root: %+v", root)
	}
	if len(a.CRS) != 0 || a.BBox != nil || len(a.Styles) != 0 {
		t.Errorf("a restates nothing but lists %+v", a)
	}
	if !slices.Equal(b.CRS, []string{"EPSG:25832"}) || b.BBox != nil || !slices.Equal(b.Styles, []string{"dark"}) {
		t.Errorf("b: %+v, want only EPSG:25832 and dark", b)
	}

	data, err := os.ReadFile(filepath.Join(corpusDir, "geoserver-1.1.1-massgis-huge.xml"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	huge, err := ParseCapabilities(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var own countingWriter
	if err := huge.WriteOwnReportJSON(&own); err != nil {
		t.Fatal(err)
	}
	if own.n > 4*int64(len(data)) {
		t.Errorf("MassGIS own report: %d bytes for a %d-byte document", own.n, len(data))
	}
	t.Logf("MassGIS own report: %d bytes (document %d)", own.n, len(data))
}

package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mapvault/project"
)

// identifyJSON is identify --json's output as a test reads it.
type identifyJSON struct {
	Layers []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Error    string `json:"error"`
		Features []struct {
			ID         string                     `json:"id"`
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"features"`
	} `json:"layers"`
}

func parseIdentify(t *testing.T, out string) identifyJSON {
	t.Helper()
	var a identifyJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("identify --json output is not JSON: %v\n%s", err, out)
	}
	return a
}

// msProject adds land, countries and borders from the CI MapServer's
// location path (with the key in the URL, which add splits off) to a new
// project over Belgium.
func msProject(t *testing.T, base, path, key string) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "viewer.mapvault.json")
	u := base + path
	if key != "" {
		u += "?authkey=" + key
	}
	r := runArgs(t, "add", file, u, "--layers", "land,countries,borders")
	wantCode(t, r, exitOK, "add from "+path)
	p := loadProject(t, file)
	p.Title = "Viewer test"
	p.View = project.View{Lon: 4.5, Lat: 50.6, Zoom: 6, CRS: "EPSG:3857"}
	if err := project.Save(file, p); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

func TestMapServerIdentify(t *testing.T) {
	base, _, password, key := mapServer(t)
	dir, file := msProject(t, base, "/key/wms", key)

	r := cli(t, call{args: []string{"identify", file, "--at", "4.5,50.6", "--zoom", "6", "--json", "--no-keychain"}, stdin: key})
	wantCode(t, r, exitOK, "identify Belgium with the key")
	a := parseIdentify(t, r.out)
	var ids []string
	found := false
	for _, l := range a.Layers {
		ids = append(ids, l.ID)
		if l.Error != "" {
			t.Errorf("layer %s: error %q", l.ID, l.Error)
		}
		for _, f := range l.Features {
			if string(f.Attributes["name"]) == `"Belgium"` && string(f.Attributes["id"]) == `"056"` {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no feature name=Belgium id=056 in:\n%s", r.out)
	}
	// land and borders have no query template: only countries is queryable.
	if len(ids) != 1 {
		t.Errorf("queryable layers %v, want only the countries layer", ids)
	}

	// At sea: the layer answers, with no feature.
	r = cli(t, call{args: []string{"identify", file, "--at", "-30,40", "--json", "--no-keychain"}, stdin: key})
	wantCode(t, r, exitOK, "identify at sea")
	for _, l := range parseIdentify(t, r.out).Layers {
		if len(l.Features) != 0 {
			t.Errorf("layer %s has %d features at sea", l.ID, len(l.Features))
		}
	}

	// Text output names the attributes.
	r = cli(t, call{args: []string{"identify", file, "--at", "4.5,50.6", "--no-keychain"}, stdin: key})
	wantCode(t, r, exitOK, "identify as text")
	if !strings.Contains(r.out, "name = Belgium") {
		t.Errorf("text output lacks name = Belgium:\n%s", r.out)
	}

	// Without the key the layers are blocked: exit 5, nothing asked.
	r = cli(t, call{args: []string{"identify", file, "--at", "4.5,50.6", "--json", "--no-keychain"}})
	wantCode(t, r, exitBlocked, "identify without credentials")
	if !strings.Contains(r.err, "blocked") {
		t.Errorf("stderr does not say blocked:\n%s", r.err)
	}
	noSecrets(t, dir, r.all(), key, password)
}

func TestMapServerLegend(t *testing.T) {
	base, _, password, key := mapServer(t)
	msDir := os.Getenv("MAPVAULT_MAPSERVER_DIR")
	other := filepath.Join(msDir, "logs", "other-access.log")
	before := len(readOptional(other))

	dir, file := msProject(t, base, "/key/wms", key)
	out := filepath.Join(dir, "legend.png")
	r := cli(t, call{args: []string{"legend", file, "-o", out, "--no-keychain"}, stdin: key})
	wantCode(t, r, exitOK, "legend with the key")
	img := decodePNG(t, out)
	if b := img.Bounds(); b.Dx() < 60 || b.Dy() < 60 {
		t.Errorf("legend is %v, want room for three layers", b)
	}
	// The borders layer's LegendURL is on the other origin: it was fetched
	// there, without the key.
	log := readOptional(other)
	if len(log) <= before {
		t.Fatalf("the other origin got no request for the borders legend")
	}
	got := string(log[before:])
	if !strings.Contains(got, "/legend/borders.png") {
		t.Errorf("other origin log lacks the legend request:\n%s", got)
	}
	if strings.Contains(got, key) || strings.Contains(got, "authkey") {
		t.Errorf("the key went to the other origin:\n%s", got)
	}
	// The borders graphic (red dashes) is in the legend.
	if n := colourPixels(img, 170, 40, 40); n < 10 {
		t.Errorf("legend has %d pixels of the borders' red, want its graphic", n)
	}
	noSecrets(t, dir, r.all(), key, password)
}

func TestMapServerRenderDecorations(t *testing.T) {
	base, _, password, key := mapServer(t)
	dir, file := msProject(t, base, "/key/wms", key)
	plain := filepath.Join(dir, "plain.png")
	decorated := filepath.Join(dir, "decorated.png")
	r := cli(t, call{args: []string{"render", file, "-o", plain, "--size", "800x500", "--no-keychain"}, stdin: key})
	wantCode(t, r, exitOK, "render")
	r = cli(t, call{args: []string{"render", file, "-o", decorated, "--size", "800x500", "--no-keychain", "--decorations", "scalebar,attribution,legend"}, stdin: key})
	wantCode(t, r, exitOK, "render --decorations")
	a, b := decodePNG(t, plain), decodePNG(t, decorated)
	changed := func(rect image.Rectangle) int {
		n := 0
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				if a.At(x, y) != b.At(x, y) {
					n++
				}
			}
		}
		return n
	}
	if n := changed(image.Rect(0, 400, 300, 500)); n < 100 {
		t.Errorf("bottom-left (scale bar) changed %d pixels", n)
	}
	if n := changed(image.Rect(500, 440, 800, 500)); n < 100 {
		t.Errorf("bottom-right (attribution) changed %d pixels", n)
	}
	if n := changed(image.Rect(560, 0, 800, 300)); n < 100 {
		t.Errorf("top-right (legend) changed %d pixels", n)
	}
	if n := changed(image.Rect(280, 175, 520, 325)); n != 0 {
		t.Errorf("the centre changed %d pixels: decorations must not cover it", n)
	}
	r = runArgs(t, "render", file, "-o", decorated, "--decorations", "compass")
	wantCode(t, r, exitUsage, "render --decorations compass")
	noSecrets(t, dir, r.all(), key, password)
}

func readOptional(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// colourPixels counts the opaque pixels near r g b.
func colourPixels(img image.Image, r, g, b int) int {
	near := func(a uint32, b int) bool { d := int(a>>8) - b; return d >= -12 && d <= 12 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			if ca>>8 > 200 && near(cr, r) && near(cg, g) && near(cb, b) {
				n++
			}
		}
	}
	return n
}

// noSecrets fails when any file in dir or the output holds a secret.
func noSecrets(t *testing.T, dir, output string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(output, s) {
			t.Errorf("output contains a secret:\n%s", output)
		}
	}
	for _, f := range dirFiles(t, dir) {
		data := readFile(t, filepath.Join(dir, f))
		for _, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains a secret", f)
			}
		}
	}
}

// TestIdentifyGeoJSON identifies a local GeoJSON layer's features from
// its own geometry: inside the polygon, and beside it.
func TestIdentifyGeoJSON(t *testing.T) {
	dir := t.TempDir()
	doc := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"p1","properties":{"code":"NL-1768","area":12.5,"owner":null},
 "geometry":{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]]]}},
{"type":"Feature","id":"pt","properties":{"code":"W-1"},"geometry":{"type":"Point","coordinates":[7,52.5]}}]}`
	writeFile(t, dir, "parcels.geojson", []byte(doc))
	file := filepath.Join(dir, "p.mapvault.json")
	r := runArgs(t, "add", file, filepath.Join(dir, "parcels.geojson"))
	wantCode(t, r, exitOK, "add a GeoJSON file")
	p := loadProject(t, file)
	p.Layers[0].ID = "parcels"
	if err := project.Save(file, p); err != nil {
		t.Fatal(err)
	}

	r = runArgs(t, "identify", file, "--at", "5.5,52.5", "--zoom", "8", "--json", "--no-keychain")
	wantCode(t, r, exitOK, "identify inside the parcel")
	a := parseIdentify(t, r.out)
	if len(a.Layers) != 1 || a.Layers[0].ID != "parcels" || len(a.Layers[0].Features) != 1 {
		t.Fatalf("want one feature of layer parcels:\n%s", r.out)
	}
	f := a.Layers[0].Features[0]
	if f.ID != "p1" || string(f.Attributes["code"]) != `"NL-1768"` || string(f.Attributes["area"]) != "12.5" || string(f.Attributes["owner"]) != "null" {
		t.Errorf("feature = %+v, want p1 with code NL-1768, area 12.5, owner null (as the file gives them)", f)
	}

	r = runArgs(t, "identify", file, "--at", "6.5,52.5", "--zoom", "8", "--json", "--no-keychain")
	wantCode(t, r, exitOK, "identify beside the parcel")
	if a := parseIdentify(t, r.out); len(a.Layers) != 1 || len(a.Layers[0].Features) != 0 {
		t.Errorf("want no feature between the parcel and the point:\n%s", r.out)
	}
	// The point symbol counts to its radius: 2 px away at zoom 8 is a hit.
	r = runArgs(t, "identify", file, "--at", "7.005,52.5", "--zoom", "8", "--json", "--no-keychain")
	wantCode(t, r, exitOK, "identify by the point")
	if a := parseIdentify(t, r.out); len(a.Layers) != 1 || len(a.Layers[0].Features) != 1 || a.Layers[0].Features[0].ID != "pt" {
		t.Errorf("want the point feature:\n%s", r.out)
	}

	r = runArgs(t, "identify", file, "--json")
	wantCode(t, r, exitUsage, "identify without --at")

	// The legend of a vector layer is its style's swatch.
	out := filepath.Join(dir, "legend.png")
	r = runArgs(t, "legend", file, "-o", out, "--no-keychain")
	wantCode(t, r, exitOK, "legend of a GeoJSON layer")
	if img := decodePNG(t, out); img.Bounds().Dx() < 20 {
		t.Errorf("legend is %v", img.Bounds())
	}
}

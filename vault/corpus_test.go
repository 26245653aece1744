package vault

import (
	"fmt"
	"strings"
	"testing"
)

// secretCase is one labelled case of the detection corpus: a project JSON
// snippet or a URL (a URL is also checked as a layer's source), and whether
// it holds a secret. The rules that decide are in docs/secret-detection.md.
type secretCase struct {
	name   string
	in     string // JSON snippet (starts with '{') or a URL
	secret bool
}

// secretCorpus is varied, realistic material: what users paste and what
// projects carry. Every identifier here is plainly one by its context;
// every secret is one a reader would call a secret.
var secretCorpus = []secretCase{
	// Secrets in URLs.
	{"bare random query item", "https://maps.example.org/wms?SERVICE=WMS&Zq7xW2pL9mK4vB8nC3tR6yH1aB5dE8gJ2kM4nP6q", true},
	{"short key under an unknown name", "https://maps.example.org/wms?SERVICE=WMS&mykey=ab12cd34", true},
	{"short token under an unknown name", "https://maps.example.org/wms?userToken=9f8e7d&LAYERS=roads", true},
	{"X-Amz-Signature", "https://bucket.s3.amazonaws.com/caps/wms.xml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0", true},
	{"X-Amz-Credential alone", "https://bucket.s3.amazonaws.com/caps/wms.xml?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request", true},
	{"passphrase", "https://maps.example.org/wms?passphrase=correct-horse&SERVICE=WMS", true},
	{"token in an encoded nested URL", "https://proxy.example.org/proxy?url=https%3A%2F%2Fmaps.example.org%2Fwms%3Ftoken%3Dabc123%26SERVICE%3DWMS", true},
	{"password in a nested URL's user information", "https://proxy.example.org/p?target=https%3A%2F%2Fann%3Ahunter22%40maps.example.org%2Fwms", true},
	{"code with a random value", "https://maps.example.org/wms?code=Xk29fLq0Zp8Rt4Vw7Yb2Nc5Md1Hs6Ja3", true},
	{"GeoServer authkey UUID", "https://geo.example.org/geoserver/wms?authkey=e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d&SERVICE=WMS", true},
	{"user information", "https://ann:hunter22@maps.example.org/wms", true},
	{"short token", "https://gis.example.gov/arcgis/rest/services/Parcels/MapServer?f=json&token=abc123", true},
	{"random path segment", "https://tiles.example.org/Zx8Qp2Lr7Tn4Vb6Wc9Yd3Kf/wms", true},
	{"Azure SAS sig", "https://acct.blob.core.windows.net/c/caps.xml?sv=2022-11-02&sp=r&se=2024-12-31T00%3A00%3A00Z&sig=Ab%2Bc9dE8fG7hI6jK5lM4nO3pQ2rS1tU0vW%3D", true},
	{"HERE app_code", "https://1.base.maps.api.here.com/maptile/2.1/maptile/newest/normal.day/{z}/{x}/{y}/256/png8?app_id=DemoAppId01082013GAL&app_code=AJKnXv84fjrb0KIHawS0Tg", true},
	{"access token in the fragment", "https://maps.example.org/wms?SERVICE=WMS#access_token=Zq7xW2pL", true},
	{"key after a key-named path segment", "https://maps.example.org/key/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", true},

	// Secrets in project JSON.
	{"Authorization header field", `{"headers": {"Authorization": "Basic YW5uOmh1bnRlcjI="}}`, true},
	{"Authorization in a note", `{"note": "works with Authorization: Bearer 8f3kdl20sk"}`, true},
	{"Bearer value under a neutral name", `{"extra": "Bearer abcdef123456"}`, true},
	{"key inside a title", `{"title": "Roads (authkey Zq7xW2pL9mK4vB8nC3tR6yH1)"}`, true},
	{"key label inside a description", `{"description": "Use apikey=ab12cd, valid until June"}`, true},
	{"password label in a note", `{"note": "password: hunter2"}`, true},
	{"quoted key after a label", `{"note": "the portal key is 'ab12cd34ef'"}`, true},
	{"code field with a random value", `{"params": {"code": "Xk29fLq0Zp8Rt4Vw"}}`, true},
	{"hex value under a neutral name", `{"extra": "3f2a9c1e7b5d4e8fa1b2c3d4e5f60718"}`, true},
	{"password field", `{"db_password": "pw"}`, true},
	{"client secret field", `{"client_secret": "s3cr3t"}`, true},
	{"JWT under a neutral name", `{"x": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"}`, true},
	{"app key field", `{"appKey": "a1b2c3d4"}`, true},
	{"cookie field", `{"cookie": "JSESSIONID=1A2B3C4D5E6F"}`, true},
	{"key in a hand-edited KeyVault entry", `{"sources": {"https://h:443/wms": {"method": "query", "param": "authkey", "key": "Zq7xW2pL9mK4vB8nC3tR6yH1"}}}`, true},
	{"URL with user information as an object key", `{"sources": {"https://ann:pw22@h:443/wms": {}}}`, true},
	{"id_token field", `{"id_token": "abc.def.ghi"}`, true},

	// Identifiers and other innocent values in URLs.
	{"plain WMS", "https://maps.example.org/wms?SERVICE=WMS&REQUEST=GetCapabilities", false},
	{"UUID layer name", "https://geo.example.org/ows?SERVICE=WMS&LAYERS=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", false},
	{"UUID dataset path", "https://geonode.example.org/datasets/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", false},
	{"GeoNode map UUID path", "https://geonode.example.org/maps/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", false},
	{"hash style name", "https://maps.example.org/wms?LAYERS=roads&STYLES=a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", false},
	{"code=NL", "https://maps.example.org/wms?code=NL&SERVICE=WMS", false},
	{"municipality code", "https://maps.example.org/wms?code=GM0363", false},
	{"dataset UUID parameter", "https://data.example.org/ows?dataset=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", false},
	{"mapfile path", "https://maps.example.org/cgi-bin/mapserv?map=/srv/maps/very/long/path/to/some/mapfile/roads.map&SERVICE=WMS", false},
	{"time range and bbox", "https://maps.example.org/wms?TIME=2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/P1D&BBOX=-180.0,-90.0,180.0,90.0", false},
	{"ArcGIS organisation id", "https://services.arcgis.com/P3ePLMYs2RVChkJx/arcgis/rest/services/Roads/MapServer/WMSServer", false},
	{"Azure api-version", "https://atlas.microsoft.com/map/wms?api-version=2.0&tilesetId=microsoft.base.road", false},
	{"sort key word", "https://maps.example.org/wms?sortkey=name_asc&SERVICE=WMS", false},
	{"hash-named legend file", "https://maps.example.org/legend/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3.png", false},
	{"FastCGI path", "https://maps.example.org/cgi-bin/mapserv.fcgi/ows", false},
	{"HERE app id alone", "https://1.base.maps.api.here.com/maptile/2.1/maptile/newest/normal.day/0/0/0/256/png8?app_id=DemoAppId01082013GAL", false},

	// Identifiers and other innocent values in project JSON.
	{"UUID WMS layer", `{"wms_layers": ["3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"]}`, false},
	{"UUID display name", `{"name": "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"}`, false},
	{"hash style names", `{"styles": ["a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", ""]}`, false},
	{"git-hash id", `{"id": "9fceb02d0ae598e95dc970b74764f1f1a9de0b3e"}`, false},
	{"code NL field", `{"code": "NL"}`, false},
	{"dataset path field", `{"path": "data/3f2a9c1e7b5d4e8fa1b2c3d4e5f60718/roads.gpkg"}`, false},
	{"build hash in a title", `{"title": "Roads, build a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"}`, false},
	{"token URL", `{"token_url": "https://auth.example.org/oauth/token"}`, false},
	{"KeyVault param name", `{"method": "query", "param": "authkey"}`, false},
	{"OAuth2 client id", `{"client_id": "mapvault-desktop-7f3e9a1b2c4d5e6f"}`, false},
	{"empty password", `{"password": ""}`, false},
	{"keywords", `{"keywords": ["roads", "transport", "key map"]}`, false},
	{"password-protected in prose", `{"description": "Password-protected service; ask the GIS team for access"}`, false},
	{"authorization in prose", `{"note": "Authorization is handled by the portal"}`, false},
	{"etag", `{"etag": "33a64df551425fcc55e4d42a148795d9f25f89d4"}`, false},
	{"sha256 checksum", `{"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`, false},
	{"format with parameters", `{"format": "image/png; mode=8bit"}`, false},
	{"CRS URN", `{"crs": "urn:ogc:def:crs:EPSG::4326"}`, false},
	{"long camel-case layer name", `{"wms_layers": ["RoadNetworkPrimaryHighways2020"]}`, false},
	{"WMTS capabilities URL", `{"source": "https://tiles.example.org/wmts/1.0.0/WMTSCapabilities.xml"}`, false},
	{"layer ref by UUID", `{"layer_id": "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"}`, false},
}

// corpusFile turns a case into the file ScanFile reads: a JSON snippet as
// is, a URL as a layer's source.
func corpusFile(c secretCase) string {
	if strings.HasPrefix(c.in, "{") {
		return c.in
	}
	return fmt.Sprintf("{\"layers\": [{\"id\": \"a\", \"source\": %q}]}\n", c.in)
}

// corpusScore counts true and false positives and negatives.
type corpusScore struct{ tp, fp, fn, tn int }

func (s *corpusScore) add(want, got bool) {
	switch {
	case want && got:
		s.tp++
	case want:
		s.fn++
	case got:
		s.fp++
	default:
		s.tn++
	}
}

func (s corpusScore) String() string {
	return fmt.Sprintf("recall %d/%d, precision %d/%d (false alarms %d, misses %d)",
		s.tp, s.tp+s.fn, s.tp, s.tp+s.fp, s.fp, s.fn)
}

// TestSecretCorpus measures the secret scanner (mapvault-cli check) and URL
// hygiene (SplitURL, used by add) on the labelled corpus and wants every
// secret found and no false alarm.
func TestSecretCorpus(t *testing.T) {
	if len(secretCorpus) < 40 {
		t.Fatalf("the corpus has %d cases, want at least 40", len(secretCorpus))
	}
	var scan, split corpusScore
	for _, c := range secretCorpus {
		leaks, err := ScanFile(writeTemp(t, "p.mapvault.json", corpusFile(c)))
		if err != nil {
			t.Fatalf("%s: ScanFile: %v", c.name, err)
		}
		scan.add(c.secret, len(leaks) > 0)
		if len(leaks) > 0 != c.secret {
			t.Errorf("check: %s: %d leak(s) %v, want secret=%v", c.name, len(leaks), leaks, c.secret)
		}
		if strings.HasPrefix(c.in, "{") || strings.Contains(c.in, "#") {
			continue // hygiene judges URLs; it drops a fragment whole (nothing in it is saved)
		}
		sp, err := SplitURL(c.in)
		if err != nil {
			t.Fatalf("%s: SplitURL: %v", c.name, err)
		}
		got := !sp.Credential.IsZero() || len(sp.Suspects) > 0 || sp.PathSuspect
		split.add(c.secret, got)
		if got != c.secret {
			t.Errorf("hygiene: %s: SplitURL = clean %q, method %q, suspects %q, path suspect %v; want secret=%v",
				c.name, sp.CleanURL, sp.Method, sp.Suspects, sp.PathSuspect, c.secret)
		}
	}
	t.Logf("check (ScanFile), %d cases: %v", len(secretCorpus), scan)
	t.Logf("hygiene (SplitURL), %d URL cases without a fragment: %v", split.tp+split.fp+split.fn+split.tn, split)
}

package vault

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// splitURLTests are real-world-looking URLs as users paste them. They seed
// FuzzSplitURL too.
var splitURLTests = []struct {
	name     string
	in       string
	clean    string
	src      Source
	cred     Credential
	method   Method
	param    string
	suspects []string
}{
	{"plain WMS", "https://maps.example.org/wms?SERVICE=WMS&REQUEST=GetCapabilities",
		"https://maps.example.org/wms?SERVICE=WMS&REQUEST=GetCapabilities", "https://maps.example.org:443/wms",
		Credential{}, MethodNone, "", nil},
	{"geoserver authkey uuid", "https://geo.example.org/geoserver/wms?authkey=e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d&SERVICE=WMS",
		"https://geo.example.org/geoserver/wms?SERVICE=WMS", "https://geo.example.org:443/geoserver/wms",
		Credential{Key: "e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d"}, MethodQuery, "authkey", nil},
	{"arcgis token", "https://services.example.com/arcgis/services/Roads/MapServer/WMSServer?token=Ar6yFw0Jj1pUtVeWm3nQbq8KcHxZ_sLdIgEoTaR4MiB9CfN2uGYv5D7lXhPzOkW.&request=GetCapabilities&service=WMS",
		"https://services.example.com/arcgis/services/Roads/MapServer/WMSServer?request=GetCapabilities&service=WMS",
		"https://services.example.com:443/arcgis/services/Roads/MapServer/WMSServer",
		Credential{Key: "Ar6yFw0Jj1pUtVeWm3nQbq8KcHxZ_sLdIgEoTaR4MiB9CfN2uGYv5D7lXhPzOkW."}, MethodQuery, "token", nil},
	{"maptiler key", "https://api.maptiler.com/maps/streets/256/{z}/{x}/{y}.png?key=aBcD1234eFgH5678iJkL",
		"https://api.maptiler.com/maps/streets/256/{z}/{x}/{y}.png", "https://api.maptiler.com:443/maps/streets/256/",
		Credential{Key: "aBcD1234eFgH5678iJkL"}, MethodQuery, "key", nil},
	{"mapbox access_token template, HiDPI", "https://api.mapbox.com/styles/v1/ann/cl0abc/tiles/512/{z}/{x}/{y}{r}?access_token=pk.eyJ1IjoiYW5uIiwiYSI6ImNsMGFiYyJ9.Zm9vYmFyYmF6&fresh=true",
		"https://api.mapbox.com/styles/v1/ann/cl0abc/tiles/512/{z}/{x}/{y}{r}?fresh=true", "https://api.mapbox.com:443/styles/v1/ann/cl0abc/tiles/512/",
		Credential{Key: "pk.eyJ1IjoiYW5uIiwiYSI6ImNsMGFiYyJ9.Zm9vYmFyYmF6"}, MethodQuery, "access_token", nil},
	{"thunderforest apikey, TMS flip", "https://tile.thunderforest.com/cycle/{z}/{x}/{-y}.png?apikey=0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		"https://tile.thunderforest.com/cycle/{z}/{x}/{-y}.png", "https://tile.thunderforest.com:443/cycle/",
		Credential{Key: "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, MethodQuery, "apikey", nil},
	{"template placeholder mid-segment", "https://t.example.org/tiles/v3-{z}/{x}/{y}@2x.png?api_key=Zq7xW2pL9mK4vB8nC3tR6yH1",
		"https://t.example.org/tiles/v3-{z}/{x}/{y}@2x.png", "https://t.example.org:443/tiles/",
		Credential{Key: "Zq7xW2pL9mK4vB8nC3tR6yH1"}, MethodQuery, "api_key", nil},
	{"template at the root", "http://t.example.org:8080/{z}/{x}/{y}.png",
		"http://t.example.org:8080/{z}/{x}/{y}.png", "http://t.example.org:8080/", Credential{}, MethodNone, "", nil},
	{"escaped braces are no template", "https://t.example.org/a/%7Bz%7D.png",
		"https://t.example.org/a/%7Bz%7D.png", "https://t.example.org:443/a/%7Bz%7D.png", Credential{}, MethodNone, "", nil},
	{"azure subscription-key", "https://atlas.microsoft.com/map/wms?api-version=2.0&subscription-key=3f2a9c1e7b5d4e8fa1b2c3d4e5f60718&tilesetId=microsoft.base.road",
		"https://atlas.microsoft.com/map/wms?api-version=2.0&tilesetId=microsoft.base.road", "https://atlas.microsoft.com:443/map/wms",
		Credential{Key: "3f2a9c1e7b5d4e8fa1b2c3d4e5f60718"}, MethodQuery, "subscription-key", nil},
	{"tianditu tk", "http://t0.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&tk=0123abcd4567ef890123abcd4567ef89",
		"http://t0.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS", "http://t0.tianditu.gov.cn:80/img_w/wmts",
		Credential{Key: "0123abcd4567ef890123abcd4567ef89"}, MethodQuery, "tk", nil},
	{"bing-like mixed case name", "https://dev.virtualearth.net/REST/v1/Imagery/Metadata/Aerial?output=json&Key=AkTuiB3ExmPlKeyQ7Zz8QW3xP0o-Lr5sNd2vHg_9YcJmT4aEiUoF1bXk",
		"https://dev.virtualearth.net/REST/v1/Imagery/Metadata/Aerial?output=json", "https://dev.virtualearth.net:443/REST/v1/Imagery/Metadata/Aerial",
		Credential{Key: "AkTuiB3ExmPlKeyQ7Zz8QW3xP0o-Lr5sNd2vHg_9YcJmT4aEiUoF1bXk"}, MethodQuery, "Key", nil},
	{"esri token uppercase", "https://gis.example.gov/arcgis/rest/services/Parcels/MapServer?f=json&TOKEN=abc123",
		"https://gis.example.gov/arcgis/rest/services/Parcels/MapServer?f=json", "https://gis.example.gov:443/arcgis/rest/services/Parcels/MapServer",
		Credential{Key: "abc123"}, MethodQuery, "TOKEN", nil},
	{"jwt access_token", "https://ows.example.eu/ows?access_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U&service=WMS",
		"https://ows.example.eu/ows?service=WMS", "https://ows.example.eu:443/ows",
		Credential{Key: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}, MethodQuery, "access_token", nil},
	{"apiKey camel case", "https://tiles.example.net/wms?apiKey=Zq7xW2pL9mK4vB8nC3tR6yH1&LAYERS=base",
		"https://tiles.example.net/wms?LAYERS=base", "https://tiles.example.net:443/wms",
		Credential{Key: "Zq7xW2pL9mK4vB8nC3tR6yH1"}, MethodQuery, "apiKey", nil},
	{"percent-encoded key value", "https://h.example.org/wms?token=a%2Bb%2Fc%3D%3D&x=%C3%BC",
		"https://h.example.org/wms?x=%C3%BC", "https://h.example.org:443/wms",
		Credential{Key: "a+b/c=="}, MethodQuery, "token", nil},
	{"basic userinfo", "https://ann:s3cret@maps.example.org/geoserver/wms?SERVICE=WMS",
		"https://maps.example.org/geoserver/wms?SERVICE=WMS", "https://maps.example.org:443/geoserver/wms",
		Credential{Username: "ann", Password: "s3cret"}, MethodBasic, "", nil},
	{"basic escaped password", "http://ann%40corp:p%40ss%3Aw0rd@maps.example.org:8080/wms",
		"http://maps.example.org:8080/wms", "http://maps.example.org:8080/wms",
		Credential{Username: "ann@corp", Password: "p@ss:w0rd"}, MethodBasic, "", nil},
	{"user without password", "https://ann@maps.example.org/wms",
		"https://maps.example.org/wms", "https://maps.example.org:443/wms",
		Credential{Username: "ann"}, MethodBasic, "", nil},
	{"basic wins over key", "https://ann:pw@maps.example.org/wms?authkey=k1k1k1&SERVICE=WMS",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms",
		Credential{Username: "ann", Password: "pw"}, MethodBasic, "", []string{"authkey"}},
	{"two keys: first wins", "https://maps.example.org/wms?token=first&apikey=second&SERVICE=WMS&sig=third",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms",
		Credential{Key: "first"}, MethodQuery, "token", []string{"apikey", "sig"}},
	{"unknown name with secret value", "https://maps.example.org/wms?LAYERS=roads&mykey=Zq7xW2pL9mK4vB8nC3tR6yH1",
		"https://maps.example.org/wms?LAYERS=roads", "https://maps.example.org:443/wms",
		Credential{}, MethodNone, "", []string{"mykey"}},
	{"empty key param names the method", "https://maps.example.org/wms?SERVICE=WMS&authkey=",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms",
		Credential{}, MethodQuery, "authkey", nil},
	{"innocent long params kept", "https://maps.example.org/cgi-bin/mapserv?map=/very/long/path/to/some/mapfile/directory/mapfile.map&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p&STYLES=&CRS=EPSG:4326&BBOX=-90.0000,-180.0000,90.0000,180.0000&WIDTH=256&HEIGHT=256&FORMAT=image/png&TIME=2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/P1D",
		"https://maps.example.org/cgi-bin/mapserv?map=/very/long/path/to/some/mapfile/directory/mapfile.map&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p&STYLES=&CRS=EPSG:4326&BBOX=-90.0000,-180.0000,90.0000,180.0000&WIDTH=256&HEIGHT=256&FORMAT=image/png&TIME=2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/P1D",
		"https://maps.example.org:443/cgi-bin/mapserv", Credential{}, MethodNone, "", nil},
	{"innocent layer names kept", "https://geo.example.org/ows?LAYERS=ne:ne_10m_admin_0_countries,topp:states_2020_population&CRS=urn:ogc:def:crs:EPSG::4326",
		"https://geo.example.org/ows?LAYERS=ne:ne_10m_admin_0_countries,topp:states_2020_population&CRS=urn:ogc:def:crs:EPSG::4326",
		"https://geo.example.org:443/ows", Credential{}, MethodNone, "", nil},
	{"fragment dropped", "https://maps.example.org/wms?SERVICE=WMS#access_token=abc",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms", Credential{}, MethodNone, "", nil},
	{"semicolon separator", "https://maps.example.org/wms?SERVICE=WMS;token=abc",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms", Credential{Key: "abc"}, MethodQuery, "token", nil},
	{"whitespace trimmed, empty items dropped", "  https://maps.example.org/wms?&&SERVICE=WMS&&  ",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms", Credential{}, MethodNone, "", nil},
	{"only secret params", "https://maps.example.org/wms?key=abcdef",
		"https://maps.example.org/wms", "https://maps.example.org:443/wms", Credential{Key: "abcdef"}, MethodQuery, "key", nil},
	{"valueless flag kept", "https://maps.example.org/wms?debug&token=x1",
		"https://maps.example.org/wms?debug", "https://maps.example.org:443/wms", Credential{Key: "x1"}, MethodQuery, "token", nil},
	{"bare secret item", "https://maps.example.org/wms?SERVICE=WMS&Zq7xW2pL9mK4vB8nC3tR6yH1aB5dE8gJ2kM4nP6q",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms", Credential{}, MethodNone, "", []string{UnnamedSuspect}},
	{"code=NL is not a key", "https://maps.example.org/wms?code=NL&SERVICE=WMS",
		"https://maps.example.org/wms?code=NL&SERVICE=WMS", "https://maps.example.org:443/wms", Credential{}, MethodNone, "", nil},
	{"random code is the key", "https://maps.example.org/wms?code=Xk29fLq0Zp8Rt4Vw7Yb2Nc5Md1Hs6Ja3&SERVICE=WMS",
		"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org:443/wms",
		Credential{Key: "Xk29fLq0Zp8Rt4Vw7Yb2Nc5Md1Hs6Ja3"}, MethodQuery, "code", nil},
	{"signature by name", "https://b.s3.amazonaws.com/wms.xml?X-Amz-Date=20240101T000000Z&X-Amz-Signature=fe5f80f77d5fa3be",
		"https://b.s3.amazonaws.com/wms.xml?X-Amz-Date=20240101T000000Z", "https://b.s3.amazonaws.com:443/wms.xml", Credential{}, MethodNone, "", []string{"X-Amz-Signature"}},
	{"short key under a key-ish name", "https://maps.example.org/wms?mykey=ab12cd34&sortkey=name_asc",
		"https://maps.example.org/wms?sortkey=name_asc", "https://maps.example.org:443/wms", Credential{}, MethodNone, "", []string{"mykey"}},
	{"token in a nested URL", "https://proxy.example.org/p?url=https%3A%2F%2Fh.example.org%2Fwms%3Ftoken%3Dabc123&x=1",
		"https://proxy.example.org/p?x=1", "https://proxy.example.org:443/p", Credential{}, MethodNone, "", []string{"url"}},
	{"identifiers kept", "https://geo.example.org/ows?LAYERS=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c&STYLES=a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
		"https://geo.example.org/ows?LAYERS=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c&STYLES=a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
		"https://geo.example.org:443/ows", Credential{}, MethodNone, "", nil},
}

func TestSplitURL(t *testing.T) {
	for _, tt := range splitURLTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitURL(tt.in)
			if err != nil {
				t.Fatalf("SplitURL(%q): %v", tt.in, err)
			}
			if got.CleanURL != tt.clean {
				t.Errorf("CleanURL = %q, want %q", got.CleanURL, tt.clean)
			}
			if got.Source != tt.src {
				t.Errorf("Source = %q, want %q", got.Source, tt.src)
			}
			if got.Credential != tt.cred {
				t.Errorf("Credential = %+v, want %+v", [3]string{got.Credential.Username, got.Credential.Password, got.Credential.Key},
					[3]string{tt.cred.Username, tt.cred.Password, tt.cred.Key})
			}
			if got.Method != tt.method || got.Param != tt.param {
				t.Errorf("Method, Param = %q, %q, want %q, %q", got.Method, got.Param, tt.method, tt.param)
			}
			if !slices.Equal(got.Suspects, tt.suspects) {
				t.Errorf("Suspects = %q, want %q", got.Suspects, tt.suspects)
			}
			checkSplitLeaks(t, tt.in, got)
		})
	}
}

// checkSplitLeaks asserts that no secret found in raw survives in CleanURL or
// in RedactURL(raw). A secret that occurs elsewhere in raw too (a key "wms"
// in ".../wms?key=wms") cannot be judged by substring and is skipped.
func checkSplitLeaks(t *testing.T, raw string, sp Split) {
	t.Helper()
	secrets := []string{sp.Credential.Password, sp.Credential.Key}
	if sp.Method == MethodBasic {
		secrets = append(secrets, sp.Credential.Username) // user names are not shown either
	}
	for _, p := range hygieneQueryPairs(rawQueryOf(raw)) {
		if slices.Contains(sp.Suspects, p.name) {
			secrets = append(secrets, p.rawValue)
		}
	}
	redacted := RedactURL(raw)
	for _, s := range secrets {
		if len(s) < 4 || strings.Count(raw, s) != 1 {
			continue
		}
		if strings.Contains(sp.CleanURL, s) {
			t.Errorf("CleanURL %q contains the secret %q", sp.CleanURL, s)
		}
		if strings.Contains(redacted, s) {
			t.Errorf("RedactURL(%q) = %q, contains the secret %q", raw, redacted, s)
		}
	}
}

func rawQueryOf(raw string) string {
	_, q, _ := strings.Cut(raw, "?")
	q, _, _ = strings.Cut(q, "#")
	return q
}

func TestSplitURLErrors(t *testing.T) {
	for _, in := range []string{"", "maps.example.org/wms", "ftp://h/x", "https://", "https://h/%zz?token=abc", "mailto:ann@example.org", "https://ann:pw@[::1/x"} {
		sp, err := SplitURL(in)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("SplitURL(%q) = %+v, %v, want ErrBadURL", in, sp, err)
			continue
		}
		for _, secret := range []string{"abc", "pw"} {
			if strings.Contains(err.Error(), secret) && strings.Contains(in, secret) {
				t.Errorf("SplitURL(%q) error %q repeats a secret", in, err)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://maps.example.org/wms?SERVICE=WMS", "https://maps.example.org/wms?SERVICE=WMS"},
		{"https://ann:s3cret@maps.example.org/wms", "https://REDACTED@maps.example.org/wms"},
		{"https://ann@maps.example.org/wms", "https://REDACTED@maps.example.org/wms"},
		{"https://h/wms?authkey=e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d&SERVICE=WMS", "https://h/wms?authkey=REDACTED&SERVICE=WMS"},
		{"https://h/wms?SERVICE=WMS&Token=abc&apiKey=def", "https://h/wms?SERVICE=WMS&Token=REDACTED&apiKey=REDACTED"},
		{"https://h/wms?x=Zq7xW2pL9mK4vB8nC3tR6yH1&LAYERS=a,b", "https://h/wms?x=REDACTED&LAYERS=a,b"},
		{"https://h/wms?token=&STYLES=", "https://h/wms?token=&STYLES="},
		{"https://h/wms?a=1;sig=abc", "https://h/wms?a=1;sig=REDACTED"},
		{"https://h/wms?to%6Ben=abc", "https://h/wms?to%6Ben=REDACTED"},
		{"https://h/tiles/Zq7xW2pL9mK4vB8nC3tR6yH1/{z}/{x}/{y}.png", "https://h/tiles/REDACTED/%7Bz%7D/%7Bx%7D/%7By%7D.png"},
		{"https://h/wms#access_token=abc", "https://h/wms"},
		{"https://h/%zz?token=abc", "(unparseable URL)"},
		{"http://[::1", "(unparseable URL)"},
		{"localhost:8080/wms?token=abc", "localhost:REDACTED?token=REDACTED"},
		{"/relative/path?key=abc", "/relative/path?key=REDACTED"},
		{"https://h/wms?code=NL&LAYERS=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", "https://h/wms?code=NL&LAYERS=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"},
		{"https://h/wms?Zq7xW2pL9mK4vB8nC3tR6yH1&a=1", "https://h/wms?REDACTED&a=1"},
		{"https://h/p?url=https%3A%2F%2Fh%2Fwms%3Ftoken%3Dabc&a=1", "https://h/p?url=REDACTED&a=1"},
		{"https://h/wms?passphrase=correct-horse", "https://h/wms?passphrase=REDACTED"},
		{"https://h/datasets/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", "https://h/datasets/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Get "https://h/wms?token=abc&SERVICE=WMS": dial tcp: refused`, `Get "https://h/wms?token=REDACTED&SERVICE=WMS": dial tcp: refused`},
		{"see https://ann:pw@h/wms and https://h/t/Zq7xW2pL9mK4vB8nC3tR6yH1", "see https://REDACTED@h/wms and https://h/t/REDACTED"},
		{"bad key Zq7xW2pL9mK4vB8nC3tR6yH1 for user", "bad key REDACTED for user"},
		{"plain message", "plain message"},
		{"server said: invalid authkey 'k1k1k1k1' (password: hunter2)", "server said: invalid authkey 'REDACTED' (password: REDACTED)"},
		{"Authorization: Bearer 8f3kdl20sk rejected", "Authorization: Bearer REDACTED rejected"},
		{"layer 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c not found (code=NL)", "layer 3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c not found (code=NL)"},
	}
	for _, tt := range tests {
		if got := RedactText(tt.in); got != tt.want {
			t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeyParamNames(t *testing.T) {
	names := KeyParamNames()
	for _, want := range []string{"authkey", "token", "key", "tk", "subscription-key", "access_token", "x-api-key"} {
		if !slices.Contains(names, want) {
			t.Errorf("KeyParamNames() lacks %q", want)
		}
	}
	names[0] = "changed"
	if KeyParamNames()[0] == "changed" {
		t.Error("KeyParamNames() returns the package's own slice")
	}
	for _, n := range []string{"AUTHKEY", "ApiKey", "Subscription-Key", "X-API-KEY"} {
		if !isKeyParam(n) {
			t.Errorf("isKeyParam(%q) = false, want true", n)
		}
	}
	for _, n := range []string{"LAYERS", "keys", "map", "tokens", ""} {
		if isKeyParam(n) {
			t.Errorf("isKeyParam(%q) = true, want false", n)
		}
	}
}

var looksSecretTests = []struct {
	in   string
	want bool
}{
	// Secrets.
	{"3f2a9c1e7b5d4e8fa1b2c3d4e5f60718", true},                                        // 32 hex (Azure, Tianditu)
	{"aBcD1234eFgH5678iJkL", true},                                                    // 20 alphanumerics (MapTiler)
	{"e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d", true},                                    // UUID (GeoServer AuthKey)
	{"E29E9B2F-0B8A-4A1E-9C67-2F33AC8E0F7D", true},                                    // UUID, upper case
	{"AKIA2E0A8F3B244C9986", true},                                                    // AWS access key id
	{"AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", true},                                 // Google API key
	{"Z2FtZXJAZXhhbXBsZS5jb206c2VjcmV0cGFzcw==", true},                                // base64
	{"Bearer Zq7xW2pL9mK4vB8nC3tR6yH1", true},                                         // header value
	{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", true}, // JWT
	// Not secrets.
	{"", false},
	{"short1A", false},
	{"Zq7xW2pL9mK4vB8nC3t", false}, // 19 characters
	{"ne_10m_admin_0_countries", false},
	{"RoadNetworkPrimaryHighways2020", false},
	{"MyVeryLongLayerNameForRoads", false},
	{"LandCoverCorine2018Level3", false},
	{"BRT_Achtergrondkaart_Grijs_2023", false},
	{"a,b,c,d,e,f,g,h,i,j,k,l,m", false},
	{"osm:roads,osm:buildings,osm:water", false},
	{"-180.0,-90.0,180.0,90.0", false},
	{"2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/P1D", false},
	{"20200101T000000Z20210101", false},
	{"urn:ogc:def:crs:EPSG::4326", false},
	{"EPSG:3857,EPSG:4326,EPSG:28992", false},
	{"/very/long/path/to/mapfile.map", false},
	{"C:\\data\\maps\\Zq7xW2pL9mK4vB8nC3tR6yH1.map", false},
	{"https://maps.example.org/wms", false},
	{"internationalization", false},
	{"12345678901234567890", false},
	{"aaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"image/png; mode=8bit", false},
	{"Flood risk, Zeeland (2020 update)", false},
	{"Ünïcödé-Lâyér-Nàme-Wïth-Àccents", false},
}

func TestLooksSecret(t *testing.T) {
	for _, tt := range looksSecretTests {
		if got := LooksSecret(tt.in); got != tt.want {
			t.Errorf("LooksSecret(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSplitURLKeeping(t *testing.T) {
	const raw = "https://maps.example.org/wms?map=x&opaque=Zx8Qp2Lr7Tn4Vb6Wc9Yd&layerhash=Ab3dE5gH7jK9mN2pQ4sT6vX8&token=Tq7Wm2Xr9Kp4Ls8Nb3Vc"
	sp, err := SplitURLKeeping(raw, []string{"LAYERHASH", "token"})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://maps.example.org/wms?map=x&layerhash=Ab3dE5gH7jK9mN2pQ4sT6vX8"
	if sp.CleanURL != want {
		t.Errorf("CleanURL = %q, want %q", sp.CleanURL, want)
	}
	if sp.Param != "token" || sp.Credential.Key != "Tq7Wm2Xr9Kp4Ls8Nb3Vc" {
		t.Errorf("Param, Key = %q, %q; want the token kept as the credential, never in the URL", sp.Param, sp.Credential.Key)
	}
	if len(sp.Suspects) != 1 || sp.Suspects[0] != "opaque" {
		t.Errorf("Suspects = %q, want [opaque]", sp.Suspects)
	}
}

func TestSplitURLKeepingByNameNever(t *testing.T) {
	const raw = "https://maps.example.org/wms?passphrase=correct-horse&opaque=Zx8Qp2Lr7Tn4Vb6Wc9Yd&Zq7xW2pL9mK4vB8nC3tR6yH1aB5dE8gJ2&x=1"
	sp, err := SplitURLKeeping(raw, []string{"passphrase", "opaque", UnnamedSuspect})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://maps.example.org/wms?opaque=Zx8Qp2Lr7Tn4Vb6Wc9Yd&Zq7xW2pL9mK4vB8nC3tR6yH1aB5dE8gJ2&x=1"; sp.CleanURL != want {
		t.Errorf("CleanURL = %q, want %q (a value secret by its name is never kept)", sp.CleanURL, want)
	}
	if !slices.Equal(sp.Suspects, []string{"passphrase"}) {
		t.Errorf("Suspects = %q, want [passphrase]", sp.Suspects)
	}
}

func TestClassifyName(t *testing.T) {
	tests := []struct {
		name string
		s    site
		want nameClass
	}{
		{"authkey", siteQuery, classSecret}, {"code", siteQuery, classAmbiguous}, {"key", siteQuery, classSecret},
		{"key", siteField, classAmbiguous}, {"X-Amz-Signature", siteQuery, classSecret}, {"passphrase", siteField, classSecret},
		{"id_token", siteField, classSecret}, {"nextToken", siteQuery, classNeutral}, {"token_url", siteField, classNeutral},
		{"client_id", siteField, classIdentifier}, {"tilesetId", siteQuery, classIdentifier}, {"STYLES", siteQuery, classIdentifier},
		{"title", siteField, classText}, {"mykey", siteQuery, classKeyish}, {"authority", siteField, classKeyish},
		{"keywords", siteField, classText}, {"api-version", siteQuery, classIdentifier}, {"url", siteQuery, classNeutral},
	}
	for _, tt := range tests {
		if got := classifyName(tt.name, tt.s); got != tt.want {
			t.Errorf("classifyName(%q, %d) = %d, want %d", tt.name, tt.s, got, tt.want)
		}
	}
}

func TestSplitURLPathSuspect(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"https://maps.example.org/geoserver/wms?map=x", false},
		{"https://tiles.example.org/Zx8Qp2Lr7Tn4Vb6Wc9Yd3Kf/wms", true},
		// A UUID after a collection ("maps", "datasets") is the item's id,
		// not a secret (docs/secret-detection.md); after "key" it is the key.
		{"https://geonode.example.org/maps/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", false},
		{"https://maps.example.org/key/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/wms", true},
		{"https://tiles.example.org/maps/Zx8Qp2Lr7Tn4Vb6Wc9Yd3Kf/wms", false},
		{"https://maps.example.org/cgi-bin/mapserv.fcgi/ows", false},
	}
	for _, tt := range tests {
		sp, err := SplitURL(tt.raw)
		if err != nil {
			t.Fatalf("SplitURL(%q): %v", tt.raw, err)
		}
		if sp.PathSuspect != tt.want {
			t.Errorf("SplitURL(%q).PathSuspect = %v, want %v", tt.raw, sp.PathSuspect, tt.want)
		}
		if sp.CleanURL != tt.raw {
			t.Errorf("SplitURL(%q).CleanURL = %q, want the path kept", tt.raw, sp.CleanURL)
		}
	}
}

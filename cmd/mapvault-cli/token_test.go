package main

import (
	"strings"
	"testing"

	"mapvault/vault/vaulttest"
)

// TestProbeTokenService: the CLI contract for token services, against an
// emulation of ArcGIS Server's token security (ArcGIS cannot run here) and
// of a portal's key exchange.
func TestProbeTokenService(t *testing.T) {
	const user, pass = "ann", "arcgis-pw-CANARY-90f1"
	a := &vaulttest.ArcGIS{User: user, Password: pass}
	srv := vaulttest.NewServer(t, a)
	getMap := srv.URL + "/arcgis/services/Secure/Parcels/MapServer/WMSServer?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=0&STYLES=&CRS=EPSG:4326&BBOX=40,0,41,1&WIDTH=16&HEIGHT=16&FORMAT=image/png"

	// No secret: the 499 leads to the token service.
	r := runArgs(t, "probe", getMap, "--json")
	wantCode(t, r, exitRejected, "probe a token-secured service without a secret")
	rep := probeJSON(t, r.out)
	if rep.Method != "token" || rep.TokenURL != srv.URL+a.TokenPath() {
		t.Errorf("probe = %+v, want token with token_url %s", rep, srv.URL+a.TokenPath())
	}
	// A password: exchanged for a token (POSTed, never in a URL).
	r = cli(t, call{args: []string{"probe", getMap, "--user", user, "--json"}, stdin: pass + "\n"})
	wantCode(t, r, exitOK, "probe with the password")
	if rep := probeJSON(t, r.out); rep.Method != "token" || rep.Param != "token" || rep.Outcome != "found" {
		t.Errorf("probe = %+v, want token found with param token", rep)
	}
	// A wrong one: one generateToken POST, nothing more.
	posts := len(a.Posts())
	r = cli(t, call{args: []string{"probe", getMap, "--user", user, "--json"}, stdin: "wrong-" + pass + "\n"})
	wantCode(t, r, exitRejected, "probe with a wrong password")
	if n := len(a.Posts()) - posts; n != 1 {
		t.Errorf("a wrong password reached the token service %d times, want 1", n)
	}
	for _, rec := range srv.Records() {
		if strings.Contains(rec.RequestURI, pass) || strings.Contains(rec.RequestURI, "password") {
			t.Errorf("a password went in a URL: %s", rec.RequestURI)
		}
	}
	if strings.Contains(r.all(), pass) {
		t.Errorf("output shows the password:\n%s", r.all())
	}

	// A portal's key exchange: the secret key goes to --token-url only.
	const secretKey = "portal-secret-CANARY-77aa"
	k := &vaulttest.KeyExchange{SecretKey: secretKey}
	portal := vaulttest.NewServer(t, k)
	layer := portal.URL + "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=x&STYLES=&CRS=EPSG:4326&BBOX=40,0,41,1&WIDTH=16&HEIGHT=16&FORMAT=image/png"
	r = cli(t, call{args: []string{"probe", layer, "--token-url", portal.URL + k.TokenPath(), "--json"}, stdin: secretKey + "\n"})
	wantCode(t, r, exitOK, "probe with a secret key and --token-url")
	if rep := probeJSON(t, r.out); rep.Method != "token" || rep.TokenURL != portal.URL+k.TokenPath() || rep.Outcome != "found" {
		t.Errorf("probe = %+v, want token found with the token URL", rep)
	}
	for _, rec := range portal.Records() {
		if strings.Contains(rec.RequestURI, secretKey) {
			t.Errorf("the secret key went in a URL: %s", rec.RequestURI)
		}
	}
	if strings.Contains(r.all(), secretKey) {
		t.Errorf("output shows the secret key:\n%s", r.all())
	}
}

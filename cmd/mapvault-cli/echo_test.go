package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// hostileKey is the access key of the hostile server. It holds characters
// that percent-encoding changes, so the encoded forms differ from the raw.
const hostileKey = "Hst1le+K3y/CANARY=7f3e9a1b"

// hostileForms are the forms in which a server echoes the key: raw,
// percent-encoded (upper- and lower-case hex, and every byte), base64 (alone
// and inside "authkey=<key>"), upper and lower case, HTML character
// references.
func hostileForms() []string {
	var every strings.Builder
	for i := 0; i < len(hostileKey); i++ {
		fmt.Fprintf(&every, "%%%02X", hostileKey[i])
	}
	enc := url.QueryEscape(hostileKey)
	return []string{
		hostileKey, enc, strings.ToLower(enc), every.String(),
		base64.StdEncoding.EncodeToString([]byte(hostileKey)),
		base64.StdEncoding.EncodeToString([]byte("authkey=" + hostileKey)),
		base64.URLEncoding.EncodeToString([]byte(hostileKey)),
		strings.ToUpper(hostileKey), strings.ToLower(hostileKey),
	}
}

// hostileXMLText is what the server writes into XML: every form, and a C1
// control (U+009B, the one-byte CSI) that XML allows.
func hostileXMLText() string {
	return "invalid authkey '" + strings.Join(hostileForms(), "' '") + "' \u009b2J\u009b31m red"
}

// hostileText adds what only non-XML text can carry: ESC sequences (clear
// screen, set the window title), BEL, a bidi override.
func hostileText() string {
	return hostileXMLText() + " \x1b[2J\x1b]0;owned\x07 \u202egnp.exe"
}

// leakCheck fails when out holds any form of the key or a control
// character a terminal would act on.
func leakCheck(t *testing.T, what, out string) {
	t.Helper()
	low := strings.ToLower(out)
	for _, f := range append(hostileForms(), "hst1le", "7f3e9a1b") {
		if strings.Contains(low, strings.ToLower(f)) {
			t.Errorf("%s: output holds the key as %q:\n%s", what, f, out)
		}
	}
	for _, c := range []string{"\x1b", "\x07", "\u009b", "\x9b", "\u202e"} {
		if strings.Contains(out, c) {
			t.Errorf("%s: output holds the control character %q:\n%q", what, c, out)
		}
	}
}

// hostileServer serves the demo's public layers behind authkey=hostileKey,
// echoing the key everywhere it can:
//
//   - every capabilities document: OnlineResource links carry
//     ?authkey=<key> (as GeoServer AuthKey and QGIS Server write them), the
//     the service's, the root layer's and the land layer's titles hold
//     hostileXMLText;
//   - /exc/wms and /html/wms: the first capabilities request with the key
//     (detection's, whose answer add and layers read) is answered properly,
//     later ones (render's) with a ServiceException or an HTML page whose
//     title echoes the key;
//   - GetMap on /exc-tiles/wms: a ServiceException echoing the key; on
//     /ct/wms: a Content-Type header echoing it; on /json/wms: a JSON error
//     body echoing it.
func hostileServer(t *testing.T) string {
	t.Helper()
	h, err := demo.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	keyedCaps := map[string]int{}
	serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		q := r.URL.Query()
		request := ""
		for k, v := range q {
			if strings.EqualFold(k, "request") && len(v) > 0 {
				request = strings.ToLower(v[0])
			}
		}
		mu.Lock()
		n := keyedCaps[path]
		if request == "getcapabilities" {
			keyedCaps[path]++
		}
		mu.Unlock()
		exception := func() {
			w.Header().Set("Content-Type", "application/vnd.ogc.se_xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><ServiceExceptionReport version="1.3.0"><ServiceException code="InvalidKey %s">%s</ServiceException></ServiceExceptionReport>`,
				html.EscapeString(hostileKey), html.EscapeString(hostileXMLText()))
		}
		switch {
		case request == "getcapabilities" && path == "/exc/wms" && n > 0:
			exception()
			return
		case request == "getcapabilities" && path == "/html/wms" && n > 0:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Sign in: %s %s</title></head><body>no</body></html>",
				hostileText(), strings.NewReplacer("+", "&#43;", "/", "&#x2F;").Replace(hostileKey))
			return
		case request == "getmap" && path == "/exc-tiles/wms":
			exception()
			return
		case request == "getmap" && path == "/ct/wms":
			w.Header()["Content-Type"] = []string{"text/plain; key=" + hostileKey + "; b64=" + base64.StdEncoding.EncodeToString([]byte(hostileKey)) + "; \u009b2J"}
			w.Write([]byte("no"))
			return
		case request == "getmap" && path == "/json/wms":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error": {"code": 400, "message": %q}}`, hostileText())
			return
		}
		q.Del("authkey")
		r2 := r.Clone(r.Context())
		r2.URL.Path = demo.PublicPath
		r2.URL.RawQuery = q.Encode()
		r2.RequestURI = ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r2)
		body := rec.Body.Bytes()
		if strings.Contains(rec.Header().Get("Content-Type"), "xml") {
			body = bytes.ReplaceAll(body, []byte(demo.PublicPath+"?"), []byte(path+"?authkey="+url.QueryEscape(hostileKey)+"&amp;"))
			body = bytes.ReplaceAll(body, []byte(demo.PublicPath+`"`), []byte(path+"?authkey="+url.QueryEscape(hostileKey)+`"`))
			body = bytes.ReplaceAll(body, []byte("<Title>mapvault demo: public</Title>"), []byte("<Title>"+html.EscapeString(hostileXMLText())+"</Title>"))
			body = bytes.ReplaceAll(body, []byte("<Title>Land</Title>"), []byte("<Title>Land "+html.EscapeString(hostileXMLText())+"</Title>"))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
	s := httptest.NewServer(vaulttest.Protect(vaulttest.Guard{Query: "authkey", Key: hostileKey}, serve, nil))
	t.Cleanup(s.Close)
	return s.URL
}

// TestHostileServerEchoes runs the commands that show server text against
// a server that echoes the key in every form and sends terminal control
// sequences: nothing of either may reach stdout or stderr.
func TestHostileServerEchoes(t *testing.T) {
	env := map[string]string{"MAPVAULT_SECRET": hostileKey}
	dir := t.TempDir()
	flows := []struct {
		name string
		c    func(base string) call
		code int
		want string // stdout+stderr must contain this
	}{
		{"layers --json: OnlineResource and title", func(base string) call {
			return call{args: []string{"layers", base + "/caps/wms", "--json"}, env: env}
		}, exitOK, `"getmap_url"`},
		{"layers: OnlineResource and title", func(base string) call {
			return call{args: []string{"layers", base + "/caps/wms"}, env: env}
		}, exitOK, "GetMap:"},
		{"render: ServiceException", func(base string) call {
			p := filepath.Join(dir, "e.mapvault.json")
			if r := cli(t, call{args: []string{"add", p, base + "/exc/wms", "--layers", "land"}, env: env}); r.code != exitOK {
				t.Fatalf("add: exit %d\n%s", r.code, r.all())
			}
			return call{args: []string{"render", p, "-o", filepath.Join(dir, "e.png"), "--size", "64x64", "--no-keychain"}, env: env}
		}, exitFailure, "service exception"},
		// add reads the capabilities detection received (one request for
		// one question); render asks again and gets the HTML page.
		{"render: HTML page", func(base string) call {
			p := filepath.Join(dir, "h.mapvault.json")
			if r := cli(t, call{args: []string{"add", p, base + "/html/wms", "--layers", "land"}, env: env}); r.code != exitOK {
				t.Fatalf("add: exit %d\n%s", r.code, r.all())
			}
			return call{args: []string{"render", p, "-o", filepath.Join(dir, "h.png"), "--size", "64x64", "--no-keychain"}, env: env}
		}, exitFailure, "HTML page"},
		{"add: choose layers lists titles", func(base string) call {
			return call{args: []string{"add", filepath.Join(dir, "l.mapvault.json"), base + "/caps/wms"}, env: env}
		}, exitUsage, "choose the layers to add"},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			r := cli(t, f.c(hostileServer(t)))
			if r.code != f.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, f.code, r.out, r.err)
			}
			if !strings.Contains(r.all(), f.want) {
				t.Errorf("output lacks %q:\n%s", f.want, r.all())
			}
			leakCheck(t, f.name, r.all())
		})
	}

	t.Run("add: an echoed title is not saved", func(t *testing.T) {
		path := filepath.Join(dir, "saved.mapvault.json")
		r := cli(t, call{args: []string{"add", path, hostileServer(t) + "/caps/wms", "--layers", "land"}, env: env})
		wantCode(t, r, exitOK, "add from an echoing server")
		leakCheck(t, "add", r.all())
		leakCheck(t, path, string(readFile(t, path)))
		leakCheck(t, "KeyVault", string(readFile(t, vault.SidecarPath(path))))
	})

	t.Run("render: ServiceException, header and JSON error in tiles", func(t *testing.T) {
		base := hostileServer(t)
		p := project.New("hostile")
		kv := vault.NewKeyVault()
		var creds strings.Builder
		for _, id := range []string{"exc-tiles", "ct", "json"} {
			src := base + "/" + id + "/wms"
			p.AddLayer(project.Layer{ID: id, Name: id, Kind: project.KindWMS, Source: src, WMS: project.WMS{Layers: []string{"land"}, Styles: []string{""}, Format: "image/png", Version: "1.3.0"}, Opacity: 1, Visible: true})
			s, err := vault.SourceOf(src)
			if err != nil {
				t.Fatal(err)
			}
			kv.Set(s, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"})
			fmt.Fprintf(&creds, "{\"source\": %q, \"key\": %q}\n", src, hostileKey)
		}
		path := saveProject(t, dir, "r.mapvault.json", p)
		if err := kv.Save(vault.SidecarPath(path)); err != nil {
			t.Fatal(err)
		}
		r := cli(t, call{args: []string{"render", path, "-o", filepath.Join(dir, "r.png"), "--size", "64x64", "--no-keychain", "--credentials", "-"}, stdin: creds.String()})
		wantCode(t, r, exitFailure, "render of failing layers")
		for _, id := range []string{"exc-tiles", "ct", "json"} {
			if !strings.Contains(r.err, "layer "+id+": error") {
				t.Errorf("stderr lacks the error line of layer %s:\n%s", id, r.err)
			}
		}
		leakCheck(t, "render", r.all())
	})
}

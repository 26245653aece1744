package app

import (
	"context"
	"net"
	"net/url"
	"strings"

	"mapvault/app/session"
	"mapvault/assets"
	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// demoTitle is the title of the demo project.
const demoTitle = "mapvault demo"

// demoServers are the loopback demo WMS servers this app started, by
// host:port.
type demoServers struct {
	running map[string]*demo.Server
}

func newDemoServers() *demoServers { return &demoServers{running: map[string]*demo.Server{}} }

// start starts a demo server on addr; when addr is busy and fallback is
// set, on 127.0.0.1:0. It returns the server's base URL.
func (ds *demoServers) start(ctx context.Context, addr string, fallback bool) (string, error) {
	if s, ok := ds.running[addr]; ok {
		return s.URL(), nil
	}
	s, err := demo.Start(ctx, addr)
	if err != nil && fallback {
		s, err = demo.Start(ctx, "127.0.0.1:0")
	}
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(s.URL())
	ds.running[u.Host] = s
	return s.URL(), nil
}

func (ds *demoServers) closeAll() {
	for k, s := range ds.running {
		_ = s.Close()
		delete(ds.running, k)
	}
}

// demoPath returns the demo service path of src ("/basic/wms", "/wmts",
// "/ogcapi", "/tiles") when src is one of the demo server's services on a
// loopback address, "" otherwise.
func demoPath(src vault.Source) string {
	u, err := url.Parse(string(src))
	if err != nil {
		return ""
	}
	ip := net.ParseIP(u.Hostname())
	if (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	switch {
	case p == demo.PublicPath, p == demo.BasicPath, p == demo.KeyPath, p == demo.WMTSPath, p == demo.FeaturesPath, p == demo.TilesPath:
		return p
	case strings.HasPrefix(p, demo.TilesPath+"/"):
		return demo.TilesPath
	}
	return ""
}

// isDemoSource reports whether src is one of the demo server's services on
// a loopback address.
func isDemoSource(src vault.Source) bool { return demoPath(src) != "" }

// credentialHint is the prompt's hint line: the documented demo
// credentials for the demo's sources, a general hint otherwise.
func credentialHint(src vault.Source) string {
	switch demoPath(src) {
	case demo.BasicPath:
		return "Demo service: user “" + demo.BasicUser + "”, password “" + demo.BasicPassword + "”."
	case demo.KeyPath:
		return "Demo service: access key “" + demo.AccessKey + "” (parameter " + demo.KeyParam + ")."
	case demo.WMTSPath:
		return "Demo WMTS: access key “" + demo.WMTSKey + "” (parameter " + demo.WMTSKeyParam + ")."
	case demo.FeaturesPath:
		return "Demo OGC API Features: user “" + demo.BasicUser + "”, password “" + demo.BasicPassword + "”."
	}
	return "Leave the parameter name empty to let mapvault find how the service takes the key."
}

// OpenDemo starts the demo server (addr "" means demo.DefaultAddr, falling
// back to a free port when busy) and opens the demo project, unsaved.
func (a *App) OpenDemo(addr string) error {
	if addr == "" {
		addr = demo.DefaultAddr
	}
	base, err := a.demo.start(a.ctx, addr, true)
	if err != nil {
		return err
	}
	p := demo.Project(base)
	p.Title = demoTitle
	a.setDocument(newDocument(a.svc, p, "", nil))
	return nil
}

// OpenPublicExample opens the bundled example of real public WMS services
// (it needs internet access), unsaved.
func (a *App) OpenPublicExample() error {
	p, err := project.Parse(assets.PublicServicesName, assets.PublicServices())
	if err != nil {
		return err
	}
	a.setDocument(newDocument(a.svc, p, "", nil))
	return nil
}

// startDemoFor starts a demo server for every demo origin the project uses
// that nobody serves yet (a saved demo project reopens with its server).
func (a *App) startDemoFor(p *project.Project) {
	seen := map[string]bool{}
	for _, src := range session.SourcesOf(a.svc.kinds(), p) {
		if !isDemoSource(src) {
			continue
		}
		u, err := url.Parse(string(src))
		if err != nil || seen[u.Host] {
			continue
		}
		seen[u.Host] = true
		if _, ok := a.demo.running[u.Host]; ok {
			continue
		}
		// A busy address is fine: another mapvault serves the demo there.
		_, _ = a.demo.start(a.ctx, u.Host, false)
	}
}

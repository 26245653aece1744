package app

import (
	"context"
	"net"
	"net/url"
	"slices"
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
//
// The demo's address in a saved project is always the one it was asked for
// (demo.DefaultAddr): when that address is busy (another mapvault serves
// its demo there) this app serves on a free port instead, for this session
// only. moved maps such a fallback host:port to the address it stands in
// for: saving writes the asked-for address back, and opening a project
// with that address moves its demo layers to the fallback, so a saved demo
// project never points at a port that dies with the session that chose it.
type demoServers struct {
	home    string // the demo's own address, demo.DefaultAddr
	running map[string]*demo.Server
	moved   map[string]string // fallback host:port -> the address asked for
}

func newDemoServers() *demoServers {
	return &demoServers{home: demo.DefaultAddr, running: map[string]*demo.Server{}, moved: map[string]string{}}
}

// start starts a demo server on addr; when addr is busy and fallback is
// set, on 127.0.0.1:0. It returns the server's base URL.
func (ds *demoServers) start(ctx context.Context, addr string, fallback bool) (string, error) {
	if s, ok := ds.running[addr]; ok {
		return s.URL(), nil
	}
	if host := ds.fallbackFor(addr); fallback && host != "" {
		return ds.running[host].URL(), nil
	}
	s, err := demo.Start(ctx, addr)
	moved := false
	if err != nil && fallback {
		s, err = demo.Start(ctx, "127.0.0.1:0")
		moved = err == nil
	}
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(s.URL())
	ds.running[u.Host] = s
	if moved {
		ds.moved[u.Host] = addr
	}
	return s.URL(), nil
}

func (ds *demoServers) closeAll() {
	for k, s := range ds.running {
		_ = s.Close()
		delete(ds.running, k)
	}
	clear(ds.moved)
}

// fallbackFor returns the host:port of the server standing in for addr, ""
// when none does.
func (ds *demoServers) fallbackFor(addr string) string {
	for host, asked := range ds.moved {
		if asked == addr {
			return host
		}
	}
	return ""
}

// moveHost returns src with its http origin from replaced by to; ok is false
// when src is not on from.
func moveHost(src, from, to string) (string, bool) {
	prefix := "http://" + from
	if src != prefix && !strings.HasPrefix(src, prefix+"/") && !strings.HasPrefix(src, prefix+"?") {
		return src, false
	}
	return "http://" + to + src[len(prefix):], true
}

// rehost returns p and kv with every demo source on host from moved to
// host to: copies when something moved, p and kv themselves otherwise.
func rehost(p *project.Project, kv *vault.KeyVault, from, to string) (*project.Project, *vault.KeyVault) {
	var layers []project.Layer
	for i, l := range p.Layers {
		if !isDemoSource(vault.Source(l.Source)) {
			continue
		}
		if s, ok := moveHost(l.Source, from, to); ok {
			if layers == nil {
				layers = slices.Clone(p.Layers)
			}
			layers[i].Source = s
		}
	}
	var kv2 *vault.KeyVault
	for _, src := range kv.Sources() {
		if !isDemoSource(src) {
			continue
		}
		if s, ok := moveHost(string(src), from, to); ok {
			if kv2 == nil {
				kv2 = kv.Clone()
			}
			e, _ := kv2.Get(src)
			kv2.Delete(src)
			kv2.Set(vault.Source(s), e)
		}
	}
	if layers != nil {
		cp := *p
		cp.Layers = layers
		p = &cp
	}
	if kv2 != nil {
		kv = kv2
	}
	return p, kv
}

// forSaving returns the project and KeyVault as they are saved: demo
// sources on a fallback port get back the address asked for.
func (a *App) forSaving() (*project.Project, *vault.KeyVault) {
	p, kv := a.doc.proj, a.doc.kv()
	for host, asked := range a.demo.moved {
		p, kv = rehost(p, kv, host, asked)
	}
	return p, kv
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
// back to a free port when busy) and opens the demo project, unsaved. It
// is saved with the address asked for (see demoServers).
func (a *App) OpenDemo(addr string) error {
	if addr == "" {
		addr = a.demo.home
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
// that nobody serves yet (a saved demo project reopens with its server),
// and returns p and kv with the demo layers moved to the port that serves
// them for this session (see demoServers).
func (a *App) startDemoFor(p *project.Project, kv *vault.KeyVault) (*project.Project, *vault.KeyVault) {
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
		if u.Host != a.demo.home {
			// A busy address is fine: another mapvault serves the demo there.
			_, _ = a.demo.start(a.ctx, u.Host, false)
			continue
		}
		// The demo's own address, busy: serve on a free port and move the
		// layers there for this session (saving moves them back).
		base, err := a.demo.start(a.ctx, u.Host, true)
		if err != nil {
			continue
		}
		if b, err := url.Parse(base); err == nil && b.Host != u.Host {
			p, kv = rehost(p, kv, u.Host, b.Host)
		}
	}
	return p, kv
}

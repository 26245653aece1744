package project

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Resolve turns a reference written in the project (a layer source, a data
// file) into something to open. URLs (any scheme but file) and absolute
// paths come back unchanged. A relative path, or a file URL ("file:data.json",
// "file:///srv/data.json"), becomes a path; a relative one is joined to Dir().
// Without a Dir a relative path stays relative.
func (p *Project) Resolve(ref string) string {
	if ref == "" {
		return ""
	}
	if scheme, ok := urlScheme(ref); ok {
		if !strings.EqualFold(scheme, "file") {
			return ref
		}
		u, err := url.Parse(ref)
		if err != nil || (u.Host != "" && !strings.EqualFold(u.Host, "localhost")) {
			return ref // a file URL on another host is not ours to open
		}
		path := u.Path
		if u.Opaque != "" {
			if path, err = url.PathUnescape(u.Opaque); err != nil {
				return ref
			}
		}
		ref = filepath.FromSlash(path)
		if ref == "" {
			return p.dir
		}
	}
	if filepath.IsAbs(ref) || p.dir == "" {
		return ref
	}
	return filepath.Join(p.dir, ref)
}

// urlScheme returns ref's URL scheme. A single letter before ":" is a
// Windows drive ("C:\data"), not a scheme.
func urlScheme(ref string) (string, bool) {
	i := strings.IndexByte(ref, ':')
	if i < 2 {
		return "", false
	}
	for j, c := range ref[:i] {
		isAlpha := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !isAlpha && (j == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	return ref[:i], true
}

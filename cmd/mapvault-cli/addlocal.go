package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/twpayne/go-geom"

	"mapvault/app/session"
	"mapvault/layers"
	"mapvault/layers/geojson"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
)

// localGeoJSON reports whether an add argument is a local GeoJSON file:
// not an http(s) URL, and --kind geojson or a .geojson/.json name.
func localGeoJSON(arg, kind string) bool {
	if arg == "" || arg == "-" || strings.Contains(arg, "://") && !strings.HasPrefix(strings.ToLower(arg), "file:") {
		return false
	}
	if kind != "" {
		return kind == string(project.KindGeoJSON)
	}
	l := strings.ToLower(arg)
	return strings.HasSuffix(l, ".geojson") || strings.HasSuffix(l, ".json") && !strings.HasSuffix(l, ".mapvault.json")
}

// addLocalGeoJSON adds a local GeoJSON file as one layer: no credential,
// no request. The file is read once (bounded) to refuse what is not
// GeoJSON and to fit a new project's view; the project keeps its path
// relative to the project's folder when it is under it.
func addLocalGeoJSON(ctx context.Context, io stdio, path, file, title string) int {
	abs, err := filepath.Abs((&project.Project{}).Resolve(file))
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	fc, err := vector.ParseGeoJSON(f, vector.Options{})
	f.Close()
	if err != nil {
		return fail(io, exitFailure, "%s: %v; nothing was written", file, err)
	}
	src := abs
	if dir, err := filepath.Abs(filepath.Dir(path)); err == nil {
		if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
			src = filepath.ToSlash(rel)
		}
	}
	svc, err := geojson.Kind{}.Open(ctx, nil, src)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	l, _, _ := svc.Layer("")
	if title != "" {
		l.Name = title
	}
	var box *geom.Bounds
	if b, ok := vector.NewLayer(fc.Features).Bounds(); ok {
		box = geom.NewBounds(geom.XY).Set(b.West, b.South, b.East, b.North)
	}
	var added string
	fresh := project.New(strings.TrimSuffix(strings.TrimSuffix(baseName(path), ".json"), ".mapvault"))
	err = session.EditFiles(ctx, path, fresh, func(p *project.Project, _ *vault.KeyVault, created bool) error {
		a := p.AddLayer(l)
		added = fmt.Sprintf("added layer %s (geojson) from %s: %d features", a.ID, src, len(fc.Features))
		if created && box != nil {
			p.View.Lon, p.View.Lat, p.View.Zoom = layers.FitBounds(box, newProjectWidth, newProjectHeight, 18)
		}
		return nil
	})
	if err != nil {
		return fail(io, exitFailure, "%v", err)
	}
	fmt.Fprintln(io.out, added)
	fmt.Fprintf(io.out, "saved %s (a local file: no credential)\n", path)
	return exitOK
}

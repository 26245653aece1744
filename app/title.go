package app

import (
	"path/filepath"
	"strings"
)

// displayName names the open project wherever the UI names it (the window
// title, the unsaved-changes question, the Save As file name): the name of
// its file once saved, as the user chose it last, else its title.
func (a *App) displayName() string {
	if a.doc.path != "" {
		return fileStem(a.doc.path)
	}
	if t := strings.TrimSpace(a.doc.proj.Title); t != "" {
		return t
	}
	return "Untitled"
}

// fileStem is a project file's name without its extension.
func fileStem(path string) string {
	base := filepath.Base(path)
	low := strings.ToLower(base)
	for _, ext := range []string{projectExt, ".json"} {
		if strings.HasSuffix(low, ext) && len(base) > len(ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base
}

// retitle makes the project's title follow a Save As to path when the
// title was only a placeholder (empty, "Untitled", the demo's) or the old
// file's name: the saved file then names itself as the user named it. A
// title chosen otherwise (mapvault-cli, another tool) is kept.
func (a *App) retitle(path string) {
	p := a.doc.proj
	t := strings.TrimSpace(p.Title)
	old := ""
	if a.doc.path != "" {
		old = fileStem(a.doc.path)
	}
	if t == "" || t == "Untitled" || t == demoTitle || t == old {
		p.Title = fileStem(path)
	}
}

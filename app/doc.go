// Package app owns the Fyne desktop user interface: the map widget, the layer
// panel, credential prompts and blocked-layer presentation. It is the only
// package (with cmd/mapvault) that imports Fyne, and the only place where
// goroutines hand results to widgets, always through fyne.Do.
package app

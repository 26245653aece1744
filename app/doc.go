// Package app owns the Fyne desktop user interface: the map widget, the layer
// panel, credential prompts and blocked-layer presentation. It is the only
// package (with cmd/mapvault) that imports Fyne, and the only place where
// goroutines hand results to widgets, always through fyne.Do (Services.Do,
// which tests replace with a queue drained on the test goroutine).
//
// Each open project is a document with its own KeyVault, authenticating
// client, catalog and engine; the session Store and the keychain are shared.
// Network work (capabilities, tiles, auth detection, keychain) runs in
// goroutines; the UI goroutine only composes frames from the tile cache.
//
// It must not import the Fyne driver (fyne.io/fyne/v2/app): only
// cmd/mapvault does, so this package tests with CGO_ENABLED=0 on Fyne's test
// driver. It never shows, logs or saves a secret: credentials live in the
// session store (and the keychain when the user asks), the project keeps
// clean URLs, and the KeyVault only how a source authenticates.
package app

package app

import (
	"os"
	"time"

	"fyne.io/fyne/v2"

	"mapvault/layers"
	"mapvault/layers/kinds"
	"mapvault/vault"
)

// Services are the long-lived parts the desktop app is built from. main
// constructs them; tests construct them against a real demo server.
type Services struct {
	// Store is the session credential store (never persisted).
	Store *vault.Store
	// Keychain is the optional OS keychain; nil disables "Remember".
	Keychain vault.Keychain
	// Transport configures each document's authenticating client. The
	// KeyVault belongs to the open project, so every opened document gets
	// its own workspace: client, catalog and engine (and tile cache).
	Transport vault.TransportOptions
	// OpenURL opens an OAuth2 authorization URL in the user's browser.
	// Nil means vault.OpenBrowser with the process environment ($BROWSER,
	// else the desktop's opener). Tests pass one that plays the browser.
	OpenURL func(url string) error
	// Engine are the options for each document's engine.
	Engine layers.Options
	// Kinds are the layer kinds documents draw; nil for kinds.Default().
	Kinds *layers.Registry
	// Do runs f on the UI goroutine. Nil means fyne.Do. Tests pass a queue
	// they drain on the test goroutine.
	Do func(f func())
}

// Options are the command-line choices.
type Options struct {
	Path       string        // project to open; "" opens the demo
	Demo       bool          // open the demo even when Path is set
	DemoAddr   string        // demo server address; "" means demo.DefaultAddr (falls back to 127.0.0.1:0 when busy)
	Screenshot string        // write a PNG of the window and quit
	After      time.Duration // screenshot deadline: taken earlier once all tiles have loaded
	// Trace prints what the user's actions found on standard error (the
	// identify results' counts: never an attribute, never a secret), for
	// the real-window smoke test.
	Trace bool
}

// kinds returns the layer kinds documents draw.
func (s Services) kinds() *layers.Registry {
	if s.Kinds == nil {
		return kinds.Default()
	}
	return s.Kinds
}

func (s Services) openURL() func(string) error {
	if s.OpenURL != nil {
		return s.OpenURL
	}
	return func(u string) error { return vault.OpenBrowser(u, os.Getenv) }
}

func (s Services) do() func(func()) {
	if s.Do != nil {
		return s.Do
	}
	return fyne.Do
}

// Package session is the access core shared by the desktop app and the
// CLI. A Workspace owns everything one open project needs to reach its
// sources: the project's KeyVault, the session credential store, the OS
// keychain, the authenticating client, the capabilities Catalog, the tile
// Engine and one long-lived auth Detector. It answers "what does this
// layer need, and what state is its source in" through one state machine
// (Access), and runs the flows both front ends share: unlocking a source
// with a credential, loading it from the keychain, resolving layers into
// engine specs, and turning a server's refusal into a blocked source. Files
// (files.go) is the other shared flow: saving a project and its KeyVault
// under the project's lock without overwriting another mapvault's change.
// Decorations (decorations.go) is the third: a project's legend, titled
// and scrubbed, and the scale bar, attribution, legend, north arrow and
// title drawn onto a rendered frame, for the app's export and the CLI's
// render and legend.
//
// It never imports Fyne (a test in cmd/mapvault-cli guards that): the app
// only renders Access and asks the user; the CLI only reads stdin, the
// environment and flags. It never writes a secret anywhere but the OS
// keychain, and only when the user asked for it.
package session

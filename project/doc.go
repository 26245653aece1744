// Package project owns the mapvault project file: its JSON format, loading
// with precise error positions, lossless round trips (unknown fields are kept)
// and atomic saving. WriteFileAtomic is shared with vault for the KeyVault
// sidecar. The format is described in docs/project-format.md.
//
// It must not import Fyne, must never hold a secret, and must not perform
// network I/O.
package project

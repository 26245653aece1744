// Package project owns the mapvault project file: its JSON format, loading
// with precise error positions and a size limit, lossless round trips
// (unknown fields are kept byte for byte) and atomic saving, plus what a
// front end needs to edit it next to other mapvaults: the project's
// advisory Lock and the Stamp of a file as read or written, so that a save
// never silently overwrites someone else's (SaveIfUnchanged). ReadFile,
// WriteFileAtomic, Lock and Stamp are shared with vault and app/session for
// the KeyVault sidecar. The format is described in docs/project-format.md.
//
// It must not import Fyne, must never hold a secret, and must not perform
// network I/O.
package project

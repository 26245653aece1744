// Package vault owns everything about access to protected sources: the
// KeyVault sidecar file (which records only *how* a source authenticates,
// never a secret), URL hygiene (splitting secrets out of pasted URLs), the
// in-memory session credential store and the optional OS keychain, the
// authenticating HTTP transport (same-origin only), auth-method detection,
// the judgement of what is a secret (judge.go, docs/secret-detection.md)
// that URL hygiene, redaction and the secret scanner used before a project
// is shared all ask, and the scrubber (Scrub) that every text a server
// sent passes through before it is shown.
//
// It must not import Fyne, must never write a secret to disk or to a log,
// and must never send a credential to an origin other than the one it was
// entered for.
package vault

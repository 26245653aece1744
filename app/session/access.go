package session

import (
	"mapvault/vault"
)

// State is where a source stands in this session.
//
//	unknown ─▶ needs credentials / needs sign-in ─▶ detecting ─▶ ok
//	                                                         ├─▶ rejected
//	                                                         └─▶ undecided
//
// Unknown sources are tried without credentials; a refusal moves them to
// "needs credentials" (or "needs sign-in" for schemes that sign in in a
// browser). A credential the server accepts (or has not refused yet) is
// ok; one it refused is rejected and never sent again until the user
// enters another.
type State int

const (
	StateUnknown          State = iota // nothing known: tried without credentials
	StateNeedsCredentials              // protected, and the session has no credential
	StateNeedsSignIn                   // protected by OAuth2: sign in in the browser
	StateDetecting                     // a credential is being checked
	StateOK                            // open, or a credential that works (or has not failed yet)
	StateRejected                      // the server refused the session's credential
	StateUndecided                     // the last check got no clear answer
)

func (s State) String() string {
	switch s {
	case StateNeedsCredentials:
		return "needs credentials"
	case StateNeedsSignIn:
		return "needs sign-in"
	case StateDetecting:
		return "checking credentials"
	case StateOK:
		return "ok"
	case StateRejected:
		return "credentials rejected"
	case StateUndecided:
		return "could not decide"
	default:
		return "unknown"
	}
}

// Access is what a source needs and where it stands.
type Access struct {
	State State
	// Reason is a one-line, secret-free explanation to show beside a
	// blocked layer ("" when the source is not blocked).
	Reason string
	// Entry is what the KeyVault records for the source (zero when
	// nothing), and Needs what its scheme asks of the user (zero when the
	// scheme is not known yet: the prompt offers every kind).
	Entry vault.Entry
	Needs vault.Needs
	// Known reports whether the KeyVault knows the source's scheme.
	Known bool
}

// Blocked reports whether the source's layers must not be drawn.
func (a Access) Blocked() bool {
	switch a.State {
	case StateUnknown, StateOK:
		return false
	}
	return true
}

// AskUser reports whether the user should be asked for something (a
// credential or a sign-in): the source is blocked and no check is running.
func (a Access) AskUser() bool {
	return a.Blocked() && a.State != StateDetecting
}

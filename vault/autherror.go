package vault

import (
	"errors"
	"fmt"
)

// AuthReason says why a source's layers cannot be drawn. Each is safe to
// show beside a blocked layer.
type AuthReason string

// The reasons an AuthError carries.
const (
	ReasonNeedsCredentials AuthReason = "needs credentials"
	ReasonRejected         AuthReason = "credentials rejected"
	ReasonExpired          AuthReason = "credentials expired"
	ReasonNeedsSignIn      AuthReason = "needs sign-in"
	ReasonUnsupported      AuthReason = "authentication scheme not supported"
	ReasonNeedsCertificate AuthReason = "needs a client certificate"
)

// More sentinels matched by AuthError.Is (ErrNoCredentials and ErrRejected
// are in store.go).
var (
	ErrExpired         = errors.New("vault: credentials expired")
	ErrNeedsSignIn     = errors.New("vault: needs sign-in")
	ErrUnsupported     = errors.New("vault: authentication scheme not supported")
	ErrNeedsClientCert = errors.New("vault: this server requires a client certificate")
)

// AuthError carries an access failure from the transport (or detection) to
// whoever shows it: the app's layer panel, the CLI's exit code. Callers use
// errors.As, or errors.Is with the sentinel of the reason.
type AuthError struct {
	Source Source
	Reason AuthReason
	// Detail, optional, is a safe-to-show explanation (never server text
	// that was not scrubbed, never a secret).
	Detail string
}

func (e *AuthError) Error() string {
	msg := fmt.Sprintf("vault: %s for %s", e.Reason, e.Source)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is matches the sentinel of the reason.
func (e *AuthError) Is(target error) bool {
	switch e.Reason {
	case ReasonNeedsCredentials:
		return target == ErrNoCredentials
	case ReasonRejected:
		return target == ErrRejected
	case ReasonExpired:
		return target == ErrExpired
	case ReasonNeedsSignIn:
		return target == ErrNeedsSignIn || target == ErrNoCredentials
	case ReasonUnsupported:
		return target == ErrUnsupported
	case ReasonNeedsCertificate:
		return target == ErrNeedsClientCert || target == ErrNoCredentials
	}
	return false
}

// AuthReasonOf returns the reason of an AuthError in err's chain.
func AuthReasonOf(err error) (AuthReason, bool) {
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae.Reason, true
	}
	return "", false
}

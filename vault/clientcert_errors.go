package vault

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
)

// isClientCertError reports a TLS handshake that failed because the server
// wants a client certificate (or refused ours): the alerts
// certificate_required (TLS 1.3), handshake_failure (a missing one in TLS
// 1.2), bad_certificate, unknown_ca, certificate_unknown,
// certificate_expired, certificate_revoked and unsupported_certificate sent
// by the server.
func isClientCertError(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{
		"tls: certificate required",
		"tls: bad certificate",
		"tls: unknown certificate authority",
		"tls: unknown certificate",
		"tls: handshake failure",
		"tls: expired certificate",
		"tls: revoked certificate",
		"tls: unsupported certificate",
	} {
		if strings.Contains(msg, "remote error: "+s) {
			return true
		}
	}
	return false
}

// clientCertError turns a handshake refusal into an AuthError for src.
func clientCertError(src Source, err error) *AuthError {
	if src == "" || !isClientCertError(err) {
		return nil
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae
	}
	return &AuthError{Source: src, Reason: ReasonNeedsCertificate, Detail: "this server requires a client certificate"}
}

// clientCertRefusal reports an HTTP answer that says a client certificate
// is missing or refused: nginx answers 400 "No required SSL certificate was
// sent" / "The SSL certificate error" instead of a TLS alert.
func clientCertRefusal(status int, body []byte) bool {
	if status != http.StatusBadRequest {
		return false
	}
	return bytes.Contains(body, []byte("No required SSL certificate was sent")) ||
		bytes.Contains(body, []byte("The SSL certificate error"))
}

package main

import (
	"errors"

	"mapvault/vault"
)

// loadCertificate loads a client certificate for --cert.
func loadCertificate(certPath, keyPath, password string) (vault.Credential, error) {
	return vault.Credential{}, errors.New("client certificates are not supported yet")
}

package main

import (
	"mapvault/vault"
)

// loadCertificate loads a client certificate for --cert: PKCS#12 or PEM,
// with its password (the secret from stdin or MAPVAULT_SECRET, if any).
// Errors name the file, never the password.
func loadCertificate(certPath, keyPath, password string) (vault.Credential, error) {
	cert, err := vault.LoadClientCertificate(certPath, keyPath, []byte(password))
	if err != nil {
		return vault.Credential{}, err
	}
	return vault.Credential{Certificate: cert}, nil
}

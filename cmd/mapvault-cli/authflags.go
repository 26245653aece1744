package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"mapvault/vault"
)

// authFlags are the flags probe, add, layers and render share to say how a
// source authenticates. None of them carries a secret: secrets come only
// from the first line of standard input or MAPVAULT_SECRET.
type authFlags struct {
	user     *string
	param    *string
	tokenURL *string
	cert     *string
	key      *string
	clientID *string
	issuer   *string
	scope    *string
}

func addAuthFlags(fs *flag.FlagSet) *authFlags {
	return &authFlags{
		user:     fs.String("user", "", "user `NAME` (HTTP Basic or Digest, an ArcGIS token service); the secret is the password"),
		param:    fs.String("param", "", "query parameter `NAME` for the access key (tried first)"),
		tokenURL: fs.String("token-url", "", "token service `URL`: ArcGIS generateToken (with --user), or where a secret key is exchanged for an access key"),
		cert:     fs.String("cert", "", "client certificate `FILE` (PKCS#12, or PEM); the secret is its password, if any"),
		key:      fs.String("key", "", "private key `FILE` for a PEM --cert (default: in the --cert file)"),
		clientID: fs.String("client-id", "", "OAuth2 client `ID` (default mapvault); with a secret: the client-credentials grant"),
		issuer:   fs.String("issuer", "", "OAuth2 issuer `URL`, when the server does not advertise it"),
		scope:    fs.String("scope", "", "OAuth2 `SCOPES`, space-separated"),
	}
}

// check validates the flags' combinations and values.
func (f *authFlags) check() error {
	if *f.key != "" && *f.cert == "" {
		return errors.New("--key goes with --cert")
	}
	if *f.cert != "" && *f.user != "" {
		return errors.New("give --cert or --user, not both")
	}
	for name, v := range map[string]string{"--token-url": *f.tokenURL, "--issuer": *f.issuer} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%s: want an http(s) URL", name)
		}
		if u.User != nil || u.RawQuery != "" {
			return fmt.Errorf("%s must not carry user information or a query (a secret goes on standard input)", name)
		}
	}
	return nil
}

// hint is what the flags say about how the source authenticates.
func (f *authFlags) hint() vault.Hint {
	h := vault.Hint{Param: *f.param, TokenURL: *f.tokenURL, Issuer: *f.issuer, ClientID: *f.clientID, Scope: *f.scope}
	switch {
	case *f.tokenURL != "":
		h.Method = vault.MethodToken
	case *f.cert != "":
		h.Method = vault.MethodClientCert
	case *f.issuer != "" || *f.clientID != "":
		h.Method = vault.MethodOAuth2
	}
	return h
}

// credential builds the credential the user gave: from the URL itself
// (hygiene split it out) or from stdin/env. --user makes the secret a
// password, --cert a certificate's password; otherwise it is an access
// key, a secret key (--token-url) or a client secret (--client-id).
func (f *authFlags) credential(split vault.Split, secret string) (vault.Credential, error) {
	if !split.Credential.IsZero() {
		if secret != "" {
			return vault.Credential{}, errors.New("the URL carries a secret and another was given on stdin/MAPVAULT_SECRET; give only one")
		}
		if *f.cert != "" {
			return vault.Credential{}, errors.New("the URL carries a secret; a client certificate needs none")
		}
		return split.Credential, nil
	}
	return f.credentialFromSecret(secret)
}

// credentialFromSecret is credential for a secret alone (render).
func (f *authFlags) credentialFromSecret(secret string) (vault.Credential, error) {
	switch {
	case *f.cert != "":
		return loadCertificate(*f.cert, *f.key, secret)
	case *f.user != "" && secret == "":
		return vault.Credential{}, errors.New("--user needs the password on standard input or in MAPVAULT_SECRET")
	case *f.user != "":
		return vault.Credential{Username: *f.user, Password: secret}, nil
	case secret != "":
		return vault.Credential{Key: strings.TrimSpace(secret)}, nil
	}
	return vault.Credential{}, nil
}

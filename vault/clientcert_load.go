package vault

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// Errors of LoadClientCertificate, matched with errors.Is through the
// *CertFileError it returns.
var (
	// ErrBadCertificate: the file is not a usable client certificate: neither
	// PKCS#12 nor PEM, no certificate or no private key in it, a key that
	// does not belong to the certificate, or a format mapvault cannot read
	// (the error's detail says which, and how to convert it).
	ErrBadCertificate = errors.New("vault: not a usable client certificate")
	// ErrCertPassword: the file (or its key) is encrypted and the password
	// is wrong or missing.
	ErrCertPassword = errors.New("vault: wrong password for the client certificate")
)

// maxCertFileBytes caps what is read of a certificate or key file: real
// ones are a few kilobytes.
const maxCertFileBytes = 1 << 20

// CertFileError is a failure to load a client certificate. Its text names
// the file and a safe reason; it never holds the password or any key or
// certificate bytes. Err is ErrBadCertificate, ErrCertPassword or the
// error of reading the file.
type CertFileError struct {
	Path   string
	Err    error
	Detail string // what is wrong, safe to show; may be empty
}

func (e *CertFileError) Error() string {
	msg := "vault: client certificate " + e.Path + ": "
	if e.Detail != "" {
		return msg + e.Detail
	}
	return msg + e.Err.Error()
}

func (e *CertFileError) Unwrap() error { return e.Err }

// certError is a parse failure before the file name is known.
type certError struct {
	err     error // ErrBadCertificate or ErrCertPassword
	detail  string
	keyFile bool // about the separate key file, not the certificate file
}

func (e *certError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *certError) Unwrap() error { return e.err }

func badCert(format string, args ...any) *certError {
	return &certError{err: ErrBadCertificate, detail: fmt.Sprintf(format, args...)}
}

func wrongPassword(detail string) *certError {
	return &certError{err: ErrCertPassword, detail: detail}
}

// LoadClientCertificate reads a client certificate with its private key
// for Credential.Certificate. certPath is a PKCS#12 file (.p12/.pfx; OpenSSL
// 3's default AES-256/PBKDF2 and the legacy 3DES/RC2 encryptions, the CA
// certificates it holds becoming the chain) or a PEM file with the
// certificate (and its chain), recognised by content, not name. A PEM key
// is in the same file or in keyPath: PKCS#1, PKCS#8 or SEC 1 (EC),
// unencrypted or encrypted the traditional OpenSSL way ("Proc-Type:
// 4,ENCRYPTED"); an encrypted PKCS#8 key ("ENCRYPTED PRIVATE KEY") is
// refused with the openssl command that converts it. password opens an
// encrypted file or key; it is not kept.
//
// The key must belong to the certificate. The returned certificate has
// Leaf set and the leaf first in Certificate. Errors are *CertFileError
// (errors.Is ErrBadCertificate, ErrCertPassword, or a file error).
func LoadClientCertificate(certPath, keyPath string, password []byte) (*tls.Certificate, error) {
	certData, err := readCertFile(certPath)
	if err != nil {
		return nil, err
	}
	var keyData []byte
	if keyPath != "" {
		if keyData, err = readCertFile(keyPath); err != nil {
			return nil, err
		}
	}
	cert, err := parseClientCertificate(certData, keyData, keyPath != "", password)
	if err != nil {
		var ce *certError
		if errors.As(err, &ce) {
			path := certPath
			if ce.keyFile {
				path = keyPath
			}
			return nil, &CertFileError{Path: path, Err: ce.err, Detail: ce.detail}
		}
		return nil, &CertFileError{Path: certPath, Err: ErrBadCertificate}
	}
	return cert, nil
}

func readCertFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &CertFileError{Path: path, Err: err, Detail: "cannot open the file"}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFileBytes+1))
	if err != nil {
		return nil, &CertFileError{Path: path, Err: err, Detail: "cannot read the file"}
	}
	if len(data) > maxCertFileBytes {
		return nil, &CertFileError{Path: path, Err: ErrBadCertificate, Detail: "the file is too large for a certificate"}
	}
	return data, nil
}

// parseClientCertificate is LoadClientCertificate on the files' contents.
// separateKey says that keyData came from a key file of its own. Its
// errors are *certError.
func parseClientCertificate(certData, keyData []byte, separateKey bool, password []byte) (*tls.Certificate, error) {
	switch {
	case bytes.Contains(certData, []byte("-----BEGIN ")):
		return parsePEMCertificate(certData, keyData, separateKey, password)
	case len(certData) > 0 && certData[0] == 0x30: // a DER SEQUENCE: PKCS#12
		if separateKey {
			return nil, badCert("a PKCS#12 file holds its own private key: no key file is needed")
		}
		return parsePKCS12(certData, password)
	}
	return nil, badCert("neither a PKCS#12 (.p12, .pfx) nor a PEM file")
}

// parsePKCS12 reads a PKCS#12 file: its key, its certificate and the CA
// certificates it holds.
func parsePKCS12(data, password []byte) (*tls.Certificate, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, string(password))
	if err != nil {
		var ni pkcs12.NotImplementedError
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			return nil, wrongPassword("the PKCS#12 file cannot be opened with this password")
		case errors.As(err, &ni):
			// Fixed texts of the decoder ("only password-protected PFX is
			// implemented"): no file content, no password.
			return nil, badCert("unsupported PKCS#12 file (%s)", strings.TrimPrefix(ni.Error(), "pkcs12: "))
		}
		return nil, badCert("not a readable PKCS#12 file")
	}
	return assembleCertificate(key, append([]*x509.Certificate{leaf}, cas...))
}

// parsePEMCertificate reads PEM certificates and a PEM private key, from
// certData alone or with the key from keyData.
func parsePEMCertificate(certData, keyData []byte, separateKey bool, password []byte) (*tls.Certificate, error) {
	var certs []*x509.Certificate
	var keys []*pem.Block
	for b, rest := pem.Decode(certData); b != nil; b, rest = pem.Decode(rest) {
		switch {
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, badCert("a certificate in the file cannot be read")
			}
			certs = append(certs, c)
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && !separateKey:
			keys = append(keys, b)
		}
	}
	if separateKey {
		for b, rest := pem.Decode(keyData); b != nil; b, rest = pem.Decode(rest) {
			if strings.HasSuffix(b.Type, "PRIVATE KEY") {
				keys = append(keys, b)
			}
		}
	}
	if len(certs) == 0 {
		return nil, badCert("no certificate in the file")
	}
	switch {
	case len(keys) == 0 && separateKey:
		return nil, inKeyFile(badCert("no private key in the key file"))
	case len(keys) == 0:
		return nil, badCert("no private key in the file: pick the key file too")
	case len(keys) > 1:
		return nil, inKey(separateKey, badCert("more than one private key in the file"))
	}
	key, err := parsePEMKey(keys[0], password)
	if err != nil {
		return nil, inKey(separateKey, err)
	}
	return assembleCertificate(key, certs)
}

// parsePEMKey decodes a PEM private key, decrypting a traditional OpenSSL
// encrypted one ("Proc-Type: 4,ENCRYPTED").
func parsePEMKey(b *pem.Block, password []byte) (any, *certError) {
	if b.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, badCert("encrypted PKCS#8 keys (BEGIN ENCRYPTED PRIVATE KEY) are not supported; " +
			"convert certificate and key to PKCS#12: openssl pkcs12 -export -in CERT.pem -inkey KEY.pem -out client.p12")
	}
	der := b.Bytes
	// RFC 1423 encryption is weak by design and its Go functions are
	// deprecated for that reason, but it is how many existing keys are
	// stored; reading one (never writing) is what the user needs.
	//lint:ignore SA1019 reading legacy encrypted keys on purpose (see above)
	encrypted := x509.IsEncryptedPEMBlock(b)
	if encrypted {
		if len(password) == 0 {
			return nil, wrongPassword("the private key is encrypted: its password is needed")
		}
		var err error
		//lint:ignore SA1019 reading legacy encrypted keys on purpose (see above)
		der, err = x509.DecryptPEMBlock(b, password)
		switch {
		case errors.Is(err, x509.IncorrectPasswordError):
			return nil, wrongPassword("the private key cannot be opened with this password")
		case err != nil:
			return nil, badCert("the encrypted private key cannot be read (unsupported encryption)")
		}
	}
	key, ok := parseKeyDER(der)
	switch {
	case !ok && encrypted:
		// The padding check of RFC 1423 lets about one wrong password in
		// 256 through; what it decrypts is then garbage.
		return nil, wrongPassword("the private key cannot be opened with this password")
	case !ok:
		return nil, badCert("the private key cannot be read (PKCS#1, PKCS#8 and EC keys are supported)")
	}
	return key, nil
}

// parseKeyDER tries the DER encodings of a private key, as tls.X509KeyPair
// does.
func parseKeyDER(der []byte) (any, bool) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, true
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, true
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, true
	}
	return nil, false
}

// assembleCertificate checks that key belongs to one of certs and returns
// it as a tls.Certificate: that certificate first (Leaf), the others after
// it in their order (the chain).
func assembleCertificate(key any, certs []*x509.Certificate) (*tls.Certificate, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, badCert("unsupported private key type")
	}
	switch signer.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return nil, badCert("unsupported private key type")
	}
	i := slices.IndexFunc(certs, func(c *x509.Certificate) bool {
		pub, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
		return ok && pub.Equal(signer.Public())
	})
	if i < 0 {
		return nil, badCert("the private key does not belong to the certificate")
	}
	out := &tls.Certificate{PrivateKey: signer, Leaf: certs[i], Certificate: [][]byte{certs[i].Raw}}
	for j, c := range certs {
		if j != i {
			out.Certificate = append(out.Certificate, c.Raw)
		}
	}
	return out, nil
}

func inKeyFile(e *certError) *certError {
	e.keyFile = true
	return e
}

// inKey marks e as the key file's when the key came from one.
func inKey(separateKey bool, e *certError) *certError {
	if separateKey {
		e.keyFile = true
	}
	return e
}

package vault

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Errors of the OS keychain, matched with errors.Is.
var (
	// ErrNotInKeychain: the keychain works and holds nothing for the source.
	ErrNotInKeychain = errors.New("vault: no credential in the OS keychain")
	// ErrKeychainUnavailable: the keychain could not be asked (no Secret
	// Service, no D-Bus session, locked, timed out). It says nothing about
	// whether a credential is stored.
	ErrKeychainUnavailable = errors.New("vault: OS keychain unavailable")
	// ErrKeychainEntry: the keychain holds something for the source that is
	// not a mapvault credential.
	ErrKeychainEntry = errors.New("vault: keychain entry is not a mapvault credential")
)

// Keychain keeps credentials across sessions, when the user asks for it.
type Keychain interface {
	// Get returns src's credential: ErrNotInKeychain when there is none,
	// ErrKeychainUnavailable when the keychain cannot be asked.
	Get(src Source) (Credential, error)
	Set(src Source, c Credential) error
	// Delete removes src's credential; an absent one is not an error.
	Delete(src Source) error
}

// keychainTimeout bounds every call: go-keyring can hang when the D-Bus
// session is half there.
const keychainTimeout = 5 * time.Second

// NewOSKeychain returns the OS keychain (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows) through go-keyring. service names
// the application ("mapvault"); the account is the source; the secret is a
// compact JSON object {"u":..,"p":..,"k":..}.
func NewOSKeychain(service string) Keychain {
	return &osKeychain{
		service: service,
		timeout: keychainTimeout,
		get:     keyring.Get,
		set:     keyring.Set,
		del:     keyring.Delete,
	}
}

// SessionBusReachable reports whether the OS keychain can be asked without
// side effects; callers that find it false use no keychain (and say so)
// instead of NewOSKeychain.
func SessionBusReachable() bool { return sessionBusReachable(runtime.GOOS, os.Getenv, fileExists) }

// sessionBusReachable reports whether the Secret Service can be asked
// without side effects. On Linux and the BSDs go-keyring talks D-Bus, and
// godbus, finding no session bus address, autolaunches a dbus-daemon that
// outlives the process and writes under HOME: so with neither
// DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR/bus the keychain is
// "unavailable" and nothing is started. macOS and Windows have no bus.
func sessionBusReachable(goos string, getenv func(string) string, exists func(string) bool) bool {
	switch goos {
	case "darwin", "windows", "ios", "android":
		return true
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" && exists(filepath.Join(dir, "bus")) {
		return true
	}
	return false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

type osKeychain struct {
	service string
	timeout time.Duration
	get     func(service, user string) (string, error)
	set     func(service, user, secret string) error
	del     func(service, user string) error
	// mu serialises calls: one keychain conversation at a time, so a
	// read after a write sees it (and go-keyring's providers need not be
	// safe for concurrent use). A hung call holds it; later calls time
	// out in turn rather than pile onto the keychain.
	mu sync.Mutex
}

// keychainSecret is the stored form of a Credential. Credential itself
// refuses JSON encoding; this is the one explicit place that encodes it.
// A client certificate is not kept (the file is the user's; only its
// password is, as P); OAuth2 tokens are, when the user opted in.
type keychainSecret struct {
	U string `json:"u,omitempty"`
	P string `json:"p,omitempty"`
	K string `json:"k,omitempty"`
	// OAuth2: access token, refresh token, expiry (Unix seconds).
	A string `json:"a,omitempty"`
	R string `json:"r,omitempty"`
	E int64  `json:"e,omitempty"`
}

func (k *osKeychain) Get(src Source) (Credential, error) {
	var secret string
	err := k.call(func() error {
		var err error
		secret, err = k.get(k.service, string(src))
		return err
	})
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return Credential{}, ErrNotInKeychain
	case err != nil:
		return Credential{}, keychainUnavailable(err, secret)
	}
	var s keychainSecret
	if json.Unmarshal([]byte(secret), &s) != nil {
		return Credential{}, ErrKeychainEntry
	}
	c := Credential{Username: s.U, Password: s.P, Key: s.K}
	if s.A != "" || s.R != "" {
		c.Token = &Token{AccessToken: s.A, RefreshToken: s.R}
		if s.E > 0 {
			c.Token.Expiry = time.Unix(s.E, 0)
		}
	}
	if c.IsZero() {
		return Credential{}, ErrKeychainEntry
	}
	return c, nil
}

func (k *osKeychain) Set(src Source, c Credential) error {
	ks := keychainSecret{U: c.Username, P: c.Password, K: c.Key}
	var tokens []string
	if t := c.Token; t != nil {
		ks.A, ks.R = t.AccessToken, t.RefreshToken
		if !t.Expiry.IsZero() {
			ks.E = t.Expiry.Unix()
		}
		tokens = []string{t.AccessToken, t.RefreshToken}
	}
	data, err := json.Marshal(ks)
	if err != nil {
		return ErrSecretEncoding
	}
	secret := string(data)
	err = k.call(func() error { return k.set(k.service, string(src), secret) })
	if err != nil {
		return keychainUnavailable(err, append(tokens, secret, c.Password, c.Key)...)
	}
	return nil
}

func (k *osKeychain) Delete(src Source) error {
	err := k.call(func() error { return k.del(k.service, string(src)) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return keychainUnavailable(err)
}

// errKeychainTimeout is the cause reported when a call does not return.
var errKeychainTimeout = errors.New("no answer from the keychain")

// call runs f with the keychain timeout. A call that hangs is abandoned (its
// goroutine ends whenever go-keyring returns).
func (k *osKeychain) call(f func() error) error {
	done := make(chan error, 1)
	go func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		done <- f()
	}()
	t := time.NewTimer(k.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errKeychainTimeout
	}
}

// keychainError is ErrKeychainUnavailable with its cause; the cause's text
// is shown only when it cannot contain one of the secrets.
type keychainError struct {
	cause  error
	detail string
}

func keychainUnavailable(cause error, secrets ...string) error {
	detail := cause.Error()
	for _, s := range secrets {
		if s != "" && strings.Contains(detail, s) {
			detail = "(details hidden: they contained the secret)"
			break
		}
	}
	return &keychainError{cause: cause, detail: RedactText(detail)}
}

func (e *keychainError) Error() string {
	return ErrKeychainUnavailable.Error() + ": " + e.detail
}

func (e *keychainError) Unwrap() []error { return []error{ErrKeychainUnavailable, e.cause} }

// errNoSessionBus is the cause NoKeychain reports.
var errNoSessionBus = errors.New("no D-Bus session: the Secret Service cannot be asked")

// NoKeychain stands in for the OS keychain where it cannot be asked
// without side effects (see SessionBusReachable): every call is
// ErrKeychainUnavailable, so callers say so and ask the user.
type NoKeychain struct{}

func (NoKeychain) Get(Source) (Credential, error) {
	return Credential{}, &keychainError{cause: errNoSessionBus, detail: errNoSessionBus.Error()}
}

func (NoKeychain) Set(Source, Credential) error {
	return &keychainError{cause: errNoSessionBus, detail: errNoSessionBus.Error()}
}

func (NoKeychain) Delete(Source) error { return nil }

// OSKeychainOrNone returns the OS keychain when it can be asked without
// side effects, else NoKeychain.
func OSKeychainOrNone(service string) Keychain {
	if !SessionBusReachable() {
		return NoKeychain{}
	}
	return NewOSKeychain(service)
}

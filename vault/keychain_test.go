package vault

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// Tests here swap go-keyring's process-wide provider, so none is parallel;
// each leaves a clean mock behind, never the real keychain.

func TestOSKeychainRoundTrip(t *testing.T) {
	t.Cleanup(keyring.MockInit)
	keyring.MockInit()
	kc := NewOSKeychain("mapvault-test")
	src := Source("https://maps.example.org:443/wms")
	if _, err := kc.Get(src); !errors.Is(err, ErrNotInKeychain) {
		t.Fatalf("Get(empty) error = %v, want ErrNotInKeychain", err)
	}
	if errors.Is(ErrNotInKeychain, ErrKeychainUnavailable) || errors.Is(ErrKeychainUnavailable, ErrNotInKeychain) {
		t.Fatal("ErrNotInKeychain and ErrKeychainUnavailable match each other")
	}
	tests := []Credential{
		{Username: "ann", Password: `p"ä\ss{}`},
		{Key: "e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d"},
		{Username: "bob"},
	}
	for _, want := range tests {
		if err := kc.Set(src, want); err != nil {
			t.Fatalf("Set(%v): %v", want, err)
		}
		got, err := kc.Get(src)
		if err != nil || got != want {
			t.Errorf("Get after Set(%v) = %v, %v; fields %q, want the same", want, got, err, [3]string{got.Username, got.Password, got.Key})
		}
	}
	other := Source("https://other.example.org:443/wms")
	if _, err := kc.Get(other); !errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Get(other source) error = %v, want ErrNotInKeychain", err)
	}
	if err := kc.Delete(src); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kc.Get(src); !errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Get after Delete error = %v, want ErrNotInKeychain", err)
	}
	if err := kc.Delete(src); err != nil {
		t.Errorf("Delete(absent) = %v, want nil", err)
	}
}

func TestOSKeychainStoredForm(t *testing.T) {
	t.Cleanup(keyring.MockInit)
	keyring.MockInit()
	kc := NewOSKeychain("mapvault-test")
	src := Source("https://h:443/wms")
	if err := kc.Set(src, Credential{Username: "ann", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	got, err := keyring.Get("mapvault-test", string(src))
	if want := `{"u":"ann","p":"pw"}`; err != nil || got != want {
		t.Errorf("stored secret = %q, %v, want %q", got, err, want)
	}
	for _, bad := range []string{"plain", `{"x":1}`, `{}`} {
		if err := keyring.Set("mapvault-test", string(src), bad); err != nil {
			t.Fatal(err)
		}
		if c, err := kc.Get(src); !errors.Is(err, ErrKeychainEntry) || !c.IsZero() || strings.Contains(err.Error(), bad) {
			t.Errorf("Get(stored %q) = %v, %v, want ErrKeychainEntry without the content", bad, c, err)
		}
	}
}

func TestOSKeychainUnavailable(t *testing.T) {
	t.Cleanup(keyring.MockInit)
	causes := []error{
		errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
		errors.New("dial unix /run/user/0/bus: connect: no such file or directory"),
		errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files"),
	}
	src := Source("https://h:443/wms")
	for _, cause := range causes {
		keyring.MockInitWithError(cause)
		kc := NewOSKeychain("mapvault-test")
		_, err := kc.Get(src)
		if !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrNotInKeychain) {
			t.Errorf("Get with %q = %v, want ErrKeychainUnavailable only", cause, err)
		}
		if !errors.Is(err, cause) {
			t.Errorf("Get error %v does not wrap its cause", err)
		}
		if err := kc.Set(src, Credential{Key: "k"}); !errors.Is(err, ErrKeychainUnavailable) {
			t.Errorf("Set with %q = %v, want ErrKeychainUnavailable", cause, err)
		}
		if err := kc.Delete(src); !errors.Is(err, ErrKeychainUnavailable) {
			t.Errorf("Delete with %q = %v, want ErrKeychainUnavailable", cause, err)
		}
	}
	keyring.MockInitWithError(keyring.ErrNotFound)
	if _, err := NewOSKeychain("x").Get(src); !errors.Is(err, ErrNotInKeychain) || errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Get with ErrNotFound = %v, want ErrNotInKeychain only", err)
	}
}

func TestOSKeychainErrorHidesSecret(t *testing.T) {
	t.Cleanup(keyring.MockInit)
	const secret = "Zq7xW2pL9mK4vB8nC3tR6yH1"
	for _, cause := range []error{
		errors.New("failed to store " + secret), // the backend echoes the secret
		errors.New(`write "https://h/wms?token=` + secret + `": broken pipe`),
	} {
		keyring.MockInitWithError(cause)
		err := NewOSKeychain("x").Set("https://h:443/wms", Credential{Key: secret})
		if !errors.Is(err, ErrKeychainUnavailable) || strings.Contains(err.Error(), secret) {
			t.Errorf("Set error = %q, want ErrKeychainUnavailable without the secret", err)
		}
	}
}

func TestOSKeychainTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	kc := &osKeychain{
		service: "x",
		timeout: 20 * time.Millisecond,
		get:     func(string, string) (string, error) { <-block; return "", nil },
		set:     func(string, string, string) error { <-block; return nil },
		del:     func(string, string) error { <-block; return nil },
	}
	start := time.Now()
	if _, err := kc.Get("https://h:443/"); !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Get on a hanging keychain = %v, want ErrKeychainUnavailable", err)
	}
	if err := kc.Set("https://h:443/", Credential{Key: "k"}); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Set on a hanging keychain = %v, want ErrKeychainUnavailable", err)
	}
	if err := kc.Delete("https://h:443/"); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Delete on a hanging keychain = %v, want ErrKeychainUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("three timed-out calls took %v, want about 60ms", d)
	}
}

// TestOSKeychainToken: OAuth2 tokens the user chose to remember come back
// with their expiry.
func TestOSKeychainToken(t *testing.T) {
	t.Cleanup(keyring.MockInit)
	keyring.MockInit()
	kc := NewOSKeychain("mapvault-test")
	src := Source("https://h:443/wms")
	exp := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if err := kc.Set(src, Credential{Token: &Token{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: exp}}); err != nil {
		t.Fatal(err)
	}
	got, err := kc.Get(src)
	if err != nil || got.Token == nil || got.Token.AccessToken != "at-1" || got.Token.RefreshToken != "rt-1" || !got.Token.Expiry.Equal(exp) {
		t.Fatalf("Get = %v %v, want the tokens back", got, err)
	}
	if got.Username != "" || got.Password != "" || got.Key != "" {
		t.Errorf("Get = %v, want tokens only", got)
	}
}

// TestSessionBusReachable: with no D-Bus session the keychain is not
// asked (godbus would autolaunch a dbus-daemon that outlives the process).
func TestSessionBusReachable(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	none := func(string) bool { return false }
	for _, tt := range []struct {
		goos string
		env  map[string]string
		bus  bool
		want bool
	}{
		{"linux", nil, false, false},
		{"linux", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1/bus"}, false, true},
		{"linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1"}, true, true},
		{"linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1"}, false, false},
		{"darwin", nil, false, true},
		{"windows", nil, false, true},
	} {
		exists := none
		if tt.bus {
			exists = func(p string) bool { return p == "/run/user/1/bus" }
		}
		if got := sessionBusReachable(tt.goos, env(tt.env), exists); got != tt.want {
			t.Errorf("sessionBusReachable(%s, %v, bus %v) = %v, want %v", tt.goos, tt.env, tt.bus, got, tt.want)
		}
	}
}

func TestNoKeychain(t *testing.T) {
	var k Keychain = NoKeychain{}
	if _, err := k.Get("https://h:443/"); !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrNotInKeychain) {
		t.Errorf("NoKeychain.Get = %v, want ErrKeychainUnavailable", err)
	}
	if err := k.Set("https://h:443/", Credential{Key: "k"}); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("NoKeychain.Set = %v, want ErrKeychainUnavailable", err)
	}
}

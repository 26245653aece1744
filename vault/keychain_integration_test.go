package vault

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// The integration tests talk to a real Secret Service. Run them with
//
//	.ci/with-keyring.sh env MAPVAULT_KEYRING_IT=1 go test -run Keychain -v ./vault/
//
// which starts a private D-Bus session and an unlocked gnome-keyring.
func keyringIT(t *testing.T) {
	t.Helper()
	if os.Getenv("MAPVAULT_KEYRING_IT") != "1" {
		t.Skip("real keychain test: set MAPVAULT_KEYRING_IT=1 and run under .ci/with-keyring.sh")
	}
}

func TestKeychainIntegrationRoundTrip(t *testing.T) {
	keyringIT(t)
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("MAPVAULT_KEYRING_IT=1 but no D-Bus session: run under .ci/with-keyring.sh")
	}
	kc := NewOSKeychain("mapvault-it")
	src := Source("https://maps.example.org:443/wms")
	t.Cleanup(func() { _ = kc.Delete(src) })
	if err := kc.Delete(src); err != nil {
		t.Fatalf("Delete before the test: %v", err)
	}
	if _, err := kc.Get(src); !errors.Is(err, ErrNotInKeychain) {
		t.Fatalf("Get(absent) = %v, want ErrNotInKeychain", err)
	}
	for _, want := range []Credential{{Username: "ann", Password: "pä ss\"w0rd"}, {Key: "e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d"}} {
		if err := kc.Set(src, want); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := kc.Get(src)
		if err != nil || got != want {
			t.Fatalf("Get after Set = %v, %v, want %v", got, err, want)
		}
	}
	// Ask the Secret Service directly, so this cannot pass against a mock.
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Log("secret-tool not installed: not checking the stored item directly")
	} else {
		out, err := exec.Command("secret-tool", "lookup", "service", "mapvault-it", "username", string(src)).Output()
		if want := `{"k":"e29e9b2f-0b8a-4a1e-9c67-2f33ac8e0f7d"}`; err != nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("secret-tool lookup = %q, %v, want %q", out, err, want)
		}
	}
	if err := kc.Delete(src); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kc.Get(src); !errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Get after Delete = %v, want ErrNotInKeychain", err)
	}
	if err := kc.Delete(src); err != nil {
		t.Errorf("Delete(absent) = %v, want nil", err)
	}
}

// TestKeychainIntegrationNoBus checks that a dead D-Bus address reads as
// "keychain unavailable", never as "no secret". godbus keeps one session
// connection per process, so the check runs in a fresh test process.
func TestKeychainIntegrationNoBus(t *testing.T) {
	keyringIT(t)
	if os.Getenv("MAPVAULT_KEYRING_NOBUS_CHILD") == "1" {
		kc := NewOSKeychain("mapvault-it")
		_, err := kc.Get("https://maps.example.org:443/wms")
		if !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrNotInKeychain) || errors.Is(err, keyring.ErrNotFound) {
			t.Fatalf("Get without a bus = %v, want ErrKeychainUnavailable", err)
		}
		t.Logf("without a bus: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKeychainIntegrationNoBus$", "-test.v")
	// An explicit, dead bus address: godbus must not autolaunch a daemon.
	cmd.Env = append(os.Environ(), "MAPVAULT_KEYRING_NOBUS_CHILD=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/mapvault-no-bus")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child test failed: %v", err)
	}
	if !strings.Contains(string(out), "without a bus: "+ErrKeychainUnavailable.Error()) {
		t.Fatal("child did not report ErrKeychainUnavailable")
	}
}

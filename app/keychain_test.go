package app

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"mapvault/assets/demo"
	"mapvault/vault"
)

// withKeychain gives the harness the real OS keychain code over
// go-keyring's in-memory mock.
func (h *harness) withKeychain() vault.Keychain {
	kc := vault.NewOSKeychain("mapvault-test")
	h.a.svc.Keychain = kc
	return kc
}

func TestKeychainCredentialUnlocksWithoutPrompt(t *testing.T) {
	keyring.MockInit()
	h := newHarness(t)
	kc := h.withKeychain()
	path := writeBasicProject(t, h.startDemo())
	src, _ := vault.SourceOf(h.base + demo.BasicPath)
	if err := kc.Set(src, vault.Credential{Username: demo.BasicUser, Password: demo.BasicPassword}); err != nil {
		t.Fatal(err)
	}
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "A and C drawn from the keychain credential", func() bool { return len(h.drawn()) == 2 && h.settled() })
	if h.a.prompts.Current() != nil {
		t.Errorf("prompted although the keychain had the credential")
	}
}

func TestKeychainUnavailableIsQuietAndAsks(t *testing.T) {
	keyring.MockInitWithError(errors.New("dial unix /run/user/0/bus: no such file"))
	t.Cleanup(keyring.MockInit)
	h := newHarness(t)
	h.withKeychain()
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	if note := h.a.status.note.Text; !strings.Contains(note, "keychain unavailable") {
		t.Errorf("status note = %q, want a keychain-unavailable note", note)
	}
}

func TestRememberStoresInKeychain(t *testing.T) {
	keyring.MockInit()
	h := newHarness(t)
	kc := h.withKeychain()
	path := writeBasicProject(t, h.startDemo())
	if err := h.a.OpenFile(path); err != nil {
		t.Fatal(err)
	}
	h.q.waitFor(t, "the prompt", func() bool { return h.a.prompts.Current() != nil })
	p := h.a.prompts.Current()
	fillPrompt(t, p, true)
	test.Tap(p.remember)
	test.Tap(p.submit)
	src, _ := vault.SourceOf(h.base + demo.BasicPath)
	h.q.waitFor(t, "the credential in the keychain", func() bool {
		c, err := kc.Get(src)
		return err == nil && c.Password == demo.BasicPassword
	})
}

package app

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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

// slowKeychain answers "not in the keychain" after a delay per source.
type slowKeychain struct {
	delay func(vault.Source) time.Duration
}

func (k slowKeychain) Get(src vault.Source) (vault.Credential, error) {
	time.Sleep(k.delay(src))
	return vault.Credential{}, vault.ErrNotInKeychain
}
func (slowKeychain) Set(vault.Source, vault.Credential) error { return nil }
func (slowKeychain) Delete(vault.Source) error                { return nil }

// TestPromptsInStableOrder: the demo's protected sources are asked for in
// the panel's order (top first) however the keychain answers.
func TestPromptsInStableOrder(t *testing.T) {
	for _, slowFirst := range []bool{true, false} {
		h := newHarness(t)
		h.a.svc.Keychain = slowKeychain{delay: func(src vault.Source) time.Duration {
			if strings.HasSuffix(string(src), demo.KeyPath) == slowFirst {
				return 80 * time.Millisecond
			}
			return 0
		}}
		h.openDemo()
		asked := h.unlockAll()
		// The protected sources in the panel's order: the project lists
		// layers bottom first.
		var want []vault.Source
		ls := h.a.doc.proj.Layers
		for i := len(ls) - 1; i >= 0; i-- {
			src, ok := h.a.doc.sourceOf(&ls[i])
			if ok && !strings.Contains(string(src), demo.PublicPath) && !strings.Contains(string(src), demo.TilesPath) && !slices.Contains(want, src) {
				want = append(want, src)
			}
		}
		if !slices.Equal(asked, want) {
			t.Errorf("slow key source %v: asked %v, want the panel's order %v", slowFirst, asked, want)
		}
	}
}

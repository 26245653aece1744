package vault

import (
	"errors"
	"sync"
)

// Errors a caller tests with errors.Is.
var (
	// ErrNoCredentials: the source needs authentication and the session has
	// no credential for it. Nothing was sent.
	ErrNoCredentials = errors.New("vault: needs credentials")
	// ErrRejected: the server rejected the session's credential for this
	// source. It is not sent again until the user enters a new one.
	ErrRejected = errors.New("vault: credentials rejected")
	// ErrSecretEncoding: an attempt to serialise a Credential.
	ErrSecretEncoding = errors.New("vault: refusing to encode a secret")
)

// Status is what the session knows about a source's credential. It is never
// persisted: every session starts with StatusUnknown.
type Status int

const (
	StatusNone     Status = iota // no credential entered
	StatusUnknown                // entered, not yet confirmed by the server
	StatusVerified               // the server accepted it
	StatusRejected               // the server rejected it: do not send again
)

func (s Status) String() string {
	switch s {
	case StatusUnknown:
		return "unverified"
	case StatusVerified:
		return "verified"
	case StatusRejected:
		return "rejected"
	default:
		return "none"
	}
}

// Store is the session credential store: in memory, keyed by source, safe for
// concurrent use. One credential unlocks every layer of its source.
type Store struct {
	mu      sync.Mutex
	entries map[Source]*storeEntry
	watch   []func(Source, Status)
	gen     uint64 // bumped by every Set
}

type storeEntry struct {
	cred   Credential
	status Status
	gen    uint64 // identifies this credential: a new Set gets a new one
}

// NewStore returns an empty session store.
func NewStore() *Store { return &Store{entries: map[Source]*storeEntry{}} }

// Set records a credential for src with StatusUnknown, replacing any earlier
// one (including a rejected one: a new credential gets a new chance).
func (s *Store) Set(src Source, c Credential) {
	s.mu.Lock()
	s.gen++
	s.entries[src] = &storeEntry{cred: c, status: StatusUnknown, gen: s.gen}
	w := s.watchers()
	s.mu.Unlock()
	notify(w, src, StatusUnknown)
}

// Get returns the credential for src and its status. A rejected credential is
// returned with StatusRejected; callers must not send it.
func (s *Store) Get(src Source) (Credential, Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[src]
	if !ok {
		return Credential{}, StatusNone
	}
	return e.cred, e.status
}

// entry returns src's credential, status and generation (0 when none).
func (s *Store) entry(src Source) (Credential, Status, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[src]
	if !ok {
		return Credential{}, StatusNone, 0
	}
	return e.cred, e.status, e.gen
}

// markIf sets src's status to st only while its credential is still the one
// of generation gen (the user may have entered a new one meanwhile). It
// reports whether it changed anything.
func (s *Store) markIf(src Source, gen uint64, st Status) bool {
	s.mu.Lock()
	e, ok := s.entries[src]
	if !ok || e.gen != gen || e.status == st || e.status == StatusRejected {
		s.mu.Unlock()
		return false
	}
	e.status = st
	w := s.watchers()
	s.mu.Unlock()
	notify(w, src, st)
	return true
}

// SetToken replaces the OAuth2 tokens of src's credential after a refresh,
// keeping its status and generation (the same sign-in, renewed).
func (s *Store) SetToken(src Source, gen uint64, t *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[src]; ok && e.gen == gen {
		e.cred.Token = t
	}
}

// Secrets lists every form of every credential in the store
// (CredentialSecrets: passwords, keys, their encodings, OAuth2 tokens),
// rejected ones included, for scrubbing what a server sends before it is
// shown (Scrub). Tokens a token service issued live with the transport:
// ClientSecrets adds them.
func (s *Store) Secrets() []string {
	s.mu.Lock()
	creds := make([]Credential, 0, len(s.entries))
	for _, e := range s.entries {
		creds = append(creds, e.cred)
	}
	s.mu.Unlock()
	var out []string
	for _, c := range creds {
		out = append(out, CredentialSecrets(c)...)
	}
	return out
}

// Status returns only the status for src.
func (s *Store) Status(src Source) Status {
	_, st := s.Get(src)
	return st
}

// MarkVerified records that the server accepted src's credential.
func (s *Store) MarkVerified(src Source) { s.mark(src, StatusVerified) }

// MarkRejected records that the server rejected src's credential. From now
// on the transport refuses to send it (lockout safety).
func (s *Store) MarkRejected(src Source) { s.mark(src, StatusRejected) }

func (s *Store) mark(src Source, st Status) {
	s.mu.Lock()
	e, ok := s.entries[src]
	if !ok || e.status == st {
		s.mu.Unlock()
		return
	}
	e.status = st
	w := s.watchers()
	s.mu.Unlock()
	notify(w, src, st)
}

// Forget removes src's credential from the session.
func (s *Store) Forget(src Source) {
	s.mu.Lock()
	_, ok := s.entries[src]
	delete(s.entries, src)
	w := s.watchers()
	s.mu.Unlock()
	if ok {
		notify(w, src, StatusNone)
	}
}

// Clear wipes every credential (on exit or when a project is closed).
func (s *Store) Clear() {
	s.mu.Lock()
	srcs := make([]Source, 0, len(s.entries))
	for src := range s.entries {
		srcs = append(srcs, src)
	}
	clear(s.entries)
	w := s.watchers()
	s.mu.Unlock()
	for _, src := range srcs {
		notify(w, src, StatusNone)
	}
}

// Watch registers f to be called (outside the store's lock, on the calling
// goroutine of the change) whenever a source's status changes. The UI uses it
// to block or unblock layers.
func (s *Store) Watch(f func(Source, Status)) {
	s.mu.Lock()
	s.watch = append(s.watch, f)
	s.mu.Unlock()
}

func (s *Store) watchers() []func(Source, Status) {
	out := make([]func(Source, Status), len(s.watch))
	copy(out, s.watch)
	return out
}

func notify(w []func(Source, Status), src Source, st Status) {
	for _, f := range w {
		f(src, st)
	}
}

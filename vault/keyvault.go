package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"mapvault/project"
)

// KeyVault file format marker and the newest version this package reads.
const (
	KeyVaultFormat  = "mapvault-keyvault"
	KeyVaultVersion = 2
)

// Errors of the KeyVault file, matched with errors.Is (the positioned
// *project.SyntaxError wraps them).
var (
	// ErrNotKeyVault: the file is not a mapvault KeyVault (no or another
	// "format" marker, or not a JSON object).
	ErrNotKeyVault = errors.New("vault: not a mapvault keyvault file")
	// ErrNewerKeyVault: the file was written by a newer mapvault.
	ErrNewerKeyVault = errors.New("vault: keyvault file written by a newer version")
	// ErrInvalidEntry: Marshal was handed an entry that would not parse back
	// (unknown method, missing or malformed param, non-canonical source).
	ErrInvalidEntry = errors.New("vault: invalid keyvault entry")
)

// Method is how a source expects its credential.
type Method string

// The authentication methods a KeyVault records. Each is a Scheme in the
// registry (scheme.go); the registry, not this list, decides what is known.
const (
	MethodNone       Method = "none"        // no authentication
	MethodBasic      Method = "basic"       // HTTP Basic (username and password)
	MethodDigest     Method = "digest"      // HTTP Digest (username and password)
	MethodQuery      Method = "query"       // access key in a query parameter (Entry.Param)
	MethodHeader     Method = "header"      // access key in a request header (Entry.Param)
	MethodToken      Method = "token"       // a credential exchanged at Entry.TokenURL for a short-lived token
	MethodOAuth2     Method = "oauth2"      // OAuth2 / OpenID Connect (Entry.Issuer, Entry.ClientID)
	MethodClientCert Method = "client-cert" // a TLS client certificate
)

// Entry is what the KeyVault knows about one source: whether it needs
// authentication and how. It has no field that could hold a secret, and no
// session status (verified or rejected is known only to the session Store).
type Entry struct {
	AuthRequired bool
	Method       Method
	// Param is the query parameter name (MethodQuery) or the header name
	// (MethodHeader). The header "Authorization" carries "Bearer <key>";
	// any other header carries the raw key. For MethodToken it is the query
	// parameter the token goes in (when empty: "token" for ArcGIS, the
	// name of the answer field the access key came in for an exchange).
	Param string
	// TokenURL is the token service (MethodToken): ArcGIS generateToken, or
	// the URL where a secret key is exchanged for an access key.
	TokenURL string
	// TokenKind is "arcgis" or "exchange" (MethodToken).
	TokenKind string
	// TokenField is the JSON field of the exchange answer that holds the
	// access key (MethodToken, kind exchange); empty means the usual names.
	TokenField string
	// Issuer, ClientID and Scope are the OAuth2 authorization server, the
	// client id mapvault is registered as, and the space-separated scopes.
	Issuer   string
	ClientID string
	Scope    string
	// SignIn: the user marked the source "requires sign-in", so an
	// anonymous answer (a server showing only its public layers) does not
	// end detection.
	SignIn bool
	// LastConfirmed is when a server last accepted a credential sent this
	// way; zero when never confirmed. Kept in UTC at one-second precision.
	LastConfirmed time.Time
}

// KeyVault records, per source, how it authenticates. It is saved beside the
// project (see SidecarPath) and is safe for concurrent use.
type KeyVault struct {
	mu      sync.Mutex
	entries map[Source]Entry
}

// NewKeyVault returns an empty KeyVault.
func NewKeyVault() *KeyVault { return &KeyVault{entries: map[Source]Entry{}} }

// Get returns the entry for src.
func (kv *KeyVault) Get(src Source) (Entry, bool) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e, ok := kv.entries[src]
	return e, ok
}

// Set records e for src, replacing any earlier entry. LastConfirmed is
// normalised to UTC and whole seconds, so that what Get returns is what a
// saved and reloaded vault returns.
func (kv *KeyVault) Set(src Source, e Entry) {
	if !e.LastConfirmed.IsZero() {
		e.LastConfirmed = e.LastConfirmed.UTC().Truncate(time.Second)
	}
	if e.Method == "" {
		e.Method = MethodNone
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.entries == nil {
		kv.entries = map[Source]Entry{}
	}
	kv.entries[src] = e
}

// Delete removes src's entry.
func (kv *KeyVault) Delete(src Source) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	delete(kv.entries, src)
}

// Sources returns the recorded sources, sorted.
func (kv *KeyVault) Sources() []Source {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	out := make([]Source, 0, len(kv.entries))
	for src := range kv.entries {
		out = append(out, src)
	}
	slices.Sort(out)
	return out
}

// Clone returns a copy of kv.
func (kv *KeyVault) Clone() *KeyVault {
	return &KeyVault{entries: kv.snapshot()}
}

func (kv *KeyVault) snapshot() map[Source]Entry {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	m := make(map[Source]Entry, len(kv.entries))
	for src, e := range kv.entries {
		m[src] = e
	}
	return m
}

// ApplyChanges makes in kv the changes that turned base into changed: an
// entry added or changed there is set here, one removed there is removed
// here, and every other entry keeps kv's value. A front end that read the
// vault (base, cloned), worked with it for a while (changed: the same vault
// after auth detection) and must now save it over a newer copy on disk
// (kv, read again under the project's lock) keeps both its own changes and
// the newer ones.
func (kv *KeyVault) ApplyChanges(base, changed *KeyVault) {
	before, after := base.snapshot(), changed.snapshot()
	for src, e := range after {
		if b, ok := before[src]; !ok || !sameEntry(b, e) {
			kv.Set(src, e)
		}
	}
	for src := range before {
		if _, ok := after[src]; !ok {
			kv.Delete(src)
		}
	}
}

// sameEntry compares entries (LastConfirmed as an instant).
func sameEntry(a, b Entry) bool {
	ta, tb := a.LastConfirmed, b.LastConfirmed
	a.LastConfirmed, b.LastConfirmed = time.Time{}, time.Time{}
	return a == b && ta.Equal(tb)
}

// SidecarPath returns the KeyVault path saved beside a project:
// "flood.mapvault.json" -> "flood.keyvault.json"; otherwise the last
// extension is replaced: "x.json" -> "x.keyvault.json", "x" ->
// "x.keyvault.json".
func SidecarPath(projectPath string) string {
	dir, base := filepath.Split(projectPath)
	const mv = ".mapvault.json"
	switch ext := filepath.Ext(base); {
	case len(base) > len(mv) && strings.EqualFold(base[len(base)-len(mv):], mv):
		base = base[:len(base)-len(mv)]
	case ext != "" && ext != base:
		base = base[:len(base)-len(ext)]
	}
	return dir + base + ".keyvault.json"
}

// MaxKeyVaultSize is the largest KeyVault file LoadKeyVault reads: 4 MiB.
// An entry is a line of about 100 bytes, so this holds tens of thousands of
// sources and only stops a wrong or hostile file from taking all the memory.
const MaxKeyVaultSize = 4 << 20

// LoadKeyVault reads the KeyVault at path. A missing file is an empty vault.
// A file larger than MaxKeyVaultSize is not read: the error is a
// *project.TooLargeError (matching project.ErrTooLarge) naming the file.
func LoadKeyVault(path string) (*KeyVault, error) {
	data, err := project.ReadFile(path, MaxKeyVaultSize)
	if errors.Is(err, fs.ErrNotExist) {
		return NewKeyVault(), nil
	}
	if err != nil {
		return nil, err
	}
	return ParseKeyVault(path, data)
}

// Save writes the vault to path atomically with mode 0600.
func (kv *KeyVault) Save(path string) error {
	data, err := kv.Marshal()
	if err != nil {
		return err
	}
	return project.WriteFileAtomic(path, data, 0o600)
}

// Marshal returns the vault as its JSON file: sources sorted, one entry per
// line, a trailing newline. It refuses (ErrInvalidEntry) an entry that
// ParseKeyVault would reject, so a saved vault always loads.
func (kv *KeyVault) Marshal() ([]byte, error) {
	kv.mu.Lock()
	srcs := make([]Source, 0, len(kv.entries))
	for src := range kv.entries {
		srcs = append(srcs, src)
	}
	slices.Sort(srcs)
	entries := make([]Entry, len(srcs))
	for i, src := range srcs {
		entries[i] = kv.entries[src]
	}
	kv.mu.Unlock()

	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"format\": %q,\n  \"version\": %d,\n  \"sources\": {", KeyVaultFormat, KeyVaultVersion)
	for i, src := range srcs {
		e := entries[i]
		if msg := kvCheckSource(string(src)); msg != "" {
			return nil, fmt.Errorf("%w: %s", ErrInvalidEntry, msg)
		}
		if canon, err := SourceOf(string(src)); err != nil || canon != src {
			return nil, fmt.Errorf("%w: source %s is not canonical", ErrInvalidEntry, RedactURL(string(src)))
		}
		if msg := kvCheckEntry(e); msg != "" {
			return nil, fmt.Errorf("%w: %s: %s", ErrInvalidEntry, src, msg)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		kvWriteString(&b, string(src))
		fmt.Fprintf(&b, ": {\"auth_required\": %t, \"method\": ", e.AuthRequired)
		kvWriteString(&b, string(e.Method))
		for _, f := range entryFields {
			if v := *f.get(&e); v != "" {
				fmt.Fprintf(&b, ", %q: ", f.name)
				kvWriteString(&b, v)
			}
		}
		if e.SignIn {
			b.WriteString(", \"sign_in\": true")
		}
		if !e.LastConfirmed.IsZero() {
			b.WriteString(", \"last_confirmed\": ")
			kvWriteString(&b, e.LastConfirmed.UTC().Format(time.RFC3339))
		}
		b.WriteByte('}')
	}
	if len(srcs) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("}\n}\n")
	return b.Bytes(), nil
}

func kvWriteString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always encodes
	b.Write(enc)
}

// kvCheckEntry returns what is wrong with e, or "": the method must be a
// registered scheme, which judges its own parameters.
func kvCheckEntry(e Entry) string {
	sch, ok := SchemeFor(e.Method)
	if !ok {
		return fmt.Sprintf("unknown method %s (want one of %s)", kvQuote(string(e.Method)), strings.Join(methodNames(), ", "))
	}
	return sch.Check(e)
}

// entryField is one string parameter of an entry: its name in the file and
// where it lives in Entry. Which ones a method takes is its scheme's Check.
type entryField struct {
	name string
	get  func(*Entry) *string
}

var entryFields = []entryField{
	{"param", func(e *Entry) *string { return &e.Param }},
	{"token_url", func(e *Entry) *string { return &e.TokenURL }},
	{"token_kind", func(e *Entry) *string { return &e.TokenKind }},
	{"token_field", func(e *Entry) *string { return &e.TokenField }},
	{"issuer", func(e *Entry) *string { return &e.Issuer }},
	{"client_id", func(e *Entry) *string { return &e.ClientID }},
	{"scope", func(e *Entry) *string { return &e.Scope }},
}

// checkOnly reports a string parameter of e that its method does not take
// (every field not named in allowed must be empty).
func checkOnly(e Entry, allowed ...string) string {
	for _, f := range entryFields {
		if *f.get(&e) != "" && !slices.Contains(allowed, f.name) {
			return fmt.Sprintf("method %q takes no %s", e.Method, f.name)
		}
	}
	return ""
}

// checkNoParams is checkOnly for methods without parameters.
func checkNoParams(e Entry) string { return checkOnly(e) }

// checkName validates a parameter or header name field: an RFC 7230 token
// of at most 64 bytes that does not look like a secret itself.
func checkName(field, v string) string {
	if !kvValidToken(v) {
		return fmt.Sprintf("%s %s is not a valid name (letters, digits and !#$%%&'*+-.^_`|~, at most 64 bytes)", field, kvQuote(v))
	}
	if LooksSecret(v) {
		return field + " looks like a secret, not a parameter or header name"
	}
	return ""
}

// checkURLField validates a URL field (a token service, an issuer): http(s),
// no user information, query or fragment, so it cannot carry a secret.
func checkURLField(field, v string, required bool) string {
	if v == "" {
		if required {
			return "needs a " + field
		}
		return ""
	}
	if msg := kvCheckSource(v); msg != "" {
		return field + ": " + strings.Replace(msg, "source ", "", 1)
	}
	if _, err := SourceOf(v); err != nil {
		return field + " is not an http(s) URL"
	}
	return ""
}

// kvCheckSource rejects a source key that could carry a secret. The message
// never repeats the key.
func kvCheckSource(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return "source is not an http(s) URL"
	}
	rest := s[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	switch {
	case strings.Contains(rest, "@"):
		return "source has user information (it could carry a secret)"
	case strings.ContainsAny(s, "?#"):
		return "source has a query or fragment (it could carry a secret)"
	}
	return ""
}

// kvQuote quotes a value from a file for an error message, unless it could
// be a secret.
func kvQuote(s string) string {
	if len(s) > 64 || LooksSecret(s) {
		return "(value hidden)"
	}
	return strconv.Quote(s)
}

// kvValidToken reports whether s is an RFC 7230 token of at most 64 bytes.
func kvValidToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// ParseKeyVault parses a KeyVault file. name is used in error messages,
// which are *project.SyntaxError values with 1-based line and column.
//
// Fields the vault does not know, at the top level or inside an entry, are
// dropped: the vault never round-trips data it does not understand, because
// that data could be a secret.
func ParseKeyVault(name string, data []byte) (*KeyVault, error) {
	fail := func(off int, err error, format string, args ...any) error {
		line, col := project.Position(data, off)
		return &project.SyntaxError{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: err}
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		off := len(data)
		if errors.As(err, &se) {
			off = int(se.Offset)
			if off > 0 && !strings.Contains(se.Error(), "unexpected end") {
				off-- // the offset is after the offending byte
			}
		}
		return nil, fail(off, nil, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	start := kvSkip(data, 0)
	if _, ok := probe.(map[string]any); !ok {
		return nil, fail(start, ErrNotKeyVault, "not a mapvault keyvault file (not a JSON object)")
	}
	top, err := kvMembers(data, start)
	if err != nil {
		return nil, fail(start, nil, "%v", err)
	}
	seen := map[string]bool{}
	var format string
	var version int64
	var formatOff, versionOff = start, start
	var sources *kvMember
	for i := range top {
		m := &top[i]
		if seen[m.key] {
			return nil, fail(m.keyOff, nil, "duplicate field %s", kvQuote(m.key))
		}
		seen[m.key] = true
		switch m.key {
		case "format":
			formatOff = m.valOff
			if json.Unmarshal(m.raw, &format) != nil {
				return nil, fail(m.valOff, ErrNotKeyVault, "\"format\" must be the string %q", KeyVaultFormat)
			}
		case "version":
			versionOff = m.valOff
			v, err := strconv.ParseInt(string(m.raw), 10, 64)
			if err != nil {
				return nil, fail(m.valOff, nil, "\"version\" must be a whole number")
			}
			version = v
		case "sources":
			sources = m
		}
	}
	switch {
	case !seen["format"]:
		return nil, fail(start, ErrNotKeyVault, "not a mapvault keyvault file (no \"format\": %q)", KeyVaultFormat)
	case format != KeyVaultFormat:
		return nil, fail(formatOff, ErrNotKeyVault, "not a mapvault keyvault file (\"format\" is %s, want %q)", kvQuote(format), KeyVaultFormat)
	case !seen["version"]:
		return nil, fail(start, nil, "missing \"version\"")
	case version < 1:
		return nil, fail(versionOff, nil, "\"version\" %d is not valid (want %d)", version, KeyVaultVersion)
	case version > KeyVaultVersion:
		return nil, fail(versionOff, ErrNewerKeyVault, "keyvault format version %d is newer than this mapvault reads (%d); update mapvault", version, KeyVaultVersion)
	}
	kv := NewKeyVault()
	if sources == nil || string(sources.raw) == "null" {
		return kv, nil
	}
	if sources.raw[0] != '{' {
		return nil, fail(sources.valOff, nil, "\"sources\" must be an object")
	}
	members, err := kvMembers(data, sources.valOff)
	if err != nil {
		return nil, fail(sources.valOff, nil, "%v", err)
	}
	for _, m := range members {
		if msg := kvCheckSource(m.key); msg != "" {
			return nil, fail(m.keyOff, nil, "%s", msg)
		}
		src, err := SourceOf(m.key)
		if err != nil {
			return nil, fail(m.keyOff, nil, "source %s is not an http(s) URL", RedactURL(m.key))
		}
		if _, dup := kv.entries[src]; dup {
			return nil, fail(m.keyOff, nil, "duplicate source %s", src)
		}
		e, err := kvParseEntry(data, m, fail)
		if err != nil {
			return nil, err
		}
		kv.entries[src] = e
	}
	return kv, nil
}

func kvParseEntry(data []byte, m kvMember, fail func(int, error, string, ...any) error) (Entry, error) {
	if m.raw[0] != '{' {
		return Entry{}, fail(m.valOff, nil, "entry for %s must be an object", RedactURL(m.key))
	}
	fields, err := kvMembers(data, m.valOff)
	if err != nil {
		return Entry{}, fail(m.valOff, nil, "%v", err)
	}
	e := Entry{Method: MethodNone}
	seen := map[string]bool{}
	paramOff := m.valOff
	for _, f := range fields {
		if seen[f.key] {
			return Entry{}, fail(f.keyOff, nil, "duplicate field %s", kvQuote(f.key))
		}
		seen[f.key] = true
		switch f.key {
		case "auth_required":
			if json.Unmarshal(f.raw, &e.AuthRequired) != nil {
				return Entry{}, fail(f.valOff, nil, "\"auth_required\" must be true or false")
			}
		case "method":
			if json.Unmarshal(f.raw, &e.Method) != nil {
				return Entry{}, fail(f.valOff, nil, "\"method\" must be a string")
			}
			if !e.Method.Known() {
				return Entry{}, fail(f.valOff, nil, "unknown method %s (want one of %s)", kvQuote(string(e.Method)), strings.Join(methodNames(), ", "))
			}
		case "sign_in":
			if json.Unmarshal(f.raw, &e.SignIn) != nil {
				return Entry{}, fail(f.valOff, nil, "\"sign_in\" must be true or false")
			}
		case "last_confirmed":
			var s string
			if json.Unmarshal(f.raw, &s) != nil {
				return Entry{}, fail(f.valOff, nil, "\"last_confirmed\" must be an RFC 3339 time string")
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return Entry{}, fail(f.valOff, nil, "\"last_confirmed\" %s is not an RFC 3339 time", kvQuote(s))
			}
			e.LastConfirmed = t.UTC().Truncate(time.Second)
		default: // a scheme parameter, or dropped (it could be a secret)
			for _, ef := range entryFields {
				if ef.name == f.key {
					paramOff = f.valOff
					if json.Unmarshal(f.raw, ef.get(&e)) != nil {
						return Entry{}, fail(f.valOff, nil, "%q must be a string", f.key)
					}
				}
			}
		}
	}
	if msg := kvCheckEntry(e); msg != "" {
		return Entry{}, fail(paramOff, nil, "%s", msg)
	}
	return e, nil
}

// kvMember is one member of a JSON object with the byte offsets of its key
// (the opening quote) and value.
type kvMember struct {
	key            string
	keyOff, valOff int
	raw            json.RawMessage
}

// kvMembers lists the members of the (valid) JSON object at off.
func kvMembers(data []byte, off int) ([]kvMember, error) {
	dec := json.NewDecoder(bytes.NewReader(data[off:]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("expected an object")
	}
	var out []kvMember
	for dec.More() {
		keyOff := kvSkip(data, off+int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		valOff := kvSkip(data, off+int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, kvMember{key: key, keyOff: keyOff, valOff: valOff, raw: raw})
	}
	return out, nil
}

// kvSkip skips whitespace and the separators ',' and ':' from i.
func kvSkip(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
		default:
			return i
		}
	}
	return i
}

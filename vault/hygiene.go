package vault

import (
	"fmt"
	"math"
	"net/url"
	"strings"
)

// redactedValue replaces every secret in redacted output.
const redactedValue = "REDACTED"

// keyParams is the one list of query parameter names known to carry a
// secret, matched case-insensitively ("apiKey" is "apikey"). Hygiene splits
// every one out of a pasted URL; detection tries those marked detect, in
// this order, as the place an access key goes (docs/auth-detection.md says
// why this order). "key" is included on purpose: MapTiler and many tile
// services take "?key=".
var keyParams = []struct {
	name   string
	detect bool
}{
	{"code", true}, {"key", true}, {"token", true}, // Netherlands3D KeyVault's own order
	{"authkey", true}, // GeoServer AuthKey module
	{"api_key", true}, {"apikey", true}, {"apiKey", true}, {"api-key", true},
	{"access_token", true}, {"access_key", true},
	{"subscription-key", true}, // Azure Maps / API Management
	{"tk", true},               // Tianditu
	{"accesskey", false}, {"subscription_key", false}, {"auth", false}, {"authtoken", false},
	{"auth_token", false}, {"password", false}, {"passwd", false}, {"pwd", false},
	{"secret", false}, {"client_secret", false}, {"sig", false}, {"signature", false},
	{"session", false}, {"sessionid", false}, {"jwt", false}, {"x-api-key", false},
	{"ticket", false},
}

// keyParamNames lists every name of keyParams.
var keyParamNames = func() []string {
	out := make([]string, len(keyParams))
	for i, p := range keyParams {
		out[i] = p.name
	}
	return out
}()

// detectedKeyParams lists the names detection tries for an access key, in
// order.
func detectedKeyParams() []string {
	var out []string
	for _, p := range keyParams {
		if p.detect {
			out = append(out, p.name)
		}
	}
	return out
}

// KeyParamNames returns the query parameter names known to carry a secret.
// They match case-insensitively ("apiKey" is "apikey").
func KeyParamNames() []string { return append([]string(nil), keyParamNames...) }

// isKeyParam reports whether name (decoded) is a known secret parameter.
func isKeyParam(name string) bool {
	for _, k := range keyParamNames {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// Split is a pasted URL taken apart: what may be stored in the project and
// what must only ever live in the session store or the keychain.
type Split struct {
	CleanURL   string     // the URL to store in the project: no userinfo, no secret parameters
	Source     Source     // the canonical source the credential belongs to
	Credential Credential // secret found in the URL (zero if none)
	// Method is MethodBasic for user information, MethodQuery for a key
	// parameter (also when the parameter is present but empty: the service
	// takes a key there, the user has not given one), MethodNone otherwise.
	Method Method
	Param  string // the key parameter name found, as written
	// Suspects names the other parameters that were removed from CleanURL
	// because they may carry a secret: a second known key parameter, a
	// parameter whose name says secret, a URL value that carries one, or a
	// value that looks generated where nothing says it is an identifier
	// (docs/secret-detection.md). A query item without a name that looks
	// secret is reported as UnnamedSuspect, never by its text. The caller
	// asks the user about them; they are never saved.
	Suspects []string
	// PathSuspect reports a path segment that looks like a secret. It stays
	// in CleanURL: a service that wants its key in the path cannot be
	// reached without it, and dataset ids (UUIDs) look the same. Callers warn,
	// and the secret scan (ScanFile) reports it before a project is shared.
	PathSuspect bool
}

// UnnamedSuspect stands in Split.Suspects for query items without a name
// ("?Zq7x...") that look like a secret: the item itself is never shown.
const UnnamedSuspect = "(unnamed item)"

// SplitURL takes a URL as pasted by a user (possibly with user information
// or an access key in it) and separates the secret from what may be saved.
// The fragment is dropped; every other query parameter is kept, in order and
// as written. A URL template keeps its placeholders as written ("{z}", not
// "%7Bz%7D") and its Source is the path prefix before the first one (see
// SourceOf); a key in its query is split off like any other.
func SplitURL(raw string) (Split, error) { return SplitURLKeeping(raw, nil) }

// SplitURLKeeping is SplitURL for a user who has confirmed that the
// parameters named in keep (case-insensitive) only look secret: they stay in
// the clean URL instead of being reported as Suspects (UnnamedSuspect keeps
// the query items without a name). Only values judged secret by their
// shape can be kept: a known key parameter (token, authkey, ...), a
// parameter whose name says secret (password, X-Amz-Signature, ...) or a
// URL value that carries a secret never is.
func SplitURLKeeping(raw string, keep []string) (Split, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return Split{}, fmt.Errorf("%w: %s", ErrBadURL, RedactURL(raw))
	}
	src, err := sourceOfURL(u)
	if err != nil {
		return Split{}, err
	}
	sp := Split{Source: src, Method: MethodNone}
	if u.User != nil {
		pw, _ := u.User.Password()
		sp.Credential = Credential{Username: u.User.Username(), Password: pw}
		sp.Method = MethodBasic
		u.User = nil
	}
	var kept []string
	emptyKey := ""
	for _, p := range hygieneQueryPairs(u.RawQuery) {
		if p.raw == "" {
			continue
		}
		if !p.hasEq {
			if v, _ := judgePair(p, 0); v != notSecret && !hygieneNamed(keep, UnnamedSuspect) {
				sp.Suspects = hygieneAppendName(sp.Suspects, UnnamedSuspect)
				continue
			}
			kept = append(kept, p.raw)
			continue
		}
		v, _ := judgePair(p, 0)
		switch {
		case isKeyParam(p.name) && p.value == "":
			if emptyKey == "" {
				emptyKey = p.name
			}
		case isKeyParam(p.name) && v != notSecret:
			if sp.Method == MethodNone {
				sp.Method = MethodQuery
				sp.Param = p.name
				sp.Credential = Credential{Key: p.value}
			} else {
				sp.Suspects = hygieneAppendName(sp.Suspects, p.name)
			}
		case v == secretByName, v == secretByShape && !hygieneNamed(keep, p.name):
			sp.Suspects = hygieneAppendName(sp.Suspects, p.name)
		default:
			kept = append(kept, p.raw)
		}
	}
	if sp.Method == MethodNone && emptyKey != "" {
		sp.Method = MethodQuery
		sp.Param = emptyKey
	}
	sp.PathSuspect = hygienePathSuspect(u)
	u.RawQuery = strings.Join(kept, "&")
	u.ForceQuery = false
	u.Fragment, u.RawFragment = "", ""
	sp.CleanURL = u.String()
	if isTemplate(u) {
		// A URL template keeps its placeholders as written: url.URL would
		// escape "{z}" to "%7Bz%7D".
		sp.CleanURL = u.Scheme + "://" + u.Host + u.RawPath
		if u.RawQuery != "" {
			sp.CleanURL += "?" + u.RawQuery
		}
	}
	return sp, nil
}

func hygieneNamed(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func hygieneAppendName(list []string, name string) []string {
	for _, n := range list {
		if n == name {
			return list
		}
	}
	return append(list, name)
}

// hygienePair is one name=value item of a raw query string.
type hygienePair struct {
	raw         string // as written
	name, value string // decoded (raw text when it does not decode)
	valueOff    int    // byte offset of the raw value within the raw query (of the item's end without '=')
	rawValue    string
	hasEq       bool // name=value, not a bare item
}

// hygieneQueryPairs splits a raw query on '&' and ';' (old CGI servers
// accept both, so a secret may hide behind either).
func hygieneQueryPairs(q string) []hygienePair {
	var out []hygienePair
	start := 0
	for i := 0; i <= len(q); i++ {
		if i < len(q) && q[i] != '&' && q[i] != ';' {
			continue
		}
		item := q[start:i]
		p := hygienePair{raw: item, valueOff: start + len(item)}
		name, val, hasEq := strings.Cut(item, "=")
		if hasEq {
			p.valueOff = start + len(name) + 1
			p.rawValue = val
			p.hasEq = true
		}
		p.name = hygieneUnescape(name)
		p.value = hygieneUnescape(val)
		out = append(out, p)
		start = i + 1
	}
	return out
}

func hygieneUnescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// hygieneRedactSegments splits an escaped path into segments with every one
// judged secret replaced by "REDACTED", and reports whether any was.
func hygieneRedactSegments(escapedPath string) ([]string, bool) {
	segs := strings.Split(escapedPath, "/")
	changed := false
	for i, v := range judgeSegments(escapedPath) {
		if v != notSecret {
			segs[i] = redactedValue
			changed = true
		}
	}
	return segs, changed
}

// hygienePathSuspect reports whether a segment of u's path is judged secret.
func hygienePathSuspect(u *url.URL) bool {
	_, changed := hygieneRedactSegments(u.EscapedPath())
	return changed
}

// redactURL implements RedactURL: user information becomes "REDACTED", and so
// does every query value, query item and path segment the judgement
// (judge.go) finds secret. The fragment is dropped. It never panics.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.Opaque != "" {
		u.Opaque = redactedValue
	}
	if u.User != nil {
		u.User = url.User(redactedValue)
	}
	if segs, changed := hygieneRedactSegments(u.EscapedPath()); changed {
		np := strings.Join(segs, "/")
		dp, err := url.PathUnescape(np)
		if err != nil {
			return "(unparseable URL)"
		}
		u.Path, u.RawPath = dp, np
	}
	if u.RawQuery != "" {
		var b strings.Builder
		last := 0
		for _, p := range hygieneQueryPairs(u.RawQuery) {
			if v, _ := judgePair(p, 0); v == notSecret || (p.hasEq && p.rawValue == "") {
				continue
			}
			start := p.valueOff
			if !p.hasEq {
				start -= len(p.raw)
			}
			b.WriteString(u.RawQuery[last:start])
			b.WriteString(redactedValue)
			last = p.valueOff + len(p.rawValue)
		}
		b.WriteString(u.RawQuery[last:])
		u.RawQuery = b.String()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

func hygienePathUnescape(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// LooksSecret reports whether value looks like a generated secret: at least
// 20 characters, high entropy (>= 3.5 bits per character), a mix of
// character classes, and random-looking rather than made of words, numbers,
// dates, bounding boxes, CRS codes, layer lists or paths. A UUID counts (
// GeoServer AuthKey uses them). A leading "Bearer " is ignored. It judges
// shape alone; where the value sits (an identifier's name, a dataset path)
// is the judgement's business (judge.go, docs/secret-detection.md).
func LooksSecret(value string) bool { return looksRandom(value, 20, 16) }

// hygieneAlnumRuns returns the maximal runs of ASCII letters and digits.
func hygieneAlnumRuns(v string) []string {
	var runs []string
	start := -1
	for i := 0; i <= len(v); i++ {
		alnum := i < len(v) && isAlnum(v[i])
		switch {
		case alnum && start < 0:
			start = i
		case !alnum && start >= 0:
			runs = append(runs, v[start:i])
			start = -1
		}
	}
	return runs
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hygieneWords splits an alphanumeric run into word pieces the way a
// reader would: "RoadNetwork2020" -> Road, Network, 2020; "ABCRoad" -> ABC,
// Road.
func hygieneWords(run string) []string {
	var out []string
	i := 0
	for i < len(run) {
		j := i + 1
		c := run[i]
		switch {
		case c >= '0' && c <= '9':
			for j < len(run) && run[j] >= '0' && run[j] <= '9' {
				j++
			}
		case c >= 'a' && c <= 'z':
			for j < len(run) && run[j] >= 'a' && run[j] <= 'z' {
				j++
			}
		default: // upper
			for j < len(run) && run[j] >= 'A' && run[j] <= 'Z' {
				j++
			}
			if j-i == 1 {
				for j < len(run) && run[j] >= 'a' && run[j] <= 'z' {
					j++
				}
			} else if j < len(run) && run[j] >= 'a' && run[j] <= 'z' {
				j-- // "ABCRoad": the last capital starts the next word
			}
		}
		out = append(out, run[i:j])
		i = j
	}
	return out
}

// hygieneEntropy is the Shannon entropy of v in bits per byte.
func hygieneEntropy(v string) float64 {
	var counts [256]int
	for i := 0; i < len(v); i++ {
		counts[v[i]]++
	}
	n := float64(len(v))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// hygieneIsUUID reports whether v is a UUID (8-4-4-4-12 hex digits).
func hygieneIsUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// RedactText redacts free text such as an error message from net/http or
// D-Bus. It is Scrub with no session secrets.
func RedactText(s string) string { return Scrub(s, nil) }

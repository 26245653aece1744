package vault

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// This file is the one place that decides whether a value is a secret. URL
// hygiene (SplitURL), redaction (RedactURL, Scrub) and the secret scan
// (ScanFile, mapvault-cli check) all ask it. It decides by context: where
// the value sits (a query parameter, a URL path segment, a JSON field, a
// label in free text), the name it sits under, and its shape. The rules
// are written down, with examples, in docs/secret-detection.md; the
// labelled corpus in corpus_test.go holds them to 100% recall and
// precision.

// verdict is how sure the judgement is that a value is a secret.
type verdict uint8

const (
	notSecret verdict = iota
	// secretByShape: a random-looking value where nothing says it is an
	// identifier. A user may confirm that it only looks secret
	// (SplitURLKeeping).
	secretByShape
	// secretByName: the name, a label or the value's form (an
	// Authorization value, a JWT, a URL with a secret) says so. Never kept.
	secretByName
)

// site is where a name was found: the lists of names differ a little.
type site uint8

const (
	siteQuery site = iota // a URL query parameter
	siteField             // a JSON field
	siteLabel             // a label in free text ("password: x", "apikey=x")
)

// nameClass is what a name says about its value.
type nameClass uint8

const (
	classNeutral    nameClass = iota // says nothing: the value's shape decides
	classSecret                      // password, token, authkey, ...: any value is a secret
	classAmbiguous                   // code, and key/auth/... as a JSON field: a secret when the value looks generated
	classKeyish                      // unknown names that say key/pass/auth: a secret unless the value is plainly not
	classIdentifier                  // id, layers, styles, hash, path, ...: the value names something
	classText                        // title, name, description, ...: free text, judged word by word
)

// maxNesting bounds how deep URLs inside values (?url=https%3A...) are
// followed.
const maxNesting = 3

var (
	// secretNames are names (lower case, without separators) whose value
	// is a secret wherever they appear.
	secretNames = setOf("pwd", "passwd", "password", "passphrase", "passcode", "secret", "credential",
		"credentials", "jwt", "authkey", "accesskey", "secretkey", "privatekey", "subscriptionkey", "sessionid",
		"sessiontoken", "authorization", "proxyauthorization", "cookie", "setcookie", "apikey", "xapikey",
		"authtoken", "signature", "clientsecret")
	// secretSuffixes: a name ending so ("db_password", "X-Amz-Signature",
	// "id_token") is a secret name too.
	secretSuffixes = []string{"password", "passwd", "passphrase", "secret", "token", "apikey", "signature",
		"credential", "credentials", "authkey", "accesskey", "secretkey", "privatekey", "sessionid",
		"authorization", "cookie"}
	// notSecretTokens are "token" names of paging cursors, not secrets.
	notSecretTokens = setOf("nexttoken", "pagetoken", "continuationtoken", "resumptiontoken", "cursortoken", "tokentype")
	// ambiguousQueryNames are known key parameters whose name is also an
	// everyday word ("code=NL"): the value's shape decides.
	ambiguousQueryNames = setOf("code")
	identifierNames     = setOf("id", "ids", "uuid", "guid", "names", "layer", "layers", "wmslayers",
		"typename", "typenames", "style", "styles", "dataset", "datasets", "hash", "sha", "sha1", "sha256",
		"sha512", "md5", "etag", "checksum", "commit", "rev", "revision", "version", "wmsversion", "crs",
		"srs", "format", "formats", "bbox", "time", "elevation", "service", "request", "width", "height",
		"map", "mapfile", "path", "file", "filename", "dir", "directory", "folder", "identifier", "ref",
		"kind", "method", "param", "tokenkind", "tokenfield", "scope", "workspace", "namespace")
	// identifierLastWords: a name whose last word is one of these
	// ("client_id", "tilesetId", "layer_uuid") names an identifier.
	identifierLastWords = setOf("id", "ids", "uuid", "guid", "hash", "names", "path", "file", "filename",
		"version", "layers", "styles", "dataset")
	textNames = setOf("title", "name", "abstract", "description", "note", "notes", "comment", "comments",
		"label", "attribution", "caption", "summary", "text", "keywords", "displayname", "group")
	// keyishPrefixes and keyishSuffixes mark unknown names that say
	// "key", "password", "auth", ... ("mykey", "authcode", "secretCode").
	keyishPrefixes = []string{"secret", "auth", "pass", "private", "session", "access"}
	keyishSuffixes = []string{"key", "pass", "auth", "cred", "creds", "sig", "pw"}
	// keySegments: a path segment after one of these ("/key/<uuid>/") is
	// the key itself.
	keySegments = setOf("key", "keys", "apikey", "apikeys", "token", "tokens", "authkey", "accesskey",
		"accesstoken", "secret", "secrets", "auth", "sig", "signature", "credential", "credentials", "password")
	// collectionSegments: a path segment after one of these
	// ("/datasets/<uuid>/") is the id of an item in a collection.
	collectionSegments = setOf("maps", "map", "datasets", "dataset", "layers", "layer", "items", "item",
		"resources", "resource", "collections", "collection", "documents", "document", "records", "record",
		"features", "feature", "styles", "style", "services", "service", "data", "files", "file", "uploads",
		"upload", "id", "ids", "uuid", "projects", "project", "workspaces", "workspace", "catalog",
		"catalogue", "content", "objects", "object", "assets", "asset", "sources", "source", "scenes",
		"scene", "jobs", "job", "results", "result", "downloads", "download", "blobs", "commits", "commit",
		"revisions", "versions", "tree", "raw", "legend", "legends", "thumbnails", "thumbnail")
	// plainWords are values that say "nothing here".
	plainWords = setOf("true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "n/a",
		"-", "*", "redacted")
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// normName is name in lower case without separators: "X-Amz-Signature"
// is "xamzsignature", "api_key" is "apikey".
func normName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '_' || c == '-' || c == '.' || c == ' ':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nameWords splits a name into lower-case words at separators and at
// camel-case humps: "tilesetId" is tileset, id; "X-Amz-Date" is x, amz,
// date; "datasetID" is dataset, id.
func nameWords(name string) []string {
	var words []string
	start := -1
	flush := func(i int) {
		if start >= 0 && i > start {
			words = append(words, strings.ToLower(name[start:i]))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := name[i-1]
		upper := c >= 'A' && c <= 'Z'
		if upper && prev >= 'a' && prev <= 'z' {
			flush(i)
			start = i
		}
	}
	flush(len(name))
	return words
}

// classifyName says what name, found at s, tells about its value.
func classifyName(name string, s site) nameClass {
	n := normName(name)
	if n == "" {
		return classNeutral
	}
	if s == siteQuery && isKeyParam(name) {
		if ambiguousQueryNames[n] {
			return classAmbiguous
		}
		return classSecret
	}
	if notSecretTokens[n] {
		return classNeutral
	}
	if secretNames[n] {
		return classSecret
	}
	for _, suf := range secretSuffixes {
		if strings.HasSuffix(n, suf) {
			return classSecret
		}
	}
	if isKeyParam(name) {
		return classAmbiguous // "key", "code", "auth" as a field or label
	}
	words := nameWords(name)
	if identifierNames[n] || (len(words) > 0 && identifierLastWords[words[len(words)-1]]) {
		return classIdentifier
	}
	if textNames[n] {
		return classText
	}
	for _, p := range keyishPrefixes {
		if strings.HasPrefix(n, p) {
			return classKeyish
		}
	}
	for _, suf := range keyishSuffixes {
		if strings.HasSuffix(n, suf) {
			return classKeyish
		}
	}
	return classNeutral
}

// finding is one secret found in a judged string.
type finding struct {
	start, end int // byte span of the secret in the judged string
	v          verdict
	what       string // says what was found, never the secret
}

func maxVerdict(fs []finding) verdict {
	v := notSecret
	for _, f := range fs {
		v = max(v, f.v)
	}
	return v
}

// nameRef names where a value sat, for a finding's description.
func nameRef(s site, name string) string {
	switch s {
	case siteQuery:
		return "query parameter " + scanName(name)
	case siteLabel:
		return "label " + scanName(name)
	}
	return "field " + scanName(name)
}

// valueFindings judges value, found under name at s (a query value
// decoded once, a JSON string, a label's value).
func valueFindings(name string, s site, value string, depth int) []finding {
	if strings.TrimSpace(value) == "" {
		return nil
	}
	whole := func(v verdict, what string) []finding {
		return []finding{{0, len(value), v, what}}
	}
	class := classifyName(name, s)
	switch {
	case class == classSecret:
		if s == siteLabel && plainWords[strings.ToLower(strings.TrimSpace(value))] {
			return nil
		}
		return whole(secretByName, nameRef(s, name)+" has a value")
	case isAuthValue(value):
		return whole(secretByName, "value is an authorization value (scheme and credentials)")
	case isJWT(value):
		return whole(secretByName, "value looks like a signed token (JWT)")
	}
	if depth < maxNesting {
		if dec, ok := encodedURL(value); ok {
			if maxVerdict(textFindings(dec, depth+1)) != notSecret {
				return whole(secretByName, nameRef(s, name)+" holds an encoded URL with a secret")
			}
			return nil
		}
	}
	spaced := strings.ContainsAny(value, " \t\r\n") || strings.Contains(value, "://")
	switch class {
	case classIdentifier:
		if strings.Contains(value, "://") {
			return urlOnlyFindings(value, depth)
		}
		return nil
	case classText:
		return textFindings(value, depth)
	case classAmbiguous:
		if spaced {
			return textFindings(value, depth)
		}
		if s == siteLabel {
			if plainValue(value) {
				return nil
			}
			return whole(secretByShape, nameRef(s, name)+" has a value")
		}
		if looksRandom(value, 12, 10) {
			return whole(secretByName, nameRef(s, name)+" has a key-like value")
		}
		return nil
	case classKeyish:
		if spaced {
			return textFindings(value, depth)
		}
		if plainValue(value) {
			return nil
		}
		if LooksSecret(value) {
			return whole(secretByShape, fmt.Sprintf("%s value looks like a secret (%d random-looking characters)", nameRef(s, name), len(value)))
		}
		return whole(secretByShape, nameRef(s, name)+" value looks like a secret key")
	}
	if spaced {
		return textFindings(value, depth)
	}
	if pathLike(value) {
		return pathValueFindings(value)
	}
	if LooksSecret(value) {
		if s == siteQuery {
			return whole(secretByShape, fmt.Sprintf("%s value looks like a secret (%d random-looking characters)", nameRef(s, name), len(value)))
		}
		return whole(secretByShape, fmt.Sprintf("value looks like a secret (%d random-looking characters)", len(value)))
	}
	return nil
}

// judgePair judges one item of a query string (decoded name and value)
// and says what it found.
func judgePair(p hygienePair, depth int) (verdict, string) {
	if !p.hasEq {
		if LooksSecret(p.name) {
			return secretByShape, fmt.Sprintf("query item without a name looks like a secret (%d random-looking characters)", len(p.name))
		}
		return notSecret, ""
	}
	fs := valueFindings(p.name, siteQuery, p.value, depth)
	v := maxVerdict(fs)
	if v == notSecret {
		return notSecret, ""
	}
	for _, f := range fs {
		if f.v == v && f.start == 0 && f.end == len(p.value) {
			return v, f.what
		}
	}
	if strings.Contains(p.value, "://") {
		return v, "query parameter " + scanName(p.name) + " holds a URL with a secret"
	}
	return v, "query parameter " + scanName(p.name) + " holds a secret"
}

// judgeSegment judges a decoded URL path segment after the segment prev.
func judgeSegment(prev, seg string) verdict {
	stem := seg
	if i := strings.LastIndexByte(seg, '.'); i > 0 && isExtension(seg[i+1:]) {
		stem = seg[:i]
	}
	if keySegments[normName(prev)] && (LooksSecret(stem) || looksRandom(stem, 12, 10) || identifierShape(stem)) {
		return secretByName
	}
	if !LooksSecret(stem) || identifierShape(stem) || collectionSegments[normName(prev)] {
		return notSecret
	}
	return secretByShape
}

// judgeSegments judges each segment of an escaped path (split on '/').
func judgeSegments(escapedPath string) []verdict {
	segs := strings.Split(escapedPath, "/")
	out := make([]verdict, len(segs))
	prev := ""
	for i, s := range segs {
		d := hygienePathUnescape(s)
		out[i] = judgeSegment(prev, d)
		if d != "" {
			prev = d
		}
	}
	return out
}

func isExtension(e string) bool {
	if len(e) == 0 || len(e) > 5 {
		return false
	}
	letter := false
	for i := 0; i < len(e); i++ {
		c := e[i]
		if !isAlnum(c) {
			return false
		}
		letter = letter || c > '9'
	}
	return letter
}

// pathLike reports whether a value with no spaces reads as a relative or
// absolute file path ("data/<id>/roads.gpkg").
func pathLike(v string) bool {
	if !strings.Contains(v, "/") || strings.Contains(v, "://") {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~/") {
		return true
	}
	last := v[strings.LastIndexByte(v, '/')+1:]
	i := strings.LastIndexByte(last, '.')
	return i > 0 && isExtension(last[i+1:])
}

func pathValueFindings(v string) []finding {
	var out []finding
	off := 0
	prev := ""
	for _, seg := range strings.Split(v, "/") {
		if judgeSegment(prev, seg) != notSecret {
			out = append(out, finding{off, off + len(seg), secretByShape,
				fmt.Sprintf("path segment looks like a secret (%d random-looking characters)", len(seg))})
		}
		if seg != "" {
			prev = seg
		}
		off += len(seg) + 1
	}
	return out
}

// encodedURL returns value decoded when it is a percent-encoded URL
// ("https%3A%2F%2Fh%2Fwms%3Ftoken%3D...").
func encodedURL(value string) (string, bool) {
	if !strings.Contains(strings.ToLower(value), "%3a%2f%2f") {
		return "", false
	}
	d, err := url.QueryUnescape(value)
	if err != nil {
		return "", false
	}
	return d, true
}

// urlOnlyFindings reports the secrets of the URLs in text, nothing else.
func urlOnlyFindings(text string, depth int) []finding {
	var out []finding
	for _, loc := range scanURLRE.FindAllStringIndex(text, -1) {
		for _, f := range urlFindings(text[loc[0]:loc[1]], depth) {
			f.start += loc[0]
			f.end += loc[0]
			out = append(out, f)
		}
	}
	return out
}

// urlFindings takes a URL apart by hand, so that a URL net/url refuses is
// still judged and every position is exact (spans are of the raw text).
func urlFindings(u string, depth int) []finding {
	var out []finding
	auth := strings.Index(u, "://") + 3
	end := len(u)
	if j := strings.IndexAny(u[auth:], "/?#"); j >= 0 {
		end = auth + j
	}
	if at := strings.LastIndexByte(u[auth:end], '@'); at >= 0 {
		out = append(out, finding{auth, auth + at, secretByName, "URL has user information"})
	}
	rest := u[end:]
	path, query, frag := rest, "", ""
	hasQuery := false
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		path, frag = rest[:j], rest[j+1:]
	}
	if j := strings.IndexByte(path, '?'); j >= 0 {
		path, query, hasQuery = path[:j], path[j+1:], true
	}
	off := end
	segs := strings.Split(path, "/")
	for i, v := range judgeSegments(path) {
		seg := segs[i]
		if v != notSecret {
			out = append(out, finding{off, off + len(seg), v,
				fmt.Sprintf("URL path segment looks like a secret (%d random-looking characters)", len(hygienePathUnescape(seg)))})
		}
		off += len(seg) + 1
	}
	qOff := end + len(path) + 1
	fOff := end + len(path) + 1
	if hasQuery {
		fOff += len(query) + 1
	}
	for _, part := range []struct {
		q   string
		off int
	}{{query, qOff}, {frag, fOff}} {
		for _, p := range hygieneQueryPairs(part.q) {
			v, what := judgePair(p, depth+1)
			if v == notSecret {
				continue
			}
			start, stop := part.off+p.valueOff, part.off+p.valueOff+len(p.rawValue)
			if !p.hasEq {
				start, stop = part.off+p.valueOff-len(p.raw), part.off+p.valueOff
			}
			out = append(out, finding{start, stop, v, what})
		}
	}
	return out
}

var (
	// labelRE finds words that may label a value in free text.
	labelRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_.-]*`)
	// authSchemeRE finds an Authorization value in free text.
	authSchemeRE = regexp.MustCompile(`(?i)\b(bearer|basic|token|apikey)[ \t]+([A-Za-z0-9._~+/-]+=*)`)
	// authPrefixRE is authSchemeRE at the start of a text only.
	authPrefixRE = regexp.MustCompile(`^(?i)(bearer|basic|token|apikey)[ \t]+([A-Za-z0-9._~+/-]+=*)`)
	// jwtRE matches a JSON Web Token.
	jwtRE = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*$`)
)

// isAuthValue reports whether v is an Authorization header value: a scheme
// and its credentials ("Bearer x", "Basic dXNlcjpwYXNz").
func isAuthValue(v string) bool {
	m := authPrefixRE.FindStringSubmatchIndex(v)
	return m != nil && m[1] == len(strings.TrimRight(v, " \t")) && authCredential(v[m[2]:m[3]], v[m[4]:m[5]])
}

// authCredential judges the credential after an Authorization scheme word.
func authCredential(scheme, cred string) bool {
	if strings.EqualFold(scheme, "basic") {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
			if d, err := enc.DecodeString(cred); err == nil && strings.Contains(string(d), ":") {
				return true
			}
		}
		return false
	}
	if len(cred) < 8 {
		return false
	}
	for i := 0; i < len(cred); i++ {
		if c := cred[i]; c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' {
			return true // words have none of these
		}
	}
	return LooksSecret(cred)
}

func isJWT(v string) bool { return len(v) >= 20 && jwtRE.MatchString(v) }

// identifierShape reports whether v is shaped like a generated identifier:
// a UUID, or a hash (16 or more hex digits, one case).
func identifierShape(v string) bool {
	if hygieneIsUUID(v) {
		return true
	}
	if len(v) < 16 {
		return false
	}
	lower, upper := true, true
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			upper = false
		case c >= 'A' && c <= 'F':
			lower = false
		default:
			return false
		}
	}
	return lower || upper
}

// plainValue reports whether a value under a key-ish name is plainly not a
// key: a yes/no word, a number, a date, words ("name_asc", "EPSG:4326").
// Letters and digits mixed within one run ("ab12cd") are not plain.
func plainValue(v string) bool {
	if plainWords[strings.ToLower(v)] {
		return true
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isAlnum(c) && !strings.ContainsRune("_-.:,/ +", rune(c)) {
			return false
		}
	}
	for _, run := range hygieneAlnumRuns(v) {
		letters, digits := false, false
		for i := 0; i < len(run); i++ {
			if run[i] >= '0' && run[i] <= '9' {
				digits = true
			} else {
				letters = true
			}
		}
		if letters && digits {
			return false
		}
	}
	return true
}

// textFindings judges free text: the URLs in it, labelled values
// ("password: x", "apikey=x", "key 'x'"), Authorization values, and words
// that look generated. A UUID or hash in prose is an identifier unless a
// secret label comes right before it.
func textFindings(text string, depth int) []finding {
	var out []finding
	// covered holds the spans already judged, sorted and disjoint (a span
	// is only added when it overlaps none), so ends are sorted too.
	var covered [][2]int
	firstEndAfter := func(a int) int {
		i, _ := slices.BinarySearchFunc(covered, a, func(c [2]int, a int) int { return cmp.Compare(c[1], a+1) })
		return i
	}
	isCovered := func(a, b int) bool {
		i := firstEndAfter(a)
		return i < len(covered) && covered[i][0] < b
	}
	cover := func(a, b int) { covered = slices.Insert(covered, firstEndAfter(a), [2]int{a, b}) }
	for _, loc := range scanURLRE.FindAllStringIndex(text, -1) {
		cover(loc[0], loc[1])
		if depth >= maxNesting {
			continue
		}
		for _, f := range urlFindings(text[loc[0]:loc[1]], depth) {
			f.start += loc[0]
			f.end += loc[0]
			out = append(out, f)
		}
	}
	for _, m := range authSchemeRE.FindAllStringSubmatchIndex(text, -1) {
		if isCovered(m[0], m[1]) || !authCredential(text[m[2]:m[3]], text[m[4]:m[5]]) {
			continue
		}
		out = append(out, finding{m[4], m[5], secretByName, "text holds an authorization value (scheme and credentials)"})
		cover(m[0], m[1])
	}
	for _, loc := range labelRE.FindAllStringIndex(text, -1) {
		if isCovered(loc[0], loc[1]) {
			continue
		}
		label := text[loc[0]:loc[1]]
		switch classifyName(label, siteLabel) {
		case classSecret, classAmbiguous, classKeyish:
		default:
			continue
		}
		a, b, ok := labelledValue(text, loc[1])
		if !ok || isCovered(a, b) {
			continue
		}
		for _, f := range valueFindings(label, siteLabel, text[a:b], depth) {
			f.start, f.end = a, b
			out = append(out, f)
			cover(a, b)
			break
		}
	}
	var prevWord string
	for _, loc := range scanWordRE.FindAllStringIndex(text, -1) {
		a, b := loc[0], loc[1]
		for b > a && strings.IndexByte(".:!?", text[b-1]) >= 0 {
			b--
		}
		w := text[a:b]
		if isCovered(a, b) || w == "" {
			prevWord = w
			continue
		}
		switch {
		case identifierShape(w):
			if c := classifyName(prevWord, siteLabel); c == classSecret || c == classAmbiguous || c == classKeyish {
				out = append(out, finding{a, b, secretByName, fmt.Sprintf("value after %s looks like a key (%d characters)", scanName(prevWord), len(w))})
			}
		case isJWT(w):
			out = append(out, finding{a, b, secretByName, "value looks like a signed token (JWT)"})
		case LooksSecret(w):
			out = append(out, finding{a, b, secretByShape, fmt.Sprintf("value looks like a secret (%d random-looking characters)", len(w))})
		}
		prevWord = w
	}
	return out
}

// labelledValue finds the value a label at text[:i] introduces: after ':'
// or '=' (quoted or up to a space or punctuation), or a quoted value after
// a space or "is". An Authorization scheme word takes its credentials
// along. It returns the value's span.
func labelledValue(text string, i int) (int, int, bool) {
	j := skipBlank(text, i)
	sep := j < len(text) && (text[j] == ':' || text[j] == '=')
	if sep {
		j = skipBlank(text, j+1)
	} else if len(text)-j > 3 && strings.EqualFold(text[j:j+3], "is ") {
		j = skipBlank(text, j+3)
	}
	if j >= len(text) {
		return 0, 0, false
	}
	if q := text[j]; q == '"' || q == '\'' || q == '`' {
		end := strings.IndexByte(text[j+1:], q)
		if end < 0 {
			return 0, 0, false
		}
		return j + 1, j + 1 + end, end > 0
	}
	if !sep {
		return 0, 0, false
	}
	end := j
	for end < len(text) && !strings.ContainsRune(" \t\r\n\"'<>(),;&", rune(text[end])) {
		end++
	}
	if end == j {
		return 0, 0, false
	}
	if m := authPrefixRE.FindStringIndex(text[j:]); m != nil {
		end = j + m[1]
	}
	return j, end, true
}

func skipBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// looksRandom is LooksSecret with its length bars as parameters: at least
// minLen characters with a letter-and-digit run of minRun or more. The
// entropy bar scales down for short values (a 12-character key cannot have
// 3.5 bits per character unless every character differs).
func looksRandom(value string, minLen, minRun int) bool {
	v := value
	for _, pre := range []string{"Bearer ", "bearer ", "Basic ", "basic "} {
		v = strings.TrimPrefix(v, pre)
	}
	if len(v) < minLen || len(v) > 16384 {
		return false
	}
	if hygieneIsUUID(v) {
		return true
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f {
			return false // words and sentences, or not ASCII: not a token
		}
	}
	if strings.Contains(v, "://") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") ||
		strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~/") ||
		(len(v) > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/')) {
		return false // URLs and file paths
	}
	if hygieneEntropy(v) < min(3.5, math.Log2(float64(len(v)))-0.5) {
		return false
	}
	// Judge the alphanumeric runs: the secret is in a long one.
	var lower, upper, digit, tokens, tokenLen, longest int
	for _, run := range hygieneAlnumRuns(v) {
		if len(run) > longest {
			longest = len(run)
		}
		if len(run) < 8 {
			continue
		}
		for _, w := range hygieneWords(run) {
			tokens++
			tokenLen += len(w)
		}
		for i := 0; i < len(run); i++ {
			switch c := run[i]; {
			case c >= 'a' && c <= 'z':
				lower++
			case c >= 'A' && c <= 'Z':
				upper++
			default:
				digit++
			}
		}
	}
	if longest < minRun {
		return false // short pieces: names, lists, numbers, dates, CRS codes
	}
	classes := 0
	for _, n := range []int{lower, upper, digit} {
		if n > 0 {
			classes++
		}
	}
	if classes < 2 {
		return false // one long word or one long number
	}
	// Words ("RoadNetwork2020") have long word pieces; random text breaks
	// into short ones at every change of case or between letters and digits.
	return float64(tokenLen)/float64(tokens) < 3.2
}

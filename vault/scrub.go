package vault

import (
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minScrubLen: shorter secrets are not searched for in text (a 3-letter
// password would blank every word that holds it). They are still never
// sent anywhere but their origin.
const minScrubLen = 4

// Scrub makes text a server sent (an exception message, an HTML title, an
// error) fit to show on a terminal, in a log line or in the app. It is the
// one redaction function for text:
//
//   - every control character goes: C0 and C1 (U+009B, the one-byte CSI,
//     included), DEL, and invisible format characters (bidi overrides,
//     zero-width spaces); tabs and line breaks become spaces, so the result
//     is one line, and invalid UTF-8 becomes U+FFFD;
//   - every form of every secret in secrets becomes "REDACTED": raw,
//     percent-encoded (once or twice), HTML-escaped and base64 (standard and
//     URL alphabets, at any alignment inside a longer encoded text), matched
//     regardless of ASCII case. Secrets shorter than 4 bytes are not
//     searched for;
//   - every URL in the text goes through RedactURL;
//   - values that the judgement finds secret (docs/secret-detection.md):
//     labelled values ("authkey=x", "password: x", "key 'x'"),
//     Authorization values ("Bearer x") and generated-looking words, become
//     "REDACTED". UUIDs and hashes in prose are identifiers and stay.
//
// Callers pass every secret the session holds (ClientSecrets,
// Store.Secrets). Scrub never panics.
func Scrub(text string, secrets []string) string {
	forms := secretForms(secrets)
	s := redactForms(stripControls(text), forms)
	// Once more after RedactURL, which re-encodes the URLs it rewrites.
	return redactForms(redactJudged(s), forms)
}

// ScrubIdentifier is Scrub for a value known to be an identifier (a layer
// or style name from a capabilities document): control characters and the
// session's secrets go, and nothing is held against its shape (a UUID or
// random-looking layer name stays usable).
func ScrubIdentifier(text string, secrets []string) string {
	return redactForms(stripControls(text), secretForms(secrets))
}

// stripControls drops control and format characters and turns white space
// controls into spaces.
func stripControls(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029 || r == 0x85:
			return ' '
		case r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// secretForm is one form of a secret; a base64 form is the middle of an
// encoded text whose neighbouring characters encode the secret too.
type secretForm struct {
	text   string
	base64 bool
}

// secretForms lists the forms each secret may take in a server's answer,
// longest first.
func secretForms(secrets []string) []secretForm {
	var forms []secretForm
	add := func(f string) {
		if len(f) >= minScrubLen {
			forms = append(forms, secretForm{text: f})
		}
	}
	addBase64 := func(f string) {
		forms = append(forms, secretForm{text: f, base64: true})
	}
	for _, sec := range secrets {
		if len(sec) < minScrubLen {
			continue
		}
		add(sec)
		add(url.QueryEscape(sec))
		add(url.PathEscape(sec))
		add(url.QueryEscape(url.QueryEscape(sec)))
		add(html.EscapeString(sec))
		add(percentEveryByte(sec))
		for _, b := range base64Forms(sec) {
			addBase64(b)
			addBase64(strings.NewReplacer("+", "-", "/", "_").Replace(b))
			add(url.QueryEscape(b))
		}
	}
	slices.SortFunc(forms, func(a, b secretForm) int { return len(b.text) - len(a.text) })
	return slices.Compact(forms)
}

// isBase64Char reports whether c belongs to either base64 alphabet.
func isBase64Char(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '-' || c == '_' || c == '='
}

// percentEveryByte percent-encodes every byte of s ("%41%42").
func percentEveryByte(s string) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, 3*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, '%', hex[s[i]>>4], hex[s[i]&15])
	}
	return string(b)
}

// ClientSecrets lists every secret an authenticating client made by
// NewClient holds: the forms of each credential in its session store
// (Store.Secrets) and what its authenticators obtained (tokens from a token
// service or an OAuth2 sign-in). Any other client holds none. Callers pass
// them to Scrub before showing what a server sent.
func ClientSecrets(c *http.Client) []string {
	if c == nil {
		return nil
	}
	t, ok := c.Transport.(*authTransport)
	if !ok {
		return nil
	}
	out := t.store.Secrets()
	t.mu.Lock()
	auths := make([]Authenticator, 0, len(t.auths))
	for _, sa := range t.auths {
		auths = append(auths, sa.auth)
	}
	t.mu.Unlock()
	for _, a := range auths {
		out = append(out, a.Secrets()...)
	}
	return out
}

// base64Forms returns the parts of sec's base64 encoding that do not depend
// on what comes before or after it, for each of the three alignments it
// may have inside a longer encoded text ("user:" + sec in a Basic header).
func base64Forms(sec string) []string {
	var out []string
	for k := 0; k < 3; k++ {
		b := base64.StdEncoding.EncodeToString(append(make([]byte, k), sec...))
		start := (8*k + 5) / 6
		end := 8 * (k + len(sec)) / 6
		if end-start >= 8 {
			out = append(out, b[start:end])
		}
	}
	return out
}

// redactForms replaces every occurrence of forms in s, ignoring ASCII
// case, with "REDACTED"; so is the start of a form that ends the text
// (before a "..." or "…" that says it was cut), 4 bytes or more of it,
// since a server's text may have been cut short in the middle of a secret.
func redactForms(s string, forms []secretForm) string {
	if len(forms) == 0 || s == "" {
		return s
	}
	lower := asciiLower(s)
	end := len(strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(lower, "..."), "…"), " "))
	var spans [][2]int
	for _, f := range forms {
		lf := asciiLower(f.text)
		for i := 0; i <= len(lower)-len(lf); {
			j := strings.Index(lower[i:], lf)
			if j < 0 {
				break
			}
			a, b := i+j, i+j+len(lf)
			if f.base64 { // the whole encoded run: its ends encode parts of the secret
				for a > 0 && isBase64Char(s[a-1]) {
					a--
				}
				for b < len(s) && isBase64Char(s[b]) {
					b++
				}
			}
			spans = append(spans, [2]int{a, b})
			i += j + len(lf)
		}
		for k := min(len(lf)-1, end); k >= minScrubLen; k-- {
			if strings.HasSuffix(lower[:end], lf[:k]) {
				spans = append(spans, [2]int{end - k, end})
				break
			}
		}
	}
	return replaceSpans(s, spans)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

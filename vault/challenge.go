package vault

import (
	"net/http"
	"strings"
)

// Challenge is one challenge of a WWW-Authenticate header (RFC 9110
// §11.6.1): an auth scheme and its parameters. Parameter names are lower
// case; a token68 (as in "Negotiate abc==") is kept under the name "".
type Challenge struct {
	Scheme string
	Params map[string]string
}

// Param returns the value of parameter name (case insensitive).
func (c Challenge) Param(name string) string { return c.Params[strings.ToLower(name)] }

// maxChallengeHeaderBytes bounds what ParseChallenges reads: a server
// cannot make the parser work on megabytes of header.
const maxChallengeHeaderBytes = 16 << 10

// ParseChallenges parses every WWW-Authenticate header value of h into its
// challenges, in order. Malformed parts are skipped, never an error: a
// server's header is a hint, not a contract.
func ParseChallenges(h http.Header) []Challenge {
	var out []Challenge
	total := 0
	for _, v := range h.Values("Www-Authenticate") {
		total += len(v)
		if total > maxChallengeHeaderBytes {
			break
		}
		out = append(out, parseChallengeList(v)...)
		if len(out) > 32 {
			return out[:32]
		}
	}
	return out
}

// parseChallengeList parses one header value, which may hold several
// comma-separated challenges ("Basic realm=x, Bearer error=y").
func parseChallengeList(s string) []Challenge {
	var out []Challenge
	var cur *Challenge
	p := challengeParser{s: s}
	for {
		p.skipSpaceAndCommas()
		if p.done() {
			break
		}
		tok := p.token()
		if tok == "" {
			// Not a token: skip one byte and go on.
			p.i++
			continue
		}
		p.skipSpace()
		if !p.done() && p.s[p.i] == '=' && cur != nil && !p.token68Ahead() {
			// name=value: a parameter of the current challenge.
			p.i++
			p.skipSpace()
			val := p.value()
			if cur.Params == nil {
				cur.Params = map[string]string{}
			}
			cur.Params[strings.ToLower(tok)] = val
			continue
		}
		// A new challenge: scheme, then optionally a token68 or params.
		out = append(out, Challenge{Scheme: tok})
		cur = &out[len(out)-1]
		p.skipSpace()
		if t68 := p.token68(); t68 != "" {
			cur.Params = map[string]string{"": t68}
		}
	}
	return out
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) done() bool { return p.i >= len(p.s) }

func (p *challengeParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *challengeParser) skipSpaceAndCommas() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

func isTokenChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68Ahead reports whether the '=' at p.i starts the padding of a
// token68 ("abc==" or "abc=" followed by the end, a comma or space),
// rather than a parameter's value.
func (p *challengeParser) token68Ahead() bool {
	j := p.i
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	return j-p.i > 1 || j >= len(p.s) || p.s[j] == ',' || p.s[j] == ' '
}

// token68 reads a token68 (RFC 9110 §11.2) when one follows a scheme name:
// a run of token68 characters with optional '=' padding, not followed by
// another '=' (which would make it a parameter name).
func (p *challengeParser) token68() string {
	start := p.i
	j := p.i
	for j < len(p.s) && (isAlnum(p.s[j]) || strings.IndexByte("-._~+/", p.s[j]) >= 0) {
		j++
	}
	if j == start {
		return ""
	}
	k := j
	for k < len(p.s) && p.s[k] == '=' {
		k++
	}
	// "name=value" is a parameter, not a token68.
	if k == j+1 && k < len(p.s) && p.s[k] != ',' && p.s[k] != ' ' {
		return ""
	}
	rest := k
	for rest < len(p.s) && (p.s[rest] == ' ' || p.s[rest] == '\t') {
		rest++
	}
	if rest < len(p.s) && p.s[rest] != ',' {
		return ""
	}
	p.i = k
	return p.s[start:k]
}

// value reads a token or a quoted string (with backslash escapes).
func (p *challengeParser) value() string {
	if p.done() {
		return ""
	}
	if p.s[p.i] != '"' {
		return p.token()
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == '"':
			p.i++
			return b.String()
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return b.String()
}

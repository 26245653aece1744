package vault

import (
	"slices"
	"strings"
)

// RedactURL returns raw with user information and the values of every query
// parameter (and path segment) that may carry a secret replaced by
// "REDACTED". Every URL that reaches an error, a log line or the screen goes
// through it. What is a secret is the judgement's business (judge.go).
func RedactURL(raw string) string { return redactURL(raw) }

// redactJudged sends every URL in s through RedactURL and replaces what
// the judgement finds secret in the rest.
func redactJudged(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range scanURLRE.FindAllStringIndex(s, -1) {
		b.WriteString(redactText(s[last:loc[0]]))
		b.WriteString(redactURL(s[loc[0]:loc[1]]))
		last = loc[1]
	}
	b.WriteString(redactText(s[last:]))
	return b.String()
}

// redactText replaces the secrets textFindings finds in s (which holds no
// URL).
func redactText(s string) string {
	fs := textFindings(s, 0)
	spans := make([][2]int, 0, len(fs))
	for _, f := range fs {
		spans = append(spans, [2]int{f.start, f.end})
	}
	return replaceSpans(s, spans)
}

// replaceSpans replaces each span of s (overlaps merged) with "REDACTED".
func replaceSpans(s string, spans [][2]int) string {
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] < end; i++ {
			end = max(end, spans[i][1])
		}
		start = max(start, last)
		b.WriteString(s[last:start])
		b.WriteString(redactedValue)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

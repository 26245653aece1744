package vault

import "net/url"

// redactURL is replaced by the URL hygiene implementation (hygiene.go).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

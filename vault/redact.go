package vault

// RedactURL returns raw with user information and the values of every query
// parameter (and path segment) that may carry a secret replaced by
// "REDACTED". Every URL that reaches an error, a log line or the screen goes
// through it. The rules live with URL hygiene (hygiene.go).
func RedactURL(raw string) string { return redactURL(raw) }

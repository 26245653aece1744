package vault

// RedactURL returns raw with user information and the values of every query
// parameter that may carry a secret replaced by "REDACTED". Every URL that
// reaches an error, a log line or the screen goes through it.
//
// (Implementation lives with URL hygiene; this placeholder keeps the package
// building until it lands.)
func RedactURL(raw string) string { return redactURL(raw) }

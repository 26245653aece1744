package vaulttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ArcGIS emulates ArcGIS Server token security the way Esri documents it
// (ArcGIS cannot run on the test machines):
//
//   - GET /<instance>/rest/info?f=json advertises authInfo.tokenServicesUrl
//     (TokenServicesURL, or this server's /<instance>/tokens/);
//   - POST /<instance>/tokens/generateToken, a form with username,
//     password, client, expiration (minutes) and f, answers
//     {"token", "expires" (milliseconds since the epoch), "ssl"}; a wrong
//     username or password gets HTTP 200 with {"error": {"code": 400}};
//     credentials in the query string or a GET get an error too;
//   - every other path is a token-secured service: a live token in the
//     token query parameter gets a PNG; no token gets 499 Token Required
//     and a wrong or expired one 498 Invalid Token, as JSON inside HTTP 200
//     (the default, as f=json requests get it) or as the HTTP status
//     (StatusCodes).
//
// One ArcGIS may serve two Servers (a layer server and a portal that issues
// its tokens). It is safe for concurrent use; set the fields before the
// first request.
type ArcGIS struct {
	User, Password string
	Instance       string           // first path segment; default "arcgis"
	Lifetime       time.Duration    // longest token lifetime; default 60 minutes
	Now            func() time.Time // clock for expiries; default time.Now
	StatusCodes    bool             // answer 499/498 as the HTTP status
	// TokenServicesURL is what rest/info advertises; default
	// <this server>/<instance>/tokens/.
	TokenServicesURL string
	SSL              bool // answer "ssl": true
	// EchoCredentials: the error for a wrong password repeats the
	// username and password sent (a careless server), to test scrubbing.
	EchoCredentials bool

	mu      sync.Mutex
	tokens  map[string]time.Time // issued token -> expiry
	issued  []string
	forms   []url.Values
	refuse  bool
	layerOK int
}

func (a *ArcGIS) instance() string {
	if a.Instance == "" {
		return "arcgis"
	}
	return a.Instance
}

func (a *ArcGIS) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// TokenPath is the path of the generateToken operation.
func (a *ArcGIS) TokenPath() string { return "/" + a.instance() + "/tokens/generateToken" }

// InfoPath is the path of rest/info.
func (a *ArcGIS) InfoPath() string { return "/" + a.instance() + "/rest/info" }

// ServicePath is the path of a token-secured map service export.
func (a *ArcGIS) ServicePath() string {
	return "/" + a.instance() + "/rest/services/Secure/Parcels/MapServer/export"
}

// Posts returns the generateToken requests received, as their forms.
func (a *ArcGIS) Posts() []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]url.Values(nil), a.forms...)
}

// Issued returns every token issued so far.
func (a *ArcGIS) Issued() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// Served counts the service requests answered with the image.
func (a *ArcGIS) Served() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.layerOK
}

// Revoke invalidates every token issued so far (a server restart).
func (a *ArcGIS) Revoke() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens = nil
}

// RefuseTokens makes the services refuse every token (498) while on.
func (a *ArcGIS) RefuseTokens(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refuse = on
}

func (a *ArcGIS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := strings.TrimRight(r.URL.Path, "/"); {
	case strings.EqualFold(p, a.InfoPath()):
		a.info(w, r)
	case strings.EqualFold(p, a.TokenPath()):
		a.generateToken(w, r)
	default:
		a.service(w, r)
	}
}

func (a *ArcGIS) info(w http.ResponseWriter, r *http.Request) {
	tokens := a.TokenServicesURL
	if tokens == "" {
		tokens = "http://" + r.Host + "/" + a.instance() + "/tokens/"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"currentVersion": 11.1,
		"fullVersion":    "11.1.0",
		"authInfo": map[string]any{
			"isTokenBasedSecurity":    true,
			"tokenServicesUrl":        tokens,
			"shortLivedTokenValidity": 60,
		},
	})
}

func arcgisError(code int, msg string, details ...string) map[string]any {
	if details == nil {
		details = []string{}
	}
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "details": details}}
}

func (a *ArcGIS) generateToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusOK, arcgisError(405, "Method not supported.", "generateToken is POST only"))
		return
	}
	if r.URL.Query().Has("password") || r.URL.Query().Has("username") {
		writeJSON(w, http.StatusOK, arcgisError(400, "Unable to generate token.", "Credentials must be in the request body."))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusOK, arcgisError(400, "Unable to generate token.", "Bad form."))
		return
	}
	form := r.PostForm
	a.mu.Lock()
	a.forms = append(a.forms, form)
	a.mu.Unlock()
	if !eq(form.Get("username"), a.User) || !eq(form.Get("password"), a.Password) {
		detail := "Invalid username or password."
		if a.EchoCredentials {
			detail = fmt.Sprintf("Invalid username %q or password %q.", form.Get("username"), form.Get("password"))
		}
		writeJSON(w, http.StatusOK, arcgisError(400, "Unable to generate token.", detail))
		return
	}
	switch form.Get("client") {
	case "requestip", "ip", "referer":
	default:
		writeJSON(w, http.StatusOK, arcgisError(400, "Unable to generate token.", "Invalid client type."))
		return
	}
	life := a.Lifetime
	if life <= 0 {
		life = 60 * time.Minute
	}
	if m, err := strconv.Atoi(form.Get("expiration")); err == nil && m > 0 && time.Duration(m)*time.Minute < life {
		life = time.Duration(m) * time.Minute
	}
	tok := randomToken()
	exp := a.now().Add(life)
	a.mu.Lock()
	if a.tokens == nil {
		a.tokens = map[string]time.Time{}
	}
	a.tokens[tok] = exp
	a.issued = append(a.issued, tok)
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires": exp.UnixMilli(), "ssl": a.SSL})
}

func (a *ArcGIS) service(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	code := 0
	a.mu.Lock()
	exp, ok := a.tokens[tok]
	switch {
	case tok == "":
		code = 499
	case !ok || !a.now().Before(exp) || a.refuse:
		code = 498
	default:
		a.layerOK++
	}
	a.mu.Unlock()
	if code == 0 {
		PNG().ServeHTTP(w, r)
		return
	}
	msg := map[int]string{499: "Token Required", 498: "Invalid Token"}[code]
	status := http.StatusOK
	if a.StatusCodes {
		status = code
	}
	writeJSON(w, status, arcgisError(code, msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of plain values are written
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// randomToken returns a fresh random token (hex, 40 characters).
func randomToken() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

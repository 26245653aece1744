package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxOAuth2MetadataBytes caps a metadata document (protected resource or
// authorization server): a server cannot make mapvault read megabytes.
const maxOAuth2MetadataBytes = 1 << 20

// Errors of OAuth2 discovery, matched with errors.Is.
var (
	// ErrOAuth2Metadata: no usable metadata was found where the issuer or
	// the resource said it would be (missing, not JSON, too large, without
	// the endpoints mapvault needs, or not the resource's own).
	ErrOAuth2Metadata = errors.New("vault: no usable OAuth2 metadata")
	// ErrOAuth2IssuerMismatch: an authorization server's metadata names
	// another issuer than the one asked (RFC 8414 §3.3; a mix-up or an
	// impersonation). It is not used.
	ErrOAuth2IssuerMismatch = errors.New("vault: OAuth2 metadata names another issuer")
)

// OAuth2Metadata is what mapvault uses of an authorization server's
// metadata (RFC 8414, or OpenID Connect Discovery 1.0).
type OAuth2Metadata struct {
	Issuer                string
	AuthorizationEndpoint string // empty when the server offers no sign-in (client credentials only)
	TokenEndpoint         string
	// CodeChallengeMethods lists the PKCE methods the server advertises.
	// It may be empty although the server supports S256
	// (django-oauth-toolkit's OpenID document leaves it out); mapvault
	// always uses S256.
	CodeChallengeMethods []string
	// TokenAuthMethods lists how a confidential client may authenticate at
	// the token endpoint ("client_secret_basic", "client_secret_post").
	TokenAuthMethods []string
}

// oauth2MetadataDoc is the JSON of RFC 8414 §2 (a superset of OpenID
// Connect Discovery §3), as far as mapvault reads it.
type oauth2MetadataDoc struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
}

// protectedResourceDoc is the JSON of RFC 9728 §2, as far as mapvault
// reads it.
type protectedResourceDoc struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
}

// DiscoverOAuth2 fetches the metadata of the authorization server issuer.
// It tries, in order and stopping at the first document found, RFC 8414
// (<origin>/.well-known/oauth-authorization-server<issuer path>), then
// OpenID Connect Discovery (<issuer>/.well-known/openid-configuration),
// then the same with a trailing slash (django-oauth-toolkit serves its
// document only there). Redirects are not followed. A document whose
// "issuer" is not issuer is refused (ErrOAuth2IssuerMismatch); one without
// a token endpoint, or with endpoints that are not http(s) URLs (or plain
// http for an https issuer), is ErrOAuth2Metadata. Requests go through
// env.Client (never a default client), each answer capped at 1 MiB.
func DiscoverOAuth2(ctx context.Context, issuer string, env Env) (*OAuth2Metadata, error) {
	return discoverOAuth2(ctx, env.plainClient(), issuer)
}

func discoverOAuth2(ctx context.Context, client *http.Client, issuer string) (*OAuth2Metadata, error) {
	iu, err := parseIssuer(issuer)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, u := range metadataURLs(iu) {
		var doc oauth2MetadataDoc
		found, err := fetchJSON(ctx, client, u, &doc)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &OAuth2Error{Op: "metadata", Err: ctx.Err()}
			}
			lastErr = err
			continue
		}
		if !found {
			continue
		}
		if !sameIssuer(doc.Issuer, issuer) {
			return nil, &OAuth2Error{Op: "metadata", Err: ErrOAuth2IssuerMismatch}
		}
		return doc.metadata(issuer)
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "the issuer publishes no metadata"}
}

// metadata checks the endpoints of a document found for issuer.
func (d oauth2MetadataDoc) metadata(issuer string) (*OAuth2Metadata, error) {
	secure := strings.HasPrefix(strings.ToLower(issuer), "https:")
	bad := func(what string) error {
		return &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: what}
	}
	if d.TokenEndpoint == "" {
		return nil, bad("no token endpoint")
	}
	if !endpointOK(d.TokenEndpoint, secure) {
		return nil, bad("the token endpoint is not a usable URL")
	}
	if d.AuthorizationEndpoint != "" && !endpointOK(d.AuthorizationEndpoint, secure) {
		return nil, bad("the authorization endpoint is not a usable URL")
	}
	return &OAuth2Metadata{
		Issuer:                issuer,
		AuthorizationEndpoint: d.AuthorizationEndpoint,
		TokenEndpoint:         d.TokenEndpoint,
		CodeChallengeMethods:  d.CodeChallengeMethods,
		TokenAuthMethods:      d.TokenAuthMethods,
	}, nil
}

// endpointOK: an absolute http(s) URL without user information or
// fragment; https when the issuer is (no downgrade).
func endpointOK(raw string, secure bool) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Fragment != "" || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return !secure
	}
	return false
}

// parseIssuer validates an issuer identifier: an http(s) URL without user
// information, query or fragment (RFC 8414 §2).
func parseIssuer(issuer string) (*url.URL, error) {
	if msg := checkURLField("issuer", issuer, true); msg != "" {
		return nil, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: msg}
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "issuer is not an http(s) URL"}
	}
	return u, nil
}

// metadataURLs lists where the metadata of issuer may be, in the order
// tried.
func metadataURLs(iu *url.URL) []string {
	path := strings.TrimSuffix(iu.EscapedPath(), "/")
	origin := iu.Scheme + "://" + iu.Host
	oidc := origin + path + "/.well-known/openid-configuration"
	return []string{
		origin + "/.well-known/oauth-authorization-server" + path, // RFC 8414 §3.1
		oidc,       // OpenID Connect Discovery §4
		oidc + "/", // django-oauth-toolkit: only the slash-terminated URL answers
	}
}

// sameIssuer compares issuer identifiers: identical (RFC 8414 §3.3), a
// trailing slash aside.
func sameIssuer(a, b string) bool {
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// fetchJSON GETs raw with client and decodes a 200 answer into v. found is
// false (and err nil) when the server answered but not with a document (a
// 404, a redirect, another status): the caller tries the next place. err
// is set for network failures and for a 200 that is not a JSON object of at
// most maxOAuth2MetadataBytes.
func fetchJSON(ctx context.Context, client *http.Client, raw string, v any) (found bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return false, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "bad metadata URL"}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false, &OAuth2Error{Op: "metadata", Err: err, detail: "the server did not answer"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.CopyN(io.Discard, resp.Body, 64<<10)
		return false, nil
	}
	if resp.ContentLength > maxOAuth2MetadataBytes {
		return false, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "the document is too large"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOAuth2MetadataBytes+1))
	if err != nil {
		return false, &OAuth2Error{Op: "metadata", Err: err, detail: "the connection failed"}
	}
	if len(body) > maxOAuth2MetadataBytes {
		return false, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "the document is too large"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return false, &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: "the document is not JSON"}
	}
	return true, nil
}

// resourceIssuer reads the protected resource metadata at metadataURL
// (RFC 9728) for the resource that answered at resourceURL and returns its
// first authorization server.
//
// RFC 9728 lets the resource name any metadata URL in its challenge; this
// client accepts one only on the resource's own origin, so a resource
// cannot make mapvault fetch from (or later sign in at the bidding of)
// another host through a spoofed challenge, and it checks that the
// document's "resource" is the resource asked about (§3.3): the same
// origin, with the request's path at or under the resource's path. The
// issuer must be an http(s) URL, https when the resource is.
func resourceIssuer(ctx context.Context, client *http.Client, resourceURL, metadataURL string) (string, error) {
	bad := func(what string) error {
		return &OAuth2Error{Op: "metadata", Err: ErrOAuth2Metadata, detail: what}
	}
	ru, err := url.Parse(resourceURL)
	if err != nil {
		return "", bad("bad resource URL")
	}
	resource, err := sourceOfURL(ru)
	if err != nil {
		return "", bad("bad resource URL")
	}
	mu, err := url.Parse(metadataURL)
	if err != nil || !resource.SameOrigin(mu) || mu.User != nil {
		return "", bad("the resource metadata is not on the resource's origin")
	}
	var doc protectedResourceDoc
	found, err := fetchJSON(ctx, client, mu.String(), &doc)
	if err != nil {
		return "", err
	}
	if !found {
		return "", bad("the resource metadata was not found")
	}
	if !resourceCovers(doc.Resource, resource) {
		return "", bad("the resource metadata is for another resource")
	}
	if len(doc.AuthorizationServers) == 0 {
		return "", bad("the resource names no authorization server")
	}
	issuer := doc.AuthorizationServers[0]
	if msg := checkURLField("issuer", issuer, true); msg != "" {
		return "", bad(msg)
	}
	if strings.HasPrefix(string(resource), "https:") && !strings.HasPrefix(strings.ToLower(issuer), "https:") {
		return "", bad("an https resource names a plain http authorization server")
	}
	return issuer, nil
}

// resourceCovers reports whether the resource identifier id names src: the
// same origin, and src's path at or under id's path.
func resourceCovers(id string, src Source) bool {
	rs, err := SourceOf(id)
	if err != nil || rs.Origin() != src.Origin() {
		return false
	}
	rp := strings.TrimSuffix(strings.TrimPrefix(string(rs), rs.Origin()), "/")
	sp := strings.TrimPrefix(string(src), src.Origin())
	return rp == "" || sp == rp || strings.HasPrefix(sp, rp+"/")
}

// OAuth2Error is a failed exchange with an OAuth2 authorization server or
// its metadata. Its text is built from fixed phrases, the operation, the
// HTTP status and a known RFC 6749 error code only: never server text,
// never a URL, never a secret. Errors.Is matches the cause (ErrOAuth2Metadata,
// ErrOAuth2IssuerMismatch, ErrOAuth2State, context errors).
type OAuth2Error struct {
	Op     string // "metadata", "sign-in", "token", "refresh", "client credentials"
	Status int    // the token endpoint's HTTP status; 0 when it did not answer
	// Code is the RFC 6749 / 7636 error code the server gave ("invalid_grant"),
	// when it is one of the registered ones; "" otherwise.
	Code   string
	Err    error // the cause, for errors.Is; not part of the text
	detail string
}

func (e *OAuth2Error) Error() string {
	msg := "vault: OAuth2 " + e.Op + " failed"
	switch {
	case e.detail != "":
		msg += ": " + e.detail
	case e.Code != "":
		msg += ": the server answered " + e.Code
	case errors.Is(e.Err, ErrOAuth2IssuerMismatch):
		msg += ": the metadata names another issuer"
	case e.Status != 0:
		msg += fmt.Sprintf(": HTTP %d", e.Status)
	}
	return msg
}

func (e *OAuth2Error) Unwrap() error { return e.Err }

// refused reports whether the authorization server refused the grant or
// the client (a 4xx with an error code): trying again with the same
// credential cannot help, only a new sign-in or secret.
func (e *OAuth2Error) refused() bool {
	return e.Code != "" && e.Status >= 400 && e.Status < 500
}

// knownOAuth2Codes are the error codes of RFC 6749 §4.1.2.1 and §5.2 (and
// RFC 8628's for completeness): the only server words an OAuth2Error
// repeats.
var knownOAuth2Codes = []string{
	"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope", "access_denied",
	"unsupported_response_type", "server_error", "temporarily_unavailable",
	"authorization_pending", "slow_down", "expired_token",
}

// knownOAuth2Code returns code when it is a registered error code, else
// "another error" for a non-empty one.
func knownOAuth2Code(code string) string {
	for _, k := range knownOAuth2Codes {
		if code == k {
			return k
		}
	}
	if code == "" {
		return ""
	}
	return "another error"
}

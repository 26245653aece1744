// Package vaulttest holds test doubles for code that talks to protected
// map services: httptest servers that protect a handler with HTTP Basic, a
// query key or a header, answer a rejection the way real servers do (401,
// 403, 404, 498, a 200 with an OGC ServiceException, a 200 login page, a
// redirect), count and record every request, and can drip a body slowly or
// send a huge one. ArcGIS and KeyExchange emulate token services: ArcGIS
// Server's token security (rest/info, generateToken, 499/498) and a
// portal that exchanges a secret key for an access key. OAuth2Provider
// emulates an OAuth2 authorization server (metadata, authorize with a
// loopback redirect, PKCE, rotating refresh tokens, client credentials)
// and the resource server it protects.
//
// It also describes the real MapServer behind nginx that .ci/mapserver
// starts for integration tests (RequireMapServer) and reads its access logs,
// so a test can count the requests that reached the server and prove that no
// credential crossed to another origin.
//
// It imports nothing from mapvault, so any package's tests (including
// package vault's own) can use it. It is for tests only.
package vaulttest

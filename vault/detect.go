package vault

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBadTarget: a detection target that cannot be probed.
var ErrBadTarget = errors.New("vault: bad detection target")

// Defaults of Detector.
const (
	DefaultParallel      = 4
	DefaultMaxProbeBytes = 4 << 20
	// maxProbeRedirects is how many same-origin redirects one probe follows
	// (re-attaching the candidate); a cross-origin one is never followed.
	maxProbeRedirects = 3
)

// Target is one small real request for a layer: a tiny GetMap (Expect
// ExpectImage) or, when nothing better is known, GetCapabilities (Expect
// ExpectXML). The caller builds it (package layers knows GetMap).
type Target struct {
	URL    string
	Expect string
	// Source, optional, is the source the credential belongs to when it is
	// not SourceOf(URL) (e.g. a GetMap URL under another path of the same
	// service, an XYZ tile under its template's prefix). It must cover URL
	// (Source.Covers).
	Source Source
}

func (t Target) source() (Source, error) {
	u, err := parseHTTPURL(t.URL)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrBadTarget, RedactURL(t.URL))
	}
	if t.Source == "" {
		return sourceOfURL(u)
	}
	if !t.Source.Covers(u) {
		return "", fmt.Errorf("%w: URL is not under %s", ErrBadTarget, t.Source)
	}
	return t.Source, nil
}

// Outcome is the result of a detection. The zero value is OutcomeUndecided,
// never success.
type Outcome int

const (
	OutcomeUndecided    Outcome = iota // no answer said yes or no: 404, 5xx, timeouts, redirects
	OutcomeFound                       // a method was accepted (Result.Method, Result.Param)
	OutcomeNoAuthNeeded                // the bare request was accepted
	OutcomeRejected                    // every method tried was rejected
)

func (o Outcome) String() string {
	switch o {
	case OutcomeFound:
		return "found"
	case OutcomeNoAuthNeeded:
		return "no authentication needed"
	case OutcomeRejected:
		return "rejected"
	default:
		return "undecided"
	}
}

// Candidate is one way of sending an access key, as CandidateOrder lists
// them.
type Candidate struct {
	Method Method
	Param  string // query parameter or header name
}

func (c Candidate) String() string { return describeEntry(Entry{Method: c.Method, Param: c.Param}) }

// Result is what a detection found. It never holds a secret.
type Result struct {
	Source  Source
	Outcome Outcome
	Method  Method // on OutcomeFound; MethodNone on OutcomeNoAuthNeeded
	Param   string // query parameter or header name for Method
	// Entry is everything found: the scheme and its non-secret parameters
	// (token URL, issuer, client id). On OutcomeRejected with no
	// credential, it names the scheme the server asked for, when it said.
	Entry    Entry
	Requests int    // HTTP requests sent, the bare probe included
	Reason   string // safe to show
	// Document is the accepted answer's body when the target asked for a
	// document (ExpectXML, ExpectJSON: a service's capabilities), so the
	// caller can read it without asking again. It is the server's text
	// as is, which may quote the credential: parse it, never show it.
	Document []byte
}

// CandidateOrder returns the ways an access key is tried when the server
// gives no hint, in order: customParam as a query parameter (when it is a
// valid name), the known query parameter names (detectedKeyParams), then
// the headers "Authorization: Bearer <key>" and "X-API-Key". A username
// and password are only ever tried one way (see the schemes).
func CandidateOrder(customParam string) []Candidate {
	var out []Candidate
	for _, sch := range registry {
		for _, e := range sch.Candidates(Credential{Key: "k"}, Answer{}, Hint{Param: customParam}) {
			out = append(out, Candidate{Method: e.Method, Param: e.Param})
		}
	}
	return out
}

// Detector finds out how a source wants a credential by sending a few real
// requests. It only probes the target's own origin, never follows a
// redirect to another origin, and with a username and password sends
// exactly one credentialed request (lockout safety). Concurrent Detect
// calls for the same source and credential share one probe sequence.
// A Detector must not be copied after first use.
type Detector struct {
	// Client is a plain client (NOT the authenticating one): the detector
	// attaches candidates itself. Its redirects are not followed. Default: a
	// fresh client with a 30 s timeout.
	Client   *http.Client
	KeyVault *KeyVault // optional: the recorded method is tried first; results are recorded
	Store    *Store    // optional: on success the credential is stored and verified
	// Parallel bounds concurrent candidate probes. Default 4.
	Parallel int
	// Clock stamps Entry.LastConfirmed. Default time.Now.
	Clock func() time.Time
	// Logger, optional, gets one line per probe (no URLs, no secrets).
	Logger *slog.Logger
	// MaxProbeBytes caps how much of a probe answer is read. Default 4 MiB.
	MaxProbeBytes int64

	mu       sync.Mutex
	inflight map[string]*detectCall
	look     *http.Client // LookClient
	memo     *lookMemo    // the refusals LookClient received
}

type detectCall struct {
	done chan struct{}
	res  Result
	err  error
}

// Detect probes t with c and returns what it found. customParam, optional,
// is a query parameter name the user knows the service uses; it is tried
// first for an access key. It is DetectWith with Hint{Param: customParam}.
func (d *Detector) Detect(ctx context.Context, t Target, c Credential, customParam string) (Result, error) {
	return d.DetectWith(ctx, t, c, Hint{Param: customParam})
}

// DetectWith probes t with c and what the user said (hint) and returns
// what it found. Errors are returned only for a bad target or parameter
// name and for a cancelled ctx; a server that cannot be reached gives
// OutcomeUndecided with a nil error.
func (d *Detector) DetectWith(ctx context.Context, t Target, c Credential, hint Hint) (Result, error) {
	src, err := t.source()
	if err != nil {
		return Result{}, err
	}
	if !validExpect(t.Expect) {
		return Result{Source: src}, fmt.Errorf("%w: Expect must be %q, %q or %q", ErrBadTarget, ExpectImage, ExpectXML, ExpectJSON)
	}
	if hint.Param != "" && !validParamName(hint.Param) {
		return Result{Source: src}, fmt.Errorf("%w: custom parameter name is not a valid token", ErrBadTarget)
	}
	key := flightKey(src, c, hint, t.Expect)

	d.mu.Lock()
	if call, ok := d.inflight[key]; ok {
		d.mu.Unlock()
		select {
		case <-call.done:
			return call.res, call.err
		case <-ctx.Done():
			return Result{Source: src, Reason: "could not decide: cancelled"}, ctx.Err()
		}
	}
	if d.inflight == nil {
		d.inflight = map[string]*detectCall{}
	}
	call := &detectCall{done: make(chan struct{})}
	d.inflight[key] = call
	d.mu.Unlock()

	defer func() {
		d.mu.Lock()
		delete(d.inflight, key)
		d.mu.Unlock()
		close(call.done)
	}()
	call.res, call.err = d.run(ctx, src, t, c, hint)
	return call.res, call.err
}

// flightKey identifies a detection for merging. The credential enters only
// as a SHA-256 digest, held in memory only.
func flightKey(src Source, c Credential, h Hint, expect string) string {
	hs := sha256.New()
	parts := []string{expect, h.Param, h.TokenURL, h.Issuer, h.ClientID, string(h.Method), h.Scope, fmt.Sprint(h.SignIn)}
	parts = append(parts, c.Username, c.Password, c.Key)
	if c.Token != nil {
		parts = append(parts, c.Token.AccessToken, c.Token.RefreshToken)
	}
	if c.Certificate != nil && len(c.Certificate.Certificate) > 0 {
		parts = append(parts, string(c.Certificate.Certificate[0]))
	}
	for _, s := range parts {
		fmt.Fprintf(hs, "%d:%s|", len(s), s)
	}
	return string(src) + "\x00" + hex.EncodeToString(hs.Sum(nil))
}

type probeResult struct {
	verdict  Verdict
	reason   string
	canceled bool
	sig      string      // answerSignature of a refusal
	answer   Answer      // the answer's status and challenges
	header   http.Header // the answer's header (for priming a challenge)
	doc      []byte      // an accepted document's body (Result.Document)
}

// detection is one run of Detect: its counters and its probing tools.
type detection struct {
	d    *Detector
	src  Source
	t    Target
	c    Credential
	sent atomic.Int64
	rt   http.RoundTripper // counts every request that reached the wire
	// bareSig is the bare probe's refusal (answerSignature), "" when it
	// was not refused: a key refused differently was read by the server.
	bareSig string
	// shared lets the candidates' authenticators obtain a token once.
	shared Shared

	mu     sync.Mutex
	latest *Token // tokens a probe renewed (see tokensChanged)
}

func (d *Detector) run(ctx context.Context, src Source, t Target, c Credential, hint Hint) (Result, error) {
	r := &detection{d: d, src: src, t: t, c: c}
	r.rt = &countingRT{base: d.baseTransport(), n: &r.sent}
	res := Result{Source: src}
	finish := func(o Outcome, reason string) Result {
		res.Outcome, res.Reason, res.Requests = o, reason, int(r.sent.Load())
		d.logger().Info("vault: detection", "source", src.String(), "outcome", o.String(),
			"method", string(res.Method), "param", res.Param, "requests", res.Requests, "reason", reason)
		return res
	}
	cancelled := func() (Result, error) {
		return finish(OutcomeUndecided, "could not decide: cancelled"), ctx.Err()
	}

	var entry Entry
	var hasEntry bool
	if d.KeyVault != nil {
		entry, hasEntry = d.KeyVault.Get(src)
	}
	if hasEntry {
		hint = hint.withEntry(entry)
	}
	tried := map[Entry]bool{}
	var bare probeResult
	recorded, hasRecorded := recordedEntry(entry, hasEntry, c, hint)
	if hasRecorded {
		// (0) The recorded method alone: one request when it still works.
		pr := r.probe(ctx, &recorded, nil)
		switch {
		case pr.canceled || ctx.Err() != nil:
			return cancelled()
		case pr.verdict == VerdictAccepted:
			return d.found(src, r.credential(), recorded, finish), nil
		case pr.verdict == VerdictUndecided:
			return finish(OutcomeUndecided, pr.reason), nil
		}
		tried[recorded] = true
		if c.isPassword() || c.Certificate != nil || c.Token != nil {
			// Lockout safety: a password is tried once.
			d.rejected(src, c)
			return finish(OutcomeRejected, "the server rejected the credential ("+recorded.Method.Label()+"): "+pr.reason), nil
		}
	} else {
		// The bare probe: is authentication needed at all, and how does the
		// server say it wants it?
		bare = r.probe(ctx, nil, nil)
		switch {
		case bare.canceled || ctx.Err() != nil:
			return cancelled()
		case bare.verdict == VerdictAccepted && !hint.SignIn:
			if d.KeyVault != nil {
				d.KeyVault.Set(src, Entry{AuthRequired: false, Method: MethodNone})
			}
			res.Method = MethodNone
			res.Entry = Entry{Method: MethodNone}
			res.Document = bare.doc
			return finish(OutcomeNoAuthNeeded, "the server answered without credentials"), nil
		case bare.verdict == VerdictUndecided && !bare.answer.ClientCertRequired && c.IsZero():
			return finish(OutcomeUndecided, bare.reason), nil
		}
		if unsupported(bare.answer) {
			// Never send a password to a server that asked for Windows
			// authentication: it would go as Basic to a server that
			// cannot take it.
			return finish(OutcomeUndecided, "the server wants Negotiate/NTLM (Windows) authentication, which mapvault does not support"), nil
		}
		if c.IsZero() {
			if e, ok := r.discover(ctx, bare.answer, hint); ok {
				res.Entry, res.Method, res.Param = e, e.Method, e.Param
				return finish(OutcomeRejected, "the server needs "+e.Method.Label()), nil
			}
			if ctx.Err() != nil {
				return cancelled()
			}
			return finish(OutcomeRejected, "the server needs credentials: "+bare.reason), nil
		}
		if bare.verdict == VerdictRejected && hint.Issuer == "" && hint.TokenURL == "" {
			// The user named no token service or authorization server: a
			// scheme that learns it from the refusal (an ArcGIS server's
			// token service, an OAuth2 issuer from the resource's
			// metadata) completes the hint and the candidates.
			if e, ok := r.discovered(ctx, bare.answer, hint); ok {
				bare.answer.Discovered = e
				hint = hint.withEntry(e)
			}
		}
	}

	var cands []Entry
	for _, sch := range registry {
		if hint.Method != "" && sch.Method() != hint.Method {
			continue
		}
		for _, e := range sch.Candidates(c, bare.answer, hint) {
			if !tried[e] {
				cands = append(cands, e)
			}
		}
	}
	u, _ := parseHTTPURL(t.URL) // already validated
	cands = slices.DeleteFunc(cands, func(e Entry) bool { return e.Method == MethodQuery && hasQueryParam(u, e.Param) })
	for i := range cands {
		// The user's "requires sign-in" mark is recorded with what is found.
		cands[i].SignIn = cands[i].SignIn || hint.SignIn
	}
	if !c.isKey() && len(cands) > 1 {
		// Lockout safety: a password (or certificate, or token) is sent
		// one way only, the most likely one.
		cands = cands[:1]
	}
	if len(cands) == 0 {
		return finish(OutcomeUndecided, "could not decide: no untried way to send the credential"), nil
	}

	// A parameter the user named (or that came with the pasted URL) is the
	// likeliest: it goes out alone before the parallel batches. So does a
	// way through the authorization server the user or the resource named
	// (OAuth2): a client secret goes to its token endpoint, and to the
	// resource as a key only if that fails.
	r.bareSig = bare.sig
	var results []probeResult
	named := (hint.Param != "" && cands[0].Param == hint.Param) || (hint.Issuer != "" && cands[0].Issuer == hint.Issuer)
	if named && len(cands) > 1 {
		results = r.probeAll(ctx, cands[:1], bare.header)
		if results[0].verdict != VerdictAccepted && ctx.Err() == nil && !r.readKey(results) {
			results = append(results, r.probeAll(ctx, cands[1:], bare.header)...)
		}
	} else {
		results = r.probeAll(ctx, cands, bare.header)
	}
	if ctx.Err() != nil {
		return cancelled()
	}
	for i, pr := range results {
		if pr.verdict == VerdictAccepted {
			out := d.found(src, r.credential(), cands[i], finish)
			out.Document = pr.doc
			return out, nil
		}
	}
	if i, ok := r.readKeyAt(results); ok {
		d.rejected(src, c)
		res.Entry = cands[i]
		return finish(OutcomeRejected, fmt.Sprintf("the server reads the key as %s and refused it (its answer differs from the one without a key): %s", describeEntry(cands[i]), results[i].reason)), nil
	}
	var firstUndecided, lastRejected string
	nRejected := 0
	for i, pr := range results {
		switch {
		case pr.verdict == VerdictAccepted:
			return d.found(src, r.credential(), cands[i], finish), nil
		case pr.canceled:
		case pr.verdict == VerdictUndecided && firstUndecided == "":
			firstUndecided = fmt.Sprintf("%s (%s)", pr.reason, describeEntry(cands[i]))
		case pr.verdict == VerdictRejected:
			nRejected++
			lastRejected = pr.reason
		}
	}
	if firstUndecided != "" {
		return finish(OutcomeUndecided, fmt.Sprintf("%s; %d of %d ways rejected", firstUndecided, nRejected, len(cands))), nil
	}
	d.rejected(src, c)
	if len(cands) == 1 {
		res.Entry = cands[0]
		return finish(OutcomeRejected, fmt.Sprintf("the server rejected the credential (%s): %s", describeEntry(cands[0]), lastRejected)), nil
	}
	return finish(OutcomeRejected, fmt.Sprintf("the server rejected the credential all %d ways tried; last: %s", nRejected, lastRejected)), nil
}

// withEntry adds what the KeyVault records to the user's hint (the user's
// own words win).
func (h Hint) withEntry(e Entry) Hint {
	if h.TokenURL == "" {
		h.TokenURL = e.TokenURL
	}
	if h.Issuer == "" {
		h.Issuer = e.Issuer
	}
	if h.ClientID == "" {
		h.ClientID = e.ClientID
	}
	if h.Scope == "" {
		h.Scope = e.Scope
	}
	h.SignIn = h.SignIn || e.SignIn
	return h
}

// recordedEntry returns the KeyVault's recorded entry when its scheme can
// carry c (or, with no credential, when the scheme obtains one itself).
func recordedEntry(e Entry, hasEntry bool, c Credential, hint Hint) (Entry, bool) {
	if !hasEntry || !e.AuthRequired || (hint.Method != "" && hint.Method != e.Method) {
		return Entry{}, false
	}
	sch, ok := SchemeFor(e.Method)
	if !ok || !sch.Usable(c) {
		return Entry{}, false
	}
	e.LastConfirmed = time.Time{}
	return e, true
}

// unsupported reports an answer whose only challenges are schemes mapvault
// cannot speak (Negotiate, NTLM).
func unsupported(a Answer) bool {
	if a.Verdict != VerdictRejected || len(a.Challenges) == 0 {
		return false
	}
	for _, c := range a.Challenges {
		if !equalFoldASCII(c.Scheme, "Negotiate") && !equalFoldASCII(c.Scheme, "NTLM") {
			return false
		}
	}
	return true
}

// Discoverer is implemented by schemes that can learn how to authenticate
// from a refusal alone, with no credential (OAuth2 protected-resource
// metadata, an ArcGIS token service, a client-certificate refusal).
// Detection asks each, in registry order, when the user gave no secret
// (and records what it found), or, with a secret the scheme can carry,
// to complete the hint before the candidates are built.
type Discoverer interface {
	Discover(ctx context.Context, bare Answer, hint Hint, env Env) (Entry, bool)
}

// discover records what the Discoverers learn from a refusal when the user
// gave no credential.
func (r *detection) discover(ctx context.Context, bare Answer, hint Hint) (Entry, bool) {
	e, ok := r.discovered(ctx, bare, hint)
	if ok && r.d.KeyVault != nil {
		r.d.KeyVault.Set(r.src, e)
	}
	return e, ok
}

// discovered asks each Discoverer, in registry order, what bare says.
func (r *detection) discovered(ctx context.Context, bare Answer, hint Hint) (Entry, bool) {
	env := r.env()
	for _, sch := range registry {
		dsc, ok := sch.(Discoverer)
		if !ok || (hint.Method != "" && hint.Method != sch.Method()) || (!r.c.IsZero() && !sch.Usable(r.c)) {
			continue
		}
		if e, ok := dsc.Discover(ctx, bare, hint, env); ok {
			return e, true
		}
	}
	return Entry{}, false
}

func (r *detection) env() Env {
	return Env{
		Client: &http.Client{
			Transport:     r.rt,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       DefaultRequestTimeout,
		},
		Clock:         r.d.Clock,
		Shared:        &r.shared,
		TokensChanged: r.tokensChanged,
	}
}

// tokensChanged keeps the tokens a probe renewed (refresh tokens rotate:
// the credential detection started with may be dead now).
func (r *detection) tokensChanged(t *Token) {
	r.mu.Lock()
	r.latest = t
	r.mu.Unlock()
}

// credential is the credential detection stores: c, with the tokens a
// probe renewed.
func (r *detection) credential() Credential {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.c
	if r.latest != nil && c.Token != nil {
		c.Token = r.latest
	}
	return c
}

func (d *Detector) found(src Source, c Credential, e Entry, finish func(Outcome, string) Result) Result {
	clock := d.Clock
	if clock == nil {
		clock = time.Now
	}
	e.AuthRequired = true
	e.LastConfirmed = clock()
	if d.KeyVault != nil {
		d.KeyVault.Set(src, e)
		e, _ = d.KeyVault.Get(src)
	}
	if d.Store != nil {
		d.Store.Set(src, c)
		d.Store.MarkVerified(src)
	}
	r := finish(OutcomeFound, "accepted with "+entryPhrase(e))
	r.Method, r.Param, r.Entry = e.Method, e.Param, e
	return r
}

// rejected makes sure the store does not keep c as usable for src.
func (d *Detector) rejected(src Source, c Credential) {
	if d.Store == nil {
		return
	}
	if cur, _ := d.Store.Get(src); cur == c {
		d.Store.MarkRejected(src)
	}
}

// describeEntry is a short form for logs and reasons: "query authkey".
func describeEntry(e Entry) string {
	if e.Param != "" {
		return string(e.Method) + " " + e.Param
	}
	return string(e.Method)
}

// entryPhrase is a human form: `query parameter "authkey"`.
func entryPhrase(e Entry) string {
	switch e.Method {
	case MethodQuery:
		return fmt.Sprintf("query parameter %q", e.Param)
	case MethodHeader:
		if e.Param == "Authorization" {
			return `header "Authorization: Bearer"`
		}
		return fmt.Sprintf("header %q", e.Param)
	}
	return e.Method.Label()
}

// probeAll probes cands in batches of Parallel. Once one is accepted, the
// later ones of its batch are cancelled and no further batch starts; the
// earlier ones are awaited, so the winner is the earliest accepted one.
func (r *detection) probeAll(ctx context.Context, cands []Entry, challenge http.Header) []probeResult {
	par := r.d.Parallel
	if par <= 0 {
		par = DefaultParallel
	}
	results := make([]probeResult, len(cands))
	for start := 0; start < len(cands); start += par {
		end := min(start+par, len(cands))
		ctxs := make([]context.Context, end-start)
		cancels := make([]context.CancelFunc, end-start)
		for i := range ctxs {
			ctxs[i], cancels[i] = context.WithCancel(ctx)
		}
		var mu sync.Mutex
		winner := -1
		var wg sync.WaitGroup
		for i := start; i < end; i++ {
			wg.Go(func() {
				pr := r.probe(ctxs[i-start], &cands[i], challenge)
				results[i] = pr
				if pr.verdict != VerdictAccepted {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if winner < 0 || i < winner {
					winner = i
					for j := i + 1; j < end; j++ {
						cancels[j-start]()
					}
				}
			})
		}
		wg.Wait()
		for _, cancel := range cancels {
			cancel()
		}
		if winner >= 0 || ctx.Err() != nil || r.readKey(results[start:end]) {
			for i := end; i < len(cands); i++ {
				results[i] = probeResult{canceled: true}
			}
			break
		}
	}
	return results
}

// readKeyAt returns the first refused candidate whose answer differs from
// the bare one: the server read the key under that name (and refused it).
func (r *detection) readKeyAt(results []probeResult) (int, bool) {
	if r.bareSig == "" || !r.c.isKey() {
		return 0, false
	}
	for i, pr := range results {
		if pr.verdict == VerdictRejected && !pr.canceled && pr.sig != "" && pr.sig != r.bareSig {
			return i, true
		}
	}
	return 0, false
}

func (r *detection) readKey(results []probeResult) bool {
	_, ok := r.readKeyAt(results)
	return ok
}

// primer is implemented by authenticators that can use a challenge the
// bare probe already received (Digest), saving a round trip.
type primer interface{ Prime(h http.Header) }

// probe sends the target with e's scheme (nil: bare) and classifies the
// answer. Every request that reached the wire is counted.
func (r *detection) probe(ctx context.Context, e *Entry, challenge http.Header) probeResult {
	u, err := parseHTTPURL(r.t.URL)
	if err != nil {
		return probeResult{reason: "could not decide: bad URL"}
	}
	how := "none"
	var auth Authenticator
	if e != nil {
		how = describeEntry(*e)
		sch, ok := SchemeFor(e.Method)
		if !ok {
			return probeResult{reason: "could not decide: unknown method"}
		}
		auth, err = sch.Authenticator(*e, r.c, r.env())
		if err != nil {
			return probeResult{reason: "could not decide: cannot send the credential as " + how}
		}
		if p, ok := auth.(primer); ok && challenge != nil {
			p.Prime(challenge)
		}
		if c, ok := auth.(interface{ CloseIdleConnections() }); ok {
			// An authenticator with connections of its own (a client
			// certificate) is used for this probe only.
			defer c.CloseIdleConnections()
		}
	}
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(WithSource(ctx, r.src), http.MethodGet, u.String(), nil)
		if err != nil {
			return probeResult{reason: "could not decide: bad URL"}
		}
		var resp *http.Response
		if auth != nil {
			resp, err = auth.RoundTrip(req, r.rt)
		} else if remembered, ok := r.d.remembered(u.String(), req, hop); ok {
			// The front end's anonymous look just got this refusal.
			r.sent.Add(1)
			resp = remembered
		} else {
			resp, err = r.rt.RoundTrip(req)
		}
		if err != nil {
			if ctx.Err() != nil {
				return probeResult{canceled: true, reason: "could not decide: cancelled"}
			}
			pr := probeResult{reason: networkReason(err)}
			switch {
			case errors.Is(err, errNotSendable):
				pr.reason = "could not decide: cannot send the credential as " + how
			case errors.Is(err, ErrRejected):
				// The scheme's token service refused the credential;
				// nothing went to the target.
				pr.verdict = VerdictRejected
				pr.reason = "the token service rejected the credential"
			case errors.Is(err, ErrTokenService):
				pr.reason = "could not decide: the token service gave no usable token"
			}
			if isClientCertError(err) {
				pr.answer.ClientCertRequired = true
				pr.reason = "the server requires a client certificate"
				if e != nil {
					pr.verdict = VerdictRejected
				}
			}
			r.d.logProbe(r.src, how, pr)
			return pr
		}
		if loc, lerr := resp.Location(); lerr == nil && resp.StatusCode >= 300 && resp.StatusCode < 400 {
			drain(resp)
			if !r.src.Covers(loc) {
				// Another origin, or outside a prefix source's path: the
				// candidate goes only where the source's credential goes.
				pr := probeResult{reason: "could not decide: the server redirected outside the source (not followed)"}
				r.d.logProbe(r.src, how, pr)
				return pr
			}
			if hop >= maxProbeRedirects {
				pr := probeResult{reason: "could not decide: too many redirects"}
				r.d.logProbe(r.src, how, pr)
				return pr
			}
			if auth != nil {
				stripSecretParams(loc, auth.Secrets())
			}
			u = loc
			continue
		}
		pr := r.d.readAndClassify(ctx, resp, r.t.Expect)
		pr.answer.URL = u.String()
		r.d.logProbe(r.src, how, pr)
		return pr
	}
}

func (d *Detector) readAndClassify(ctx context.Context, resp *http.Response, expect string) probeResult {
	defer resp.Body.Close()
	limit := d.MaxProbeBytes
	if limit <= 0 {
		limit = DefaultMaxProbeBytes
	}
	pr := probeResult{header: resp.Header}
	pr.answer.Status = resp.StatusCode
	pr.answer.Challenges = ParseChallenges(resp.Header)
	pr.answer.TokenRequired = resp.StatusCode == StatusTokenRequired
	var body []byte
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// The status alone decides; a little of the body tells a missing
		// client certificate (nginx answers 400) or an ArcGIS code.
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		drain(resp)
	} else {
		if resp.ContentLength > limit {
			pr.reason = fmt.Sprintf("could not decide: the answer is larger than %d bytes", limit)
			return pr
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			if ctx.Err() != nil {
				return probeResult{canceled: true, reason: "could not decide: cancelled"}
			}
			pr.reason = networkReason(err)
			return pr
		}
		if int64(len(body)) > limit {
			pr.reason = fmt.Sprintf("could not decide: the answer is larger than %d bytes", limit)
			return pr
		}
	}
	pr.verdict, pr.reason = Classify(resp, body, expect)
	if code := arcgisErrorCode(body); code == StatusTokenRequired || code == StatusTokenInvalid {
		pr.answer.TokenRequired = pr.answer.TokenRequired || code == StatusTokenRequired
		pr.verdict = VerdictRejected
		pr.reason = "server answered with ArcGIS error " + statusLine(code)
	}
	if clientCertRefusal(resp.StatusCode, body) {
		pr.answer.ClientCertRequired = true
		pr.verdict = VerdictRejected
		pr.reason = "the server requires a client certificate"
	}
	pr.answer.Verdict = pr.verdict
	if pr.verdict == VerdictAccepted && (expect == ExpectXML || expect == ExpectJSON) {
		pr.doc = body
	}
	if pr.verdict == VerdictRejected {
		pr.sig = answerSignature(resp.StatusCode, body)
	}
	return pr
}

// remembered returns the refusal LookClient received for rawURL, for the
// first hop of a bare probe.
func (d *Detector) remembered(rawURL string, req *http.Request, hop int) (*http.Response, bool) {
	d.mu.Lock()
	m := d.memo
	d.mu.Unlock()
	if m == nil || hop != 0 {
		return nil, false
	}
	return m.take(rawURL, req)
}

// baseTransport is what probes go through: the caller's client's transport
// (never following redirects on its own), or a fresh one.
func (d *Detector) baseTransport() http.RoundTripper {
	if d.Client != nil && d.Client.Transport != nil {
		return d.Client.Transport
	}
	timeout := DefaultRequestTimeout
	if d.Client != nil && d.Client.Timeout > 0 {
		timeout = d.Client.Timeout
	}
	return newBaseTransport(timeout)
}

// countingRT counts the requests that reached the wire (or got an answer).
type countingRT struct {
	base http.RoundTripper
	n    *atomic.Int64
}

// baseWrapper is a round tripper that observes requests on their way to a
// base transport (detection's countingRT). An authenticator that must
// send over connections of its own (a client certificate) takes its base
// to clone and wraps its own transport the same way, so that its requests
// are observed (counted) too.
type baseWrapper interface {
	wrappedBase() http.RoundTripper
	withBase(base http.RoundTripper) http.RoundTripper
}

func (c *countingRT) wrappedBase() http.RoundTripper { return c.base }

func (c *countingRT) withBase(base http.RoundTripper) http.RoundTripper {
	return &countingRT{base: base, n: c.n}
}

func (c *countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	}))
	resp, err := c.base.RoundTrip(req)
	if wrote.Load() || resp != nil {
		c.n.Add(1)
	}
	return resp, err
}

func (d *Detector) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Detector) logProbe(src Source, how string, pr probeResult) {
	d.logger().Debug("vault: probe", "source", src.String(), "credential", how, "verdict", pr.verdict.String(), "reason", pr.reason)
}

// networkReason describes a transport error without its text (which may
// hold a URL): safe to show.
func networkReason(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) || errors.Is(err, os.ErrDeadlineExceeded):
		return "could not decide: the server did not answer in time"
	case errors.As(err, &dnsErr):
		return "could not decide: host name not found"
	case errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr):
		return "could not decide: the server's TLS certificate is not trusted"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "could not decide: could not connect to the server"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "could not decide: the connection closed early"
	}
	return "could not decide: network error"
}

// parseHTTPURL parses an http(s) URL and drops user information (a
// request would otherwise send it as Basic on its own).
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if _, err := sourceOfURL(u); err != nil {
		return nil, err
	}
	u.User = nil
	return u, nil
}

func drain(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

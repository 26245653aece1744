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
	// service). It must have URL's origin.
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
	if !t.Source.SameOrigin(u) {
		return "", fmt.Errorf("%w: URL is not on the origin of %s", ErrBadTarget, t.Source)
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

// Candidate is one way of sending a credential.
type Candidate struct {
	Method Method
	Param  string // query parameter or header name; empty for Basic
}

func (c Candidate) String() string { return describeCandidate(c) }

// Result is what a detection found. It never holds a secret.
type Result struct {
	Source   Source
	Outcome  Outcome
	Method   Method // on OutcomeFound; MethodNone on OutcomeNoAuthNeeded
	Param    string // query parameter or header name for Method
	Requests int    // HTTP requests sent, the bare probe included
	Reason   string // safe to show
}

// keyQueryParams are the query parameter names tried for an access key, in
// order (see docs/auth-detection.md for why).
func keyQueryParams() []string {
	return []string{
		"code", "key", "token", // Netherlands3D KeyVault's own order
		"authkey", // GeoServer AuthKey module
		"api_key", "apikey", "apiKey", "api-key",
		"access_token", "access_key",
		"subscription-key", // Azure Maps / API Management
		"tk",               // Tianditu
	}
}

// CandidateOrder returns the candidates tried for an access key, in order:
// customParam as a query parameter (when it is a valid name), the known
// query parameter names, then the headers "Authorization: Bearer <key>" and
// "X-API-Key". A username and password are only ever tried as HTTP Basic,
// which is not part of this list.
func CandidateOrder(customParam string) []Candidate {
	var out []Candidate
	if validParamName(customParam) {
		out = append(out, Candidate{Method: MethodQuery, Param: customParam})
	}
	for _, p := range keyQueryParams() {
		if p != customParam {
			out = append(out, Candidate{Method: MethodQuery, Param: p})
		}
	}
	return append(out,
		Candidate{Method: MethodHeader, Param: "Authorization"},
		Candidate{Method: MethodHeader, Param: "X-API-Key"},
	)
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
}

type detectCall struct {
	done chan struct{}
	res  Result
	err  error
}

// Detect probes t with c and returns what it found. customParam, optional,
// is a query parameter name the user knows the service uses; it is tried
// first for an access key. Errors are returned only for a bad target or
// parameter name and for a cancelled ctx; a server that cannot be reached
// gives OutcomeUndecided with a nil error.
func (d *Detector) Detect(ctx context.Context, t Target, c Credential, customParam string) (Result, error) {
	src, err := t.source()
	if err != nil {
		return Result{}, err
	}
	if t.Expect != ExpectImage && t.Expect != ExpectXML {
		return Result{Source: src}, fmt.Errorf("%w: Expect must be %q or %q", ErrBadTarget, ExpectImage, ExpectXML)
	}
	if customParam != "" && !validParamName(customParam) {
		return Result{Source: src}, fmt.Errorf("%w: custom parameter name is not a valid token", ErrBadTarget)
	}
	key := flightKey(src, c, customParam, t.Expect)

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
	call.res, call.err = d.run(ctx, src, t, c, customParam)
	return call.res, call.err
}

// flightKey identifies a detection for merging. The credential enters only
// as a SHA-256 digest, held in memory only.
func flightKey(src Source, c Credential, customParam, expect string) string {
	h := sha256.New()
	for _, s := range []string{c.Username, c.Password, c.Key, customParam, expect} {
		fmt.Fprintf(h, "%d:%s|", len(s), s)
	}
	return string(src) + "\x00" + hex.EncodeToString(h.Sum(nil))
}

type probeResult struct {
	verdict  Verdict
	reason   string
	canceled bool
}

func (d *Detector) run(ctx context.Context, src Source, t Target, c Credential, customParam string) (Result, error) {
	var sent atomic.Int64
	res := Result{Source: src}
	finish := func(o Outcome, reason string) Result {
		res.Outcome, res.Reason, res.Requests = o, reason, int(sent.Load())
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
	tried := map[Candidate]bool{}
	if hasEntry && entry.AuthRequired {
		// (0) The recorded method alone: one request when it still works.
		if cand, ok := recordedCandidate(entry, c); ok {
			pr := d.probe(ctx, src, t, c, &cand, &sent)
			switch {
			case pr.canceled || ctx.Err() != nil:
				return cancelled()
			case pr.verdict == VerdictAccepted:
				return d.found(src, c, cand, finish), nil
			case pr.verdict == VerdictUndecided:
				return finish(OutcomeUndecided, pr.reason), nil
			}
			tried[cand] = true
			if cand.Method == MethodBasic {
				// Lockout safety: a password is tried once.
				d.rejected(src, c)
				return finish(OutcomeRejected, "the server rejected the username and password: "+pr.reason), nil
			}
		}
	} else {
		// The bare probe: is authentication needed at all?
		pr := d.probe(ctx, src, t, c, nil, &sent)
		switch {
		case pr.canceled || ctx.Err() != nil:
			return cancelled()
		case pr.verdict == VerdictAccepted:
			if d.KeyVault != nil {
				d.KeyVault.Set(src, Entry{AuthRequired: false, Method: MethodNone})
			}
			res.Method = MethodNone
			return finish(OutcomeNoAuthNeeded, "the server answered without credentials"), nil
		case c.IsZero() && pr.verdict == VerdictRejected:
			return finish(OutcomeRejected, "the server needs credentials: "+pr.reason), nil
		case c.IsZero():
			return finish(OutcomeUndecided, pr.reason), nil
		}
	}
	if c.IsZero() {
		return finish(OutcomeRejected, "the server needs credentials and none were given"), nil
	}

	var cands []Candidate
	if c.Username != "" || c.Password != "" {
		cands = []Candidate{{Method: MethodBasic}}
	} else {
		u, _ := parseHTTPURL(t.URL) // already validated
		for _, cand := range CandidateOrder(customParam) {
			if tried[cand] || (cand.Method == MethodQuery && hasQueryParam(u, cand.Param)) {
				continue
			}
			cands = append(cands, cand)
		}
	}
	if len(cands) == 0 {
		return finish(OutcomeUndecided, "could not decide: no untried way to send the credential"), nil
	}

	// A parameter the user named (or that came with the pasted URL) is the
	// likeliest: it goes out alone before the parallel batches.
	var results []probeResult
	if customParam != "" && len(cands) > 1 && cands[0].Param == customParam {
		results = d.probeAll(ctx, src, t, c, cands[:1], &sent)
		if results[0].verdict != VerdictAccepted && ctx.Err() == nil {
			results = append(results, d.probeAll(ctx, src, t, c, cands[1:], &sent)...)
		}
	} else {
		results = d.probeAll(ctx, src, t, c, cands, &sent)
	}
	if ctx.Err() != nil {
		return cancelled()
	}
	var firstUndecided, lastRejected string
	nRejected := 0
	for i, pr := range results {
		switch {
		case pr.verdict == VerdictAccepted:
			return d.found(src, c, cands[i], finish), nil
		case pr.canceled:
		case pr.verdict == VerdictUndecided && firstUndecided == "":
			firstUndecided = fmt.Sprintf("%s (%s)", pr.reason, describeCandidate(cands[i]))
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
		return finish(OutcomeRejected, fmt.Sprintf("the server rejected the credential (%s): %s", describeCandidate(cands[0]), lastRejected)), nil
	}
	return finish(OutcomeRejected, fmt.Sprintf("the server rejected the credential all %d ways tried; last: %s", nRejected, lastRejected)), nil
}

// recordedCandidate returns the KeyVault's recorded method when it can
// carry c.
func recordedCandidate(e Entry, c Credential) (Candidate, bool) {
	basic := c.Username != "" || c.Password != ""
	switch {
	case e.Method == MethodBasic && basic:
		return Candidate{Method: MethodBasic}, true
	case (e.Method == MethodQuery || e.Method == MethodHeader) && !basic && c.Key != "" && validParamName(e.Param):
		return Candidate{Method: e.Method, Param: e.Param}, true
	}
	return Candidate{}, false
}

func (d *Detector) found(src Source, c Credential, cand Candidate, finish func(Outcome, string) Result) Result {
	clock := d.Clock
	if clock == nil {
		clock = time.Now
	}
	if d.KeyVault != nil {
		d.KeyVault.Set(src, Entry{AuthRequired: true, Method: cand.Method, Param: cand.Param, LastConfirmed: clock()})
	}
	if d.Store != nil {
		d.Store.Set(src, c)
		d.Store.MarkVerified(src)
	}
	r := finish(OutcomeFound, "accepted with "+candidatePhrase(cand))
	r.Method, r.Param = cand.Method, cand.Param
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

func candidatePhrase(c Candidate) string {
	switch c.Method {
	case MethodBasic:
		return "HTTP Basic"
	case MethodQuery:
		return fmt.Sprintf("query parameter %q", c.Param)
	case MethodHeader:
		if c.Param == "Authorization" {
			return `header "Authorization: Bearer"`
		}
		return fmt.Sprintf("header %q", c.Param)
	}
	return "no credential"
}

// probeAll probes cands in batches of Parallel. Once one is accepted, the
// later ones of its batch are cancelled and no further batch starts; the
// earlier ones are awaited, so the winner is the earliest accepted one.
func (d *Detector) probeAll(ctx context.Context, src Source, t Target, c Credential, cands []Candidate, sent *atomic.Int64) []probeResult {
	par := d.Parallel
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
				pr := d.probe(ctxs[i-start], src, t, c, &cands[i], sent)
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
		if winner >= 0 || ctx.Err() != nil {
			for i := end; i < len(cands); i++ {
				results[i] = probeResult{canceled: true}
			}
			break
		}
	}
	return results
}

// probe sends t with cand (nil: bare) and classifies the answer. It counts
// every request that reached the wire (or got an answer) in sent.
func (d *Detector) probe(ctx context.Context, src Source, t Target, c Credential, cand *Candidate, sent *atomic.Int64) probeResult {
	client := d.probeClient()
	u, err := parseHTTPURL(t.URL)
	if err != nil {
		return probeResult{reason: "could not decide: bad URL"}
	}
	var secrets []string
	how := "none"
	if cand != nil {
		secrets = credentialSecrets(c)
		how = describeCandidate(*cand)
	}
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return probeResult{reason: "could not decide: bad URL"}
		}
		if cand != nil {
			out, _, ok := attachCredential(req, c, *cand)
			if !ok {
				return probeResult{reason: "could not decide: cannot send the credential as " + how}
			}
			req = out
		}
		var wrote atomic.Bool
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
		}))
		resp, err := client.Do(req)
		if wrote.Load() || resp != nil {
			sent.Add(1)
		}
		if err != nil {
			if ctx.Err() != nil {
				return probeResult{canceled: true, reason: "could not decide: cancelled"}
			}
			pr := probeResult{reason: networkReason(err)}
			d.logProbe(src, how, pr)
			return pr
		}
		if loc, lerr := resp.Location(); lerr == nil && resp.StatusCode >= 300 && resp.StatusCode < 400 {
			drain(resp)
			if !src.SameOrigin(loc) {
				pr := probeResult{reason: "could not decide: the server redirected to another origin (not followed)"}
				d.logProbe(src, how, pr)
				return pr
			}
			if hop >= maxProbeRedirects {
				pr := probeResult{reason: "could not decide: too many redirects"}
				d.logProbe(src, how, pr)
				return pr
			}
			stripSecretParams(loc, secrets)
			u = loc
			continue
		}
		pr := d.readAndClassify(ctx, resp, t.Expect)
		d.logProbe(src, how, pr)
		return pr
	}
}

func (d *Detector) readAndClassify(ctx context.Context, resp *http.Response, expect string) probeResult {
	defer resp.Body.Close()
	limit := d.MaxProbeBytes
	if limit <= 0 {
		limit = DefaultMaxProbeBytes
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// The status alone decides; the body is not needed.
		v, reason := Classify(resp, nil, expect)
		drain(resp)
		return probeResult{verdict: v, reason: reason}
	}
	if resp.ContentLength > limit {
		return probeResult{reason: fmt.Sprintf("could not decide: the answer is larger than %d bytes", limit)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return probeResult{canceled: true, reason: "could not decide: cancelled"}
		}
		return probeResult{reason: networkReason(err)}
	}
	if int64(len(body)) > limit {
		return probeResult{reason: fmt.Sprintf("could not decide: the answer is larger than %d bytes", limit)}
	}
	v, reason := Classify(resp, body, expect)
	return probeResult{verdict: v, reason: reason}
}

func (d *Detector) probeClient() *http.Client {
	var c http.Client
	if d.Client != nil {
		c = *d.Client
	} else {
		c = http.Client{Transport: newBaseTransport(DefaultRequestTimeout), Timeout: DefaultRequestTimeout}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
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

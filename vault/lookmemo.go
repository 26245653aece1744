package vault

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// One request for one question: a front end first reads what a URL offers
// with the plain client (an anonymous GetCapabilities) and, when that is
// refused, asks the Detector how the source authenticates. The refusal it
// got is exactly what detection's bare probe would get, so the Detector
// remembers refusals its LookClient received and the next bare probe of
// the same URL uses the answer instead of asking again (it still counts
// as one request in Result.Requests: it was sent once).

// lookMemoTTL is how long a remembered refusal stands in for a bare probe.
const lookMemoTTL = 30 * time.Second

// maxLookMemoBody is the largest refusal body remembered; a larger one
// (not a refusal a probe needs) is passed through and forgotten.
const maxLookMemoBody = 64 << 10

type lookMemo struct {
	mu      sync.Mutex
	answers map[string]lookAnswer
}

type lookAnswer struct {
	status int
	header http.Header
	body   []byte
	at     time.Time
}

// lookTransport records the refusals (4xx) a plain client receives.
type lookTransport struct {
	base http.RoundTripper
	memo *lookMemo
}

func (t *lookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || resp.StatusCode < 400 || resp.StatusCode > 499 {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxLookMemoBody+1))
	if rerr != nil || len(body) > maxLookMemoBody {
		// Not remembered; the caller still reads the whole answer.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, err
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.memo.mu.Lock()
	if t.memo.answers == nil {
		t.memo.answers = map[string]lookAnswer{}
	}
	for k, a := range t.memo.answers { // keep the map small
		if time.Since(a.at) > lookMemoTTL {
			delete(t.memo.answers, k)
		}
	}
	t.memo.answers[req.URL.String()] = lookAnswer{status: resp.StatusCode, header: resp.Header.Clone(), body: body, at: time.Now()}
	t.memo.mu.Unlock()
	return resp, nil
}

// take returns the refusal remembered for rawURL, once, as a response for
// a bare probe; ok is false when there is none (or it is too old).
func (m *lookMemo) take(rawURL string, req *http.Request) (*http.Response, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.answers[rawURL]
	if !ok {
		return nil, false
	}
	delete(m.answers, rawURL)
	if time.Since(a.at) > lookMemoTTL {
		return nil, false
	}
	return &http.Response{
		Status:        http.StatusText(a.status),
		StatusCode:    a.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        a.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)),
		Request:       req,
	}, true
}

// LookClient returns the plain client for a first, anonymous look at a
// URL (reading a service's description before anyone knows whether it is
// protected): the Detector's client, whose refusals are remembered for a
// short while so that a detection of the same URL right after does not
// send its bare probe again. It carries no credential.
func (d *Detector) LookClient() *http.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.look == nil {
		d.memo = &lookMemo{}
		c := http.Client{Timeout: DefaultRequestTimeout}
		if d.Client != nil {
			c = *d.Client
		}
		c.Transport = &lookTransport{base: d.baseTransport(), memo: d.memo}
		d.look = &c
	}
	return d.look
}

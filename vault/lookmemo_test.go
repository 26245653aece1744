package vault

import (
	"context"
	"io"
	"net/http"
	"testing"

	"mapvault/vault/vaulttest"
)

// TestLookClientRefusalIsTheBareProbe: a front end's anonymous look that is
// refused stands in for detection's bare probe of the same URL, so the
// server is asked once per question and every request is counted.
func TestLookClientRefusalIsTheBareProbe(t *testing.T) {
	srv := vaulttest.NewProtected(t, vaulttest.Guard{Query: "authkey", Key: testKey}, vaulttest.Capabilities(), nil)
	d := newDetector(t, 1)
	target := Target{URL: srv.URL + "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", Expect: ExpectXML}

	resp, err := d.LookClient().Get(target.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(body) == 0 {
		t.Fatalf("anonymous look = %d %q, want the 401 with its body", resp.StatusCode, body)
	}
	res, err := d.Detect(context.Background(), target, Credential{Key: testKey}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeFound || res.Param != "authkey" {
		t.Fatalf("Detect = %v %q (%s)", res.Outcome, res.Param, res.Reason)
	}
	// The look plus the query keys tried up to authkey (code, key, token,
	// authkey): the bare probe was the look's answer, not a new request.
	if srv.Count() != 5 || res.Requests != 5 {
		t.Errorf("server saw %d requests, detection counted %d; want 5 and 5", srv.Count(), res.Requests)
	}
	// The accepted answer is the document, for the caller to read.
	if len(res.Document) == 0 {
		t.Error("Result.Document is empty for an accepted capabilities probe")
	}

	// A remembered refusal is used once: a second detection asks again.
	before := srv.Count()
	res2, err := d.Detect(context.Background(), target, Credential{Key: "wrong-key-0000"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Count() - before; got != res2.Requests || res2.Requests < 2 {
		t.Errorf("second detection: server saw %d, counted %d; want equal and a bare probe sent", got, res2.Requests)
	}
}

// TestLookClientKeepsNoSuccess: an accepted look is not remembered (the
// bare probe of a public service is a real request of its own).
func TestLookClientKeepsNoSuccess(t *testing.T) {
	srv := vaulttest.NewServer(t, vaulttest.PNG())
	d := newDetector(t, 1)
	target := imageTarget(srv)
	resp, err := d.LookClient().Get(target.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res, err := d.Detect(context.Background(), target, Credential{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeNoAuthNeeded || srv.Count() != 2 || res.Requests != 1 {
		t.Errorf("outcome %v, server saw %d, counted %d; want no auth needed, 2 and 1", res.Outcome, srv.Count(), res.Requests)
	}
}

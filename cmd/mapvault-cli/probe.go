package main

import (
	"context"
	"encoding/json"
	"fmt"

	"mapvault/layers"
	"mapvault/vault"
)

const probeUsage = `URL|- [--url-file FILE] [--kind KIND] [--user NAME] [--param NAME] [--token-url URL] [--cert FILE [--key FILE]] [--client-id ID] [--layer NAME] [--json]

Detects how the source at URL (a WMS service, an XYZ tile template, ...;
--kind says which when the URL does not) authenticates: none, basic, digest, query,
header, token, oauth2 or client-cert. The secret (the password with --user,
the certificate's password with --cert, the secret key with --token-url,
the client secret with --client-id, an access key otherwise) is read from
the first line of standard input or MAPVAULT_SECRET, never from arguments.
With no secret, probe finds out whether the source needs authentication and,
where the server says (an OAuth2 resource, a token service, a client
certificate), how: an OAuth2 resource reports oauth2 and its issuer, exit 0.
Exit 0: method found (or no authentication needed); 3: rejected; 4: could
not decide; 2: usage error.`

// probeReport is the --json output.
type probeReport struct {
	Source   string `json:"source"`
	Method   string `json:"method"`
	Param    string `json:"param"`
	Header   string `json:"header"`
	TokenURL string `json:"token_url,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Requests int    `json:"requests"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
}

func runProbe(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("probe", probeUsage, io)
	af := addAuthFlags(fs)
	layer := fs.String("layer", "", "layer `NAME` to probe with (default: the first named layer)")
	kind := fs.String("kind", "", kindFlagUsage)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	urlFile := fs.String("url-file", "", urlFileUsage)
	pos, code := parseFlagsRange(fs, args, 0, 1)
	if code >= 0 {
		return code
	}
	arg, ok := urlPositional(fs, pos, 0, *urlFile)
	if !ok {
		return exitUsage
	}
	if err := af.check(); err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	u, err := resolveURLArg(io, arg, *urlFile)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	ws := newWorkspace(vault.NewKeyVault(), io, nil, layers.Options{})
	e, code := resolveEntry(ctx, ws, io, u, *kind, nil)
	if code >= 0 {
		return code
	}
	secret, err := readSecret(u.secretInput(io.in), env)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	io.scrub.add(secret)
	io.scrub.add(vault.CredentialSecrets(e.split.Credential)...)
	cred, err := af.credential(e.split, secret)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	res, _, code := probe(ctx, ws, io, e, *layer, cred, af.hint(), nil, "")
	if code >= 0 {
		return code
	}
	rep := report(res)
	// Issuers, token URLs and reasons may come from a server.
	rep.Reason, rep.TokenURL, rep.Issuer = io.scrub.text(rep.Reason), io.scrub.text(rep.TokenURL), io.scrub.text(rep.Issuer)
	code = exitFor(res)
	if cred.IsZero() && res.Outcome == vault.OutcomeRejected && res.Entry.Method == vault.MethodOAuth2 {
		// The server says how to sign in: that is the answer a probe
		// without a secret can give.
		code = exitOK
	}
	if *asJSON {
		b, _ := json.Marshal(rep)
		fmt.Fprintf(io.out, "%s\n", b)
	} else {
		fmt.Fprintf(io.out, "source:   %s\noutcome:  %s\nmethod:   %s\n", rep.Source, rep.Outcome, rep.Method)
		if rep.Param != "" {
			fmt.Fprintf(io.out, "param:    %s\n", rep.Param)
		}
		if rep.Header != "" {
			fmt.Fprintf(io.out, "header:   %s\n", rep.Header)
		}
		if rep.TokenURL != "" {
			fmt.Fprintf(io.out, "token_url: %s\n", rep.TokenURL)
		}
		if rep.Issuer != "" {
			fmt.Fprintf(io.out, "issuer:   %s\n", rep.Issuer)
		}
		fmt.Fprintf(io.out, "requests: %d\n", rep.Requests)
		if rep.Reason != "" {
			fmt.Fprintf(io.out, "reason:   %s\n", rep.Reason)
		}
	}
	return code
}

// report is the --json form of a result. The method is what was found
// or, when a server refused a probe without a secret but said how it
// authenticates (OAuth2 metadata, a token service, a client certificate),
// what it asks for.
func report(r vault.Result) probeReport {
	rep := probeReport{Source: string(r.Source), Method: string(vault.MethodNone), Requests: r.Requests, Outcome: r.Outcome.String(), Reason: r.Reason}
	e := r.Entry
	if r.Outcome != vault.OutcomeFound && (r.Outcome != vault.OutcomeRejected || e.Method == "") {
		return rep
	}
	if r.Outcome == vault.OutcomeRejected && e.Method != vault.MethodOAuth2 && e.Method != vault.MethodToken && e.Method != vault.MethodClientCert {
		return rep // rejected credentials: no method was confirmed
	}
	rep.Method = string(e.Method)
	switch e.Method {
	case vault.MethodQuery:
		rep.Param = e.Param
	case vault.MethodHeader:
		rep.Param, rep.Header = e.Param, e.Param
	case vault.MethodToken:
		rep.Param, rep.TokenURL = e.Param, e.TokenURL
	case vault.MethodOAuth2:
		rep.Issuer, rep.ClientID = e.Issuer, e.ClientID
	}
	return rep
}

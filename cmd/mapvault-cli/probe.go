package main

import (
	"context"
	"encoding/json"
	"fmt"

	"mapvault/layers"
	"mapvault/vault"
)

const probeUsage = `URL [--user NAME] [--param NAME] [--layer NAME] [--json]

Detects how the WMS at URL authenticates. The secret (password with --user,
access key otherwise) is read from standard input or MAPVAULT_SECRET; with
no secret, probe only finds out whether the source needs authentication.
Exit 0: method found (or no authentication needed); 3: rejected; 4: could
not decide; 2: usage error.`

// probeReport is the --json output.
type probeReport struct {
	Source   string `json:"source"`
	Method   string `json:"method"`
	Param    string `json:"param"`
	Header   string `json:"header"`
	Requests int    `json:"requests"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
}

func runProbe(ctx context.Context, args []string, io stdio, env func(string) string) int {
	fs := newFlags("probe", probeUsage, io)
	user := fs.String("user", "", "user `NAME` for HTTP Basic; the secret is the password")
	param := fs.String("param", "", "custom query parameter `NAME` for the access key (tried first)")
	layer := fs.String("layer", "", "layer `NAME` to probe with (default: the first named layer)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, code := parseFlags(fs, args, 1)
	if code >= 0 {
		return code
	}
	split, err := vault.SplitURL(pos[0])
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	if err := suspectError(split); err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	secret, err := readSecret(io.in, env)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	cred, err := credentialFor(split, *user, secret)
	if err != nil {
		return fail(io, exitUsage, "%v", err)
	}
	ws := newWorkspace(vault.NewKeyVault(), io.err, nil, layers.Options{})
	res, _, code := probe(ctx, ws, io, split.CleanURL, *layer, cred, vault.Hint{Param: *param}, "")
	if code >= 0 {
		return code
	}
	rep := report(res)
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
		fmt.Fprintf(io.out, "requests: %d\n", rep.Requests)
		if rep.Reason != "" {
			fmt.Fprintf(io.out, "reason:   %s\n", rep.Reason)
		}
	}
	return exitFor(res)
}

func report(r vault.Result) probeReport {
	rep := probeReport{Source: string(r.Source), Method: string(vault.MethodNone), Requests: r.Requests, Outcome: r.Outcome.String(), Reason: r.Reason}
	if r.Outcome == vault.OutcomeFound {
		rep.Method = string(r.Method)
		switch r.Method {
		case vault.MethodQuery:
			rep.Param = r.Param
		case vault.MethodHeader:
			rep.Header = r.Param
		}
	}
	return rep
}

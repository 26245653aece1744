package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, as documented in the README.
const (
	exitOK        = 0
	exitFailure   = 1 // an error, or (check) a secret was found
	exitUsage     = 2
	exitRejected  = 3
	exitUndecided = 4
	exitBlocked   = 5
)

// stdio is the command's view of its standard streams.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio, env func(string) string) int
}

func commands() []command {
	return []command{
		{"probe", "detect how a WMS source authenticates", runProbe},
		{"add", "add WMS layers to a project (secrets never written)", runAdd},
		{"check", "scan a project and its KeyVault for secrets before sharing", runCheck},
		{"layers", "list the layer tree of a WMS service or capabilities file", runLayers},
		{"render", "render a project's visible layers to a PNG", runRender},
	}
}

const mainUsage = `mapvault-cli: headless mapvault.

Usage:
  mapvault-cli COMMAND [arguments]

Commands:
%s
%s
Run "mapvault-cli COMMAND --help" for a command's options.
`

// secretRule ends every help text: there is no flag that takes a secret.
const secretRule = `Secrets are read from the first line of standard input or from the
environment variable MAPVAULT_SECRET, never from arguments.`

func run(ctx context.Context, args []string, io stdio, env func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		var b strings.Builder
		for _, c := range commands() {
			fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(io.out, mainUsage, b.String(), secretRule)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io, env)
		}
	}
	fmt.Fprintf(io.err, "mapvault-cli: unknown command %q (see mapvault-cli --help)\n", args[0])
	return exitUsage
}

// newFlags returns a flag set that prints its usage to the command's error
// stream and never exits the process.
func newFlags(name, usage string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintf(io.err, "Usage: mapvault-cli %s %s\n\nOptions:\n", name, usage)
		fs.PrintDefaults()
		fmt.Fprintf(io.err, "\n%s\n", secretRule)
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// ("add p.json URL --layers a"), and expects exactly want positional
// arguments. It returns them, and an exit code >= 0 when the command must
// stop (help, or a usage error after printing the usage).
func parseFlags(fs *flag.FlagSet, args []string, want int) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != want {
		fs.Usage()
		return nil, exitUsage
	}
	return pos, -1
}

// maxSecretLine bounds what is read from standard input for a secret.
const maxSecretLine = 64 << 10

// readSecret returns the secret from MAPVAULT_SECRET or, when standard input
// is not a terminal, from its first line. An absent secret is "".
func readSecret(in io.Reader, env func(string) string) (string, error) {
	if s := env("MAPVAULT_SECRET"); s != "" {
		return s, nil
	}
	if in == nil {
		return "", nil
	}
	if f, ok := in.(*os.File); ok {
		st, err := f.Stat()
		if err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return "", nil // a terminal: never block waiting for a secret
		}
	}
	r := bufio.NewReaderSize(io.LimitReader(in, maxSecretLine), 4096)
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the secret from standard input: %w", err)
	}
	if len(line) >= maxSecretLine && !strings.HasSuffix(line, "\n") {
		return "", errors.New("the secret on standard input is longer than 64 KiB")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// fail prints one clear line and returns code.
func fail(io stdio, code int, format string, a ...any) int {
	fmt.Fprintf(io.err, "mapvault-cli: "+format+"\n", a...)
	return code
}

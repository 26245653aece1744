package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"mapvault/vault"
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

// stdio is the command's view of its standard streams, and what may never
// appear on them.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
	// scrub knows the run's secrets; run sets it.
	scrub *scrubber
}

// scrubber is what a run's output must never show: the secrets the user
// gave and every secret of the workspaces the run opened (stores and
// obtained tokens). Everything a server sent goes through it (vault.Scrub)
// before it is printed: fail's lines, the per-layer lines, titles and
// names. A nil scrubber still strips control characters and secret-looking
// values.
type scrubber struct {
	mu      sync.Mutex
	secrets []string
	sources []func() []string
}

// add records secrets the user gave (from a URL, standard input or the
// environment) before any workspace holds them.
func (s *scrubber) add(secrets ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.secrets = append(s.secrets, secrets...)
	s.mu.Unlock()
}

// watch adds a source of secrets, such as a workspace's.
func (s *scrubber) watch(f func() []string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.sources = append(s.sources, f)
	s.mu.Unlock()
}

// list returns every secret known now.
func (s *scrubber) list() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	out := slices.Clone(s.secrets)
	sources := slices.Clone(s.sources)
	s.mu.Unlock()
	for _, f := range sources {
		out = append(out, f()...)
	}
	return out
}

// text makes free text fit to print (vault.Scrub).
func (s *scrubber) text(t string) string { return vault.Scrub(t, s.list()) }

// name makes an identifier fit to print (vault.ScrubIdentifier): a layer
// name stays usable whatever its shape.
func (s *scrubber) name(t string) string { return vault.ScrubIdentifier(t, s.list()) }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio, env func(string) string) int
}

func commands() []command {
	return []command{
		{"probe", "detect how a source authenticates", runProbe},
		{"add", "add layers of any kind to a project (secrets never written)", runAdd},
		{"check", "scan a project and its KeyVault for secrets before sharing", runCheck},
		{"layers", "list the layers a service (WMS, WMTS, WFS, OGC API) or capabilities file offers", runLayers},
		{"render", "render a project's visible layers to a PNG", runRender},
		{"identify", "list the features and attributes at a point of a project's map", runIdentify},
		{"legend", "draw the legend of a project's visible layers to a PNG", runLegend},
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
environment variable MAPVAULT_SECRET, never from arguments. A URL that
carries a secret (user:password@, ?authkey=...) is given as - (the first
line of standard input; a separate secret then comes only from
MAPVAULT_SECRET) or with --url-file FILE, never as an argument: any local
user can read arguments from the process list.`

func run(ctx context.Context, args []string, io stdio, env func(string) string) int {
	if io.scrub == nil {
		io.scrub = &scrubber{}
	}
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
		printFlags(io.err, fs)
		fmt.Fprintf(io.err, "\n%s\n", secretRule)
	}
	return fs
}

// printFlags lists the flags the way the usage line writes them (--name),
// with a default only where one means something: not for booleans, empty
// strings, or a value the help text already explains ("default: the
// project's").
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if len(f.Name) == 1 {
			line = "  -" + f.Name // as the usage line writes it: -o OUT.png
		}
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, help)
		switch {
		case f.DefValue == "" || f.DefValue == "false" || f.DefValue == "-1" || strings.Contains(help, "default"):
		case strings.ContainsAny(f.DefValue, " \t") || arg == "WxH":
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		default:
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// parseFlags parses args, allowing flags after positional arguments
// ("add p.json URL --layers a"), and expects exactly want positional
// arguments. It returns them, and an exit code >= 0 when the command must
// stop (help, or a usage error after printing the usage).
func parseFlags(fs *flag.FlagSet, args []string, want int) ([]string, int) {
	return parseFlagsRange(fs, args, want, want)
}

// parseFlagsRange is parseFlags for least to most positional arguments.
func parseFlagsRange(fs *flag.FlagSet, args []string, least, most int) ([]string, int) {
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
	if len(pos) < least || len(pos) > most {
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

// fail prints one clear line and returns code. It is where errors are
// printed: the line is scrubbed of every secret of the run and of control
// characters (a server's words may be in it).
func fail(io stdio, code int, format string, a ...any) int {
	fmt.Fprintf(io.err, "mapvault-cli: %s\n", io.scrub.text(fmt.Sprintf(format, a...)))
	return code
}

// errLine prints one scrubbed line to standard error (per-layer states,
// notes that may quote a server).
func errLine(io stdio, format string, a ...any) {
	fmt.Fprintf(io.err, "%s\n", io.scrub.text(fmt.Sprintf(format, a...)))
}

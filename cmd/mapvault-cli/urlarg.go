package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"mapvault/vault"
)

// A URL that carries a secret (user:password@, ?authkey=...) must not be a
// command-line argument: any local user reads arguments from the process
// list (/proc/PID/cmdline, ps). probe, add and layers therefore also take
// the URL as "-" (the first line of standard input) or --url-file FILE (its
// first line), and warn when a secret arrives in an argument.

// argvSecretWarning is printed when the URL argument carries a secret.
const argvSecretWarning = "warning: the URL on the command line carries a secret; any local user can read it from the process list; pass it with `-` or --url-file"

// urlFileUsage describes --url-file.
const urlFileUsage = "read the service URL from the first line of `FILE` (keeps a secret in it out of the process list)"

// maxURLLine bounds a URL read from standard input or a file.
const maxURLLine = 64 << 10

// urlArg is a command's service URL and where it came from.
type urlArg struct {
	url string
	// fromStdin: standard input held the URL, so a separate secret comes
	// only from MAPVAULT_SECRET.
	fromStdin bool
	// inArgv: the URL was a command-line argument.
	inArgv bool
}

// secretInput is the reader a separate secret may come from: standard
// input, unless it held the URL.
func (u urlArg) secretInput(in io.Reader) io.Reader {
	if u.fromStdin {
		return nil
	}
	return in
}

// warnIfInArgv prints argvSecretWarning when the URL was an argument and
// hygiene found a secret in it.
func (u urlArg) warnIfInArgv(io stdio, split vault.Split) {
	if u.inArgv && (!split.Credential.IsZero() || len(split.Suspects) > 0) {
		fmt.Fprintf(io.err, "mapvault-cli: %s\n", argvSecretWarning)
	}
}

// resolveURLArg returns the URL given as pos (the positional argument, ""
// when there is none, "-" for standard input) or in --url-file file.
func resolveURLArg(io stdio, pos string, file string) (urlArg, error) {
	switch {
	case file != "" && pos != "":
		return urlArg{}, errors.New("give the URL as an argument, as - or with --url-file, not two of them")
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return urlArg{}, fmt.Errorf("--url-file: %w", err)
		}
		defer f.Close()
		line, err := firstLine(f, false)
		if err != nil {
			return urlArg{}, fmt.Errorf("--url-file %s: %w", file, err)
		}
		return urlArg{url: line}, nil
	case pos == "-":
		if io.in == nil {
			return urlArg{}, errors.New("the URL is - but there is no standard input")
		}
		line, err := firstLine(io.in, !isTerminal(io.in))
		if err != nil {
			return urlArg{}, fmt.Errorf("reading the URL from standard input: %w", err)
		}
		return urlArg{url: line, fromStdin: true}, nil
	}
	return urlArg{url: pos, inArgv: true}, nil
}

// firstLine reads the first line of r, without its line break. With
// onlyLine, anything but blank lines after it is an error: when standard
// input holds the URL, it cannot also hold a secret.
func firstLine(r io.Reader, onlyLine bool) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxURLLine), 4096)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if len(line) >= maxURLLine && !strings.HasSuffix(line, "\n") {
		return "", errors.New("the URL is longer than 64 KiB")
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", errors.New("no URL on the first line")
	}
	if onlyLine && err == nil {
		rest, rerr := io.ReadAll(br)
		if rerr != nil {
			return "", rerr
		}
		if strings.TrimSpace(string(rest)) != "" {
			return "", errors.New("more than the URL was given; when the URL comes from standard input, a separate secret comes only from MAPVAULT_SECRET")
		}
	}
	return line, nil
}

// isTerminal reports whether r is a terminal (then only the first line is
// read: the user types it).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// urlPositional splits the positional arguments of a command whose last
// one is the URL (optional with --url-file): fixed are the ones before it.
// It returns the URL argument ("" when absent) and whether the count is
// right; a wrong count prints the usage.
func urlPositional(fs *flag.FlagSet, pos []string, fixed int, urlFile string) (string, bool) {
	switch {
	case len(pos) == fixed+1:
		return pos[fixed], true
	case len(pos) == fixed && urlFile != "":
		return "", true
	}
	fs.Usage()
	return "", false
}

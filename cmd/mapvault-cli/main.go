// Command mapvault-cli is the headless face of mapvault: it probes how a
// protected source authenticates, adds layers to a project without ever
// writing a secret, checks a project for secrets before it is shared, lists
// a service's layers, renders a project to PNG (with decorations), and
// identifies features and draws the legend of a project.
//
// Secrets are read from standard input (first line) or MAPVAULT_SECRET,
// never from arguments; a URL that carries one is given as - (standard
// input) or with --url-file (urlarg.go).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}

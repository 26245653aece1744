package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rulePhrase is the part of the help text that states the secret rule.
const rulePhrase = "never from arguments"

var commandNames = []string{"probe", "add", "check", "layers", "render"}

func TestUsageTopLevel(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"no arguments", nil, exitUsage},
		{"--help", []string{"--help"}, exitOK},
		{"-h", []string{"-h"}, exitOK},
		{"help", []string{"help"}, exitOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			wantCode(t, r, tc.code, "mapvault-cli "+strings.Join(tc.args, " "))
			if !strings.Contains(r.all(), rulePhrase) {
				t.Errorf("usage does not state the secret rule (%q):\n%s", rulePhrase, r.all())
			}
			for _, c := range commandNames {
				if !strings.Contains(r.out, c) {
					t.Errorf("usage does not list command %q:\n%s", c, r.out)
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	r := runArgs(t, "frobnicate")
	wantCode(t, r, exitUsage, "unknown command")
	if !strings.Contains(r.err, "unknown command") {
		t.Errorf("stderr = %q, want it to say unknown command", r.err)
	}
}

func TestCommandHelp(t *testing.T) {
	for _, c := range commandNames {
		for _, h := range []string{"--help", "-h"} {
			t.Run(c+" "+h, func(t *testing.T) {
				r := runArgs(t, c, h)
				wantCode(t, r, exitOK, c+" "+h)
				if !strings.Contains(r.all(), "Usage: mapvault-cli "+c) {
					t.Errorf("%s %s does not print its usage:\n%s", c, h, r.all())
				}
				if !strings.Contains(r.all(), rulePhrase) {
					t.Errorf("%s %s does not state the secret rule (%q):\n%s", c, h, rulePhrase, r.all())
				}
			})
		}
	}
}

func TestMissingArguments(t *testing.T) {
	cases := [][]string{
		{"probe"},
		{"add"},
		{"add", "p.mapvault.json"},
		{"check"},
		{"layers"},
		{"render"},
		{"render", "p.mapvault.json"}, // no -o
		{"check", "a.json", "b.json"},
		{"probe", "--json"},
		{"layers", "--user"}, // flag without its value
	}
	for _, args := range cases {
		r := runArgs(t, args...)
		wantCode(t, r, exitUsage, strings.Join(args, " "))
		if !strings.Contains(r.err, "Usage: mapvault-cli "+args[0]) && !strings.Contains(r.err, "flag needs an argument") {
			t.Errorf("%v: stderr does not explain the usage:\n%s", args, r.err)
		}
	}
}

// secretFlagWords are flag name parts that would mean a secret is taken
// from the command line.
var secretFlagWords = map[string]bool{
	"password": true, "pass": true, "passwd": true, "pw": true, "pwd": true,
	"secret": true, "token": true, "key": true, "apikey": true, "authkey": true,
	"api": true, "bearer": true, "auth": true,
}

// fileOrURLFlags are the contract's flags whose names contain such a word
// but take a file or a URL, never a secret: --key FILE (the private key of
// a PEM --cert) and --token-url URL.
var fileOrURLFlags = map[string]bool{"key": true, "token-url": true}

var flagLine = regexp.MustCompile(`(?m)^\s+--?([A-Za-z0-9][A-Za-z0-9-]*)`)

// TestHelpFlagsAsUsed: the option list writes flags as the usage line does
// (--json, not -json), and no default that means "not given" (-1).
func TestHelpFlagsAsUsed(t *testing.T) {
	for _, c := range commandNames {
		help := runArgs(t, c, "--help").all()
		if regexp.MustCompile(`(?m)^  -[a-z][a-z]`).MatchString(help) {
			t.Errorf("%s --help lists a flag with one dash:\n%s", c, help)
		}
		if strings.Contains(help, "(default -1)") {
			t.Errorf("%s --help shows a -1 default:\n%s", c, help)
		}
	}
}

// TestNoSecretFlag: no command has a flag that could carry a secret, and a
// secret passed as an unknown flag or an extra argument is refused without
// being echoed.
func TestNoSecretFlag(t *testing.T) {
	const secret = "argv-secret-77d1e0c9aa"
	for _, c := range commandNames {
		t.Run(c, func(t *testing.T) {
			help := runArgs(t, c, "--help").all()
			flags := flagLine.FindAllStringSubmatch(help, -1)
			if c != "check" && len(flags) == 0 {
				t.Fatalf("%s --help lists no flags; the test cannot see them:\n%s", c, help)
			}
			for _, m := range flags {
				if fileOrURLFlags[m[1]] {
					continue
				}
				for _, w := range strings.Split(strings.ToLower(m[1]), "-") {
					if secretFlagWords[w] {
						t.Errorf("%s has flag -%s, which looks like it takes a secret", c, m[1])
					}
				}
			}
			for _, name := range []string{"--password", "--secret", "--key", "--token", "--authkey"} {
				r := runArgs(t, c, "http://127.0.0.1:1/wms", name, secret)
				wantCode(t, r, exitUsage, c+" "+name)
				if strings.Contains(r.all(), secret) {
					t.Errorf("%s %s: the refused secret is echoed:\n%s", c, name, r.all())
				}
				r = runArgs(t, c, name+"="+secret, "http://127.0.0.1:1/wms")
				wantCode(t, r, exitUsage, c+" "+name+"=")
				if strings.Contains(r.all(), secret) {
					t.Errorf("%s %s=: the refused secret is echoed:\n%s", c, name, r.all())
				}
			}
		})
	}
	// An extra positional argument is a usage error, not a secret.
	for _, args := range [][]string{
		{"probe", "http://127.0.0.1:1/wms", secret},
		{"layers", "http://127.0.0.1:1/wms", secret},
		{"check", "p.json", secret},
	} {
		r := runArgs(t, args...)
		wantCode(t, r, exitUsage, strings.Join(args[:2], " ")+" SECRET")
		if strings.Contains(r.all(), secret) {
			t.Errorf("%s: the extra argument is echoed:\n%s", args[0], r.all())
		}
	}
}

// TestBinaryHelp builds the real binary without cgo and runs --help.
func TestBinaryHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary with the go command")
	}
	bin := filepath.Join(t.TempDir(), "mapvault-cli")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("mapvault-cli --help: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), rulePhrase) || !strings.Contains(string(out), "render") {
		t.Errorf("mapvault-cli --help output lacks the commands or the secret rule:\n%s", out)
	}
	cmd := exec.Command(bin)
	out, _ = cmd.CombinedOutput()
	if got := cmd.ProcessState.ExitCode(); got != exitUsage {
		t.Errorf("mapvault-cli without arguments: exit %d, want %d\n%s", got, exitUsage, out)
	}
}

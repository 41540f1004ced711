package main

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli"
)

// runcCLI reads testdata/runc-cli.txt: runc's commands and their flags,
// taken from runc's man pages ("-" holds the global flags).
func runcCLI(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/runc-cli.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		out[fields[0]] = append(out[fields[0]], fields[1:]...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// helpOf runs `hull ARGS...` in process and returns what it printed.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	app := newApp()
	var buf bytes.Buffer
	app.Writer = &buf
	app.ErrWriter = &buf
	old := cli.HelpPrinter
	t.Cleanup(func() { cli.HelpPrinter = old })
	if err := app.Run(append([]string{"hull"}, args...)); err != nil {
		t.Fatalf("hull %v: %v", args, err)
	}
	return buf.String()
}

// hull's command line is a superset of runc's: `hull --help` lists every
// runc command and global flag, `hull CMD --help` every flag of CMD.
func TestHelpListsEveryRuncCommandAndFlag(t *testing.T) {
	want := runcCLI(t)
	if len(want) < 17 {
		t.Fatalf("testdata/runc-cli.txt lists %d commands", len(want))
	}
	top := helpOf(t, "--help")
	for cmd, flags := range want {
		if cmd == "-" {
			for _, flag := range flags {
				if !mentions(top, flag) {
					t.Errorf("hull --help does not list the global flag %s", flag)
				}
			}
			continue
		}
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(cmd) + `\b`).MatchString(top) {
			t.Errorf("hull --help does not list the command %s", cmd)
			continue
		}
		help := helpOf(t, cmd, "--help")
		for _, flag := range flags {
			if !mentions(help, flag) {
				t.Errorf("hull %s --help does not list %s", cmd, flag)
			}
		}
	}
}

// mentions says whether help lists flag as an option (at the start of a
// line or after the comma of an alias).
func mentions(help, flag string) bool {
	return regexp.MustCompile(`(?m)(^\s+|, )` + regexp.QuoteMeta(flag) + `\b`).MatchString(help)
}

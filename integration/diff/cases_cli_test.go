package diff

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

// show is what of a step's result the suite compares.
type show int

const (
	exitOnly   show = iota
	withStdout      // the exit status and stdout
	withState       // the exit status and stdout's JSON object, key by key
	withFields      // the exit status and stdout with runs of spaces as one (tables)
	jsonKeys        // the exit status and the sorted keys of stdout's JSON object
	logLevels       // the exit status and, per line of {log}, its level and keys
	specFile        // the exit status and {dir}/config.json
)

// cliStep is one command line; placeholders: {id} the scenario's
// container, {other} an id nothing has, {bundle}, {dir} an empty
// directory, {log} a log file, {pidfile} a pid file to be written.
type cliStep struct {
	args []string
	show show
	// wait, after the step, polls `state {id}` until this status.
	wait string
}

type cliScenario struct {
	name string
	// process is the container's args (default: sleep 600).
	process []string
	steps   []cliStep
}

func step(show show, args ...string) cliStep { return cliStep{args: args, show: show} }

func (s cliStep) then(status string) cliStep { s.wait = status; return s }

// observeScenario runs the steps with one runtime.
func observeScenario(t *testing.T, e *engine, sc cliScenario) *observation {
	bundle := t.TempDir()
	if err := testbundle.MakeRootfs(filepath.Join(bundle, "rootfs")); err != nil {
		t.Fatal(err)
	}
	spec := baseSpec(t)
	spec.Process.Args = sc.process
	if spec.Process.Args == nil {
		spec.Process.Args = []string{"sleep", "600"}
	}
	if err := testbundle.WriteConfig(bundle, spec); err != nil {
		t.Fatal(err)
	}
	id, other := randomID(), randomID()
	dir, scratch := t.TempDir(), t.TempDir()
	log, pidfile := filepath.Join(scratch, "log"), filepath.Join(scratch, "pidfile")
	defer e.forceDelete(t, id)
	norm := newNormalizer(bundle, "<BUNDLE>", dir, "<DIR>", scratch, "<SCRATCH>", e.root, "<ROOT>",
		id, "<ID>", other, "<OTHER>", e.bin, "<RUNTIME>", "/"+e.name+" ", "/<RUNTIME> ", e.name+":", "<RUNTIME>:")
	o := newObservation()
	for i, st := range sc.steps {
		args := make([]string, len(st.args))
		for j, a := range st.args {
			args[j] = strings.NewReplacer("{id}", id, "{other}", other, "{bundle}", bundle, "{dir}", dir,
				"{log}", log, "{pidfile}", pidfile).Replace(a)
		}
		res := e.run(t, args...)
		section := fmt.Sprintf("%02d %s", i+1, strings.Join(st.args, " "))
		o.add(section, fmt.Sprintf("exit %d", res.code))
		switch st.show {
		case withStdout:
			o.addText(section, res.stdout)
		case withFields:
			for _, line := range strings.Split(strings.TrimRight(res.stdout, "\n"), "\n") {
				o.add(section, strings.Join(strings.Fields(line), " "))
			}
		case withState:
			o.add(section, jsonLines(res.stdout)...)
		case jsonKeys:
			o.add(section, keysOf(res.stdout)...)
		case logLevels:
			data, _ := os.ReadFile(log)
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					o.add(section, "not JSON: "+line)
					continue
				}
				o.add(section, fmt.Sprintf("level=%v keys=%s", entry["level"], strings.Join(keysOf(line), ",")))
			}
			os.Remove(log)
		case specFile:
			data, _ := os.ReadFile(filepath.Join(dir, "config.json"))
			o.addText(section, string(data))
			os.Remove(filepath.Join(dir, "config.json"))
		}
		if res.code != 0 && st.show == exitOnly {
			t.Logf("%s %s: %s", e.name, section, strings.TrimSpace(norm.line(res.stderr)))
		}
		if st.wait != "" && !e.waitStatus(t, id, st.wait) {
			o.add(section, "never reached status "+st.wait)
		}
	}
	return norm.observation(o)
}

// keysOf lists the keys of a JSON object, sorted, or says it is none.
func keysOf(text string) []string {
	var obj map[string]any
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		return []string{"(not a JSON object)"}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func runScenarios(t *testing.T, scenarios []cliScenario) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			es := engines(t)
			hull, runc := observeScenario(t, es[0], sc), observeScenario(t, es[1], sc)
			report(t, "cli/"+sc.name, hull, runc)
		})
	}
}

var _ = specs.Version

// cliScenarios drive the command line through its lifecycle, every
// subcommand, their flags and error cases, comparing exit statuses and
// the output tools parse.
func cliScenarios() []cliScenario {
	return []cliScenario{
		{name: "lifecycle", steps: []cliStep{
			step(exitOnly, "create", "--bundle", "{bundle}", "{id}"),
			step(withState, "state", "{id}"),
			step(withFields, "list"),
			step(withStdout, "list", "-q"),
			step(withStdout, "list", "--format", "json"),
			step(exitOnly, "ps", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "{id}"),
			step(exitOnly, "exec", "{id}", "true"),
			step(exitOnly, "start", "{id}").then("running"),
			step(withState, "state", "{id}"),
			step(exitOnly, "start", "{id}"),
			step(exitOnly, "ps", "{id}"),
			step(exitOnly, "ps", "--format", "json", "{id}"),
			step(exitOnly, "kill", "{id}", "0"),
			step(exitOnly, "delete", "{id}"),
			step(exitOnly, "pause", "{id}").then("paused"),
			step(withState, "state", "{id}"),
			step(exitOnly, "exec", "{id}", "true"),
			step(exitOnly, "pause", "{id}"),
			step(exitOnly, "resume", "{id}").then("running"),
			step(exitOnly, "resume", "{id}"),
			step(exitOnly, "update", "--memory", "100M", "{id}"),
			step(exitOnly, "update", "--pids-limit", "50", "{id}"),
			step(exitOnly, "events", "--stats", "{id}"),
			step(exitOnly, "kill", "{id}", "KILL").then("stopped"),
			step(withState, "state", "{id}"),
			step(exitOnly, "exec", "{id}", "true"),
			step(exitOnly, "kill", "{id}"),
			step(exitOnly, "ps", "{id}"),
			step(exitOnly, "pause", "{id}"),
			step(exitOnly, "start", "{id}"),
			step(exitOnly, "delete", "{id}"),
			step(exitOnly, "delete", "{id}"),
			step(exitOnly, "state", "{id}"),
			step(withStdout, "list", "-q"),
		}},
		{name: "exec", steps: []cliStep{
			step(exitOnly, "run", "--detach", "--bundle", "{bundle}", "{id}").then("running"),
			step(exitOnly, "exec", "{id}", "sh", "-c", "exit 5"),
			step(exitOnly, "exec", "{id}", "/no/such/program"),
			step(exitOnly, "exec", "{id}", "/etc/passwd"),
			step(exitOnly, "exec", "--tty", "{id}", "true"),
			step(exitOnly, "exec", "--detach", "--tty", "{id}", "true"),
			step(exitOnly, "exec", "--console-socket", "{dir}/sock", "{id}", "true"),
			step(exitOnly, "exec", "{id}"),
			step(exitOnly, "exec"),
			step(withStdout, "exec", "-e", "A=1", "-e", "B=2", "{id}", "sh", "-c", "echo $A$B"),
			step(exitOnly, "exec", "--env", "A=1", "-e", "B=2", "{id}", "sh", "-c", "echo $A$B"),
			step(withStdout, "exec", "--env", "HOME=/x", "{id}", "sh", "-c", "echo $HOME"),
			step(withStdout, "exec", "{id}", "sh", "-c", "echo $HOME"),
			step(withStdout, "exec", "-g", "10", "{id}", "grep", "^Groups:", "/proc/self/status"),
			step(withStdout, "exec", "-g", "10", "-g", "11", "{id}", "grep", "^Groups:", "/proc/self/status"),
			step(exitOnly, "exec", "-g", "ten", "{id}", "true"),
			step(withStdout, "exec", "--user", "65534:65534", "{id}", "id"),
			step(withStdout, "exec", "--user", "1000", "{id}", "id"),
			step(exitOnly, "exec", "--user", "nobody", "{id}", "id"),
			step(withStdout, "exec", "--cwd", "/tmp", "{id}", "pwd"),
			step(exitOnly, "exec", "--cwd", "/no/such/dir", "{id}", "pwd"),
			step(withStdout, "exec", "--cap", "CAP_SYS_ADMIN", "{id}", "grep", "^Cap", "/proc/self/status"),
			step(exitOnly, "exec", "--cap", "CAP_BOGUS", "{id}", "true"),
			step(withStdout, "exec", "--no-new-privs", "{id}", "grep", "^NoNewPrivs", "/proc/self/status"),
			step(withStdout, "exec", "{id}", "grep", "-E", "^(Cap|NoNewPrivs|Seccomp)", "/proc/self/status"),
			step(exitOnly, "exec", "--detach", "--pid-file", "{pidfile}", "{id}", "sleep", "1"),
			step(exitOnly, "exec", "--preserve-fds", "1", "{id}", "true"),
			step(exitOnly, "exec", "--process", "{dir}/missing.json", "{id}"),
			step(exitOnly, "exec", "--ignore-paused", "{id}", "true"),
			step(exitOnly, "exec", "--cgroup", "sub", "{id}", "true"),
			step(exitOnly, "exec", "--pidfd-socket", "{dir}/pidfd", "{id}", "true"),
			step(exitOnly, "exec", "--apparmor", "unconfined", "{id}", "true"),
			step(exitOnly, "exec", "--process-label", "x", "{id}", "true"),
			step(exitOnly, "exec", "--bogus-flag", "{id}", "true"),
			step(exitOnly, "delete", "--force", "{id}"),
		}},
		{name: "unknown-container", steps: []cliStep{
			step(exitOnly, "state", "{other}"),
			step(exitOnly, "start", "{other}"),
			step(exitOnly, "kill", "{other}"),
			step(exitOnly, "kill", "{other}", "KILL"),
			step(exitOnly, "delete", "{other}"),
			step(exitOnly, "delete", "--force", "{other}"),
			step(exitOnly, "pause", "{other}"),
			step(exitOnly, "resume", "{other}"),
			step(exitOnly, "ps", "{other}"),
			step(exitOnly, "exec", "{other}", "true"),
			step(exitOnly, "events", "--stats", "{other}"),
			step(exitOnly, "update", "--pids-limit", "5", "{other}"),
		}},
		{name: "global", steps: []cliStep{
			step(exitOnly, "--version"),
			step(exitOnly, "--help"),
			step(exitOnly, "help"),
			step(exitOnly, "no-such-command"),
			step(exitOnly),
			step(withFields, "list"),
			step(withStdout, "list", "--format", "json"),
			step(withStdout, "list", "-q"),
			step(exitOnly, "list", "--format", "bogus"),
			step(exitOnly, "--root", "{dir}/missing", "list"),
			step(exitOnly, "--log-format", "bogus", "list"),
			step(exitOnly, "--bogus-global-flag", "list"),
			step(exitOnly, "--systemd-cgroup", "list"),
			step(specFile, "spec", "--bundle", "{dir}"),
			step(specFile, "spec", "--rootless", "--bundle", "{dir}"),
			step(exitOnly, "spec", "--bundle", "{dir}/missing"),
			step(jsonKeys, "features"),
		}},
		{name: "create-errors", steps: []cliStep{
			step(exitOnly, "create", "--bundle", "{bundle}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "{id}", "extra"),
			step(exitOnly, "create", "--bundle", "{dir}", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "../escape"),
			step(exitOnly, "create", "--bundle", "{bundle}", "with space"),
			step(exitOnly, "create", "--bundle", "{bundle}", "--console-socket", "{dir}/sock", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "--preserve-fds", "-1", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "--bogus-flag", "{id}"),
			step(logLevels, "--log", "{log}", "--log-format", "json", "create", "--bundle", "{dir}", "{id}"),
			step(logLevels, "--log", "{log}", "--log-format", "json", "state", "{other}"),
			step(withStdout, "list", "-q"),
		}},
		{name: "create-flags", steps: []cliStep{
			step(exitOnly, "create", "--bundle", "{bundle}", "--pid-file", "{pidfile}", "--no-new-keyring", "--no-pivot", "{id}"),
			step(exitOnly, "start", "{id}").then("running"),
			step(exitOnly, "kill", "{id}", "SIGTERM").then("stopped"),
			step(exitOnly, "delete", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "--pidfd-socket", "{dir}/pidfd", "{id}"),
			step(exitOnly, "delete", "--force", "{id}"),
		}},
		{name: "kill-signals", steps: []cliStep{
			step(exitOnly, "run", "--detach", "--bundle", "{bundle}", "{id}").then("running"),
			step(exitOnly, "kill", "{id}", "NOSUCHSIG"),
			step(exitOnly, "kill", "{id}", "99"),
			step(exitOnly, "kill", "{id}", "STOP"),
			step(exitOnly, "kill", "{id}", "CONT"),
			step(exitOnly, "kill", "--all", "{id}", "USR1").then("stopped"),
			step(exitOnly, "kill", "--all", "{id}", "KILL"),
			step(exitOnly, "delete", "{id}"),
		}},
		{name: "delete-force-running", steps: []cliStep{
			step(exitOnly, "run", "--detach", "--bundle", "{bundle}", "{id}").then("running"),
			step(exitOnly, "delete", "--force", "{id}"),
			step(exitOnly, "state", "{id}"),
		}},
		{name: "delete-created", steps: []cliStep{
			step(exitOnly, "create", "--bundle", "{bundle}", "{id}"),
			step(exitOnly, "delete", "{id}"),
			step(exitOnly, "delete", "--force", "{id}"),
			step(exitOnly, "state", "{id}"),
		}},
		{name: "run-foreground", process: []string{"sh", "-c", "readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; exit 7"}, steps: []cliStep{
			step(withStdout, "run", "--bundle", "{bundle}", "{id}"),
			step(exitOnly, "state", "{id}"),
			step(withStdout, "run", "--keep", "--bundle", "{bundle}", "{id}"),
			step(withState, "state", "{id}"),
			step(exitOnly, "delete", "{id}"),
		}},
		{name: "run-killed-by-signal", process: []string{"sh", "-c", "kill -9 $$"}, steps: []cliStep{
			step(exitOnly, "run", "--bundle", "{bundle}", "{id}"),
		}},
		{name: "run-detached-exits", process: []string{"true"}, steps: []cliStep{
			step(exitOnly, "run", "--detach", "--bundle", "{bundle}", "{id}").then("stopped"),
			step(withState, "state", "{id}"),
			step(exitOnly, "delete", "{id}"),
		}},
		{name: "run-missing-program", process: []string{"/no/such/program"}, steps: []cliStep{
			step(exitOnly, "run", "--bundle", "{bundle}", "{id}"),
			step(exitOnly, "state", "{id}"),
			step(exitOnly, "create", "--bundle", "{bundle}", "{id}"),
			step(exitOnly, "state", "{id}"),
		}},
	}
}

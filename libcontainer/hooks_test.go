package libcontainer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A hook gets the state on stdin, its args and env, and runs in the
// bundle directory (as runc's).
func TestRunHooksGivesStateArgsAndEnv(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	bundle := t.TempDir()
	spec := &specs.Spec{Hooks: &specs.Hooks{CreateRuntime: []specs.Hook{{
		Path: "/bin/sh",
		Args: []string{"sh", "-c", `cat > "$OUT"; echo " $0 $X $(pwd)" >> "$OUT"`, "arg0"},
		Env:  []string{"OUT=" + out, "X=y"},
	}}}}
	state := specs.State{Version: specs.Version, ID: "c1", Status: "creating", Pid: 7, Bundle: bundle}
	if err := runHooks(spec, state, phasePrestart, phaseCreateRuntime); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.LastIndex(text, " arg0 y "+bundle)
	if i < 0 {
		t.Fatalf("hook did not see its args and env, or ran elsewhere than the bundle: %q", text)
	}
	var got specs.State
	if err := json.Unmarshal([]byte(text[:i]), &got); err != nil {
		t.Fatalf("hook stdin %q: %v", text[:i], err)
	}
	if got.ID != "c1" || got.Pid != 7 || got.Status != "creating" {
		t.Fatalf("hook got state %+v", got)
	}
}

func TestRunHooksNamesFailingHook(t *testing.T) {
	one := 1
	spec := &specs.Spec{Hooks: &specs.Hooks{Poststop: []specs.Hook{
		{Path: "/bin/true"},
		{Path: "/bin/sh", Args: []string{"sh", "-c", "echo broken >&2; exit 3"}},
	}, Poststart: []specs.Hook{{Path: "/bin/sleep", Args: []string{"sleep", "5"}, Timeout: &one}}}}
	err := runHooks(spec, specs.State{}, phasePoststop)
	if err == nil || err.Error() != "hooks.poststop[1] (/bin/sh): error running poststop hook #1: exit status 3: broken" {
		t.Fatalf("got %v", err)
	}
	err = runHooks(spec, specs.State{}, phasePoststart)
	if err == nil || !strings.Contains(err.Error(), "timed out after 1s") {
		t.Fatalf("got %v, want a timeout", err)
	}
}

func TestPoststopHooksAllRunDespiteFailures(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	spec := &specs.Spec{Hooks: &specs.Hooks{Poststop: []specs.Hook{
		{Path: "/bin/sh", Args: []string{"sh", "-c", "exit 1"}},
		{Path: "/bin/sh", Args: []string{"sh", "-c", "echo second > " + out}},
	}}}
	var warnings []error
	runHooksWarning(spec, specs.State{}, phasePoststop, func(err error) { warnings = append(warnings, err) })
	if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), "hooks.poststop[0]") {
		t.Fatalf("warnings: %v", warnings)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "second\n" {
		t.Fatalf("the hook after the failing one did not run: %q, %v", data, err)
	}
}

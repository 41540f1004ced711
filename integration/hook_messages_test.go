package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A failing host-side hook is reported with hull's field name and runc's
// phrase, `error running <kind> hook #N:` (tools match it), for each kind
// the runtime runs itself; a failing poststop hook is a warning with the
// same words, and delete still succeeds.
func TestFailingHookMessageHasRuncPhrase(t *testing.T) {
	failing := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "echo nope >&2; exit 3"}}
	ok := specs.Hook{Path: "/bin/true"}
	for _, kind := range []string{"prestart", "createRuntime", "poststart"} {
		t.Run(kind, func(t *testing.T) {
			rt := newRuntime(t)
			spec := testSpec(t, rt, "true")
			hooks := []specs.Hook{ok, failing}
			switch kind {
			case "prestart":
				spec.Hooks = &specs.Hooks{Prestart: hooks} //nolint:staticcheck // runc still runs it
			case "createRuntime":
				spec.Hooks = &specs.Hooks{CreateRuntime: hooks}
			case "poststart":
				spec.Hooks = &specs.Hooks{Poststart: hooks}
			}
			c := newContainer(t, rt, spec)
			res := c.runForeground()
			want := "hooks." + kind + "[1] (/bin/sh): error running " + kind + " hook #1: exit status 3: nope"
			if res.code == 0 || !strings.Contains(res.stderr, want) {
				t.Errorf("run with a failing %s hook: want an error with %q: %v", kind, want, res)
			}
		})
	}
	t.Run("poststop", func(t *testing.T) {
		rt := newRuntime(t)
		spec := testSpec(t, rt, "true")
		spec.Hooks = &specs.Hooks{Poststop: []specs.Hook{failing}}
		c := newContainer(t, rt, spec)
		mustSucceed(t, c.create())
		res := mustSucceed(t, c.delete())
		want := "error running poststop hook #0: exit status 3: nope"
		if !strings.Contains(res.stderr, want) {
			t.Errorf("delete with a failing poststop hook: want a warning with %q: %v", want, res)
		}
	})
}

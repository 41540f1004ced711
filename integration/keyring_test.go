package integration

import (
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The init joins a new session keyring named after the container, as
// runc's does; --no-new-keyring keeps the caller's.
func TestSessionKeyring(t *testing.T) {
	for _, keep := range []bool{false, true} {
		name := "new keyring"
		if keep {
			name = "no-new-keyring"
		}
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t)
			spec := testSpec(t, rt, "cat", "/proc/keys")
			// The template masks /proc/keys.
			spec.Linux.MaskedPaths = slices.DeleteFunc(spec.Linux.MaskedPaths, func(p string) bool { return p == "/proc/keys" })
			c := newContainer(t, rt, spec)
			args := []string{"run", "--bundle", c.bundle}
			if keep {
				args = append(args, "--no-new-keyring")
			}
			res := mustSucceed(t, rt.run(append(args, c.id)...))
			ring := "_ses." + c.id
			var found string
			for _, line := range strings.Split(res.stdout, "\n") {
				if f := strings.Fields(line); len(f) >= 9 && f[7] == "keyring" && strings.TrimSuffix(f[8], ":") == ring {
					found = line
				}
			}
			switch {
			case keep && found != "":
				t.Errorf("with --no-new-keyring the container has keyring %s:\n%s", ring, res.stdout)
			case !keep && found == "":
				t.Errorf("no keyring %s in the container's /proc/keys:\n%s", ring, res.stdout)
			}
		})
	}
}

// An exec'd process joins the init's session keyring (by its name, as
// root, before it becomes its user): as uid 1000 it sees the keyring only
// because it possesses it (owner uid 0, no permissions for others).
func TestExecJoinsSessionKeyring(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.MaskedPaths = slices.DeleteFunc(s.Linux.MaskedPaths, func(p string) bool { return p == "/proc/keys" })
	})
	out := mustSucceed(t, c.exec([]string{"--user", "1000:1000"}, "cat", "/proc/keys")).stdout
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 9 && f[7] == "keyring" && strings.TrimSuffix(f[8], ":") == "_ses."+c.id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d keyrings named _ses.%s in the exec'd process's /proc/keys, want 1:\n%s", n, c.id, out)
	}
}

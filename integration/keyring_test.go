package integration

import (
	"slices"
	"strings"
	"testing"
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

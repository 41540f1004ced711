package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A missing process.cwd is created as runc creates it: by the container's
// root, mode 0755, then entered as the configured user; on a read-only
// root too, since it is made before the root turns read-only.
func TestMissingCwdIsCreated(t *testing.T) {
	for _, readonly := range []bool{false, true} {
		name := "writable root"
		if readonly {
			name = "read-only root"
		}
		t.Run(name, func(t *testing.T) {
			out := outputOf(t, "pwd; stat -c '%u:%g %a' .; id -u", func(s *specs.Spec) {
				s.Root.Readonly = readonly
				s.Process.Cwd = "/new/work/dir"
				s.Process.User = specs.User{UID: 1000, GID: 1000}
			})
			if got := strings.Fields(out); len(got) != 4 || got[0] != "/new/work/dir" ||
				got[1] != "0:0" || got[2] != "755" || got[3] != "1000" {
				t.Errorf("pwd, owner, mode, uid = %q, want /new/work/dir 0:0 755 1000", out)
			}
		})
	}
}

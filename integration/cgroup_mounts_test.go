package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// On a hybrid host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified) the
// container's /sys/fs/cgroup is runc's: the v1 hierarchies only, in a
// tmpfs that stays writable under the read-only hierarchies, and with a
// cgroup namespace the name=systemd hierarchy mounted with the source
// "systemd".
func TestCgroupMountsOnHybridHostAsRunc(t *testing.T) {
	if !fileExists("/sys/fs/cgroup/unified/cgroup.controllers") || fileExists("/sys/fs/cgroup/cgroup.controllers") {
		t.Skip("not a hybrid cgroup host")
	}
	for _, cgroupns := range []bool{false, true} {
		out := outputOf(t, `grep ' /sys/fs/cgroup' /proc/self/mountinfo`, func(s *specs.Spec) {
			var ns []specs.LinuxNamespace
			for _, n := range s.Linux.Namespaces {
				if n.Type != specs.CgroupNamespace {
					ns = append(ns, n)
				}
			}
			if cgroupns {
				ns = append(ns, specs.LinuxNamespace{Type: specs.CgroupNamespace})
			}
			s.Linux.Namespaces = ns
		})
		for _, line := range strings.Split(out, "\n") {
			fields := strings.Fields(line)
			if len(fields) < 6 {
				continue
			}
			_, super, _ := strings.Cut(line, " - ")
			switch dest := fields[4]; {
			case strings.Contains(super, "cgroup2"):
				t.Errorf("cgroupns %v: cgroup2 mounted in the container: %s", cgroupns, line)
			case dest == "/sys/fs/cgroup" && !strings.HasPrefix(fields[5], "rw,"):
				t.Errorf("cgroupns %v: the /sys/fs/cgroup tmpfs is not writable: %s", cgroupns, line)
			case dest == "/sys/fs/cgroup/systemd" && cgroupns && !strings.HasPrefix(super, "cgroup systemd "):
				t.Errorf("cgroupns %v: name=systemd mounted with another source than systemd: %s", cgroupns, line)
			case dest != "/sys/fs/cgroup" && !strings.HasPrefix(fields[5], "ro,"):
				t.Errorf("cgroupns %v: a hierarchy is writable: %s", cgroupns, line)
			}
		}
		if !strings.Contains(out, " /sys/fs/cgroup/systemd ") {
			t.Errorf("cgroupns %v: no name=systemd hierarchy:\n%s", cgroupns, out)
		}
	}
}

package integration

import (
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// In the host's pid namespace a container may have the host's /proc bound
// on its /proc instead of a procfs of its own (runc allows a bind whose
// source is a procfs; rootless it is the only way, see make
// test-rootless's plain_host_pidns_proc); a bind of anything else there
// stays refused.
func TestProcBindFromHostWithoutPidNamespace(t *testing.T) {
	hostProc := func(source string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.PIDNamespace })
			for i, m := range s.Mounts {
				if m.Type == "proc" {
					s.Mounts[i] = specs.Mount{Destination: "/proc", Type: "none", Source: source,
						Options: []string{"rbind", "nosuid", "nodev", "noexec"}}
				}
			}
		}
	}
	out := outputOf(t, `echo pid $(cut -d' ' -f1 /proc/self/stat); test -e /proc/1/comm && echo host-init`, hostProc("/proc"))
	if strings.Contains(out, "pid 1\n") || !strings.Contains(out, "host-init") {
		t.Errorf("the container does not see the host's processes in its /proc:\n%s", out)
	}
	res := runInContainer(t, "true", hostProc(t.TempDir()))
	if res.code == 0 || !strings.Contains(res.stderr, "not of type proc") {
		t.Errorf("a bind of a directory onto /proc: want it refused\n%v", res)
	}
}

// Part of a procfs bound onto /proc hides the rest of it from the
// container: allowed, as runc allows it, with runc's warning.
func TestProcBindOfPartOfAProcfsWarns(t *testing.T) {
	res := runInContainer(t, "test -e /proc/kernel/hostname && echo sysctl-tree", func(s *specs.Spec) {
		for i, m := range s.Mounts {
			if m.Type == "proc" {
				s.Mounts[i] = specs.Mount{Destination: "/proc", Type: "bind", Source: "/proc/sys", Options: []string{"rbind"}}
			}
		}
	})
	if res.code != 0 || !strings.Contains(res.stdout, "sysctl-tree") {
		t.Fatalf("a bind of /proc/sys onto /proc: want it to run with /proc/sys as /proc\n%v", res)
	}
	if !strings.Contains(res.stderr, "bind-mount /proc (source /proc/sys) is of type procfs but is not the root of a procfs") {
		t.Errorf("no warning about part of a procfs on /proc\n%v", res)
	}
}

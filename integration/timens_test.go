package integration

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func withTimeOffsets(s *specs.Spec) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace})
	s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{
		"monotonic": {Secs: 7881, Nanosecs: 2718281},
		"boottime":  {Secs: 1337, Nanosecs: 3141519},
	}
}

func checkTimensOffsets(t *testing.T, what, out string) {
	t.Helper()
	for _, re := range []string{`(?m)^monotonic\s+7881\s+2718281$`, `(?m)^boottime\s+1337\s+3141519$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("%s: timens_offsets lacks %s:\n%s", what, re, out)
		}
	}
}

func requireTimens(t *testing.T) {
	if !fileExists("/proc/self/timens_offsets") {
		t.Skip("kernel without time namespaces")
	}
}

// A new time namespace gets its offsets, also in a new user namespace:
// they are written once the uid/gid maps are (runc's "simple timens +
// userns"; the executor could not open its own timens_offsets there).
func TestTimeNamespaceOffsets(t *testing.T) {
	requireTimens(t)
	for _, userns := range []bool{false, true} {
		t.Run(map[bool]string{false: "no-userns", true: "userns"}[userns], func(t *testing.T) {
			out := outputOf(t, "cat /proc/self/timens_offsets", func(s *specs.Spec) {
				if userns {
					withUserNamespace(s)
				}
				withTimeOffsets(s)
			})
			checkTimensOffsets(t, "new time namespace", out)
		})
	}
}

// An exec'd process is in the container's time namespace, and a container
// joining it by path (with no offsets of its own) gets it as it is:
// nothing writes offsets into a namespace that has processes.
func TestJoinTimeNamespace(t *testing.T) {
	requireTimens(t)
	for _, userns := range []bool{false, true} {
		t.Run(map[bool]string{false: "no-userns", true: "userns"}[userns], func(t *testing.T) {
			rt := newRuntime(t)
			patch := func(s *specs.Spec) {
				if userns {
					withUserNamespace(s)
				}
			}
			target := startSleeper(t, rt, func(s *specs.Spec) { patch(s); withTimeOffsets(s) })
			checkTimensOffsets(t, "exec", mustSucceed(t, target.exec(nil, "cat", "/proc/self/timens_offsets")).stdout)
			nsPath := fmt.Sprintf("/proc/%d/ns/time", target.state().Pid)
			want, err := os.Readlink(nsPath)
			if err != nil {
				t.Fatal(err)
			}
			out := outputOf(t, "readlink /proc/self/ns/time; cat /proc/self/timens_offsets", func(s *specs.Spec) {
				patch(s)
				s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace, Path: nsPath})
			})
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(out) {
				t.Errorf("the joining container is not in %s:\n%s", want, out)
			}
			checkTimensOffsets(t, "joined time namespace", out)
		})
	}
}

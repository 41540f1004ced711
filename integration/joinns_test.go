package integration

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A container given the path of an existing network namespace joins it:
// it sees the same namespace inode as a process already in it.
func TestJoinNetworkNamespaceByPath(t *testing.T) {
	nsPath := sleeperInNewNetNS(t)
	want, err := os.Readlink(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	got := outputOf(t, "readlink /proc/self/ns/net", func(s *specs.Spec) {
		for i, ns := range s.Linux.Namespaces {
			if ns.Type == specs.NetworkNamespace {
				s.Linux.Namespaces[i].Path = nsPath
			}
		}
	})
	if got != want {
		t.Errorf("the container's network namespace is %s, want the joined %s", got, want)
	}
}

// sleeperInNewNetNS starts a process in a new network namespace and returns
// the path of that namespace; the process is killed when the test ends.
func sleeperInNewNetNS(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("unshare", "--net", "sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	hostNS, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	nsPath := fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
	waitFor(t, "unshare to enter a new network namespace", func() bool {
		ns, err := os.Readlink(nsPath)
		return err == nil && ns != hostNS
	})
	return nsPath
}

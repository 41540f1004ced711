package libcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A joined user namespace goes after the namespaces it does not own (the
// runtime's privileges join those) and before the ones it owns.
func TestJoinOrderUserNamespaceAfterForeignOnes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make namespaces")
	}
	// A process in a new user namespace with a network namespace of its
	// own: the host's uts namespace is foreign to that user namespace.
	cmd := exec.Command("unshare", "--user", "--map-root-user", "--net", "sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Skip("unshare:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	nss := []specs.LinuxNamespace{
		{Type: specs.NetworkNamespace, Path: fmt.Sprintf("/proc/%d/ns/net", pid)},
		{Type: specs.UserNamespace, Path: fmt.Sprintf("/proc/%d/ns/user", pid)},
		{Type: specs.UTSNamespace, Path: "/proc/self/ns/uts"},
		{Type: specs.PIDNamespace},
	}
	var got []int
	for range 50 { // until unshare has made its namespaces
		files := make([]*os.File, len(nss))
		for i, ns := range nss {
			if ns.Path == "" {
				continue
			}
			f, err := os.Open(ns.Path)
			if err != nil {
				t.Fatal(err)
			}
			files[i] = f
		}
		got = joinOrder(nss, files)
		closeFiles(files)
		if slices.Equal(got, []int{2, 1, 0}) {
			return
		}
		exec.Command("sleep", "0.02").Run()
	}
	t.Errorf("join order %v, want [2 1 0] (uts, user, net)", got)
}

package cgroups

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// BenchmarkCreateDestroy measures what `create` and `delete` pay for
// cgroups: New, Apply with typical limits (of `runc spec` plus memory and
// pids), and Destroy.
func BenchmarkCreateDestroy(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("skipping: creating cgroups needs root")
	}
	i := func(v int64) *int64 { return &v }
	r := &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, {Allow: true, Type: "c", Major: i(1), Minor: i(3), Access: "rwm"}},
		Memory:  &specs.LinuxMemory{Limit: i(256 << 20)},
		Pids:    &specs.LinuxPids{Limit: i(1024)},
	}
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		sleep.Process.Kill()
		sleep.Wait()
		pm, err := New(Config{Path: fmt.Sprintf("/hull-bench-%d", os.Getpid()), ID: "p"})
		if err == nil {
			err = pm.Destroy()
		}
		if err != nil {
			b.Errorf("remove benchmark cgroups: %v", err)
		}
	})
	for n := 0; b.Loop(); n++ {
		m, err := New(Config{Path: fmt.Sprintf("/hull-bench-%d/c%d", os.Getpid(), n), ID: "c", Resources: r})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Apply(sleep.Process.Pid); err != nil {
			b.Fatal(err)
		}
		// Back to the parent, so that the cgroup can go.
		for _, c := range m.(*manager).joined() {
			if err := c.dir.parent().write("cgroup.procs", strconv.Itoa(sleep.Process.Pid)); err != nil {
				b.Fatal(err)
			}
		}
		if err := m.Destroy(); err != nil {
			b.Fatal(err)
		}
	}
}

package libcontainer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer"
	"github.com/hullrt/hull/specconv"
)

// Stream a running container's resource usage: what `hull events
// --interval` does. Three processes under a pids limit of 10 and a memory
// limit of 64 MiB.
func ExampleContainer_Stats() {
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sh", "-c", "sleep 60 & sleep 60 & wait"}
	limit := int64(64 << 20)
	spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	pids := int64(10)
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: &pids}
	bundle, plan, err := exampleBundle(spec)
	defer os.RemoveAll(bundle)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := libcontainer.Create(filepath.Join(bundle, "state"), "example-stats", plan, libcontainer.CreateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Delete(true)
	if err := c.Start(); err != nil {
		fmt.Println(err)
		return
	}
	// Wait for the shell to start both sleeps, then sample a few times.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err := c.Stats(); err == nil && st.Pids.Current == 3 {
			break
		}
	}
	for i := 0; i < 3; i++ {
		st, err := c.Stats()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("pids %d/%d, memory limit %d MiB, some memory used: %v\n",
			st.Pids.Current, st.Pids.Limit, st.Memory.Usage.Limit>>20, st.Memory.Usage.Usage > 0)
		time.Sleep(50 * time.Millisecond)
	}
	// Output:
	// pids 3/10, memory limit 64 MiB, some memory used: true
	// pids 3/10, memory limit 64 MiB, some memory used: true
	// pids 3/10, memory limit 64 MiB, some memory used: true
}

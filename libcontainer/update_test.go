package libcontainer

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func p[T any](v T) *T { return &v }

// An update changes only what it names; the pairs the kernel writes
// together are completed from the old config; devices are never applied.
func TestMergeResources(t *testing.T) {
	old := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: p(int64(100)), Swap: p(int64(200))},
		CPU:     &specs.LinuxCPU{Quota: p(int64(5000)), Period: p(uint64(10000)), Cpus: "0"},
		Pids:    &specs.LinuxPids{Limit: p(int64(10))},
		Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
	}
	upd := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: p(int64(150))},
		CPU:     &specs.LinuxCPU{Quota: p(int64(2000))},
		Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}},
	}
	merged, apply := mergeResources(old, upd)
	if *merged.Memory.Limit != 150 || *merged.Memory.Swap != 200 || *merged.Pids.Limit != 10 ||
		*merged.CPU.Quota != 2000 || *merged.CPU.Period != 10000 || merged.CPU.Cpus != "0" {
		t.Errorf("merged = %+v %+v %+v", *merged.Memory, *merged.CPU, *merged.Pids)
	}
	if len(merged.Devices) != 1 || merged.Devices[0].Allow {
		t.Errorf("the update changed the stored devices: %+v", merged.Devices)
	}
	if apply.Devices != nil || apply.Pids != nil || *apply.Memory.Swap != 200 || *apply.CPU.Period != 10000 || apply.CPU.Cpus != "" {
		t.Errorf("apply = %+v %+v", *apply.Memory, *apply.CPU)
	}
	if *old.Memory.Limit != 100 || *old.CPU.Quota != 5000 || upd.Memory.Swap != nil {
		t.Errorf("merge changed its inputs")
	}

	merged, apply = mergeResources(old, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p(int64(-1))}})
	if merged.Memory.Swap != nil || apply.Memory.Swap != nil {
		t.Errorf("unlimited memory kept a swap limit: %+v %+v", *merged.Memory, *apply.Memory)
	}
	if merged, _ := mergeResources(nil, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: p(int64(3))}}); *merged.Pids.Limit != 3 {
		t.Errorf("merge into no resources = %+v", merged)
	}
}

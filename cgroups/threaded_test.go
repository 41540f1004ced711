package cgroups

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestDomainLimitNamesTheFirstDomainField(t *testing.T) {
	mem, pids, zero := int64(1<<20), int64(10), int64(0)
	weight := uint16(100)
	for _, tc := range []struct {
		name string
		r    *specs.LinuxResources
		want string
	}{
		{"none", nil, ""},
		{"pids and cpu are threaded", &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &pids}, CPU: &specs.LinuxCPU{Cpus: "0"}}, ""},
		{"a zero memory limit sets nothing", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &zero}}, ""},
		{"memory", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &mem}}, "linux.resources.memory"},
		{"io", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: &weight}}, "linux.resources.blockIO"},
		{"hugetlb", &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1}}}, "linux.resources.hugepageLimits"},
		{"unified threaded keys", &specs.LinuxResources{Unified: map[string]string{"cgroup.type": "threaded", "pids.max": "5", "cpu.weight": "10"}}, ""},
		{"unified memory key", &specs.LinuxResources{Unified: map[string]string{"cgroup.type": "threaded", "memory.high": "5"}}, `linux.resources.unified["memory.high"]`},
	} {
		if got := domainLimit(tc.r); got != tc.want {
			t.Errorf("%s: domainLimit = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestThreadedParentDelegatesOnlyThreadedControllers(t *testing.T) {
	all := []string{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"}
	if got := parentControllers(all, nil); !slices.Equal(got, all) {
		t.Errorf("without threaded: %v, want all of %v", got, all)
	}
	threaded := &specs.LinuxResources{Unified: map[string]string{"cgroup.type": "threaded"}}
	if got, want := parentControllers(all, threaded), []string{"cpuset", "cpu", "pids"}; !slices.Equal(got, want) {
		t.Errorf("threaded: %v, want %v", got, want)
	}
	if len(all) != 8 {
		t.Errorf("parentControllers changed its argument: %v", all)
	}
}

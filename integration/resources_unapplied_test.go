package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hostHasController reports whether a cgroup controller is usable here:
// mounted as a v1 hierarchy, or offered by the cgroup2 hierarchy.
func hostHasController(name string) bool {
	if fileExists(filepath.Join(cgroupRoot, name)) {
		return true
	}
	for _, controllers := range []string{"unified/cgroup.controllers", "cgroup.controllers"} {
		data, err := os.ReadFile(filepath.Join(cgroupRoot, controllers))
		if err == nil && strings.Contains(" "+strings.TrimSpace(string(data))+" ", " "+name+" ") {
			return true
		}
	}
	return false
}

// A hugepage limit is never dropped without a word: where the host has
// the hugetlb controller (in v1, or only in cgroup2 as on a hybrid host
// like this one) the container's cgroup holds the limit; where it has
// none, create fails naming the field.
func TestHugepageLimitIsAppliedOrRefused(t *testing.T) {
	if !fileExists("/sys/kernel/mm/hugepages/hugepages-2048kB") {
		t.Skip("no 2MB huge pages on this kernel: the limit's page size would be invalid")
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, "sleep", "600")
	cgroupPath := "/" + uniqueID(t)
	spec.Linux.CgroupsPath = cgroupPath
	spec.Linux.Resources.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
	c := newContainer(t, rt, spec)
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })
	res := c.create()
	if !hostHasController("hugetlb") {
		expectOneLineError(t, res, "hugepageLimits")
		return
	}
	mustSucceed(t, res)
	found := false
	for _, file := range []string{"hugetlb/hugetlb.2MB.limit_in_bytes", "unified/hugetlb.2MB.max", "hugetlb.2MB.max"} {
		dir, name := filepath.Split(file)
		path := filepath.Join(cgroupRoot, dir, cgroupPath, name)
		if !fileExists(path) {
			continue
		}
		found = true
		if got := strings.TrimSpace(readFile(t, path)); got != "4194304" {
			t.Errorf("%s = %s, want 4194304", path, got)
		}
	}
	if !found {
		t.Errorf("the host has hugetlb but no cgroup file of %s holds the hugepage limit", cgroupPath)
	}
}

// Same rule for the other resources: a network class id on a host
// without the net_cls controller is an error naming the field, not a
// container without it.
func TestUnavailableResourceControllerIsAnError(t *testing.T) {
	if hostHasController("net_cls") {
		t.Skip("net_cls is available here: nothing to refuse")
	}
	classID := uint32(0x100001)
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Linux.Resources.Network = &specs.LinuxNetwork{ClassID: &classID}
	}), nil, "linux.resources.network.classID")
}

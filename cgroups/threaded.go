package cgroups

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Threaded cgroup2 subtrees (cgroup-v2.rst, "Threads"): a cgroup whose
// cgroup.type is "threaded" holds threads rather than processes and only
// the threaded controllers work in it. A container gets one in two ways,
// as with runc:
//   - its cgroupsPath lies under a threaded cgroup: the kernel makes each
//     new cgroup there "domain invalid", and it is turned threaded when the
//     config sets no limit that needs a domain controller;
//   - linux.resources.unified["cgroup.type"] is "threaded": the
//     container's own cgroup is turned threaded before the init joins it
//     (the kernel refuses to turn a populated cgroup).

// cgroupTypeKey is the unified key that asks for a threaded cgroup.
const cgroupTypeKey = "cgroup.type"

// threadedControllers are the controllers the kernel allows in a threaded
// cgroup (and the only ones a thread root may delegate once it has
// threaded children).
var threadedControllers = []string{"cpu", "cpuset", "perf_event", "pids"}

// wantsThreaded says whether the config asks for a threaded cgroup.
func wantsThreaded(r *specs.LinuxResources) bool {
	return r != nil && r.Unified[cgroupTypeKey] == "threaded"
}

// domainLimit names the first field of r that needs a domain controller
// (memory, io, hugetlb, rdma, misc), "" when there is none: such a limit
// cannot be set in a threaded cgroup.
func domainLimit(r *specs.LinuxResources) string {
	if r == nil {
		return ""
	}
	nonzero := func(v *int64) bool { return v != nil && *v != 0 }
	if mem := r.Memory; mem != nil && (nonzero(mem.Limit) || nonzero(mem.Reservation) || nonzero(mem.Swap)) {
		return "linux.resources.memory"
	}
	if b := r.BlockIO; b != nil && (b.Weight != nil && *b.Weight != 0 || len(b.WeightDevice) > 0 ||
		len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0) {
		return "linux.resources.blockIO"
	}
	if len(r.HugepageLimits) > 0 {
		return "linux.resources.hugepageLimits"
	}
	if len(r.Rdma) > 0 {
		return "linux.resources.rdma"
	}
	for _, key := range slices.Sorted(maps.Keys(r.Unified)) {
		ctrl, _, _ := strings.Cut(key, ".")
		if ctrl != "cgroup" && !slices.Contains(threadedControllers, ctrl) {
			return fmt.Sprintf("linux.resources.unified[%q]", key)
		}
	}
	return ""
}

// checkCgroupType makes level fit a threaded subtree it was created in:
// a "domain invalid" cgroup (under a threaded one) is turned threaded, and
// a threaded one is refused when the config needs a domain controller.
// The hierarchy root has no cgroup.type and needs nothing.
func checkCgroupType(level cgroupDir, r *specs.LinuxResources) error {
	if level.rel == "" {
		return nil
	}
	typ, err := level.read(cgroupTypeKey)
	if err != nil {
		return nil // a kernel before 4.14: no threaded mode
	}
	switch typ {
	case "domain invalid":
		if field := domainLimit(r); field != "" {
			return fmt.Errorf("%s: cannot be set in cgroup %s: it lies in a threaded subtree (cgroup.type %q), where only the %s controllers work",
				field, level.path(), typ, strings.Join(threadedControllers, ", "))
		}
		if err := level.write(cgroupTypeKey, "threaded"); err != nil {
			return fmt.Errorf("turn cgroup %s threaded: %w", level.path(), err)
		}
	case "threaded", "domain threaded":
		if field := domainLimit(r); field != "" {
			return fmt.Errorf("%s: cannot be set in cgroup %s: it is in %s mode, where only the %s controllers work",
				field, level.path(), typ, strings.Join(threadedControllers, ", "))
		}
	}
	return nil
}

// makeThreaded turns the container's own cgroup threaded when the config
// asks for it, before any process is in it.
func makeThreaded(d cgroupDir, r *specs.LinuxResources) error {
	if !wantsThreaded(r) {
		return nil
	}
	if field := domainLimit(r); field != "" {
		return fmt.Errorf("%s: cannot be set with linux.resources.unified[%q] = \"threaded\": only the %s controllers work in a threaded cgroup",
			field, cgroupTypeKey, strings.Join(threadedControllers, ", "))
	}
	typ, err := d.read(cgroupTypeKey)
	if err != nil {
		return fmt.Errorf("linux.resources.unified[%q]: %w", cgroupTypeKey, err)
	}
	if typ == "threaded" {
		return nil
	}
	if err := d.write(cgroupTypeKey, "threaded"); err != nil {
		return fmt.Errorf("linux.resources.unified[%q]: %w (the parent cgroup must be the root, or have no domain controller enabled in cgroup.subtree_control and no process in a domain child)",
			cgroupTypeKey, err)
	}
	return nil
}

// parentControllers filters the controllers delegated to the container's
// cgroup from its parent: a cgroup can only turn threaded when its parent
// delegates no domain controller.
func parentControllers(want []string, r *specs.LinuxResources) []string {
	if !wantsThreaded(r) {
		return want
	}
	return slices.DeleteFunc(slices.Clone(want), func(c string) bool { return !slices.Contains(threadedControllers, c) })
}

// threadGroups lists the processes with a thread in the threaded cgroup d,
// as cgroup.procs would: cgroup.threads names threads, and each thread's
// Tgid (from /proc, read only) names its process. A thread that exits
// meanwhile is left out.
func threadGroups(d cgroupDir) (string, error) {
	threads, err := d.read("cgroup.threads")
	if err != nil {
		return "", err
	}
	var out []string
	for tid := range strings.FieldsSeq(threads) {
		status, err := os.ReadFile("/proc/" + tid + "/status")
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(status)) {
			if tgid, ok := strings.CutPrefix(line, "Tgid:"); ok {
				if tgid = strings.TrimSpace(tgid); !slices.Contains(out, tgid) {
					out = append(out, tgid)
				}
				break
			}
		}
	}
	return strings.Join(out, "\n"), nil
}

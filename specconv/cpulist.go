package specconv

import (
	"fmt"
	"strconv"
	"strings"
)

// maxListID bounds the CPU and NUMA node numbers a list may name (as
// runc's): a bogus "0-4000000000" must not allocate half a gigabyte.
const maxListID = 64 * 1024

// ParseIDList parses a kernel list such as "0-3,7" (CPUs in
// execCPUAffinity, NUMA nodes in memoryPolicy.nodes) into a bitmask, bit n
// of byte n/8 set for member n, padded to whole 64-bit words as the
// kernel's cpumask and nodemask arguments are. Spaces around elements and
// empty elements are allowed, as in runc. An empty list gives a nil mask.
func ParseIDList(list string) ([]byte, error) {
	var mask []byte
	for _, elem := range strings.Split(list, ",") {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(elem, "-")
		first, err := parseListID(lo)
		if err != nil {
			return nil, err
		}
		last := first
		if isRange {
			if last, err = parseListID(hi); err != nil {
				return nil, err
			}
			if first > last {
				return nil, fmt.Errorf("invalid range %q (start above end)", elem)
			}
		}
		if need := (last/64 + 1) * 8; need > len(mask) {
			mask = append(mask, make([]byte, need-len(mask))...)
		}
		for id := first; id <= last; id++ {
			mask[id/8] |= 1 << (id % 8)
		}
	}
	return mask, nil
}

func parseListID(s string) (int, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	if n > maxListID {
		return 0, fmt.Errorf("%d is above the highest supported id %d", n, maxListID)
	}
	return int(n), nil
}

// maxKernelCPUs is the largest CONFIG_NR_CPUS of x86_64 and arm64
// (MAXSMP): a mask of that many bits names every CPU a kernel can have.
const maxKernelCPUs = 8192

// FullCPUMask is a cpumask with every CPU the kernel could support set.
// sched_setaffinity clips it to the CPUs of the task's cpuset, so it
// resets an inherited affinity to "whatever the cgroup allows", as runc
// does, without reading the host's CPU lists.
func FullCPUMask() []byte {
	mask := make([]byte, maxKernelCPUs/8)
	for i := range mask {
		mask[i] = 0xff
	}
	return mask
}

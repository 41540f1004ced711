// hull: this file replaces runtime-tools' cgroups/cgroups_v2.go (a stub
// that returns "unimplemented yet") in the copy conformance/build.sh
// makes for `make conformance-v2`. It reads a container's limits back
// from its cgroup2 files. Values v2 has no file for are left nil; the
// validators in linux_resources_v2.go compare in v2's own units.

package cgroups

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/specerror"
)

// CgroupV2 used for cgroupv2 validation
type CgroupV2 struct {
	MountPath string
}

// Dir is the cgroup2 directory of the container's init (pid), checked
// against cgroupsPath: an absolute path is taken from the mount point, a
// relative one lies below the runtime's own cgroup.
func (cg *CgroupV2) Dir(pid int, cgPath string) (string, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return "", err
	}
	defer f.Close()
	var own string
	found := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		if p, ok := strings.CutPrefix(s.Text(), "0::"); ok {
			own, found = p, true
		}
	}
	if !found {
		return "", fmt.Errorf("process %d is in no cgroup2 cgroup", pid)
	}
	if filepath.IsAbs(cgPath) {
		if own != filepath.Clean(cgPath) {
			return "", specerror.NewError(specerror.CgroupsAbsPathRelToMount, fmt.Errorf("In the case of an absolute path, the runtime MUST take the path to be relative to the cgroups mount point (the container is in %s, cgroupsPath is %s)", own, cgPath), rspec.Version)
		}
	} else if !strings.HasSuffix(own, "/"+filepath.Clean(cgPath)) {
		return "", specerror.NewError(specerror.CgroupsPathAttach, fmt.Errorf("The runtime MUST consistently attach to the same place in the cgroups hierarchy given the same value of `cgroupsPath` (the container is in %s, cgroupsPath is %s)", own, cgPath), rspec.Version)
	}
	return filepath.Join(cg.MountPath, own), nil
}

// Read returns a file of the container's cgroup, trimmed.
func (cg *CgroupV2) Read(pid int, cgPath, file string) (string, error) {
	dir, err := cg.Dir(pid, cgPath)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// readInt reads a number where "max" is -1.
func (cg *CgroupV2) readInt(pid int, cgPath, file string) (int64, error) {
	v, err := cg.Read(pid, cgPath, file)
	if err != nil {
		return 0, err
	}
	if v == "max" {
		return -1, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

// GetBlockIOData gets the io.max throttles (weights are checked in v2's
// units by the validator).
func (cg *CgroupV2) GetBlockIOData(pid int, cgPath string) (*rspec.LinuxBlockIO, error) {
	max, err := cg.Read(pid, cgPath, "io.max")
	if err != nil {
		return nil, err
	}
	lb := &rspec.LinuxBlockIO{}
	for _, line := range strings.Split(max, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		major, minor, err := getDeviceID(fields[0])
		if err != nil {
			return nil, err
		}
		for _, kv := range fields[1:] {
			key, value, _ := strings.Cut(kv, "=")
			if value == "max" {
				continue
			}
			rate, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("io.max: %q: %w", kv, err)
			}
			td := rspec.LinuxThrottleDevice{Rate: rate}
			td.Major, td.Minor = major, minor
			switch key {
			case "rbps":
				lb.ThrottleReadBpsDevice = append(lb.ThrottleReadBpsDevice, td)
			case "wbps":
				lb.ThrottleWriteBpsDevice = append(lb.ThrottleWriteBpsDevice, td)
			case "riops":
				lb.ThrottleReadIOPSDevice = append(lb.ThrottleReadIOPSDevice, td)
			case "wiops":
				lb.ThrottleWriteIOPSDevice = append(lb.ThrottleWriteIOPSDevice, td)
			}
		}
	}
	return lb, nil
}

// GetCPUData gets cpu.max and the cpuset (cpu.weight is checked in v2's
// units by the validator).
func (cg *CgroupV2) GetCPUData(pid int, cgPath string) (*rspec.LinuxCPU, error) {
	max, err := cg.Read(pid, cgPath, "cpu.max")
	if err != nil {
		return nil, err
	}
	lc := &rspec.LinuxCPU{}
	quota, period, _ := strings.Cut(max, " ")
	q := int64(-1)
	if quota != "max" {
		if q, err = strconv.ParseInt(quota, 10, 64); err != nil {
			return nil, fmt.Errorf("cpu.max: %q: %w", max, err)
		}
	}
	p, err := strconv.ParseUint(period, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("cpu.max: %q: %w", max, err)
	}
	lc.Quota, lc.Period = &q, &p
	if lc.Cpus, err = cg.Read(pid, cgPath, "cpuset.cpus"); err != nil {
		return nil, err
	}
	if lc.Mems, err = cg.Read(pid, cgPath, "cpuset.mems"); err != nil {
		return nil, err
	}
	return lc, nil
}

// GetDevicesData: cgroup2 has no device list; the rules are a BPF program
// (the validator checks it is attached and what it allows).
func (cg *CgroupV2) GetDevicesData(pid int, cgPath string) ([]rspec.LinuxDeviceCgroup, error) {
	return nil, fmt.Errorf("cgroup v2 has no device list file (device rules are a BPF program)")
}

// GetHugepageLimitData gets hugetlb.<size>.max for each page size.
func (cg *CgroupV2) GetHugepageLimitData(pid int, cgPath string) ([]rspec.LinuxHugepageLimit, error) {
	sizes, err := GetHugePageSize()
	if err != nil {
		return nil, err
	}
	var out []rspec.LinuxHugepageLimit
	for _, size := range sizes {
		v, err := cg.readInt(pid, cgPath, "hugetlb."+size+".max")
		if err != nil {
			return nil, err
		}
		out = append(out, rspec.LinuxHugepageLimit{Pagesize: size, Limit: uint64(v)})
	}
	return out, nil
}

// GetMemoryData gets memory.max, memory.low and memory.swap.max, with the
// swap as the OCI value (memory plus swap, as on v1).
func (cg *CgroupV2) GetMemoryData(pid int, cgPath string) (*rspec.LinuxMemory, error) {
	limit, err := cg.readInt(pid, cgPath, "memory.max")
	if err != nil {
		return nil, err
	}
	low, err := cg.readInt(pid, cgPath, "memory.low")
	if err != nil {
		return nil, err
	}
	lm := &rspec.LinuxMemory{Limit: &limit, Reservation: &low}
	if swap, err := cg.readInt(pid, cgPath, "memory.swap.max"); err == nil {
		if swap != -1 && limit != -1 {
			swap += limit
		}
		lm.Swap = &swap
	}
	return lm, nil
}

// GetNetworkData: net_cls and net_prio do not exist in cgroup v2.
func (cg *CgroupV2) GetNetworkData(pid int, cgPath string) (*rspec.LinuxNetwork, error) {
	return nil, fmt.Errorf("cgroup v2 has no net_cls or net_prio controller")
}

// GetPidsData gets pids.max.
func (cg *CgroupV2) GetPidsData(pid int, cgPath string) (*rspec.LinuxPids, error) {
	limit, err := cg.readInt(pid, cgPath, "pids.max")
	if err != nil {
		return nil, err
	}
	return &rspec.LinuxPids{Limit: &limit}, nil
}

// hull: this file is added to runtime-tools' validation/util in the copy
// conformance/build.sh makes for `make conformance-v2`; the patch beside
// it sends each linux.resources validator here when the host's cgroups
// are v2 (runtime-tools answers "cgroupv2 is not supported yet"). Values
// are compared in cgroup v2's own files and units, converted from the
// config as runc and crun do; what v2 has no file for is a TAP skip that
// says so, never a pass.

package util

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/mndrix/tap-go"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/cgroups"
	"golang.org/x/sys/unix"
)

// v2Max renders a v1-style limit where -1 is unlimited as cgroup v2 does.
func v2Max(v int64) string {
	if v == -1 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// checkV2File reads file of the container's cgroup and compares it with want.
func checkV2File(cg *cgroups.CgroupV2, t *tap.T, state *rspec.State, cgPath, file, want, what string) {
	got, err := cg.Read(state.Pid, cgPath, file)
	if err != nil {
		t.Fail(fmt.Sprintf("%s: read %s: %v", what, file, err))
		return
	}
	t.Ok(got == want, fmt.Sprintf("%s is set correctly (%s)", what, file))
	t.Diagnosticf("expect: %q, actual: %q", want, got)
}

func skipV2(t *tap.T, what, why string) {
	t.Skip(1, fmt.Sprintf("%s: %s", what, why))
}

func validateMemoryV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	m := config.Linux.Resources.Memory
	path := config.Linux.CgroupsPath
	var limit int64
	if m.Limit != nil {
		limit = *m.Limit
		checkV2File(cg, t, state, path, "memory.max", v2Max(limit), "memory limit")
	}
	if m.Reservation != nil {
		checkV2File(cg, t, state, path, "memory.low", v2Max(*m.Reservation), "memory reservation")
	}
	if m.Swap != nil {
		// v1's swap limit is memory plus swap; memory.swap.max is swap alone.
		want := "max"
		if *m.Swap != -1 {
			want = strconv.FormatInt(*m.Swap-limit, 10)
		}
		if _, err := cg.Read(state.Pid, path, "memory.swap.max"); errors.Is(err, os.ErrNotExist) {
			skipV2(t, "memory swap", "the kernel has no swap accounting (no memory.swap.max)")
		} else {
			checkV2File(cg, t, state, path, "memory.swap.max", want, "memory swap")
		}
	}
	//nolint:staticcheck // Kernel is deprecated, and absent from cgroup v2
	if m.Kernel != nil {
		skipV2(t, "memory kernel", "cgroup v2 has no kernel memory limit (runc and crun ignore it)")
	}
	if m.KernelTCP != nil {
		skipV2(t, "memory kernelTCP", "cgroup v2 accounts TCP buffers in memory.max, with no limit of their own")
	}
	if m.Swappiness != nil {
		skipV2(t, "memory swappiness", "cgroup v2 has no per-cgroup swappiness")
	}
	if m.DisableOOMKiller != nil {
		skipV2(t, "memory oom", "cgroup v2 cannot disable the OOM killer")
	}
	return nil
}

// cpuWeight is the cgroup v2 weight of v1 shares as runc (1.3 on) and
// crun convert it: a quadratic in log2(shares) through (2, 1),
// (1024, 100) and (262144, 10000), so v1's default maps to v2's.
func cpuWeight(shares uint64) uint64 {
	switch {
	case shares == 0:
		return 0
	case shares <= 2:
		return 1
	case shares >= 262144:
		return 10000
	}
	l := math.Log2(float64(shares))
	return uint64(math.Ceil(math.Pow(10, (l*l+125*l)/612.0-7.0/34.0)))
}

func validateCPUV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	c := config.Linux.Resources.CPU
	path := config.Linux.CgroupsPath
	if c.Shares != nil {
		checkV2File(cg, t, state, path, "cpu.weight", strconv.FormatUint(cpuWeight(*c.Shares), 10), "cpu shares")
	}
	if c.Quota != nil || c.Period != nil {
		quota, period := "max", "100000"
		if c.Quota != nil && *c.Quota > 0 {
			quota = strconv.FormatInt(*c.Quota, 10)
		}
		if c.Period != nil {
			period = strconv.FormatUint(*c.Period, 10)
		}
		checkV2File(cg, t, state, path, "cpu.max", quota+" "+period, "cpu quota and period")
	}
	if c.Cpus != "" {
		checkV2File(cg, t, state, path, "cpuset.cpus", c.Cpus, "cpu cpus")
	}
	if c.Mems != "" {
		checkV2File(cg, t, state, path, "cpuset.mems", c.Mems, "cpu mems")
	}
	if c.RealtimePeriod != nil || c.RealtimeRuntime != nil {
		skipV2(t, "cpu realtime", "cgroup v2 has no realtime CPU limits")
	}
	return nil
}

// validateCPUEmptyV2: a CPU section with nothing set leaves the kernel's
// defaults.
func validateCPUEmptyV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	path := config.Linux.CgroupsPath
	checkV2File(cg, t, state, path, "cpu.weight", "100", "cpu shares (default)")
	checkV2File(cg, t, state, path, "cpu.max", "max 100000", "cpu quota and period (default)")
	checkV2File(cg, t, state, path, "cpuset.cpus.effective", fmt.Sprintf("0-%d", runtime.NumCPU()-1), "cpu cpus (default)")
	checkV2File(cg, t, state, path, "cpuset.mems.effective", "0", "cpu mems (default)")
	return nil
}

func validatePidsV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	if l := config.Linux.Resources.Pids.Limit; l != nil {
		want := v2Max(*l)
		if *l <= 0 {
			want = "max"
		}
		checkV2File(cg, t, state, config.Linux.CgroupsPath, "pids.max", want, "pids limit")
	}
	return nil
}

// blkioWeightToIOWeight is runc's and crun's conversion of a blkio weight
// ([10, 1000]) to io.weight ([1, 10000]).
func blkioWeightToIOWeight(w uint16) uint64 {
	return 1 + (uint64(w)-10)*9999/990
}

func validateBlockIOV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	b := config.Linux.Resources.BlockIO
	path := config.Linux.CgroupsPath
	if b.Weight != nil {
		if _, err := cg.Read(state.Pid, path, "io.bfq.weight"); err == nil {
			checkV2File(cg, t, state, path, "io.bfq.weight", "default "+strconv.Itoa(int(*b.Weight)), "blkio weight")
		} else {
			checkV2File(cg, t, state, path, "io.weight", "default "+strconv.FormatUint(blkioWeightToIOWeight(*b.Weight), 10), "blkio weight")
		}
	}
	if b.LeafWeight != nil {
		skipV2(t, "blkio leafWeight", "cgroup v2 has no leaf weights")
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			bfq, err := cg.Read(state.Pid, path, "io.bfq.weight")
			if err != nil {
				t.Fail(fmt.Sprintf("blkio weight for %d:%d: read io.bfq.weight: %v", wd.Major, wd.Minor, err))
			} else {
				line := fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, *wd.Weight)
				t.Ok(strings.Contains("\n"+bfq+"\n", "\n"+line+"\n"), fmt.Sprintf("blkio weight for %d:%d is set correctly (io.bfq.weight)", wd.Major, wd.Minor))
				t.Diagnosticf("expect a line %q in %q", line, bfq)
			}
		}
		if wd.LeafWeight != nil {
			skipV2(t, fmt.Sprintf("blkio leafWeight for %d:%d", wd.Major, wd.Minor), "cgroup v2 has no leaf weights")
		}
	}
	got, err := cg.GetBlockIOData(state.Pid, path)
	if err != nil {
		t.Fail(fmt.Sprintf("get io.max: %v", err))
		return nil
	}
	for _, tc := range []struct {
		what      string
		want, got []rspec.LinuxThrottleDevice
	}{
		{"read bps", b.ThrottleReadBpsDevice, got.ThrottleReadBpsDevice},
		{"write bps", b.ThrottleWriteBpsDevice, got.ThrottleWriteBpsDevice},
		{"read iops", b.ThrottleReadIOPSDevice, got.ThrottleReadIOPSDevice},
		{"write iops", b.ThrottleWriteIOPSDevice, got.ThrottleWriteIOPSDevice},
	} {
		for _, w := range tc.want {
			found := false
			for _, g := range tc.got {
				if g.Major == w.Major && g.Minor == w.Minor {
					found = true
					t.Ok(g.Rate == w.Rate, fmt.Sprintf("blkio %s for %d:%d is set correctly (io.max)", tc.what, w.Major, w.Minor))
					t.Diagnosticf("expect: %d, actual: %d", w.Rate, g.Rate)
				}
			}
			t.Ok(found, fmt.Sprintf("blkio %s for %d:%d found (io.max)", tc.what, w.Major, w.Minor))
		}
	}
	return nil
}

// attachedDevicePrograms counts the BPF_CGROUP_DEVICE programs attached
// to the cgroup directory dir (BPF_PROG_QUERY).
func attachedDevicePrograms(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	var ids [64]uint32
	attr := struct {
		targetFd    uint32
		attachType  uint32
		queryFlags  uint32
		attachFlags uint32
		progIds     uint64
		progCnt     uint32
		_           uint32
	}{targetFd: uint32(fd), attachType: 6 /* BPF_CGROUP_DEVICE */, progIds: uint64(uintptr(unsafe.Pointer(&ids[0]))), progCnt: uint32(len(ids))}
	const bpfProgQuery = 16
	if _, _, errno := unix.Syscall(unix.SYS_BPF, bpfProgQuery, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr)); errno != 0 {
		return 0, errno
	}
	return int(attr.progCnt), nil
}

// openInCgroup makes a device node type major:minor and opens it (for
// reading or writing) from a process it puts in the cgroup dir; it says
// whether the device program let the open through (any error but EPERM).
func openInCgroup(dir, typ string, major, minor int64, write bool) (bool, string, error) {
	// In /dev (devtmpfs): a node on a nodev mount (/tmp) never opens.
	tmp, err := os.MkdirTemp("/dev", "devcheck")
	if err != nil {
		return false, "", err
	}
	defer os.RemoveAll(tmp)
	node := filepath.Join(tmp, "node")
	mode := uint32(unix.S_IFCHR)
	if typ == "b" {
		mode = unix.S_IFBLK
	}
	if err := unix.Mknod(node, mode|0o600, int(unix.Mkdev(uint32(major), uint32(minor)))); err != nil {
		return false, "", err
	}
	redirect := "3<"
	if write {
		redirect = "3>>"
	}
	out, _ := exec.Command("/bin/sh", "-c", `echo $$ > "$1/cgroup.procs" || exit 2; exec `+redirect+`"$2"`, "sh", dir, node).CombinedOutput()
	msg := strings.TrimSpace(string(out))
	return !strings.Contains(msg, "Operation not permitted"), msg, nil
}

// validateDevicesV2: cgroup v2 has no devices.list to compare with the
// rules in order; the rules are a BPF program. It checks the program is
// attached and enforces what the config says: each allowed device opens
// (for reading and, where allowed, writing), and a device no rule allows
// does not.
func validateDevicesV2(cg *cgroups.CgroupV2, config *rspec.Spec, t *tap.T, state *rspec.State) error {
	dir, err := cg.Dir(state.Pid, config.Linux.CgroupsPath)
	if err != nil {
		t.Fail(err.Error())
		return nil
	}
	n, err := attachedDevicePrograms(dir)
	t.Ok(err == nil && n > 0, "a BPF device program is attached to the container's cgroup")
	t.Diagnosticf("programs attached: %d, error: %v", n, err)
	for _, d := range config.Linux.Resources.Devices {
		if !d.Allow || (d.Type != "c" && d.Type != "b") || d.Major == nil || d.Minor == nil {
			continue
		}
		for _, write := range []bool{false, true} {
			letter := "r"
			if write {
				letter = "w"
			}
			if !strings.Contains(d.Access, letter) {
				continue
			}
			ok, msg, err := openInCgroup(dir, d.Type, *d.Major, *d.Minor, write)
			if err != nil {
				t.Fail(fmt.Sprintf("devices %s %d:%d %s: %v", d.Type, *d.Major, *d.Minor, letter, err))
				continue
			}
			t.Ok(ok, fmt.Sprintf("devices %s %d:%d %s is allowed in the container's cgroup", d.Type, *d.Major, *d.Minor, letter))
			t.Diagnosticf("open: %q", msg)
		}
	}
	// 8:21 is named by no rule of the program's config nor the defaults.
	ok, msg, err := openInCgroup(dir, "b", 8, 21, false)
	t.Ok(err == nil && !ok, "devices b 8:21 r (no rule) is denied in the container's cgroup")
	t.Diagnosticf("open: %q, error: %v", msg, err)
	return nil
}

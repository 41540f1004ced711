package cgroups

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setV2 applies resources on a pure cgroup v2 host, converting the v1-shaped
// OCI values the way runc does. linux.resources.unified goes last so that
// its raw values override the converted ones.
func (m *manager) setV2(r *specs.LinuxResources) error {
	c := m.v2()
	if c == nil && m.rootless && !m.explicitPath && len(r.Unified) == 0 {
		// Apply left the cgroup out because no limit needs a controller;
		// device rules are all there may be.
		if len(r.Devices) > 0 {
			ignoreRootlessDevices(r.Devices, errors.New("the cgroup2 hierarchy is not joined"))
		}
		return nil
	}
	if c == nil {
		return errors.New("linux.resources: the cgroup2 hierarchy is not joined")
	}
	d := c.dir
	for _, set := range []func(cgroupDir, *specs.LinuxResources) error{
		setPidsV2, setMemoryV2, setIOV2, setCPUV2, setCpusetV2, m.setDevicesV2,
	} {
		if err := set(d, r); err != nil {
			return err
		}
	}
	if err := m.setHugetlb(r); err != nil {
		return err
	}
	if err := m.setRdma(r); err != nil {
		return err
	}
	if n := r.Network; n != nil && n.ClassID != nil {
		return errors.New("linux.resources.network.classID: net_cls does not exist in cgroup v2 (use a BPF program to classify traffic)")
	}
	if n := r.Network; n != nil && len(n.Priorities) > 0 {
		return errors.New("linux.resources.network.priorities: net_prio does not exist in cgroup v2 (use a BPF program to prioritise traffic)")
	}
	return setUnified(d, r.Unified)
}

func setPidsV2(d cgroupDir, r *specs.LinuxResources) error {
	if r.Pids == nil || r.Pids.Limit == nil {
		return nil
	}
	return writeField("linux.resources.pids.limit", d, "pids.max", pidsMax(*r.Pids.Limit))
}

// maxOr renders a v2 limit where -1 means "max".
func maxOr(v int64) string {
	if v == -1 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

func setMemoryV2(d cgroupDir, r *specs.LinuxResources) error {
	mem := r.Memory
	if mem == nil {
		return nil
	}
	if i64(mem.Kernel) != 0 {
		warnf("linux.resources.memory.kernel: ignored: cgroup v2 has no kernel memory limit")
	}
	if mem.KernelTCP != nil {
		warnf("linux.resources.memory.kernelTCP: ignored: cgroup v2 accounts TCP buffers in memory.max")
	}
	if mem.Swappiness != nil {
		warnf("linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness")
	}
	if isTrue(mem.DisableOOMKiller) {
		warnf("linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot disable the OOM killer")
	}
	limit := i64(mem.Limit)
	swap, err := swapToV2(i64(mem.Swap), limit)
	if err != nil {
		return fmt.Errorf("linux.resources.memory.swap: %w", err)
	}
	if isTrue(mem.CheckBeforeUpdate) {
		if err := checkUsage("linux.resources.memory.limit", d, "memory.current", limit); err != nil {
			return err
		}
		if d.has("memory.swap.current") {
			if err := checkUsage("linux.resources.memory.swap", d, "memory.swap.current", swap); err != nil {
				return err
			}
		}
	}
	// A swap equal to the memory limit means no swap at all (runc writes
	// memory.swap.max 0 then): swapToV2 gives 0, which otherwise means unset.
	disableSwap := swap == 0 && i64(mem.Swap) > 0
	// Without swap accounting there is no memory.swap.max; "unlimited" and
	// "none" can then be honoured by doing nothing, as runc does.
	if (swap != 0 || disableSwap) && !((swap == -1 || disableSwap) && !d.has("memory.swap.max")) {
		if err := writeField("linux.resources.memory.swap", d, "memory.swap.max", maxOr(swap)); err != nil {
			return err
		}
	}
	if limit != 0 {
		if err := writeField("linux.resources.memory.limit", d, "memory.max", maxOr(limit)); err != nil {
			return err
		}
	}
	if mem.Reservation != nil && *mem.Reservation != 0 {
		if err := writeField("linux.resources.memory.reservation", d, "memory.low", maxOr(*mem.Reservation)); err != nil {
			return err
		}
	}
	return nil
}

func setCpusetV2(d cgroupDir, r *specs.LinuxResources) error {
	if r.CPU == nil {
		return nil
	}
	return writeCpuset(d, r.CPU)
}

func setCPUV2(d cgroupDir, r *specs.LinuxResources) error {
	c := r.CPU
	if c == nil {
		return nil
	}
	if i64(c.RealtimeRuntime) != 0 || u64(c.RealtimePeriod) != 0 {
		return errors.New("linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime CPU limits")
	}
	if w := cpuSharesToWeight(u64(c.Shares)); w != 0 {
		if err := writeField("linux.resources.cpu.shares", d, "cpu.weight", strconv.FormatUint(w, 10)); err != nil {
			return err
		}
	}
	if i64(c.Quota) != 0 || u64(c.Period) != 0 {
		// cpu.max is "<quota> <period>"; a quota of -1 (or none) is "max".
		v := "max"
		if q := i64(c.Quota); q > 0 {
			v = strconv.FormatInt(q, 10)
		}
		if p := u64(c.Period); p != 0 {
			v += " " + strconv.FormatUint(p, 10)
		}
		if err := writeField("linux.resources.cpu.quota", d, "cpu.max", v); err != nil {
			return err
		}
	}
	if c.Burst != nil {
		if err := writeField("linux.resources.cpu.burst", d, "cpu.max.burst", strconv.FormatUint(*c.Burst, 10)); err != nil {
			return err
		}
	}
	if c.Idle != nil {
		if err := writeField("linux.resources.cpu.idle", d, "cpu.idle", strconv.FormatInt(*c.Idle, 10)); err != nil {
			return err
		}
	}
	return nil
}

// setIOV2 prefers BFQ's io.bfq.weight, which takes blkio's scale and
// per-device weights; io.weight (cost model, 1-10000) is the fallback.
func setIOV2(d cgroupDir, r *specs.LinuxResources) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	bfq := d.has("io.bfq.weight")
	if b.Weight != nil && *b.Weight != 0 {
		var err error
		if bfq {
			err = writeField("linux.resources.blockIO.weight", d, "io.bfq.weight", strconv.Itoa(int(*b.Weight)))
		} else {
			err = writeField("linux.resources.blockIO.weight", d, "io.weight", strconv.FormatUint(blkioWeightToIOWeight(*b.Weight), 10))
		}
		if err != nil {
			return err
		}
	}
	if b.LeafWeight != nil {
		warnf("linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no leaf weights")
	}
	for i, wd := range b.WeightDevice {
		field := fmt.Sprintf("linux.resources.blockIO.weightDevice[%d]", i)
		if wd.LeafWeight != nil {
			warnf("%s.leafWeight: ignored: cgroup v2 has no leaf weights", field)
		}
		if wd.Weight == nil {
			continue
		}
		if !bfq {
			return fmt.Errorf("%s.weight: per-device weights need the BFQ I/O scheduler (no io.bfq.weight)", field)
		}
		if err := writeField(field+".weight", d, "io.bfq.weight", fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, *wd.Weight)); err != nil {
			return err
		}
	}
	throttles := []struct {
		name, key string
		devs      []specs.LinuxThrottleDevice
	}{
		{"throttleReadBpsDevice", "rbps", b.ThrottleReadBpsDevice},
		{"throttleWriteBpsDevice", "wbps", b.ThrottleWriteBpsDevice},
		{"throttleReadIOPSDevice", "riops", b.ThrottleReadIOPSDevice},
		{"throttleWriteIOPSDevice", "wiops", b.ThrottleWriteIOPSDevice},
	}
	for _, t := range throttles {
		for i, td := range t.devs {
			field := fmt.Sprintf("linux.resources.blockIO.%s[%d]", t.name, i)
			// A rate of 0 means unlimited in the OCI spec, "max" in io.max.
			rate := strconv.FormatUint(td.Rate, 10)
			if td.Rate == 0 {
				rate = "max"
			}
			if err := writeField(field, d, "io.max", fmt.Sprintf("%d:%d %s=%s", td.Major, td.Minor, t.key, rate)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setUnified writes linux.resources.unified keys as they are, in a stable
// order so that failures are reproducible.
func setUnified(d cgroupDir, unified map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(unified)) {
		field := fmt.Sprintf("linux.resources.unified[%q]", key)
		if !validFileWord(key) || !strings.Contains(key, ".") || strings.HasPrefix(key, "cgroup.") && key != "cgroup.max.depth" && key != "cgroup.max.descendants" && key != cgroupTypeKey {
			return fmt.Errorf("%s: not a cgroup interface file that may be set", field)
		}
		if key == cgroupTypeKey {
			// Apply turned the cgroup threaded before the init joined it;
			// the kernel cannot turn it back into a domain.
			if v := unified[key]; v != "threaded" {
				return fmt.Errorf("%s: %q is not a type that may be asked for (only \"threaded\")", field, v)
			}
			if typ, err := d.read(key); err != nil || typ != "threaded" {
				return fmt.Errorf("%s: the cgroup is not threaded (cgroup.type %q): a cgroup turns threaded only before a process joins it", field, typ)
			}
			continue
		}
		if err := writeField(field, d, key, unified[key]); err != nil {
			if errors.Is(err, unix.ENOENT) {
				ctrl, _, _ := strings.Cut(key, ".")
				return fmt.Errorf("%w (is the %s controller enabled?)", err, ctrl)
			}
			return err
		}
	}
	return nil
}

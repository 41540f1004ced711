package cgroups

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// userHZ is the unit of cpuacct.stat: USER_HZ is 100 on every Linux ABI.
const userHZ = 100

// Stats reads the container's resource usage from every hierarchy it is
// in: v1 controllers on a v1 or hybrid host (cgroup2 adds pressure and
// the controllers v1 left to it), cgroup2 alone on a pure v2 host.
func (m *manager) Stats() (*Stats, error) {
	defer m.release()
	if m.loadErr != nil {
		return nil, m.loadErr
	}
	s := &Stats{Hugetlb: map[string]Hugetlb{}}
	var err error
	if m.pureV2 {
		err = m.statsV2(s)
	} else {
		err = m.statsV1(s)
	}
	if err != nil {
		return nil, err
	}
	if err := m.statsHugetlb(s); err != nil {
		return nil, err
	}
	if err := m.statsRdma(s); err != nil {
		return nil, err
	}
	if c := m.v2(); c != nil {
		if s.CPU.PSI, err = statPSI(c.dir, "cpu.pressure"); err != nil {
			return nil, err
		}
		if s.Memory.PSI, err = statPSI(c.dir, "memory.pressure"); err != nil {
			return nil, err
		}
		if s.Blkio.PSI, err = statPSI(c.dir, "io.pressure"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (m *manager) statsV1(s *Stats) error {
	for _, step := range []func(*Stats) error{
		m.statsCPUAcctV1, m.statsCPUV1, m.statsMemoryV1, m.statsPidsV1, m.statsBlkioV1, m.statsCpusetV1,
	} {
		if err := step(s); err != nil {
			return err
		}
	}
	return nil
}

func (m *manager) statsCPUAcctV1(s *Stats) error {
	c := m.v1("cpuacct")
	if c == nil {
		return nil
	}
	d := c.dir
	var err error
	if s.CPU.Usage.Total, err = statUint(d, "cpuacct.usage"); err != nil {
		return err
	}
	ticks, err := statKeyValues(d, "cpuacct.stat")
	if err != nil {
		return err
	}
	const nsPerTick = uint64(1e9 / userHZ)
	s.CPU.Usage.User = ticks["user"] * nsPerTick
	s.CPU.Usage.Kernel = ticks["system"] * nsPerTick
	percpu, err := statText(d, "cpuacct.usage_percpu")
	if err != nil {
		return err
	}
	s.CPU.Usage.Percpu = parseUints(percpu)
	// usage_all: a header, then "cpu user system" per line.
	all, err := statText(d, "cpuacct.usage_all")
	if err != nil {
		return err
	}
	for line := range strings.SplitSeq(all, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		user, err1 := strconv.ParseUint(f[1], 10, 64)
		sys, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		s.CPU.Usage.PercpuUser = append(s.CPU.Usage.PercpuUser, user)
		s.CPU.Usage.PercpuKernel = append(s.CPU.Usage.PercpuKernel, sys)
	}
	return nil
}

func (m *manager) statsCPUV1(s *Stats) error {
	c := m.v1("cpu")
	if c == nil {
		return nil
	}
	st, err := statKeyValues(c.dir, "cpu.stat")
	if err != nil {
		return err
	}
	s.CPU.Throttling = Throttling{Periods: st["nr_periods"], ThrottledPeriods: st["nr_throttled"], ThrottledTime: st["throttled_time"]}
	return nil
}

// memoryEntryV1 reads the four files of one v1 memory counter ("" for
// memory itself, "memsw", "kmem", "kmem.tcp").
func memoryEntryV1(d cgroupDir, kind string) (MemoryEntry, error) {
	prefix := "memory."
	if kind != "" {
		prefix += kind + "."
	}
	var e MemoryEntry
	for _, f := range []struct {
		file string
		dst  *uint64
	}{
		{"usage_in_bytes", &e.Usage}, {"max_usage_in_bytes", &e.Max},
		{"failcnt", &e.Failcnt}, {"limit_in_bytes", &e.Limit},
	} {
		v, err := statUint(d, prefix+f.file)
		if err != nil {
			return e, err
		}
		*f.dst = v
	}
	return e, nil
}

func (m *manager) statsMemoryV1(s *Stats) error {
	c := m.v1("memory")
	if c == nil {
		return nil
	}
	d := c.dir
	raw, err := statKeyValues(d, "memory.stat")
	if err != nil {
		return err
	}
	s.Memory.Raw = raw
	s.Memory.Cache = raw["cache"]
	for _, e := range []struct {
		kind string
		dst  *MemoryEntry
	}{
		{"", &s.Memory.Usage}, {"memsw", &s.Memory.Swap}, {"kmem", &s.Memory.Kernel}, {"kmem.tcp", &s.Memory.KernelTCP},
	} {
		if *e.dst, err = memoryEntryV1(d, e.kind); err != nil {
			return err
		}
	}
	return nil
}

func (m *manager) statsPidsV1(s *Stats) error {
	c := m.v1("pids")
	if c == nil {
		return nil
	}
	return statsPids(c.dir, s)
}

// statsPids reads pids.current and pids.max (same files on v1 and v2); an
// unlimited max is reported as 0, as runc does.
func statsPids(d cgroupDir, s *Stats) error {
	var err error
	if s.Pids.Current, err = statUint(d, "pids.current"); err != nil {
		return err
	}
	limit, err := statUint(d, "pids.max")
	if err != nil {
		return err
	}
	if limit != math.MaxUint64 {
		s.Pids.Limit = limit
	}
	return nil
}

func (m *manager) statsBlkioV1(s *Stats) error {
	c := m.v1("blkio")
	if c == nil {
		return nil
	}
	d := c.dir
	// The proportional-weight files exist under CFQ/BFQ only; elsewhere
	// the throttling layer still counts service bytes and operations.
	prefix := "blkio."
	if !d.has("blkio.io_service_bytes_recursive") {
		prefix = "blkio.throttle."
	}
	for _, f := range []struct {
		file string
		dst  *[]BlkioEntry
	}{
		{"io_service_bytes_recursive", &s.Blkio.IoServiceBytesRecursive},
		{"io_serviced_recursive", &s.Blkio.IoServicedRecursive},
		{"io_queued_recursive", &s.Blkio.IoQueuedRecursive},
		{"io_service_time_recursive", &s.Blkio.IoServiceTimeRecursive},
		{"io_wait_time_recursive", &s.Blkio.IoWaitTimeRecursive},
		{"io_merged_recursive", &s.Blkio.IoMergedRecursive},
		{"time_recursive", &s.Blkio.IoTimeRecursive},
		{"sectors_recursive", &s.Blkio.SectorsRecursive},
	} {
		text, err := statText(d, prefix+f.file)
		if err != nil {
			return err
		}
		*f.dst = parseBlkio(text)
	}
	return nil
}

func (m *manager) statsCpusetV1(s *Stats) error {
	c := m.v1("cpuset")
	if c == nil {
		return nil
	}
	return statsCpuset(c.dir, false, s)
}

// statsCpuset reads the cpuset files: v1 has the configured lists and
// the flags, v2 only the effective lists (as runc reports them).
func statsCpuset(d cgroupDir, v2 bool, s *Stats) error {
	for _, f := range []struct {
		file string
		dst  *[]uint16
	}{{"cpuset.cpus", &s.CPUSet.CPUs}, {"cpuset.mems", &s.CPUSet.Mems}} {
		file := f.file
		if v2 {
			file += ".effective"
		}
		text, err := statText(d, file)
		if err != nil {
			return err
		}
		if *f.dst, err = parseCPUList(text); err != nil {
			return fmt.Errorf("read %s of %s: %w", file, d.path(), err)
		}
	}
	if v2 {
		return nil
	}
	for _, f := range []struct {
		file string
		dst  *uint64
	}{
		{"cpu_exclusive", &s.CPUSet.CPUExclusive}, {"mem_hardwall", &s.CPUSet.MemHardwall},
		{"mem_exclusive", &s.CPUSet.MemExclusive}, {"memory_migrate", &s.CPUSet.MemoryMigrate},
		{"memory_spread_page", &s.CPUSet.MemorySpreadPage}, {"memory_spread_slab", &s.CPUSet.MemorySpreadSlab},
		{"memory_pressure", &s.CPUSet.MemoryPressure}, {"sched_load_balance", &s.CPUSet.SchedLoadBalance},
	} {
		v, err := statUint(d, "cpuset."+f.file)
		if err != nil {
			return err
		}
		*f.dst = v
	}
	level, err := statText(d, "cpuset.sched_relax_domain_level")
	if err != nil {
		return err
	}
	if level != "" {
		s.CPUSet.SchedRelaxDomainLevel, _ = strconv.ParseInt(level, 10, 64)
	}
	return nil
}

func (m *manager) statsV2(s *Stats) error {
	c := m.v2()
	if c == nil {
		return errors.New("read stats: the cgroup2 hierarchy is not joined")
	}
	d := c.dir
	st, err := statKeyValues(d, "cpu.stat")
	if err != nil {
		return err
	}
	s.CPU.Usage.Total = st["usage_usec"] * 1000
	s.CPU.Usage.User = st["user_usec"] * 1000
	s.CPU.Usage.Kernel = st["system_usec"] * 1000
	s.CPU.Throttling = Throttling{Periods: st["nr_periods"], ThrottledPeriods: st["nr_throttled"], ThrottledTime: st["throttled_usec"] * 1000}
	if err := statsMemoryV2(d, s); err != nil {
		return err
	}
	if err := statsPids(d, s); err != nil {
		return err
	}
	io, err := statText(d, "io.stat")
	if err != nil {
		return err
	}
	s.Blkio.IoServiceBytesRecursive, s.Blkio.IoServicedRecursive = parseIOStat(io)
	return statsCpuset(d, true, s)
}

// memoryEntryV2 reads memory.KIND.{current,max,peak}; as runc, failcnt is
// the "max" count of memory.events for memory itself.
func memoryEntryV2(d cgroupDir, kind string) (MemoryEntry, error) {
	prefix := "memory."
	if kind != "" {
		prefix += kind + "."
	}
	var e MemoryEntry
	var err error
	if e.Usage, err = statUint(d, prefix+"current"); err != nil {
		return e, err
	}
	if e.Limit, err = statUint(d, prefix+"max"); err != nil {
		return e, err
	}
	if e.Max, err = statUint(d, prefix+"peak"); err != nil {
		return e, err
	}
	return e, nil
}

func statsMemoryV2(d cgroupDir, s *Stats) error {
	raw, err := statKeyValues(d, "memory.stat")
	if err != nil {
		return err
	}
	s.Memory.Raw = raw
	s.Memory.Cache = raw["file"]
	if s.Memory.Usage, err = memoryEntryV2(d, ""); err != nil {
		return err
	}
	events, err := statKeyValues(d, "memory.events")
	if err != nil {
		return err
	}
	s.Memory.Usage.Failcnt = events["max"]
	swap, err := memoryEntryV2(d, "swap")
	if err != nil {
		return err
	}
	// v1 reports swap as memory+swap: so does runc on v2, for its readers.
	swap.Usage += s.Memory.Usage.Usage
	if swap.Limit != math.MaxUint64 && s.Memory.Usage.Limit != math.MaxUint64 {
		swap.Limit += s.Memory.Usage.Limit
	} else {
		swap.Limit = math.MaxUint64
	}
	swap.Max = 0
	s.Memory.Swap = swap
	return nil
}

// hugePageSizes lists the host's huge page sizes as cgroup files name
// them ("2MB", "1GB").
func hugePageSizes() []string {
	entries, err := os.ReadDir("/sys/kernel/mm/hugepages")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		kb, ok := strings.CutPrefix(e.Name(), "hugepages-")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(kb, "kB"), 10, 64)
		if err != nil {
			continue
		}
		switch {
		case n >= 1<<20 && n%(1<<20) == 0:
			out = append(out, strconv.FormatUint(n>>20, 10)+"GB")
		case n >= 1<<10 && n%(1<<10) == 0:
			out = append(out, strconv.FormatUint(n>>10, 10)+"MB")
		default:
			out = append(out, strconv.FormatUint(n, 10)+"KB")
		}
	}
	return out
}

func (m *manager) statsHugetlb(s *Stats) error {
	sizes := hugePageSizes()
	if c := m.v1("hugetlb"); c != nil {
		for _, size := range sizes {
			var h Hugetlb
			var err error
			p := "hugetlb." + size + "."
			if h.Usage, err = statUint(c.dir, p+"usage_in_bytes"); err != nil {
				return err
			}
			if h.Max, err = statUint(c.dir, p+"max_usage_in_bytes"); err != nil {
				return err
			}
			if h.Failcnt, err = statUint(c.dir, p+"failcnt"); err != nil {
				return err
			}
			s.Hugetlb[size] = h
		}
		return nil
	}
	c := m.v2()
	if c == nil {
		return nil
	}
	for _, size := range sizes {
		p := "hugetlb." + size + "."
		if !c.dir.has(p + "current") {
			continue
		}
		var h Hugetlb
		var err error
		if h.Usage, err = statUint(c.dir, p+"current"); err != nil {
			return err
		}
		events, err := statKeyValues(c.dir, p+"events")
		if err != nil {
			return err
		}
		h.Failcnt = events["max"]
		s.Hugetlb[size] = h
	}
	return nil
}

func (m *manager) statsRdma(s *Stats) error {
	var d cgroupDir
	if c := m.v1("rdma"); c != nil {
		d = c.dir
	} else if c := m.v2(); c != nil && c.dir.has("rdma.current") {
		d = c.dir
	} else {
		return nil
	}
	cur, err := statText(d, "rdma.current")
	if err != nil {
		return err
	}
	limits, err := statText(d, "rdma.max")
	if err != nil {
		return err
	}
	max := parseRdma(limits)
	for dev, v := range parseRdma(cur) {
		l := max[dev]
		s.Rdma = append(s.Rdma, RdmaEntry{Device: dev, HcaHandles: v[0], HcaObjects: v[1], HcaHandlesLimit: l[0], HcaObjectsLimit: l[1]})
	}
	slices.SortFunc(s.Rdma, func(a, b RdmaEntry) int { return strings.Compare(a.Device, b.Device) })
	return nil
}

package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Helpers shared by the v1 and v2 resource writers.

func i64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func u64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func isTrue(p *bool) bool { return p != nil && *p }

// writeField writes value and names the spec field in the error, so that a
// failure reads like
// "linux.resources.memory.limit: write memory.limit_in_bytes: invalid argument".
func writeField(field string, d cgroupDir, file, value string) error {
	if err := d.write(file, value); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// readUint reads a number, taking "max" (v2) as unlimited.
func readUint(d cgroupDir, file string) (uint64, error) {
	s, err := d.read(file)
	if err != nil {
		return 0, err
	}
	if s == "max" {
		return math.MaxUint64, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", file, err)
	}
	return v, nil
}

// checkUsage implements memory.checkBeforeUpdate: refuse a limit the
// cgroup already uses more than, instead of letting the kernel reclaim or
// OOM-kill to fit.
func checkUsage(field string, d cgroupDir, usageFile string, limit int64) error {
	if limit <= 0 || !d.exists() {
		return nil
	}
	usage, err := readUint(d, usageFile)
	if err != nil {
		return fmt.Errorf("%s: check current usage: %w", field, err)
	}
	if usage > uint64(limit) {
		return fmt.Errorf("%s: rejecting limit %d below current usage %d", field, limit, usage)
	}
	return nil
}

// writeCpuset writes cpus and mems: the same files on v1 and v2.
func writeCpuset(d cgroupDir, c *specs.LinuxCPU) error {
	if c.Cpus != "" {
		if err := writeField("linux.resources.cpu.cpus", d, "cpuset.cpus", c.Cpus); err != nil {
			return err
		}
	}
	if c.Mems != "" {
		if err := writeField("linux.resources.cpu.mems", d, "cpuset.mems", c.Mems); err != nil {
			return err
		}
	}
	return nil
}

// pidsMax renders linux.resources.pids.limit: negative is unlimited, 0 is
// 1 (as runc writes it: the init alone, no new tasks).
func pidsMax(limit int64) string {
	switch {
	case limit < 0:
		return "max"
	case limit == 0:
		// runc's meaning: systemd's TasksMax cannot be 0, and runc keeps
		// its drivers alike.
		return "1"
	}
	return strconv.FormatInt(limit, 10)
}

// validFileWord rejects values spliced into a cgroup file name that could
// name another file (hugepage sizes, unified keys).
func validFileWord(s string) bool {
	return s != "" && !strings.ContainsAny(s, "/\x00") && s != "." && s != ".."
}

func (m *manager) setHugetlb(r *specs.LinuxResources) error {
	for i, l := range r.HugepageLimits {
		field := fmt.Sprintf("linux.resources.hugepageLimits[%d]", i)
		if !validFileWord(l.Pagesize) {
			return fmt.Errorf("%s.pageSize: invalid page size %q", field, l.Pagesize)
		}
		limit := strconv.FormatUint(l.Limit, 10)
		prefix := "hugetlb." + l.Pagesize
		var d cgroupDir
		var limitFile, rsvdFile string
		if c := m.v1("hugetlb"); c != nil {
			d, limitFile, rsvdFile = c.dir, prefix+".limit_in_bytes", prefix+".rsvd.limit_in_bytes"
		} else if m.v2Offers("hugetlb") {
			d, limitFile, rsvdFile = m.v2().dir, prefix+".max", prefix+".rsvd.max"
			if !d.has(limitFile) {
				delegate(d, "hugetlb")
			}
		} else {
			return fmt.Errorf("%s: no hugetlb cgroup controller is available", field)
		}
		if err := writeField(field+".limit", d, limitFile, limit); err != nil {
			return err
		}
		// Reservation limits also cover pages reserved but not yet faulted
		// in; kernels before 5.7 do not have them.
		if d.has(rsvdFile) {
			if err := writeField(field+".limit", d, rsvdFile, limit); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *manager) setRdma(r *specs.LinuxResources) error {
	if len(r.Rdma) == 0 {
		return nil
	}
	var d cgroupDir
	if c := m.v1("rdma"); c != nil {
		d = c.dir
	} else if m.v2Offers("rdma") {
		d = m.v2().dir
		if !d.has("rdma.max") {
			delegate(d, "rdma")
		}
	} else {
		return fmt.Errorf("linux.resources.rdma: no rdma cgroup controller is available")
	}
	for dev, l := range r.Rdma {
		if strings.ContainsAny(dev, " \n") || dev == "" {
			return fmt.Errorf("linux.resources.rdma[%q]: invalid device name", dev)
		}
		line := dev
		if l.HcaHandles != nil {
			line += fmt.Sprintf(" hca_handle=%d", *l.HcaHandles)
		}
		if l.HcaObjects != nil {
			line += fmt.Sprintf(" hca_object=%d", *l.HcaObjects)
		}
		if line == dev {
			continue
		}
		if err := writeField(fmt.Sprintf("linux.resources.rdma[%q]", dev), d, "rdma.max", line); err != nil {
			return err
		}
	}
	return nil
}

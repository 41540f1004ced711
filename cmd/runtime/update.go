package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"
)

var updateCommand = cli.Command{
	Name:      "update",
	Usage:     "update container resource constraints",
	ArgsUsage: "<container-id>",
	Description: `Changes the limits of a running container; a value not given stays as it
is. Sizes take runc's syntax: a number of bytes or with a suffix (64M, 1.5g,
512KiB), -1 for unlimited. With --resources (a linux.resources JSON file, or
- for stdin) the other flags are ignored, as runc. When the kernel refuses a
limit, the limits already changed get their old values back and the error
names the refused one.`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "resources, r", Usage: "path to the file containing the resources to update or '-' to read from the standard input"},
		cli.IntFlag{Name: "blkio-weight", Usage: "Specifies per cgroup weight, range is from 10 to 1000"},
		cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
		cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
		cli.StringFlag{Name: "cpu-burst", Usage: "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period"},
		cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight vs. other containers)"},
		cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
		cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
		cli.StringFlag{Name: "cpu-idle", Usage: "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
		cli.StringFlag{Name: "cpuset-cpus", Usage: "CPU(s) to use"},
		cli.StringFlag{Name: "cpuset-mems", Usage: "Memory node(s) to use"},
		cli.StringFlag{Name: "memory", Usage: "Memory limit (in bytes)"},
		cli.StringFlag{Name: "memory-reservation", Usage: "Memory reservation or soft_limit (in bytes)"},
		cli.StringFlag{Name: "memory-swap", Usage: "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
		cli.StringFlag{Name: "kernel-memory", Usage: "(obsoleted; do not use)", Hidden: true},
		cli.StringFlag{Name: "kernel-memory-tcp", Usage: "(obsoleted; do not use)", Hidden: true},
		cli.IntFlag{Name: "pids-limit", Usage: "Maximum number of pids allowed in the container"},
		cli.StringFlag{Name: "l3-cache-schema", Usage: "The string of Intel RDT/CAT L3 cache schema"},
		cli.StringFlag{Name: "mem-bw-schema", Usage: "The string of Intel RDT/MBA memory bandwidth schema"},
	},
	Action: updateAction,
}

func updateAction(ctx *cli.Context) error {
	if err := checkArgs(ctx, 1); err != nil {
		return err
	}
	c, err := loadContainer(ctx)
	if err != nil {
		return err
	}
	var r *specs.LinuxResources
	if path := ctx.String("resources"); path != "" {
		r, err = readResources(path)
	} else {
		r, err = resourcesFromFlags(ctx)
	}
	if err != nil {
		return err
	}
	if r.Memory != nil && (r.Memory.Kernel != nil || r.Memory.KernelTCP != nil) {
		logrus.Warn("Kernel memory settings are ignored and will be removed")
	}
	if err := checkIntelRdtFlags(ctx, c.Spec()); err != nil {
		return err
	}
	if err := c.Update(r); err != nil {
		return err
	}
	if l3, mb := ctx.String("l3-cache-schema"), ctx.String("mem-bw-schema"); l3 != "" || mb != "" {
		return c.UpdateIntelRdt(l3, mb)
	}
	return nil
}

// resourcesFromFlags builds the update from runc's flags; unset flags
// leave their fields nil (unchanged).
func resourcesFromFlags(ctx *cli.Context) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	cpu := &specs.LinuxCPU{}
	mem := &specs.LinuxMemory{}
	if v := ctx.Int("blkio-weight"); v != 0 {
		if v < 0 || v > 1000 {
			return nil, fmt.Errorf("invalid value for blkio-weight: %d is out of range 10-1000", v)
		}
		w := uint16(v)
		r.BlockIO = &specs.LinuxBlockIO{Weight: &w}
	}
	cpu.Cpus, cpu.Mems = ctx.String("cpuset-cpus"), ctx.String("cpuset-mems")
	for _, f := range []struct {
		flag string
		dst  **uint64
	}{{"cpu-burst", &cpu.Burst}, {"cpu-period", &cpu.Period}, {"cpu-rt-period", &cpu.RealtimePeriod}, {"cpu-share", &cpu.Shares}} {
		if s := ctx.String(f.flag); s != "" {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %s: %w", f.flag, err)
			}
			*f.dst = &v
		}
	}
	for _, f := range []struct {
		flag string
		dst  **int64
	}{{"cpu-quota", &cpu.Quota}, {"cpu-rt-runtime", &cpu.RealtimeRuntime}, {"cpu-idle", &cpu.Idle}} {
		if s := ctx.String(f.flag); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %s: %w", f.flag, err)
			}
			*f.dst = &v
		}
	}
	for _, f := range []struct {
		flag string
		dst  **int64
	}{
		{"memory", &mem.Limit}, {"memory-swap", &mem.Swap}, {"memory-reservation", &mem.Reservation},
		{"kernel-memory", &mem.Kernel}, {"kernel-memory-tcp", &mem.KernelTCP},
	} {
		if s := ctx.String(f.flag); s != "" {
			v, err := parseSize(s)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %s: %w", f.flag, err)
			}
			*f.dst = &v
		}
	}
	if ctx.IsSet("pids-limit") {
		limit := int64(ctx.Int("pids-limit"))
		r.Pids = &specs.LinuxPids{Limit: &limit}
	}
	if *cpu != (specs.LinuxCPU{}) {
		if cpu.Idle != nil && cpu.Shares == nil {
			// cpu.idle and cpu.weight are exclusive on v2; as runc, a
			// zero share leaves the weight alone.
			zero := uint64(0)
			cpu.Shares = &zero
		}
		r.CPU = cpu
	}
	if *mem != (specs.LinuxMemory{}) {
		r.Memory = mem
	}
	return r, nil
}

// checkIntelRdtFlags validates --l3-cache-schema and --mem-bw-schema:
// they need resctrl and a container created with linux.intelRdt.
func checkIntelRdtFlags(ctx *cli.Context, spec *specs.Spec) error {
	l3, mb := ctx.String("l3-cache-schema"), ctx.String("mem-bw-schema")
	if l3 == "" && mb == "" {
		return nil
	}
	info := "/sys/fs/resctrl/info"
	if l3 != "" && !fileExists(info+"/L3") {
		//lint:ignore ST1005 runc's message, which scripts match
		return errors.New("Intel RDT/CAT: l3 cache schema is not enabled (no resctrl filesystem with L3 at /sys/fs/resctrl)")
	}
	if mb != "" && !fileExists(info+"/MB") {
		//lint:ignore ST1005 runc's message, which scripts match
		return errors.New("Intel RDT/MBA: memory bandwidth schema is not enabled (no resctrl filesystem with MB at /sys/fs/resctrl)")
	}
	if spec == nil || spec.Linux == nil || spec.Linux.IntelRdt == nil {
		return errors.New("updating a non-existent Intel RDT configuration is not supported")
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readResources decodes a linux.resources object from path or stdin.
func readResources(path string) (*specs.LinuxResources, error) {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--resources: %w", err)
		}
		defer f.Close()
		in = f
	}
	var r specs.LinuxResources
	if err := json.NewDecoder(in).Decode(&r); err != nil {
		return nil, fmt.Errorf("--resources: decode linux.resources: %w", err)
	}
	return &r, nil
}

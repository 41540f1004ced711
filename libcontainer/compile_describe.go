package libcontainer

import (
	"fmt"
	"os"

	"github.com/moby/sys/userns"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/specconv"
)

// describeID stands for the container id in a described program.
const describeID = "ID"

// DescribeBundle loads a bundle, compiles it and returns the readable
// disassembly of its program: the operations `create` would send to the
// executor. A console follows process.terminal as in create, a stand-in
// file takes the exec fifo's place when opts has none, and without
// opts.CgroupMounts the host's hierarchies are shown as a container named
// describeID would see them.
func DescribeBundle(bundle string, opts CompileOptions) (string, error) {
	plan, err := specconv.LoadBundle(bundle)
	if err != nil {
		return "", err
	}
	if plan.Spec.Process != nil && plan.Spec.Process.Terminal {
		opts.Console = true
	}
	if opts.ID == "" {
		opts.ID = describeID
	}
	opts.RuntimeInUserNS = opts.RuntimeInUserNS || userns.RunningInUserNS()
	if opts.CgroupMounts == nil {
		opts.CgroupMounts = describeCgroupMounts(plan)
	}
	if opts.ExecFifo == nil {
		standIn, err := os.Open(os.DevNull)
		if err != nil {
			return "", fmt.Errorf("open exec fifo stand-in: %w", err)
		}
		defer standIn.Close()
		opts.ExecFifo = standIn
	}
	prog, err := Compile(plan, opts)
	if err != nil {
		return "", err
	}
	defer closeNamespaceFiles(prog.Files, opts.ExecFifo)
	defer prog.CloseHostFiles()
	return prog.String(), nil
}

// describeCgroupMounts asks the cgroup manager (which creates nothing
// until Apply) what a container of this bundle would see; nil when the
// host's hierarchies cannot be read.
func describeCgroupMounts(plan *specconv.Plan) []cgroups.Mount {
	mgr, err := cgroups.New(cgroups.Config{ID: describeID, Path: plan.Spec.Linux.CgroupsPath})
	if err != nil {
		return nil
	}
	return mgr.Mounts()
}

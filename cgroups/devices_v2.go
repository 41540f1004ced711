package cgroups

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setDevicesV2 enforces the device rules with a BPF_CGROUP_DEVICE program on
// the container's cgroup. It is attached with BPF_PROG_ATTACH rather than a
// bpf_link, because a link goes away with the last fd and hull exits right
// after create. The programs attached before (an earlier Set) are detached
// once the new one is in place; in between both apply, which only denies more.
func (m *manager) setDevicesV2(d cgroupDir, r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	err := attachDeviceFilter(d, r.Devices)
	if err != nil && m.rootless {
		warnf("linux.resources.devices: ignored in rootless mode: %v", err)
		return nil
	}
	return err
}

func attachDeviceFilter(d cgroupDir, rules []specs.LinuxDeviceCgroup) error {
	insns, err := deviceFilter(rules)
	if err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.CGroupDevice,
		Instructions: insns,
		License:      "Apache",
	})
	if err != nil {
		return fmt.Errorf("linux.resources.devices: load device filter: %w", err)
	}
	defer prog.Close()

	dir, err := openBeneath(d.root, d.rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: open %s: %w", d.path(), errnoOf(err))
	}
	defer dir.Close()
	fd := int(dir.Fd())

	old, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		return fmt.Errorf("linux.resources.devices: list attached device filters: %w", err)
	}
	if err := link.RawAttachProgram(link.RawAttachProgramOptions{
		Target:  fd,
		Program: prog,
		Attach:  ebpf.AttachCGroupDevice,
		Flags:   unix.BPF_F_ALLOW_MULTI,
	}); err != nil {
		return fmt.Errorf("linux.resources.devices: attach device filter: %w", err)
	}
	var errs []error
	for _, p := range old.Programs {
		if err := detachProgram(fd, p.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("linux.resources.devices: detach the previous device filter: %w", err)
	}
	return nil
}

func detachProgram(fd int, id ebpf.ProgramID) error {
	p, err := ebpf.NewProgramFromID(id)
	if err != nil {
		return err
	}
	defer p.Close()
	return link.RawDetachProgram(link.RawDetachProgramOptions{Target: fd, Program: p, Attach: ebpf.AttachCGroupDevice})
}

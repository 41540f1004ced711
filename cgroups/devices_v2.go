package cgroups

import (
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/specconv"
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
		ignoreRootlessDevices(r.Devices, err)
		return nil
	}
	return err
}

func attachDeviceFilter(d cgroupDir, rules []specs.LinuxDeviceCgroup) error {
	prog, err := deviceFilter(rules)
	if err != nil {
		return err
	}
	progFd, err := loadDeviceProgram(prog)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: %w", err)
	}
	defer unix.Close(progFd)

	dir, err := openBeneath(d.root, d.rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: open %s: %w", d.path(), errnoOf(err))
	}
	defer dir.Close()
	fd := int(dir.Fd())

	old, err := queryCgroupPrograms(fd)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: list attached device filters: %w", err)
	}
	if err := attachCgroupProgram(fd, progFd, unix.BPF_F_ALLOW_MULTI); err != nil {
		return fmt.Errorf("linux.resources.devices: attach device filter: %w", err)
	}
	var errs []error
	for _, id := range old {
		if err := detachProgramByID(fd, id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("linux.resources.devices: detach the previous device filter: %w", err)
	}
	return nil
}

func detachProgramByID(cgroupFd int, id uint32) error {
	progFd, err := programFdByID(id)
	if err != nil {
		return fmt.Errorf("open program %d: %w", id, err)
	}
	defer unix.Close(progFd)
	return detachCgroupProgram(cgroupFd, progFd)
}

// ignoreRootlessDevices explains device rules a rootless caller could not
// apply, as runc ignores them: the default rules every container gets pass
// silently, a warning names only the rules the config asked for.
func ignoreRootlessDevices(rules []specs.LinuxDeviceCgroup, err error) {
	if len(specconv.UserDeviceRules(rules)) == 0 {
		return
	}
	msg := strings.TrimPrefix(err.Error(), "linux.resources.devices: ")
	warnf("linux.resources.devices: ignored in rootless mode: %s", msg)
}

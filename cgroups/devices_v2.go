package cgroups

import (
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setDevicesV2 would attach a BPF_CGROUP_DEVICE program built from the
// rules. Until hull has one, say so instead of silently allowing everything.
func (m *manager) setDevicesV2(_ cgroupDir, r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	if m.rootless {
		return nil
	}
	return errors.New("linux.resources.devices: the cgroup v2 device filter (BPF) is not implemented yet")
}

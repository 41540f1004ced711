package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var namespaceTypes = map[specs.LinuxNamespaceType]bool{
	specs.PIDNamespace: true, specs.NetworkNamespace: true, specs.MountNamespace: true,
	specs.IPCNamespace: true, specs.UTSNamespace: true, specs.UserNamespace: true,
	specs.CgroupNamespace: true, specs.TimeNamespace: true,
}

func validateNamespaces(spec *specs.Spec) error {
	if spec.Linux == nil {
		return fmt.Errorf("linux: must be set (hull runs Linux containers)")
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	for i, ns := range spec.Linux.Namespaces {
		field := fmt.Sprintf("linux.namespaces[%d]", i)
		if !namespaceTypes[ns.Type] {
			return fmt.Errorf("%s.type: unknown namespace type %q", field, ns.Type)
		}
		if seen[ns.Type] {
			return fmt.Errorf("%s.type: duplicate namespace %q", field, ns.Type)
		}
		seen[ns.Type] = true
		if ns.Path != "" {
			if err := checkAbs(field+".path", ns.Path); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateIDMappings checks the mappings of a new user namespace. With a
// user namespace joined by path they may be given too (containerd and
// CRI-O do): libcontainer checks that they are that namespace's, as runc.
func validateIDMappings(spec *specs.Spec) error {
	l := spec.Linux
	userns, _, hasUserns := findNamespace(spec, specs.UserNamespace)
	maps := []struct {
		field string
		m     []specs.LinuxIDMapping
	}{{"linux.uidMappings", l.UIDMappings}, {"linux.gidMappings", l.GIDMappings}}
	for _, mp := range maps {
		switch {
		case len(mp.m) > 0 && !hasUserns:
			return fmt.Errorf("%s: needs a user namespace in linux.namespaces", mp.field)
		case len(mp.m) == 0 && hasUserns && userns.Path == "":
			return fmt.Errorf("%s: must be set for a new user namespace", mp.field)
		}
		for i, m := range mp.m {
			if m.Size == 0 {
				return fmt.Errorf("%s[%d].size: must be positive", mp.field, i)
			}
		}
	}
	return nil
}

var deviceTypes = map[string]bool{"c": true, "b": true, "u": true, "p": true}

// validateLinux checks the remaining linux.* fields the runtime acts on.
func validateLinux(spec *specs.Spec) error {
	l := spec.Linux
	for i, d := range l.Devices {
		field := fmt.Sprintf("linux.devices[%d]", i)
		if err := checkAbs(field+".path", d.Path); err != nil {
			return err
		}
		if !deviceTypes[d.Type] {
			return fmt.Errorf("%s.type: unknown device type %q (want c, b, u or p)", field, d.Type)
		}
		if d.FileMode != nil && *d.FileMode&^0o7777 != 0 {
			return fmt.Errorf("%s.fileMode: %#o has bits beyond the permission bits", field, uint32(*d.FileMode))
		}
	}
	for i, p := range l.MaskedPaths {
		if err := checkAbs(fmt.Sprintf("linux.maskedPaths[%d]", i), p); err != nil {
			return err
		}
	}
	for i, p := range l.ReadonlyPaths {
		if err := checkAbs(fmt.Sprintf("linux.readonlyPaths[%d]", i), p); err != nil {
			return err
		}
	}
	if l.RootfsPropagation != "" {
		if _, ok := PropagationFlag(l.RootfsPropagation); !ok {
			return fmt.Errorf("linux.rootfsPropagation: unknown value %q", l.RootfsPropagation)
		}
	}
	if err := validatePersonality(l.Personality); err != nil {
		return err
	}
	if err := validateMountLabel(l); err != nil {
		return err
	}
	if err := validateMemoryPolicy(l.MemoryPolicy); err != nil {
		return err
	}
	if err := validateNetDevices(spec); err != nil {
		return err
	}
	if err := validateIntelRdt(l.IntelRdt); err != nil {
		return err
	}
	return validateTimeOffsets(spec)
}

func validateTimeOffsets(spec *specs.Spec) error {
	offsets := spec.Linux.TimeOffsets
	if len(offsets) == 0 {
		return nil
	}
	ns, _, ok := findNamespace(spec, specs.TimeNamespace)
	if !ok {
		return fmt.Errorf("linux.timeOffsets: needs a time namespace in linux.namespaces")
	}
	if ns.Path != "" {
		return fmt.Errorf("linux.timeOffsets: must not be set when joining a time namespace by path")
	}
	for clock, off := range offsets {
		if clock != "monotonic" && clock != "boottime" {
			return fmt.Errorf("linux.timeOffsets[%q]: unknown clock (want monotonic or boottime)", clock)
		}
		if off.Nanosecs >= 1e9 {
			return fmt.Errorf("linux.timeOffsets[%q].nanosecs: %d is not below one second", clock, off.Nanosecs)
		}
	}
	return nil
}

package specconv

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ifNameSize is IFNAMSIZ: a name with its NUL.
const ifNameSize = 16

// validNetDeviceName is the kernel's dev_valid_name: 1 to 15 bytes, not
// "." or "..", no '/', ':' or white space.
func validNetDeviceName(name string) bool {
	if name == "" || len(name) >= ifNameSize || name == "." || name == ".." {
		return false
	}
	return !strings.ContainsAny(name, "/: \t\n\r\v\f")
}

func validateNetDevices(spec *specs.Spec) error {
	devs := spec.Linux.NetDevices
	if len(devs) == 0 {
		return nil
	}
	if _, _, ok := findNamespace(spec, specs.NetworkNamespace); !ok {
		return fmt.Errorf("linux.netDevices: needs a network namespace in linux.namespaces (the host's devices stay on the host)")
	}
	names := map[string]string{}
	for host, dev := range devs {
		field := fmt.Sprintf("linux.netDevices[%q]", host)
		if !validNetDeviceName(host) {
			return fmt.Errorf("%s: invalid network device name %q", field, host)
		}
		name := dev.Name
		if name == "" {
			name = host
		}
		if !validNetDeviceName(name) {
			return fmt.Errorf("%s.name: invalid network device name %q", field, name)
		}
		// "%d" templates are numbered by the kernel; only fixed names can clash.
		if other, dup := names[name]; dup && !strings.Contains(name, "%d") {
			return fmt.Errorf("%s.name: %q is also the name of linux.netDevices[%q]", field, name, other)
		}
		names[name] = host
	}
	return nil
}

func validateIntelRdt(r *specs.LinuxIntelRdt) error {
	if r == nil {
		return nil
	}
	switch c := r.ClosID; {
	case c == "." || c == "..", len(c) > 1 && strings.Contains(c, "/"), strings.ContainsAny(c, "\n\x00"):
		return fmt.Errorf("linux.intelRdt.closID: invalid resctrl group name %q", c)
	}
	if r.L3CacheSchema != "" && strings.Contains(r.L3CacheSchema, "\n") {
		return fmt.Errorf("linux.intelRdt.l3CacheSchema: must not contain newlines")
	}
	if r.MemBwSchema != "" {
		if strings.Contains(r.MemBwSchema, "\n") {
			return fmt.Errorf("linux.intelRdt.memBwSchema: must not contain newlines")
		}
		if !strings.HasPrefix(r.MemBwSchema, "MB:") {
			return fmt.Errorf("linux.intelRdt.memBwSchema: %q does not start with \"MB:\"", r.MemBwSchema)
		}
	}
	for i, line := range r.Schemata {
		if strings.Contains(line, "\n") {
			return fmt.Errorf("linux.intelRdt.schemata[%d]: must not contain newlines", i)
		}
	}
	return nil
}

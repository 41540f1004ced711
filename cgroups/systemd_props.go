package cgroups

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	systemdDbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// unitProperties are the properties of the unit hull starts for a
// container: runc's set (delegated, accounted, no default dependencies),
// the resources systemd understands, then the org.systemd.property.*
// annotations, which may override any of them.
func unitProperties(u systemdUnit, pid int, r *specs.LinuxResources, v2 bool, annotations map[string]string) ([]systemdDbus.Property, error) {
	props := []systemdDbus.Property{
		systemdDbus.PropDescription("hull container " + u.Name),
		newProp("Delegate", true),
		newProp("DefaultDependencies", false),
		newProp("MemoryAccounting", true),
		newProp("CPUAccounting", true),
		newProp("TasksAccounting", true),
		newProp("IOAccounting", true),
	}
	if u.isSlice() {
		props = append(props, newProp("Wants", []string{u.Slice}))
	} else {
		props = append(props, systemdDbus.PropSlice(u.Slice))
	}
	if pid > 0 {
		props = append(props, newProp("PIDs", []uint32{uint32(pid)}))
	}
	res, err := resourceProperties(r, v2)
	if err != nil {
		return nil, err
	}
	props = append(props, res...)
	extra, err := annotationProperties(annotations)
	if err != nil {
		return nil, err
	}
	return append(props, extra...), nil
}

func newProp(name string, value any) systemdDbus.Property {
	return systemdDbus.Property{Name: name, Value: dbus.MakeVariant(value)}
}

// resourceProperties says in systemd's terms what the cgroup files will
// say anyway (the manager writes them all after the unit starts, as runc
// does): systemd must not undo a limit when it reloads its own view.
func resourceProperties(r *specs.LinuxResources, v2 bool) ([]systemdDbus.Property, error) {
	if r == nil {
		return nil, nil
	}
	var props []systemdDbus.Property
	if m := r.Memory; m != nil {
		if m.Limit != nil {
			name := "MemoryLimit"
			if v2 {
				name = "MemoryMax"
			}
			props = append(props, newProp(name, limitValue(*m.Limit)))
		}
		if m.Reservation != nil && v2 {
			props = append(props, newProp("MemoryLow", limitValue(*m.Reservation)))
		}
		if m.Swap != nil && v2 {
			swap := *m.Swap
			// OCI's swap is memory+swap; systemd's is swap alone.
			if swap > 0 && m.Limit != nil && *m.Limit > 0 {
				if swap < *m.Limit {
					return nil, fmt.Errorf("linux.resources.memory.swap: %d is less than the memory limit %d", swap, *m.Limit)
				}
				swap -= *m.Limit
			}
			props = append(props, newProp("MemorySwapMax", limitValue(swap)))
		}
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil && *c.Shares != 0 {
			if v2 {
				props = append(props, newProp("CPUWeight", cpuSharesToWeight(*c.Shares)))
			} else {
				props = append(props, newProp("CPUShares", *c.Shares))
			}
		}
		if c.Period != nil && *c.Period != 0 {
			props = append(props, newProp("CPUQuotaPeriodUSec", *c.Period))
		}
		if c.Quota != nil && *c.Quota != 0 {
			props = append(props, newProp("CPUQuotaPerSecUSec", quotaPerSec(*c.Quota, c.Period)))
		}
		if c.Cpus != "" {
			mask, err := rangeListMask(c.Cpus)
			if err != nil {
				return nil, fmt.Errorf("linux.resources.cpu.cpus: %w", err)
			}
			props = append(props, newProp("AllowedCPUs", mask))
		}
		if c.Mems != "" {
			mask, err := rangeListMask(c.Mems)
			if err != nil {
				return nil, fmt.Errorf("linux.resources.cpu.mems: %w", err)
			}
			props = append(props, newProp("AllowedMemoryNodes", mask))
		}
	}
	if p := r.Pids; p != nil && p.Limit != nil {
		tasks := uint64(math.MaxUint64)
		if *p.Limit > 0 {
			tasks = uint64(*p.Limit)
		} else if *p.Limit == 0 {
			tasks = 1 // runc's meaning of 0; TasksMax cannot be 0
		}
		props = append(props, newProp("TasksMax", tasks))
	}
	if b := r.BlockIO; b != nil && b.Weight != nil && *b.Weight != 0 {
		if v2 {
			props = append(props, newProp("IOWeight", blkioWeightToIOWeight(*b.Weight)))
		} else {
			props = append(props, newProp("BlockIOWeight", uint64(*b.Weight)))
		}
	}
	return append(props, deviceProperties(r.Devices)...), nil
}

// limitValue is systemd's value for an OCI limit: -1 is infinity.
func limitValue(v int64) uint64 {
	if v < 0 {
		return math.MaxUint64
	}
	return uint64(v)
}

// quotaPerSec is the CPU quota per second of time, in µs, rounded up to
// the 10 ms steps systemd keeps (runc does the same, or systemd would
// store a lower quota than the cgroup file gets).
func quotaPerSec(quota int64, period *uint64) uint64 {
	if quota < 0 {
		return math.MaxUint64
	}
	p := uint64(100000)
	if period != nil && *period != 0 {
		p = *period
	}
	perSec := uint64(quota) * 1000000 / p
	if rem := perSec % 10000; rem != 0 {
		perSec += 10000 - rem
	}
	return perSec
}

// rangeListMask turns "0-3,8" into systemd's CPU/NUMA bitmask: byte i holds
// bits 8i..8i+7.
func rangeListMask(list string) ([]byte, error) {
	var mask []byte
	for part := range strings.SplitSeq(list, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid list %q", list)
		}
		last := first
		if isRange {
			if last, err = strconv.ParseUint(hi, 10, 16); err != nil || last < first {
				return nil, fmt.Errorf("invalid list %q", list)
			}
		}
		for n := first; n <= last; n++ {
			for uint64(len(mask)) <= n/8 {
				mask = append(mask, 0)
			}
			mask[n/8] |= 1 << (n % 8)
		}
	}
	return mask, nil
}

// deviceProperties gives systemd the device policy when every rule can be
// said in its terms: a deny-all followed by allows of whole device types,
// of a major by its name in /proc/devices, or of one node. Otherwise
// systemd gets none and hull's own device filter (always installed) is the
// only one: a systemd policy must never be stricter than the config's.
func deviceProperties(rules []specs.LinuxDeviceCgroup) []systemdDbus.Property {
	if len(rules) == 0 || rules[0].Allow || (rules[0].Type != "" && rules[0].Type != "a") || rules[0].Major != nil || rules[0].Minor != nil {
		return nil
	}
	type allow struct{ path, access string }
	var allows []allow
	names := procDeviceNames()
	for _, r := range rules[1:] {
		if !r.Allow {
			return nil
		}
		access := r.Access
		if access == "" {
			access = "rwm"
		}
		kind := map[string]string{"c": "char", "b": "block"}[r.Type]
		switch {
		case kind == "":
			return nil
		case r.Major == nil || *r.Major < 0:
			allows = append(allows, allow{kind + "-*", access})
		case r.Minor == nil || *r.Minor < 0:
			name, ok := names[kind+"/"+strconv.FormatInt(*r.Major, 10)]
			if !ok {
				return nil
			}
			allows = append(allows, allow{kind + "-" + name, access})
		default:
			allows = append(allows, allow{fmt.Sprintf("/dev/%s/%d:%d", kind, *r.Major, *r.Minor), access})
		}
	}
	sort.SliceStable(allows, func(i, j int) bool { return allows[i].path < allows[j].path })
	type deviceAllow struct {
		Path   string
		Access string
	}
	list := make([]deviceAllow, 0, len(allows))
	for _, a := range allows {
		list = append(list, deviceAllow{a.path, a.access})
	}
	return []systemdDbus.Property{
		newProp("DevicePolicy", "strict"),
		newProp("DeviceAllow", list),
	}
}

// procDeviceNames maps "char/MAJOR" and "block/MAJOR" to the driver names
// of /proc/devices, which systemd's char-NAME and block-NAME refer to.
func procDeviceNames() map[string]string {
	names := map[string]string{}
	data, err := os.ReadFile("/proc/devices")
	if err != nil {
		return names
	}
	kind := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch line {
		case "Character devices:":
			kind = "char"
			continue
		case "Block devices:":
			kind = "block"
			continue
		}
		major, name, ok := strings.Cut(line, " ")
		if ok && kind != "" {
			if _, seen := names[kind+"/"+major]; !seen {
				names[kind+"/"+major] = name
			}
		}
	}
	return names
}

// SystemdPropertyAnnotationPrefix starts the annotations whose value
// becomes a property of the container's systemd unit (runc's).
const SystemdPropertyAnnotationPrefix = "org.systemd.property."

// annotationProperties are runc's org.systemd.property.NAME=VALUE
// annotations: VALUE in D-Bus's GVariant text ("uint64 10", "'text'"),
// and a NAME ending in Sec takes a number of µs as uint64.
func annotationProperties(annotations map[string]string) ([]systemdDbus.Property, error) {
	keys := make([]string, 0, len(annotations))
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var props []systemdDbus.Property
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, SystemdPropertyAnnotationPrefix)
		if !ok {
			continue
		}
		if name == "" || strings.ContainsAny(name, " .=") {
			return nil, fmt.Errorf("annotations[%q]: invalid systemd property name", k)
		}
		value, err := dbus.ParseVariant(annotations[k], dbus.Signature{})
		if err != nil {
			return nil, fmt.Errorf("annotations[%q]: parse value %q: %w", k, annotations[k], err)
		}
		if strings.HasSuffix(name, "Sec") {
			n, ok := unsignedValue(value.Value())
			if !ok {
				return nil, fmt.Errorf("annotations[%q]: %s takes a number of microseconds, got %q", k, name, annotations[k])
			}
			value = dbus.MakeVariant(n)
		}
		props = append(props, systemdDbus.Property{Name: name, Value: value})
	}
	return props, nil
}

func unsignedValue(v any) (uint64, bool) {
	switch n := v.(type) {
	case uint8:
		return uint64(n), true
	case uint16:
		return uint64(n), true
	case uint32:
		return uint64(n), true
	case uint64:
		return n, true
	case int16:
		return uint64(n), n >= 0
	case int32:
		return uint64(n), n >= 0
	case int64:
		return uint64(n), n >= 0
	}
	return 0, false
}

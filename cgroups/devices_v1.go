package cgroups

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setDevicesV1 makes the v1 devices cgroup say what the rules say, as if it
// had started from "deny everything" and the rules had been written in
// order. It writes only the difference from what devices.list shows now, so
// that updating a running container never denies, even for a moment, a
// device that both the old and the new rules allow (a fresh "deny all"
// would fail the container's opens meanwhile).
func (m *manager) setDevicesV1(r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	err := m.writeDevicesV1(r.Devices)
	if err != nil && m.rootless {
		ignoreRootlessDevices(r.Devices, err)
		return nil
	}
	return err
}

func (m *manager) writeDevicesV1(rules []specs.LinuxDeviceCgroup) error {
	d, err := m.need("linux.resources.devices", "devices")
	if err != nil {
		return err
	}
	target, err := emulateDeviceRules(rules)
	if err != nil {
		return err
	}
	list, err := d.read("devices.list")
	if err != nil {
		return fmt.Errorf("linux.resources.devices: %w", err)
	}
	files := fileWriter{d: d}
	defer files.close()
	for _, w := range deviceWrites(parseDevicesList(list), target) {
		if err := files.write(w.file, w.line); err != nil {
			return fmt.Errorf("linux.resources.devices: %w", err)
		}
	}
	return nil
}

// deviceState is what the kernel keeps per devices cgroup: a default, and
// exceptions to it, keyed by "type major:minor", with access bits.
type deviceState struct {
	allowAll   bool
	exceptions map[string]deviceAccess
	order      []string // exception keys in the order they first appeared
}

func (st *deviceState) add(key string, a deviceAccess) {
	if _, ok := st.exceptions[key]; !ok {
		st.order = append(st.order, key)
	}
	st.exceptions[key] |= a
}

// keys lists the live exceptions in the order they first appeared, which
// is the order the spec listed them in.
func (st *deviceState) keys() []string {
	return slices.DeleteFunc(slices.Clone(st.order), func(k string) bool { _, ok := st.exceptions[k]; return !ok })
}

// deviceAccess uses the bits of BPF_DEVCG_ACC_*, so that the v2 device
// filter can compare them with what the kernel asks for.
type deviceAccess uint8

const (
	accMknod deviceAccess = 1
	accRead  deviceAccess = 2
	accWrite deviceAccess = 4
	accAll                = accRead | accWrite | accMknod
)

// ruleAccess reads the access of a config rule as runc does: the letters
// r, w and m count, any other is ignored ("rwa" is "rw"), so configs that
// runc runs are not refused.
func ruleAccess(s string) deviceAccess {
	var a deviceAccess
	for _, c := range s {
		if one, ok := parseAccess(string(c)); ok {
			a |= one
		}
	}
	return a
}

func parseAccess(s string) (deviceAccess, bool) {
	var a deviceAccess
	for _, c := range s {
		switch c {
		case 'r':
			a |= accRead
		case 'w':
			a |= accWrite
		case 'm':
			a |= accMknod
		default:
			return 0, false
		}
	}
	return a, true
}

func (a deviceAccess) String() string {
	var b strings.Builder
	for _, x := range []struct {
		bit deviceAccess
		c   byte
	}{{accRead, 'r'}, {accWrite, 'w'}, {accMknod, 'm'}} {
		if a&x.bit != 0 {
			b.WriteByte(x.c)
		}
	}
	return b.String()
}

// parseDevicesList reads devices.list. The kernel shows only "a *:* rwm"
// while the default is allow, hiding any deny exceptions; callers treat
// that state as unknown.
func parseDevicesList(list string) deviceState {
	st := deviceState{exceptions: map[string]deviceAccess{}}
	for line := range strings.SplitSeq(list, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		if f[0] == "a" {
			return deviceState{allowAll: true, exceptions: map[string]deviceAccess{}}
		}
		if a, ok := parseAccess(f[2]); ok {
			st.add(f[0]+" "+f[1], a)
		}
	}
	return st
}

// emulateDeviceRules computes the state the rules lead to from "deny all",
// with the kernel's rules: "a" resets the default and drops the exceptions;
// a rule against the default adds access to the exception with exactly its
// type and numbers; a rule agreeing with the default takes access away from
// that exception.
func emulateDeviceRules(rules []specs.LinuxDeviceCgroup) (deviceState, error) {
	st := deviceState{exceptions: map[string]deviceAccess{}}
	for i, rule := range rules {
		lines, err := deviceRuleLines(rule)
		if err != nil {
			return st, fmt.Errorf("linux.resources.devices[%d]: %w", i, err)
		}
		for _, line := range lines {
			if line == "a" {
				st = deviceState{allowAll: rule.Allow, exceptions: map[string]deviceAccess{}}
				continue
			}
			key, acc := line[:strings.LastIndexByte(line, ' ')], line[strings.LastIndexByte(line, ' ')+1:]
			a, _ := parseAccess(acc)
			if rule.Allow != st.allowAll {
				st.add(key, a)
			} else if left := st.exceptions[key] &^ a; left != 0 {
				st.exceptions[key] = left
			} else {
				delete(st.exceptions, key)
			}
		}
	}
	return st, nil
}

type deviceWrite struct{ file, line string }

// deviceWrites plans the writes from cur to target. With deny as the
// default on both sides it grants what is missing first and only then
// takes away what is no longer allowed. Otherwise (or when cur's
// exceptions are hidden) it resets the default and writes every exception.
func deviceWrites(cur, target deviceState) []deviceWrite {
	grant, revoke := "devices.allow", "devices.deny"
	if target.allowAll {
		grant, revoke = revoke, grant
	}
	keys := target.keys()
	var out []deviceWrite
	if cur.allowAll || target.allowAll {
		out = append(out, deviceWrite{revoke, "a"})
		for _, k := range keys {
			out = append(out, deviceWrite{grant, k + " " + target.exceptions[k].String()})
		}
		return out
	}
	for _, k := range keys {
		if want := target.exceptions[k]; cur.exceptions[k]&want != want {
			out = append(out, deviceWrite{"devices.allow", k + " " + want.String()})
		}
	}
	for _, k := range cur.keys() {
		if extra := cur.exceptions[k] &^ target.exceptions[k]; extra != 0 {
			out = append(out, deviceWrite{"devices.deny", k + " " + extra.String()})
		}
	}
	return out
}

// deviceRuleLines renders a rule in devices.allow syntax ("c 1:3 rwm"). The
// kernel reads a rule of type "a" as every device with every access, so a
// narrower "a" rule is written as one rule for char and one for block devices.
func deviceRuleLines(rule specs.LinuxDeviceCgroup) ([]string, error) {
	access := rule.Access
	if access == "" {
		access = "rwm"
	}
	acc := ruleAccess(access)
	if acc == 0 {
		return nil, nil // no access the kernel knows: nothing to allow or deny
	}
	access = acc.String()
	num := func(p *int64) string {
		if p == nil || *p < 0 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	nums := num(rule.Major) + ":" + num(rule.Minor)
	switch rule.Type {
	case "c", "b":
		return []string{rule.Type + " " + nums + " " + access}, nil
	case "", "a":
		if nums == "*:*" && acc == accAll {
			return []string{"a"}, nil
		}
		return []string{"c " + nums + " " + access, "b " + nums + " " + access}, nil
	default:
		return nil, fmt.Errorf("invalid device type %q (want \"a\", \"b\" or \"c\")", rule.Type)
	}
}

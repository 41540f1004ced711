package specconv

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultDeviceRule is one device cgroup rule every container gets after
// its own rules, as runc appends them: mknod of any node (what may be
// opened is decided by the other rules), the default device nodes, and the
// ptys. Path ties a rule to a default node that linux.devices can replace.
type defaultDeviceRule struct {
	path         string
	kind         string
	major, minor int64 // -1 is the wildcard
	access       string
}

// defaultDeviceRules follows runc, /dev/net/tun included: runc 1.2.0
// dropped it, broke users whose tools cannot add device rules, and put it
// back.
var defaultDeviceRules = []defaultDeviceRule{
	{"", "c", -1, -1, "m"},
	{"", "b", -1, -1, "m"},
	{"/dev/null", "c", 1, 3, "rwm"},
	{"/dev/random", "c", 1, 8, "rwm"},
	{"/dev/full", "c", 1, 7, "rwm"},
	{"/dev/tty", "c", 5, 0, "rwm"},
	{"/dev/zero", "c", 1, 5, "rwm"},
	{"/dev/urandom", "c", 1, 9, "rwm"},
	{"", "c", 136, -1, "rwm"}, // /dev/pts/*
	{"", "c", 5, 2, "rwm"},    // /dev/ptmx
	{"", "c", 10, 200, "rwm"}, // /dev/net/tun (no node made)
}

// withDefaultDeviceRules returns resources (a copy when changed) whose
// device rules end with the defaults. A default node replaced by an entry
// of linux.devices loses its rule too: the config's node may differ.
func withDefaultDeviceRules(res *specs.LinuxResources, devices []specs.LinuxDevice) *specs.LinuxResources {
	out := specs.LinuxResources{}
	if res != nil {
		out = *res
	}
	replaced := map[string]bool{}
	for _, d := range devices {
		replaced[d.Path] = true
	}
	rules := append([]specs.LinuxDeviceCgroup(nil), out.Devices...)
	for _, r := range defaultDeviceRules {
		if r.path != "" && replaced[r.path] {
			continue
		}
		rules = append(rules, specs.LinuxDeviceCgroup{
			Allow: true, Type: r.kind, Major: wildcard(r.major), Minor: wildcard(r.minor), Access: r.access,
		})
	}
	out.Devices = rules
	return &out
}

// wildcard turns -1 into the spec's wildcard (no number).
func wildcard(n int64) *int64 {
	if n < 0 {
		return nil
	}
	return &n
}

// UserDeviceRules returns the device cgroup rules of normalised resources
// that say more than every container's: those before the default rules
// normalisation appended (a default a linux.devices entry replaced is
// simply absent from that tail), without a leading "deny everything" (the
// rule every template starts with, runc's and podman's included).
func UserDeviceRules(rules []specs.LinuxDeviceCgroup) []specs.LinuxDeviceCgroup {
	end := len(rules)
	for k := len(defaultDeviceRules) - 1; k >= 0 && end > 0; k-- {
		if isDefaultRule(rules[end-1], defaultDeviceRules[k]) {
			end--
		}
	}
	start := 0
	if end > 0 && isDenyAll(rules[0]) {
		start = 1
	}
	return rules[start:end]
}

func isDenyAll(r specs.LinuxDeviceCgroup) bool {
	return !r.Allow && (r.Type == "" || r.Type == "a") && r.Major == nil && r.Minor == nil && r.Access == "rwm"
}

func isDefaultRule(r specs.LinuxDeviceCgroup, d defaultDeviceRule) bool {
	same := func(n *int64, want int64) bool {
		if n == nil {
			return want < 0
		}
		return *n == want
	}
	return r.Allow && r.Type == d.kind && r.Access == d.access && same(r.Major, d.major) && same(r.Minor, d.minor)
}

package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/rootfs"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
)

// Vocabularies to try, from runtime-spec, the kernel and runc's
// `features`: whatever of them hull accepts must be reported, and what is
// reported must be accepted.
var (
	hookPhases = []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
	// runc's KnownMountOptions.
	runcMountOptions = []string{
		"acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime", "loud",
		"mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
		"nostrictatime", "nosuid", "nosymfollow", "rbind", "relatime", "remount", "ro", "rw", "silent", "strictatime",
		"suid", "sync", "symfollow", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
		"rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime",
		"rnosymfollow", "rsymfollow", "tmpcopyup", "idmap", "ridmap", "rprivate", "private", "rslave", "slave",
		"rshared", "shared", "runbindable", "unbindable",
	}
	namespaceTypes = []specs.LinuxNamespaceType{
		specs.PIDNamespace, specs.NetworkNamespace, specs.MountNamespace, specs.IPCNamespace,
		specs.UTSNamespace, specs.UserNamespace, specs.CgroupNamespace, specs.TimeNamespace,
	}
	// linux/capability.h, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40).
	kernelCapabilities = []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
		"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
		"CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
		"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
		"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
		"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
		"CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
	}
	seccompActions = []specs.LinuxSeccompAction{
		specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap, specs.ActErrno,
		specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify,
	}
	seccompOperators = []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo, specs.OpGreaterEqual,
		specs.OpGreaterThan, specs.OpMaskedEqual,
	}
	seccompFlags = []specs.LinuxSeccompFlag{
		"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow,
		specs.LinuxSeccompFlagWaitKillableRecv,
	}
	memoryPolicyModes = []specs.MemoryPolicyModeType{
		specs.MpolDefault, specs.MpolBind, specs.MpolInterleave, specs.MpolWeightedInterleave,
		specs.MpolPreferred, specs.MpolPreferredMany, specs.MpolLocal,
	}
	memoryPolicyFlags = []specs.MemoryPolicyFlagType{specs.MpolFNumaBalancing, specs.MpolFRelativeNodes, specs.MpolFStaticNodes}
)

// checkBothWays fails for a candidate that is accepted but not reported,
// and for a reported value that is not accepted (or not a candidate).
func checkBothWays(t *testing.T, field string, reported []string, candidates []string, accepts func(string) bool) {
	t.Helper()
	if len(reported) == 0 {
		t.Errorf("%s: nothing reported", field)
	}
	for _, c := range candidates {
		if ok, listed := accepts(c), slices.Contains(reported, c); ok != listed {
			t.Errorf("%s: %q accepted=%v but reported=%v", field, c, ok, listed)
		}
	}
	for _, r := range reported {
		if !slices.Contains(candidates, r) || !accepts(r) {
			t.Errorf("%s: %q is reported but not accepted", field, r)
		}
	}
}

func validWith(patch func(*specs.Spec)) bool {
	spec := specconv.Example(false)
	patch(spec)
	return specconv.Validate(spec) == nil
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func TestFeaturesMatchValidation(t *testing.T) {
	f := hullFeatures()
	checkBothWays(t, "hooks", f.Hooks, hookPhases, func(phase string) bool {
		return validWith(func(s *specs.Spec) {
			data, _ := json.Marshal(map[string][]specs.Hook{phase: {{Path: "/bin/true"}}})
			s.Hooks = &specs.Hooks{}
			if err := json.Unmarshal(data, s.Hooks); err != nil {
				t.Fatal(err)
			}
		})
	})
	// A mount option is reported when hull acts on it itself; words it
	// passes to the filesystem as data are the filesystem's to know.
	checkBothWays(t, "mountOptions", f.MountOptions, runcMountOptions, func(o string) bool {
		mo, err := rootfs.ParseOptions([]string{o})
		return err == nil && len(mo.Data) == 0
	})
	checkBothWays(t, "linux.namespaces", f.Linux.Namespaces, strs(namespaceTypes), func(ns string) bool {
		return validWith(func(s *specs.Spec) {
			s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return string(n.Type) == ns })
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.LinuxNamespaceType(ns)})
			if ns == string(specs.UserNamespace) {
				s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
				s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
			}
		})
	})
	checkBothWays(t, "linux.capabilities", f.Linux.Capabilities, kernelCapabilities, func(c string) bool {
		return validWith(func(s *specs.Spec) { s.Process.Capabilities.Bounding = []string{c} })
	})
	sc := f.Linux.Seccomp
	profile := func(patch func(*specs.LinuxSeccomp)) bool {
		p := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86_64},
			Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
		patch(p)
		return seccomp.Validate(p) == nil
	}
	checkBothWays(t, "linux.seccomp.actions", sc.Actions, strs(seccompActions), func(a string) bool {
		return profile(func(p *specs.LinuxSeccomp) {
			p.Syscalls[0].Action = specs.LinuxSeccompAction(a)
			p.ListenerPath = "/run/agent.sock"
		})
	})
	checkBothWays(t, "linux.seccomp.operators", sc.Operators, strs(seccompOperators), func(op string) bool {
		return profile(func(p *specs.LinuxSeccomp) {
			p.Syscalls[0].Args = []specs.LinuxSeccompArg{{Index: 1, Value: 1, Op: specs.LinuxSeccompOperator(op)}}
		})
	})
	checkBothWays(t, "linux.seccomp.knownFlags", sc.KnownFlags, strs(seccompFlags), func(flag string) bool {
		return profile(func(p *specs.LinuxSeccomp) { p.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlag(flag)} })
	})
	for _, flag := range sc.SupportedFlags {
		if !slices.Contains(sc.KnownFlags, flag) {
			t.Errorf("linux.seccomp.supportedFlags: %s is not a known flag", flag)
		}
	}
	for _, arch := range sc.Archs {
		if !profile(func(p *specs.LinuxSeccomp) { p.Architectures = []specs.Arch{specs.Arch(arch)} }) {
			t.Errorf("linux.seccomp.archs: %s is reported but not accepted", arch)
		}
	}
	checkBothWays(t, "linux.memoryPolicy.modes", f.Linux.MemoryPolicy.Modes, strs(memoryPolicyModes), func(mode string) bool {
		return validWith(func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MemoryPolicyModeType(mode)}
			if mode != string(specs.MpolDefault) && mode != string(specs.MpolLocal) {
				s.Linux.MemoryPolicy.Nodes = "0"
			}
		})
	})
	checkBothWays(t, "linux.memoryPolicy.flags", f.Linux.MemoryPolicy.Flags, strs(memoryPolicyFlags), func(flag string) bool {
		return validWith(func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0",
				Flags: []specs.MemoryPolicyFlagType{specs.MemoryPolicyFlagType(flag)}}
		})
	})
	for name, tc := range map[string]struct {
		reported *bool
		patch    func(*specs.Spec)
	}{
		"linux.netDevices.enabled": {f.Linux.NetDevices.Enabled, func(s *specs.Spec) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {Name: "eth0"}}
		}},
		"linux.intelRdt.enabled": {f.Linux.IntelRdt.Enabled, func(s *specs.Spec) {
			s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "gold", L3CacheSchema: "L3:0=f", MemBwSchema: "MB:0=50", EnableMonitoring: true}
		}},
		"linux.apparmor.enabled": {f.Linux.Apparmor.Enabled, func(s *specs.Spec) { s.Process.ApparmorProfile = "hull-test" }},
		"linux.selinux.enabled": {f.Linux.Selinux.Enabled, func(s *specs.Spec) {
			s.Process.SelinuxLabel = "system_u:system_r:container_t:s0"
		}},
	} {
		if got := validWith(tc.patch); tc.reported == nil || *tc.reported != got {
			t.Errorf("%s reported %v, validation accepts: %v", name, tc.reported, got)
		}
	}
	if f.Annotations["io.github.seccomp.libseccomp.version"] != seccomp.LibraryVersion() {
		t.Errorf("annotations lack the libseccomp version: %v", f.Annotations)
	}
}

// The JSON has every field runc prints, potentiallyUnsafeConfigAnnotations
// included even when empty.
func TestFeaturesJSONHasRuncFields(t *testing.T) {
	data, err := json.Marshal(hullFeatures())
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations", "potentiallyUnsafeConfigAnnotations"} {
		if _, ok := top[k]; !ok {
			t.Errorf("features JSON lacks %s", k)
		}
	}
	var linux map[string]json.RawMessage
	if err := json.Unmarshal(top["linux"], &linux); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "memoryPolicy", "mountExtensions", "netDevices"} {
		if _, ok := linux[k]; !ok {
			t.Errorf("features JSON lacks linux.%s", k)
		}
	}
	if v := strconv.Quote(string(top["potentiallyUnsafeConfigAnnotations"])); v != strconv.Quote("[]") && len(configAnnotations) == 0 {
		t.Errorf("potentiallyUnsafeConfigAnnotations = %s, want []", v)
	}
}

// Engines (containerd's CRI) drop the annotations listed here unless the
// operator allows them: hull must list every one it reads, as runc does.
func TestFeaturesListsTheAnnotationsHullReads(t *testing.T) {
	listed := hullFeatures().PotentiallyUnsafeConfigAnnotations
	for _, want := range []string{"org.criu.config", "org.systemd.property."} {
		if !slices.Contains(listed, want) {
			t.Errorf("potentiallyUnsafeConfigAnnotations = %q, lacks %q", listed, want)
		}
	}
}

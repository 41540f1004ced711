package specconv

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func newBundle(t *testing.T) string {
	t.Helper()
	bundle := t.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bundle
}

func ptr[T any](v T) *T { return &v }

// Every validation error is one line that names the offending field.
func TestFromSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(s *specs.Spec)
		want   string
	}{
		{"no version", func(s *specs.Spec) { s.Version = "" }, "ociVersion: must be set"},
		{"version 2", func(s *specs.Spec) { s.Version = "2.0.0" }, `ociVersion: unsupported version "2.0.0" (want 1.x)`},
		{"no root", func(s *specs.Spec) { s.Root = nil }, "root: must be set"},
		{"no root path", func(s *specs.Spec) { s.Root.Path = "" }, "root.path: must be set"},
		{"no args", func(s *specs.Spec) { s.Process.Args = nil }, "process.args: must not be empty"},
		{"empty args[0]", func(s *specs.Spec) { s.Process.Args = []string{"", "x"} }, "process.args[0]: must not be empty"},
		{"relative cwd", func(s *specs.Spec) { s.Process.Cwd = "home" }, `process.cwd: "home" is not absolute`},
		{"no cwd", func(s *specs.Spec) { s.Process.Cwd = "" }, "process.cwd: must be set"},
		{"unknown rlimit", func(s *specs.Spec) { s.Process.Rlimits[0].Type = "RLIMIT_FOO" },
			`process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"`},
		{"duplicate rlimit", func(s *specs.Spec) { s.Process.Rlimits = append(s.Process.Rlimits, s.Process.Rlimits[0]) },
			`process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE"`},
		{"soft above hard", func(s *specs.Spec) { s.Process.Rlimits[0].Soft = 2048 },
			"process.rlimits[0]: soft limit 2048 is above hard limit 1024"},
		{"oom score", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1001) },
			"process.oomScoreAdj: 1001 is out of range [-1000, 1000]"},
		{"scheduler policy", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_FAST"} },
			`process.scheduler.policy: unknown policy "SCHED_FAST"`},
		{"scheduler flag", func(s *specs.Spec) {
			s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_OTHER", Flags: []specs.LinuxSchedulerFlag{"SCHED_FLAG_X"}}
		}, `process.scheduler.flags[0]: unknown flag "SCHED_FLAG_X"`},
		{"scheduler nice", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_BATCH", Nice: 20} },
			"process.scheduler.nice: 20 is out of range [-20, 19] for SCHED_BATCH"},
		{"scheduler priority", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_OTHER", Priority: 3} },
			"process.scheduler.priority: only for SCHED_FIFO and SCHED_RR, not SCHED_OTHER"},
		{"scheduler rt priority", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_FIFO"} },
			"process.scheduler.priority: 0 is out of range [1, 99] for SCHED_FIFO"},
		{"scheduler deadline fields", func(s *specs.Spec) {
			s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_RR", Priority: 1, Runtime: 5}
		},
			"process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, not SCHED_RR"},
		{"ioprio class", func(s *specs.Spec) { s.Process.IOPriority = &specs.LinuxIOPriority{Class: "IOPRIO_CLASS_NONE"} },
			`process.ioPriority.class: unknown class "IOPRIO_CLASS_NONE" (want IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)`},
		{"ioprio level", func(s *specs.Spec) {
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: "IOPRIO_CLASS_BE", Priority: 8}
		},
			"process.ioPriority.priority: 8 is out of range [0, 7]"},
		{"affinity syntax", func(s *specs.Spec) { s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0-x"} },
			`process.execCPUAffinity.initial: invalid number "x"`},
		{"affinity range", func(s *specs.Spec) { s.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: "3-1"} },
			`process.execCPUAffinity.final: invalid range "3-1" (start above end)`},
		{"affinity empty", func(s *specs.Spec) { s.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: " , "} },
			`process.execCPUAffinity.final: " , " names no CPU`},
		{"affinity huge", func(s *specs.Spec) { s.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: "0-4000000000"} },
			"process.execCPUAffinity.final: 4000000000 is above the highest supported id 65536"},
		{"relative mount over the root", func(s *specs.Spec) { s.Mounts[2].Destination = "." },
			"mounts[2].destination: cannot mount over the root (set root.path instead)"},
		{"mount over the root", func(s *specs.Spec) { s.Mounts[3].Destination = "/./" },
			"mounts[3].destination: cannot mount over the root (set root.path instead)"},
		{"empty mount destination", func(s *specs.Spec) { s.Mounts[0].Destination = "" },
			"mounts[0].destination: must be set"},
		{"mount without type", func(s *specs.Spec) { s.Mounts[0].Type = "" },
			"mounts[0].type: must be set unless the mount is a bind mount"},
		{"bind without source", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/x", Type: "bind"})
		}, "mounts[7].source: must be set for a bind mount"},
		{"conflicting propagation", func(s *specs.Spec) { s.Mounts[1].Options = append(s.Mounts[1].Options, "shared", "rprivate") },
			`mounts[1].options: conflicting propagation options "shared" and "rprivate"`},
		{"idmapped proc", func(s *specs.Spec) { s.Mounts[0].UIDMappings = []specs.LinuxIDMapping{{Size: 1}} },
			"mounts[0]: id-mapped mounts (uidMappings, gidMappings, idmap, ridmap) need a bind mount"},
		{"idmapped bind without gid map", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/x", Source: "/tmp", Options: []string{"rbind"},
				UIDMappings: []specs.LinuxIDMapping{{Size: 1}}})
		}, "mounts[7].uidMappings: an id-mapped mount needs both uidMappings and gidMappings"},
		{"relative hook", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/true"}, {Path: "hook"}}}
		},
			`hooks.createRuntime[1].path: "hook" is not absolute`},
		{"relative startContainer hook", func(s *specs.Spec) { s.Hooks = &specs.Hooks{StartContainer: []specs.Hook{{Path: "true"}}} },
			`hooks.startContainer[0].path: "true" is not absolute`},
		{"hook timeout", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true", Timeout: ptr(0)}}}
		},
			"hooks.poststop[0].timeout: 0 is not positive"},
		{"no linux", func(s *specs.Spec) { s.Linux = nil }, "linux: must be set (hull runs Linux containers)"},
		{"unknown namespace", func(s *specs.Spec) { s.Linux.Namespaces[3].Type = "foo" },
			`linux.namespaces[3].type: unknown namespace type "foo"`},
		{"duplicate namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pid"})
		},
			`linux.namespaces[5].type: duplicate namespace "pid"`},
		{"relative namespace path", func(s *specs.Spec) { s.Linux.Namespaces[1].Path = "proc/1/ns/net" },
			`linux.namespaces[1].path: "proc/1/ns/net" is not absolute`},
		{"mappings without userns", func(s *specs.Spec) { s.Linux.UIDMappings = []specs.LinuxIDMapping{{Size: 1}} },
			"linux.uidMappings: needs a user namespace in linux.namespaces"},
		{"userns without mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
		}, "linux.uidMappings: must be set for a new user namespace"},
		{"zero-size mapping", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{Size: 1}, {ContainerID: 1, HostID: 100000}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{Size: 1}}
		}, "linux.uidMappings[1].size: must be positive"},
		{"device type", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "x"}} },
			`linux.devices[0].type: unknown device type "x" (want c, b, u or p)`},
		{"relative device", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "dev/fuse", Type: "c"}} },
			`linux.devices[0].path: "dev/fuse" is not absolute`},
		{"device mode", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", FileMode: ptr(os.FileMode(0o20666))}}
		}, "linux.devices[0].fileMode: 020666 has bits beyond the permission bits"},
		{"relative masked path", func(s *specs.Spec) { s.Linux.MaskedPaths[2] = "proc/kcore" },
			`linux.maskedPaths[2]: "proc/kcore" is not absolute`},
		{"relative readonly path", func(s *specs.Spec) { s.Linux.ReadonlyPaths[0] = "" },
			"linux.readonlyPaths[0]: must be set"},
		{"rootfs propagation", func(s *specs.Spec) { s.Linux.RootfsPropagation = "sharde" },
			`linux.rootfsPropagation: unknown value "sharde"`},
		{"personality", func(s *specs.Spec) { s.Linux.Personality = &specs.LinuxPersonality{Domain: "BSD"} },
			`linux.personality.domain: unknown domain "BSD" (want LINUX or LINUX32)`},
		{"personality flag", func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: "LINUX", Flags: []specs.LinuxPersonalityFlag{"FAST"}}
		}, `linux.personality.flags[0]: unknown flag "FAST"`},
		{"net devices without netns", func(s *specs.Spec) {
			s.Linux.Namespaces = slicesDeleteType(s.Linux.Namespaces, "network")
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}}
		}, "linux.netDevices: needs a network namespace in linux.namespaces (the host's devices stay on the host)"},
		{"net device name", func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {Name: "a/b"}} },
			`linux.netDevices["eth1"].name: invalid network device name "a/b"`},
		{"net device long name", func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"abcdefghijklmnop": {}} },
			`linux.netDevices["abcdefghijklmnop"]: invalid network device name "abcdefghijklmnop"`},
		{"memory policy mode", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_FAST"} },
			`linux.memoryPolicy.mode: unknown mode "MPOL_FAST"`},
		{"memory policy flag", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_BIND", Nodes: "0", Flags: []specs.MemoryPolicyFlagType{"MPOL_F_X"}}
		}, `linux.memoryPolicy.flags[0]: unknown flag "MPOL_F_X"`},
		{"memory policy exclusive flags", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_BIND", Nodes: "0",
				Flags: []specs.MemoryPolicyFlagType{"MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"}}
		}, "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other"},
		{"memory policy no nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_BIND"} },
			"linux.memoryPolicy.nodes: MPOL_BIND needs at least one node"},
		{"memory policy local nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_LOCAL", Nodes: "1"} },
			"linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL"},
		{"memory policy bad nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_BIND", Nodes: "a"} },
			`linux.memoryPolicy.nodes: invalid number "a"`},
		{"intel rdt closID", func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "../x"} },
			`linux.intelRdt.closID: invalid resctrl group name "../x"`},
		{"intel rdt MB schema", func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{MemBwSchema: "L3:0=f"} },
			`linux.intelRdt.memBwSchema: "L3:0=f" does not start with "MB:"`},
		{"time offsets without timens", func(s *specs.Spec) {
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 1}}
		}, "linux.timeOffsets: needs a time namespace in linux.namespaces"},
		{"time offsets clock", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"realtime": {Secs: 1}}
		}, `linux.timeOffsets["realtime"]: unknown clock (want monotonic or boottime)`},
		{"time offsets joined", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time", Path: "/proc/1/ns/time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {Secs: 1}}
		}, "linux.timeOffsets: must not be set when joining a time namespace by path"},
		{"net sysctl without netns", func(s *specs.Spec) {
			s.Linux.Namespaces = slicesDeleteType(s.Linux.Namespaces, "network")
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}, `linux.sysctl["net.ipv4.ip_forward"]: needs a network namespace in linux.namespaces`},
		{"ipc sysctl without ipcns", func(s *specs.Spec) {
			s.Linux.Namespaces = slicesDeleteType(s.Linux.Namespaces, "ipc")
			s.Linux.Sysctl = map[string]string{"fs.mqueue.msg_max": "10"}
		}, `linux.sysctl["fs.mqueue.msg_max"]: needs an ipc namespace in linux.namespaces`},
		{"hostname sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"kernel.hostname": "x"} },
			`linux.sysctl["kernel.hostname"]: not allowed, use the hostname field`},
		{"host-wide sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "1"} },
			`linux.sysctl["vm.swappiness"]: not in a namespace the container can have its own of`},
		{"sysctl escaping /proc/sys", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"net/../../x": "1"} },
			`linux.sysctl["net/../../x"]: invalid sysctl name`},
		{"hostname without uts", func(s *specs.Spec) { s.Linux.Namespaces = slicesDeleteType(s.Linux.Namespaces, "uts") },
			"hostname: needs a uts namespace in linux.namespaces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := example(false, 0, 0)
			tc.mutate(spec)
			_, err := FromSpec(spec, newBundle(t))
			if err == nil || err.Error() != tc.want {
				t.Errorf("FromSpec error = %v\nwant %s", err, tc.want)
			}
		})
	}
}

func slicesDeleteType(nss []specs.LinuxNamespace, t specs.LinuxNamespaceType) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, ns := range nss {
		if ns.Type != t {
			out = append(out, ns)
		}
	}
	return out
}

func TestSysctlsAllowed(t *testing.T) {
	spec := example(false, 0, 0)
	spec.Linux.Sysctl = map[string]string{
		"net.ipv4.ip_forward": "1", "net/ipv4/conf/all/forwarding": "1", "kernel.shmmax": "1",
		"fs.mqueue.queues_max": "1", "kernel.domainname": "x",
	}
	if _, err := FromSpec(spec, newBundle(t)); err != nil {
		t.Fatal(err)
	}
}

func TestSysctlPath(t *testing.T) {
	for in, want := range map[string]string{
		"net.ipv4.ip_forward":               "net/ipv4/ip_forward",
		"net/ipv4/ip_forward":               "net/ipv4/ip_forward",
		"net.ipv4.conf.eth0/100.forwarding": "net/ipv4/conf/eth0.100/forwarding",
		"net/ipv4/conf/eth0.100/forwarding": "net/ipv4/conf/eth0.100/forwarding",
		"kernel.shm_rmid_forced":            "kernel/shm_rmid_forced",
	} {
		if got := SysctlPath(in); got != want {
			t.Errorf("SysctlPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// Unknown capability names (a newer kernel's, a lowercase one) are listed
// for a warning, not refused, as runc does.
func TestUnknownCapabilitiesAreListed(t *testing.T) {
	s := Example(false)
	s.Process.Capabilities.Ambient = append(s.Process.Capabilities.Ambient, "CAP_FOO")
	s.Process.Capabilities.Bounding = append(s.Process.Capabilities.Bounding, "kill", "CAP_FOO")
	if err := ValidateProcess(s.Process); err != nil {
		t.Fatalf("unknown capabilities refused: %v", err)
	}
	if got := UnknownCapabilities(s.Process.Capabilities); !slices.Equal(got, []string{"CAP_FOO", "kill"}) {
		t.Errorf("UnknownCapabilities = %q, want CAP_FOO and kill", got)
	}
}

package specconv

import (
	"os"
	"path/filepath"
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
		{"unknown capability", func(s *specs.Spec) { s.Process.Capabilities.Ambient[1] = "CAP_FOO" },
			`process.capabilities.ambient[1]: unknown capability "CAP_FOO"`},
		{"lowercase capability", func(s *specs.Spec) { s.Process.Capabilities.Bounding[0] = "kill" },
			`process.capabilities.bounding[0]: unknown capability "kill"`},
		{"oom score", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1001) },
			"process.oomScoreAdj: 1001 is out of range [-1000, 1000]"},
		{"scheduler", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_OTHER"} },
			"process.scheduler: not supported by hull yet"},
		{"relative mount", func(s *specs.Spec) { s.Mounts[2].Destination = "data" },
			`mounts[2].destination: "data" is not absolute`},
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
		{"idmapped mount", func(s *specs.Spec) { s.Mounts[0].UIDMappings = []specs.LinuxIDMapping{{Size: 1}} },
			"mounts[0].uidMappings: id-mapped mounts are not supported by hull yet"},
		{"relative hook", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/true"}, {Path: "hook"}}}
		},
			`hooks.createRuntime[1].path: "hook" is not absolute`},
		{"startContainer hook", func(s *specs.Spec) { s.Hooks = &specs.Hooks{StartContainer: []specs.Hook{{Path: "/bin/true"}}} },
			"hooks.startContainer: not supported by hull yet"},
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
		{"mappings with joined userns", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/1/ns/user"})
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{Size: 1}}
		}, "linux.gidMappings: must not be set when joining a user namespace by path"},
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
		{"net devices", func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}} },
			"linux.netDevices: not supported by hull yet"},
		{"memory policy", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{} },
			"linux.memoryPolicy: not supported by hull yet"},
		{"intel rdt", func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{} },
			"linux.intelRdt: not supported by hull yet"},
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

package diff

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// specCases covers runtime-spec 1.3's config, field by field: each case
// patches runc's template, and the probe (plus the host's view and the
// hooks' files) shows the effect.
func specCases() []specCase {
	var cases []specCase
	for _, group := range [][]specCase{
		processCases(), rootAndMountCases(), namespaceCases(), deviceAndPathCases(),
		resourceCases(), hookCases(), seccompCases(), miscCases(),
	} {
		cases = append(cases, group...)
	}
	return cases
}

func patchProcess(f func(p *specs.Process)) func(*specs.Spec, *hostPaths) {
	return func(s *specs.Spec, _ *hostPaths) { f(s.Process) }
}

func patchLinux(f func(l *specs.Linux)) func(*specs.Spec, *hostPaths) {
	return func(s *specs.Spec, _ *hostPaths) { f(s.Linux) }
}

func u32(v uint32) *uint32 { return &v }
func i64(v int64) *int64   { return &v }
func u64(v uint64) *uint64 { return &v }
func u16(v uint16) *uint16 { return &v }
func intp(v int) *int      { return &v }
func uintp(v uint) *uint   { return &v }

func processCases() []specCase {
	return []specCase{
		{name: "template"},
		{name: "user-ids-groups-umask", patch: patchProcess(func(p *specs.Process) {
			p.User = specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{5, 1002}, Umask: u32(0o077)}
		})},
		{name: "user-nobody", patch: patchProcess(func(p *specs.Process) { p.User = specs.User{UID: 65534, GID: 65534} })},
		{name: "user-additional-gid-duplicate", patch: patchProcess(func(p *specs.Process) {
			p.User.AdditionalGids = []uint32{7, 7}
		})},
		{name: "cwd-tmp", patch: patchProcess(func(p *specs.Process) { p.Cwd = "/tmp" })},
		{name: "cwd-missing", patch: patchProcess(func(p *specs.Process) { p.Cwd = "/does/not/exist" })},
		{name: "cwd-relative", patch: patchProcess(func(p *specs.Process) { p.Cwd = "tmp" })},
		{name: "env-duplicate", patch: patchProcess(func(p *specs.Process) {
			p.Env = append(p.Env, "A=1", "B=2", "A=3")
		})},
		{name: "env-empty", patch: patchProcess(func(p *specs.Process) { p.Env = nil })},
		{name: "env-no-equals", patch: patchProcess(func(p *specs.Process) { p.Env = append(p.Env, "NOEQUALS") })},
		{name: "env-home-set", patch: patchProcess(func(p *specs.Process) { p.Env = append(p.Env, "HOME=/tmp") })},
		{name: "env-path-custom", patch: patchProcess(func(p *specs.Process) {
			p.Env = []string{"PATH=/bin"}
			p.Args = []string{"sh", "/probe"}
		})},
		{name: "args-relative-to-cwd", patch: patchProcess(func(p *specs.Process) {
			p.Cwd = "/bin"
			p.Args = []string{"./sh", "/probe"}
		})},
		{name: "args-missing-binary", patch: patchProcess(func(p *specs.Process) { p.Args = []string{"/no/such/binary"} })},
		{name: "args-not-executable", patch: patchProcess(func(p *specs.Process) { p.Args = []string{"/etc/passwd"} })},
		{name: "args-empty", patch: patchProcess(func(p *specs.Process) { p.Args = nil })},
		{name: "terminal-without-console-socket", patch: patchProcess(func(p *specs.Process) { p.Terminal = true })},
		{name: "console-size", patch: patchProcess(func(p *specs.Process) {
			p.ConsoleSize = &specs.Box{Height: 20, Width: 70}
		})},
		{name: "capabilities-subset", patch: patchProcess(func(p *specs.Process) {
			caps := []string{"CAP_CHOWN", "CAP_KILL"}
			p.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
		})},
		{name: "capabilities-absent", patch: patchProcess(func(p *specs.Process) { p.Capabilities = nil })},
		{name: "capabilities-empty", patch: patchProcess(func(p *specs.Process) { p.Capabilities = &specs.LinuxCapabilities{} })},
		{name: "capabilities-ambient", patch: patchProcess(func(p *specs.Process) {
			caps := []string{"CAP_NET_BIND_SERVICE", "CAP_CHOWN"}
			p.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps, Inheritable: caps, Ambient: caps}
		})},
		{name: "capabilities-unknown-name", patch: patchProcess(func(p *specs.Process) {
			p.Capabilities.Bounding = append(p.Capabilities.Bounding, "CAP_NO_SUCH_THING")
		})},
		{name: "rlimits", patch: patchProcess(func(p *specs.Process) {
			p.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 256, Hard: 512}, {Type: "RLIMIT_NPROC", Soft: 100, Hard: 200}, {Type: "RLIMIT_CORE", Soft: 0, Hard: 0}}
		})},
		{name: "rlimit-unknown", patch: patchProcess(func(p *specs.Process) {
			p.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOPE", Soft: 1, Hard: 1}}
		})},
		{name: "rlimit-soft-above-hard", patch: patchProcess(func(p *specs.Process) {
			p.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 512, Hard: 256}}
		})},
		{name: "no-new-privileges", patch: patchProcess(func(p *specs.Process) { p.NoNewPrivileges = true })},
		{name: "no-new-privileges-off", patch: patchProcess(func(p *specs.Process) { p.NoNewPrivileges = false })},
		{name: "oom-score-adj", patch: patchProcess(func(p *specs.Process) { p.OOMScoreAdj = intp(500) })},
		{name: "scheduler-batch", patch: patchProcess(func(p *specs.Process) {
			p.Scheduler = &specs.Scheduler{Policy: specs.SchedBatch, Nice: 5}
		})},
		{name: "io-priority", patch: patchProcess(func(p *specs.Process) {
			p.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 6}
		}), extra: "ionice -p $$ 2>&1 || true"},
		{name: "exec-cpu-affinity", patch: patchProcess(func(p *specs.Process) {
			p.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0", Final: "0"}
		})},
		{name: "apparmor-profile", patch: patchProcess(func(p *specs.Process) { p.ApparmorProfile = "unconfined" })},
		{name: "selinux-label", patch: patchProcess(func(p *specs.Process) { p.SelinuxLabel = "system_u:system_r:container_t:s0" })},
	}
}

func bindSource(t *testing.T, h *hostPaths) {
	for _, d := range []string{"src", "src/sub"} {
		if err := os.MkdirAll(filepath.Join(h.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.dir, "src", "file"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addMount adds m; a relative bind source names a file under h.dir.
func addMount(m specs.Mount) func(*specs.Spec, *hostPaths) {
	return func(s *specs.Spec, h *hostPaths) {
		mount := m // each run gets its own copy: the case is run twice
		bind := mount.Type == "bind" || contains(mount.Options, "bind") || contains(mount.Options, "rbind")
		if bind && !filepath.IsAbs(mount.Source) {
			mount.Source = filepath.Join(h.dir, mount.Source)
		}
		s.Mounts = append(s.Mounts, mount)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mountCase(name string, m specs.Mount, extra string) specCase {
	return specCase{name: name, setup: bindSource, patch: addMount(m), extra: extra}
}

func rootAndMountCases() []specCase {
	return []specCase{
		{name: "root-readonly", patch: func(s *specs.Spec, _ *hostPaths) { s.Root.Readonly = true }},
		{name: "root-missing", patch: func(s *specs.Spec, _ *hostPaths) { s.Root.Path = "no-such-rootfs" }},
		{name: "root-absolute-path", patch: func(s *specs.Spec, h *hostPaths) { s.Root.Path = h.rootfs }},
		mountCase("mount-tmpfs-options", specs.Mount{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "nodev", "noexec", "size=1m", "mode=1770", "uid=5", "gid=6"}}, "stat -c '%a %u:%g' /scratch"),
		mountCase("mount-tmpfs-ro", specs.Mount{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs", Options: []string{"ro"}}, ""),
		mountCase("mount-bind-rw", specs.Mount{Destination: "/data", Source: "src", Options: []string{"bind"}},
			"cat /data/file; echo written > /data/new && cat /data/new"),
		mountCase("mount-bind-ro", specs.Mount{Destination: "/data", Source: "src", Options: []string{"bind", "ro"}},
			"echo x > /data/new 2>&1 || echo refused"),
		mountCase("mount-rbind-options", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "nosuid", "nodev", "noexec", "noatime"}}, ""),
		mountCase("mount-bind-type", specs.Mount{Destination: "/data", Type: "bind", Source: "src", Options: []string{"rbind"}}, ""),
		mountCase("mount-bind-file", specs.Mount{Destination: "/etc/hostfile", Source: "src/file", Options: []string{"bind"}}, "cat /etc/hostfile"),
		mountCase("mount-bind-file-nested-missing", specs.Mount{Destination: "/a/b/c/file", Source: "src/file", Options: []string{"bind"}},
			"cat /a/b/c/file; stat -c '%n %a' /a /a/b /a/b/c"),
		mountCase("mount-propagation-shared", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "shared"}}, ""),
		mountCase("mount-propagation-rshared", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "rshared"}}, ""),
		mountCase("mount-propagation-slave", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "rslave"}}, ""),
		mountCase("mount-propagation-private", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "rprivate"}}, ""),
		mountCase("mount-propagation-unbindable", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "unbindable"}}, ""),
		mountCase("mount-recursive-ro", specs.Mount{Destination: "/data", Source: "src", Options: []string{"rbind", "rro"}}, ""),
		mountCase("mount-relative-destination", specs.Mount{Destination: "data", Source: "src", Options: []string{"bind"}}, "cat /data/file"),
		mountCase("mount-source-missing", specs.Mount{Destination: "/data", Source: "no-such-source", Options: []string{"bind"}}, ""),
		mountCase("mount-unknown-type", specs.Mount{Destination: "/data", Type: "nosuchfs", Source: "none"}, ""),
		mountCase("mount-unknown-option", specs.Mount{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs", Options: []string{"bogus-option"}}, ""),
		mountCase("mount-tmpcopyup", specs.Mount{Destination: "/etc", Type: "tmpfs", Source: "tmpfs", Options: []string{"tmpcopyup"}}, "cat /etc/passwd | head -1"),
		mountCase("mount-idmap", specs.Mount{Destination: "/data", Source: "src", Options: []string{"bind", "idmap"},
			UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}},
			GIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}}, "stat -c '%u:%g' /data/file"),
		mountCase("mount-proc-extra", specs.Mount{Destination: "/proc2", Type: "proc", Source: "proc"}, ""),
		mountCase("mount-mqueue", specs.Mount{Destination: "/mq", Type: "mqueue", Source: "mqueue"}, ""),
		{name: "rootfs-propagation-shared", patch: patchLinux(func(l *specs.Linux) { l.RootfsPropagation = "shared" })},
		{name: "rootfs-propagation-slave", patch: patchLinux(func(l *specs.Linux) { l.RootfsPropagation = "slave" })},
		{name: "rootfs-propagation-private", patch: patchLinux(func(l *specs.Linux) { l.RootfsPropagation = "private" })},
		{name: "rootfs-propagation-unbindable", patch: patchLinux(func(l *specs.Linux) { l.RootfsPropagation = "unbindable" })},
		{name: "no-pivot", createArgs: []string{"--no-pivot"}},
		{name: "mount-label", patch: patchLinux(func(l *specs.Linux) { l.MountLabel = "system_u:object_r:container_file_t:s0" })},
	}
}

func withoutNamespace(ns specs.LinuxNamespaceType) func(*specs.Spec, *hostPaths) {
	return patchLinux(func(l *specs.Linux) {
		kept := l.Namespaces[:0]
		for _, n := range l.Namespaces {
			if n.Type != ns {
				kept = append(kept, n)
			}
		}
		l.Namespaces = kept
	})
}

func withNamespace(ns specs.LinuxNamespace) func(*specs.Spec, *hostPaths) {
	return patchLinux(func(l *specs.Linux) { l.Namespaces = append(l.Namespaces, ns) })
}

func withUserNamespace(s *specs.Spec, _ *hostPaths) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
}

func namespaceCases() []specCase {
	return []specCase{
		{name: "ns-no-pid", patch: withoutNamespace(specs.PIDNamespace)},
		{name: "ns-no-network", patch: withoutNamespace(specs.NetworkNamespace)},
		{name: "ns-no-ipc", patch: withoutNamespace(specs.IPCNamespace)},
		{name: "ns-no-uts", patch: withoutNamespace(specs.UTSNamespace)},
		{name: "ns-no-uts-with-hostname", patch: func(s *specs.Spec, h *hostPaths) {
			withoutNamespace(specs.UTSNamespace)(s, h)
			s.Hostname = "other"
		}},
		{name: "ns-no-mount", patch: withoutNamespace(specs.MountNamespace)},
		{name: "ns-cgroup", patch: withNamespace(specs.LinuxNamespace{Type: specs.CgroupNamespace})},
		{name: "ns-time", patch: func(s *specs.Spec, h *hostPaths) {
			withNamespace(specs.LinuxNamespace{Type: specs.TimeNamespace})(s, h)
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 3600}, "boottime": {Secs: 7200}}
		}},
		{name: "ns-user", patch: withUserNamespace},
		{name: "ns-user-readonly-root", patch: func(s *specs.Spec, h *hostPaths) {
			withUserNamespace(s, h)
			s.Root.Readonly = true
		}},
		{name: "ns-duplicate", patch: withNamespace(specs.LinuxNamespace{Type: specs.PIDNamespace})},
		{name: "ns-unknown-type", patch: withNamespace(specs.LinuxNamespace{Type: "bogus"})},
		{name: "ns-join-missing-path", patch: func(s *specs.Spec, h *hostPaths) {
			withoutNamespace(specs.NetworkNamespace)(s, h)
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/no/such/ns"})
		}},
		{name: "ns-join-host-net", patch: func(s *specs.Spec, h *hostPaths) {
			withoutNamespace(specs.NetworkNamespace)(s, h)
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"})
		}},
		{name: "mappings-without-userns", patch: patchLinux(func(l *specs.Linux) {
			l.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 1}}
		})},
		{name: "hostname", patch: func(s *specs.Spec, _ *hostPaths) { s.Hostname = "probe-host" }},
		{name: "domainname", patch: func(s *specs.Spec, _ *hostPaths) { s.Domainname = "probe.domain" }},
	}
}

func deviceAndPathCases() []specCase {
	fileMode := os.FileMode(0o640)
	return []specCase{
		{name: "device-char", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: &fileMode, UID: u32(5), GID: u32(6)})
		})},
		{name: "device-block", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/loop-probe", Type: "b", Major: 7, Minor: 200})
		})},
		{name: "device-fifo", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/probe-fifo", Type: "p"})
		})},
		{name: "device-nested-path", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/sub/dir/null2", Type: "c", Major: 1, Minor: 3})
		})},
		{name: "device-bad-type", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/bad", Type: "x", Major: 1, Minor: 3})
		})},
		{name: "device-outside-dev", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/tmp/null2", Type: "c", Major: 1, Minor: 3})
		})},
		{name: "device-overrides-default", patch: patchLinux(func(l *specs.Linux) {
			l.Devices = append(l.Devices, specs.LinuxDevice{Path: "/dev/null", Type: "c", Major: 1, Minor: 5})
		})},
		{name: "masked-paths-custom", patch: patchLinux(func(l *specs.Linux) {
			l.MaskedPaths = append(l.MaskedPaths, "/etc/passwd", "/home", "/does/not/exist")
		}), extra: "cat /etc/passwd; ls -a /home"},
		{name: "masked-paths-none", patch: patchLinux(func(l *specs.Linux) { l.MaskedPaths = nil })},
		{name: "readonly-paths-custom", patch: patchLinux(func(l *specs.Linux) {
			l.ReadonlyPaths = append(l.ReadonlyPaths, "/etc", "/does/not/exist")
		}), extra: "touch /etc/x 2>&1 || true"},
		{name: "readonly-paths-none", patch: patchLinux(func(l *specs.Linux) { l.ReadonlyPaths = nil })},
		{name: "sysctl", patch: patchLinux(func(l *specs.Linux) {
			l.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096", "net/ipv4/tcp_syncookies": "0"}
		}), extra: "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/net/ipv4/tcp_syncookies"},
		{name: "sysctl-not-namespaced", patch: patchLinux(func(l *specs.Linux) { l.Sysctl = map[string]string{"vm.swappiness": "10"} })},
		{name: "sysctl-net-without-netns", patch: func(s *specs.Spec, h *hostPaths) {
			withoutNamespace(specs.NetworkNamespace)(s, h)
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}},
		{name: "sysctl-unknown", patch: patchLinux(func(l *specs.Linux) { l.Sysctl = map[string]string{"kernel.no_such_knob": "1"} })},
	}
}

func resources(f func(r *specs.LinuxResources)) func(*specs.Spec, *hostPaths) {
	return patchLinux(func(l *specs.Linux) {
		if l.Resources == nil {
			l.Resources = &specs.LinuxResources{}
		}
		f(l.Resources)
	})
}

// No case sets cpu.idle: on a loaded host the SCHED_IDLE cgroup starves
// and the probe does not finish in time, with either runtime.
func resourceCases() []specCase {
	return []specCase{
		{name: "cgroups-path-explicit", patch: patchLinux(func(l *specs.Linux) { l.CgroupsPath = "/diffsuite/explicit" }),
			cgroupFiles: []string{"pids/pids.max"}},
		{name: "cgroups-path-relative", patch: patchLinux(func(l *specs.Linux) { l.CgroupsPath = "diffsuite-relative" })},
		{name: "resources-memory", patch: resources(func(r *specs.LinuxResources) {
			r.Memory = &specs.LinuxMemory{Limit: i64(64 << 20), Reservation: i64(32 << 20), Swap: i64(128 << 20), Swappiness: u64(10)}
		}), cgroupFiles: []string{"memory/memory.limit_in_bytes", "memory/memory.soft_limit_in_bytes", "memory/memory.memsw.limit_in_bytes", "memory/memory.swappiness"}},
		{name: "resources-memory-swap-below-limit", patch: resources(func(r *specs.LinuxResources) {
			r.Memory = &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(32 << 20)}
		})},
		{name: "resources-memory-disable-oom-killer", patch: resources(func(r *specs.LinuxResources) {
			yes := true
			r.Memory = &specs.LinuxMemory{DisableOOMKiller: &yes}
		}), cgroupFiles: []string{"memory/memory.oom_control"}},
		{name: "resources-cpu", patch: resources(func(r *specs.LinuxResources) {
			r.CPU = &specs.LinuxCPU{Shares: u64(512), Quota: i64(50000), Period: u64(100000), Cpus: "0", Mems: "0"}
		}), cgroupFiles: []string{"cpu/cpu.shares", "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpuset/cpuset.cpus", "cpuset/cpuset.mems"}},
		{name: "resources-cpu-realtime", patch: resources(func(r *specs.LinuxResources) {
			r.CPU = &specs.LinuxCPU{RealtimeRuntime: i64(1000), RealtimePeriod: u64(1000000)}
		})},
		{name: "resources-pids", patch: resources(func(r *specs.LinuxResources) { r.Pids = &specs.LinuxPids{Limit: i64(42)} }),
			cgroupFiles: []string{"pids/pids.max"}},
		{name: "resources-pids-zero", patch: resources(func(r *specs.LinuxResources) { r.Pids = &specs.LinuxPids{Limit: i64(0)} }),
			cgroupFiles: []string{"pids/pids.max"}},
		{name: "resources-blkio", patch: resources(func(r *specs.LinuxResources) {
			r.BlockIO = &specs.LinuxBlockIO{Weight: u16(300), ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 7, Minor: 0}, Rate: 1 << 20}}}
		}), cgroupFiles: []string{"blkio/blkio.weight", "blkio/blkio.throttle.read_bps_device"}},
		{name: "resources-hugepages", patch: resources(func(r *specs.LinuxResources) {
			r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
		}), cgroupFiles: []string{"unified/hugetlb.2MB.max"}},
		{name: "resources-network", patch: resources(func(r *specs.LinuxResources) {
			r.Network = &specs.LinuxNetwork{ClassID: u32(0x100001), Priorities: []specs.LinuxInterfacePriority{{Name: "lo", Priority: 5}}}
		})},
		{name: "resources-rdma", patch: resources(func(r *specs.LinuxResources) {
			r.Rdma = map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: u32(3)}}
		})},
		{name: "resources-unified-on-v1", patch: resources(func(r *specs.LinuxResources) {
			r.Unified = map[string]string{"pids.max": "10"}
		})},
		{name: "resources-devices-deny-all", patch: resources(func(r *specs.LinuxResources) {
			r.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
		}), extra: "head -c1 /dev/zero >/dev/null 2>&1 && echo zero-readable || echo zero-denied", cgroupFiles: []string{"devices/devices.list"}},
		{name: "resources-devices-allow-one", patch: resources(func(r *specs.LinuxResources) {
			r.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, {Allow: true, Type: "c", Major: i64(1), Minor: i64(5), Access: "r"}}
		}), extra: "head -c1 /dev/zero | wc -c; echo x > /dev/null 2>&1 || echo null-denied", cgroupFiles: []string{"devices/devices.list"}},
		{name: "resources-devices-bad-access", patch: resources(func(r *specs.LinuxResources) {
			r.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwx"}}
		})},
	}
}

func hookCases() []specCase {
	allKinds := func(s *specs.Spec, h *hostPaths) {
		s.Hooks = &specs.Hooks{
			Prestart:        []specs.Hook{hookWriting(h, "prestart", []string{"HOOK=prestart"})},
			CreateRuntime:   []specs.Hook{hookWriting(h, "createRuntime", []string{"HOOK=createRuntime"})},
			CreateContainer: []specs.Hook{hookWriting(h, "createContainer", []string{"HOOK=createContainer"})},
			StartContainer:  []specs.Hook{hookWriting(h, "startContainer", []string{"HOOK=startContainer"})},
			Poststart:       []specs.Hook{hookWriting(h, "poststart", []string{"HOOK=poststart"})},
			Poststop:        []specs.Hook{hookWriting(h, "poststop", []string{"HOOK=poststop"})},
		}
	}
	failing := func(kind string) func(*specs.Spec, *hostPaths) {
		return func(s *specs.Spec, h *hostPaths) {
			allKinds(s, h)
			fail := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "echo failing " + kind + " >&2; exit 3"}}
			switch kind {
			case "prestart":
				s.Hooks.Prestart = append(s.Hooks.Prestart, fail)
			case "createRuntime":
				s.Hooks.CreateRuntime = append(s.Hooks.CreateRuntime, fail)
			case "createContainer":
				s.Hooks.CreateContainer = append(s.Hooks.CreateContainer, fail)
			case "startContainer":
				s.Hooks.StartContainer = append(s.Hooks.StartContainer, fail)
			case "poststart":
				s.Hooks.Poststart = append(s.Hooks.Poststart, fail)
			case "poststop":
				s.Hooks.Poststop = append(s.Hooks.Poststop, fail)
			}
		}
	}
	cases := []specCase{
		{name: "hooks-every-kind", patch: allKinds},
		{name: "hooks-without-env", patch: func(s *specs.Spec, h *hostPaths) {
			s.Hooks = &specs.Hooks{Poststart: []specs.Hook{hookWriting(h, "poststart", nil)}}
		}},
		{name: "hooks-timeout", patch: func(s *specs.Spec, h *hostPaths) {
			s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "/bin/sleep", Args: []string{"sleep", "5"}, Timeout: intp(1)}}}
		}},
		{name: "hooks-missing-binary", patch: func(s *specs.Spec, h *hostPaths) {
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/no/such/hook"}}}
		}},
	}
	for _, kind := range []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"} {
		cases = append(cases, specCase{name: "hooks-failing-" + kind, patch: failing(kind)})
	}
	return cases
}

func seccompCases() []specCase {
	profile := func(p *specs.LinuxSeccomp) func(*specs.Spec, *hostPaths) {
		return patchLinux(func(l *specs.Linux) { l.Seccomp = p })
	}
	return []specCase{
		{name: "seccomp-errno-one-syscall", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: uintp(1)}},
		}), extra: "mkdir /tmp/x 2>&1 || true"},
		{name: "seccomp-default-errno", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno, DefaultErrnoRet: uintp(38),
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
			Syscalls:      []specs.LinuxSyscall{{Names: allowedForProbe, Action: specs.ActAllow}},
		})},
		{name: "seccomp-kill-process", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"sethostname"}, Action: specs.ActKillProcess}},
		}), extra: "hostname x 2>&1; echo status $?"},
		{name: "seccomp-flags-log", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog},
			Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActLog}},
		})},
		{name: "seccomp-args", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{{Names: []string{"personality"}, Action: specs.ActErrno, ErrnoRet: uintp(1),
				Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0xffffffff, Op: specs.OpNotEqual}}}},
		})},
		{name: "seccomp-unknown-syscall", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"no_such_syscall"}, Action: specs.ActErrno}},
		})},
		{name: "seccomp-unknown-action", patch: profile(&specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_BOGUS"})},
		{name: "seccomp-notify-without-listener", patch: profile(&specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}},
		})},
	}
}

// allowedForProbe is what busybox's sh and applets need to run the probe.
var allowedForProbe = []string{
	"access", "arch_prctl", "brk", "capget", "capset", "chdir", "close", "close_range", "dup", "dup2", "dup3",
	"execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fchdir", "fcntl", "fstat", "fstatfs",
	"futex", "getcwd", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getpgrp", "getpid", "getppid",
	"getrandom", "getrlimit", "getuid", "ioctl", "lseek", "lstat", "mmap", "mprotect", "munmap", "newfstatat",
	"open", "openat", "pipe", "pipe2", "prctl", "pread64", "prlimit64", "read", "readlink", "readlinkat",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "set_robust_list", "set_tid_address", "setgid", "setgroups",
	"setuid", "statx", "uname", "vfork", "clone", "clone3", "wait4", "write", "writev", "stat", "statfs",
	"sethostname", "setresuid", "setresgid", "getresuid", "getresgid", "umask", "unlink", "unlinkat", "utimensat",
	"rseq", "sched_getaffinity", "sysinfo", "fork", "kill", "getpgid", "setpgid", "poll", "ppoll", "select", "pselect6",
}

func miscCases() []specCase {
	return []specCase{
		{name: "annotations", patch: func(s *specs.Spec, _ *hostPaths) {
			s.Annotations = map[string]string{"org.example.key": "value", "another": ""}
		}},
		{name: "personality-linux32", patch: patchLinux(func(l *specs.Linux) {
			l.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32}
		}), extra: "uname -m"},
		{name: "memory-policy", patch: patchLinux(func(l *specs.Linux) {
			l.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0"}
		})},
		{name: "intel-rdt", patch: patchLinux(func(l *specs.Linux) { l.IntelRdt = &specs.LinuxIntelRdt{ClosID: "probe"} })},
		{name: "net-devices-missing", patch: patchLinux(func(l *specs.Linux) {
			l.NetDevices = map[string]specs.LinuxNetDevice{"nosuchdev0": {Name: "eth9"}}
		})},
		{name: "oci-version-old", patch: func(s *specs.Spec, _ *hostPaths) { s.Version = "1.0.0" }},
		{name: "oci-version-bogus", patch: func(s *specs.Spec, _ *hostPaths) { s.Version = "bogus" }},
		{name: "no-process", patch: func(s *specs.Spec, _ *hostPaths) { s.Process = nil }},
		{name: "no-linux", patch: func(s *specs.Spec, _ *hostPaths) { s.Linux = nil }},
	}
}

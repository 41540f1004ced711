package specconv

import (
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Example returns the config template `hull spec` writes: the same as
// `runc spec` (and `runc spec --rootless`), because tools and test suites
// build their configs from it and patch fields. Only ociVersion differs:
// it is the runtime-spec version hull is built against.
func Example(rootless bool) *specs.Spec {
	return example(rootless, uint32(os.Geteuid()), uint32(os.Getegid()))
}

func example(rootless bool, uid, gid uint32) *specs.Spec {
	caps := []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	spec := &specs.Spec{
		Version: specs.Version,
		Root:    &specs.Root{Path: "rootfs", Readonly: true},
		Process: &specs.Process{
			Terminal: true,
			User:     specs.User{},
			Args:     []string{"sh"},
			Env: []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"TERM=xterm",
			},
			Cwd:             "/",
			NoNewPrivileges: true,
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  slices.Clone(caps),
				Permitted: slices.Clone(caps),
				Effective: slices.Clone(caps),
			},
			Rlimits: []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}},
		},
		Hostname: "runc",
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs",
				Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts",
				Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
				Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue",
				Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs",
				Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			// CVE-2023-25809: read-only, so a rootless container whose
			// cgroups the host delegated to its user cannot write them.
			{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
				Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		},
		Linux: &specs.Linux{
			MaskedPaths: []string{
				"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
				"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			ReadonlyPaths: []string{
				"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
			},
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.NetworkNamespace}, {Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace}, {Type: specs.MountNamespace},
			},
		},
	}
	if rootless {
		toRootless(spec, uid, gid)
	}
	return spec
}

// toRootless makes the changes `runc spec --rootless` makes: a user
// namespace mapping the caller to root, no network namespace (it could not
// be configured), /sys bound from the host (sysfs needs a network
// namespace owned by the user namespace), no gid=5 for devpts (the group
// is not mapped) and no cgroup device rules.
func toRootless(spec *specs.Spec, uid, gid uint32) {
	var namespaces []specs.LinuxNamespace
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type != specs.NetworkNamespace && ns.Type != specs.UserNamespace {
			namespaces = append(namespaces, ns)
		}
	}
	spec.Linux.Namespaces = append(namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: uid, ContainerID: 0, Size: 1}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: gid, ContainerID: 0, Size: 1}}

	var mounts []specs.Mount
	for _, m := range spec.Mounts {
		switch m.Destination {
		case "/sys":
			// Read-only, as runc's template. The `ro` does not reach the
			// host's submounts; /sys/fs/cgroup is covered by the cgroup
			// mount (read-only, CVE-2023-25809), so the host's cgroup
			// tree under this bind never shows.
			m = specs.Mount{Destination: "/sys", Type: "none", Source: "/sys",
				Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
		case "/dev/pts":
			m.Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "gid=5" })
		}
		mounts = append(mounts, m)
	}
	spec.Mounts = mounts
	spec.Linux.Resources = nil
}

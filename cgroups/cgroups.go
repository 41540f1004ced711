// Package cgroups owns hull's cgroup managers (v1, v2, systemd): creating a
// container's cgroup, placing processes in it, applying resources, freezing,
// stats and removal. It decides nothing about the rest of the container.
package cgroups

// Mount describes one cgroup hierarchy as the container should see it under
// /sys/fs/cgroup, so that the rootfs plan can mount or bind it.
type Mount struct {
	// Dir is the directory name under /sys/fs/cgroup ("cpu,cpuacct",
	// "memory", "unified", or "" for a pure v2 host where cgroup2 is
	// /sys/fs/cgroup itself).
	Dir string
	// FsType is "cgroup" or "cgroup2".
	FsType string
	// Options are the mount options of a fresh mount ("cpu,cpuacct", "name=systemd", "").
	Options string
	// HostPath is the container's own cgroup directory on the host, bound
	// when the container has no cgroup namespace.
	HostPath string
	// Links are extra names that point at Dir ("cpu" and "cpuacct" for "cpu,cpuacct").
	Links []string
}

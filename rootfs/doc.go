// Package rootfs owns what a container's filesystem view is made of: which
// mounts, devices, symlinks, masked and read-only paths, propagation and
// pivot_root to do, as an ordered list of actions. It decides; the executor
// acts, resolving every path inside the root.
//
// The rules, in the order of a Layout:
//
//   - "/" gets linux.rootfsPropagation, rslave by default, so nothing the
//     container mounts reaches the host; when that may leave the mount
//     holding the rootfs shared, that mount is made private (pivot_root
//     refuses a shared parent).
//   - Without a config mount at /dev, a tmpfs is mounted there first
//     (mode=755, size=65536k, nosuid, strictatime), so device nodes never
//     land in the image.
//   - Config mounts follow in order. A bind mount's destination is created
//     as a file when its source is not a directory; options become mount
//     attributes to set and clear, a propagation, and filesystem data.
//     Mounts at or under /proc are refused except proc itself and the
//     files lxcfs emulates. In a user namespace without its own network
//     (ipc) namespace, sysfs (mqueue) is bound from the host: the kernel
//     refuses a fresh one there.
//   - A `cgroup` mount shows the container's own cgroups: a tmpfs holding
//     one directory per hierarchy, each a fresh mount with a cgroup
//     namespace or a bind of the container's cgroup directory without
//     one, plus the links of merged controllers ("cpu" -> "cpu,cpuacct").
//     On a pure v2 host the hierarchy is the mount itself.
//   - Unless /dev is bound from elsewhere: the default devices (null, zero,
//     full, random, urandom, tty), then linux.devices (a config device
//     replaces a default one of the same path), created with mknod or, in
//     a user namespace, bound from the host; then the /dev/fd, stdin,
//     stdout, stderr and ptmx links.
//   - After pivot_root: the root propagation again (now it applies to the
//     new root), read-only cgroup tmpfs, read-only paths, masked paths (in
//     runc's order), and the read-only root.
package rootfs

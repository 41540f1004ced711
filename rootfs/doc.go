// Package rootfs owns what a container's filesystem view is made of: which
// mounts, devices, symlinks, masked and read-only paths, propagation and
// pivot_root to do, as an ordered list of actions. It decides; the executor
// acts, resolving every path inside the root.
package rootfs

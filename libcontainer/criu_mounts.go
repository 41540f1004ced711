package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/checkpoint-restore/go-criu/v8/rpc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/rootfs"
)

// CRIU dumps the container's mount namespace, but a mount whose source is
// outside it (a bind of a host directory, a host cgroup directory, a
// device) it cannot dump: those are "external", named by a key at dump
// and given a host source again at restore, as runc does. The key is the
// mount's destination in the container.

// isBindMount says whether a config mount is a bind mount (type "bind",
// or a bind/rbind option).
func isBindMount(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	opts, err := rootfs.ParseOptions(m.Options)
	return err == nil && opts.Bind
}

// externalMount is one external mount: its key (the destination in the
// container) and its source on the host.
type externalMount struct{ key, source string }

// externalMounts lists the config's mounts whose sources live outside the
// container: bind mounts, the binds of the container's own cgroup
// directories (views) when it has no cgroup namespace, and the devices.
func externalMounts(spec *specs.Spec, views []cgroups.Mount) []externalMount {
	var ext []externalMount
	cgroupNS := hasNamespace(spec, specs.CgroupNamespace)
	for _, m := range spec.Mounts {
		switch {
		case m.Type == "cgroup":
			if cgroupNS {
				continue // fresh cgroup mounts CRIU dumps itself
			}
			for _, v := range views {
				ext = append(ext, externalMount{key: path.Join(m.Destination, v.Dir), source: v.HostPath})
			}
		case isBindMount(m):
			ext = append(ext, externalMount{key: path.Clean(m.Destination), source: m.Source})
		}
	}
	// Devices are nodes on the container's /dev tmpfs (CRIU dumps those),
	// or binds of the host's in a user namespace: listed as runc does; a
	// key that names no mount is unused.
	for _, d := range devicePaths(spec) {
		ext = append(ext, externalMount{key: d, source: d})
	}
	return ext
}

// devicePaths are the default devices and linux.devices.
func devicePaths(spec *specs.Spec) []string {
	paths := []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}
	if spec.Linux != nil {
		for _, d := range spec.Linux.Devices {
			paths = append(paths, path.Clean(d.Path))
		}
	}
	return paths
}

func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// dumpExtMounts are the external mounts of a dump: each keyed by its
// destination. A masked file is /dev/null bound over it, which the
// restore binds from the host's /dev/null (runc's key "/dev/null").
func dumpExtMounts(spec *specs.Spec, views []cgroups.Mount, initPid int) []*rpc.ExtMountMap {
	var maps []*rpc.ExtMountMap
	for _, e := range externalMounts(spec, views) {
		maps = append(maps, &rpc.ExtMountMap{Key: new(e.key), Val: new(e.key)})
	}
	if spec.Linux != nil {
		for _, p := range spec.Linux.MaskedPaths {
			if maskedFile(initPid, p) {
				maps = append(maps, &rpc.ExtMountMap{Key: new(path.Clean(p)), Val: new("/dev/null")})
			}
		}
	}
	return maps
}

// restoreExtMounts give each external mount its source on this host.
func restoreExtMounts(spec *specs.Spec, views []cgroups.Mount) []*rpc.ExtMountMap {
	var maps []*rpc.ExtMountMap
	for _, e := range externalMounts(spec, views) {
		maps = append(maps, &rpc.ExtMountMap{Key: new(e.key), Val: new(e.source)})
	}
	if spec.Linux != nil && len(spec.Linux.MaskedPaths) > 0 {
		maps = append(maps, &rpc.ExtMountMap{Key: new("/dev/null"), Val: new("/dev/null")})
	}
	return maps
}

// maskedFile says whether the masked path p exists in the container of
// initPid as something other than a directory (a directory is masked by
// a tmpfs, which CRIU dumps). It is resolved inside the container's root.
func maskedFile(initPid int, p string) bool {
	root, err := unix.Open("/proc/"+strconv.Itoa(initPid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, p, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	return unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR
}

// prepareMountpoints creates, inside rootfsPath, the mount points of the
// config's mounts that are missing (a restore into a fresh copy of the
// bundle): CRIU mounts on them but does not make them. Points on a tmpfs
// of the config or under a bind mount are skipped: CRIU restores a
// tmpfs's contents, and a bind's source has its own. Every path is
// resolved inside the root (RESOLVE_IN_ROOT): the image may be hostile.
func prepareMountpoints(rootfsPath string, spec *specs.Spec) error {
	root, err := unix.Open(rootfsPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %s: %w", rootfsPath, err)
	}
	defer unix.Close(root)
	for _, m := range spec.Mounts {
		dest := path.Clean("/" + m.Destination)
		if m.Type == "cgroup" || under(dest, spec.Mounts, m) {
			continue
		}
		file := false
		if isBindMount(m) {
			if fi, err := os.Stat(m.Source); err == nil && !fi.IsDir() {
				file = true
			}
		}
		if err := mkMountpoint(root, dest, file); err != nil {
			return fmt.Errorf("mounts (%s): create the mount point for restore: %w", m.Destination, err)
		}
	}
	return nil
}

// under says whether dest lies below another mount that is a tmpfs or a
// bind, which provides its mount point.
func under(dest string, mounts []specs.Mount, self specs.Mount) bool {
	for _, o := range mounts {
		od := path.Clean("/" + o.Destination)
		if od == dest || !strings.HasPrefix(dest, strings.TrimSuffix(od, "/")+"/") {
			continue
		}
		if o.Type == "tmpfs" || isBindMount(o) {
			return true
		}
	}
	return false
}

// mkMountpoint makes dest (a directory, or an empty file when file) and
// its missing parents inside root.
func mkMountpoint(root int, dest string, file bool) error {
	parts := strings.Split(strings.Trim(dest, "/"), "/")
	dir, err := unix.Openat2(root, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC})
	if err != nil {
		return err
	}
	defer func() { unix.Close(dir) }()
	for i, name := range parts {
		if name == "" {
			continue
		}
		last := i == len(parts)-1
		sub := strings.Join(parts[:i+1], "/")
		how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
		fd, err := unix.Openat2(root, sub, how)
		if errors.Is(err, unix.ENOENT) {
			if last && file {
				f, ferr := unix.Openat(dir, name, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_WRONLY, 0o644)
				if ferr != nil && !errors.Is(ferr, unix.EEXIST) {
					return ferr
				}
				if ferr == nil {
					unix.Close(f)
				}
				return nil
			}
			if merr := unix.Mkdirat(dir, name, 0o755); merr != nil && !errors.Is(merr, unix.EEXIST) {
				return merr
			}
			fd, err = unix.Openat2(root, sub, how)
		}
		if err != nil {
			return err
		}
		unix.Close(dir)
		dir = fd
	}
	return nil
}

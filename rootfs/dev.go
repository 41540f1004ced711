package rootfs

import (
	"fmt"
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const defaultDevOrigin = "default /dev"

// defaultDev mounts a tmpfs on /dev when the config has no /dev mount, so
// that device nodes never land in the image itself. It comes first so
// that config mounts under /dev (/dev/pts, /dev/shm) go on top of it.
func (b *builder) defaultDev() {
	b.add(Mkdir{Path: "/dev", Mode: 0o755, Origin: defaultDevOrigin})
	b.add(FsMount{FsType: "tmpfs", Source: "tmpfs", Dest: "/dev",
		Attrs:  unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_STRICTATIME,
		Data:   []DataOption{{Key: "mode", Value: "755"}, {Key: "size", Value: "65536k"}},
		Origin: defaultDevOrigin})
}

// defaultDevice is one of the devices every container gets (runtime-spec).
type defaultDevice struct {
	path         string
	major, minor uint64
}

var defaultDevices = []defaultDevice{
	{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
	{"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
}

var deviceTypeBits = map[string]uint32{"c": unix.S_IFCHR, "u": unix.S_IFCHR, "b": unix.S_IFBLK, "p": unix.S_IFIFO}

// devices creates the default devices (unless the config has one at the
// same path), then linux.devices, then the standard /dev symlinks.
func (b *builder) devices() {
	configured := map[string]bool{}
	for _, d := range b.plan.Spec.Linux.Devices {
		configured[d.Path] = true
	}
	for _, d := range defaultDevices {
		if configured[d.path] {
			continue
		}
		b.device(Mknod{Path: d.path, Mode: unix.S_IFCHR | 0o666, Major: d.major, Minor: d.minor,
			Origin: fmt.Sprintf("default device (%s)", d.path)})
	}
	for i, d := range b.plan.Spec.Linux.Devices {
		mode := uint32(0o666)
		if d.FileMode != nil {
			mode = uint32(*d.FileMode) & 0o7777
		}
		node := Mknod{Path: d.Path, Mode: deviceTypeBits[d.Type] | mode,
			Major: uint64(d.Major), Minor: uint64(d.Minor),
			Origin: fmt.Sprintf("linux.devices[%d] (%s)", i, d.Path)}
		if d.UID != nil {
			node.UID = *d.UID
		}
		if d.GID != nil {
			node.GID = *d.GID
		}
		b.device(node)
	}
	for _, l := range []struct{ target, link string }{
		{"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"},
		{"pts/ptmx", "/dev/ptmx"},
	} {
		b.add(Symlink{Target: l.target, Link: l.link, Origin: defaultDevOrigin})
	}
}

// device creates one node. In a user namespace (the container's, or one
// the runtime already runs in) mknod is not allowed, so the host's node of
// the same path is bound instead, as runc does.
func (b *builder) device(node Mknod) {
	if dir := path.Dir(node.Path); dir != "/dev" && dir != "/" {
		b.add(Mkdir{Path: dir, Mode: 0o755, Origin: node.Origin})
	}
	if b.hasNS(specs.UserNamespace) || b.in.RuntimeInUserNS {
		b.add(Mkfile{Path: node.Path, Mode: node.Mode & 0o7777, Origin: node.Origin})
		b.add(BindMount{Source: node.Path, Dest: node.Path, Device: &node, Origin: node.Origin})
		return
	}
	b.add(node)
}

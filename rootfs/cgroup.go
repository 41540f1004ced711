package rootfs

import (
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// cgroupMount turns a `cgroup` config mount into the container's view of
// its own cgroups: with a cgroup namespace, fresh cgroup mounts (the
// namespace scopes them); without one, binds of the container's cgroup
// directories, so the host's tree never shows. Several v1 hierarchies sit
// in a tmpfs at the destination, like on the host.
func (b *builder) cgroupMount(i int, m specs.Mount, opts MountOptions) {
	origin := mountOrigin(i, m)
	views := b.in.CgroupViews
	b.add(Mkdir{Path: m.Destination, Mode: 0o755, Origin: origin})
	if len(views) == 1 && views[0].Dir == "" {
		b.cgroupHierarchy(m.Destination, views[0], opts, origin)
		return
	}
	// As runc: the tmpfs stays writable under read-only hierarchies (it
	// is the container's own), and on a hybrid host only the v1
	// hierarchies are shown, not cgroup2 at unified.
	b.add(FsMount{FsType: "tmpfs", Source: "tmpfs", Dest: m.Destination,
		Attrs:       unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC,
		Propagation: opts.Propagation, Data: []DataOption{{Key: "mode", Value: "755"}}, Origin: origin})
	for _, v := range views {
		if v.FsType == "cgroup2" {
			continue
		}
		dir := path.Join(m.Destination, v.Dir)
		b.add(Mkdir{Path: dir, Mode: 0o755, Origin: origin})
		b.cgroupHierarchy(dir, v, opts, origin)
		for _, link := range v.Links {
			b.add(Symlink{Target: v.Dir, Link: path.Join(m.Destination, link), Origin: origin})
		}
	}
}

// cgroupHierarchy mounts or binds one hierarchy at dir.
func (b *builder) cgroupHierarchy(dir string, v CgroupView, opts MountOptions, origin string) {
	if b.hasNS(specs.CgroupNamespace) {
		var data []DataOption
		for _, o := range strings.Split(v.Options, ",") {
			if o == "" {
				continue
			}
			key, value, _ := strings.Cut(o, "=")
			data = append(data, DataOption{Key: key, Value: value})
		}
		source := v.FsType
		if v.Dir == "systemd" {
			source = "systemd" // runc's source for name=systemd
		}
		// CVE-2023-25809: the mount's `ro` holds for each hierarchy (the
		// namespace's root may be a cgroup its user owns).
		b.add(FsMount{FsType: v.FsType, Source: source, Dest: dir, Attrs: opts.NewFsAttrs(), Data: data, Origin: origin})
		return
	}
	// CVE-2023-25809: bound with the mount's `ro`: under a rootless
	// runtime the container's cgroup is one its user (the container's
	// root) owns.
	b.add(BindMount{Source: v.HostPath, Dest: dir, AttrSet: opts.AttrSet, AttrClr: opts.AttrClr, Origin: origin})
}

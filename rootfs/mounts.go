package rootfs

import (
	"fmt"
	"path"
	"strings"

	"github.com/hullrt/hull/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// mount adds the actions of config mount i: create the destination, then
// bind or mount a filesystem on it.
func (b *builder) mount(i int, m specs.Mount) error {
	origin := mountOrigin(i, m)
	opts, err := ParseOptions(m.Options)
	if err != nil {
		return fmt.Errorf("mounts[%d].options: %w", i, err)
	}
	bind := specconv.IsBind(m)
	if err := b.checkProcMount(m, bind); err != nil {
		return fmt.Errorf("mounts[%d].destination: %w", i, err)
	}
	if m.Type == "cgroup" && !bind {
		b.cgroupMount(i, m, opts)
		return nil
	}
	if source, ok := b.hostBindInstead(m, bind); ok {
		b.add(Mkdir{Path: m.Destination, Mode: 0o755, Origin: origin + " bound from the host"})
		b.add(BindMount{Source: source, Dest: m.Destination, Recursive: true,
			AttrSet: opts.NewFsAttrs(), Propagation: opts.Propagation,
			Origin: origin + " bound from the host"})
		return nil
	}
	if !bind {
		b.freshMount(i, m, opts)
		return nil
	}
	return b.bindMount(i, m, opts)
}

// freshMount mounts a new filesystem. As runc does, a read-only tmpfs or
// /dev is mounted writable and made read-only after pivot_root (devices
// and links go into /dev, a tmpfs may get its mode or contents first),
// and a tmpfs without mode= takes the mode of the directory it covers.
func (b *builder) freshMount(i int, m specs.Mount, opts MountOptions) {
	origin := mountOrigin(i, m)
	attrs := opts.NewFsAttrs()
	dest := path.Clean(m.Destination)
	if attrs&unix.MOUNT_ATTR_RDONLY != 0 && (m.Type == "tmpfs" || dest == "/dev") {
		attrs &^= unix.MOUNT_ATTR_RDONLY
		b.readonlyLater = append(b.readonlyLater, RemountRo{Path: m.Destination, Origin: origin + " (read-only once filled)"})
	}
	data := opts.Data
	for _, f := range opts.SbFlags {
		data = append(data, DataOption{Key: f})
	}
	if attrs&unix.MOUNT_ATTR_RDONLY != 0 && m.Type == "sysfs" && !hasData(data, "ro") {
		// runc's mount(2) with MS_RDONLY makes a new sysfs read-only at
		// the superblock too (a reused one, of the host's network
		// namespace, is left alone by both).
		data = append(data, DataOption{Key: "ro"})
	}
	fs := FsMount{FsType: m.Type, Source: m.Source, Dest: m.Destination, Attrs: attrs,
		Propagation: opts.Propagation, Data: data, LegacyFlags: opts.LegacyFlags, Origin: origin}
	if m.Type == "tmpfs" {
		fs.CopyUp = opts.CopyUp
		fs.ModeOfCovered = !hasData(data, "mode")
	}
	b.add(Mkdir{Path: m.Destination, Mode: 0o755, Origin: origin})
	b.add(fs)
}

func hasData(data []DataOption, key string) bool {
	for _, d := range data {
		if d.Key == key {
			return true
		}
	}
	return false
}

// bindMount binds a host path. The destination is created as a directory
// or, for a source that is not one, as a file whose missing parents are
// directories (0755, as runc makes them).
func (b *builder) bindMount(i int, m specs.Mount, opts MountOptions) error {
	origin := mountOrigin(i, m)
	isDir, err := b.in.IsDir(m.Source)
	if err != nil {
		return fmt.Errorf("mounts[%d].source: %w", i, err)
	}
	if isDir {
		b.add(Mkdir{Path: m.Destination, Mode: 0o755, Origin: origin})
	} else {
		if dir := path.Dir(path.Clean(m.Destination)); dir != "/" {
			b.add(Mkdir{Path: dir, Mode: 0o755, Origin: origin})
		}
		b.add(Mkfile{Path: m.Destination, Mode: 0o644, Origin: origin})
	}
	bm := BindMount{Source: m.Source, Dest: m.Destination, Recursive: opts.Recursive,
		AttrSet: opts.AttrSet, AttrClr: opts.AttrClr, ExplicitClr: opts.ExplicitClr,
		RecAttrSet: opts.RecAttrSet, RecAttrClr: opts.RecAttrClr,
		Propagation: opts.Propagation, Origin: origin}
	if opts.IDMap || len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
		bm.IDMap = &IDMap{UIDMappings: m.UIDMappings, GIDMappings: m.GIDMappings,
			Recursive: opts.IDMapRecursive}
		if len(m.UIDMappings) == 0 && len(m.GIDMappings) == 0 {
			// runc's rule: without mappings of its own, the mount is
			// mapped like the container's user namespace (the joined
			// one itself, when it is given by path).
			if ns, _, ok := b.plan.Namespace(specs.UserNamespace); ok && ns.Path != "" {
				bm.IDMap.UserNSPath = ns.Path
			} else {
				bm.IDMap.UIDMappings = b.plan.Spec.Linux.UIDMappings
				bm.IDMap.GIDMappings = b.plan.Spec.Linux.GIDMappings
			}
		}
	}
	b.add(bm)
	return nil
}

// hostBindInstead says when a fresh filesystem cannot be mounted and the
// host's is bound instead, as runc and crun fall back to: in a user
// namespace the kernel allows a new sysfs only with a network namespace,
// and a new mqueue only with an ipc namespace, created inside it.
func (b *builder) hostBindInstead(m specs.Mount, bind bool) (string, bool) {
	if bind || !b.hasNS(specs.UserNamespace) {
		return "", false
	}
	owned := func(t specs.LinuxNamespaceType) bool {
		ns, _, ok := b.plan.Namespace(t)
		// A namespace joined by path is owned by whatever user namespace
		// created it; one created here belongs to the container's.
		return ok && ns.Path == ""
	}
	switch {
	case m.Type == "sysfs" && !owned(specs.NetworkNamespace):
		return "/sys", true
	case m.Type == "mqueue" && !owned(specs.IPCNamespace):
		return "/dev/mqueue", true
	}
	return "", false
}

// procMountable are the files under /proc that may be covered (by
// lxcfs-style emulation); anything else there would let a config hide or
// replace the kernel interfaces that masked paths protect.
var procMountable = map[string]bool{
	"/proc/cpuinfo": true, "/proc/diskstats": true, "/proc/meminfo": true, "/proc/stat": true,
	"/proc/swaps": true, "/proc/uptime": true, "/proc/loadavg": true, "/proc/slabinfo": true,
	"/proc/net/dev": true, "/proc/sys/kernel/ns_last_pid": true, "/proc/sys/crypto/fips_enabled": true,
}

// checkProcMount applies runc's rule for mounts at or under /proc
// (CVE-2019-16884: a fake procfs on /proc, or a mount over part of it,
// would catch the runtime's and the LSM's writes to /proc). /proc may be
// a bind of a real procfs: where the container cannot mount its own (a
// rootless one in the host's pid namespace), the host's /proc is bound.
func (b *builder) checkProcMount(m specs.Mount, bind bool) error {
	dest := path.Clean(m.Destination)
	switch {
	case m.Type == "proc" && !bind:
		return nil
	case dest == "/proc" && bind:
		isProc, isRoot, err := b.in.IsProcfs(m.Source)
		if err != nil {
			return err
		}
		if !isProc {
			return fmt.Errorf("%q cannot be mounted because it is not of type proc (source %s is no procfs)", dest, m.Source)
		}
		if !isRoot {
			// Allowed, as runc allows it (and warns): part of a procfs on
			// /proc hides the rest of it from the container.
			b.layout.Warnings = append(b.layout.Warnings, fmt.Sprintf(
				"bind-mount %s (source %s) is of type procfs but is not the root of a procfs", dest, m.Source))
		}
		return nil
	case dest == "/proc":
		return fmt.Errorf("%q cannot be mounted because it is not of type proc", dest)
	case strings.HasPrefix(dest, "/proc/") && !procMountable[dest]:
		return fmt.Errorf("%q cannot be mounted because it is inside /proc", dest)
	}
	return nil
}

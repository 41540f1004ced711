package rootfs

import (
	"fmt"
	"os"
	"path"

	"github.com/hullrt/hull/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Layout is the decided filesystem of a container, in the order the
// executor must act.
type Layout struct {
	// RootPropagation is applied to the host's "/" in the new mount
	// namespace before anything is mounted, so that nothing the container
	// mounts propagates back to the host.
	RootPropagation Propagation
	// ParentPrivate, when set, makes the host mount holding the rootfs
	// private before the rootfs is bound (runc does the same), so that
	// pivot_root works under a shared root propagation.
	ParentPrivate *Propagation
	// RootParentPropagation is what the mount holding the rootfs becomes
	// before the rootfs is bound onto itself (it must not stay shared):
	// as runc, MS_SLAVE when linux.rootfsPropagation is a slave one (the
	// container's root then stays a slave of the host's), else MS_PRIVATE.
	RootParentPropagation uint64
	// Setup runs inside the root before pivot_root: mounts, devices, links.
	Setup []Action
	// AfterPivot runs in the new root: propagation of "/", read-only and
	// masked paths, read-only root.
	AfterPivot []Action
	// Warnings name what is honoured but likely a mistake, for the log.
	Warnings []string
}

// CgroupView is one cgroup hierarchy as the container should see it under
// a `cgroup` mount (libcontainer fills it from the cgroup manager).
type CgroupView struct {
	// Dir is the directory under the mount ("memory", "cpu,cpuacct",
	// "unified"), or "" when the hierarchy is the mount itself (cgroup v2).
	Dir string
	// FsType ("cgroup" or "cgroup2") and Options ("cpu,cpuacct",
	// "name=systemd") of a fresh mount, used with a cgroup namespace.
	FsType  string
	Options string
	// HostPath is the container's cgroup on the host, bound without a
	// cgroup namespace.
	HostPath string
	// Links are extra names pointing at Dir ("cpu", "cpuacct").
	Links []string
}

// Input is what the layout needs beyond the plan.
type Input struct {
	CgroupViews []CgroupView
	// IsDir tells a bind source that is a directory from one that is not;
	// nil means os.Stat on the host.
	IsDir func(hostPath string) (bool, error)
	// IsProcfs tells whether a bind source is on a procfs, and whether it
	// is that procfs's root; nil means statfs and stat on the host.
	IsProcfs func(hostPath string) (procfs, root bool, err error)
	// MountPointOf returns the host mount point holding a path; nil means
	// the runtime's mount table.
	MountPointOf func(hostPath string) (string, error)
	// RuntimeInUserNS says the runtime itself runs in a user namespace
	// other than the initial one (as under rootless podman): there mknod
	// is refused even without a user namespace in the config, so device
	// nodes are bound from the host, as runc does.
	RuntimeInUserNS bool
}

// builder accumulates a Layout.
type builder struct {
	plan   *specconv.Plan
	in     Input
	layout Layout
	// readonlyLater are mounts made writable that become read-only once
	// filled, after the masked paths (runc's finalizeRootfs).
	readonlyLater []RemountRo
}

func (b *builder) add(a Action)                          { b.layout.Setup = append(b.layout.Setup, a) }
func (b *builder) addAfter(a Action)                     { b.layout.AfterPivot = append(b.layout.AfterPivot, a) }
func (b *builder) hasNS(t specs.LinuxNamespaceType) bool { return b.plan.HasNamespace(t) }

// NewLayout decides the filesystem actions of a validated plan.
func NewLayout(plan *specconv.Plan, in Input) (*Layout, error) {
	if in.IsDir == nil {
		in.IsDir = hostIsDir
	}
	if in.IsProcfs == nil {
		in.IsProcfs = hostIsProcfs
	}
	if in.MountPointOf == nil {
		in.MountPointOf = hostMountPoint
	}
	b := &builder{plan: plan, in: in}
	spec := plan.Spec
	b.layout.RootPropagation = Propagation{Path: "/", Flags: unix.MS_SLAVE | unix.MS_REC,
		Origin: "linux.rootfsPropagation (default rslave)"}
	rootProp := rootfsPropagation(spec)
	b.layout.RootParentPropagation = unix.MS_PRIVATE
	if rootProp&unix.MS_SLAVE != 0 {
		b.layout.RootParentPropagation = unix.MS_SLAVE
	}
	if rootProp != 0 {
		b.layout.RootPropagation = Propagation{Path: "/", Flags: rootProp, Origin: "linux.rootfsPropagation"}
		if needsPrivateParent(rootProp) {
			mp, err := in.MountPointOf(plan.Rootfs)
			if err != nil {
				return nil, fmt.Errorf("root.path: find the mount holding the rootfs: %w", err)
			}
			b.layout.ParentPrivate = &Propagation{Path: mp, Flags: b.layout.RootParentPropagation,
				Origin: "linux.rootfsPropagation (parent mount of root.path made private)"}
		}
	}

	devMount := devMountIndex(spec.Mounts)
	if devMount < 0 {
		b.defaultDev()
	}
	for i, m := range spec.Mounts {
		if err := b.mount(i, m); err != nil {
			return nil, err
		}
	}
	// A /dev bound from elsewhere already has its devices (runc's rule).
	if devMount < 0 || !specconv.IsBind(spec.Mounts[devMount]) {
		b.devices()
	}

	// runc applies the root propagation again once "/" is the new root:
	// done before pivot_root it would only change the old root's copy.
	if rootProp != 0 {
		b.addAfter(Propagation{Path: "/", Flags: rootProp, Origin: "linux.rootfsPropagation"})
	}
	// Read-only paths before masked ones, as runc does: a masked path
	// inside a read-only one is then mounted on top of it.
	for i, p := range spec.Linux.ReadonlyPaths {
		b.addAfter(Readonly{Path: p, Origin: fmt.Sprintf("linux.readonlyPaths[%d] (%s)", i, p)})
	}
	masked := map[string]bool{}
	for i, p := range spec.Linux.MaskedPaths {
		// A path listed twice is masked once (runc), not stacked.
		if masked[path.Clean(p)] {
			continue
		}
		masked[path.Clean(p)] = true
		b.addAfter(Mask{Path: p, Origin: fmt.Sprintf("linux.maskedPaths[%d] (%s)", i, p)})
	}
	for _, r := range b.readonlyLater {
		b.addAfter(r)
	}
	if spec.Root.Readonly {
		b.addAfter(RemountRo{Path: "/", Origin: "root.readonly"})
	}
	return &b.layout, nil
}

func rootfsPropagation(spec *specs.Spec) uint64 {
	flags, _ := specconv.PropagationFlag(spec.Linux.RootfsPropagation)
	return flags
}

// devMountIndex returns the index of the config mount at /dev, or -1.
func devMountIndex(mounts []specs.Mount) int {
	for i, m := range mounts {
		if path.Clean(m.Destination) == "/dev" {
			return i
		}
	}
	return -1
}

func hostIsDir(hostPath string) (bool, error) {
	st, err := os.Stat(hostPath)
	if err != nil {
		return false, err
	}
	return st.IsDir(), nil
}

// procRootIno is the inode number of every procfs's root directory.
const procRootIno = 1

func hostIsProcfs(hostPath string) (procfs, root bool, err error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(hostPath, &fs); err != nil {
		return false, false, &os.PathError{Op: "statfs", Path: hostPath, Err: err}
	}
	if fs.Type != unix.PROC_SUPER_MAGIC {
		return false, false, nil
	}
	var st unix.Stat_t
	if err := unix.Stat(hostPath, &st); err != nil {
		return true, false, &os.PathError{Op: "stat", Path: hostPath, Err: err}
	}
	return true, st.Ino == procRootIno, nil
}

func mountOrigin(i int, m specs.Mount) string {
	return fmt.Sprintf("mounts[%d] (%s)", i, m.Destination)
}

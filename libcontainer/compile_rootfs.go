package libcontainer

import (
	"fmt"
	"os"
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/rootfs"
)

// rootfs emits the filesystem part of stage 2: propagation, the root fd,
// everything mounted inside the root, the hooks that must see it,
// pivot_root, then what is done in the new root.
func (c *compiler) rootfs() error {
	layout, err := rootfs.NewLayout(c.plan, rootfs.Input{
		CgroupViews:     cgroupViews(c.opts.CgroupMounts),
		RuntimeInUserNS: c.opts.RuntimeInUserNS,
	})
	if err != nil {
		return err
	}
	for _, w := range layout.Warnings {
		logrus.Warn(w)
	}
	if !c.plan.HasNamespace(specs.MountNamespace) {
		return c.rootfsDetached(layout)
	}
	rp := layout.RootPropagation
	c.add(rp.Origin, program.OpPropagation, []uint64{rp.Flags}, rp.Path)
	if pp := layout.ParentPrivate; pp != nil {
		c.add(pp.Origin, program.OpPropagation, []uint64{pp.Flags}, pp.Path)
	}
	slots, err := c.rootOpenSlots()
	if err != nil {
		return err
	}
	c.add("root.path", program.OpRootOpen, append([]uint64{layout.RootParentPropagation}, slots...), c.plan.Rootfs)
	pseudo := pseudoFsMountPoints(layout.Setup)
	for _, a := range layout.Setup {
		c.requireOrdinaryDir(a, pseudo)
		if err := c.rootfsAction(a); err != nil {
			return err
		}
	}
	if err := c.hooks(); err != nil {
		return err
	}
	c.processCwd()
	if c.opts.NoPivot {
		hidden, err := revealingMounts(c.plan.Rootfs)
		if err != nil {
			return fmt.Errorf("--no-pivot: %w", err)
		}
		for _, p := range hidden {
			c.add("root.path (--no-pivot: the host's "+p+" out of reach)", program.OpHideMount, nil, p)
		}
		c.add("root.path (--no-pivot)", program.OpMoveRoot, nil)
	} else {
		c.add("root.path", program.OpPivotRoot, nil)
	}
	for _, a := range layout.AfterPivot {
		if err := c.rootfsAction(a); err != nil {
			return err
		}
	}
	return nil
}

// revealingMounts lists the host's full procfs and sysfs mounts that
// --no-pivot must hide (a variable so that golden tests do not depend on
// the machine's mount table).
var revealingMounts = rootfs.RevealingMounts

// rootfsDetached is rootfs for a container in the runtime's mount
// namespace: the root is a detached clone of root.path (nothing is
// mounted in, or changed on, the host's mount table, and the container's
// mounts vanish with its last process), entered with chroot.
func (c *compiler) rootfsDetached(layout *rootfs.Layout) error {
	if c.spec.Linux.RootfsPropagation != "" {
		return fmt.Errorf("linux.rootfsPropagation: needs a mount namespace in linux.namespaces")
	}
	if c.plan.HasNamespace(specs.UserNamespace) {
		// Mounting in the runtime's mount namespace takes privileges over
		// it that a process in another user namespace does not have.
		return fmt.Errorf("linux.namespaces: a user namespace needs a mount namespace too")
	}
	// Before 6.15 the kernel attaches no mount onto a detached tree: the
	// root is built in a private mount namespace of the executor's, then
	// detached from it (see OpRootDetach below).
	buildNs := !mountOnDetachedTree()
	if buildNs {
		c.add("root.path (no mount namespace: built in a private one, kernel < 6.15)", program.OpRootBuildNs, nil, c.plan.Rootfs)
	} else {
		c.add("root.path (no mount namespace: detached clone)", program.OpRootClone, nil, c.plan.Rootfs)
	}
	pseudo := pseudoFsMountPoints(layout.Setup)
	for _, a := range layout.Setup {
		c.requireOrdinaryDir(a, pseudo)
		if err := c.rootfsAction(a); err != nil {
			return err
		}
	}
	if err := c.hooks(); err != nil {
		return err
	}
	c.processCwd()
	c.add("root.path (no mount namespace)", program.OpChroot, nil)
	for _, a := range layout.AfterPivot {
		if err := c.rootfsAction(a); err != nil {
			return err
		}
	}
	if buildNs {
		return c.rootDetach()
	}
	return nil
}

// rootDetach takes the root built in the executor's private mount
// namespace back to the runtime's one, as a detached clone.
func (c *compiler) rootDetach() error {
	f, err := os.Open("/proc/self/ns/mnt")
	if err != nil {
		return fmt.Errorf("root.path: open the runtime's mount namespace: %w", err)
	}
	idx := c.prog.AddFile(f, "ns:mnt /proc/self/ns/mnt")
	c.add("root.path (no mount namespace: detached into the runtime's)", program.OpRootDetach, []uint64{idx})
	return nil
}

// pseudoFsMountPoints maps the mount points of procfs and sysfs mounts
// to their filesystem type.
func pseudoFsMountPoints(setup []rootfs.Action) map[string]string {
	points := map[string]string{}
	for _, a := range setup {
		if m, ok := a.(rootfs.FsMount); ok && (m.FsType == "proc" || m.FsType == "sysfs") {
			points[m.Dest] = m.FsType
		}
	}
	return points
}

// requireOrdinaryDir checks a procfs or sysfs mount point before the first
// action that touches it (its mkdir or the mount): mounted through a
// symlink it could land anywhere in the root (CVE-2019-19921), so it
// must be a directory, with runc's message. Each point is checked once.
func (c *compiler) requireOrdinaryDir(a rootfs.Action, points map[string]string) {
	var p string
	switch a := a.(type) {
	case rootfs.Mkdir:
		p = a.Path
	case rootfs.FsMount:
		p = a.Dest
	default:
		return
	}
	fsType, ok := points[p]
	if !ok {
		return
	}
	delete(points, p)
	c.add(a.From(), program.OpRequireDir, nil, p,
		fmt.Sprintf("filesystem %q must be mounted on ordinary directory", fsType))
}

// rootfsAction emits the one operation of a rootfs action.
func (c *compiler) rootfsAction(a rootfs.Action) error {
	switch a := a.(type) {
	case rootfs.Mkdir:
		c.add(a.Origin, program.OpMkdirAll, []uint64{uint64(a.Mode)}, a.Path)
	case rootfs.Mkfile:
		c.add(a.Origin, program.OpMkfile, []uint64{uint64(a.Mode)}, a.Path)
	case rootfs.BindMount:
		return c.bindMount(a)
	case rootfs.FsMount:
		strs := []string{a.FsType, a.Source, a.Dest}
		for _, d := range a.Data {
			strs = append(strs, d.Key, d.Value)
		}
		if key, label, ok := c.mountContext(a.FsType); ok {
			strs = append(strs, key, label)
		}
		var flags uint64
		if a.CopyUp {
			flags |= program.MountFsCopyUp
		}
		if a.ModeOfCovered {
			flags |= program.MountFsModeOfCovered
		}
		c.add(a.Origin, program.OpMountFs, []uint64{a.Attrs, a.Propagation, flags, a.LegacyFlags}, strs...)
		if label := c.spec.Linux.MountLabel; label != "" && a.FsType == "mqueue" {
			c.add(a.Origin+" (linux.mountLabel)", program.OpLsmRelabel, nil, a.Dest, label)
		}
	case rootfs.Mknod:
		c.add(a.Origin, program.OpMknod,
			[]uint64{uint64(a.Mode), a.Major, a.Minor, uint64(a.UID), uint64(a.GID)}, a.Path)
	case rootfs.Symlink:
		c.add(a.Origin, program.OpSymlink, nil, a.Target, a.Link)
	case rootfs.Propagation:
		c.add(a.Origin, program.OpPropagation, []uint64{a.Flags}, a.Path)
	case rootfs.Mask:
		// runc's tmpfs over a masked directory: read-only down to the
		// superblock, 4k and a single inode (its root), so nothing can be
		// made in it even where it could be remounted read-write.
		strs := []string{a.Path, "ro", "", "size", "4k", "nr_inodes", "1"}
		if key, label, ok := c.mountContext("tmpfs"); ok {
			strs = append(strs, key, label) // the tmpfs over a masked directory
		}
		c.add(a.Origin, program.OpMask, nil, strs...)
	case rootfs.Readonly:
		c.add(a.Origin, program.OpReadonly, nil, a.Path)
	case rootfs.RemountRo:
		c.add(a.Origin, program.OpRemountRo, nil, a.Path)
	default:
		return fmt.Errorf("%s: compile rootfs action: unknown type %T", a.From(), a)
	}
	return nil
}

// processCwd creates a missing process.cwd as runc does: after the mounts
// and hooks (so it is made on whatever is mounted there), as the
// container's root, mode 0755; the chdir happens later. The root itself
// always exists.
func (c *compiler) processCwd() {
	p := c.spec.Process
	if p == nil {
		return
	}
	if cwd := path.Clean(p.Cwd); cwd != "/" {
		c.add("process.cwd (created if missing)", program.OpMkdirAll, []uint64{0o755}, cwd)
	}
}

// hooks stops the executor where the hooks of config.json must run: after
// the mounts, before pivot_root (runc runs prestart with createRuntime).
func (c *compiler) hooks() error {
	h := c.spec.Hooks
	if h == nil {
		return nil
	}
	switch {
	case len(h.CreateRuntime) > 0:
		c.add("hooks.createRuntime", program.OpHooks, []uint64{program.HooksCreateRuntime})
	//lint:ignore SA1019 deprecated by the spec, still run by runc
	case len(h.Prestart) > 0:
		c.add("hooks.prestart", program.OpHooks, []uint64{program.HooksCreateRuntime})
	}
	// createContainer hooks run in the container's namespaces, started by
	// the init (see inContainerHooks); they get the runtime's environment
	// when they have none, like the hooks the runtime runs itself.
	return c.inContainerHooks("createContainer", h.CreateContainer, specs.StateCreating, true, runtimeEnviron(), nil)
}

// cgroupViews converts the cgroup manager's view into the rootfs input
// (rootfs does not import cgroups).
func cgroupViews(mounts []cgroups.Mount) []rootfs.CgroupView {
	views := make([]rootfs.CgroupView, len(mounts))
	for i, m := range mounts {
		views[i] = rootfs.CgroupView{Dir: m.Dir, FsType: m.FsType, Options: m.Options,
			HostPath: m.HostPath, Links: m.Links}
	}
	return views
}

func boolInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// bindMount emits a bind. An id-mapped one is made here on the host side
// (see idmappedTree) with a user namespace holding the mount's mappings;
// the executor attaches that detached tree.
func (c *compiler) bindMount(a rootfs.BindMount) error {
	if a.Device != nil {
		if err := checkHostDevice(a.Source, a.Device); err != nil {
			return fmt.Errorf("%s: %w", a.Origin, err)
		}
	}
	var tree, flags uint64
	if a.IDMap != nil {
		var userns *os.File
		var err error
		if a.IDMap.UserNSPath != "" {
			userns, err = openNamespace(a.IDMap.UserNSPath)
		} else {
			userns, err = newIDMapUserns(a.IDMap.UIDMappings, a.IDMap.GIDMappings)
		}
		if err != nil {
			return fmt.Errorf("%s: id-mapped mount: %w", a.Origin, err)
		}
		flags = program.BindTreeGiven
		// In a user namespace the tree is cloned by the parent in the
		// container's mount namespace (see idmappedSource), where the
		// kernel has locked the mounts it copied: a tree cloned here
		// and moved in would carry no locks, and the container's root
		// could unmount what the host mounted to hide a file.
		if slot := c.mountSource(a.Source, false); slot != 0 {
			c.idmappedSource(slot, a, userns)
			ints := []uint64{boolInt(a.Recursive), a.AttrSet, a.AttrClr, a.Propagation,
				a.RecAttrSet, a.RecAttrClr, a.ExplicitClr, flags, 0, slot}
			c.add(a.Origin, program.OpMountBind, ints, a.Source, a.Dest)
			return nil
		}
		f, err := idmappedTree(a, userns)
		userns.Close()
		if err != nil {
			return fmt.Errorf("%s: id-mapped mount: %w", a.Origin, err)
		}
		tree = c.prog.AddFile(f, a.Origin+" id-mapped tree") + 1
	}
	ints := []uint64{boolInt(a.Recursive), a.AttrSet, a.AttrClr, a.Propagation,
		a.RecAttrSet, a.RecAttrClr, a.ExplicitClr, flags, tree}
	if a.IDMap == nil {
		if slot := c.mountSource(a.Source, false); slot != 0 {
			ints = append(ints, slot)
		}
	}
	c.add(a.Origin, program.OpMountBind, ints, a.Source, a.Dest)
	return nil
}
